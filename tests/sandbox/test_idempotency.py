"""``@idempotent(key:)`` per version: undefined in 2025-01, optional in 2026-01, required from
2026-04; replays, mismatches, concurrency, failed attempts, per-app keys."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.requests import RequestsHTTPTransport

from tests.conftest import Store
from tests.sandbox.mutation_support import (
    EMPTY,
    EMPTY_NAME,
    MAIN,
    PAYLOAD,
    B,
    Shop,
    adjust_input,
    change,
    mutation_document,
    quantity_document,
    set_input,
)

MISMATCH = {
    "field": None,
    "message": "The same idempotency key cannot be used with different operation parameters.",
    "code": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
}
BAD_REQUEST_MESSAGE = (
    "The @idempotent directive is required for this mutation but was not provided."
)


def _client(store: Store, version: str, token: str | None = None) -> Client:
    transport = RequestsHTTPTransport(
        url=store.graphql_url(version),
        headers={"X-Shopify-Access-Token": token or store.token},
        timeout=30,
        retries=0,
    )
    return Client(transport=transport, fetch_schema_from_transport=False)


def test_2025_01_does_not_know_the_directive(store: Store) -> None:
    Shop.load(store)
    document = quantity_document("inventorySetQuantities", True)
    body = store.gql(
        "2025-01", document, {"input": set_input("2025-01", [(B, MAIN, 9, 7)]), "key": "k1"}
    )
    lines = document.splitlines()
    assert body == {
        "errors": [
            {
                "message": "Directive @idempotent is not defined",
                "locations": [{"line": 2, "column": lines[1].index("@idempotent") + 1}],
                "path": ["mutation M", "inventorySetQuantities"],
                "extensions": {"code": "undefinedDirective", "directiveName": "idempotent"},
            },
            {
                "message": "Variable $key is declared by M but not used",
                # GraphQL-Ruby points an unused variable at its operation (captured).
                "locations": [{"line": 1, "column": 1}],
                "path": ["mutation M"],
                "extensions": {"code": "variableNotUsed", "variableName": "key"},
            },
        ]
    }
    assert Shop(store).history() == []


def test_2026_01_takes_the_directive_or_not(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-01"
    assert shop.set(v, set_input(v, [(B, MAIN, 8, 7)]), key=None)["userErrors"] == []
    assert shop.set(v, set_input(v, [(B, MAIN, 9, 8)]), key="k-2026-01")["userErrors"] == []
    assert shop.quantity(v, B, MAIN, "available") == 9


REQUIRED_CASES: list[tuple[str, dict[str, Any]]] = [
    ("inventorySetQuantities", set_input("2026-04", [(B, MAIN, 9, 7)])),
    ("inventoryAdjustQuantities", adjust_input("available", [change("2026-04", B, MAIN, 1)])),
    (
        "inventoryMoveQuantities",
        {
            "reason": "correction",
            "referenceDocumentUri": "logistics://m/1",
            "changes": [
                {
                    "inventoryItemId": B,
                    "quantity": 1,
                    "from": {"locationId": MAIN, "name": "available", "changeFromQuantity": None},
                    "to": {
                        "locationId": MAIN,
                        "name": "damaged",
                        "changeFromQuantity": None,
                        "ledgerDocumentUri": "ledger://m/1",
                    },
                }
            ],
        },
    ),
    (
        "inventorySetOnHandQuantities",
        {
            "reason": "correction",
            "setQuantities": [
                {"inventoryItemId": B, "locationId": MAIN, "quantity": 3, "changeFromQuantity": 7}
            ],
        },
    ),
]


@pytest.mark.parametrize("version", ["2026-04", "2026-10"])
@pytest.mark.parametrize(("root", "inp"), REQUIRED_CASES)
def test_the_directive_is_required_from_2026_04(
    store: Store, version: str, root: str, inp: dict[str, Any]
) -> None:
    shop = Shop.load(store)
    minimal = "inventoryAdjustmentGroup { id } userErrors { field message }"
    body = store.gql(version, quantity_document(root, False, minimal), {"input": inp})
    assert list(body) == ["errors", "data", "extensions"]
    assert body["errors"] == [
        {
            "message": BAD_REQUEST_MESSAGE,
            "locations": [{"line": 2, "column": 3}],
            "extensions": {"code": "BAD_REQUEST"},
            "path": [root],
        }
    ]
    assert list(body["errors"][0]) == ["message", "locations", "extensions", "path"]
    assert body["data"] == {root: None}
    cost = body["extensions"]["cost"]
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (10, 10)
    assert cost["throttleStatus"]["currentlyAvailable"] == 1990  # the cost is charged
    assert shop.history() == []


@pytest.mark.parametrize("version", ["2026-04", "2026-10"])
def test_activate_requires_the_directive_but_deactivate_and_others_do_not(
    store: Store, version: str
) -> None:
    Shop.load(store)
    activate = mutation_document(
        "inventoryActivate",
        "inventoryItemId: $item, locationId: $loc",
        "$item: ID!, $loc: ID!",
        "inventoryLevel { id } userErrors { field message }",
        key=False,
    )
    body = store.gql(version, activate, {"item": B, "loc": EMPTY})
    assert body["errors"] == [
        {
            "message": BAD_REQUEST_MESSAGE,
            "locations": [{"line": 2, "column": 3}],
            "extensions": {"code": "BAD_REQUEST"},
            "path": ["inventoryActivate"],
        }
    ]
    assert body["data"] == {"inventoryActivate": None}
    update = mutation_document(
        "inventoryItemUpdate",
        "id: $id, input: $input",
        "$id: ID!, $input: InventoryItemInput!",
        "inventoryItem { id sku } userErrors { field message }",
        key=False,
    )
    body = store.gql(version, update, {"id": B, "input": {"sku": "B-2b"}})
    assert body["data"]["inventoryItemUpdate"] == {
        "inventoryItem": {"id": B, "sku": "B-2b"},
        "userErrors": [],
    }
    # inventoryDeactivate accepts the directive silently (captured 2026-04) and needs none.
    deactivate = mutation_document(
        "inventoryDeactivate",
        "inventoryLevelId: $id",
        "$id: ID!",
        "userErrors { field message }",
        key=True,
    )
    level = "gid://shopify/InventoryLevel/140000001002?inventory_item_id=2001"
    body = store.gql(version, deactivate, {"id": level, "key": "k-deactivate"})
    assert body["data"] == {"inventoryDeactivate": {"userErrors": []}}


@pytest.mark.parametrize("key", ["", " ", "\t \n"])
def test_an_empty_or_blank_key_is_refused(store: Store, key: str) -> None:
    shop = Shop.load(store)
    body = shop.quantity_mutation(
        "2026-04", "inventorySetQuantities", set_input("2026-04", [(B, MAIN, 9, 7)]), key=key
    )
    assert body["errors"] == [
        {
            "message": "The idempotency key cannot be an empty string or whitespace only.",
            "locations": [{"line": 2, "column": 3}],
            "extensions": {"code": "BAD_REQUEST"},
            "path": ["inventorySetQuantities"],
        }
    ]
    assert body["data"] == {"inventorySetQuantities": None}
    assert shop.quantity("2026-04", B, MAIN, "available") == 7


@pytest.mark.parametrize("version", ["2026-01", "2026-04", "2026-10"])
def test_a_replay_returns_the_original_result_and_applies_once(store: Store, version: str) -> None:
    shop = Shop.load(store)
    client = _client(store, version)
    variables = {
        "input": adjust_input("available", [change(version, B, MAIN, 5, expected=7)]),
        "key": "a6f0c2a4-retry",
    }
    request = GraphQLRequest(
        quantity_document("inventoryAdjustQuantities", True), variable_values=variables
    )
    first = client.execute(request)
    group = first["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"]
    assert group is not None
    # The retry would now be stale (available is 12, it expects 7): only a replay succeeds.
    second = client.execute(request)
    assert second == first
    assert shop.quantity(version, B, MAIN, "available") == 12
    assert [g["id"] for g in shop.history()] == [group["id"]]


@pytest.mark.parametrize("version", ["2026-01", "2026-04", "2026-10"])
def test_the_same_key_with_other_parameters_is_refused(store: Store, version: str) -> None:
    shop = Shop.load(store)
    assert shop.set(version, set_input(version, [(B, MAIN, 9, 7)]), key="k1")["userErrors"] == []
    other = shop.set(version, set_input(version, [(B, MAIN, 10, 9)]), key="k1")
    assert other == {"inventoryAdjustmentGroup": None, "userErrors": [MISMATCH]}
    # Another mutation under the same key is "other parameters" too.
    adjust = shop.adjust(
        version, adjust_input("available", [change(version, B, MAIN, 1)]), key="k1"
    )
    assert adjust == {"inventoryAdjustmentGroup": None, "userErrors": [MISMATCH]}
    assert shop.quantity(version, B, MAIN, "available") == 9
    assert len(shop.history()) == 1


def test_a_request_refused_with_user_errors_does_not_use_the_key_up(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-04"
    refused = shop.set(v, set_input(v, [(B, MAIN, 9, 7)], reason="typo"), key="k-fix-me")
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_REASON"]
    stale = shop.set(v, set_input(v, [(B, MAIN, 9, 3)]), key="k-fix-me")
    assert [e["code"] for e in stale["userErrors"]] == ["CHANGE_FROM_QUANTITY_STALE"]
    fixed = shop.set(v, set_input(v, [(B, MAIN, 9, 7)]), key="k-fix-me")
    assert fixed["userErrors"] == []
    assert shop.quantity(v, B, MAIN, "available") == 9


def test_a_concurrent_retry_is_told_the_first_is_in_progress(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-04"
    store.control(
        "POST",
        "faults",
        {
            "kind": "latency",
            "phase": "during",
            "seconds": 1.0,
            "operation": "inventorySetQuantities",
        },
    )
    inp = set_input(v, [(B, MAIN, 9, 7)])
    results: dict[str, dict[str, Any]] = {}

    def send(name: str) -> None:
        results[name] = Shop(Store(store.sandbox)).set(v, inp, key="k-concurrent")

    first = threading.Thread(target=send, args=("first",))
    first.start()
    threading.Event().wait(0.3)  # the first request holds the key, sleeping inside it
    send("second")
    first.join()
    assert results["second"] == {
        "inventoryAdjustmentGroup": None,
        "userErrors": [
            {
                "field": None,
                "message": "This request is currently in progress, please try again.",
                "code": "IDEMPOTENCY_CONCURRENT_REQUEST",
            }
        ],
    }
    assert results["first"]["userErrors"] == []
    # Once done, the retry is answered with the original result.
    assert shop.set(v, inp, key="k-concurrent") == results["first"]
    assert shop.quantity(v, B, MAIN, "available") == 9
    assert len(shop.history()) == 1


def test_a_failed_attempt_poisons_its_key(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-04"
    store.control(
        "POST", "faults", {"kind": "internal_error", "operation": "inventorySetQuantities"}
    )
    inp = set_input(v, [(B, MAIN, 9, 7)])
    response = store.post(
        v, quantity_document("inventorySetQuantities", True), {"input": inp, "key": "k-broken"}
    )
    request_id = response.headers["X-Request-Id"]
    assert response.json() == {
        "errors": [
            {
                "message": "Internal error. Looks like something went wrong on our end.\n"
                f"Request ID: {request_id} (include this in support requests).",
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
            }
        ]
    }
    assert shop.quantity(v, B, MAIN, "available") == 7  # nothing was applied
    retry = shop.set(v, inp, key="k-broken")
    assert retry == {
        "inventoryAdjustmentGroup": None,
        "userErrors": [
            {
                "field": None,
                "message": "A previous request with this idempotency key failed. Retry with a "
                "new idempotency key.",
                "code": "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED",
            }
        ],
    }
    assert shop.set(v, inp, key="k-new")["userErrors"] == []
    assert shop.quantity(v, B, MAIN, "available") == 9


def test_keys_belong_to_one_app(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-04"
    store.control("POST", "tokens", {"token": "other-app-token", "app": "Other App"})
    variables = {
        "input": adjust_input("available", [change(v, B, MAIN, 1, expected=None)]),
        "key": "shared-key",
    }
    request = GraphQLRequest(
        quantity_document("inventoryAdjustQuantities", True), variable_values=variables
    )
    ours = _client(store, v).execute(request)
    theirs = _client(store, v, "other-app-token").execute(request)
    ours_group = ours["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"]
    theirs_group = theirs["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"]
    assert ours_group["id"] != theirs_group["id"]
    assert ours_group["app"] == {"title": "reconciler-sandbox"}
    assert theirs_group["app"] == {"title": "Other App"}
    assert shop.quantity(v, B, MAIN, "available") == 9
    # Each app's replay is its own.
    again = _client(store, v, "other-app-token").execute(request)
    assert again == theirs
    assert shop.quantity(v, B, MAIN, "available") == 9


def test_activate_replays_instead_of_reactivating(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-04"
    document = mutation_document(
        "inventoryActivate",
        "inventoryItemId: $item, locationId: $loc, onHand: $onHand",
        "$item: ID!, $loc: ID!, $onHand: Int",
        'inventoryLevel { id isActive quantities(names: ["available", "on_hand"]) '
        "{ name quantity } } userErrors { field message }",
        key=True,
    )
    variables = {"item": B, "loc": EMPTY, "onHand": 5, "key": "k-activate"}
    first = store.gql(v, document, variables)
    assert first["data"]["inventoryActivate"]["userErrors"] == []
    again = store.gql(v, document, variables)
    assert again["data"] == first["data"]  # no "already active" error: a replay
    other = store.gql(v, document, {**variables, "onHand": 6})
    assert other["data"]["inventoryActivate"] == {
        "inventoryLevel": None,
        "userErrors": [{"field": None, "message": MISMATCH["message"]}],
    }
    # Without the key, activating again with a quantity is Shopify's ordinary error.
    fresh = store.gql(v, document, {**variables, "key": "k-activate-2"})
    assert fresh["data"]["inventoryActivate"]["userErrors"] == [
        {
            "field": ["onHand"],
            "message": "Not allowed to set an on_hand quantity when the item is already active "
            "at the location.",
        }
    ]
    assert shop.quantity(v, B, EMPTY, "on_hand") == 5
    assert EMPTY_NAME == "Empty Depot"


def test_payload_selection_is_not_part_of_the_parameters(store: Store) -> None:
    """UNVERIFIED: the key covers the mutation's variables, not the selection set."""
    shop = Shop.load(store)
    v = "2026-10"
    inp = set_input(v, [(B, MAIN, 9, 7)])
    first = store.gql(
        v, quantity_document("inventorySetQuantities", True, PAYLOAD), {"input": inp, "key": "s"}
    )
    slim = store.gql(
        v,
        quantity_document("inventorySetQuantities", True, "inventoryAdjustmentGroup { id }"),
        {"input": inp, "key": "s"},
    )
    group = first["data"]["inventorySetQuantities"]["inventoryAdjustmentGroup"]
    assert slim["data"]["inventorySetQuantities"] == {
        "inventoryAdjustmentGroup": {"id": group["id"]}
    }
    assert len(shop.history()) == 1
