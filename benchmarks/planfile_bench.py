"""Loading a large plan file: what `reconciler apply plan.json` does before its first call.

A plan of N actions (per level a write-off move and a set of available, every fifth level an
on_hand set elsewhere; 100 locations) is saved as JSON, then loaded as apply loads it: JSON
parse, the schema on the envelope, every action parsed and checked in Python, the plan id
recomputed, and the planner's guarantees checked (apply's preflight: ranges, one write per level
and name, consistent compare values). Wall time and peak memory are measured in a fresh
process that does only that, as `reconciler apply plan.json` would.

The naive baseline is the full JSON Schema over every action (what the loader does for plans of
up to 1,000 actions): measured on 20,000 actions and scaled linearly, stated as such.

    python benchmarks/planfile_bench.py            # 1,000,000 actions
    python benchmarks/planfile_bench.py --quick    # 20,000 actions
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reconciler.model import Source  # noqa: E402
from reconciler.plan import consistency  # noqa: E402
from reconciler.plan.actions import Action, Move, SetQuantity, Target, sort_key  # noqa: E402
from reconciler.plan.build import Built, Filters, Observed  # noqa: E402
from reconciler.plan.planfile import Plan, dumps, load, make_plan  # noqa: E402
from reconciler.plan.shape import validator  # noqa: E402

LOCATIONS = 100
NAIVE_SAMPLE = 20_000


def consistent_plan(size: int) -> Plan:
    """`size` actions a planner could have made (observed values recorded for every level)."""
    actions: list[Action] = []
    observed = Observed()
    n = 0
    while len(actions) < size:
        sku, item_id = f"SKU-{n:07d}", f"gid://shopify/InventoryItem/{10_000_000 + n}"
        location = (f"gid://shopify/Location/{n % LOCATIONS + 1}", f"Store {n % LOCATIONS:03d}")
        source = Source(f"inventory/part-{n % 50:02d}.yaml", 3 + n % 900)
        level = Target(sku, item_id, *location)
        damaged, moved = n % 5, 1 + n % 3
        observed.levels[(item_id, location[0])] = {"available": 20, "damaged": damaged}
        batch: list[Action] = [
            Move(level, "available", "damaged", moved, 20, damaged, "damaged", source),
            SetQuantity(level, "available", 20, 20 - moved, 25 + n % 9, "received", source),
        ]
        if n % 5 == 0:
            k = (n * 7 + 3) % LOCATIONS
            other = Target(sku, item_id, f"gid://shopify/Location/{k + 1}", f"Store {k:03d}")
            if other.location_id != level.location_id:
                observed.levels[(item_id, str(other.location_id))] = {"available": 4}
                batch.append(SetQuantity(other, "on_hand", 4, 4, 12, "received", source))
        actions.extend(batch[: size - len(actions)])
        n += 1
    return make_plan(
        Built(tuple(sorted(actions, key=sort_key)), observed, ()),
        store="bench.myshopify.com",
        api_version="2026-10",
        manifest_digest="0" * 64,
        manifest_files=(),
        filters=Filters(),
        git=None,
        created_at="2026-11-23T00:00:00Z",
    )


def peak_mib() -> float:
    """This process's peak RSS: VmHWM (ru_maxrss would carry the parent's over fork + exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def naive_seconds_per_action(text: str) -> float:
    """Full JSON Schema validation of every action, per action (the small-plan path)."""
    data = json.loads(text)
    started = time.perf_counter()
    errors = list(validator().iter_errors(data))
    assert not errors, errors[0].message
    return (time.perf_counter() - started) / len(data["actions"])


def load_in_this_process(path: Path) -> dict[str, float]:
    """What apply does with a saved plan before its first call, timed (run in a child)."""
    started = time.perf_counter()
    loaded = load(path)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    found = consistency.problems(loaded.actions, loaded.observed)
    check_seconds = time.perf_counter() - started
    assert not found, found[:3]
    return {"load": load_seconds, "check": check_seconds, "peak_mib": peak_mib()}


def measure(size: int) -> list[str]:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "plan.json"
        path.write_text(dumps(consistent_plan(size)), encoding="utf-8")
        megabytes = path.stat().st_size / 2**20
        child = subprocess.run(
            [sys.executable, __file__, "--load", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
    timed = json.loads(child.stdout)
    sample = min(size, NAIVE_SAMPLE)
    naive = naive_seconds_per_action(dumps(consistent_plan(sample))) * size
    ours = timed["load"] + timed["check"]
    return [
        f"### Loading a plan file of {size:,} actions ({megabytes:,.0f} MiB of JSON)",
        "",
        "| step (a fresh process, as `reconciler apply plan.json`) | wall |",
        "|:--|--:|",
        f"| read + load (parse, envelope schema, actions, plan id) | {timed['load']:.2f} s |",
        f"| planner guarantees (apply's preflight) | {timed['check']:.2f} s |",
        f"| total | {ours:.2f} s |",
        f"| naive: JSON Schema over every action (measured on {sample:,}, scaled) "
        f"| {naive:.1f} s |",
        "",
        f"Peak RSS of the loading process {timed['peak_mib']:,.0f} MiB. "
        f"{naive / ours:.1f}x faster than validating every action with the schema.",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 actions only")
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)  # the timed child
    args = parser.parse_args(argv)
    if args.load is not None:
        print(json.dumps(load_in_this_process(args.load)))
        return 0
    size = 20_000 if args.quick else 1_000_000
    print("## Plan-file benchmark: loading a large saved plan before apply\n")
    print("\n".join(measure(size)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
