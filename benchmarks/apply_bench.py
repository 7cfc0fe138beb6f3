"""Apply benchmark: mutation calls per quantity change, and throughput under the throttle.

Everything goes through the product's own path: manifests → ``commands.plan`` →
``commands.apply(plan, settings)`` (stale check, batched mutations with compare-and-set and
idempotency keys, journal, drift re-read, history), against the sandbox in its own process
(API 2026-10, standard plan: bucket 2000 points, restore 100 points/s).

(a) Calls: for C in (1, 250, 251, 1000, 10000) quantity changes, as sets (``available`` +1)
    and as moves (``damaged`` +1, i.e. 1 unit available → damaged), the sandbox's
    ``/__sandbox/stats`` must count exactly ceil(C / 250) ``inventorySetQuantities`` /
    ``inventoryMoveQuantities`` requests, the client's ``Usage`` the same, and no request
    may be throttled (a throttled request is counted by the sandbox but not executed). Any
    mismatch makes the benchmark exit non-zero. Every apply starts from the same generated
    store and a full bucket.
(b) Throughput: the 10,000-set apply from (a) (full bucket), the same plan again from a
    drained bucket (0 points), and the throttle floor of each: max(0, (A − B0) / r) with A
    the actual cost points the sandbox charged during the apply, B0 the bucket at the start
    and r = 100 points/s; the achieved fraction is floor / wall time. Naive baseline: the
    same apply path with one quantity per ``inventorySetQuantities`` call (the batch cap
    ``reconciler.apply.batches.MAX_ROWS`` set to 1), measured at C=500 next to the product
    at C=500, and extrapolated to C=10,000 (labelled): calls and points per change are
    exact; time is max(per-call latency × calls, throttle floor).
(c) Concurrency at Shopify's latency: 100,000 sets from a drained bucket with the sandbox
    holding every mutation 300 ms (``/__sandbox/latency``), applied with the default
    concurrency (8 calls in flight) and with one call at a time, in the same run, each from the
    same generated store. Achieved = throttle floor ÷ wall, as in (b); the calls per kind must
    still be ceil(C / 250).

Not part of ``make test``. Usage::

    python benchmarks/apply_bench.py           # full run (~12 minutes; (c) is 9 of them)
    python benchmarks/apply_bench.py --quick   # small sizes, a smoke run
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402
    STANDARD_BUCKET,
    STANDARD_RESTORE,
    VERSION,
    Report,
    SandboxProcess,
    Store,
    SummaryRow,
    calls_for,
    loadavg,
    machine,
    seconds,
    store_env,
    table,
    throttle_floor,
    times,
    workdir,
    write_manifests,
)

LOCATIONS = 5
SIZES = (1, 250, 251, 1000, 10_000)
QUICK_SIZES = (1, 250, 251, 600)
NAIVE_CHANGES = 500
LATENCY_CHANGES = 100_000  # (c): changes applied at Shopify's latency, drained bucket
QUICK_LATENCY_CHANGES = 2_000
LATENCY_MS = 300
# kind: (mutation root field the sandbox counts, operation name the client counts)
KINDS = {
    "set": ("inventorySetQuantities", "SetQuantities"),
    "move": ("inventoryMoveQuantities", "MoveQuantities"),
}


def store_items(changes: int) -> int:
    """Items to generate for `changes` level changes (moves skip levels with nothing available)."""
    return -(-changes // LOCATIONS) + changes // 50 + 5


def _rule(kind: str, changes: int) -> Callable[..., Any]:
    """Manifest entries for the first `changes` eligible levels, in store order."""
    left = [changes]

    def entry(index: int, item: dict[str, Any], levels: dict[str, dict[str, int]]) -> Any:
        declared: dict[str, dict[str, int]] = {}
        for name, quantities in levels.items():
            if left[0] == 0:
                break
            if kind == "set":
                declared[name] = {"available": quantities.get("available", 0) + 1}
            elif quantities.get("available", 0) >= 1:
                declared[name] = {"damaged": quantities.get("damaged", 0) + 1}
            else:
                continue
            left[0] -= 1
        return {"sku": item["sku"], "levels": declared} if declared else None

    return entry


@contextlib.contextmanager
def cost_by_operation() -> Iterator[dict[str, list[int]]]:
    """Tally {operation: [calls, requested, actual]} as the client's `Usage` records them.

    A pass-through around `Usage.record` (the client's own accounting); nothing else changes.
    """
    from reconciler.shopify.usage import Usage

    tally: dict[str, list[int]] = {}
    original = Usage.record

    def record(self: Usage, operation: str, requested: int | None, actual: int | None) -> None:
        row = tally.setdefault(operation, [0, 0, 0])
        row[0] += 1
        row[1] += requested or 0
        row[2] += actual or 0
        original(self, operation, requested, actual)

    Usage.record = record  # type: ignore[method-assign]
    try:
        yield tally
    finally:
        Usage.record = original  # type: ignore[method-assign]


@contextlib.contextmanager
def phase_timers() -> Iterator[dict[str, float]]:
    """Wall time of the parts of `commands.apply`: stale check (a read), the mutation loop
    (which re-reads most items for drift as their calls are answered), the rest of the drift
    re-read, the history append; pass-through timers, nothing replaced."""
    from reconciler import commands, history
    from reconciler.apply.execute import Executor

    spent: dict[str, float] = {"stale": 0.0, "run": 0.0, "reads": 0.0, "history": 0.0}
    saved = (commands.stale_check, commands.read_items, history.append, Executor.run)
    inside: list[str] = []  # the phase being timed (the stale check's read is its own)

    def timer(key: str, inner: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            if inside:
                return inner(*args, **kwargs)
            inside.append(key)
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[key] += time.perf_counter() - started
                inside.pop()

        return timed

    commands.stale_check = timer("stale", saved[0])
    commands.read_items = timer("reads", saved[1])
    history.append = timer("history", saved[2])
    Executor.run = timer("run", saved[3])  # type: ignore[method-assign]
    phases: dict[str, float] = {}
    try:
        yield phases
    finally:
        commands.stale_check, commands.read_items, history.append = saved[:3]
        Executor.run = saved[3]  # type: ignore[method-assign]
        phases["stale check"] = spent["stale"]
        phases["mutations"] = spent["run"]
        phases["drift re-read after"] = spent["reads"]
        phases["history"] = spent["history"]


@contextlib.contextmanager
def rows_per_call(rows: int) -> Iterator[None]:
    """The naive baseline: the product's batch cap (250, Shopify's input limit) set to `rows`."""
    from reconciler.apply import batches

    saved = batches.MAX_ROWS
    batches.MAX_ROWS = rows
    try:
        yield
    finally:
        batches.MAX_ROWS = saved


@dataclass
class ApplyRun:
    kind: str
    changes: int
    bucket_start: float
    seconds: float
    phases: dict[str, float]
    usage: dict[str, Any]
    server: dict[str, Any]
    by_operation: dict[str, list[int]]
    outcome: str
    applied: int
    load_before: float
    load_after: float
    rows: int = 250
    concurrency: int | None = None  # None: the product's default
    latency_ms: int = 0

    @property
    def mutation_calls(self) -> int:
        """Mutation requests the sandbox received (throttled ones included)."""
        return int(self.server["byOperation"].get(KINDS[self.kind][0], 0))

    @property
    def client_mutation_calls(self) -> int:
        return int(self.usage["byOperation"].get(KINDS[self.kind][1], 0))

    @property
    def expected_calls(self) -> int:
        return calls_for(self.changes, self.rows)

    @property
    def ok(self) -> bool:
        return (
            self.mutation_calls == self.expected_calls
            and self.client_mutation_calls == self.expected_calls
            and self.server["throttled"] == 0
            and self.applied == self.changes
            and self.outcome == "applied"
        )

    @property
    def latency_ok(self) -> bool:
        """A run from a drained bucket: the first request of each operation may be throttled
        (its cost is not known yet: it goes out alone, as a probe, and is retried); the calls
        answered per kind are still ceil(C / 250), and every change is applied."""
        return (
            self.client_mutation_calls == self.expected_calls
            and self.applied == self.changes
            and self.outcome == "applied"
        )

    @property
    def floor(self) -> float:
        return throttle_floor(self.server["actualCost"], self.bucket_start, STANDARD_RESTORE)

    @property
    def mutation_cost(self) -> tuple[int, int]:
        """(calls, actual points) of the mutations alone."""
        calls, _, actual = self.by_operation.get(KINDS[self.kind][1], [0, 0, 0])
        return calls, actual


@dataclass
class Bench:
    store: Store
    work: Path
    items: int
    plans: int = 0
    plan_seconds: float = 0.0

    def fresh_store(self) -> None:
        """The same generated store every time (same seed, same ids, same quantities)."""
        self.store.generate(self.items, LOCATIONS, seed=1)

    def plan(self, kind: str, changes: int) -> Any:
        """A plan of exactly `changes` actions of `kind`, made by `commands.plan` (not timed)."""
        from reconciler import commands

        self.fresh_store()
        snapshot = self.store.snapshot()
        self.plans += 1
        directory = self.work / f"manifests-{self.plans}"
        files, _ = write_manifests(snapshot, _rule(kind, changes), directory)
        started = time.perf_counter()
        with store_env(self.store.url):
            planned = commands.plan(files).plan
        self.plan_seconds += time.perf_counter() - started
        kinds = {a.kind.value for a in planned.actions}
        if len(planned.actions) != changes or len(kinds) != 1:
            raise RuntimeError(f"plan for {changes} {kind}s has {len(planned.actions)} {kinds}")
        return planned

    def apply(
        self,
        plan: Any,
        kind: str,
        *,
        bucket: float | None = None,
        rows: int = 250,
        concurrency: int | None = None,
        latency_ms: int = 0,
    ) -> ApplyRun:
        """Apply `plan` to the store as planned, from a full (or drained) standard bucket."""
        from reconciler import commands
        from reconciler.apply.execute import Status

        self.plans += 1
        self.store.control("POST", "latency", {"mutation_ms": latency_ms})
        self.store.throttle("standard", bucket)
        self.store.reset_stats()
        settings = commands.ApplySettings(
            journal_dir=self.work / f"journal-{self.plans}",
            history_path=self.work / f"history-{self.plans}.jsonl",
            concurrency=concurrency,
        )
        before = loadavg()
        with (
            store_env(self.store.url),
            phase_timers() as phases,
            cost_by_operation() as tally,
            rows_per_call(rows),
        ):
            started = time.perf_counter()
            try:
                applied = commands.apply(plan, settings)
            finally:
                self.store.control("POST", "latency", {"mutation_ms": 0})
            elapsed = time.perf_counter() - started
        phases["other (journal, setup)"] = elapsed - sum(phases.values())
        return ApplyRun(
            kind,
            len(plan.actions),
            STANDARD_BUCKET if bucket is None else bucket,
            elapsed,
            phases,
            applied.usage.as_json(),
            self.store.stats(),
            tally,
            applied.outcome_name,
            applied.count(Status.APPLIED),
            before,
            loadavg(),
            rows,
            concurrency,
            latency_ms,
        )


@dataclass
class Estimate:
    changes: int
    calls: int
    actual: int
    seconds: float
    latency_bound: float
    throttle_bound: float


@dataclass
class ApplyBench:
    counts: list[ApplyRun] = field(default_factory=list)
    full: ApplyRun | None = None
    drained: ApplyRun | None = None
    ours_small: ApplyRun | None = None
    naive_small: ApplyRun | None = None
    naive_estimate: Estimate | None = None
    # (c): the same plan at Shopify's latency, several calls in flight and one at a time
    concurrent: ApplyRun | None = None
    sequential: ApplyRun | None = None
    plan_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        latency = [r for r in (self.concurrent, self.sequential) if r is not None]
        return (
            bool(self.counts)
            and all(run.ok for run in self.counts)
            and all(run.latency_ok for run in latency)
        )


def extrapolate(naive: ApplyRun, ours: ApplyRun) -> Estimate:
    """Naive one-per-call apply of `ours.changes` changes: our reads (same items, same calls)
    plus one mutation per change at the naive run's mean points per mutation; time is
    max(naive latency per call × calls, throttle floor from a full bucket)."""
    naive_calls, naive_points = naive.mutation_cost
    our_calls, our_points = ours.mutation_cost
    reads_calls = ours.usage["calls"] - our_calls
    reads_points = ours.usage["actualCost"] - our_points
    calls = reads_calls + ours.changes
    actual = reads_points + round(naive_points / naive_calls * ours.changes)
    latency = (naive.seconds - naive.usage["waitedSeconds"]) / naive.usage["calls"] * calls
    floor = throttle_floor(actual, STANDARD_BUCKET, STANDARD_RESTORE)
    return Estimate(ours.changes, calls, actual, max(latency, floor), latency, floor)


def run(
    store: Store,
    *,
    sizes: tuple[int, ...] = SIZES,
    kinds: tuple[str, ...] = ("set", "move"),
    naive_changes: int = NAIVE_CHANGES,
    throughput: bool = True,
    latency_changes: int = 0,
    latency_ms: int = LATENCY_MS,
    progress: Callable[[str], None] = lambda _: None,
) -> ApplyBench:
    out = ApplyBench()
    with workdir("apply-bench-") as work:
        bench = Bench(store, work, store_items(max(max(sizes), naive_changes)))
        biggest = None
        for kind in kinds:
            for changes in sizes:
                plan = bench.plan(kind, changes)  # on a fresh store, which it leaves unchanged
                result = bench.apply(plan, kind)
                progress(
                    f"{kind} C={changes}: {result.mutation_calls} calls "
                    f"(expected {result.expected_calls}) in {result.seconds:.1f} s"
                )
                out.counts.append(result)
                if kind == "set" and changes == max(sizes):
                    biggest = (plan, result)
        if throughput and biggest is not None:
            plan, out.full = biggest
            bench.fresh_store()
            out.drained = bench.apply(plan, "set", bucket=0)
            progress(
                f"set C={out.drained.changes} from an empty bucket: {out.drained.seconds:.1f} s"
            )
            small = bench.plan("set", naive_changes)
            bench.fresh_store()
            out.ours_small = bench.apply(small, "set")
            bench.fresh_store()
            out.naive_small = bench.apply(small, "set", rows=1)
            progress(f"naive set C={naive_changes}: {out.naive_small.seconds:.1f} s")
            out.naive_estimate = extrapolate(out.naive_small, out.full)
        out.plan_seconds = bench.plan_seconds
        if latency_changes:
            at_latency = Bench(store, work, store_items(latency_changes), plans=bench.plans)
            plan = at_latency.plan("set", latency_changes)
            for concurrency in (None, 1):
                at_latency.fresh_store()
                result = at_latency.apply(
                    plan, "set", bucket=0, concurrency=concurrency, latency_ms=latency_ms
                )
                progress(
                    f"set C={latency_changes} at {latency_ms} ms per mutation, drained bucket, "
                    f"concurrency {concurrency or 'default'}: {result.seconds:.1f} s "
                    f"(floor {result.floor:.1f} s)"
                )
                if concurrency is None:
                    out.concurrent = result
                else:
                    out.sequential = result
            out.plan_seconds += at_latency.plan_seconds
    return out


# -- report ---------------------------------------------------------------------------------


def _count_rows(bench: ApplyBench) -> list[list[str]]:
    rows = []
    for run_ in bench.counts:
        rows.append(
            [
                run_.kind,
                f"{run_.changes:,}",
                f"{run_.expected_calls}",
                f"{run_.mutation_calls}",
                f"{run_.client_mutation_calls}",
                f"{run_.server['throttled']}",
                f"{run_.server['requests']}",
                f"{run_.server['actualCost']:,}",
                seconds(run_.seconds),
                "✔" if run_.ok else "**✘**",
            ]
        )
    return rows


def _throughput_rows(bench: ApplyBench) -> list[list[str]]:
    rows = []
    for label, run_ in (
        ("reconciler, full bucket (2000)", bench.full),
        ("reconciler, drained bucket (0)", bench.drained),
        ("reconciler, full bucket", bench.ours_small),
        ("naive: 1 change per call, full bucket", bench.naive_small),
    ):
        if run_ is None:
            continue
        fraction = f"{run_.floor / run_.seconds:.0%}" if run_.floor > 0 else "— (floor 0)"
        phases = ", ".join(f"{k} {v:.1f}" for k, v in run_.phases.items())
        rows.append(
            [
                label,
                f"{run_.changes:,}",
                f"{run_.usage['calls']:,}",
                f"{run_.server['actualCost']:,}",
                seconds(run_.seconds),
                f"{run_.changes / run_.seconds:,.0f}",
                seconds(run_.floor),
                fraction,
                f"{run_.usage['waitedSeconds']:.1f} / {run_.server['throttled']}",
                phases,
                f"{run_.load_before:.2f}→{run_.load_after:.2f}",
            ]
        )
    estimate = bench.naive_estimate
    if estimate is not None:
        rows.append(
            [
                "naive, **extrapolated**",
                f"{estimate.changes:,}",
                f"{estimate.calls:,}",
                f"{estimate.actual:,}",
                f"≈ {seconds(estimate.seconds)}",
                f"{estimate.changes / estimate.seconds:,.0f}",
                seconds(estimate.throttle_bound),
                "—",
                "—",
                f"latency bound {seconds(estimate.latency_bound)}",
                "—",
            ]
        )
    return rows


def report(bench: ApplyBench) -> Report:
    parts = [
        f"### Apply: mutation calls per quantity change (API {VERSION}, standard plan)",
        "",
        f"`commands.apply(plan, settings)` against the sandbox in its own process; {machine()}. "
        "Mutation calls counted by the sandbox (`/__sandbox/stats`) and by the client "
        "(`Usage`); every apply from the same generated store and a full bucket. Requests "
        "and points include the stale-check and drift reads.",
        "",
        table(
            [
                "Kind",
                "Changes C",
                "ceil(C/250)",
                "Mutation calls (sandbox)",
                "(client)",
                "Throttled",
                "All requests",
                "Points actual",
                "Apply wall",
                "OK",
            ],
            _count_rows(bench),
        ),
    ]
    if bench.full is not None:
        parts += [
            "",
            "### Apply throughput under the standard-plan throttle (2000 points, 100 points/s)",
            "",
            "Throttle floor = max(0, (A − B0) / 100 s) with A = actual points the sandbox "
            "charged during the apply (reads included), B0 = points in the bucket at the "
            "start; achieved = floor ÷ wall (100% = as fast as any client could go).",
            "",
            table(
                [
                    "Run",
                    "Changes",
                    "Calls",
                    "Points actual",
                    "Wall",
                    "Changes/s",
                    "Throttle floor",
                    "Achieved",
                    "Paced s / throttled",
                    "Phases (s)",
                    "Load",
                ],
                _throughput_rows(bench),
            ),
        ]
    if bench.concurrent is not None and bench.sequential is not None:
        parts += ["", *_latency_section(bench.concurrent, bench.sequential)]
    parts += ["", f"(planning the applies, not measured above: {bench.plan_seconds:.0f} s)"]
    if not bench.ok:
        parts += [
            "",
            "**FAILED: mutation calls differ from ceil(C/250), or not every change applied "
            "(see ✘ above)**",
        ]
    return Report("Apply benchmark", "\n".join(parts), _summary(bench), bench.ok)


def _concurrency(run_: ApplyRun) -> int:
    from reconciler.apply.schedule import DEFAULT_CONCURRENCY

    return run_.concurrency or DEFAULT_CONCURRENCY


def _achieved(run_: ApplyRun) -> str:
    return f"{run_.floor / run_.seconds:.0%}" if run_.floor > 0 else "— (floor 0)"


def _latency_section(concurrent: ApplyRun, sequential: ApplyRun) -> list[str]:
    rows = []
    for run_ in (concurrent, sequential):
        phases = ", ".join(f"{k} {v:.1f}" for k, v in run_.phases.items())
        rows.append(
            [
                f"{_concurrency(run_)} in flight" + (" (default)" if not run_.concurrency else ""),
                f"{run_.changes:,}",
                f"{run_.client_mutation_calls} (expected {run_.expected_calls})",
                f"{run_.usage['calls']:,}",
                f"{run_.server['actualCost']:,}",
                seconds(run_.seconds),
                f"{run_.changes / run_.seconds:,.0f}",
                seconds(run_.floor),
                _achieved(run_),
                f"{run_.usage['waitedSeconds']:.1f} / {run_.server['throttled']}",
                phases,
                f"{run_.load_before:.2f}→{run_.load_after:.2f}",
                "✔" if run_.latency_ok else "**✘**",
            ]
        )
    return [
        f"### Apply at Shopify's latency: {concurrent.latency_ms} ms per mutation, drained bucket",
        "",
        f"{concurrent.changes:,} sets (`available` +1), the sandbox holding every mutation "
        f"{concurrent.latency_ms} ms before it runs; the bucket drained to 0 at the start. "
        "Throttle floor and achieved as above (reads included in the points).",
        "",
        table(
            [
                "Calls in flight",
                "Changes",
                "Set calls",
                "All calls",
                "Points actual",
                "Wall",
                "Changes/s",
                "Throttle floor",
                "Achieved",
                "Paced s / throttled",
                "Phases (s)",
                "Load",
                "OK",
            ],
            rows,
        ),
    ]


def _summary(bench: ApplyBench) -> list[SummaryRow]:
    out = []
    checked = ", ".join(f"{r.kind} {r.changes:,}" for r in bench.counts)
    out.append(
        SummaryRow(
            f"apply: mutation calls = ceil(C/250) for C in {checked}",
            "holds" if bench.ok else "**FAILS**",
            "C calls",
            "up to 250×",
        )
    )
    full, estimate, small, naive = (
        bench.full,
        bench.naive_estimate,
        bench.ours_small,
        bench.naive_small,
    )
    if full is not None and estimate is not None:
        out.append(
            SummaryRow(
                f"apply {full.changes:,} quantity changes: calls (incl. reads)",
                f"{full.usage['calls']:,}",
                f"{estimate.calls:,} (extrapolated)",
                times(estimate.calls, full.usage["calls"]),
            )
        )
        out.append(
            SummaryRow(
                f"apply {full.changes:,} quantity changes: cost points (actual)",
                f"{full.server['actualCost']:,}",
                f"{estimate.actual:,} (extrapolated)",
                times(estimate.actual, full.server["actualCost"]),
            )
        )
        out.append(
            SummaryRow(
                f"apply {full.changes:,} quantity changes, standard plan: wall time",
                seconds(full.seconds),
                f"≈ {seconds(estimate.seconds)} (extrapolated; throttle floor)",
                times(estimate.seconds, full.seconds),
            )
        )
    concurrent, sequential = bench.concurrent, bench.sequential
    if concurrent is not None and sequential is not None:
        out.append(
            SummaryRow(
                f"apply {concurrent.changes:,} quantity changes, {concurrent.latency_ms} ms per "
                "mutation, drained bucket: share of the throttle-bound maximum",
                f"{_achieved(concurrent)} ({seconds(concurrent.seconds)}, floor "
                f"{seconds(concurrent.floor)}; {_concurrency(concurrent)} calls in flight)",
                f"{_achieved(sequential)} ({seconds(sequential.seconds)}; one call at a time)",
                times(sequential.seconds, concurrent.seconds),
            )
        )
    if small is not None and naive is not None:
        out.append(
            SummaryRow(
                f"apply {small.changes} quantity changes (both measured): wall time",
                seconds(small.seconds),
                f"{seconds(naive.seconds)} ({naive.usage['calls']} calls)",
                times(naive.seconds, small.seconds),
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    args = parser.parse_args(argv)
    options: dict[str, Any] = {"latency_changes": LATENCY_CHANGES}
    if args.quick:
        options = {
            "sizes": QUICK_SIZES,
            "naive_changes": 100,
            "latency_changes": QUICK_LATENCY_CHANGES,
        }
    with SandboxProcess("standard") as store:
        bench = run(store, progress=lambda line: print(f"  {line}", file=sys.stderr), **options)
    result = report(bench)
    print(result.markdown)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
