"""Where Shopify's rule is unknown, the sandbox's choice, pinned (issue 11, leniency).

Each was looked up (docs, schema, recordings); none is documented or recorded, so the
sandbox keeps its behaviour and says why (README, "Sandbox choices"):

- a very long idempotency key is accepted: the directive's description and Shopify's
  idempotency guides name no length limit, only "cannot be an empty string or whitespace";
- ``quantities(names: ["bogus"])`` answers no row for the unknown name: ``names`` is a plain
  ``[String!]``, its description lists no error;
- an adjust naming the same item and location twice applies both deltas: unlike
  ``inventorySetQuantities`` (``NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR``), the adjust
  mutation's error codes have no duplicate refusal.
"""

from __future__ import annotations

from tests.conftest import Store
from tests.sandbox.mutation_support import MAIN, A, Shop, adjust_input, change

VERSION = "2026-04"


def test_a_5000_character_idempotency_key_is_accepted(store: Store) -> None:
    shop = Shop.load(store)
    before = shop.quantity(VERSION, A, MAIN, "available")
    inp = adjust_input("available", [change(VERSION, A, MAIN, 2, before)])
    payload = shop.adjust(VERSION, inp, key="k" * 5000)
    assert payload["userErrors"] == []
    assert shop.quantity(VERSION, A, MAIN, "available") == before + 2


def test_an_unknown_quantity_name_gives_no_row(store: Store) -> None:
    shop = Shop.load(store)
    query = """query Q($id: ID!, $loc: ID!) { inventoryItem(id: $id) {
      inventoryLevel(locationId: $loc) { quantities(names: ["bogus", "available"]) { name } } } }"""
    body = store.gql(VERSION, query, {"id": A, "loc": MAIN})
    assert "errors" not in body
    assert body["data"]["inventoryItem"]["inventoryLevel"]["quantities"] == [{"name": "available"}]
    assert shop is not None


def test_an_adjust_naming_a_level_twice_applies_both_deltas(store: Store) -> None:
    shop = Shop.load(store)
    before = shop.quantity(VERSION, A, MAIN, "available")
    inp = adjust_input(
        "available",
        [
            change(VERSION, A, MAIN, 2, before),
            change(VERSION, A, MAIN, 3, before + 2),
        ],
    )
    payload = shop.adjust(VERSION, inp)
    assert payload["userErrors"] == []
    assert shop.quantity(VERSION, A, MAIN, "available") == before + 5
