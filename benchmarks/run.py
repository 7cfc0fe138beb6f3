"""`make bench`: every benchmark, one Markdown section each, then one summary table.

Runs, one after the other (none is part of ``make test``):

* ``plan_bench``: ``commands.plan`` on 10,000 items x 5 locations vs reading SKU by SKU;
* ``apply_bench``: mutation calls = ceil(C/250), apply throughput under the throttle vs one
  change per call (fails the run if the call count is ever wrong), and 100,000 changes at
  300 ms per mutation from a drained bucket, 8 calls in flight vs one at a time;
* ``manifest_bench``: load + validate 100,000 items x 10 locations and the planner's CPU on
  1,000,000 levels, each vs the naive path (no store involved);
* ``sandbox_bench.py`` and any other ``*_bench.py`` here, each as its own process.

The plan and apply benchmarks share one sandbox process. The summary table at the end is
meant for the README's "Performance" section. Usage::

    python benchmarks/run.py            # everything, full sizes (~20 minutes on 2 cores)
    python benchmarks/run.py --quick    # small sizes, a smoke run (~1-2 minutes)
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import apply_bench, manifest_bench, plan_bench  # noqa: E402
from benchmarks.common import Report, SandboxProcess, SummaryRow, loadavg, machine, table  # noqa: E402

IN_PROCESS = {"plan_bench.py", "apply_bench.py", "manifest_bench.py"}


def _script(path: Path, quick: bool) -> Report:
    """Another benchmark script, run as its own process; its output is its report."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(path), *(["--quick"] if quick else [])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    text = done.stdout.strip()
    if done.returncode != 0:
        text += f"\n\n**{path.name} exited {done.returncode}**\n\n```\n{done.stderr[-3000:]}\n```"
    summary = _sandbox_summary(text) if path.name == "sandbox_bench.py" else []
    return Report(f"{path.name} ({elapsed:.0f} s)", text, summary, done.returncode == 0)


_ROW = re.compile(
    r"^\|\s*([^|]+?)\s*\|\s*([\d,]+)\s*\|\s*([\d,]+)\s*\|\s*([\d.]+)\s*\|.*\|\s*([\d,]+)\s*\|$"
)


def _sandbox_summary(text: str) -> list[SummaryRow]:
    """Best effort: pick sandbox_bench's headline numbers out of its Markdown (its format is
    its owner's; if it changes, the rows are simply left out and its section still prints)."""
    rows: dict[str, tuple[str, str]] = {}
    for line in text.splitlines():
        match = _ROW.match(line.strip())
        if match:
            label = match.group(1)
            key = "naive" if "1 quantity per call" in label else "ours"
            rows[key] = (match.group(5), match.group(1))
    out = []
    if "ours" in rows and "naive" in rows:
        ours = float(rows["ours"][0].replace(",", ""))
        naive = float(rows["naive"][0].replace(",", ""))
        out.append(
            SummaryRow(
                "sandbox: inventorySetQuantities quantities/s over HTTP (250 per call)",
                f"{ours:,.0f}/s",
                f"{naive:,.0f}/s (1 per call)",
                f"{ours / naive:,.0f}×" if naive else "—",
            )
        )
    reads = re.search(r"### Reading (\d+) items x (\d+) levels", text)
    medians = re.findall(
        r"^\| (fast read path|graphql-core \(baseline\)) \| \d+ \| (\d+) \|", text, re.M
    )
    if reads and len(medians) == 2:
        fast, core = (float(ms) for _, ms in medians)
        out.append(
            SummaryRow(
                f"sandbox: read {reads.group(1)} items x {reads.group(2)} levels (ItemsBySku)",
                f"{fast:.0f} ms",
                f"{core:.0f} ms (graphql-core)",
                f"{core / fast:.1f}×" if fast else "—",
            )
        )
    export = re.search(r"### Bulk export of ([\d,]+) levels", text)
    exports = (
        (r"bulkOperationRunQuery → COMPLETED \| \**([\d.]+) s", ""),
        (r"COMPLETED \(reader's selection\) \| \**([\d.]+) s", ", the live reader's selection"),
    )
    for pattern, what in exports:
        seconds = re.search(pattern, text)
        if export and seconds:
            label = f"sandbox: bulk export of {export.group(1)} levels{what}"
            out.append(SummaryRow(label, f"{seconds.group(1)} s", "—", "—"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    load_start = loadavg()
    print(f"# Benchmarks ({'quick' if args.quick else 'full'} run; {machine()})\n", flush=True)
    reports: list[Report] = []

    with SandboxProcess("standard") as store:
        section = time.perf_counter()
        if args.quick:
            planned = plan_bench.run(store, items=2_000, context_items=200, naive_sample=40)
        else:
            planned = plan_bench.run(store)
        plan = plan_bench.report(planned)
        plan.title += f" ({time.perf_counter() - section:.0f} s)"
        _print(plan)
        reports.append(plan)

        section = time.perf_counter()
        if args.quick:
            applies = apply_bench.run(
                store,
                sizes=apply_bench.QUICK_SIZES,
                naive_changes=100,
                latency_changes=apply_bench.QUICK_LATENCY_CHANGES,
            )
        else:
            applies = apply_bench.run(store, latency_changes=apply_bench.LATENCY_CHANGES)
        applied = apply_bench.report(applies)
        applied.title += f" ({time.perf_counter() - section:.0f} s)"
        _print(applied)
        reports.append(applied)

    section = time.perf_counter()
    if args.quick:
        manifests = manifest_bench.run(items=10_000, planner_items=10_000)
    else:
        manifests = manifest_bench.run()
    manifest = manifest_bench.report(manifests)
    manifest.title += f" ({time.perf_counter() - section:.0f} s)"
    _print(manifest)
    reports.append(manifest)

    for script in sorted(HERE.glob("*_bench.py")):
        if script.name in IN_PROCESS:
            continue
        other = _script(script, args.quick)
        _print(other)
        reports.append(other)

    rows = [
        [row.measured, row.ours, row.naive, row.ratio]
        for report in reports
        for row in report.summary
    ]
    total = time.perf_counter() - started
    print("## Summary\n")
    print(table(["Measured", "reconciler", "Naive baseline", "Naive ÷ reconciler"], rows, "lrrr"))
    print(
        f"\nWhole run {total / 60:.1f} min; 1-min load average {load_start:.2f} at the start, "
        f"{loadavg():.2f} at the end (shared machine: timings move with it)."
    )
    failed = [r.title for r in reports if not r.ok]
    if failed:
        print(f"\n**FAILED: {', '.join(failed)}**")
        return 1
    return 0


def _print(report: Report) -> None:
    print(f"## {report.title}\n\n{report.markdown}\n", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
