"""Reading a large plan: what the summary costs against printing every change (``--full``).

A plan of N actions over 100 locations (every kind; one item in 13 without a unit cost) is
valued (money at stake), then rendered as text and Markdown, summarised (the default past
1,000 actions) and in full, and saved as JSON. CPU time (best of 3) and output size are
measured in this process; no store is involved. The naive baseline is printing everything.

    python benchmarks/render_bench.py            # 100,000 and 1,000,000 actions
    python benchmarks/render_bench.py --quick    # 10,000 actions
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reconciler.model import Source  # noqa: E402
from reconciler.plan import money  # noqa: E402
from reconciler.plan.actions import (  # noqa: E402
    Action,
    Activate,
    AttributeChange,
    Move,
    SetQuantity,
    Target,
    UpdateItem,
    sort_key,
)
from reconciler.plan.build import Built, Filters, Observed  # noqa: E402
from reconciler.plan.planfile import Plan, make_plan  # noqa: E402
from reconciler.plan.render import render  # noqa: E402

LOCATIONS = 100


def synthetic_plan(size: int) -> Plan:
    """`size` actions: per item a write-off and a set, every fifth an activation and a set of
    on_hand elsewhere, every eleventh a cost change."""
    actions: list[Action] = []
    costs: dict[str, Decimal | None] = {}
    n = 0
    while len(actions) < size:
        sku, item_id = f"SKU-{n:07d}", f"gid://shopify/InventoryItem/{10_000_000 + n}"
        here = (f"gid://shopify/Location/{n % LOCATIONS + 1}", f"Store {n % LOCATIONS:03d}")
        k = (n * 7 + 3) % LOCATIONS
        there = (f"gid://shopify/Location/{k + 1}", f"Store {k:03d}")
        source = Source(f"inventory/part-{n % 50:02d}.yaml", 3 + n % 900)
        level, other = Target(sku, item_id, *here), Target(sku, item_id, *there)
        batch: list[Action] = [
            Move(level, "available", "damaged", 1 + n % 3, 20, n % 5, "damaged", source),
            SetQuantity(level, "available", 20, 19 - n % 3, 25 + n % 9, "received", source),
        ]
        if n % 5 == 0:
            batch += [
                Activate(other, False, source),
                SetQuantity(other, "on_hand", 0, 0, 12, "received", source),
            ]
        if n % 11 == 0:
            update = (AttributeChange("cost", "1.00", "1.25"),)
            batch.append(UpdateItem(Target(sku, item_id), update, source))
        actions.extend(batch[: size - len(actions)])
        costs[item_id] = None if n % 13 == 0 else Decimal(f"{1 + n % 40}.{n % 100:02d}")
        n += 1
    ordered = tuple(sorted(actions, key=sort_key))
    return make_plan(
        Built(ordered, Observed(), ()),
        store="bench.myshopify.com",
        api_version="2026-10",
        manifest_digest="0" * 64,
        manifest_files=(),
        filters=Filters(),
        git=None,
        created_at="2026-11-23T00:00:00Z",
        money=money.basis_for(ordered, costs, "USD"),
    )


def cpu(run: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """Best CPU time of `repeat` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.process_time()
        result = run()
        best = min(best, time.process_time() - started)
    return best, result


def measure(size: int) -> list[str]:
    started = time.process_time()
    plan = synthetic_plan(size)
    built = time.process_time() - started
    rows: list[tuple[str, float, str]] = []
    assert plan.money is not None
    basis = plan.money
    seconds, _ = cpu(lambda: money.summarise(list(plan.actions), basis))  # a list: not cached
    rows.append(("money at stake (summarise)", seconds, "per location, effect and reason"))
    for label, fmt, full in (
        ("text, summarised (default)", "text", False),
        ("text, --full (naive: every change)", "text", True),
        ("Markdown, summarised (default)", "markdown", False),
        ("Markdown, --full (stops at 60,000 characters)", "markdown", True),
        ("JSON (always complete)", "json", False),
    ):
        repeat = 1 if fmt == "json" or (full and fmt == "text") else 3

        def run(f: str = fmt, w: bool = full) -> str:
            money._CACHE.clear()  # each render values the plan again, as a fresh process would
            return render(plan, f, full=w)  # type: ignore[arg-type]

        seconds, out = cpu(run, repeat)
        text = str(out)
        rows.append((label, seconds, f"{text.count(chr(10)):,} lines, {len(text):,} characters"))
    summary_text, full_text = rows[1][1], rows[2][1]
    lines = [
        f"### {size:,} actions ({LOCATIONS} locations; plan built in {built:.1f} s CPU)",
        "",
        "| render | CPU (best) | output |",
        "|:--|--:|:--|",
        *(f"| {label} | {seconds:.3f} s | {output} |" for label, seconds, output in rows),
        "",
        f"Summarised text vs every change: {full_text / summary_text:.1f}x less CPU.",
        "",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 actions only")
    args = parser.parse_args(argv)
    sizes = [10_000] if args.quick else [100_000, 1_000_000]
    print("## Render benchmark: large plans summarised vs printed in full\n")
    for size in sizes:
        print("\n".join(measure(size)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
