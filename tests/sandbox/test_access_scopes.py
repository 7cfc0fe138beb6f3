"""Access scopes: a field the app may not read is null with ACCESS_DENIED, the rest is served.

Tokens with limited scopes come from the control plane (``POST /__sandbox/tokens``). The
default token has read/write inventory, read locations and read products, but not
``read_users`` — like the recording app, which got ACCESS_DENIED on ``staffMember`` while its
adjustment applied (captures: cap-vbts 2025-01 inventory-adjust-quantities-parity).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import Store

EAST = 68509171945
BLK_S = 43729033
DOCS = "https://shopify.dev/api/usage/access-scopes"
STAFF_ACCESS = (
    "`read_users` access scope. Also: The app must be a finance embedded app or installed on a "
    "Shopify Plus or Advanced store. Contact Shopify Support to enable this scope for your app."
)


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def _token(store: Store, *scopes: str) -> str:
    token = f"app-{uuid.uuid4().hex[:8]}"
    store.control("POST", "tokens", {"token": token, "scopes": list(scopes)})
    return token


def _as(
    store: Store, token: str, version: str, query: str, variables: dict[str, Any] | None = None
) -> Any:
    response = store.post(version, query, variables, token=token)
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("version", ["2026-01", "2026-04", "2026-10"])
def test_without_inventory_or_product_scopes_items_are_denied(store: Store, version: str) -> None:
    token = _token(store, "read_locations")
    query = (
        "query Items {\n  inventoryItems(first: 2) { nodes { sku } }\n  locationsCount { count }\n}"
    )
    body = _as(store, token, version, query)
    assert body["errors"] == [
        {
            "message": (
                "Access denied for inventoryItems field. Required access: `read_inventory` access "
                "scope or `read_products` access scope."
            ),
            "locations": [{"line": 2, "column": 3}],
            "extensions": {
                "code": "ACCESS_DENIED",
                "documentation": DOCS,
                "requiredAccess": "`read_inventory` access scope or `read_products` access scope.",
            },
            "path": ["inventoryItems"],
        }
    ]
    assert list(body["errors"][0]) == ["message", "locations", "extensions", "path"]
    # inventoryItems is non-null, so the null reaches the root (as for `orders` on Shopify)
    assert body["data"] is None
    found = body["extensions"]["cost"]
    # requested: the connection 2 + 1, and a root count 10 (captures §1.6)
    assert (found["requestedQueryCost"], found["actualQueryCost"]) == (13, 2)


def test_a_nullable_denied_field_leaves_its_siblings(store: Store) -> None:
    token = _token(store, "read_locations")
    query = "query P($id: ID!) { inventoryItem(id: $id) { sku } location { name } }"
    body = _as(store, token, "2026-04", query, {"id": gid("InventoryItem", BLK_S)})
    assert body["data"] == {"inventoryItem": None, "location": {"name": "East Warehouse"}}
    assert [(e["path"], e["extensions"]["requiredAccess"]) for e in body["errors"]] == [
        (["inventoryItem"], "`read_inventory` access scope or `read_products` access scope.")
    ]


def test_variants_need_read_products(store: Store) -> None:
    token = _token(store, "read_inventory")
    query = "query I($id: ID!) { inventoryItem(id: $id) { sku variant { id } } }"
    body = _as(store, token, "2026-04", query, {"id": gid("InventoryItem", BLK_S)})
    assert body["errors"][0]["path"] == ["inventoryItem", "variant"]
    assert body["errors"][0]["extensions"]["requiredAccess"] == "`read_products` access scope."
    assert body["data"] == {"inventoryItem": None}  # variant is ProductVariant!


def test_a_write_without_write_scope_is_denied_and_changes_nothing(store: Store) -> None:
    token = _token(store, "read_inventory")
    document = """mutation Adjust($input: InventoryAdjustQuantitiesInput!) {
      inventoryAdjustQuantities(input: $input) { inventoryAdjustmentGroup { id } userErrors { message } } }"""
    change = {
        "inventoryItemId": gid("InventoryItem", BLK_S),
        "locationId": gid("Location", EAST),
        "delta": 5,
    }
    value = {"name": "available", "reason": "correction", "changes": [change]}
    body = _as(store, token, "2026-01", document, {"input": value})
    assert body["data"] == {"inventoryAdjustQuantities": None}
    assert body["errors"][0]["message"] == (
        "Access denied for inventoryAdjustQuantities field. Required access: `write_inventory` "
        "access scope. Also: The user must have a permission to apply changes to inventory quantities."
    )
    assert store.control("GET", "history")["adjustmentGroups"] == []


@pytest.mark.parametrize("version", ["2025-01", "2026-01"])
def test_staff_member_is_denied_but_the_adjustment_applied(store: Store, version: str) -> None:
    document = """mutation Adjust($input: InventoryAdjustQuantitiesInput!) {
  inventoryAdjustQuantities(input: $input) {
    inventoryAdjustmentGroup {
      id
      reason
      app { title }
      staffMember { id }
      changes { name delta item { id } location { id name } }
    }
    userErrors { field message }
  }
}"""
    change = {
        "inventoryItemId": gid("InventoryItem", BLK_S),
        "locationId": gid("Location", EAST),
        "delta": -2,
    }
    value = {"name": "available", "reason": "correction", "changes": [change]}
    body = store.gql(version, document, {"input": value})
    assert body["errors"] == [
        {
            "message": f"Access denied for staffMember field. Required access: {STAFF_ACCESS}",
            "locations": [{"line": 7, "column": 7}],
            "extensions": {
                "code": "ACCESS_DENIED",
                "documentation": DOCS,
                "requiredAccess": STAFF_ACCESS,
            },
            "path": ["inventoryAdjustQuantities", "inventoryAdjustmentGroup", "staffMember"],
        }
    ]
    group = body["data"]["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"]
    assert group["staffMember"] is None
    assert [(c["name"], c["delta"]) for c in group["changes"]] == [
        ("available", -2),
        ("on_hand", -2),
    ]
    # captured: a denied field stays charged — requested 15, actual 15
    found = body["extensions"]["cost"]
    assert (found["requestedQueryCost"], found["actualQueryCost"]) == (15, 15)
    level = store.gql(
        version,
        'query L($id: ID!) { inventoryLevel(id: $id) { quantities(names: ["available"]) { quantity } } }',
        {"id": f"gid://shopify/InventoryLevel/{140_000_000_000 + EAST}?inventory_item_id={BLK_S}"},
    )
    assert level["data"]["inventoryLevel"]["quantities"] == [{"quantity": 22}]  # 24 - 2


def test_a_token_with_read_users_sees_staff_member(store: Store) -> None:
    token = _token(store, "read_inventory", "write_inventory", "read_users")
    document = """mutation Adjust($input: InventoryAdjustQuantitiesInput!) {
      inventoryAdjustQuantities(input: $input) { inventoryAdjustmentGroup { staffMember { id } } } }"""
    change = {
        "inventoryItemId": gid("InventoryItem", BLK_S),
        "locationId": gid("Location", EAST),
        "delta": 1,
    }
    value = {"name": "available", "reason": "correction", "changes": [change]}
    body = _as(store, token, "2026-01", document, {"input": value})
    assert "errors" not in body
    # an app, not a staff member, made the change
    assert body["data"] == {
        "inventoryAdjustQuantities": {"inventoryAdjustmentGroup": {"staffMember": None}}
    }
