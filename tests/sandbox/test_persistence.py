"""A sandbox with ``db=<file>`` keeps its store across restarts; a snapshot at start replaces it.

Each test runs real servers one after the other on the same SQLite file, over HTTP.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from reconciler.sandbox import DEFAULT_TOKEN, Sandbox, SnapshotError
from tests.conftest import CALENDAR, demo_snapshot

ITEM = "gid://shopify/InventoryItem/43729030"
EAST = "gid://shopify/Location/68509171945"
ADJUST = """
mutation Adjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id reason changes { name delta } }
    userErrors { field message code }
  }
}
"""
ADJUST_INPUT = {
    "reason": "correction",
    "name": "available",
    "changes": [
        {"delta": -3, "inventoryItemId": ITEM, "locationId": EAST, "changeFromQuantity": 15}
    ],
}
LEVEL = f"""
{{ inventoryItem(id: "{ITEM}") {{ inventoryLevel(locationId: "{EAST}") {{
    quantities(names: ["available", "on_hand", "incoming"]) {{ name quantity }} }} }} }}
"""
RUN = """
mutation Run($query: String!) {
  bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { message } }
}
"""
POLL = "query Poll($id: ID!) { bulkOperation(id: $id) { id status errorCode objectCount url } }"
EXPORT = "{ inventoryItems { edges { node { id sku } } } }"


def gql(sandbox: Sandbox, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = requests.post(
        sandbox.graphql_url("2026-10"),
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": DEFAULT_TOKEN},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body


def control(sandbox: Sandbox, method: str, path: str, body: Any = None) -> Any:
    response = requests.request(method, f"{sandbox.url}/__sandbox/{path}", json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def quantities(sandbox: Sandbox) -> dict[str, int]:
    level = gql(sandbox, LEVEL)["data"]["inventoryItem"]["inventoryLevel"]
    return {q["name"]: q["quantity"] for q in level["quantities"]}


def finished(sandbox: Sandbox, gid: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        operation: dict[str, Any] = gql(sandbox, POLL, {"id": gid})["data"]["bulkOperation"]
        if operation["status"] not in ("CREATED", "RUNNING"):
            return operation
        assert time.monotonic() < deadline, operation
        time.sleep(0.02)


def test_state_survives_a_restart_without_snapshot(tmp_path: Path) -> None:
    db = str(tmp_path / "store.sqlite")
    key = str(uuid.uuid4())
    with Sandbox(demo_snapshot(), db=db, **CALENDAR) as first:
        adjusted = gql(first, ADJUST, {"input": ADJUST_INPUT, "key": key})
        payload = adjusted["data"]["inventoryAdjustQuantities"]
        assert payload["userErrors"] == []
        group = payload["inventoryAdjustmentGroup"]
        assert quantities(first) == {"available": 12, "on_hand": 12, "incoming": 48}
        history = control(first, "GET", "history")
        assert [g["id"] for g in history["adjustmentGroups"]] == [group["id"]]
        gid = gql(first, RUN, {"query": EXPORT})["data"]["bulkOperationRunQuery"]["bulkOperation"][
            "id"
        ]
        exported = finished(first, gid)
        assert exported["status"] == "COMPLETED"
        content = requests.get(exported["url"], timeout=30).content
        snapshot_before = control(first, "GET", "snapshot")
    assert Path(f"{db}.bulk").is_dir()

    with Sandbox(db=db, **CALENDAR) as second:  # no snapshot: carry on with the file
        assert quantities(second) == {"available": 12, "on_hand": 12, "incoming": 48}
        assert control(second, "GET", "history") == history
        assert control(second, "GET", "snapshot") == snapshot_before
        assert control(second, "GET", "health")["persistent"] is True
        # the idempotency key is remembered: a replay does not apply twice
        replay = gql(second, ADJUST, {"input": ADJUST_INPUT, "key": key})
        assert (
            replay["data"]["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"]["id"]
            == group["id"]
        )
        assert quantities(second) == {"available": 12, "on_hand": 12, "incoming": 48}
        # the finished export is still there, served from the new address
        again = finished(second, gid)
        assert again["status"] == "COMPLETED"
        assert again["url"].startswith(second.url)
        assert requests.get(again["url"], timeout=30).content == content
        shop = gql(second, "{ shop { name } }")["data"]["shop"]["name"]
        assert shop == "Northwind Outfitters"


def test_an_operation_left_unfinished_fails_on_the_next_start(tmp_path: Path) -> None:
    db = str(tmp_path / "store.sqlite")
    with Sandbox(demo_snapshot(), db=db, **CALENDAR) as first:
        control(first, "POST", "bulk", {"hold": "RUNNING"})
        gid = gql(first, RUN, {"query": EXPORT})["data"]["bulkOperationRunQuery"]["bulkOperation"][
            "id"
        ]
        deadline = time.monotonic() + 20
        while gql(first, POLL, {"id": gid})["data"]["bulkOperation"]["status"] != "RUNNING":
            assert time.monotonic() < deadline
    with Sandbox(db=db, **CALENDAR) as second:
        operation = gql(second, POLL, {"id": gid})["data"]["bulkOperation"]
        assert operation == {
            "id": gid,
            "status": "FAILED",
            "errorCode": "INTERNAL_SERVER_ERROR",
            "objectCount": "0",
            "url": None,
        }
        # and it no longer blocks new operations (2025-01 allows only one at a time)
        started = requests.post(
            second.graphql_url("2025-01"),
            json={"query": RUN, "variables": {"query": EXPORT}},
            headers={"X-Shopify-Access-Token": DEFAULT_TOKEN},
            timeout=30,
        ).json()
        assert started["data"]["bulkOperationRunQuery"]["userErrors"] == []


def test_a_restart_with_a_snapshot_replaces_the_stored_state(tmp_path: Path) -> None:
    db = str(tmp_path / "store.sqlite")
    with Sandbox(demo_snapshot(), db=db, **CALENDAR) as first:
        gql(first, ADJUST, {"input": ADJUST_INPUT, "key": str(uuid.uuid4())})
        assert quantities(first)["available"] == 12
    with Sandbox(demo_snapshot(), db=db, **CALENDAR) as second:
        assert quantities(second)["available"] == 15
        assert control(second, "GET", "history") == {"adjustmentGroups": []}


def test_an_invalid_snapshot_at_restart_leaves_the_file_alone(tmp_path: Path) -> None:
    db = str(tmp_path / "store.sqlite")
    with Sandbox(demo_snapshot(), db=db, **CALENDAR) as first:
        gql(first, ADJUST, {"input": ADJUST_INPUT, "key": str(uuid.uuid4())})
    bad = demo_snapshot()
    bad["locations"].append(bad["locations"][0])
    with pytest.raises(SnapshotError) as caught:
        Sandbox(bad, db=db, **CALENDAR)
    assert caught.value.problems == [
        "$.locations[3].id: duplicate location id gid://shopify/Location/68509171945 "
        "(also at $.locations[0])"
    ]
    with Sandbox(db=db, **CALENDAR) as again:
        assert quantities(again)["available"] == 12


def test_reset_of_a_store_started_without_snapshot_empties_it(tmp_path: Path) -> None:
    db = str(tmp_path / "store.sqlite")
    with Sandbox(demo_snapshot(), db=db, **CALENDAR):
        pass
    with Sandbox(db=db, **CALENDAR) as restarted:
        assert control(restarted, "GET", "health")["items"] == 30
        assert control(restarted, "POST", "reset") == {
            "ok": True,
            "locations": 0,
            "items": 0,
            "levels": 0,
            "adjustment_groups": 0,
        }
