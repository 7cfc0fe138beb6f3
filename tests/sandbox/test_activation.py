"""Stocking and unstocking: inventoryActivate, inventoryDeactivate,
inventoryBulkToggleActivation, and the 2026-04 switch to inactive levels that keep quantities."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Store
from tests.sandbox.mutation_support import (
    AUTO,
    CLOSED,
    EMPTY,
    MAIN,
    SECOND,
    UNKNOWN_ITEM,
    UNKNOWN_LOCATION,
    VERSIONS,
    A,
    B,
    C,
    Shop,
    idempotency_key,
    level_gid,
    mutation_document,
)

QUANTITIES = (
    'quantities(names: ["available", "on_hand", "committed", "reserved"]) '
    "{ name quantity updatedAt }"
)
LEVEL = f"id location {{ id }} {QUANTITIES}"
UTC_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def _activate(
    store: Store,
    version: str,
    inventory_item: str,
    location: str,
    available: int | None = None,
    on_hand: int | None = None,
) -> dict[str, Any]:
    # Required from 2026-04; a fresh key per call (each call is a distinct operation).
    key = idempotency_key(version, AUTO) if version >= "2026-04" else None
    document = mutation_document(
        "inventoryActivate",
        "inventoryItemId: $item, locationId: $loc, available: $available, onHand: $onHand",
        "$item: ID!, $loc: ID!, $available: Int, $onHand: Int",
        f"inventoryLevel {{ {LEVEL} }} userErrors {{ field message }}",
        key=key is not None,
    )
    variables: dict[str, Any] = {"item": inventory_item, "loc": location}
    if available is not None:
        variables["available"] = available
    if on_hand is not None:
        variables["onHand"] = on_hand
    if key is not None:
        variables["key"] = key
    body = store.gql(version, document, variables)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["inventoryActivate"]
    return result


def _deactivate(store: Store, version: str, level_id: str) -> list[dict[str, Any]]:
    document = mutation_document(
        "inventoryDeactivate",
        "inventoryLevelId: $id",
        "$id: ID!",
        "userErrors { field message }",
        key=False,
    )
    body = store.gql(version, document, {"id": level_id})
    assert "errors" not in body, body
    errors: list[dict[str, Any]] = body["data"]["inventoryDeactivate"]["userErrors"]
    return errors


def _toggle(
    store: Store, version: str, inventory_item: str, updates: list[tuple[str, bool]]
) -> dict[str, Any]:
    document = mutation_document(
        "inventoryBulkToggleActivation",
        "inventoryItemId: $item, inventoryItemUpdates: $updates",
        "$item: ID!, $updates: [InventoryBulkToggleActivationInput!]!",
        "inventoryItem { id } inventoryLevels { id } userErrors { field message code }",
        key=False,
    )
    variables = {
        "item": inventory_item,
        "updates": [{"locationId": loc, "activate": on} for loc, on in updates],
    }
    body = store.gql(version, document, variables)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["inventoryBulkToggleActivation"]
    return result


def _amounts(level: dict[str, Any] | None) -> dict[str, int]:
    assert level is not None
    return {q["name"]: q["quantity"] for q in level["quantities"]}


def _level_by_id(store: Store, version: str, level_id: str) -> dict[str, Any] | None:
    fields = "id isActive" if version >= "2026-04" else "id"
    body = store.gql(
        version,
        f"query Q($id: ID!) {{ inventoryLevel(id: $id) {{ {fields} {QUANTITIES} }} }}",
        {"id": level_id},
    )
    level: dict[str, Any] | None = body["data"]["inventoryLevel"]
    return level


def _visible_locations(store: Store, version: str, inventory_item: str) -> list[str]:
    body = store.gql(
        version,
        "query Q($id: ID!) { inventoryItem(id: $id) { inventoryLevels(first: 10) "
        "{ nodes { location { id } } } } }",
        {"id": inventory_item},
    )
    nodes = body["data"]["inventoryItem"]["inventoryLevels"]["nodes"]
    return [n["location"]["id"] for n in nodes]


# -- inventoryActivate ---------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_activate_at_a_new_location_with_available_or_on_hand(store: Store, version: str) -> None:
    Shop.load(store)
    result = _activate(store, version, B, EMPTY, available=9)
    assert result["userErrors"] == []
    level = result["inventoryLevel"]
    assert level["id"] == level_gid(1003, 2002)
    assert level["location"] == {"id": EMPTY}
    assert _amounts(level) == {"available": 9, "on_hand": 9, "committed": 0, "reserved": 0}
    updated = {q["name"]: q["updatedAt"] for q in level["quantities"]}
    assert UTC_SECOND.match(updated["available"])
    assert updated["on_hand"] is None and updated["committed"] is None
    assert _visible_locations(store, version, B) == [MAIN, EMPTY]
    on_hand = _activate(store, version, A, EMPTY, on_hand=50)
    assert on_hand["userErrors"] == []
    assert _amounts(on_hand["inventoryLevel"])["on_hand"] == 50
    assert _amounts(on_hand["inventoryLevel"])["available"] == 50
    bare = _activate(store, version, C, SECOND)
    assert _amounts(bare["inventoryLevel"])["available"] == 0
    assert UTC_SECOND.match(bare["inventoryLevel"]["quantities"][0]["updatedAt"])


@pytest.mark.parametrize("version", VERSIONS)
def test_activate_validation_messages(store: Store, version: str) -> None:
    Shop.load(store)
    both = _activate(store, version, B, EMPTY, available=1, on_hand=2)
    message = (
        "The product couldn't be stocked at Empty Depot because not allowed to set available "
        "and on_hand quantities at the same time."
    )
    assert both == {
        "inventoryLevel": None,
        "userErrors": [
            {"field": ["available"], "message": message},
            {"field": ["onHand"], "message": message},
        ],
    }
    range_message = (
        "The product couldn't be stocked at Empty Depot because the quantity needs to be "
        "between -1 billion and 1 billion."
    )
    assert _activate(store, version, B, EMPTY, on_hand=1_000_000_001) == {
        "inventoryLevel": None,
        "userErrors": [{"field": ["onHand"], "message": range_message}],
    }
    assert _activate(store, version, B, EMPTY, available=-1_000_000_001) == {
        "inventoryLevel": None,
        "userErrors": [{"field": ["available"], "message": range_message}],
    }
    assert _activate(store, version, B, UNKNOWN_LOCATION) == {
        "inventoryLevel": None,
        "userErrors": [
            {
                "field": ["locationId"],
                "message": "The product couldn't be stocked because the location wasn't found.",
            }
        ],
    }
    assert _activate(store, version, B, CLOSED)["userErrors"] == [
        {
            "field": ["locationId"],
            "message": "The product couldn't be stocked because the location wasn't found.",
        }
    ]
    assert _activate(store, version, UNKNOWN_ITEM, EMPTY) == {
        "inventoryLevel": None,
        "userErrors": [
            {
                "field": ["inventoryItemId"],
                "message": "The product couldn't be stocked because the product was deleted.",
            }
        ],
    }
    assert _visible_locations(store, version, B) == [MAIN]


@pytest.mark.parametrize("version", VERSIONS)
def test_activate_where_already_active(store: Store, version: str) -> None:
    Shop.load(store)
    noop = _activate(store, version, B, MAIN)
    assert noop["userErrors"] == []
    assert _amounts(noop["inventoryLevel"])["available"] == 7
    with_available = _activate(store, version, B, MAIN, available=3)
    assert with_available["userErrors"] == [
        {
            "field": ["available"],
            "message": "Not allowed to set available quantity when the item is already active "
            "at the location.",
        }
    ]
    assert _amounts(with_available["inventoryLevel"])["available"] == 7  # level still returned
    with_on_hand = _activate(store, version, B, MAIN, on_hand=3)
    assert with_on_hand["userErrors"] == [
        {
            "field": ["onHand"],
            "message": "Not allowed to set an on_hand quantity when the item is already active "
            "at the location.",
        }
    ]
    assert _amounts(with_on_hand["inventoryLevel"])["on_hand"] == 7


@pytest.mark.parametrize("version", ["2025-01", "2026-10"])
def test_an_untracked_item_ignores_the_seed_quantity(store: Store, version: str) -> None:
    Shop.load(store)
    result = _activate(store, version, C, EMPTY, available=9)
    assert result["userErrors"] == []
    assert _amounts(result["inventoryLevel"])["available"] == 0


# -- inventoryDeactivate -------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_deactivate_validation_messages(store: Store, version: str) -> None:
    Shop.load(store)
    assert _deactivate(store, version, level_gid(1001, 2002)) == [
        {
            "field": None,
            "message": "The product couldn't be unstocked from Main Warehouse because products "
            "need to be stocked at a minimum of 1 location.",
        }
    ]
    unknown_item = "gid://shopify/InventoryLevel/999999999999?inventory_item_id=999999999998"
    assert _deactivate(store, version, unknown_item) == [
        {
            "field": None,
            "message": "The product couldn't be unstocked because the product was deleted.",
        }
    ]
    unknown_level = "gid://shopify/InventoryLevel/999999999999?inventory_item_id=2002"
    assert _deactivate(store, version, unknown_level) == [
        {
            "field": None,
            "message": "The product couldn't be unstocked because the location was deleted.",
        }
    ]


@pytest.mark.parametrize("version", ["2025-01", "2026-01"])
def test_before_2026_04_deactivation_clears_and_activation_starts_at_zero(
    store: Store, version: str
) -> None:
    shop = Shop.load(store)
    level_id = level_gid(1002, 2001)
    assert _deactivate(store, version, level_id) == []
    assert _visible_locations(store, version, A) == [MAIN]
    assert _level_by_id(store, version, level_id) is None
    assert SECOND not in shop.snapshot_levels(A)
    again = _activate(store, version, A, SECOND)
    assert again["userErrors"] == []
    assert again["inventoryLevel"]["id"] == level_id
    assert _amounts(again["inventoryLevel"])["available"] == 0
    # Stock Shopify cannot drop blocks deactivation before 2026-04 (UNVERIFIED wording).
    assert _deactivate(store, version, level_gid(1001, 2001)) == [
        {
            "field": None,
            "message": "The product couldn't be unstocked from Main Warehouse because it has "
            "committed inventory.",
        }
    ]


@pytest.mark.parametrize("version", ["2026-04", "2026-10"])
def test_from_2026_04_deactivation_keeps_an_inactive_level_with_its_quantities(
    store: Store, version: str
) -> None:
    shop = Shop.load(store)
    level_id = level_gid(1002, 2001)
    assert _deactivate(store, version, level_id) == []
    assert _visible_locations(store, version, A) == [MAIN]
    body = store.gql(
        version,
        "query Q($id: ID!) { inventoryItem(id: $id) { inventoryLevels(first: 10, "
        "includeInactive: true) { nodes { id isActive } } } }",
        {"id": A},
    )
    assert body["data"]["inventoryItem"]["inventoryLevels"]["nodes"] == [
        {"id": level_gid(1001, 2001), "isActive": True},
        {"id": level_id, "isActive": False},
    ]
    by_id = _level_by_id(store, version, level_id)
    assert by_id is not None
    assert by_id["isActive"] is False
    assert _amounts(by_id)["available"] == 4
    assert shop.snapshot_levels(A)[SECOND]["isActive"] is False
    # Reactivation brings the same level back with its quantities.
    again = _activate(store, version, A, SECOND)
    assert again["userErrors"] == []
    assert again["inventoryLevel"]["id"] == level_id
    assert _amounts(again["inventoryLevel"])["available"] == 4
    assert _visible_locations(store, version, A) == [MAIN, SECOND]
    # Committed and reserved stock no longer blocks deactivation (another level is active).
    assert _deactivate(store, version, level_gid(1001, 2001)) == []
    kept = _level_by_id(store, version, level_gid(1001, 2001))
    assert kept is not None
    assert _amounts(kept) == {"available": 10, "on_hand": 25, "committed": 2, "reserved": 3}


def test_2026_04_reactivation_with_a_quantity_seeds_the_inactive_level(store: Store) -> None:
    Shop.load(store)
    v = "2026-04"
    assert _deactivate(store, v, level_gid(1002, 2001)) == []
    seeded = _activate(store, v, A, SECOND, on_hand=9)
    assert seeded["userErrors"] == []
    assert _amounts(seeded["inventoryLevel"])["on_hand"] == 9
    assert _deactivate(store, v, level_gid(1002, 2001)) == []
    again = _activate(store, v, A, SECOND, available=7)
    assert again["userErrors"] == []
    assert _amounts(again["inventoryLevel"])["available"] == 7


# -- inventoryBulkToggleActivation ---------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_bulk_toggle(store: Store, version: str) -> None:
    Shop.load(store)
    unknown = _toggle(store, version, B, [(UNKNOWN_LOCATION, True)])
    assert unknown == {
        "inventoryItem": None,
        "inventoryLevels": None,
        "userErrors": [
            {
                "field": ["inventoryItemUpdates", "0", "locationId"],
                "message": "The quantity couldn't be updated because the location was not found.",
                "code": "LOCATION_NOT_FOUND",
            }
        ],
    }
    assert _toggle(store, version, B, [(CLOSED, True)])["userErrors"][0]["code"] == (
        "LOCATION_NOT_FOUND"
    )
    only = _toggle(store, version, B, [(MAIN, False)])
    assert only == {
        "inventoryItem": None,
        "inventoryLevels": None,
        "userErrors": [
            {
                "field": ["inventoryItemUpdates", "0", "locationId"],
                "message": "The variant couldn't be unstocked from Main Warehouse because "
                "products need to be stocked at a minimum of 1 location.",
                "code": "CANNOT_DEACTIVATE_FROM_ONLY_LOCATION",
            }
        ],
    }
    activated = _toggle(store, version, B, [(MAIN, True), (EMPTY, True)])
    assert activated == {
        "inventoryItem": {"id": B},
        "inventoryLevels": [{"id": level_gid(1001, 2002)}, {"id": level_gid(1003, 2002)}],
        "userErrors": [],
    }
    deactivated = _toggle(store, version, B, [(EMPTY, False)])
    assert deactivated == {"inventoryItem": {"id": B}, "inventoryLevels": [], "userErrors": []}
    assert _visible_locations(store, version, B) == [MAIN]
    missing_item = _toggle(store, version, UNKNOWN_ITEM, [(MAIN, True)])
    assert missing_item == {
        "inventoryItem": None,
        "inventoryLevels": None,
        "userErrors": [
            {
                "field": ["inventoryItemId"],
                "message": "The inventory item couldn't be found.",
                "code": "INVENTORY_ITEM_NOT_FOUND",
            }
        ],
    }
