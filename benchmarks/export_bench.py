"""Export benchmark: `reconciler export` of a generated 100,000-item x 10-location store
(1,000,000 levels), then the first plan over what it wrote, which must be empty, and a drift
check, which must be in sync.

The sandbox (API 2026-10, standard plan: bucket 2000 points, 100 points/s) runs as its own
process. Each measured step runs in a fresh child process, so its peak memory (``VmHWM``) is
its own: the export (``export.run.export``, layout one file per location, the product's read:
``auto``, a bulk query for the whole store), a second export over the same directory (an
unchanged store: every file compared and left untouched, the bytes checked),
``commands.plan`` over the exported files (through plan_bench's child, so plans are measured
one way; it must be empty) and ``drift.run.check`` over them (it must be in sync). Calls and
cost points come from the client's ``Usage`` and the sandbox's ``/__sandbox/stats``.

Naive baseline, same run: the same export reading the store page by page (``--read paged``,
100 items per call, what a script without bulk operations does), measured on a smaller store
of the same shape and extrapolated, labelled as such: calls and points scale exactly with the
items; time is the larger of the measured latency per item and the throttle floor.

Not part of ``make test`` (tests/test_benchmarks_smoke.py runs it tiny). Usage::

    python benchmarks/export_bench.py             # 100,000 items (naive sample: 2,000)
    python benchmarks/export_bench.py --quick     # 2,000 items, a smoke run
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
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
    SandboxProcess,
    Store,
    loadavg,
    machine,
    mib,
    seconds,
    table,
    throttle_floor,
    times,
    workdir,
)
from benchmarks.plan_bench import _measure as measure_plan  # noqa: E402
from benchmarks.plan_bench import peak_rss_kib  # noqa: E402

LOCATIONS = 10
LAYOUT = "location"  # the default here: one file per location (+ items.yaml); --layout one


# -- one export, in a child process ---------------------------------------------------------


def _child(out: Path, read: str | None, layout: str) -> dict[str, Any]:
    """Export the store (SHOPIFY_* from the environment) into `out` once; what it took."""
    from reconciler.export import run as export
    from reconciler.manifest.config import Config

    rss_before = peak_rss_kib()
    wall, cpu = time.perf_counter(), time.process_time()
    options = export.ExportOptions(out=out, layout=layout, read=read)  # type: ignore[arg-type]
    exported = export.export(options, config=Config())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    statuses: dict[str, int] = {}
    for file in exported.files:
        statuses[file.status] = statuses.get(file.status, 0) + 1
    return {
        "wall": wall,
        "cpu": cpu,
        "rss_before_kib": rss_before,
        "rss_kib": peak_rss_kib(),
        "path": str(exported.read),
        "items": exported.items,
        "levels": exported.levels,
        "files": statuses,
        "usage": exported.usage.as_json(),
    }


def _drift_child(directory: Path) -> dict[str, Any]:
    """`reconciler drift` over the exported files once (SHOPIFY_* from the environment)."""
    from reconciler.drift.run import check

    rss_before = peak_rss_kib()
    wall, cpu = time.perf_counter(), time.process_time()
    report = check(sorted(directory.glob("*.yaml")))
    return {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "rss_before_kib": rss_before,
        "rss_kib": peak_rss_kib(),
        "path": str(report.read),
        "status": report.status,
        "findings": len(report.findings),
        "usage": report.usage.as_json(),
    }


def _export(
    store: Store, out: Path, read: str | None = None, layout: str = LAYOUT, drift: bool = False
) -> dict[str, Any]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "SHOPIFY_STORE": store.url,
        "SHOPIFY_ACCESS_TOKEN": TOKEN,
        "SHOPIFY_API_VERSION": VERSION,
    }
    args = [sys.executable, "-m", "benchmarks.export_bench", "--child", str(out)]
    args += ["--layout", layout, *(["--read", read] if read else [])]
    args += ["--drift"] if drift else []
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"export child failed ({done.returncode}):\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _digest(directory: Path) -> tuple[str, int]:
    """One hash over every file's name and bytes, and their total size."""
    digest, size = hashlib.sha256(), 0
    for path in sorted(directory.iterdir()):
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data + b"\0")
        size += len(data)
    return digest.hexdigest(), size


@dataclass
class Step:
    """One measured child run: what it reported, what the sandbox served, the load around it."""

    timed: dict[str, Any]
    server: dict[str, Any]
    load_before: float
    load_after: float


def _step(store: Store, run: Any) -> Step:
    store.throttle("standard")  # a full bucket, as for a shop that has been idle
    store.reset_stats()
    before = loadavg()
    timed = run()
    return Step(timed, store.stats(), before, loadavg())


# -- the benchmark --------------------------------------------------------------------------


@dataclass
class NaiveEstimate:
    items: int
    calls: int
    requested: int
    actual: int
    seconds: float
    latency_bound: float
    throttle_bound: float


def extrapolate(sample: Step, sample_items: int, items: int) -> NaiveEstimate:
    """The paged export of `items` from a sample store of `sample_items`: calls and points per
    item are exact (every item has the same shape; the locations call is counted once, its few
    points scale with the rest); time is max(latency per item x items, the throttle floor of
    those points from a full bucket)."""
    usage = sample.timed["usage"]
    pages = usage["byOperation"]["ItemsPage"]
    fixed = usage["calls"] - pages
    per_item = pages / sample_items
    calls = fixed + round(per_item * items)
    requested = round(usage["requestedCost"] / sample_items * items)
    actual = round(usage["actualCost"] / sample_items * items)
    latency = (sample.timed["wall"] - usage["waitedSeconds"]) / sample_items * items
    floor = throttle_floor(actual, STANDARD_BUCKET, STANDARD_RESTORE)
    return NaiveEstimate(items, calls, requested, actual, max(latency, floor), latency, floor)


@dataclass
class ExportBench:
    items: int
    export: Step
    again: Step
    plan: Step
    drift: Step
    identical: bool
    size: int  # bytes written
    naive: Step
    naive_items: int
    estimate: NaiveEstimate
    layout: str = LAYOUT

    @property
    def ok(self) -> bool:
        return (
            self.identical
            and self.plan.timed["actions"] == 0
            and self.drift.timed["status"] == "in_sync"
            and set(self.again.timed["files"]) == {"unchanged"}
            and self.export.timed["items"] == self.items
        )


def run(
    store: Store, *, items: int = 100_000, naive_items: int = 2_000, layout: str = LAYOUT
) -> ExportBench:
    """Generate the store, export it, export it again, plan the result; then the baseline."""
    store.generate(items, LOCATIONS, seed=1)
    with workdir("export-bench-") as work:
        out = work / "inventory"
        first = _step(store, lambda: _export(store, out, layout=layout))
        written = _digest(out)
        again = _step(store, lambda: _export(store, out, layout=layout))
        identical = _digest(out) == written
        plan = _step(store, lambda: measure_plan(store, out, trace=False, read=None))
        drift = _step(store, lambda: _export(store, out, drift=True))
        store.generate(naive_items, LOCATIONS, seed=1)
        naive = _step(store, lambda: _export(store, work / "naive", read="paged"))
    estimate = extrapolate(naive, naive_items, items)
    return ExportBench(
        items,
        first,
        again,
        plan,
        drift,
        identical,
        written[1],
        naive,
        naive_items,
        estimate,
        layout,
    )


# -- report ---------------------------------------------------------------------------------


def _export_row(label: str, step: Step) -> list[str]:
    t, s = step.timed, step.server
    return [
        label,
        seconds(t["wall"]),
        seconds(t["cpu"]),
        f"{mib(t['rss_before_kib'])} → {mib(t['rss_kib'])}",
        f"{s['requests']:,} ({t['usage']['calls']:,})",
        f"{s['actualCost']:,} ({s['requestedCost']:,})",
        f"{step.load_before:.1f} → {step.load_after:.1f}",
    ]


def _plan_row(step: Step) -> list[str]:
    t, s = step.timed, step.server
    return [
        f"first plan over the export: **{t['actions']} actions** ({t['path']})",
        seconds(t["total"][0]),
        seconds(t["total"][1]),
        f"{mib(t['rss_before_kib'])} → {mib(t['rss_kib'])}",
        f"{s['requests']:,} ({t['usage']['calls']:,})",
        f"{s['actualCost']:,} ({s['requestedCost']:,})",
        f"{step.load_before:.1f} → {step.load_after:.1f}",
    ]


def _drift_row(step: Step) -> list[str]:
    t, s = step.timed, step.server
    return [
        f"drift over the export: **{t['status']}**, {t['findings']} findings ({t['path']})",
        seconds(t["wall"]),
        seconds(t["cpu"]),
        f"{mib(t['rss_before_kib'])} → {mib(t['rss_kib'])}",
        f"{s['requests']:,} ({t['usage']['calls']:,})",
        f"{s['actualCost']:,} ({s['requestedCost']:,})",
        f"{step.load_before:.1f} → {step.load_after:.1f}",
    ]


def report(bench: ExportBench) -> str:
    first, again, naive, estimate = bench.export, bench.again, bench.naive, bench.estimate
    levels = bench.items * LOCATIONS
    ours = first.timed
    files = ", ".join(f"{n} {status}" for status, n in sorted(again.timed["files"].items()))
    lines = [
        f"### Export: {bench.items:,} items × {LOCATIONS} locations ({levels:,} levels), "
        f"API {VERSION}, standard plan",
        "",
        f"Each step in a fresh process; sandbox in its own process over loopback HTTP; "
        f"{machine()}. Layout: "
        + (
            "one file per location (+ items.yaml)."
            if bench.layout == "location"
            else f"`--layout {bench.layout}`."
        ),
        "",
        table(
            [
                "Step",
                "Wall",
                "CPU",
                "Peak RSS (VmHWM) after imports → end",
                "Calls (client)",
                "Cost points actual (requested)",
                "Load avg",
            ],
            [
                _export_row(
                    f"export ({ours['path']}): {ours['items']:,} items, "
                    f"{ours['levels']:,} levels, {bench.size / 2**20:,.1f} MiB",
                    first,
                ),
                _export_row(f"re-export, store unchanged ({files})", again),
                _plan_row(bench.plan),
                _drift_row(bench.drift),
            ],
        ),  # fmt: skip
        "",
        f"Re-export byte-identical: **{'yes' if bench.identical else 'NO'}**; first plan "
        f"empty: **{'yes' if bench.plan.timed['actions'] == 0 else 'NO'}**; drift in sync: "
        f"**{'yes' if bench.drift.timed['status'] == 'in_sync' else 'NO'}**.",
        "",
        f"#### Export vs a paged walk of the store (`--read paged`, 100 items per call): "
        f"{bench.naive_items:,} items measured, extrapolated to {bench.items:,}",
        "",
        table(
            ["Reader", "Calls", "Points requested", "Points actual", "Time"],
            [
                [
                    f"reconciler export ({ours['path']}), {bench.items:,} items",
                    f"{first.server['requests']:,}",
                    f"{first.server['requestedCost']:,}",
                    f"{first.server['actualCost']:,}",
                    f"{seconds(ours['wall'])} measured",
                ],
                [
                    f"paged, {bench.naive_items:,} items measured",
                    f"{naive.server['requests']:,}",
                    f"{naive.server['requestedCost']:,}",
                    f"{naive.server['actualCost']:,}",
                    f"{seconds(naive.timed['wall'])} measured "
                    f"({naive.server['throttled']} throttled)",
                ],
                [
                    f"paged, **extrapolated** to {bench.items:,} items",
                    f"{estimate.calls:,}",
                    f"{estimate.requested:,}",
                    f"{estimate.actual:,}",
                    f"≈ {seconds(estimate.seconds)} (latency {seconds(estimate.latency_bound)}, "
                    f"throttle floor {seconds(estimate.throttle_bound)})",
                ],
                [
                    "paged ÷ reconciler",
                    times(estimate.calls, first.server["requests"]),
                    times(estimate.requested, first.server["requestedCost"]),
                    times(estimate.actual, first.server["actualCost"]),
                    times(estimate.seconds, ours["wall"]),
                ],
            ],
        ),
    ]
    if not bench.ok:
        lines += [
            "",
            "**FAILED: the re-export changed a file, the first plan was not empty, or drift "
            "was not in sync**",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 items (a smoke run)")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--drift", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--read", choices=("auto", "bulk", "paged"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--layout", choices=("one", "location", "sku-prefix"), default=LAYOUT, help="export layout"
    )
    args = parser.parse_args(argv)
    if args.child is not None and args.drift:
        print(json.dumps(_drift_child(args.child)))
        return 0
    if args.child is not None:
        print(json.dumps(_child(args.child, args.read, args.layout)))
        return 0
    sizes = {"items": 2_000, "naive_items": 500} if args.quick else {"items": args.items}
    with SandboxProcess("standard") as store:
        bench = run(store, **sizes, layout=args.layout)
    print(report(bench))
    return 0 if bench.ok else 1


if __name__ == "__main__":
    sys.exit(main())
