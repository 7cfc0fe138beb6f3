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
