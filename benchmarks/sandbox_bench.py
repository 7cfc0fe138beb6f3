"""Sandbox benchmark: write throughput, read latency and a one-million-level bulk export, over HTTP.

The sandbox runs as its own process (``reconciler sandbox serve --port 0``), so client and
server do not share an interpreter, and is driven the way a client drives Shopify. Sections:

(a) writes: ``inventorySetQuantities`` on API 2026-10 with 250 quantities per call, each call
    with ``changeFromQuantity: null`` and a fresh ``@idempotent`` key, against a naive baseline
    of one quantity per call;
(b) reads: the live reader's own ``ItemsBySku`` document for 100 items x 10 levels (every
    level, all eight quantity names), answered by the fast read path and by graphql-core
    (``/__sandbox/executor``) in the same run; both answers must be byte-identical;
(c) export: a bulk export of every level of a generated store (default 100,000 items x 10
    locations = 1,000,000 levels), from ``bulkOperationRunQuery`` to COMPLETED, then the file
    downloaded from its ``url`` and its lines counted;
(d) reader export: the same store exported with the live reader's own selection
    (``bulk_live_items``: every item attribute, HS codes, all eight quantity names), then
    downloaded and joined into items by the reader's code (`reconciler.live.jsonl`), as
    ``plan --read bulk`` does.

The shop is on the enterprise plan so the cost bucket never throttles. Each section is one
function taking the store and returning its Markdown (`SECTIONS`); add a section there.
Not part of ``make test`` (tests/test_benchmarks_smoke.py runs it at tiny sizes). Usage::

    python benchmarks/sandbox_bench.py                 # full run (a few minutes)
    python benchmarks/sandbox_bench.py --quick         # small sizes, a smoke run
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import TOKEN, SandboxProcess, Store, loadavg, machine  # noqa: E402
from reconciler.shopify.documents import document  # noqa: E402

VERSION = "2026-10"
SET = """
mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}
"""
RUN = """
mutation Run($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}
"""
POLL = """
query Poll($id: ID!) {
  bulkOperation(id: $id) { status errorCode objectCount rootObjectCount fileSize url }
}
"""
EXPORT = (
    "{ inventoryItems { edges { node { id sku inventoryLevels { edges { node { id "
    'location { id } quantities(names: ["available","on_hand"]) { name quantity } } } } } } } }'
)
FIRST_ITEM = 1_000_000  # numbering of generated stores (reconciler/sandbox/snapshot.py)
FIRST_LOCATION = 1000


def gql(store: Store, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """POST a GraphQL request; its decoded body (any top-level error is a failed run)."""
    response = store.http.post(
        f"{store.url}/admin/api/{VERSION}/graphql.json",
        json={"query": query, "variables": variables},
        headers={"X-Shopify-Access-Token": TOKEN},
        timeout=600,
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    if "errors" in body:
        raise RuntimeError(json.dumps(body)[:2000])
    return body


# -- (a) writes -------------------------------------------------------------------------------


@dataclass
class WriteResult:
    label: str
    calls: int
    quantities: int
    seconds: float

    @property
    def requests_per_second(self) -> float:
        return self.calls / self.seconds

    @property
    def quantities_per_second(self) -> float:
        return self.quantities / self.seconds


def _pairs(items: int, locations: int) -> list[tuple[str, str]]:
    return [
        (
            f"gid://shopify/InventoryItem/{FIRST_ITEM + i}",
            f"gid://shopify/Location/{FIRST_LOCATION + j}",
        )
        for i in range(items)
        for j in range(locations)
    ]


def set_quantities(store: Store, pairs: list[tuple[str, str]], value: int) -> None:
    body = gql(
        store,
        SET,
        {
            "input": {
                "name": "available",
                "reason": "correction",
                "referenceDocumentUri": "logistics://benchmark/run",
                "quantities": [
                    {
                        "inventoryItemId": item,
                        "locationId": location,
                        "quantity": value,
                        "changeFromQuantity": None,
                    }
                    for item, location in pairs
                ],
            },
            "key": str(uuid.uuid4()),
        },
    )
    payload = body["data"]["inventorySetQuantities"]
    if payload["userErrors"] or payload["inventoryAdjustmentGroup"] is None:
        raise RuntimeError(json.dumps(payload)[:2000])


def bench_writes(store: Store, calls: int, batch: int) -> tuple[WriteResult, WriteResult]:
    store.generate(max(1000, batch), 4)
    pairs = _pairs(batch, 4)  # batch items x 4 locations: every call writes new pairs
    chunks = [pairs[i : i + batch] for i in range(0, len(pairs), batch)]
    set_quantities(store, chunks[0][:1], 1)  # a first call, untimed
    started = time.perf_counter()
    for n in range(calls):
        set_quantities(store, chunks[n % len(chunks)], 1000 + n)
    batched = WriteResult(
        f"{batch} quantities per call", calls, calls * batch, time.perf_counter() - started
    )
    started = time.perf_counter()
    for n, pair in enumerate(chunks[0]):
        set_quantities(store, [pair], 5000 + n)
    naive = WriteResult(
        "1 quantity per call (baseline)", batch, batch, time.perf_counter() - started
    )
    return batched, naive


def report_writes(writes: tuple[WriteResult, WriteResult]) -> list[str]:
    batched, naive = writes
    ratio = batched.quantities_per_second / naive.quantities_per_second
    out = [
        f"### inventorySetQuantities over HTTP ({VERSION}, fresh @idempotent key, "
        "changeFromQuantity null)",
        "",
        "| Run | Calls | Quantities | Seconds | Requests/s | Quantities/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for result in writes:
        out.append(
            f"| {result.label} | {result.calls} | {result.quantities} | {result.seconds:.2f} | "
            f"{result.requests_per_second:.1f} | {result.quantities_per_second:,.0f} |"
        )
    out += [
        "",
        f"Batching {batched.quantities // batched.calls} per call writes **{ratio:.0f}x** more "
        f"quantities per second than one per call.",
    ]
    return out


# -- (b) reads --------------------------------------------------------------------------------


@dataclass
class ReadResult:
    executor: str
    timings: list[float]  # seconds per read, client-side wall time over HTTP
    server_cpu: float  # the sandbox process's CPU seconds per read
    calls: int
    body_bytes: int
    cost: dict[str, Any]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.timings) * 1000

    @property
    def best_ms(self) -> float:
        return min(self.timings) * 1000

    @property
    def cpu_ms(self) -> float:
        return self.server_cpu * 1000


@dataclass
class ReadBench:
    items: int
    levels: int
    fast: ReadResult
    graphql_core: ReadResult
    identical: bool


def _read_once(store: Store, text: str, variables: dict[str, Any]) -> tuple[float, bytes]:
    started = time.perf_counter()
    response = store.http.post(
        f"{store.url}/admin/api/{VERSION}/graphql.json",
        json={"query": text, "variables": variables},
        headers={"X-Shopify-Access-Token": TOKEN},
        timeout=600,
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, response.content


def _read_with(
    store: Store, fast: bool, text: str, variables: dict[str, Any], repeats: int
) -> tuple[ReadResult, bytes]:
    store.control("POST", "executor", {"fastReads": fast})
    before = store.stats()["executions"]
    _read_once(store, text, variables)  # warm: the document is parsed and planned once
    timings, body, cpu = [], b"", 0.0
    for _ in range(repeats):
        store.control("POST", "throttle", {"plan": "enterprise"})  # a full bucket every time
        cpu_before = store.stats()["processCpuSeconds"]
        elapsed, body = _read_once(store, text, variables)
        cpu += store.stats()["processCpuSeconds"] - cpu_before
        timings.append(elapsed)
    after = store.stats()["executions"]
    label = "fast" if fast else "graphqlCore"
    answered = after.get(label, 0) - before.get(label, 0)
    if answered != repeats + 1:
        raise RuntimeError(f"{label} answered {answered} of {repeats + 1} reads: {after}")
    cost = json.loads(body)["extensions"]["cost"]
    executor = "fast read path" if fast else "graphql-core (baseline)"
    return ReadResult(executor, timings, cpu / repeats, repeats, len(body), cost), body


def bench_reads(store: Store, items: int, locations: int, repeats: int) -> ReadBench:
    """The live reader's query for `items` SKUs with every level, both executors."""
    store.generate(items, locations)
    text = document("items_by_sku", VERSION).text
    query = " OR ".join(f"sku:'SKU-{n:07d}'" for n in range(items))
    variables = {"query": query, "first": items, "after": None, "levels": max(25, locations)}
    try:
        fast, fast_body = _read_with(store, True, text, variables, repeats)
        core, core_body = _read_with(store, False, text, variables, max(2, repeats // 4))
    finally:
        store.control("POST", "executor", {"fastReads": True})
    nodes = json.loads(fast_body)["data"]["inventoryItems"]["nodes"]
    if len(nodes) != items or any(len(n["inventoryLevels"]["nodes"]) != locations for n in nodes):
        raise RuntimeError("the read did not return every item and level")
    return ReadBench(items, items * locations, fast, core, fast_body == core_body)


def report_reads(reads: ReadBench) -> list[str]:
    ratio = reads.graphql_core.median_ms / reads.fast.median_ms
    cpu_ratio = reads.graphql_core.cpu_ms / reads.fast.cpu_ms if reads.fast.cpu_ms else 0.0
    out = [
        f"### Reading {reads.items} items x {reads.levels // reads.items} levels (the live "
        f"reader's ItemsBySku, {VERSION}, all eight quantity names)",
        "",
        "| Executor | Reads | Median ms | Best ms | Server CPU ms | Response bytes "
        "| Cost requested / actual |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in (reads.fast, reads.graphql_core):
        out.append(
            f"| {result.executor} | {result.calls} | {result.median_ms:.0f} | "
            f"{result.best_ms:.0f} | {result.cpu_ms:.0f} | {result.body_bytes:,} | "
            f"{result.cost['requestedQueryCost']} / {result.cost['actualQueryCost']} |"
        )
    out += [
        "",
        f"The fast read path answers **{ratio:.1f}x** faster than graphql-core (wall time over "
        f"HTTP; {cpu_ratio:.1f}x less server CPU); the two answers are "
        f"{'byte-identical' if reads.identical else '**DIFFERENT** (a bug)'}.",
    ]
    return out


# -- (c) bulk export --------------------------------------------------------------------------


@dataclass
class ExportResult:
    levels: int
    generate_seconds: float
    export_seconds: float
    download_seconds: float
    object_count: int
    root_object_count: int
    file_size: int
    lines: int


def bench_export(store: Store, items: int, locations: int) -> ExportResult:
    started = time.perf_counter()
    counts = store.generate(items, locations)
    generate_seconds = time.perf_counter() - started
    started = time.perf_counter()
    payload = gql(store, RUN, {"query": EXPORT})["data"]["bulkOperationRunQuery"]
    if payload["userErrors"]:
        raise RuntimeError(json.dumps(payload))
    gid = payload["bulkOperation"]["id"]
    while True:
        operation = gql(store, POLL, {"id": gid})["data"]["bulkOperation"]
        if operation["status"] not in ("CREATED", "RUNNING"):
            break
        time.sleep(0.25)
    export_seconds = time.perf_counter() - started
    if operation["status"] != "COMPLETED":
        raise RuntimeError(json.dumps(operation))
    started = time.perf_counter()
    lines = 0
    with store.http.get(operation["url"], stream=True, timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_content(1 << 20):
            lines += chunk.count(b"\n")
    download_seconds = time.perf_counter() - started
    if lines != int(operation["objectCount"]):
        raise RuntimeError(f"file has {lines} lines, objectCount {operation['objectCount']}")
    return ExportResult(
        counts["levels"],
        generate_seconds,
        export_seconds,
        download_seconds,
        int(operation["objectCount"]),
        int(operation["rootObjectCount"]),
        int(operation["fileSize"]),
        lines,
    )


def report_export(export: ExportResult) -> list[str]:
    return [
        f"### Bulk export of {export.levels:,} levels",
        "",
        "| Step | Result |",
        "|---|---:|",
        f"| POST /__sandbox/generate ({export.levels:,} levels) | {export.generate_seconds:.1f} s |",
        f"| bulkOperationRunQuery → COMPLETED | **{export.export_seconds:.1f} s** |",
        f"| objectCount / rootObjectCount | {export.object_count:,} / {export.root_object_count:,} |",
        f"| fileSize | {export.file_size:,} bytes ({export.file_size / 2**20:.0f} MiB) |",
        f"| download + count lines | {export.download_seconds:.1f} s, {export.lines:,} lines |",
    ]


# -- (d) bulk export with the live reader's selection, joined by the reader ---------------------


@dataclass
class ReaderExport:
    levels: int
    export_seconds: float
    object_count: int
    file_size: int
    join_seconds: float
    join_cpu: float
    items: int
    joined_levels: int


def _await(store: Store, gid: str) -> dict[str, Any]:
    while True:
        operation: dict[str, Any] = gql(store, POLL, {"id": gid})["data"]["bulkOperation"]
        if operation["status"] not in ("CREATED", "RUNNING"):
            return operation
        time.sleep(0.25)


def bench_reader_export(store: Store, items: int, locations: int) -> ReaderExport:
    """The store of (c) (generated again only if it is not there) exported with the reader's
    query, then streamed and joined by the reader."""
    from reconciler.live.jsonl import join, result_lines
    from reconciler.live.selection import Selection
    from reconciler.shopify.documents import document
    from reconciler.shopify.target import resolve_target

    counts = store.control("GET", "health")
    if (counts["items"], counts["locations"]) != (items, locations):
        counts = store.generate(items, locations)
    query = document("bulk_live_items", VERSION).text
    started = time.perf_counter()
    payload = gql(store, RUN, {"query": query})["data"]["bulkOperationRunQuery"]
    if payload["userErrors"]:
        raise RuntimeError(json.dumps(payload))
    operation = _await(store, payload["bulkOperation"]["id"])
    export_seconds = time.perf_counter() - started
    if operation["status"] != "COMPLETED":
        raise RuntimeError(json.dumps(operation))
    started, cpu = time.perf_counter(), time.process_time()
    lines = result_lines(operation["url"], resolve_target(store.url, VERSION))
    joined = join(lines, Selection.store())
    join_seconds, join_cpu = time.perf_counter() - started, time.process_time() - cpu
    joined_levels = sum(len(item.levels) for item in joined.values())
    if joined_levels != counts["levels"]:
        raise RuntimeError(f"the reader joined {joined_levels} levels of {counts['levels']}")
    return ReaderExport(
        counts["levels"],
        export_seconds,
        int(operation["objectCount"]),
        int(operation["fileSize"]),
        join_seconds,
        join_cpu,
        len(joined),
        joined_levels,
    )


def report_reader_export(export: ReaderExport) -> list[str]:
    return [
        f"### Bulk export of {export.levels:,} levels with the live reader's selection",
        "",
        "| Step | Result |",
        "|---|---:|",
        "| bulkOperationRunQuery → COMPLETED (reader's selection) | "
        f"**{export.export_seconds:.1f} s** |",
        f"| objectCount / fileSize | {export.object_count:,} / "
        f"{export.file_size / 2**20:.0f} MiB |",
        f"| download + join into items (the reader's own code) | {export.join_seconds:.1f} s "
        f"({export.join_cpu:.1f} s CPU): {export.items:,} items, {export.joined_levels:,} "
        "levels |",
    ]


# -- running ----------------------------------------------------------------------------------

Section = Callable[[Store, argparse.Namespace], list[str]]
SECTIONS: list[tuple[str, Section]] = [
    ("writes", lambda store, a: report_writes(bench_writes(store, a.calls, 250))),
    ("reads", lambda store, a: report_reads(bench_reads(store, a.read_items, 10, a.repeats))),
    ("export", lambda store, a: report_export(bench_export(store, a.items, a.locations))),
    (
        "reader-export",
        lambda store, a: report_reader_export(bench_reader_export(store, a.items, a.locations)),
    ),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=40, help="batched write calls (default 40)")
    parser.add_argument("--read-items", type=int, default=100, help="items per read (default 100)")
    parser.add_argument("--repeats", type=int, default=20, help="timed reads on the fast path")
    parser.add_argument("--items", type=int, default=100_000, help="items in the export")
    parser.add_argument("--locations", type=int, default=10, help="locations in the export")
    parser.add_argument("--only", choices=[name for name, _ in SECTIONS], action="append")
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    args = parser.parse_args(argv)
    if args.quick:
        args.calls, args.repeats, args.items, args.locations = 8, 8, 2_000, 5
    out = [f"Machine: {machine()}; load average {loadavg():.1f} at the start.", ""]
    with SandboxProcess("enterprise") as store:
        for name, section in SECTIONS:
            if args.only and name not in args.only:
                continue
            out += section(store, args) + [""]
    print("\n".join(out).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
