"""The per-app bulk query limit of each API version (1 before 2026-01, 5 from 2026-01) and
LIMIT_REACHED: the reader waits, bounded, for a slot, then falls back to paged reads (auto) or
fails (bulk), and says so.

The slots are taken by other operations of the same app (the same token), held RUNNING by the
sandbox's control plane.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from reconciler.live import BulkSettings, BulkUnavailable, ReadReport, ReadSettings
from reconciler.live.reader import paged_items, read_items
from reconciler.live.selection import Selection
from reconciler.shopify.client import ShopifyClient
from tests.conftest import Store
from tests.live.conftest import FAST, Recorder

EVERYTHING = Selection.store()
RUN_OTHER = (
    'mutation { bulkOperationRunQuery(query: "{ locations { edges { node { id } } } }") '
    "{ userErrors { code message } } }"
)
# No waiting: the first refusal decides (waiting itself is tested by releasing the slots).
SHORT = BulkSettings(wait_seconds=0, poll_first=0.02, poll_max=0.1, busy_first=0.05)
LONG = BulkSettings(wait_seconds=60, poll_first=0.02, poll_max=0.1, busy_first=0.05)
Connect = Callable[..., ShopifyClient]


def take_slots(store: Store, version: str, count: int) -> None:
    """`count` bulk queries of this app, held RUNNING (they keep their slots)."""
    store.control("POST", "bulk", {"hold": "RUNNING"})
    for _ in range(count):
        assert store.gql(version, RUN_OTHER)["data"]["bulkOperationRunQuery"]["userErrors"] == []


@pytest.mark.parametrize(("version", "slots"), [("2025-01", 1), ("2026-01", 5), ("2026-10", 5)])
def test_with_every_slot_taken_auto_falls_back_to_paged_reads_and_says_so(
    store: Store, connect: Connect, version: str, slots: int
) -> None:
    take_slots(store, version, slots)
    client = connect(version)
    report, recorder = ReadReport(), Recorder()
    items = read_items(client, EVERYTHING, ReadSettings("auto", 0, SHORT), recorder, report)
    assert items == paged_items(client, EVERYTHING)
    assert report.path == "paged"
    plural = "query" if slots == 1 else "queries"
    assert report.fallback is not None
    assert report.fallback.startswith("no bulk query slot after 0 s (A bulk query operation ")
    assert f"API {version} allows {slots} bulk {plural} per app at a time" in report.fallback
    assert recorder.notes == [
        f"bulk read unavailable ({report.fallback}): falling back to paged reads"
    ]
    assert client.usage.by_operation["BulkRunQuery"] == 1


def test_one_slot_short_of_the_limit_reads_in_bulk(store: Store, connect: Connect) -> None:
    take_slots(store, "2026-10", 4)
    store.control("POST", "bulk", {"hold": None})  # the four run on; ours gets the fifth slot
    report = ReadReport()
    items = read_items(connect(), EVERYTHING, ReadSettings("bulk", 0, FAST), report=report)
    assert len(items) == 30 and report.path == "bulk"


def test_with_every_slot_taken_read_bulk_is_an_error(store: Store, connect: Connect) -> None:
    take_slots(store, "2025-01", 1)
    with pytest.raises(BulkUnavailable, match="API 2025-01 allows 1 bulk query per app"):
        read_items(connect("2025-01"), EVERYTHING, ReadSettings("bulk", 0, SHORT))


@pytest.mark.parametrize(("version", "slots"), [("2025-01", 1), ("2026-10", 5)])
def test_the_reader_waits_for_a_slot_then_reads_in_bulk(
    store: Store, connect: Connect, version: str, slots: int
) -> None:
    take_slots(store, version, slots)
    waiting = threading.Event()

    def on_update(update: dict[str, Any]) -> None:
        if update.get("status") == "WAITING FOR A BULK SLOT":
            waiting.set()

    recorder, report = Recorder(on_update), ReadReport()
    result: dict[str, Any] = {}
    client = connect(version)

    def read() -> None:
        result["items"] = read_items(
            client, EVERYTHING, ReadSettings("bulk", 0, LONG), recorder, report
        )

    thread = threading.Thread(target=read)
    thread.start()
    assert waiting.wait(30)
    store.control("POST", "bulk", {"hold": None})  # the others finish: slots free up
    thread.join(60)
    assert len(result["items"]) == 30 and report.path == "bulk"
    assert client.usage.by_operation["BulkRunQuery"] >= 2  # refused at least once, then ran


def test_limit_reached_is_waited_out(store: Store, connect: Connect) -> None:
    store.control("POST", "bulk", {"limitReached": 2})
    client, recorder = connect("2026-10"), Recorder()
    report = ReadReport()
    items = read_items(client, EVERYTHING, ReadSettings("bulk", 0, LONG), recorder, report)
    assert len(items) == 30 and report.path == "bulk"
    assert client.usage.by_operation["BulkRunQuery"] == 3
    assert "Bulk operations limit reached" in recorder.notes[0]


def test_limit_reached_for_too_long_falls_back(store: Store, connect: Connect) -> None:
    store.control("POST", "bulk", {"limitReached": 1000})
    report = ReadReport()
    read_items(connect("2026-10"), EVERYTHING, ReadSettings("auto", 0, SHORT), report=report)
    assert report.path == "paged"
    assert report.fallback is not None and "Bulk operations limit reached" in report.fallback
