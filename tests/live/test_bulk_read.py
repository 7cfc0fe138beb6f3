"""The bulk read path over HTTP against the sandbox: every operation state and failure, partial
data, a null url, expired results, the token kept off the result URL, and usage counted.

Outcomes a healthy store never produces are scripted with ``POST /__sandbox/bulk``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from reconciler.errors import AuthenticationError, StoreError
from reconciler.live import BulkUnavailable, ReadReport, ReadSettings
from reconciler.live.bulk import BulkQuery, concurrency
from reconciler.live.jsonl import check_result_url
from reconciler.live.reader import bulk_items, paged_items, read_items
from reconciler.live.selection import Selection
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.target import resolve_target
from tests.conftest import Store, demo_snapshot
from tests.live.conftest import FAST, VERSIONS, Recorder

EVERYTHING = Selection.store()
BULK = ReadSettings(mode="bulk", bulk=FAST)
AUTO = ReadSettings(mode="auto", bulk_threshold=0, bulk=FAST)
Connect = Callable[..., ShopifyClient]


def script(store: Store, **spec: Any) -> None:
    store.control("POST", "bulk", spec)


CANCEL = "mutation($id: ID!) { bulkOperationCancel(id: $id) { userErrors { message } } }"
RUN_OTHER = (
    'mutation { bulkOperationRunQuery(query: "{ locations { edges { node { id } } } }") '
    "{ userErrors { code message } } }"
)


def operations(store: Store) -> list[dict[str, Any]]:
    query = "{ bulkOperations(first: 50) { nodes { id status errorCode objectCount } } }"
    nodes: list[dict[str, Any]] = store.gql("2026-10", query)["data"]["bulkOperations"]["nodes"]
    return nodes


@pytest.mark.parametrize("version", VERSIONS)
def test_bulk_and_paged_reads_give_the_same_items(
    store: Store, connect: Connect, version: str
) -> None:
    client = connect(version)
    bulk = bulk_items(client, EVERYTHING, FAST)
    paged = paged_items(client, EVERYTHING)
    assert len(bulk) == 30
    assert bulk == paged


def test_states_are_followed_from_created_to_completed(store: Store, connect: Connect) -> None:
    store.control("POST", "bulk", {"hold": "CREATED"})

    def release(update: dict[str, Any]) -> None:
        if update.get("status") == "CREATED":
            store.control("POST", "bulk", {"hold": None})

    recorder = Recorder(release)
    items = bulk_items(connect(), EVERYTHING, FAST, recorder)
    assert len(items) == 30
    statuses = recorder.statuses
    assert statuses[0] == "CREATED" and "COMPLETED" in statuses
    assert statuses.index("COMPLETED") < statuses.index("DOWNLOADING")
    assert [o["status"] for o in operations(store)] == ["COMPLETED"]


@pytest.mark.parametrize("code", ["TIMEOUT", "INTERNAL_SERVER_ERROR"])
def test_a_failed_run_with_partial_data_is_run_once_more(
    store: Store, connect: Connect, code: str
) -> None:
    script(store, fail={"errorCode": code, "afterObjects": 40})
    recorder = Recorder()
    items = bulk_items(connect(), EVERYTHING, FAST, recorder)
    assert len(items) == 30  # the whole store, not the 40 objects of partial data
    assert [o["status"] for o in operations(store)] == ["COMPLETED", "FAILED"]
    assert recorder.notes == [
        f"bulk operation {operations(store)[1]['id']} failed with {code}; its partial data "
        "(40 objects) is not used, a plan needs every item; running the bulk query once more"
    ]
    downloads = store.control("GET", "bulk")["downloads"]
    assert len(downloads) == 1  # the partial data was never fetched


def test_failing_twice_falls_back_to_paged_reads_in_auto_mode(
    store: Store, connect: Connect
) -> None:
    script(store, fail={"errorCode": "TIMEOUT", "afterObjects": 0, "times": 2})
    report = ReadReport()
    recorder = Recorder()
    client = connect()
    items = read_items(client, EVERYTHING, AUTO, recorder, report)
    assert items == paged_items(client, EVERYTHING)
    assert report.path == "paged" and report.fallback is not None
    assert "failed with TIMEOUT" in report.fallback
    assert str(report).startswith("paged reads (bulk unavailable: bulk operation gid://")
    assert recorder.notes[-1].endswith("falling back to paged reads")
    assert [o["status"] for o in operations(store)] == ["FAILED", "FAILED"]


def test_failing_twice_is_an_error_with_read_bulk(store: Store, connect: Connect) -> None:
    script(store, fail={"errorCode": "INTERNAL_SERVER_ERROR", "times": 2})
    with pytest.raises(BulkUnavailable) as raised:
        read_items(connect(), EVERYTHING, BULK)
    assert "failed with INTERNAL_SERVER_ERROR" in str(raised.value)
    assert "--read auto would fall back to paged reads" in str(raised.value)


def test_access_denied_is_an_authentication_error_without_fallback(
    store: Store, connect: Connect
) -> None:
    script(store, fail={"errorCode": "ACCESS_DENIED"})
    with pytest.raises(AuthenticationError, match="ACCESS_DENIED: the access token lacks a scope"):
        read_items(connect(), EVERYTHING, AUTO)
    assert len(operations(store)) == 1  # not run again, not read another way


def test_a_token_without_read_inventory_fails_the_bulk_query(
    store: Store, connect: Connect
) -> None:
    store.control("POST", "tokens", {"token": "locations-only", "scopes": ["read_locations"]})
    with pytest.raises(AuthenticationError, match="ACCESS_DENIED"):
        bulk_items(connect("2026-10", "locations-only"), EVERYTHING, FAST)


def test_no_results_mean_a_null_url_and_no_items(store: Store, connect: Connect) -> None:
    empty = {**demo_snapshot(), "inventoryItems": []}
    store.control("POST", "reset", empty)
    assert bulk_items(connect(), EVERYTHING, FAST) == {}
    assert [o["objectCount"] for o in operations(store)] == ["0"]
    assert store.control("GET", "bulk")["downloads"] == []  # nothing to fetch


@pytest.mark.parametrize("how", ["expire", "expireUrl"])
def test_expired_results_are_run_once_more(store: Store, connect: Connect, how: str) -> None:
    script(store, **{how: 1})
    recorder = Recorder()
    assert len(bulk_items(connect(), EVERYTHING, FAST, recorder)) == 30
    assert "expired" in recorder.notes[0]
    assert [o["status"] for o in operations(store)][-1] == (
        "EXPIRED" if how == "expire" else "COMPLETED"
    )


def test_expiring_twice_is_a_clear_error(store: Store, connect: Connect) -> None:
    script(store, expireUrl=2)
    with pytest.raises(BulkUnavailable, match=r"answered HTTP 400 \(expired\)"):
        read_items(connect(), EVERYTHING, BULK)
    downloads = store.control("GET", "bulk")["downloads"]
    assert [d["status"] for d in downloads] == [400, 400]


def test_the_access_token_never_goes_to_the_result_url(store: Store, connect: Connect) -> None:
    script(store, expireUrl=1)  # two downloads: an expired one and a good one
    bulk_items(connect(), EVERYTHING, FAST)
    downloads = store.control("GET", "bulk")["downloads"]
    assert len(downloads) == 2
    assert [d["credentials"] for d in downloads] == [[], []]


def test_result_urls_must_be_https_unless_the_store_is_a_loopback_sandbox() -> None:
    shop = resolve_target("my-shop.myshopify.com", "2026-10")
    sandbox = resolve_target("http://127.0.0.1:8787", "2026-10")
    check_result_url("https://storage.googleapis.com/b/1-final?Signature=x", shop)
    check_result_url("https://storage.googleapis.com/b/1-final?Signature=x", sandbox)
    check_result_url("http://127.0.0.1:8787/__sandbox/bulk/1.jsonl", sandbox)
    for url, target in [
        ("http://storage.googleapis.com/b/1-final?Signature=secret", shop),
        ("http://10.0.0.5/b/1.jsonl", sandbox),  # another host, even for a sandbox
        ("ftp://storage.googleapis.com/b/1", shop),
        ("/relative/1.jsonl", shop),
    ]:
        with pytest.raises(StoreError, match="only https is allowed") as raised:
            check_result_url(url, target)
        assert "secret" not in str(raised.value)


def test_usage_counts_every_bulk_call(store: Store, connect: Connect) -> None:
    store.control("POST", "bulk", {"hold": "RUNNING"})
    client = connect()
    polls = 0

    def release(update: dict[str, Any]) -> None:
        nonlocal polls
        polls += 1
        if polls == 3:
            store.control("POST", "bulk", {"hold": None})

    bulk_items(client, EVERYTHING, FAST, Recorder(release))
    served = store.control("GET", "stats")
    usage = client.usage
    assert usage.calls == served["requests"] and usage.actual_cost == served["actualCost"]
    assert usage.requested_cost == served["requestedCost"]
    assert usage.by_operation["BulkRunQuery"] == 1
    assert usage.by_operation["BulkPoll"] >= 3
    assert usage.actual_cost == 10 + usage.by_operation["BulkPoll"]  # mutation 10, poll 1 each


def test_2025_01_polls_the_current_operation_and_notices_when_it_is_not_ours(
    store: Store, connect: Connect
) -> None:
    store.control("POST", "bulk", {"hold": "RUNNING"})
    client = connect("2025-01")
    ours: list[str] = []

    def replace_ours(update: dict[str, Any]) -> None:
        """Another client of the app cancels ours and starts its own (one slot on 2025-01)."""
        if update.get("status") != "RUNNING" or ours:
            return
        ours.append(operations(store)[0]["id"])
        store.gql("2025-01", CANCEL, {"id": ours[0]})
        store.control("POST", "bulk", {"hold": None})
        while operations(store)[0]["status"] != "CANCELED":
            pass
        assert store.gql("2025-01", RUN_OTHER)["data"]["bulkOperationRunQuery"]["userErrors"] == []

    with pytest.raises(BulkUnavailable, match="no longer the app's current one"):
        BulkQuery(client, FAST, Recorder(replace_ours)).run(client.document("bulk_live_items").text)


def test_concurrency_per_version() -> None:
    assert [concurrency(v) for v in VERSIONS] == [1, 5, 5, 5]


def test_ctrl_c_while_running_cancels_the_operation(store: Store, connect: Connect) -> None:
    store.control("POST", "bulk", {"hold": "RUNNING"})
    client = connect()
    sleeps = 0

    def sleep(seconds: float) -> None:
        nonlocal sleeps
        sleeps += 1
        if sleeps == 2:
            raise KeyboardInterrupt

    query = BulkQuery(client, FAST, sleep=sleep)
    with pytest.raises(KeyboardInterrupt):
        query.run(client.document("bulk_live_items").text)
    store.control("POST", "bulk", {"hold": None})
    assert operations(store)[0]["status"] in ("CANCELING", "CANCELED")
    assert client.usage.by_operation["BulkCancel"] == 1


@pytest.mark.parametrize("version", ["2025-01", "2026-10"])
def test_a_lost_answer_takes_up_the_operation_it_started(
    store: Store, connect: Connect, version: str
) -> None:
    """bulkOperationRunQuery applied, its answer lost: no second operation is started."""
    rule = {"kind": "lose_response", "operation": "bulkOperationRunQuery", "times": 1}
    store.control("POST", "faults", rule)
    store.control("POST", "bulk", {"hold": "RUNNING"})  # still running when looked for

    def release(update: dict[str, Any]) -> None:
        if update.get("status") == "RUNNING":
            store.control("POST", "bulk", {"hold": None})

    client = connect(version)
    items = bulk_items(client, EVERYTHING, FAST, Recorder(release))
    assert len(items) == 30
    assert [o["status"] for o in operations(store)] == ["COMPLETED"]
    assert client.usage.by_operation["BulkRecent"] == 1
