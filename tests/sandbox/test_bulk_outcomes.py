"""Bulk outcomes a healthy local store never produces, scripted through the control plane, and
the sandbox's choices where Shopify is silent (reconciler/sandbox/bulk.py docstring).

Each is what a client must survive on Shopify: FAILED with each errorCode and partial data,
EXPIRED, an expired result URL, LIMIT_REACHED, an export with no results (null url), and the
per-app scope check. Result downloads are logged with whether they carried credentials.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.conftest import Store
from tests.sandbox.test_bulk import ITEMS_AND_LEVELS, RUN, hold, run, start, wait

ITEMS = "{ inventoryItems { edges { node { id sku } } } }"
NO_ITEMS = "{ inventoryItems(query: \"sku:'NO-SUCH-SKU'\") { edges { node { id sku } } } }"


def script(store: Store, **spec: Any) -> dict[str, Any]:
    answer: dict[str, Any] = store.control("POST", "bulk", spec)
    return answer


def lines(url: str) -> list[str]:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, response.text
    return response.text.splitlines()


@pytest.mark.parametrize("code", ["TIMEOUT", "INTERNAL_SERVER_ERROR", "ACCESS_DENIED"])
def test_a_scripted_failure_keeps_what_it_wrote_at_partial_data_url(
    store: Store, code: str
) -> None:
    script(store, fail={"errorCode": code, "afterObjects": 7})
    operation = wait(store, start(store, ITEMS_AND_LEVELS)["id"])
    assert (operation["status"], operation["errorCode"]) == ("FAILED", code)
    assert operation["url"] is None
    assert operation["objectCount"] == "7"
    assert operation["partialDataUrl"] is not None
    assert len(lines(operation["partialDataUrl"])) == 7
    # only the next operation was scripted
    assert wait(store, start(store, ITEMS)["id"])["status"] == "COMPLETED"


def test_a_failure_before_any_data_has_no_partial_data_url(store: Store) -> None:
    script(store, fail={"errorCode": "TIMEOUT", "afterObjects": 0, "times": 2})
    for _ in range(2):
        operation = wait(store, start(store, ITEMS)["id"])
        assert (operation["status"], operation["errorCode"]) == ("FAILED", "TIMEOUT")
        assert operation["partialDataUrl"] is None and operation["objectCount"] == "0"
    assert wait(store, start(store, ITEMS)["id"])["status"] == "COMPLETED"


def test_a_failure_scripted_after_more_objects_than_exist_still_fails_with_all_of_them(
    store: Store,
) -> None:
    script(store, fail={"errorCode": "INTERNAL_SERVER_ERROR", "afterObjects": 10_000})
    operation = wait(store, start(store, ITEMS)["id"])
    assert operation["status"] == "FAILED"
    assert len(lines(operation["partialDataUrl"])) == 30


def test_a_token_without_read_inventory_fails_access_denied_with_no_data(store: Store) -> None:
    store.control("POST", "tokens", {"token": "locations-only", "scopes": ["read_locations"]})
    body = store.post("2026-10", RUN, {"query": ITEMS}, token="locations-only").json()
    gid = body["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
    poll = "query($id: ID!) { bulkOperation(id: $id) { status errorCode partialDataUrl url } }"
    for _ in range(500):
        answer = store.post("2026-10", poll, {"id": gid}, token="locations-only").json()
        operation = answer["data"]["bulkOperation"]
        if operation["status"] not in ("CREATED", "RUNNING"):
            break
    assert operation == {
        "status": "FAILED",
        "errorCode": "ACCESS_DENIED",
        "partialDataUrl": None,
        "url": None,
    }


def test_no_results_complete_with_a_null_url(store: Store) -> None:
    operation = wait(store, start(store, NO_ITEMS)["id"])
    assert operation["status"] == "COMPLETED"
    assert (operation["objectCount"], operation["url"], operation["fileSize"]) == ("0", None, None)


def test_expire_ends_expired_with_a_null_url(store: Store) -> None:
    script(store, expire=1)
    operation = wait(store, start(store, ITEMS)["id"])
    assert operation["status"] == "EXPIRED"
    assert operation["url"] is None and operation["completedAt"] is not None
    assert operation["objectCount"] == "30" and operation["fileSize"] is not None
    gone = requests.get(f"{store.url}/__sandbox/bulk/{operation['id'].split('/')[-1]}.jsonl")
    assert gone.status_code == 400 and b"<Code>ExpiredToken</Code>" in gone.content


def test_an_expired_url_answers_like_an_expired_signed_url(store: Store) -> None:
    script(store, expireUrl=1)
    operation = wait(store, start(store, ITEMS)["id"])
    assert operation["status"] == "COMPLETED" and operation["url"] is not None
    response = requests.get(operation["url"], timeout=30)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/xml; charset=UTF-8"
    assert b"<Code>ExpiredToken</Code>" in response.content
    fresh = wait(store, start(store, ITEMS)["id"])
    assert len(lines(fresh["url"])) == 30


def test_limit_reached_is_answered_where_the_version_has_the_code(store: Store) -> None:
    script(store, limitReached=1)
    old = run(store, ITEMS, "2025-01")  # 2025-01's enum has no LIMIT_REACHED: not consumed
    assert old["userErrors"] == []
    wait(store, old["bulkOperation"]["id"])  # polled on 2026-10: same app, same operation
    payload = run(store, ITEMS, "2026-01")
    assert payload == {
        "bulkOperation": None,
        "userErrors": [
            {
                "field": None,
                "message": "Bulk operations limit reached. Please try again later.",
                "code": "LIMIT_REACHED",
            }
        ],
    }
    assert run(store, ITEMS, "2026-01")["userErrors"] == []


def test_downloads_are_logged_with_the_credentials_they_carried(store: Store) -> None:
    operation = wait(store, start(store, ITEMS)["id"])
    requests.get(operation["url"], timeout=30)
    requests.get(operation["url"], headers={"X-Shopify-Access-Token": "leak"}, timeout=30)
    assert [d["credentials"] for d in store.control("GET", "bulk")["downloads"]] == [
        [],
        ["x-shopify-access-token"],
    ]


def test_holding_and_scripting_compose(store: Store) -> None:
    hold(store, "RUNNING")
    described = script(store, fail={"errorCode": "TIMEOUT", "times": 2}, expire=3)
    assert described["hold"] == "RUNNING"  # kept: the request did not name it
    assert described["fail"] == [{"errorCode": "TIMEOUT", "afterObjects": 0}] * 2
    assert described["expire"] == 3
    cleared = script(store, fail=None, expire=None, hold=None)
    assert (cleared["hold"], cleared["fail"], cleared["expire"]) == (None, [], 0)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"fail": {"errorCode": "OOPS"}}, "fail.errorCode must be one of ACCESS_DENIED, "),
        ({"fail": {"errorCode": "TIMEOUT", "after": 1}}, "unknown fail field(s) after"),
        ({"fail": "TIMEOUT"}, 'fail must be {"errorCode", "afterObjects", "times"} or null'),
        ({"expire": -1}, "expire must be a non-negative integer or null"),
        ({"limitReached": True}, "limitReached must be a non-negative integer or null"),
        ({"expires": 1}, "unknown field(s) expires; expected one or more of hold, fail"),
    ],
)
def test_bad_scripts_are_400_and_change_nothing(
    store: Store, body: dict[str, Any], message: str
) -> None:
    response = requests.post(f"{store.url}/__sandbox/bulk", json=body, timeout=30)
    assert response.status_code == 400
    assert response.json()["error"].startswith(message)
    assert store.control("GET", "bulk")["fail"] == []
