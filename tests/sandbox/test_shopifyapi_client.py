"""Shopify's own Python client (the ShopifyAPI package) talking to the sandbox.

``shopify.Session`` insists on ``<shop>.myshopify.com`` and https: it keeps the host label
before the first dot and appends ``myshopify_domain``. Pointing it at ``127.0.0.1:<port>``
takes three class settings (restored afterwards): ``protocol = "http"``, the label ``127``
with ``myshopify_domain = "0.0.1"``, and ``port``. Versions need no registration:
``ApiVersion.coerce_to_version`` creates any ``YYYY-MM`` release on the fly (the package
only predefines 2021-10 … 2024-10 and ``unstable``).
"""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
import shopify

from reconciler.sandbox import VERSIONS
from tests.conftest import Store
from tests.sandbox.mutation_support import legacy

ITEM = "gid://shopify/InventoryItem/43729033"
EAST = "gid://shopify/Location/68509171945"


@pytest.fixture
def connect(store: Store) -> Iterator[Any]:
    """Activate a ShopifyAPI session on the sandbox for a version; returns the activator."""
    saved = (shopify.Session.protocol, shopify.Session.myshopify_domain, shopify.Session.port)
    port = urlparse(store.url).port
    shopify.Session.protocol = "http"
    shopify.Session.myshopify_domain = "0.0.1"
    shopify.Session.port = port

    def activate(version: str, token: str | None = None) -> shopify.Session:
        session = shopify.Session("127", version, token or store.token)
        shopify.ShopifyResource.activate_session(session)
        return session

    yield activate
    shopify.ShopifyResource.clear_session()
    shopify.Session.protocol, shopify.Session.myshopify_domain, shopify.Session.port = saved


def _execute(query: str, variables: dict[str, Any] | None = None, name: str | None = None) -> Any:
    return json.loads(shopify.GraphQL().execute(query, variables, name))


def test_the_session_points_at_the_sandbox(store: Store, connect: Any) -> None:
    session = connect("2026-10")
    assert session.site == f"{store.url}/admin/api/2026-10"
    assert session.api_version.name == "2026-10"
    assert shopify.GraphQL().endpoint == f"{store.url}/admin/api/2026-10/graphql.json"


@pytest.mark.parametrize("version", [*VERSIONS, "unstable"])
def test_reads_through_the_official_client(connect: Any, version: str) -> None:
    connect(version)
    body = _execute(
        "query Item($id: ID!) { inventoryItem(id: $id) { sku inventoryLevels(first: 5) { nodes { location { name } } } } }",
        {"id": ITEM},
    )
    assert body["data"] == {
        "inventoryItem": {
            "sku": "TSHIRT-BLK-S",
            "inventoryLevels": {
                "nodes": [
                    {"location": {"name": "East Warehouse"}},
                    {"location": {"name": "West Warehouse"}},
                ]
            },
        }
    }
    # item 1 + levels (2 + M(5)=3 × (node 1 + location 1))
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1 + 2 + 3 * 2


def test_the_client_sends_operation_name(connect: Any) -> None:
    connect("2026-04")
    document = "query A { shop { name } } query B { locationsCount { count } }"
    assert _execute(document, None, "B")["data"] == {"locationsCount": {"count": 3}}


@pytest.mark.parametrize("version", VERSIONS)
def test_set_quantities_per_version(connect: Any, version: str) -> None:
    """The document differs per version; the client and the sandbox agree on each."""
    connect(version)
    row: dict[str, Any] = {"inventoryItemId": ITEM, "locationId": EAST, "quantity": 30}
    if legacy(version):
        document = """mutation Set($input: InventorySetQuantitiesInput!) {
          inventorySetQuantities(input: $input) { inventoryAdjustmentGroup { changes { name delta } } userErrors { message } } }"""
        value: dict[str, Any] = {
            "name": "available",
            "reason": "correction",
            "ignoreCompareQuantity": True,
        }
        variables: dict[str, Any] = {"input": {**value, "quantities": [row]}}
    else:
        document = """mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
          inventorySetQuantities(input: $input) @idempotent(key: $key) { inventoryAdjustmentGroup { changes { name delta } } userErrors { message } } }"""
        row["changeFromQuantity"] = 24
        variables = {
            "input": {"name": "available", "reason": "correction", "quantities": [row]},
            "key": f"shopifyapi-{version}",
        }
    body = _execute(document, variables)
    assert body["data"]["inventorySetQuantities"] == {
        "inventoryAdjustmentGroup": {
            "changes": [{"name": "available", "delta": 6}, {"name": "on_hand", "delta": 6}]
        },
        "userErrors": [],
    }


def test_version_specific_errors_reach_the_client(connect: Any) -> None:
    connect("2025-01")
    body = _execute("query L($id: ID!) { inventoryLevel(id: $id) { isActive } }", {"id": ITEM})
    assert body == {
        "errors": [
            {
                "message": "Field 'isActive' doesn't exist on type 'InventoryLevel'",
                "locations": [{"line": 1, "column": 47}],
                "path": ["query L", "inventoryLevel", "isActive"],
                "extensions": {
                    "code": "undefinedField",
                    "typeName": "InventoryLevel",
                    "fieldName": "isActive",
                },
            }
        ]
    }


def test_throttled_reaches_the_client_as_a_200(store: Store, connect: Any) -> None:
    connect("2026-04")
    store.control("POST", "throttle", {"currentlyAvailable": 0})
    body = _execute("{ inventoryItems(first: 50) { nodes { id } } }")
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert body["extensions"]["cost"]["actualQueryCost"] is None


def test_a_wrong_token_raises_http_401(connect: Any, capsys: pytest.CaptureFixture[str]) -> None:
    connect("2026-04", token="not-a-token")
    with pytest.raises(urllib.error.HTTPError) as caught:
        shopify.GraphQL().execute("{ shop { name } }")
    assert caught.value.code == 401
    assert caught.value.headers["X-Shopify-API-Version"] == "2026-04"
    printed = capsys.readouterr().out  # the client prints the body before raising
    assert "[API] Invalid API key or access token (unrecognized login or wrong password)" in printed


def test_an_unreleased_version_raises_http_404(
    connect: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    connect("2099-01")
    with pytest.raises(urllib.error.HTTPError) as caught:
        shopify.GraphQL().execute("{ shop { name } }")
    assert caught.value.code == 404
    assert '{"errors": "Not Found"}' in capsys.readouterr().out
