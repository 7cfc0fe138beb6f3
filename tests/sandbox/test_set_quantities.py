"""inventorySetQuantities (and its deprecated twin inventorySetOnHandQuantities) over HTTP.

Shapes, messages and field paths are Shopify's recorded ones (docs/shopify-captures.md §3.7,
shared facts §3-§5); the few UNVERIFIED messages are pinned so a change is deliberate.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import Store
from tests.sandbox.mutation_support import (
    A_MAIN,
    CLOSED,
    EMPTY,
    INVALID_REASON,
    MAIN,
    REASONS,
    SECOND,
    UNKNOWN_ITEM,
    UNKNOWN_LOCATION,
    VERSIONS,
    A,
    B,
    F,
    Shop,
    legacy,
    rows,
    set_input,
)

SECOND_PRECISION_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def _error(field: list[str], message: str, code: str) -> dict[str, object]:
    return {"field": field, "message": message, "code": code}


@pytest.mark.parametrize("version", VERSIONS)
def test_set_available_mirrors_on_hand_and_is_history(store: Store, version: str) -> None:
    shop = Shop.load(store)
    reference = "logistics://cycle-count/2026-04-15"
    result = shop.set(version, set_input(version, [(A, MAIN, 13, 10)], reference=reference))
    assert result["userErrors"] == []
    group = result["inventoryAdjustmentGroup"]
    assert rows(group) == [("available", 3, None, A, MAIN), ("on_hand", 3, None, A, MAIN)]
    assert group["reason"] == "correction"
    assert group["referenceDocumentUri"] == reference
    assert group["app"] == {"title": "reconciler-sandbox"}
    assert SECOND_PRECISION_UTC.match(group["createdAt"]), group["createdAt"]
    assert group["id"].startswith("gid://shopify/InventoryAdjustmentGroup/")
    assert shop.quantities(version, A, MAIN) == {**A_MAIN, "available": 13, "on_hand": 28}
    # The group is the store's inventory history: control plane, node(id:) and nodes(ids:).
    history = shop.history()
    assert [g["id"] for g in history] == [group["id"]]
    assert history[0]["reason"] == "correction"
    assert history[0]["referenceDocumentUri"] == reference
    assert history[0]["app"] == "reconciler-sandbox"
    assert [(c["name"], c["delta"], c["inventoryItemId"]) for c in history[0]["changes"]] == [
        ("available", 3, A),
        ("on_hand", 3, A),
    ]
    fields = "id reason referenceDocumentUri createdAt changes { name delta }"
    read = store.gql(
        version,
        f"query Q($id: ID!) {{ node(id: $id) {{ ... on InventoryAdjustmentGroup {{ {fields} }} }}"
        f" nodes(ids: [$id]) {{ ... on InventoryAdjustmentGroup {{ id }} }} }}",
        {"id": group["id"]},
    )
    assert read["data"]["node"] == {
        "id": group["id"],
        "reason": "correction",
        "referenceDocumentUri": reference,
        "createdAt": group["createdAt"],
        "changes": [{"name": "available", "delta": 3}, {"name": "on_hand", "delta": 3}],
    }
    assert read["data"]["nodes"] == [{"id": group["id"]}]


@pytest.mark.parametrize("version", VERSIONS)
def test_set_on_hand_moves_the_difference_through_available(store: Store, version: str) -> None:
    shop = Shop.load(store)
    result = shop.set(version, set_input(version, [(A, MAIN, 20, 25)], name="on_hand"))
    assert result["userErrors"] == []
    assert rows(result["inventoryAdjustmentGroup"]) == [
        ("available", -5, None, A, MAIN),
        ("on_hand", -5, None, A, MAIN),
    ]
    assert shop.quantities(version, A, MAIN) == {**A_MAIN, "available": 5, "on_hand": 20}


def test_set_lists_named_rows_first_then_on_hand_rows_in_input_order(store: Store) -> None:
    shop = Shop.load(store)
    inp = set_input("2026-04", [(B, MAIN, 9, 7), (A, SECOND, 1, 4), (A, MAIN, 10, 10)])
    result = shop.set("2026-04", inp)
    assert rows(result["inventoryAdjustmentGroup"]) == [
        ("available", 2, None, B, MAIN),
        ("available", -3, None, A, SECOND),
        ("on_hand", 2, None, B, MAIN),
        ("on_hand", -3, None, A, SECOND),
    ]


@pytest.mark.parametrize("version", VERSIONS)
def test_set_to_the_current_value_is_a_no_op_without_a_group(store: Store, version: str) -> None:
    shop = Shop.load(store)
    result = shop.set(version, set_input(version, [(B, MAIN, 7, 7), (A, MAIN, 25, 25)], "on_hand"))
    assert result == {"inventoryAdjustmentGroup": None, "userErrors": []}
    assert shop.history() == []
    assert shop.quantity(version, B, MAIN, "available") == 7


@pytest.mark.parametrize("version", VERSIONS)
def test_set_refuses_names_other_than_available_and_on_hand(store: Store, version: str) -> None:
    shop = Shop.load(store)
    for name in ("damaged", "committed", "incoming", "reserved", "bogus"):
        result = shop.set(version, set_input(version, [(B, MAIN, 9, 7)], name=name))
        assert result == {
            "inventoryAdjustmentGroup": None,
            "userErrors": [
                _error(
                    ["input", "name"],
                    "The quantity name must be either 'available' or 'on_hand'.",
                    "INVALID_NAME",
                )
            ],
        }
    assert shop.history() == []


def test_every_documented_reason_is_accepted_and_echoed(store: Store) -> None:
    shop = Shop.load(store)
    for n, reason in enumerate(REASONS):
        result = shop.set(
            "2026-10", set_input("2026-10", [(B, MAIN, 100 + n, None)], reason=reason)
        )
        assert result["userErrors"] == []
        assert result["inventoryAdjustmentGroup"]["reason"] == reason
    assert len(shop.history()) == 17


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("reason", ["broken", "", "Correction", "order_created"])
def test_an_unknown_reason_lists_the_valid_ones(store: Store, version: str, reason: str) -> None:
    shop = Shop.load(store)
    result = shop.set(version, set_input(version, [(B, MAIN, 9, None)], reason=reason))
    assert result == {
        "inventoryAdjustmentGroup": None,
        "userErrors": [_error(["input", "reason"], INVALID_REASON, "INVALID_REASON")],
    }
    assert shop.quantity(version, B, MAIN, "available") == 7


@pytest.mark.parametrize(
    "reference",
    [
        "logistics://har-408/set/1782351234393",
        "https://myapp.com/documents/12345",
        "custom-scheme://identifier",
        "gid://my-app/PurchaseOrder/42",
        "gid://shopify/Order/123",
    ],
)
def test_reference_document_uris_in_every_documented_format(store: Store, reference: str) -> None:
    shop = Shop.load(store)
    result = shop.set("2026-04", set_input("2026-04", [(B, MAIN, 8, 7)], reference=reference))
    assert result["userErrors"] == []
    assert result["inventoryAdjustmentGroup"]["referenceDocumentUri"] == reference


@pytest.mark.parametrize("reference", ["not a uri", "no-scheme", "gid://my-app/Order", "https://"])
def test_an_invalid_reference_document_uri_is_refused(store: Store, reference: str) -> None:
    shop = Shop.load(store)
    result = shop.set("2026-04", set_input("2026-04", [(B, MAIN, 8, 7)], reference=reference))
    assert result == {
        "inventoryAdjustmentGroup": None,
        "userErrors": [
            _error(
                ["input", "referenceDocumentUri"],
                "The specified reference document is invalid.",
                "INVALID_REFERENCE_DOCUMENT",
            )
        ],
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_set_bounds(store: Store, version: str) -> None:
    shop = Shop.load(store)
    too_high = shop.set(version, set_input(version, [(B, MAIN, 1_000_000_001, None)]))
    assert too_high["userErrors"] == [
        _error(
            ["input", "quantities", "0", "quantity"],
            "The quantity can't be higher than 1,000,000,000.",
            "INVALID_QUANTITY_TOO_HIGH",
        )
    ]
    too_low = shop.set(version, set_input(version, [(B, MAIN, -1_000_000_001, None)]))
    assert too_low["userErrors"] == [
        _error(
            ["input", "quantities", "0", "quantity"],
            "The quantity can't be lower than -1,000,000,000.",
            "INVALID_QUANTITY_TOO_LOW",
        )
    ]
    negative_on_hand = shop.set(version, set_input(version, [(B, MAIN, -1, None)], "on_hand"))
    assert negative_on_hand["userErrors"] == [
        _error(
            ["input", "quantities", "0", "quantity"],
            "The quantity can't be negative.",
            "INVALID_QUANTITY_NEGATIVE",
        )
    ]
    assert shop.history() == []
    # The limits themselves are allowed, and negative available is legal.
    top = shop.set(version, set_input(version, [(B, MAIN, 1_000_000_000, None)]))
    assert top["userErrors"] == []
    bottom = shop.set(version, set_input(version, [(B, MAIN, -1_000_000_000, None)]))
    assert bottom["userErrors"] == []
    assert shop.quantities(version, B, MAIN) == {
        "available": -1_000_000_000,
        "committed": 0,
        "damaged": 0,
        "incoming": 0,
        "on_hand": -1_000_000_000,
        "quality_control": 0,
        "reserved": 0,
        "safety_stock": 0,
    }
    zero_on_hand = shop.set(version, set_input(version, [(B, MAIN, 0, None)], "on_hand"))
    assert zero_on_hand["userErrors"] == []
    assert shop.quantity(version, B, MAIN, "on_hand") == 0


@pytest.mark.parametrize("version", VERSIONS)
def test_each_row_of_a_repeated_pair_gets_its_own_error(store: Store, version: str) -> None:
    shop = Shop.load(store)
    inp = set_input(version, [(B, MAIN, 9, None), (A, MAIN, 11, None), (B, MAIN, 8, None)])
    result = shop.set(version, inp)
    message = "The combination of inventoryItemId and locationId must be unique."
    code = "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR"
    assert result == {
        "inventoryAdjustmentGroup": None,
        "userErrors": [
            _error(["input", "quantities", "0", "locationId"], message, code),
            _error(["input", "quantities", "2", "locationId"], message, code),
        ],
    }
    triple = shop.set(version, set_input(version, [(B, MAIN, 9, None)] * 3))
    assert [e["field"][2] for e in triple["userErrors"]] == ["0", "1", "2"]
    assert shop.history() == []


@pytest.mark.parametrize("version", VERSIONS)
def test_unknown_item_and_location_are_both_reported(store: Store, version: str) -> None:
    shop = Shop.load(store)
    inp = set_input(version, [(B, MAIN, 9, None), (UNKNOWN_ITEM, UNKNOWN_LOCATION, 1, None)])
    result = shop.set(version, inp)
    assert result == {
        "inventoryAdjustmentGroup": None,
        "userErrors": [
            _error(
                ["input", "quantities", "1", "inventoryItemId"],
                "The specified inventory item could not be found.",
                "INVALID_INVENTORY_ITEM",
            ),
            _error(
                ["input", "quantities", "1", "locationId"],
                "The specified location could not be found.",
                "INVALID_LOCATION",
            ),
        ],
    }
    assert shop.quantity(version, B, MAIN, "available") == 7  # row 0 was not applied either


@pytest.mark.parametrize("version", VERSIONS)
def test_a_deactivated_location_counts_as_not_found(store: Store, version: str) -> None:
    shop = Shop.load(store)
    result = shop.set(version, set_input(version, [(B, CLOSED, 9, None)]))
    assert result["userErrors"] == [
        _error(
            ["input", "quantities", "0", "locationId"],
            "The specified location could not be found.",
            "INVALID_LOCATION",
        )
    ]


@pytest.mark.parametrize("version", ["2025-01", "2026-01", "2026-04"])
def test_an_unstocked_pair_is_refused_before_2026_10(store: Store, version: str) -> None:
    shop = Shop.load(store)
    result = shop.set(version, set_input(version, [(B, SECOND, 9, None)]))
    assert result == {
        "inventoryAdjustmentGroup": None,
        "userErrors": [
            _error(
                ["input", "quantities", "0", "locationId"],
                "The specified inventory item is not stocked at the location.",
                "ITEM_NOT_STOCKED_AT_LOCATION",
            )
        ],
    }
    assert SECOND not in shop.snapshot_levels(B)


def test_2026_10_writes_anywhere_into_an_inactive_level(store: Store) -> None:
    shop = Shop.load(store)
    result = shop.set("2026-10", set_input("2026-10", [(B, EMPTY, 9, 0)]))
    assert result["userErrors"] == []
    assert rows(result["inventoryAdjustmentGroup"]) == [
        ("available", 9, None, B, EMPTY),
        ("on_hand", 9, None, B, EMPTY),
    ]
    # UNVERIFIED choice: the new level is inactive (hidden unless includeInactive) until the
    # item is activated there; its quantities are kept.
    stored = shop.snapshot_levels(B)[EMPTY]
    assert stored["isActive"] is False
    assert stored["quantities"]["available"] == 9
    visible = store.gql(
        "2026-10",
        "query Q($id: ID!, $loc: ID!) { inventoryItem(id: $id) { "
        "active: inventoryLevel(locationId: $loc) { id } "
        "any: inventoryLevel(locationId: $loc, includeInactive: true) { isActive } } }",
        {"id": B, "loc": EMPTY},
    )
    assert visible["data"]["inventoryItem"] == {"active": None, "any": {"isActive": False}}


@pytest.mark.parametrize("version", ["2025-01", "2026-01"])
def test_inactive_levels_do_not_exist_for_writes_before_2026_04(store: Store, version: str) -> None:
    shop = Shop.load(store)
    result = shop.set(version, set_input(version, [(F, SECOND, 8, None)]))
    assert [e["code"] for e in result["userErrors"]] == ["ITEM_NOT_STOCKED_AT_LOCATION"]


@pytest.mark.parametrize("version", ["2026-04", "2026-10"])
def test_inactive_levels_are_writable_from_2026_04(store: Store, version: str) -> None:
    shop = Shop.load(store)
    result = shop.set(version, set_input(version, [(F, SECOND, 8, 6)]))
    assert result["userErrors"] == []
    assert shop.quantity(version, F, SECOND, "available") == 8
    assert shop.quantity(version, F, SECOND, "on_hand") == 9  # damaged 1 stays
    assert shop.snapshot_levels(F)[SECOND]["isActive"] is False


# -- inventorySetOnHandQuantities (deprecated, still served in 2026-10) ----------------------


def _on_hand_rows(
    version: str, entries: list[tuple[str, str, int, int | None]]
) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for inventory_item, location, quantity, expected in entries:
        row: dict[str, object] = {
            "inventoryItemId": inventory_item,
            "locationId": location,
            "quantity": quantity,
        }
        if not legacy(version):
            row["changeFromQuantity"] = expected
        out.append(row)
    return out


@pytest.mark.parametrize("version", VERSIONS)
def test_set_on_hand_quantities(store: Store, version: str) -> None:
    shop = Shop.load(store)
    inp = {"reason": "correction", "setQuantities": _on_hand_rows(version, [(A, MAIN, 27, 25)])}
    result = shop.set_on_hand(version, inp)
    assert result["userErrors"] == []
    assert rows(result["inventoryAdjustmentGroup"]) == [
        ("available", 2, None, A, MAIN),
        ("on_hand", 2, None, A, MAIN),
    ]
    assert shop.quantities(version, A, MAIN) == {**A_MAIN, "available": 12, "on_hand": 27}
    bad = {
        "reason": "correction",
        "setQuantities": _on_hand_rows(
            version, [(A, MAIN, -1, None), (B, MAIN, 1_000_000_001, None), (B, SECOND, 1, None)]
        ),
    }
    result = shop.set_on_hand(version, bad)
    errors = [
        _error(
            ["input", "setQuantities", "0", "quantity"],
            "The quantity can't be negative.",
            "INVALID_QUANTITY_NEGATIVE",
        ),
        _error(
            ["input", "setQuantities", "1", "quantity"],
            "The quantity can't be higher than 1,000,000,000.",
            "INVALID_QUANTITY_TOO_HIGH",
        ),
    ]
    if version != "2026-10":
        errors.append(
            _error(
                ["input", "setQuantities", "2", "locationId"],
                "The inventory item is not stocked at the location.",
                "ITEM_NOT_STOCKED_AT_LOCATION",
            )
        )
    assert result == {"inventoryAdjustmentGroup": None, "userErrors": errors}
    assert shop.quantity(version, A, MAIN, "on_hand") == 27


def test_set_on_hand_rows_for_one_level_apply_in_order(store: Store) -> None:
    """Its code enum has no duplicate-pair error (UNVERIFIED): rows apply in order."""
    shop = Shop.load(store)
    inp = {
        "reason": "correction",
        "setQuantities": _on_hand_rows("2026-04", [(B, MAIN, 9, 7), (B, MAIN, 4, 9)]),
    }
    result = shop.set_on_hand("2026-04", inp)
    assert result["userErrors"] == []
    assert rows(result["inventoryAdjustmentGroup"]) == [
        ("available", 2, None, B, MAIN),
        ("available", -5, None, B, MAIN),
        ("on_hand", 2, None, B, MAIN),
        ("on_hand", -5, None, B, MAIN),
    ]
    assert shop.quantity("2026-04", B, MAIN, "available") == 4
