"""inventoryItemUpdate over HTTP: the seed example, Shopify's validation messages, Decimal as
strings, tracking, customs data, weight, SKUs (and duplicate SKUs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.requests import RequestsHTTPTransport

from tests.conftest import Store
from tests.sandbox.mutation_support import (
    D1,
    D2,
    MAIN,
    UNKNOWN_ITEM,
    VERSIONS,
    B,
    C,
    Shop,
    adjust_input,
    change,
    legacy,
)

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed-inventory-item-update.json"
ITEM = (
    "id sku tracked requiresShipping duplicateSkuCount unitCost { amount currencyCode } "
    "countryCodeOfOrigin provinceCodeOfOrigin harmonizedSystemCode "
    "countryHarmonizedSystemCodes(first: 10) { nodes { countryCode harmonizedSystemCode } } "
    "measurement { weight { value unit } } variant { product { tracksInventory } }"
)
UPDATE = (
    "mutation M($id: ID!, $input: InventoryItemInput!) {\n"
    "  inventoryItemUpdate(id: $id, input: $input) {\n"
    f"    inventoryItem {{ {ITEM} }}\n"
    "    userErrors { field message }\n"
    "  }\n"
    "}"
)


def _update(store: Store, version: str, item: str, inp: dict[str, Any]) -> dict[str, Any]:
    body = store.gql(version, UPDATE, {"id": item, "input": inp})
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["inventoryItemUpdate"]
    return result


def _read(store: Store, version: str, item: str) -> dict[str, Any]:
    body = store.gql(
        version, f"query Q($id: ID!) {{ inventoryItem(id: $id) {{ {ITEM} }} }}", {"id": item}
    )
    found: dict[str, Any] = body["data"]["inventoryItem"]
    return found


@pytest.mark.parametrize("version", VERSIONS)
def test_the_documented_example_through_a_gql_client(store: Store, version: str) -> None:
    seed = json.loads(SEED.read_text())
    transport = RequestsHTTPTransport(
        url=store.graphql_url(version), headers={"X-Shopify-Access-Token": store.token}
    )
    client = Client(transport=transport, fetch_schema_from_transport=False)
    data = client.execute(GraphQLRequest(seed["query"], variable_values=seed["variables"]))
    assert data == seed["response"]["data"]


@pytest.mark.parametrize("version", VERSIONS)
def test_update_every_attribute_and_read_it_back(store: Store, version: str) -> None:
    Shop.load(store)
    inp = {
        "sku": "B-2-NEW",
        "cost": "10",
        "tracked": False,
        "requiresShipping": False,
        "countryCodeOfOrigin": "PT",
        "provinceCodeOfOrigin": "ON",
        "harmonizedSystemCode": "6109100010",
        "countryHarmonizedSystemCodes": [
            {"countryCode": "CA", "harmonizedSystemCode": "6109100011"},
            {"countryCode": "MX", "harmonizedSystemCode": "610910"},
        ],
        "measurement": {"weight": {"value": 2.5, "unit": "POUNDS"}},
    }
    expected = {
        "id": B,
        "sku": "B-2-NEW",
        "tracked": False,
        "requiresShipping": False,
        "duplicateSkuCount": 0,
        "unitCost": {"amount": "10.0", "currencyCode": "USD"},
        "countryCodeOfOrigin": "PT",
        "provinceCodeOfOrigin": "ON",
        "harmonizedSystemCode": "6109100010",
        "countryHarmonizedSystemCodes": {
            "nodes": [
                {"countryCode": "CA", "harmonizedSystemCode": "6109100011"},
                {"countryCode": "MX", "harmonizedSystemCode": "610910"},
            ]
        },
        "measurement": {"weight": {"value": 2.5, "unit": "POUNDS"}},
        "variant": {"product": {"tracksInventory": False}},
    }
    assert _update(store, version, B, inp) == {"inventoryItem": expected, "userErrors": []}
    assert _read(store, version, B) == expected
    # Absent fields are left alone; the country list is replaced as a whole (UNVERIFIED).
    again = _update(
        store,
        version,
        B,
        {
            "tracked": True,
            "countryHarmonizedSystemCodes": [
                {"countryCode": "US", "harmonizedSystemCode": "61091000"}
            ],
        },
    )
    assert again["inventoryItem"]["countryHarmonizedSystemCodes"] == {
        "nodes": [{"countryCode": "US", "harmonizedSystemCode": "61091000"}]
    }
    assert again["inventoryItem"]["variant"] == {"product": {"tracksInventory": True}}
    assert again["inventoryItem"]["sku"] == "B-2-NEW"
    assert again["inventoryItem"]["unitCost"] == {"amount": "10.0", "currencyCode": "USD"}
    cleared = _update(store, version, B, {"countryHarmonizedSystemCodes": [], "cost": None})
    assert cleared["inventoryItem"]["countryHarmonizedSystemCodes"] == {"nodes": []}
    assert cleared["inventoryItem"]["unitCost"] is None


@pytest.mark.parametrize(
    ("cost", "amount"),
    [(145.89, "145.89"), ("145.890", "145.89"), ("0", "0.0"), (10, "10.0"), ("0.005", "0.005")],
)
def test_decimal_cost_in_and_out_as_strings(store: Store, cost: object, amount: str) -> None:
    Shop.load(store)
    result = _update(store, "2026-04", B, {"cost": cost})
    assert result["inventoryItem"]["unitCost"] == {"amount": amount, "currencyCode": "USD"}


@pytest.mark.parametrize("version", VERSIONS)
def test_validation_messages_and_nothing_applied(store: Store, version: str) -> None:
    Shop.load(store)
    before = _read(store, version, B)
    assert _update(store, version, UNKNOWN_ITEM, {"sku": "X"}) == {
        "inventoryItem": None,
        "userErrors": [
            {
                "field": ["id"],
                "message": "The product couldn't be updated because it does not exist.",
            }
        ],
    }
    bad = {
        "sku": "CHANGED",
        "cost": "-5.00",
        "countryCodeOfOrigin": "ZZ",
        "harmonizedSystemCode": "12",
        "measurement": {"weight": {"value": -1, "unit": "KILOGRAMS"}},
    }
    assert _update(store, version, B, bad) == {
        "inventoryItem": None,
        "userErrors": [
            {"field": ["input", "cost"], "message": "Cost must be greater than or equal to 0"},
            {
                "field": ["input", "countryCodeOfOrigin"],
                "message": "Country code of origin is invalid",
            },
            {
                "field": ["input", "harmonizedSystemCode"],
                "message": "Harmonized system code must be a number between six and thirteen "
                "digits",
            },
            {
                "field": ["input", "measurement", "weight"],
                "message": "Measurement weight value -1 kg must be >= 0 kg",
            },
        ],
    }
    pounds = _update(
        store, version, B, {"measurement": {"weight": {"value": -1.5, "unit": "POUNDS"}}}
    )
    assert pounds["userErrors"] == [
        {
            "field": ["input", "measurement", "weight"],
            "message": "Measurement weight value -1.5 lb must be >= 0 lb",
        }
    ]
    assert _read(store, version, B) == before


def test_a_bad_weight_unit_is_a_variable_error(store: Store) -> None:
    Shop.load(store)
    body = store.gql(
        "2025-01",
        UPDATE,
        {"id": B, "input": {"measurement": {"weight": {"value": 1, "unit": "STONES"}}}},
    )
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_VARIABLE"
    assert error["extensions"]["problems"][0]["path"] == ["measurement", "weight", "unit"]
    assert error["message"].startswith(
        "Variable $input of type InventoryItemInput! was provided invalid value for "
        'measurement.weight.unit (Expected "STONES" to be one of: '
    )


@pytest.mark.parametrize("version", ["2026-01", "2026-04", "2026-10"])
def test_a_null_country_is_the_global_harmonized_system_code(store: Store, version: str) -> None:
    """2026-01+: countryCode null "represents global harmonized system code" (UNVERIFIED
    mapping: it becomes harmonizedSystemCode; the per-country list keeps CountryCode!)."""
    Shop.load(store)
    result = _update(
        store,
        version,
        B,
        {
            "countryHarmonizedSystemCodes": [
                {"countryCode": None, "harmonizedSystemCode": "12345678"},
                {"countryCode": "CA", "harmonizedSystemCode": "87654321"},
            ]
        },
    )
    assert result["userErrors"] == []
    assert result["inventoryItem"]["harmonizedSystemCode"] == "12345678"
    assert result["inventoryItem"]["countryHarmonizedSystemCodes"] == {
        "nodes": [{"countryCode": "CA", "harmonizedSystemCode": "87654321"}]
    }


def test_generic_user_error_has_no_code(store: Store) -> None:
    Shop.load(store)
    document = (
        "mutation M($id: ID!, $input: InventoryItemInput!) {\n"
        "  inventoryItemUpdate(id: $id, input: $input) { userErrors { field message code } }\n"
        "}"
    )
    body = store.gql("2026-04", document, {"id": B, "input": {"sku": "Z"}})
    assert body == {
        "errors": [
            {
                "message": "Field 'code' doesn't exist on type 'UserError'",
                "locations": [{"line": 2, "column": document.splitlines()[1].index("code") + 1}],
                "path": ["mutation M", "inventoryItemUpdate", "userErrors", "code"],
                "extensions": {
                    "code": "undefinedField",
                    "typeName": "UserError",
                    "fieldName": "code",
                },
            }
        ]
    }
    assert _read(store, "2026-04", B)["sku"] == "B-2"  # the request never ran


def test_duplicate_skus_are_allowed_and_counted_case_sensitively(store: Store) -> None:
    Shop.load(store)
    assert _read(store, "2026-04", D1)["duplicateSkuCount"] == 1
    assert _read(store, "2026-04", D2)["duplicateSkuCount"] == 1
    assert _update(store, "2026-04", B, {"sku": "DUP"})["userErrors"] == []
    assert _read(store, "2026-04", D1)["duplicateSkuCount"] == 2
    assert _update(store, "2026-04", B, {"sku": "dup"})["inventoryItem"]["duplicateSkuCount"] == 0
    assert _read(store, "2026-04", D1)["duplicateSkuCount"] == 1


@pytest.mark.parametrize("version", ["2025-01", "2026-04"])
def test_untracked_items_keep_quantities_writable(store: Store, version: str) -> None:
    """UNVERIFIED (facts §13.1): the sandbox lets quantity writes through on an untracked item;
    only activation ignores a seed quantity for it (captured)."""
    shop = Shop.load(store)
    assert _read(store, version, C)["tracked"] is False
    inp = adjust_input("available", [change(version, C, MAIN, 4)])
    assert (
        shop.adjust(version, inp, key=None if legacy(version) else "k-untracked")["userErrors"]
        == []
    )
    assert shop.quantity(version, C, MAIN, "available") == 4
