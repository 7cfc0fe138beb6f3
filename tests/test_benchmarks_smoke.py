"""The benchmarks at tiny sizes, so they cannot rot (the real runs are `make bench`).

They run against the session's sandbox (real HTTP, the product's own plan and apply paths)
and leave it on the standard plan with the demo snapshot, as the other tests expect. The
apply benchmark's core claim is checked here too: ceil(C/250) mutation calls for C changes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from benchmarks import (
    apply_bench,
    export_bench,
    manifest_bench,
    plan_bench,
    planfile_bench,
    render_bench,
    run,
    sandbox_bench,
)
from benchmarks.common import Store, calls_for, throttle_floor
from reconciler.sandbox import Sandbox


@pytest.fixture
def bench_store(_sandbox: Sandbox) -> Iterator[Store]:
    store = Store(_sandbox.url)
    try:
        yield store
    finally:
        store.throttle("standard")
        store.control("POST", "reset")
        store.reset_stats()
        store.close()


def test_calls_for_is_ceil_of_250() -> None:
    for changes in (1, 249, 250, 251, 500, 501, 10_000):
        assert calls_for(changes) == math.ceil(changes / 250)


def test_throttle_floor() -> None:
    assert throttle_floor(1_500, 2_000, 100) == 0
    assert throttle_floor(16_405, 2_000, 100) == pytest.approx(144.05)
    assert throttle_floor(672, 0, 100) == pytest.approx(6.72)


def test_apply_bench_calls_are_ceil_c_over_250(bench_store: Store) -> None:
    bench = apply_bench.run(bench_store, sizes=(1, 250, 251), naive_changes=12, latency_changes=300)
    assert [(r.kind, r.changes) for r in bench.counts] == [
        (kind, c) for kind in ("set", "move") for c in (1, 250, 251)
    ]
    for result in bench.counts:
        assert result.mutation_calls == math.ceil(result.changes / 250), result
        assert result.client_mutation_calls == result.mutation_calls
        assert result.server["throttled"] == 0
        assert result.applied == result.changes
    assert bench.ok
    # throughput: the same 251-set plan from a drained bucket, and the naive baseline
    assert bench.full is not None and bench.drained is not None
    assert bench.drained.bucket_start == 0 and bench.drained.floor > 0
    assert bench.naive_small is not None and bench.ours_small is not None
    assert bench.naive_small.mutation_calls == 12
    assert bench.ours_small.mutation_calls == 1
    assert bench.naive_estimate is not None and bench.naive_estimate.calls > 251
    report = apply_bench.report(bench)
    assert report.ok
    assert "| set | 251 | 2 | 2 | 2 | 0 |" in report.markdown
    assert report.summary[0].ours == "holds"
    # at Shopify's latency (300 ms per mutation), drained: default concurrency and one at a time
    assert bench.concurrent is not None and bench.sequential is not None
    for run_ in (bench.concurrent, bench.sequential):
        assert run_.latency_ms == 300 and run_.bucket_start == 0 and run_.floor > 0
        assert run_.client_mutation_calls == 2 and run_.applied == 300 and run_.latency_ok
    assert (bench.concurrent.concurrency, bench.sequential.concurrency) == (None, 1)
    assert "### Apply at Shopify's latency: 300 ms per mutation" in report.markdown
    assert "share of the throttle-bound maximum" in report.summary[-2].measured


def test_apply_bench_fails_on_a_wrong_call_count(bench_store: Store) -> None:
    bench = apply_bench.run(bench_store, sizes=(3,), kinds=("set",), throughput=False)
    assert bench.ok
    bench.counts[0].server["byOperation"]["inventorySetQuantities"] = 2
    report = apply_bench.report(bench)
    assert not report.ok and "FAILED" in report.markdown


def test_plan_bench_tiny(bench_store: Store) -> None:
    bench = plan_bench.run(
        bench_store,
        items=30,
        context_items=10,
        naive_sample=5,
        memory=True,
        context_memory=False,
        paths=(3, 10),
    )
    main = bench.main
    # items 0, 10, 20 change one level; items 0 and 20 also their cost
    assert main.timed["actions"] == 5
    assert main.timed["path"] == "paged reads"  # 30 items: below the bulk threshold
    assert main.timed["usage"]["calls"] == main.server["requests"] == 3  # + the shop currency
    assert main.traced is not None and main.traced["tracemalloc_peak"] > 0
    assert main.timed["rss_kib"] >= main.timed["rss_before_kib"] > 0
    assert sum(main.timed[k][0] for k in ("load", "read", "planning", "render")) == pytest.approx(
        main.timed["total"][0]
    )
    assert bench.context is not None and bench.context.timed["actions"] == 2
    assert bench.naive.calls == 1 + 5
    estimate = bench.estimates[30]
    assert estimate.calls == 31 and estimate.actual > main.server["actualCost"]
    paths = bench.paths
    assert paths is not None and paths.store_items == 30
    assert (paths.bulk.path, paths.bulk.skus) == ("bulk", 3)
    assert [p.skus for p in paths.paged] == [3, 10]
    assert paths.paged_points(10) == paths.paged[1].actual
    for cost, bulk in (("points", paths.bulk.actual), ("seconds", paths.bulk.seconds)):
        measure = paths.paged_points if cost == "points" else paths.paged_seconds
        crossing = paths.crossover(cost)
        assert measure(crossing) > bulk or crossing == 300  # (or never, within 10x the store)
        assert crossing == 1 or measure(crossing - 1) <= bulk
    report = plan_bench.report(bench)
    assert "naive, **extrapolated** to 30 SKUs" in report.markdown
    assert "where bulk beats paged" in report.markdown
    assert len(report.summary) >= 4


def test_plan_bench_reads_in_bulk(bench_store: Store) -> None:
    bench = plan_bench.run(
        bench_store, items=20, context_items=None, naive_sample=2, paths=None, read="bulk"
    )
    main = bench.main
    assert main.timed["path"] == "a bulk query"
    assert main.timed["actions"] == 3
    usage, served = main.timed["usage"], main.server
    assert usage["calls"] == served["requests"] and usage["actualCost"] == served["actualCost"]
    assert usage["byOperation"]["BulkRunQuery"] == 1


def test_run_reads_sandbox_bench_headlines() -> None:
    text = "\n".join(
        [
            "| Run | Calls | Quantities | Seconds | Requests/s | Quantities/s |",
            "|---|---:|---:|---:|---:|---:|",
            "| 250 quantities per call | 40 | 10000 | 1.03 | 39.0 | 9,748 |",
            "| 1 quantity per call (baseline) | 250 | 250 | 5.18 | 48.3 | 48 |",
            "### Bulk export of 1,000,000 levels",
            "| bulkOperationRunQuery → COMPLETED | **30.0 s** |",
            "| bulkOperationRunQuery → COMPLETED (reader's selection) | **18.5 s** |",
        ]
    )
    rows = run._sandbox_summary(text)
    assert [(r.ours, r.naive, r.ratio) for r in rows] == [
        ("9,748/s", "48/s (1 per call)", "203×"),
        ("30.0 s", "—", "—"),
        ("18.5 s", "—", "—"),
    ]
    assert run._sandbox_summary("something else entirely") == []


def test_sandbox_bench_reads_tiny(bench_store: Store) -> None:
    """Both executors answer the live reader's query, byte for byte, and are both timed."""
    reads = sandbox_bench.bench_reads(bench_store, items=6, locations=3, repeats=3)
    assert reads.identical
    assert (reads.fast.calls, reads.graphql_core.calls) == (3, 2)
    assert reads.fast.cost == reads.graphql_core.cost
    assert bench_store.control("GET", "executor") == {"fastReads": True}
    text = "\n".join(sandbox_bench.report_reads(reads))
    assert "| fast read path | 3 |" in text and "byte-identical" in text
    rows = run._sandbox_summary(text)
    assert [r.measured for r in rows] == ["sandbox: read 6 items x 3 levels (ItemsBySku)"]


def test_sandbox_bench_writes_tiny(bench_store: Store) -> None:
    batched, naive = sandbox_bench.bench_writes(bench_store, calls=2, batch=5)
    assert (batched.calls, batched.quantities, naive.calls) == (2, 10, 5)
    text = "\n".join(sandbox_bench.report_writes((batched, naive)))
    assert "| 5 quantities per call | 2 | 10 |" in text


def test_sandbox_bench_reader_export_tiny(bench_store: Store) -> None:
    export = sandbox_bench.bench_reader_export(bench_store, items=12, locations=3)
    assert (export.levels, export.items, export.joined_levels) == (36, 12, 36)
    assert export.object_count == 12 + 36
    text = "\n".join(sandbox_bench.report_reader_export(export))
    assert run._sandbox_summary("### Bulk export of 36 levels\n" + text)[-1].measured == (
        "sandbox: bulk export of 36 levels, the live reader's selection"
    )


def test_manifest_bench_tiny() -> None:
    bench = manifest_bench.run(items=150, planner_items=60)
    assert bench.files == 1
    for measured in (bench.ours, bench.naive):
        assert (measured["items"], measured["levels"], measured["problems"]) == (150, 1500, 0)
        assert measured["rss_kib"] >= measured["rss_before_kib"] > 0
        assert measured["cpu"] > 0
    planner = bench.planner
    # items 0, 10, ..., 50 change one level each; items 0, 20, 40 also their cost
    assert (planner.levels, planner.sets, planner.actions) == (600, 6, 9)
    assert planner.naive_changes == planner.sets
    report = manifest_bench.report(bench)
    assert "150 items × 10 locations (1,500 levels)" in report.markdown
    assert [row.measured.split(" ")[0] for row in report.summary] == ["validate", "planner"]


def test_render_bench_tiny() -> None:
    """A plan past the summary threshold: the summary is short, --full has a line per change."""
    plan = render_bench.synthetic_plan(1_500)
    assert len(plan.actions) == 1_500 and plan.money is not None
    lines = render_bench.measure(1_500)
    table = "\n".join(lines)
    assert "| text, summarised (default) |" in table
    assert "| JSON (always complete) |" in table
    assert lines[-2].startswith("Summarised text vs every change: ")


def test_planfile_bench_tiny() -> None:
    """A saved plan the planner could have made loads in a fresh process and keeps the
    planner's guarantees (the child asserts it); the naive baseline is measured too."""
    lines = planfile_bench.measure(1_200)
    table = "\n".join(lines)
    assert "| read + load (parse, envelope schema, actions, plan id) |" in table
    assert "| naive: JSON Schema over every action (measured on 1,200, scaled) |" in table
    assert "faster than validating every action with the schema" in lines[-2]


def test_export_bench_tiny(bench_store: Store) -> None:
    """Export, re-export (nothing rewritten, same bytes), an empty first plan, the baseline."""
    bench = export_bench.run(bench_store, items=30, naive_items=20)
    first, again = bench.export.timed, bench.again.timed
    assert (first["items"], first["levels"], first["path"]) == (30, 300, "a bulk query")
    assert first["files"] == {"written": 11} and again["files"] == {"unchanged": 11}
    assert bench.identical and bench.plan.timed["actions"] == 0 and bench.ok
    drift = bench.drift.timed
    assert (drift["status"], drift["findings"], drift["path"]) == ("in_sync", 0, "a bulk query")
    assert drift["usage"]["calls"] == bench.drift.server["requests"]
    assert first["usage"]["calls"] == bench.export.server["requests"]
    assert first["rss_kib"] >= first["rss_before_kib"] > 0
    naive = bench.naive.timed
    assert naive["path"] == "paged reads" and naive["usage"]["byOperation"]["ItemsPage"] == 1
    estimate = bench.estimate
    assert estimate.actual == round(bench.naive.timed["usage"]["actualCost"] / 20 * 30)
    assert estimate.seconds == max(estimate.latency_bound, estimate.throttle_bound)
    text = export_bench.report(bench)
    assert (
        "Re-export byte-identical: **yes**; first plan empty: **yes**; drift in sync: **yes**."
        in text
    )
    assert "FAILED" not in text
    assert "export_bench.py" in {p.name for p in run.HERE.glob("*_bench.py")} - run.IN_PROCESS
