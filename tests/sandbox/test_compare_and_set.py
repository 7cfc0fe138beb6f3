"""Compare-and-set per version (facts §6): compareQuantity in 2025-01, changeFromQuantity
optional (and overriding) in 2026-01, mandatory from 2026-04."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Store
from tests.sandbox.mutation_support import (
    MAIN,
    PAYLOAD,
    A,
    B,
    Shop,
    adjust_input,
    change,
    move_change,
    move_input,
    quantity_document,
    rows,
    set_input,
    terminal,
)

LEDGER = "ledger://cas/1"


def _error(field: list[str], message: str, code: str) -> dict[str, object]:
    return {"field": field, "message": message, "code": code}


def _refused(*errors: dict[str, object]) -> dict[str, object]:
    return {"inventoryAdjustmentGroup": None, "userErrors": list(errors)}


def _set_row(quantity: int, **extra: Any) -> dict[str, Any]:
    return {"inventoryItemId": B, "locationId": MAIN, "quantity": quantity, **extra}


def _set(quantities: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"name": "available", "reason": "correction", "quantities": quantities, **extra}


COMPARE_REQUIRED = _error(
    ["input", "ignoreCompareQuantity"],
    "The compareQuantity argument must be given to each quantity or ignored using "
    "ignoreCompareQuantity.",
    "COMPARE_QUANTITY_REQUIRED",
)
COMPARE_STALE = _error(
    ["input", "quantities", "0", "compareQuantity"],
    "The compareQuantity value does not match persisted value.",
    "COMPARE_QUANTITY_STALE",
)
SET_CHANGE_FROM_STALE = _error(
    ["input", "quantities", "0", "changeFromQuantity"],
    "The changeFromQuantity value does not match persisted value.",
    "CHANGE_FROM_QUANTITY_STALE",
)


def test_2025_01_compare_quantity(store: Store) -> None:
    shop = Shop.load(store)
    v = "2025-01"
    assert shop.set(v, _set([_set_row(9)])) == _refused(COMPARE_REQUIRED)
    assert shop.set(v, _set([_set_row(9, compareQuantity=6)])) == _refused(COMPARE_STALE)
    assert shop.quantity(v, B, MAIN, "available") == 7
    assert shop.set(v, _set([_set_row(9, compareQuantity=7)]))["userErrors"] == []
    assert shop.set(v, _set([_set_row(4)], ignoreCompareQuantity=True))["userErrors"] == []
    assert shop.quantity(v, B, MAIN, "available") == 4
    # on_hand compares against on_hand (A at MAIN: 25), not available.
    on_hand = {
        "name": "on_hand",
        "reason": "correction",
        "quantities": [
            {"inventoryItemId": A, "locationId": MAIN, "quantity": 30, "compareQuantity": 25}
        ],
    }
    assert shop.set(v, on_hand)["userErrors"] == []
    assert shop.quantity(v, A, MAIN, "on_hand") == 30


def test_2026_01_change_from_quantity_is_optional_and_overrides(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-01"
    # Omitted: the legacy fields decide, so nothing at all is COMPARE_QUANTITY_REQUIRED...
    assert shop.set(v, _set([_set_row(9)])) == _refused(COMPARE_REQUIRED)
    # ...and a stale compareQuantity is COMPARE_QUANTITY_STALE.
    assert shop.set(v, _set([_set_row(9, compareQuantity=6)])) == _refused(COMPARE_STALE)
    # Explicit null skips the check, whatever compareQuantity/ignoreCompareQuantity say.
    skip = _set([_set_row(9, changeFromQuantity=None, compareQuantity=6)])
    assert shop.set(v, skip)["userErrors"] == []
    # A value overrides compareQuantity too: right value + stale compareQuantity succeeds.
    overrides = _set([_set_row(10, changeFromQuantity=9, compareQuantity=1)])
    assert shop.set(v, overrides)["userErrors"] == []
    stale = _set([_set_row(11, changeFromQuantity=9)], ignoreCompareQuantity=True)
    assert shop.set(v, stale) == _refused(SET_CHANGE_FROM_STALE)
    assert shop.set(v, _set([_set_row(12)], ignoreCompareQuantity=True))["userErrors"] == []
    assert shop.quantity(v, B, MAIN, "available") == 12


@pytest.mark.parametrize("version", ["2026-01", "2026-04", "2026-10"])
def test_change_from_quantity_on_every_quantity_mutation(store: Store, version: str) -> None:
    shop = Shop.load(store)
    stale_message = "The changeFromQuantity argument no longer matches the persisted quantity."
    assert shop.set(version, set_input(version, [(B, MAIN, 9, 8)])) == _refused(
        SET_CHANGE_FROM_STALE
    )
    adjust = adjust_input("available", [change(version, B, MAIN, 1, expected=6)])
    assert shop.adjust(version, adjust) == _refused(
        _error(
            ["input", "changes", "0", "changeFromQuantity"],
            stale_message,
            "CHANGE_FROM_QUANTITY_STALE",
        )
    )
    for side, source_expected, target_expected in (("from", 9, 0), ("to", 7, 5)):
        move = move_input(
            [
                move_change(
                    B,
                    1,
                    terminal(version, MAIN, "available", expected=source_expected),
                    terminal(version, MAIN, "damaged", expected=target_expected, ledger=LEDGER),
                )
            ]
        )
        assert shop.move(version, move) == _refused(
            _error(
                ["input", "changes", "0", side, "changeFromQuantity"],
                stale_message,
                "CHANGE_FROM_QUANTITY_STALE",
            )
        )
    on_hand = {
        "reason": "correction",
        "setQuantities": [
            {"inventoryItemId": B, "locationId": MAIN, "quantity": 3, "changeFromQuantity": 6}
        ],
    }
    assert shop.set_on_hand(version, on_hand) == _refused(
        _error(
            ["input", "setQuantities", "0", "changeFromQuantity"],
            stale_message,
            "CHANGE_FROM_QUANTITY_STALE",
        )
    )
    assert shop.history() == []
    # With the right values each one applies.
    assert shop.set(version, set_input(version, [(B, MAIN, 9, 7)]))["userErrors"] == []
    adjust = adjust_input("available", [change(version, B, MAIN, 1, expected=9)])
    assert shop.adjust(version, adjust)["userErrors"] == []
    move = move_input(
        [
            move_change(
                B,
                2,
                terminal(version, MAIN, "available", expected=10),
                terminal(version, MAIN, "damaged", expected=0, ledger=LEDGER),
            )
        ]
    )
    assert shop.move(version, move)["userErrors"] == []
    on_hand["setQuantities"][0]["changeFromQuantity"] = 10
    assert shop.set_on_hand(version, on_hand)["userErrors"] == []
    assert shop.quantities(version, B, MAIN) == {
        "available": 1,
        "committed": 0,
        "damaged": 2,
        "incoming": 0,
        "on_hand": 3,
        "quality_control": 0,
        "reserved": 0,
        "safety_stock": 0,
    }


def test_a_request_touching_one_level_twice_sees_its_own_earlier_change(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-04"
    chained = adjust_input(
        "available", [change(v, B, MAIN, 2, expected=7), change(v, B, MAIN, 3, expected=9)]
    )
    result = shop.adjust(v, chained)
    assert result["userErrors"] == []
    assert rows(result["inventoryAdjustmentGroup"]) == [
        ("available", 2, None, B, MAIN),
        ("available", 3, None, B, MAIN),
        ("on_hand", 2, None, B, MAIN),
        ("on_hand", 3, None, B, MAIN),
    ]
    # Both rows expecting the original value: the second one is stale, nothing applies.
    both_original = adjust_input(
        "available", [change(v, B, MAIN, 1, expected=12), change(v, B, MAIN, 1, expected=12)]
    )
    assert shop.adjust(v, both_original) == _refused(
        _error(
            ["input", "changes", "1", "changeFromQuantity"],
            "The changeFromQuantity argument no longer matches the persisted quantity.",
            "CHANGE_FROM_QUANTITY_STALE",
        )
    )
    assert shop.quantity(v, B, MAIN, "available") == 12


def test_a_sale_makes_a_planned_write_stale(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-04"
    sale = store.control("POST", "sale", {"inventoryItemId": B, "locationId": MAIN, "quantity": 2})
    assert sale["ok"] is True
    assert shop.quantities(v, B, MAIN) == {
        "available": 5,
        "committed": 2,
        "damaged": 0,
        "incoming": 0,
        "on_hand": 7,
        "quality_control": 0,
        "reserved": 0,
        "safety_stock": 0,
    }
    assert shop.set(v, set_input(v, [(B, MAIN, 10, 7)])) == _refused(SET_CHANGE_FROM_STALE)
    # The "sale" fault: an order lands just before the matching request runs.
    store.control(
        "POST",
        "faults",
        {
            "kind": "sale",
            "operation": "inventorySetQuantities",
            "inventoryItemId": B,
            "locationId": MAIN,
            "quantity": 1,
        },
    )
    assert shop.set(v, set_input(v, [(B, MAIN, 10, 5)])) == _refused(SET_CHANGE_FROM_STALE)
    assert shop.quantity(v, B, MAIN, "available") == 4
    assert shop.set(v, set_input(v, [(B, MAIN, 10, 4)]))["userErrors"] == []
    history = shop.history()
    assert [g["reason"] for g in history] == ["order_created", "order_created", "correction"]
    assert history[0]["changes"] == [
        {
            "inventoryItemId": B,
            "locationId": MAIN,
            "name": "available",
            "delta": -2,
            "ledgerDocumentUri": None,
        },
        {
            "inventoryItemId": B,
            "locationId": MAIN,
            "name": "committed",
            "delta": 2,
            "ledgerDocumentUri": None,
        },
    ]


# -- 2026-04+: changeFromQuantity mandatory, legacy fields gone -----------------------------

MANDATORY_CASES = [
    (
        "inventorySetQuantities",
        "InventoryQuantityInput",
        _set([_set_row(9)]),
    ),
    (
        "inventoryAdjustQuantities",
        "InventoryChangeInput",
        {
            "name": "available",
            "reason": "correction",
            "changes": [{"inventoryItemId": B, "locationId": MAIN, "delta": 1}],
        },
    ),
    (
        "inventoryMoveQuantities",
        "InventoryMoveQuantityTerminalInput",
        move_input(
            [
                move_change(
                    B,
                    1,
                    {"locationId": MAIN, "name": "available", "changeFromQuantity": 7},
                    {"locationId": MAIN, "name": "damaged", "ledgerDocumentUri": LEDGER},
                )
            ]
        ),
    ),
    (
        "inventorySetOnHandQuantities",
        "InventorySetQuantityInput",
        {
            "reason": "correction",
            "setQuantities": [{"inventoryItemId": B, "locationId": MAIN, "quantity": 3}],
        },
    ),
]


@pytest.mark.parametrize("version", ["2026-04", "2026-10"])
@pytest.mark.parametrize(("root", "input_type", "inp"), MANDATORY_CASES)
def test_omitted_change_from_quantity_is_invalid_field_arguments(
    store: Store, version: str, root: str, input_type: str, inp: dict[str, Any]
) -> None:
    shop = Shop.load(store)
    for with_key in (True, False):  # without @idempotent too: this error wins (captures §2.5)
        variables: dict[str, Any] = {"input": inp}
        if with_key:
            variables["key"] = f"k-{root}"
        response = store.post(version, quantity_document(root, with_key), variables)
        assert response.status_code == 200
        body = response.json()
        assert list(body) == ["errors", "data", "extensions"]
        [error] = body["errors"]
        assert list(error) == ["message", "locations", "extensions", "path"]
        assert error == {
            "message": f"{input_type} must include the following argument: changeFromQuantity.",
            "locations": [{"line": 2, "column": 3}, {"line": 1, "column": 12}],
            "extensions": {"code": "INVALID_FIELD_ARGUMENTS"},
            "path": [root],
        }
        assert body["data"] == {root: None}
        cost = body["extensions"]["cost"]
        assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (14, 10)
    assert shop.history() == []
    assert shop.quantity(version, B, MAIN, "available") == 7


@pytest.mark.parametrize("version", ["2026-04", "2026-10"])
@pytest.mark.parametrize(
    ("field", "where", "type_name"),
    [
        ("ignoreCompareQuantity", "input", "InventorySetQuantitiesInput"),
        ("compareQuantity", "row", "InventoryQuantityInput"),
    ],
)
def test_legacy_compare_fields_are_gone_from_2026_04(
    store: Store, version: str, field: str, where: str, type_name: str
) -> None:
    shop = Shop.load(store)
    row = _set_row(9, changeFromQuantity=7)
    inp = _set([row])
    if where == "input":
        inp[field] = True
        problem_path: list[Any] = [field]
        detail = field
    else:
        row[field] = 7
        problem_path = ["quantities", 0, field]
        detail = f"quantities.0.{field}"
    body = store.gql(
        version,
        quantity_document("inventorySetQuantities", True, PAYLOAD),
        {"input": inp, "key": "k-legacy"},
    )
    assert "data" not in body and "extensions" not in body
    [error] = body["errors"]
    assert error == {
        "message": "Variable $input of type InventorySetQuantitiesInput! was provided invalid "
        f"value for {detail} (Field is not defined on {type_name})",
        "locations": [{"line": 1, "column": 12}],
        "extensions": {
            "code": "INVALID_VARIABLE",
            "value": inp,
            "problems": [
                {"path": problem_path, "explanation": f"Field is not defined on {type_name}"}
            ],
        },
    }
    assert shop.quantity(version, B, MAIN, "available") == 7
