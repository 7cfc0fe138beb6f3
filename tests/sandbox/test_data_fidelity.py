"""Data as Shopify answers it, replayed from recordings (issue 11, data).

Each expectation is Shopify's recorded answer in airhorns/shopify-draft-proxy (the fixture is
named on each test).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Store, demo_snapshot

READ = """query LocationAddressCodeDerivationRead($id: ID!) {
  location(id: $id) { id name address { country countryCode province provinceCode } } }"""


def test_introspection_lists_input_fields_in_definition_order(store: Store) -> None:
    # cap: 2026-04/products/inventory-quantity-contracts-2026-04.json, schema
    query = """query InventoryQuantityContractsSchema {
      inventoryChangeInput: __type(name: "InventoryChangeInput") { inputFields { name } }
      inventorySetQuantityInput: __type(name: "InventorySetQuantityInput") { inputFields { name } }
      inventorySetQuantitiesInput: __type(name: "InventorySetQuantitiesInput") { inputFields { name } }
      inventorySetOnHandQuantitiesInput: __type(name: "InventorySetOnHandQuantitiesInput") {
        inputFields { name } } }"""
    data = store.gql("2026-04", query)["data"]
    names = {alias: [f["name"] for f in found["inputFields"]] for alias, found in data.items()}
    assert names == {
        "inventoryChangeInput": [
            "delta",
            "changeFromQuantity",
            "inventoryItemId",
            "locationId",
            "ledgerDocumentUri",
        ],
        "inventorySetQuantityInput": [
            "inventoryItemId",
            "locationId",
            "quantity",
            "changeFromQuantity",
        ],
        "inventorySetQuantitiesInput": ["reason", "name", "referenceDocumentUri", "quantities"],
        "inventorySetOnHandQuantitiesInput": ["reason", "referenceDocumentUri", "setQuantities"],
    }


EAST = "gid://shopify/Location/68509171945"


def _at_east(store: Store, address: dict[str, str]) -> dict[str, Any]:
    """East Warehouse moved to `address` (locations come from snapshots in the sandbox)."""
    snapshot = demo_snapshot()
    snapshot["locations"][0]["address"] = address
    store.control("PUT", "snapshot", snapshot)
    location: dict[str, Any] = store.gql("2026-04", READ, {"id": EAST})["data"]["location"]
    return location


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        # cap: 2026-04/store-properties/location-address-code-derivation.json, gbRead, auRead,
        # aeRead, thRead, caProvinceOnlyRead (country and province as names)
        ({"countryCode": "GB"}, ("United Kingdom", "GB", None, None)),
        (
            {"countryCode": "AU", "provinceCode": "NSW"},
            ("Australia", "AU", "New South Wales", "NSW"),
        ),
        (
            {"countryCode": "AE", "provinceCode": "DU"},
            ("United Arab Emirates", "AE", "Dubai", "DU"),
        ),
        ({"countryCode": "TH"}, ("Thailand", "TH", None, None)),
        ({"countryCode": "CA", "provinceCode": "ON"}, ("Canada", "CA", "Ontario", "ON")),
    ],
)
def test_location_address_gives_country_and_province_names(
    store: Store, address: dict[str, str], expected: tuple[Any, ...]
) -> None:
    found = _at_east(store, address)["address"]
    assert (found["country"], found["countryCode"], found["province"], found["provinceCode"]) == (
        expected
    )


def test_a_province_the_sandbox_cannot_name_keeps_its_code(store: Store) -> None:
    found = _at_east(store, {"countryCode": "JP", "provinceCode": "JP-13"})["address"]
    assert (found["country"], found["province"]) == ("Japan", "JP-13")


def test_formatted_address_reads_like_shopify(store: Store) -> None:
    # cap: 2026-04/store-properties/location-activate-deactivate-lifecycle.json:
    # "formatted": ["1 Test St", "Boston MA 02110", "United States"]
    address = {
        "address1": "1 Test St",
        "city": "Boston",
        "provinceCode": "MA",
        "countryCode": "US",
        "zip": "02110",
    }
    snapshot = demo_snapshot()
    snapshot["locations"][0]["address"] = address
    store.control("PUT", "snapshot", snapshot)
    query = "query Q($id: ID!) { location(id: $id) { address { formatted province } } }"
    assert store.gql("2026-04", query, {"id": EAST})["data"]["location"]["address"] == {
        "formatted": ["1 Test St", "Boston MA 02110", "United States"],
        "province": "Massachusetts",
    }


LEVELS = """query Levels($id: ID!, $after: String) { inventoryItem(id: $id) {
  inventoryLevels(first: 1, after: $after) { edges { cursor node { location { name } } } } } }"""
ALL_LEVELS = """query Levels($id: ID!) { inventoryItem(id: $id) {
  inventoryLevels(first: 10) { nodes { location { name } } } } }"""


def _names(store: Store, item: str) -> list[str]:
    body = store.gql("2026-04", ALL_LEVELS, {"id": item})
    return [
        n["location"]["name"] for n in body["data"]["inventoryItem"]["inventoryLevels"]["nodes"]
    ]


def test_an_items_levels_come_in_the_order_they_were_stocked(store: Store) -> None:
    # cap: 2026-04/store-properties/location-delete-inventory-level-cascade.json,
    # inventoryBeforeDelete: the level stocked first comes first, whatever the location ids
    snapshot = demo_snapshot()
    item = next(i for i in snapshot["inventoryItems"] if len(i.get("levels") or []) >= 2)
    item["levels"].reverse()
    store.control("PUT", "snapshot", snapshot)
    by_id = {loc["id"]: loc["name"] for loc in snapshot["locations"]}
    stocked = [by_id[level["locationId"]] for level in item["levels"]]
    assert stocked != sorted(stocked, key=lambda name: list(by_id.values()).index(name))
    assert _names(store, item["id"]) == stocked
    # pages follow the same order
    first = store.gql("2026-04", LEVELS, {"id": item["id"]})["data"]["inventoryItem"]
    edge = first["inventoryLevels"]["edges"][0]
    second = store.gql("2026-04", LEVELS, {"id": item["id"], "after": edge["cursor"]})
    assert [
        edge["node"]["location"]["name"],
        second["data"]["inventoryItem"]["inventoryLevels"]["edges"][0]["node"]["location"]["name"],
    ] == stocked[:2]
    # and an export keeps it
    exported = store.control("GET", "snapshot")
    again = next(i for i in exported["inventoryItems"] if i["id"] == item["id"])
    assert [by_id[level["locationId"]] for level in again["levels"]] == stocked


def test_a_newly_stocked_level_comes_last(store: Store) -> None:
    snapshot = demo_snapshot()
    item = next(
        i
        for i in snapshot["inventoryItems"]
        if len(i.get("levels") or []) < len(snapshot["locations"])
    )
    stocked = {level["locationId"] for level in item["levels"]}
    lowest_missing = min(
        (loc for loc in snapshot["locations"] if loc["id"] not in stocked),
        key=lambda loc: int(loc["id"].rsplit("/", 1)[1]),
    )
    before = _names(store, item["id"])
    activate = """mutation A($item: ID!, $loc: ID!, $key: String!) {
      inventoryActivate(inventoryItemId: $item, locationId: $loc) @idempotent(key: $key) {
        inventoryLevel { id } userErrors { field message } } }"""
    answer = store.gql(
        "2026-04", activate, {"item": item["id"], "loc": lowest_missing["id"], "key": "stock-1"}
    )
    assert answer["data"]["inventoryActivate"]["userErrors"] == []
    assert _names(store, item["id"]) == [*before, lowest_missing["name"]]


# -- Product.totalInventory lags (captures §3.2) ------------------------------------------

TOTALS = """query T($variant: ID!) { productVariant(id: $variant) { inventoryQuantity
  product { totalInventory }
  inventoryItem { id inventoryLevels(first: 1) { nodes { location { id }
    quantities(names: ["available"]) { quantity } } } } } }"""
SET = """mutation S($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) { userErrors { field message } } }"""
TEE = "gid://shopify/ProductVariant/49630000"


def _totals(store: Store) -> tuple[int, int, dict[str, Any]]:
    variant = store.gql("2026-04", TOTALS, {"variant": TEE})["data"]["productVariant"]
    return variant["inventoryQuantity"], variant["product"]["totalInventory"], variant


def _add_ten(store: Store, key: str) -> None:
    _, _, variant = _totals(store)
    level = variant["inventoryItem"]["inventoryLevels"]["nodes"][0]
    current = level["quantities"][0]["quantity"]
    quantity = {
        "inventoryItemId": variant["inventoryItem"]["id"],
        "locationId": level["location"]["id"],
        "quantity": current + 10,
        "changeFromQuantity": current,
    }
    answer = store.gql(
        "2026-04",
        SET,
        {
            "input": {"name": "available", "reason": "correction", "quantities": [quantity]},
            "key": key,
        },
    )
    assert answer["data"]["inventorySetQuantities"]["userErrors"] == []


def test_total_inventory_lags_behind_the_variant_until_flushed(store: Store) -> None:
    # cap: 2026-04/products/inventory-inactive-level-lifecycle-2026-04.json: the variant's
    # inventoryQuantity moved to 5 and 12 while product.totalInventory stayed 0
    variant_before, total_before, _ = _totals(store)
    assert variant_before == total_before == 38
    _add_ten(store, "lag-1")
    assert _totals(store)[:2] == (48, 38)
    _add_ten(store, "lag-2")  # a second write keeps the total from before the first
    assert _totals(store)[:2] == (58, 38)
    status = store.control("POST", "total-inventory", {"flush": True})
    assert (status["pending"], status["lag"]) == (0, 60.0)
    assert _totals(store)[:2] == (58, 58)


def test_total_inventory_follows_at_once_with_no_lag(store: Store) -> None:
    store.control("POST", "total-inventory", {"lag": 0})
    _add_ten(store, "nolag-1")
    assert _totals(store)[:2] == (48, 48)


def test_reset_restores_the_default_lag(store: Store) -> None:
    store.control("POST", "total-inventory", {"lag": None})
    assert store.control("GET", "total-inventory")["lag"] is None
    store.control("POST", "reset")
    assert store.control("GET", "total-inventory") == {"lag": 60.0, "pending": 0}


@pytest.mark.parametrize("body", [{"lag": -1}, {"lag": "soon"}, {"lag": True}, {"when": 1}])
def test_a_bad_lag_setting_is_refused(store: Store, body: dict[str, Any]) -> None:
    response = store.http.post(f"{store.url}/__sandbox/total-inventory", json=body, timeout=30)
    assert response.status_code == 400


def test_the_lag_ends_after_its_seconds() -> None:
    from reconciler.sandbox.totals import TotalInventoryLag

    now = [100.0]
    lag = TotalInventoryLag(lag=60.0, clock=lambda: now[0])
    lag.freeze(7, 38)
    lag.freeze(7, 48)  # the first frozen total stays
    assert lag.read(7, 58) == 38
    now[0] = 159.9
    assert lag.read(7, 58) == 38
    now[0] = 160.0
    assert lag.read(7, 58) == 58
    assert lag.status() == {"lag": 60.0, "pending": 0}
    forever = TotalInventoryLag(lag=None, clock=lambda: now[0])
    forever.freeze(7, 38)
    now[0] = 1e9
    assert forever.read(7, 58) == 38


def test_a_store_file_from_before_stocked_order_is_upgraded(tmp_path: Any) -> None:
    import sqlite3

    from reconciler.sandbox.state import State

    path = str(tmp_path / "old.sqlite")
    State(path).close()
    with sqlite3.connect(path) as conn:  # the levels table as it was, without `stocked`
        columns = [row[1] for row in conn.execute("PRAGMA table_info(levels)")]
        kept = ", ".join(c for c in columns if c != "stocked")
        conn.execute(f"CREATE TABLE old_levels AS SELECT {kept} FROM levels")  # noqa: S608
        conn.execute("DROP TABLE levels")
        conn.execute("ALTER TABLE old_levels RENAME TO levels")
    state = State(path)
    with state.reading() as conn:
        assert "stocked" in [row[1] for row in conn.execute("PRAGMA table_info(levels)")]
    assert state.levels_of_item(1, include_inactive=True) == []
    state.close()
