"""Sandbox benchmark: write throughput and a one-million-level bulk export, over real HTTP.

The sandbox runs as its own process (``reconciler sandbox serve --port 0``), so client and
server do not share an interpreter, and is driven the way a client drives Shopify:

(a) ``inventorySetQuantities`` on API 2026-10 with 250 quantities per call, each call with
    ``changeFromQuantity: null`` and a fresh ``@idempotent`` key, against a naive baseline of
    one quantity per call; the shop is on the enterprise plan so the cost bucket does not
    throttle either run (set ``--plan standard`` to see the bucket at work).
(b) a bulk export of every level of a generated store (default 100,000 items x 10
    locations = 1,000,000 levels), from ``bulkOperationRunQuery`` to COMPLETED, then the
    file downloaded from its ``url`` and its lines counted.

Not part of ``make test``. Usage::

    python benchmarks/sandbox_bench.py                 # full run (a few minutes)
    python benchmarks/sandbox_bench.py --quick         # small sizes, a smoke run
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import requests

VERSION = "2026-10"
TOKEN = "sandbox-token"
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


class Server:
    """`reconciler sandbox serve` in a subprocess; its URL is the first line it prints."""

    def __init__(self, plan: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reconciler", "sandbox", "serve", "--port", "0"]
            + ["--plan", plan],
            stdout=subprocess.PIPE,
            text=True,
        )
        watchdog = threading.Timer(120, self.process.kill)
        watchdog.start()
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        watchdog.cancel()
        prefix = "Sandbox store listening on "
        if not line.startswith(prefix):
            raise RuntimeError(f"sandbox did not start: {line!r}")
        self.url = line[len(prefix) :].strip()
        self.http = requests.Session()

    def control(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, f"{self.url}/__sandbox/{path}", json=body, timeout=600)
        response.raise_for_status()
        return response.json()

    def gql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(
            f"{self.url}/admin/api/{VERSION}/graphql.json",
            json={"query": query, "variables": variables},
            headers={"X-Shopify-Access-Token": TOKEN},
            timeout=600,
        )
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        if "errors" in body:
            raise RuntimeError(json.dumps(body)[:2000])
        return body

    def warm_up(self) -> None:
        """Wait until every version's schema is built (the server builds them on start)."""
        for version in ("2025-01", "2026-01", "2026-04", "2026-10"):
            response = self.http.post(
                f"{self.url}/admin/api/{version}/graphql.json",
                json={"query": "{ shop { name } }"},
                headers={"X-Shopify-Access-Token": TOKEN},
                timeout=600,
            )
            response.raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


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


def set_quantities(server: Server, pairs: list[tuple[str, str]], value: int) -> None:
    body = server.gql(
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


def bench_writes(server: Server, calls: int, batch: int) -> tuple[WriteResult, WriteResult]:
    pairs = _pairs(batch, 4)  # batch items x 4 locations: every call writes new pairs
    chunks = [pairs[i : i + batch] for i in range(0, len(pairs), batch)]
    set_quantities(server, chunks[0][:1], 1)  # a first call, untimed
    started = time.perf_counter()
    for n in range(calls):
        set_quantities(server, chunks[n % len(chunks)], 1000 + n)
    batched = WriteResult(
        f"{batch} quantities per call", calls, calls * batch, time.perf_counter() - started
    )
    started = time.perf_counter()
    for n, pair in enumerate(chunks[0]):
        set_quantities(server, [pair], 5000 + n)
    naive = WriteResult(
        "1 quantity per call (baseline)", batch, batch, time.perf_counter() - started
    )
    return batched, naive


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


def bench_export(server: Server, items: int, locations: int) -> ExportResult:
    started = time.perf_counter()
    counts = server.control("POST", "generate", {"items": items, "locations": locations, "seed": 1})
    generate_seconds = time.perf_counter() - started
    started = time.perf_counter()
    payload = server.gql(RUN, {"query": EXPORT})["data"]["bulkOperationRunQuery"]
    if payload["userErrors"]:
        raise RuntimeError(json.dumps(payload))
    gid = payload["bulkOperation"]["id"]
    while True:
        operation = server.gql(POLL, {"id": gid})["data"]["bulkOperation"]
        if operation["status"] not in ("CREATED", "RUNNING"):
            break
        time.sleep(0.25)
    export_seconds = time.perf_counter() - started
    if operation["status"] != "COMPLETED":
        raise RuntimeError(json.dumps(operation))
    started = time.perf_counter()
    lines = 0
    with server.http.get(operation["url"], stream=True, timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_content(1 << 20):
            lines += chunk.count(b"\n")
    download_seconds = time.perf_counter() - started
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


def report(writes: tuple[WriteResult, WriteResult], export: ExportResult, plan: str) -> str:
    batched, naive = writes
    ratio = batched.quantities_per_second / naive.quantities_per_second
    out = [
        f"### inventorySetQuantities over HTTP ({VERSION}, {plan} plan, fresh @idempotent key, "
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
        f"Batching 250 per call writes **{ratio:.0f}x** more quantities per second than one "
        f"per call: 250 quantities take {naive.seconds:.2f} s one by one, "
        f"{250 / batched.quantities_per_second:.3f} s in one call.",
        "",
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
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=40, help="batched calls (default 40)")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--locations", type=int, default=10)
    parser.add_argument("--plan", default="enterprise")
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.calls, args.items, args.locations = 8, 2_000, 5
    server = Server(args.plan)
    try:
        server.warm_up()
        server.control("POST", "generate", {"items": 1000, "locations": 4, "seed": 1})
        writes = bench_writes(server, args.calls, 250)
        export = bench_export(server, args.items, args.locations)
    finally:
        server.stop()
    if export.lines != export.object_count:
        raise SystemExit(f"file has {export.lines} lines, objectCount {export.object_count}")
    print(report(writes, export, args.plan))
    return 0


if __name__ == "__main__":
    sys.exit(main())
