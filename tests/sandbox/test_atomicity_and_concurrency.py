"""A mutation applies whole or not at all, input arrays stop at 250, concurrent writers are
serialised."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.conftest import Store
from tests.sandbox.mutation_support import (
    A_MAIN,
    MAIN,
    SECOND,
    UNKNOWN_ITEM,
    A,
    B,
    Shop,
    adjust_input,
    change,
    legacy,
    move_change,
    move_input,
    mutation_document,
    quantity_document,
    set_input,
    terminal,
)

TOO_MANY = "The input array size of 251 is greater than the maximum allowed of 250."


def _cap_error(path: list[str]) -> dict[str, Any]:
    return {
        "message": TOO_MANY,
        "locations": [{"line": 2, "column": 3}],
        "path": path,
        "extensions": {"code": "MAX_INPUT_SIZE_EXCEEDED"},
    }


@pytest.mark.parametrize("version", ["2025-01", "2026-04"])
def test_the_250_element_cap_on_every_mutation_input(store: Store, version: str) -> None:
    shop = Shop.load(store)
    key = None if legacy(version) else "k-cap"
    set_rows = set_input(version, [(B, MAIN, 9, None)] * 251)
    adjust_rows = adjust_input("available", [change(version, B, MAIN, 1)] * 251)
    move_rows = move_input(
        [
            move_change(
                B, 1, terminal(version, MAIN, "available"), terminal(version, MAIN, "damaged")
            )
        ]
        * 251
    )
    on_hand_rows = {
        "reason": "correction",
        "setQuantities": [{"inventoryItemId": B, "locationId": MAIN, "quantity": 1}] * 251,
    }
    for root, inp, field in (
        ("inventorySetQuantities", set_rows, "quantities"),
        ("inventoryAdjustQuantities", adjust_rows, "changes"),
        ("inventoryMoveQuantities", move_rows, "changes"),
        ("inventorySetOnHandQuantities", on_hand_rows, "setQuantities"),
    ):
        # In 2026-04 the setOnHand rows even lack changeFromQuantity: the cap is checked first.
        body = shop.quantity_mutation(version, root, inp, key=key)
        assert body == {"errors": [_cap_error([root, "input", field])]}, root
    toggle = mutation_document(
        "inventoryBulkToggleActivation",
        "inventoryItemId: $item, inventoryItemUpdates: $updates",
        "$item: ID!, $updates: [InventoryBulkToggleActivationInput!]!",
        "inventoryLevels { id } userErrors { field message code }",
        key=False,
    )
    updates = [{"locationId": SECOND, "activate": True}] * 251
    body = store.gql(version, toggle, {"item": B, "updates": updates})
    assert body == {
        "errors": [_cap_error(["inventoryBulkToggleActivation", "inventoryItemUpdates"])]
    }
    update = mutation_document(
        "inventoryItemUpdate",
        "id: $id, input: $input",
        "$id: ID!, $input: InventoryItemInput!",
        "inventoryItem { id } userErrors { field message }",
        key=False,
    )
    codes = [{"countryCode": "CA", "harmonizedSystemCode": "123456"}] * 251
    body = store.gql(version, update, {"id": B, "input": {"countryHarmonizedSystemCodes": codes}})
    assert body == {
        "errors": [_cap_error(["inventoryItemUpdate", "input", "countryHarmonizedSystemCodes"])]
    }
    assert shop.history() == []
    assert shop.snapshot_levels(B).keys() == {MAIN}


def test_exactly_250_rows_are_accepted_as_one_group(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-04"
    inp = adjust_input("available", [change(v, B, MAIN, 1)] * 250)
    result = shop.adjust(v, inp)
    assert result["userErrors"] == []
    assert len(result["inventoryAdjustmentGroup"]["changes"]) == 500
    assert shop.quantity(v, B, MAIN, "available") == 257
    assert len(shop.history()) == 1


@pytest.mark.parametrize("version", ["2025-01", "2026-10"])
def test_one_bad_row_and_nothing_is_written(store: Store, version: str) -> None:
    shop = Shop.load(store)
    bad_set = set_input(
        version, [(B, MAIN, 1, None), (A, MAIN, 1, None), (UNKNOWN_ITEM, MAIN, 1, None)]
    )
    assert [e["field"] for e in shop.set(version, bad_set)["userErrors"]] == [
        ["input", "quantities", "2", "inventoryItemId"]
    ]
    bad_adjust = adjust_input(
        "available", [change(version, B, MAIN, 5), change(version, A, MAIN, 2_000_000_000)]
    )
    assert [e["code"] for e in shop.adjust(version, bad_adjust)["userErrors"]] == [
        "INVALID_QUANTITY_TOO_HIGH"
    ]
    bad_move = move_input(
        [
            move_change(
                A,
                2,
                terminal(version, MAIN, "available"),
                terminal(version, MAIN, "damaged", ledger="l://1"),
            ),
            move_change(
                A,
                1,
                terminal(version, MAIN, "available"),
                terminal(version, SECOND, "damaged", ledger="l://1"),
            ),
        ]
    )
    assert [e["code"] for e in shop.move(version, bad_move)["userErrors"]] == [
        "DIFFERENT_LOCATIONS"
    ]
    assert shop.quantity(version, B, MAIN, "available") == 7
    assert shop.quantities(version, A, MAIN) == A_MAIN
    assert shop.history() == []


def test_a_stale_second_row_rolls_back_the_first(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-04"
    inp = move_input(
        [
            move_change(
                A,
                2,
                terminal(v, MAIN, "available", expected=10),
                terminal(v, MAIN, "damaged", expected=1, ledger="l://1"),
            ),
            move_change(
                A,
                1,
                terminal(v, MAIN, "reserved", expected=99, ledger="l://1"),
                terminal(v, MAIN, "available", expected=8),
            ),
        ]
    )
    result = shop.move(v, inp)
    assert [e["field"] for e in result["userErrors"]] == [
        ["input", "changes", "1", "from", "changeFromQuantity"]
    ]
    assert shop.quantities(v, A, MAIN) == A_MAIN


def _in_threads(count: int, work: Any) -> list[Any]:
    results: list[Any] = [None] * count
    barrier = threading.Barrier(count)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_twenty_concurrent_increments_add_exactly_twenty(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-04"

    def increment(i: int) -> dict[str, Any]:
        return Shop(Store(store.sandbox)).adjust(
            v, adjust_input("available", [change(v, B, MAIN, 1)]), key=f"inc-{i}"
        )

    results = _in_threads(20, increment)
    assert [r["userErrors"] for r in results] == [[]] * 20
    assert shop.quantity(v, B, MAIN, "available") == 27
    history = shop.history()
    assert len(history) == 20
    assert len({g["id"] for g in history}) == 20


def test_concurrent_compare_and_set_lets_exactly_one_writer_win(store: Store) -> None:
    shop = Shop.load(store)
    v = "2026-10"

    def write(i: int) -> dict[str, Any]:
        return Shop(Store(store.sandbox)).set(v, set_input(v, [(B, MAIN, 100 + i, 7)]), key=f"w{i}")

    results = _in_threads(10, write)
    winners = [i for i, r in enumerate(results) if r["userErrors"] == []]
    assert len(winners) == 1
    losers = [r for r in results if r["userErrors"]]
    assert {e["code"] for r in losers for e in r["userErrors"]} == {"CHANGE_FROM_QUANTITY_STALE"}
    assert shop.quantity(v, B, MAIN, "available") == 100 + winners[0]


def test_quantity_documents_parse_as_written() -> None:
    """The helper documents place the root field at line 2, column 3 (asserted above)."""
    document = quantity_document("inventorySetQuantities", True)
    assert document.splitlines()[1].startswith("  inventorySetQuantities(input: $input)")
