"""Fault injection on mutations: lost answers, HTTP errors, latency, throttling, sales."""

from __future__ import annotations

import time

import pytest
import requests
from gql import Client, GraphQLRequest
from gql.transport.requests import RequestsHTTPTransport

from tests.conftest import Store
from tests.sandbox.mutation_support import (
    MAIN,
    B,
    Shop,
    adjust_input,
    change,
    quantity_document,
    set_input,
)


def _fault(store: Store, **rule: object) -> None:
    store.control("POST", "faults", rule)


def test_lose_the_response_then_retry_with_the_same_key(store: Store) -> None:
    """The mutation commits, the client never hears; the retry gets the original answer."""
    shop = Shop.load(store)
    v = "2026-04"
    _fault(store, kind="lose_response", operation="inventoryAdjustQuantities")
    variables = {
        "input": adjust_input("available", [change(v, B, MAIN, 3, expected=7)]),
        "key": "k-lost",
    }
    document = quantity_document("inventoryAdjustQuantities", True)
    with pytest.raises(requests.ConnectionError):
        store.post(v, document, variables)
    assert shop.quantity(v, B, MAIN, "available") == 10  # applied although unanswered
    history = shop.history()
    assert len(history) == 1
    retry = store.gql(v, document, variables)
    group = retry["data"]["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"]
    assert group["id"] == history[0]["id"]
    assert retry["data"]["inventoryAdjustQuantities"]["userErrors"] == []
    assert shop.quantity(v, B, MAIN, "available") == 10  # applied once
    assert len(shop.history()) == 1


def test_a_lost_response_with_a_status_and_no_body(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-10"
    _fault(store, kind="lose_response", operation="inventorySetQuantities", status=504)
    variables = {"input": set_input(v, [(B, MAIN, 11, 7)]), "key": "k-504"}
    document = quantity_document("inventorySetQuantities", True)
    response = store.post(v, document, variables)
    assert (response.status_code, response.content) == (504, b"")
    assert shop.quantity(v, B, MAIN, "available") == 11
    # Without the key the retry would be a second, stale write; with it, a replay.
    replay = store.gql(v, document, variables)
    assert replay["data"]["inventorySetQuantities"]["userErrors"] == []
    assert len(shop.history()) == 1


def test_without_a_key_a_retry_after_a_lost_answer_applies_twice(store: Store) -> None:
    """Why keys matter: 2025-01 has none, so a blind retry doubles the delta."""
    shop = Shop.load(store)
    v = "2025-01"
    _fault(store, kind="lose_response", operation="inventoryAdjustQuantities")
    inp = adjust_input("available", [change(v, B, MAIN, 3)])
    with pytest.raises(requests.ConnectionError):
        shop.adjust(v, inp, key=None)
    assert shop.adjust(v, inp, key=None)["userErrors"] == []
    assert shop.quantity(v, B, MAIN, "available") == 13
    assert len(shop.history()) == 2


def test_http_error_before_anything_happens(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-04"
    _fault(store, kind="http_error", operation="inventorySetQuantities", status=503, times=2)
    transport = RequestsHTTPTransport(
        url=store.graphql_url(v), headers={"X-Shopify-Access-Token": store.token}, retries=0
    )
    client = Client(transport=transport, fetch_schema_from_transport=False)
    request = GraphQLRequest(
        quantity_document("inventorySetQuantities", True),
        variable_values={"input": set_input(v, [(B, MAIN, 9, 7)]), "key": "k-503"},
    )
    document = quantity_document("inventorySetQuantities", True)
    for _ in range(2):
        response = store.post(v, document, request.variable_values)
        assert response.status_code == 503
        assert response.json() == {"errors": "Injected HTTP 503"}
        assert response.headers["X-Shopify-API-Version"] == v
    assert shop.quantity(v, B, MAIN, "available") == 7
    # The key was never claimed: the third attempt applies normally.
    result = client.execute(request)
    assert result["inventorySetQuantities"]["userErrors"] == []
    assert shop.quantity(v, B, MAIN, "available") == 9
    # The fault only matched its operation; a read went through all along.
    listing = store.control("GET", "faults")["faults"]
    assert [(f["kind"], f["fired"]) for f in listing] == [("http_error", 2)]


def test_latency_before_and_during(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-04"
    _fault(store, kind="latency", operation="inventorySetQuantities", seconds=0.4)
    _fault(store, kind="latency", phase="during", operation="inventorySetQuantities", seconds=0.4)
    started = time.monotonic()
    assert shop.set(v, set_input(v, [(B, MAIN, 9, 7)]))["userErrors"] == []
    assert time.monotonic() - started >= 0.8
    started = time.monotonic()
    assert shop.set(v, set_input(v, [(B, MAIN, 10, 9)]))["userErrors"] == []
    assert time.monotonic() - started < 0.4  # each rule fires once by default


def test_skip_and_times_choose_which_requests_fail(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-04"
    _fault(store, kind="http_error", operation="inventoryAdjustQuantities", skip=1, times=1)
    inp = adjust_input("available", [change(v, B, MAIN, 1)])
    assert shop.adjust(v, inp)["userErrors"] == []  # skipped
    failed = store.post(
        v, quantity_document("inventoryAdjustQuantities", True), {"input": inp, "key": "k2"}
    )
    assert failed.status_code == 503
    assert shop.adjust(v, inp)["userErrors"] == []
    assert shop.quantity(v, B, MAIN, "available") == 9


def test_throttle_fault_refuses_without_applying(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-04"
    _fault(store, kind="throttle", operation="inventorySetQuantities")
    body = shop.quantity_mutation(v, "inventorySetQuantities", set_input(v, [(B, MAIN, 9, 7)]))
    assert "data" not in body
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {
                "code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits",
            },
        }
    ]
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert shop.quantity(v, B, MAIN, "available") == 7


def test_a_sale_fault_for_an_unstocked_pair_is_ignored(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-04"
    second = "gid://shopify/Location/1002"
    _fault(
        store,
        kind="sale",
        operation="inventorySetQuantities",
        inventoryItemId=B,
        locationId=second,
        quantity=1,
    )
    assert shop.set(v, set_input(v, [(B, MAIN, 9, 7)]))["userErrors"] == []
    assert shop.history()[0]["reason"] == "correction"
    assert len(shop.history()) == 1


def test_an_unknown_fault_kind_is_refused(store: Store) -> None:
    response = store.http.post(f"{store.url}/__sandbox/faults", json={"kind": "meteor"}, timeout=10)
    assert response.status_code == 400
    assert response.json() == {
        "error": "kind must be one of http_error, throttle, latency, lose_response, sale, "
        "internal_error"
    }
