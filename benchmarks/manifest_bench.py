"""Manifest benchmark: load + validate 100,000 items x 10 locations, and the planner on 1M levels.

No store is involved; both parts measure the product's own code on its own:

* **Load + validate** (`check_paths`, what ``reconciler validate`` and every plan run): manifests
  of 1,000 items each, every item with a cost and ``available`` declared at 10 locations
  (1,000,000 levels at full size), read, checked and turned into the desired state. Each run
  is a fresh interpreter, so its peak RSS (``VmHWM``, imports included) is its own. The naive
  baseline, in the same run, is the path every file took before this stage was made lean and
  which files that need it still take: YAML composed into a node tree (after a parse of its
  own to measure nesting), resolved into a typed copy, checked by jsonschema as a whole, every
  document kept until all are read, then the same desired-state build (`reference_check`).
* **Planner CPU** (``build_actions`` for the diff, then ``make_plan`` and its summary line):
  a synthetic desired and live state built in-process, 100,000 items x 10 locations, every
  level declared; every 10th item differs at one level and every 20th in its cost. The naive
  baseline (`naive_diff`) is the per-level work the planner used to do: the location found by
  a scan of every location, the ``--location`` decision made by building the level's alias set
  and matching globs, every level's eight quantities copied and solved.

Not part of ``make test`` (tests/test_benchmarks_smoke.py runs it at tiny sizes). Usage::

    python benchmarks/manifest_bench.py            # full sizes (a few minutes, ~2.5 GB for the baseline)
    python benchmarks/manifest_bench.py --quick    # 10,000 items and 100,000 levels
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402
    Report,
    SummaryRow,
    loadavg,
    machine,
    mib,
    seconds,
    table,
    times,
    workdir,
)
from benchmarks.plan_bench import peak_rss_kib  # noqa: E402

LOCATIONS = 10
PER_FILE = 1_000
DIFFER_EVERY = 10


def location_name(number: int) -> str:
    return f"Warehouse {number:02d}"


def write_manifests(directory: Path, items: int) -> list[Path]:
    """`items` items of the benchmark's shape, PER_FILE to a file, streamed to disk."""
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for number, start in enumerate(range(0, items, PER_FILE)):
        lines = ["# yaml-language-server: $schema=../schemas/manifest.schema.json", "items:"]
        for index in range(start, min(items, start + PER_FILE)):
            lines.append(f'  - sku: "SKU-{index:07d}"')
            lines.append(f'    cost: "{index % 997}.{index % 100:02d}"')
            lines.append("    levels:")
            for location in range(LOCATIONS):
                lines.append(
                    f'      "{location_name(location)}": {{available: {_stock(index, location)}}}'
                )
        path = directory / f"items-{number:04d}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(path)
    return files


def _stock(index: int, location: int) -> int:
    return (index * 7 + location * 13) % 500


# -- load + validate, each in a fresh interpreter --------------------------------------------


def reference_check(paths: list[Path]) -> tuple[int, int]:
    """The node-tree path for every file, every document kept to the end: (items, problems)."""
    from reconciler.manifest import desired, explain, load, schema, validate
    from reconciler.manifest.resolve import resolve

    view = schema.SchemaView(schema.load(schema.MANIFEST))
    docs = []
    problems = []
    for path in load.discover(paths).manifests:
        document, found = load.read(path)  # nesting measured by a parse of its own, then composed
        problems.extend(found)
        if document is None or document.root is None:
            continue
        doc = resolve(document, view)
        for error in schema.validator(schema.MANIFEST).iter_errors(doc.value):  # the whole of it
            problems.extend(explain.problems(error, doc))
        problems.extend(validate.value_checks(doc, {}))
        docs.append(doc)
    identities = validate.Identities()
    for doc in docs:
        problems.extend(identities.check(doc))
    state = desired.build(docs, {})
    return len(state.items), len(problems)


def _load_child(directory: Path, how: str) -> dict[str, Any]:
    from reconciler.manifest import check_paths

    rss_before = peak_rss_kib()
    wall, cpu = time.perf_counter(), time.process_time()
    if how == "reference":
        items, problems = reference_check([directory])
        levels = items * LOCATIONS
    else:
        check = check_paths([directory])
        assert check.state is not None, check.problems[:5]
        items, problems = len(check.state.items), len(check.problems)
        levels = sum(len(item.levels) for item in check.state.items)
    return {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "rss_before_kib": rss_before,
        "rss_kib": peak_rss_kib(),
        "items": items,
        "levels": levels,
        "problems": problems,
    }


def measure_load(directory: Path, how: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.manifest_bench", "--child", str(directory), how],
        env=env,
        cwd=directory,  # no ./reconciler.yaml of the checkout's
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{how} load failed ({done.returncode}):\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["problems"] == 0, result
    return result


# -- the planner, in-process -----------------------------------------------------------------


def synthetic(items: int) -> tuple[Any, Any]:
    """(desired, live) for `items` items x LOCATIONS, every level declared; every 10th item
    differs at one level (+5 available), every 20th also in its cost (+0.01)."""
    from reconciler.model import (
        DesiredItem,
        DesiredLevel,
        DesiredState,
        LiveItem,
        LiveLevel,
        LiveLocation,
        LiveState,
        ManifestFile,
        Source,
    )

    locations = tuple(
        LiveLocation(f"gid://shopify/Location/{n + 1}", location_name(n)) for n in range(LOCATIONS)
    )
    live_items: dict[str, Any] = {}
    skus: dict[str, tuple[str, ...]] = {}
    wanted = []
    file = "inventory/items.yaml"
    for index in range(items):
        item_id, sku = f"gid://shopify/InventoryItem/{index + 1}", f"SKU-{index:07d}"
        cost = Decimal(f"{index % 997}.{index % 100:02d}")
        line = 2 + index * (3 + LOCATIONS)
        levels = {}
        declared = []
        for n, location in enumerate(locations):
            stock = _stock(index, n)
            held = {"available": stock, "on_hand": stock}
            levels[location.id] = LiveLevel(location.id, f"{item_id}-{n}", True, held)
            change = (
                5 if index % DIFFER_EVERY == 0 and n == (index // DIFFER_EVERY) % LOCATIONS else 0
            )
            path = f'items[{index}].levels["{location.name}"]'
            declared.append(
                DesiredLevel(
                    location.name, True, {"available": stock + change}, file, line + 3 + n, path
                )
            )
        live_items[item_id] = LiveItem(
            item_id, sku, True, cost, None, None, None, {}, None, True, 1, levels
        )
        skus[sku] = (item_id,)
        if index % (2 * DIFFER_EVERY) == 0:
            cost += Decimal("0.01")
        where = f"items[{index}]"
        wanted.append(
            DesiredItem(
                sku,
                None,
                {"cost": cost},
                tuple(declared),
                "correction",
                Source(file, line, where),
                {"cost": Source(file, line + 1, f"{where}.cost")},
            )
        )
    live = LiveState("bench.myshopify.com", "2026-10", locations, live_items, skus)
    return DesiredState(tuple(wanted), (ManifestFile(file, "0" * 64),)), live


def naive_diff(desired: Any, live: Any) -> int:
    """The per-level work the planner used to do, for the same levels: quantity changes found."""
    from reconciler.plan.build import Filters
    from reconciler.plan.quantities import solve

    filters, aliases, changes = Filters(), desired.location_aliases, 0
    for item in desired.items:
        live_item = live.items[live.skus[item.sku][0]]
        for level in item.levels:
            name = aliases.get(level.location, level.location)
            names = {level.location, name, *(a for a, t in aliases.items() if t == name)}
            if not any(filters.wants_location(n) for n in sorted(names)):
                continue
            location = next(loc for loc in live.locations if loc.name == name)
            basis = dict(live_item.levels[location.id].quantities)
            planned = solve(basis, dict(level.quantities))
            changes += len(planned.moves) + (planned.set is not None)
    return changes


@dataclass
class PlannerRun:
    levels: int
    diff_cpu: float
    summary_cpu: float
    actions: int
    sets: int
    naive_cpu: float
    naive_changes: int

    @property
    def cpu(self) -> float:
        return self.diff_cpu + self.summary_cpu


def measure_planner(items: int) -> PlannerRun:
    from reconciler.plan.actions import Kind
    from reconciler.plan.build import Filters, build_actions
    from reconciler.plan.planfile import make_plan

    desired, live = synthetic(items)
    gc.collect()
    cpu = time.process_time()
    built = build_actions(desired, live, Filters())
    diff = time.process_time() - cpu
    cpu = time.process_time()
    plan = make_plan(
        built,
        store=live.store,
        api_version=live.api_version,
        manifest_digest=desired.digest,
        manifest_files=desired.files,
        filters=Filters(),
        git=None,
        created_at="2026-01-01T00:00:00Z",
    )
    plan.summary_line()
    summary = time.process_time() - cpu
    sets = plan.count(Kind.SET)
    cpu = time.process_time()
    naive_changes = naive_diff(desired, live)
    naive = time.process_time() - cpu
    assert naive_changes == sets + plan.count(Kind.MOVE), (naive_changes, sets)
    return PlannerRun(
        items * LOCATIONS, diff, summary, len(plan.actions), sets, naive, naive_changes
    )


# -- the benchmark ---------------------------------------------------------------------------


@dataclass
class ManifestBench:
    items: int
    files: int
    ours: dict[str, Any]
    naive: dict[str, Any]
    planner: PlannerRun
    load_before: float
    load_after: float


def run(*, items: int = 100_000, planner_items: int = 100_000) -> ManifestBench:
    before = loadavg()
    with workdir("manifest-bench-") as work:
        files = write_manifests(work / "inventory", items)
        ours = measure_load(work / "inventory", "fast")
        naive = measure_load(work / "inventory", "reference")
    planner = measure_planner(planner_items)
    return ManifestBench(items, len(files), ours, naive, planner, before, loadavg())


def report(bench: ManifestBench) -> Report:
    ours, naive, planner = bench.ours, bench.naive, bench.planner
    size = f"{bench.items:,} items × {LOCATIONS} locations ({ours['levels']:,} levels)"
    load_rows = [
        [
            label,
            seconds(run["wall"]),
            seconds(run["cpu"]),
            f"{mib(run['rss_before_kib'])} → {mib(run['rss_kib'])}",
        ]
        for label, run in (
            ("reconciler (one pass over YAML events, compiled schema)", ours),
            ("naive: node tree + jsonschema, documents kept", naive),
        )
    ]
    load_rows.append(
        [
            "naive ÷ reconciler",
            times(naive["wall"], ours["wall"]),
            times(naive["cpu"], ours["cpu"]),
            times(naive["rss_kib"], ours["rss_kib"]),
        ]
    )
    planner_rows = [
        ["reconciler: diff (build_actions)", seconds(planner.diff_cpu)],
        ["reconciler: plan id and summary (make_plan, summary_line)", seconds(planner.summary_cpu)],
        ["**reconciler: diff + summary**", seconds(planner.cpu)],
        ["naive per-level diff (same levels, same solver)", seconds(planner.naive_cpu)],
        ["naive ÷ reconciler (diff)", times(planner.naive_cpu, planner.diff_cpu)],
    ]
    markdown = "\n".join(
        [
            f"### Load + validate: {size}, {bench.files:,} files",
            "",
            f"`check_paths` in a fresh process per run; peak RSS is VmHWM after imports → after; "
            f"{machine()}; 1-min load average {bench.load_before:.2f} → {bench.load_after:.2f}.",
            "",
            table(["Path", "Wall", "CPU", "Peak RSS"], load_rows),
            "",
            f"### Planner: {planner.levels:,} levels, {planner.actions:,} actions "
            f"({planner.sets:,} quantities to set)",
            "",
            table(["CPU time", "Seconds"], planner_rows),
        ]
    )
    summary = [
        SummaryRow(
            f"validate {size}: load + validate, wall (CPU), peak RSS",
            f"{seconds(ours['wall'])} ({seconds(ours['cpu'])}), {mib(ours['rss_kib'])}",
            f"{seconds(naive['wall'])} ({seconds(naive['cpu'])}), {mib(naive['rss_kib'])}",
            times(naive["wall"], ours["wall"]),
        ),
        SummaryRow(
            f"planner CPU, {planner.levels:,} levels (diff + summary)",
            seconds(planner.cpu),
            f"{seconds(planner.naive_cpu)} (diff only)",
            times(planner.naive_cpu, planner.diff_cpu),
        ),
    ]
    return Report("Manifest benchmark", markdown, summary)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 items and 100,000 levels")
    parser.add_argument("--items", type=int, default=100_000, help="items to load and validate")
    parser.add_argument(
        "--planner-items", type=int, default=100_000, help="items x 10 levels to plan"
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(_load_child(Path(args.child[0]), args.child[1])))
        return 0
    sizes = {"items": 10_000, "planner_items": 10_000} if args.quick else {}
    bench = run(**({"items": args.items, "planner_items": args.planner_items} | sizes))
    print(report(bench).markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
