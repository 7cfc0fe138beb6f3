"""inventoryMoveQuantities over HTTP: a -/+ pair at ONE location, per-terminal rules."""

from __future__ import annotations

import pytest

from tests.conftest import Store
from tests.sandbox.mutation_support import (
    A_MAIN,
    INVALID_QUANTITY_NAME,
    MAIN,
    SECOND,
    UNKNOWN_ITEM,
    UNKNOWN_LOCATION,
    VERSIONS,
    A,
    B,
    Shop,
    legacy,
    move_change,
    move_input,
    quantity_document,
    rows,
    terminal,
)

LEDGER = "ledger://inventory-move/1"


def _error(field: list[str], message: str, code: str) -> dict[str, object]:
    return {"field": field, "message": message, "code": code}


def _refused(*errors: dict[str, object]) -> dict[str, object]:
    return {"inventoryAdjustmentGroup": None, "userErrors": list(errors)}


@pytest.mark.parametrize("version", VERSIONS)
def test_move_available_to_damaged_is_a_pair_without_on_hand_rows(
    store: Store, version: str
) -> None:
    shop = Shop.load(store)
    source = terminal(version, MAIN, "available", expected=10)
    target = terminal(version, MAIN, "damaged", expected=1, ledger=LEDGER)
    inp = move_input([move_change(A, 2, source, target)], reference="logistics://qc/9")
    result = shop.move(version, inp)
    assert result["userErrors"] == []
    group = result["inventoryAdjustmentGroup"]
    assert rows(group) == [("available", -2, None, A, MAIN), ("damaged", 2, LEDGER, A, MAIN)]
    assert group["referenceDocumentUri"] == "logistics://qc/9"
    assert shop.quantities(version, A, MAIN) == {**A_MAIN, "available": 8, "damaged": 3}


@pytest.mark.parametrize("version", VERSIONS)
def test_move_between_unavailable_states_with_two_ledgers(store: Store, version: str) -> None:
    shop = Shop.load(store)
    source = terminal(version, MAIN, "damaged", expected=1, ledger="ledger://a")
    target = terminal(version, MAIN, "reserved", expected=3, ledger="ledger://b")
    result = shop.move(version, move_input([move_change(A, 1, source, target)]))
    assert rows(result["inventoryAdjustmentGroup"]) == [
        ("damaged", -1, "ledger://a", A, MAIN),
        ("reserved", 1, "ledger://b", A, MAIN),
    ]
    assert shop.quantities(version, A, MAIN) == {**A_MAIN, "damaged": 0, "reserved": 4}


def test_move_into_incoming_leaves_on_hand(store: Store) -> None:
    """incoming is outside on_hand, so on_hand follows (mirroring rule, UNVERIFIED for move)."""
    shop = Shop.load(store)
    source = terminal("2026-04", MAIN, "available", expected=10)
    target = terminal("2026-04", MAIN, "incoming", expected=7, ledger=LEDGER)
    result = shop.move("2026-04", move_input([move_change(A, 4, source, target)]))
    assert rows(result["inventoryAdjustmentGroup"]) == [
        ("available", -4, None, A, MAIN),
        ("incoming", 4, LEDGER, A, MAIN),
        ("on_hand", -4, None, A, MAIN),
    ]
    assert shop.quantities("2026-04", A, MAIN) == {
        **A_MAIN,
        "available": 6,
        "incoming": 11,
        "on_hand": 21,
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_moving_nothing_has_no_group(store: Store, version: str) -> None:
    shop = Shop.load(store)
    source = terminal(version, MAIN, "available")
    target = terminal(version, MAIN, "damaged", ledger=LEDGER)
    result = shop.move(version, move_input([move_change(A, 0, source, target)]))
    assert result == {"inventoryAdjustmentGroup": None, "userErrors": []}
    assert shop.history() == []


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", ["on_hand", "committed"])
def test_a_terminal_outside_the_allowlist_is_refused(store: Store, version: str, name: str) -> None:
    shop = Shop.load(store)
    source = terminal(version, MAIN, name, expected=0, ledger="ledger://from")
    target = terminal(version, MAIN, "damaged", expected=0, ledger="ledger://to")
    result = shop.move(version, move_input([move_change(A, 1, source, target)]))
    assert result == _refused(
        _error(
            ["input", "changes", "0", "from", "name"],
            INVALID_QUANTITY_NAME,
            "INVALID_QUANTITY_NAME",
        )
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_move_shape_rules(store: Store, version: str) -> None:
    shop = Shop.load(store)
    elsewhere = move_change(
        A,
        1,
        terminal(version, MAIN, "available"),
        terminal(version, SECOND, "damaged", ledger=LEDGER),
    )
    assert shop.move(version, move_input([elsewhere])) == _refused(
        _error(
            ["input", "changes", "0"],
            "The quantities can't be moved between different locations.",
            "DIFFERENT_LOCATIONS",
        )
    )
    same = move_change(
        A,
        1,
        terminal(version, MAIN, "damaged", ledger=LEDGER),
        terminal(version, MAIN, "damaged", ledger=LEDGER),
    )
    assert shop.move(version, move_input([same])) == _refused(
        _error(
            ["input", "changes", "0"],
            "The quantity names for each change can't be the same.",
            "SAME_QUANTITY_NAME",
        )
    )
    available_to_damaged = (
        terminal(version, MAIN, "available"),
        terminal(version, MAIN, "damaged", ledger=LEDGER),
    )
    negative = move_change(A, -1, *available_to_damaged)
    assert shop.move(version, move_input([negative])) == _refused(
        _error(
            ["input", "changes", "0", "quantity"],
            "The quantity can't be negative.",
            "INVALID_QUANTITY_NEGATIVE",
        )
    )
    huge = move_change(A, 2_000_000_001, *available_to_damaged)
    assert shop.move(version, move_input([huge])) == _refused(
        _error(
            ["input", "changes", "0", "quantity"],
            "The quantity can't be higher than 2,000,000,000.",
            "INVALID_QUANTITY_TOO_HIGH",
        )
    )
    assert shop.quantities(version, A, MAIN) == A_MAIN


@pytest.mark.parametrize("version", VERSIONS)
def test_move_ledger_rules_per_terminal(store: Store, version: str) -> None:
    shop = Shop.load(store)
    wrong_sides = move_change(
        A,
        1,
        terminal(version, MAIN, "available", ledger="ledger://x"),
        terminal(version, MAIN, "damaged"),
    )
    assert shop.move(version, move_input([wrong_sides])) == _refused(
        _error(
            ["input", "changes", "0", "from", "ledgerDocumentUri"],
            "A ledger document URI is not allowed when adjusting available.",
            "INVALID_AVAILABLE_DOCUMENT",
        ),
        _error(
            ["input", "changes", "0", "to", "ledgerDocumentUri"],
            "A ledger document URI is required except when adjusting available.",
            "INVALID_QUANTITY_DOCUMENT",
        ),
    )
    internal = move_change(
        A,
        1,
        terminal(version, MAIN, "available"),
        terminal(version, MAIN, "damaged", ledger="gid://shopify/Order/1"),
    )
    assert shop.move(version, move_input([internal])) == _refused(
        _error(
            ["input", "changes", "0", "to", "ledgerDocumentUri"],
            "Internal (gid://shopify/) ledger documents are not allowed to be adjusted via API.",
            "INTERNAL_LEDGER_DOCUMENT",
        )
    )
    three = [
        move_change(
            A,
            1,
            terminal(version, MAIN, "damaged", ledger="ledger://1"),
            terminal(version, MAIN, "reserved", ledger="ledger://2"),
        ),
        move_change(
            A,
            1,
            terminal(version, MAIN, "available"),
            terminal(version, MAIN, "safety_stock", ledger="ledger://3"),
        ),
    ]
    assert shop.move(version, move_input(three)) == _refused(
        _error(
            ["input", "changes"],
            "Only a maximum of 2 ledger document URIs across all changes is allowed.",
            "MAXIMUM_LEDGER_DOCUMENT_URIS",
        )
    )
    assert shop.quantities(version, A, MAIN) == A_MAIN


@pytest.mark.parametrize("version", VERSIONS)
def test_move_reference_document_is_required_and_checked(store: Store, version: str) -> None:
    shop = Shop.load(store)
    change = move_change(
        A,
        1,
        terminal(version, MAIN, "available"),
        terminal(version, MAIN, "damaged", ledger=LEDGER),
    )
    bad = move_input([change], reference="not a uri")
    assert shop.move(version, bad) == _refused(
        _error(
            ["input", "referenceDocumentUri"],
            "The specified reference document is invalid.",
            "INVALID_REFERENCE_DOCUMENT",
        )
    )
    missing = {"reason": "correction", "changes": [change]}
    key = None if legacy(version) else "k-missing-reference"
    variables: dict[str, object] = {"input": missing}
    if key is not None:
        variables["key"] = key
    body = store.gql(
        version, quantity_document("inventoryMoveQuantities", key is not None), variables
    )
    assert "data" not in body
    [error] = body["errors"]
    assert error["message"] == (
        "Variable $input of type InventoryMoveQuantitiesInput! was provided invalid value for "
        "referenceDocumentUri (Expected value to not be null)"
    )
    assert error["extensions"]["code"] == "INVALID_VARIABLE"
    assert error["extensions"]["problems"] == [
        {"path": ["referenceDocumentUri"], "explanation": "Expected value to not be null"}
    ]


@pytest.mark.parametrize("version", VERSIONS)
def test_unknown_ids_and_unstocked_pairs(store: Store, version: str) -> None:
    shop = Shop.load(store)
    unknown = move_change(
        UNKNOWN_ITEM,
        1,
        terminal(version, UNKNOWN_LOCATION, "available"),
        terminal(version, UNKNOWN_LOCATION, "damaged", ledger=LEDGER),
    )
    assert shop.move(version, move_input([unknown])) == _refused(
        _error(
            ["input", "changes", "0", "inventoryItemId"],
            "The specified inventory item could not be found.",
            "INVALID_INVENTORY_ITEM",
        ),
        _error(
            ["input", "changes", "0", "from", "locationId"],
            "The specified location could not be found.",
            "INVALID_LOCATION",
        ),
        _error(
            ["input", "changes", "0", "to", "locationId"],
            "The specified location could not be found.",
            "INVALID_LOCATION",
        ),
    )
    unstocked = move_change(
        B,
        0,
        terminal(version, SECOND, "available"),
        terminal(version, SECOND, "damaged", ledger=LEDGER),
    )
    result = shop.move(version, move_input([unstocked]))
    if version == "2026-10":
        assert result == {"inventoryAdjustmentGroup": None, "userErrors": []}
    else:
        assert result == _refused(
            _error(
                ["input", "changes", "0", "from", "locationId"],
                "The inventory item is not stocked at the location.",
                "ITEM_NOT_STOCKED_AT_LOCATION",
            )
        )


def test_a_no_op_write_leaves_no_level_behind_in_2026_10(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-10"
    change = move_change(
        B, 0, terminal(v, SECOND, "available"), terminal(v, SECOND, "damaged", ledger=LEDGER)
    )
    assert shop.move(v, move_input([change])) == {
        "inventoryAdjustmentGroup": None,
        "userErrors": [],
    }
    assert SECOND not in shop.snapshot_levels(B)
