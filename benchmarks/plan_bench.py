"""Plan benchmark: `reconciler.commands.plan` on 100,000 items x 10 locations (1,000,000
levels, every one declared), against the sandbox.

The sandbox (API 2026-10, standard plan: bucket 2000 points, 100 points/s) runs as its own
process and generates a synthetic store. Manifests declare ``available`` at every level and
the unit ``cost`` of every item; every 10th item differs from the store (one level's
available +5; every 20th also its cost +0.01), so the plan holds 10% as many quantity
changes as items plus half as many cost updates. The plan reads the store the product's way
(``--read auto``): in bulk above the threshold (1,000 items), so the 1,000-item context run
shows the paged path.

What is measured, per run, in a fresh child process (so its memory is the plan's alone):

* wall and client CPU time of ``commands.plan(paths)``, split into manifest load + validate,
  live read (every GraphQL call), planning (the rest of ``plan()``), and rendering the plan
  as text. The split comes from pass-through timers around ``commands.load_manifests`` and
  ``commands.read_live``; nothing is replaced.
* GraphQL calls and requested/actual cost points, from the returned ``Usage`` and from the
  sandbox's ``/__sandbox/stats`` (which also counts throttled requests).
* peak memory: the timed run's peak RSS, imports included (``VmHWM``, the child's own
  ``ru_maxrss``: the child's ``getrusage`` value would inherit this parent's peak on Linux),
  and the ``tracemalloc`` peak of a second, traced run of the same plan (tracing slows
  Python 4-5x, so it never shares a run with the timings; that run uses the enterprise
  bucket, since memory does not depend on throttling).

Naive baseline, same store, same client (`ShopifyClient`, same pacing): one
``inventoryItems(first: 1, query: "sku:'X'")`` call per SKU with every level and quantity
(the product's own ``items_by_sku`` document). Its cost on a standard shop is bound by the
throttle (~1,900 s for 10,000 SKUs), so it is measured on an evenly spaced sample of SKUs
from a full bucket and extrapolated, labelled as such: calls and points scale exactly per
SKU; time is the larger of the sample's per-call latency times N and the throttle floor.

Read paths (the threshold): on the same store, the bulk read and paged reads of 100 and
1,000 SKUs are measured on the enterprise plan (no throttle waits: latency and points only);
the paged cost is linear in the SKUs read, so its standard-plan time is the larger of its
latency and its throttle floor. The table shows where paged reads stop being cheaper, in
points and in time, than the one bulk query (whose cost does not depend on how many SKUs the
manifests name).

Not part of ``make test``. Usage::

    python benchmarks/plan_bench.py                 # 100,000 items (+ a 1,000-item context run)
    python benchmarks/plan_bench.py --items 10000   # during development
    python benchmarks/plan_bench.py --quick         # small sizes, a smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
    STANDARD_BUCKET,
    STANDARD_RESTORE,
    TOKEN,
    VERSION,
    Report,
    SandboxProcess,
    Store,
    SummaryRow,
    loadavg,
    machine,
    mib,
    seconds,
    table,
    throttle_floor,
    times,
    workdir,
    write_manifests,
)

LOCATIONS = 10
DIFFER_EVERY = 10  # every 10th item differs from the store


def manifest_entry(index: int, item: dict[str, Any], levels: dict[str, dict[str, int]]) -> Any:
    """Available at every level and the cost; every 10th item changes one level (+5), every
    20th also its cost (+0.01)."""
    changed = (index // DIFFER_EVERY) % max(1, len(levels)) if index % DIFFER_EVERY == 0 else -1
    cost = Decimal(str(item["unitCost"]))
    if index % (2 * DIFFER_EVERY) == 0:
        cost += Decimal("0.01")
    return {
        "sku": item["sku"],
        "cost": str(cost),
        "levels": {
            name: {"available": quantities.get("available", 0) + (5 if n == changed else 0)}
            for n, (name, quantities) in enumerate(levels.items())
        },
    }


# -- the measured plan, in a child process --------------------------------------------------


def peak_rss_kib() -> int:
    """This process's own peak RSS in KiB: ``VmHWM`` where Linux has it, else ``ru_maxrss``.

    A child's ``ru_maxrss`` is no good here: Linux carries the parent's peak across
    fork/exec into it (a parent at 600 MiB starts children "at" 600 MiB), while ``VmHWM``
    is the high-water mark of the child's own address space.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child(directory: Path, trace: bool, read: str | None) -> dict[str, Any]:
    """Plan the manifests in `directory` once; what it took. Runs in a fresh interpreter."""
    import tracemalloc

    from reconciler import commands
    from reconciler.plan.render import render

    files = sorted(directory.glob("*.yaml"))
    phases: dict[str, list[float]] = {}

    def timer(name: str) -> None:
        inner = getattr(commands, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                phases[name] = [time.perf_counter() - wall, time.process_time() - cpu]

        setattr(commands, name, timed)

    timer("load_manifests")
    timer("read_live")
    rss_before = peak_rss_kib()
    if trace:
        tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    planned = commands.plan(files, read=read)
    plan_wall, plan_cpu = time.perf_counter() - wall, time.process_time() - cpu
    wall, cpu = time.perf_counter(), time.process_time()
    text = render(planned.plan, "text")
    render_wall, render_cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    load, read = phases["load_manifests"], phases["read_live"]
    return {
        "path": str(planned.read),
        "load": load,
        "read": read,
        "planning": [plan_wall - load[0] - read[0], plan_cpu - load[1] - read[1]],
        "render": [render_wall, render_cpu],
        "total": [plan_wall + render_wall, plan_cpu + render_cpu],
        "rss_before_kib": rss_before,
        "rss_kib": peak_rss_kib(),
        "tracemalloc_peak": peak,
        "usage": planned.usage.as_json(),
        "actions": len(planned.plan.actions),
        "text_chars": len(text),
    }


def _measure(store: Store, directory: Path, trace: bool, read: str | None) -> dict[str, Any]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "SHOPIFY_STORE": store.url,
        "SHOPIFY_ACCESS_TOKEN": TOKEN,
        "SHOPIFY_API_VERSION": VERSION,
    }
    args = [sys.executable, "-m", "benchmarks.plan_bench", "--child", str(directory)]
    args += ["--read", read] if read else []
    done = subprocess.run(
        [*args, *(["--trace"] if trace else [])],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"plan child failed ({done.returncode}):\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@dataclass
class PlanRun:
    items: int
    levels: int
    timed: dict[str, Any]
    server: dict[str, Any]  # /__sandbox/stats of the timed run
    traced: dict[str, Any] | None
    load_before: float
    load_after: float

    @property
    def floor(self) -> float:
        return throttle_floor(self.server["actualCost"], STANDARD_BUCKET, STANDARD_RESTORE)


def plan_run(
    store: Store, directory: Path, items: int, memory: bool, read: str | None = None
) -> PlanRun:
    """One timed plan on a fresh standard bucket, then (if `memory`) one traced plan."""
    store.throttle("standard")  # a full bucket, as for a shop that has been idle
    store.reset_stats()
    before = loadavg()
    timed = _measure(store, directory, trace=False, read=read)
    after = loadavg()
    server = store.stats()
    traced = None
    if memory:
        store.throttle("enterprise")
        try:
            traced = _measure(store, directory, trace=True, read=read)
        finally:
            store.throttle("standard")
    return PlanRun(items, items * LOCATIONS, timed, server, traced, before, after)


# -- the naive baseline ---------------------------------------------------------------------


@dataclass
class NaiveRun:
    sample: int  # SKUs read, one query each
    calls: int
    requested: int
    actual: int
    seconds: float
    waited: float
    throttled: int
    server: dict[str, Any]
    locations_cost: tuple[int, int]  # (requested, actual) of the one `locations` call


@dataclass
class NaiveEstimate:
    skus: int
    calls: int
    requested: int
    actual: int
    seconds: float
    latency_bound: float
    throttle_bound: float


def naive_read(store: Store, skus: list[str]) -> NaiveRun:
    """Locations, then one `items_by_sku` query per SKU (first: 1), on a fresh standard bucket."""
    from reconciler.live import read_locations, search_term
    from reconciler.secrets import Secret
    from reconciler.shopify.client import ShopifyClient
    from reconciler.shopify.target import resolve_target
    from reconciler.shopify.usage import Usage

    store.throttle("standard")
    store.reset_stats()
    usage = Usage()
    started = time.perf_counter()
    with ShopifyClient(resolve_target(store.url, VERSION), Secret(TOKEN), usage=usage) as client:
        read_locations(client)
        locations_cost = (usage.requested_cost, usage.actual_cost)
        for sku in skus:
            variables = {"query": search_term(sku), "first": 1, "after": None, "levels": 25}
            nodes = client.query("items_by_sku", variables).data["inventoryItems"]["nodes"]
            if not nodes or nodes[0]["sku"] != sku:
                raise RuntimeError(f"naive read did not find {sku}")
    elapsed = time.perf_counter() - started
    return NaiveRun(
        len(skus),
        usage.calls,
        usage.requested_cost,
        usage.actual_cost,
        elapsed,
        usage.waited_seconds,
        usage.throttled,
        store.stats(),
        locations_cost,
    )


def extrapolate(run: NaiveRun, skus: int) -> NaiveEstimate:
    """Naive reading of `skus` SKUs from the sample: the locations call once, then the
    sample's mean points per SKU (every item has the same shape) times `skus`; time is
    max(the sample's latency per call x calls, the throttle floor of those points)."""
    fixed_requested, fixed_actual = run.locations_cost
    requested = fixed_requested + round((run.requested - fixed_requested) / run.sample * skus)
    actual = fixed_actual + round((run.actual - fixed_actual) / run.sample * skus)
    calls = 1 + skus
    latency = (run.seconds - run.waited) / run.calls * calls
    floor = throttle_floor(actual, STANDARD_BUCKET, STANDARD_RESTORE)
    return NaiveEstimate(skus, calls, requested, actual, max(latency, floor), latency, floor)


# -- read paths: where bulk beats paged (the threshold) ---------------------------------------


@dataclass
class ReadCost:
    """One read of `skus` SKUs through one path, on the enterprise plan (no throttle waits)."""

    path: str
    skus: int
    calls: int
    requested: int
    actual: int
    seconds: float


@dataclass
class ReadPaths:
    store_items: int
    bulk: ReadCost
    paged: tuple[ReadCost, ReadCost]  # two sizes: cost is linear in the SKUs read

    def paged_points(self, skus: int) -> float:
        small, large = self.paged
        slope = (large.actual - small.actual) / (large.skus - small.skus)
        return small.actual + slope * (skus - small.skus)

    def paged_seconds(self, skus: int) -> float:
        """Standard plan: the larger of the latency and the throttle floor (full bucket)."""
        small, large = self.paged
        slope = (large.seconds - small.seconds) / (large.skus - small.skus)
        latency = max(0.0, small.seconds + slope * (skus - small.skus))
        return max(
            latency, throttle_floor(self.paged_points(skus), STANDARD_BUCKET, STANDARD_RESTORE)
        )

    def crossover(self, cost: str) -> int:
        """The fewest SKUs for which paged reads cost more points (or seconds) than bulk
        (both measures grow with the SKUs read, so a binary search finds it)."""
        measure = self.paged_points if cost == "points" else self.paged_seconds
        bulk = self.bulk.actual if cost == "points" else self.bulk.seconds
        low, high = 1, 10 * self.store_items
        while low < high:
            middle = (low + high) // 2
            if measure(middle) > bulk:
                high = middle
            else:
                low = middle + 1
        return low


def read_cost(store: Store, skus: list[str], read: str) -> ReadCost:
    from reconciler.live import ReadSettings
    from reconciler.live.reader import read_items
    from reconciler.live.selection import Selection
    from reconciler.secrets import Secret
    from reconciler.shopify.client import ShopifyClient
    from reconciler.shopify.target import resolve_target

    store.throttle("enterprise")
    started = time.perf_counter()
    with ShopifyClient(resolve_target(store.url, VERSION), Secret(TOKEN)) as client:
        found = read_items(client, Selection.of(skus=skus), ReadSettings(read))  # type: ignore[arg-type]
        usage = client.usage
    if len(found) != len(skus):
        raise RuntimeError(f"{read} read found {len(found)} of {len(skus)} SKUs")
    return ReadCost(
        read,
        len(skus),
        usage.calls,
        usage.requested_cost,
        usage.actual_cost,
        time.perf_counter() - started,
    )


def read_paths(store: Store, snapshot: dict[str, Any], sizes: tuple[int, int]) -> ReadPaths:
    skus = [item["sku"] for item in snapshot["inventoryItems"]]
    try:
        bulk = read_cost(store, skus[: sizes[0]], "bulk")
        small = read_cost(store, skus[: sizes[0]], "paged")
        large = read_cost(store, skus[: sizes[1]], "paged")
    finally:
        store.throttle("standard")
    return ReadPaths(len(skus), bulk, (small, large))


def _paths_rows(paths: ReadPaths) -> list[list[str]]:
    rows = []
    sizes = sorted({100, 300, 1_000, 3_000, 10_000, paths.store_items})
    for skus in sizes:
        rows.append(
            [
                f"{skus:,} SKUs",
                f"{paths.paged_points(skus):,.0f}",
                f"{paths.bulk.actual:,}",
                seconds(paths.paged_seconds(skus)),
                seconds(paths.bulk.seconds),
            ]
        )
    return rows


# -- the benchmark --------------------------------------------------------------------------


@dataclass
class PlanBench:
    main: PlanRun
    context: PlanRun | None
    naive: NaiveRun
    estimates: dict[int, NaiveEstimate]
    paths: ReadPaths | None = None


def run(
    store: Store,
    *,
    items: int = 100_000,
    context_items: int | None = 1_000,
    naive_sample: int = 150,
    memory: bool = False,
    context_memory: bool = True,
    paths: tuple[int, int] | None = (100, 1_000),
    read: str | None = None,
) -> PlanBench:
    """Generate the store, write manifests, measure the plans and the naive baseline."""
    store.generate(items, LOCATIONS, seed=1)
    snapshot = store.snapshot()
    with workdir("plan-bench-") as work:
        files, declared = write_manifests(snapshot, manifest_entry, work / "main")
        assert declared == items
        context_dir = work / "context"
        if context_items:
            small = {**snapshot, "inventoryItems": snapshot["inventoryItems"][:context_items]}
            write_manifests(small, manifest_entry, context_dir)
        main = plan_run(store, work / "main", items, memory, read)
        context = (
            plan_run(store, context_dir, context_items, context_memory, read)
            if context_items
            else None
        )
    step = max(1, items // naive_sample)
    skus = [item["sku"] for item in snapshot["inventoryItems"][::step][:naive_sample]]
    naive = naive_read(store, skus)
    estimates = {n.items: extrapolate(naive, n.items) for n in (main, context) if n}
    measured = read_paths(store, snapshot, paths) if paths else None
    return PlanBench(main, context, naive, estimates, measured)


# -- report ---------------------------------------------------------------------------------


def _phase_rows(run: PlanRun) -> list[list[str]]:
    t = run.timed
    rows = []
    for label, key in (
        ("manifest load + validate", "load"),
        ("live read (GraphQL over HTTP)", "read"),
        ("planning", "planning"),
        ("render text", "render"),
        ("**total**", "total"),
    ):
        wall, cpu = t[key]
        rows.append([label, seconds(wall), seconds(cpu)])
    return rows


def _counter_rows(run: PlanRun) -> list[list[str]]:
    t, s = run.timed, run.server
    usage = t["usage"]
    ops = ", ".join(f"{k} {v}" for k, v in usage["byOperation"].items())
    rows = [
        ["read the store through", t["path"]],
        ["plan actions", f"{t['actions']:,} ({t['text_chars']:,} characters of text)"],
        ["GraphQL calls (client Usage / sandbox stats)", f"{usage['calls']} / {s['requests']}"],
        ["calls by operation", ops],
        [
            "cost points requested / actual (client)",
            f"{usage['requestedCost']:,} / {usage['actualCost']:,}",
        ],
        [
            "cost points requested / actual (sandbox)",
            f"{s['requestedCost']:,} / {s['actualCost']:,}",
        ],
        [
            "throttled requests / seconds paced or waited",
            f"{s['throttled']} / {usage['waitedSeconds']:.1f}",
        ],
        [
            "throttle floor max(0, (actual − 2000) / 100)",
            f"{seconds(run.floor)} (live read took {seconds(t['read'][0])})",
        ],
        [
            "peak RSS of the plan process (VmHWM), after imports → after plan + render",
            f"{mib(t['rss_before_kib'])} → {mib(t['rss_kib'])}",
        ],
    ]
    if run.traced:
        rows.append(
            [
                "tracemalloc peak (separate traced run)",
                f"{run.traced['tracemalloc_peak'] / 2**20:,.0f} MiB",
            ]
        )
    rows.append(
        ["1-min load average before → after", f"{run.load_before:.2f} → {run.load_after:.2f}"]
    )
    return rows


def _naive_rows(run: PlanRun, naive: NaiveRun, estimate: NaiveEstimate) -> list[list[str]]:
    t, s = run.timed, run.server
    read = t["read"][0]
    return [
        [
            f"reconciler ({t['path']}), {run.items:,} SKUs",
            f"{s['requests']:,}",
            f"{s['requestedCost']:,}",
            f"{s['actualCost']:,}",
            f"{seconds(read)} measured",
        ],
        [
            f"naive, one query per SKU: {naive.sample} SKUs measured",
            f"{naive.calls:,}",
            f"{naive.requested:,}",
            f"{naive.actual:,}",
            f"{seconds(naive.seconds)} measured ({naive.throttled} throttled)",
        ],
        [
            f"naive, **extrapolated** to {estimate.skus:,} SKUs",
            f"{estimate.calls:,}",
            f"{estimate.requested:,}",
            f"{estimate.actual:,}",
            f"≈ {seconds(estimate.seconds)} (latency {seconds(estimate.latency_bound)}, "
            f"throttle floor {seconds(estimate.throttle_bound)})",
        ],
        [
            "naive ÷ reconciler",
            times(estimate.calls, s["requests"]),
            times(estimate.requested, s["requestedCost"]),
            times(estimate.actual, s["actualCost"]),
            times(estimate.seconds, read),
        ],
    ]


def report(bench: PlanBench) -> Report:
    main = bench.main
    parts = [
        f"### Plan: {main.items:,} items × {LOCATIONS} locations ({main.levels:,} levels), "
        f"API {VERSION}, standard plan",
        "",
        f"`commands.plan()` + text render in a fresh process; sandbox in its own process over "
        f"loopback HTTP; {machine()}.",
        "",
        table(["Phase", "Wall", "Client CPU"], _phase_rows(main)),
        "",
        table(["Counter", "Value"], _counter_rows(main), "ll"),
        "",
        "#### Live read vs naive (one `inventoryItems(first: 1, query: \"sku:'X'\")` per SKU)",
        "",
        table(
            ["Reader", "Calls", "Points requested", "Points actual", "Time"],
            _naive_rows(main, bench.naive, bench.estimates[main.items]),
        ),
    ]
    summary = _summary(main, bench.estimates[main.items])
    if bench.context is not None:
        ctx = bench.context
        parts += [
            "",
            f"#### Context: {ctx.items:,} items × {LOCATIONS} locations",
            "",
            table(["Phase", "Wall", "Client CPU"], _phase_rows(ctx)),
            "",
            table(["Counter", "Value"], _counter_rows(ctx), "ll"),
            "",
            table(
                ["Reader", "Calls", "Points requested", "Points actual", "Time"],
                _naive_rows(ctx, bench.naive, bench.estimates[ctx.items]),
            ),
        ]
        summary += _summary(ctx, bench.estimates[ctx.items])[:2]
    if bench.paths is not None:
        parts += ["", *_paths_section(bench.paths)]
    return Report("Plan benchmark", "\n".join(parts), summary)


def _paths_section(paths: ReadPaths) -> list[str]:
    bulk, (small, large) = paths.bulk, paths.paged
    return [
        f"#### Read paths on a {paths.store_items:,}-item store: where bulk beats paged",
        "",
        f"Measured on the enterprise plan (no throttle waits): one bulk query {bulk.calls} calls, "
        f"{bulk.actual} points, {seconds(bulk.seconds)} (the whole store, whatever the SKUs); "
        f"paged reads of {small.skus:,} SKUs {small.calls} calls, {small.actual:,} points, "
        f"{seconds(small.seconds)}; of {large.skus:,} SKUs {large.calls} calls, "
        f"{large.actual:,} points, {seconds(large.seconds)}. Paged time on the standard plan = "
        "max(latency, throttle floor from a full bucket).",
        "",
        table(
            ["SKUs named", "Paged points", "Bulk points", "Paged time", "Bulk time"],
            _paths_rows(paths),
        ),
        "",
        f"Paged reads cost more points than bulk from **{paths.crossover('points'):,} SKUs**, "
        f"and take longer from **{paths.crossover('seconds'):,} SKUs** here (a real shop adds "
        "queueing to a bulk query: seconds to minutes).",
    ]


def _summary(run: PlanRun, estimate: NaiveEstimate) -> list[SummaryRow]:
    t, s = run.timed, run.server
    size = f"{run.items:,} items × {LOCATIONS} locations"
    memory = f"{mib(t['rss_kib'])} peak RSS"
    if run.traced:
        memory += f", {run.traced['tracemalloc_peak'] / 2**20:,.0f} MiB tracemalloc peak"
    return [
        SummaryRow(
            f"plan {size}, end to end (load+validate {seconds(t['load'][0])}, live read "
            f"{seconds(t['read'][0])}, planning {seconds(t['planning'][0])}, render "
            f"{seconds(t['render'][0])})",
            seconds(t["total"][0]),
            "—",
            "—",
        ),
        SummaryRow(
            f"plan {size}: live read, wall time (standard plan; throttle floor "
            f"{seconds(run.floor)})",
            seconds(t["read"][0]),
            f"≈ {seconds(estimate.seconds)} (extrapolated)",
            times(estimate.seconds, t["read"][0]),
        ),
        SummaryRow(
            f"plan {size}: GraphQL calls",
            f"{s['requests']:,}",
            f"{estimate.calls:,}",
            times(estimate.calls, s["requests"]),
        ),
        SummaryRow(
            f"plan {size}: cost points, actual (requested)",
            f"{s['actualCost']:,} ({s['requestedCost']:,})",
            f"{estimate.actual:,} ({estimate.requested:,}) (extrapolated)",
            times(estimate.actual, s["actualCost"]),
        ),
        SummaryRow(f"plan {size}: peak memory", memory, "—", "—"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument(
        "--memory", action="store_true", help="also a traced (tracemalloc) run of the main plan"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--read", choices=("auto", "bulk", "paged"), help="how the plans read (default: auto)"
    )
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(_child(args.child, args.trace, args.read)))
        return 0
    sizes = {"items": 2_000, "context_items": 200, "naive_sample": 40} if args.quick else {}
    with SandboxProcess("standard") as store:
        bench = run(store, **({"items": args.items} | sizes), memory=args.memory, read=args.read)
    print(report(bench).markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
