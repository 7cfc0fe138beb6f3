"""The Admin API endpoint over real HTTP: URLs, versions, tokens, bodies, headers.

Shopify's answers for these cases (docs/shopify-captures.md; facts §11–§12): 401 with a plain
string ``errors`` for a bad token, 404 ``{"errors": "Not Found"}`` for anything that is not a
versioned GraphQL endpoint, versions that left support fall forward to the oldest supported one
and say so in ``X-Shopify-API-Version``, which every answer carries.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.requests import RequestsHTTPTransport

from reconciler.sandbox import VERSIONS, Sandbox
from tests.conftest import TODAY, Store, demo_snapshot

UNAUTHORIZED = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}
SHOP = "query Shop { shop { name myshopifyDomain currencyCode } }"
SHOP_DATA = {
    "shop": {
        "name": "Northwind Outfitters",
        "myshopifyDomain": "northwind-outfitters.myshopify.com",
        "currencyCode": "USD",
    }
}
# `@idempotent` is optional in 2026-01 and undefined in 2025-01: which one served a request
# shows in the answer, not just in the header.
DIRECTIVE_PROBE = """
mutation Probe($key: String!) {
  inventoryDeactivate(inventoryLevelId: "gid://shopify/InventoryLevel/1?inventory_item_id=1")
    @idempotent(key: $key) {
    userErrors { message }
  }
}
"""


def _post(
    store: Store,
    path: str,
    body: bytes | None,
    token: str | None = "sandbox-token",
    content_type: str = "application/json",
) -> requests.Response:
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["X-Shopify-Access-Token"] = token
    return store.http.post(f"{store.url}{path}", data=body, headers=headers, timeout=30)


@pytest.mark.parametrize("version", VERSIONS)
def test_each_version_is_served_and_named_in_the_header(store: Store, version: str) -> None:
    response = store.post(version, SHOP)
    assert response.status_code == 200
    assert response.headers["X-Shopify-API-Version"] == version
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["data"] == SHOP_DATA
    assert list(response.json()) == ["data", "extensions"]


def test_unstable_is_the_newest_schema_and_says_unstable(store: Store) -> None:
    response = store.post(
        "unstable",
        '{ inventoryLevel(id: "gid://shopify/InventoryLevel/1?inventory_item_id=1") { isActive } }',
    )
    assert response.status_code == 200
    assert response.headers["X-Shopify-API-Version"] == "unstable"
    assert response.json()["data"] == {"inventoryLevel": None}  # isActive: 2026-04+ schema


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
def test_a_missing_or_wrong_token_is_401(store: Store, token: str | None) -> None:
    response = _post(
        store, "/admin/api/2026-04/graphql.json", b'{"query":"{ shop { name } }"}', token
    )
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response.headers["X-Shopify-API-Version"] == "2026-04"


@pytest.mark.parametrize(
    "path",
    [
        "/admin/api/2026-04/products.json",
        "/admin/api/2026-04/graphql",
        "/admin/graphql.json",
        "/graphql.json",
        "/",
    ],
)
def test_unknown_paths_are_404(store: Store, path: str) -> None:
    response = _post(store, path, b'{"query":"{ shop { name } }"}')
    assert response.status_code == 404
    assert response.json() == {"errors": "Not Found"}


@pytest.mark.parametrize("version", ["2026-13", "2026-02", "latest", "26-04", "2026-4", "2027-01"])
def test_a_malformed_or_unreleased_version_is_404(store: Store, version: str) -> None:
    response = _post(store, f"/admin/api/{version}/graphql.json", b'{"query":"{ shop { name } }"}')
    assert response.status_code == 404
    assert response.json() == {"errors": "Not Found"}
    assert "X-Shopify-API-Version" not in response.headers


@pytest.mark.parametrize(
    ("asked", "served"),
    [
        ("2024-10", "2026-01"),
        ("2019-04", "2026-01"),
        ("2025-04", "2026-01"),
    ],
)
def test_a_version_the_sandbox_does_not_carry_falls_forward(
    store: Store, asked: str, served: str
) -> None:
    response = store.post(asked, SHOP)
    assert response.status_code == 200
    assert response.headers["X-Shopify-API-Version"] == served
    assert response.json()["data"] == SHOP_DATA


@pytest.fixture(scope="module")
def retired() -> Iterator[Sandbox]:
    """A store on which 2025-01 has left support (as it has on Shopify since 2026)."""
    with Sandbox(demo_snapshot(), today=TODAY) as sandbox:
        yield sandbox


def test_a_retired_version_is_served_as_the_oldest_supported_one(retired: Sandbox) -> None:
    url = retired.graphql_url("2025-01")
    headers = {"X-Shopify-Access-Token": retired.token}
    body = {"query": DIRECTIVE_PROBE, "variables": {"key": "fall-forward-1"}}
    response = requests.post(url, json=body, headers=headers, timeout=30)
    assert response.status_code == 200
    assert response.headers["X-Shopify-API-Version"] == "2026-01"
    # 2026-01 knows @idempotent: no undefinedDirective, the mutation ran
    assert response.json()["data"] == {
        "inventoryDeactivate": {
            "userErrors": [
                {"message": "The product couldn't be unstocked because the product was deleted."}
            ]
        }
    }
    older = requests.post(retired.graphql_url("2024-07"), json=body, headers=headers, timeout=30)
    assert older.headers["X-Shopify-API-Version"] == "2026-01"


def test_the_same_document_on_a_carried_2025_01_is_refused(store: Store) -> None:
    body = store.gql("2025-01", DIRECTIVE_PROBE, {"key": "fall-forward-2"})
    assert [e["extensions"]["code"] for e in body["errors"]] == [
        "undefinedDirective",
        "variableNotUsed",
    ]


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{}",
        b"not json",
        b'{"variables": {}}',
        b'{"query": 12}',
        b'{"query": ""}',
        b'{"query": "  \\n "}',
        b"[]",
        b'"{ shop { id } }"',
    ],
)
def test_a_body_without_a_query_is_400(store: Store, raw: bytes) -> None:
    response = _post(store, "/admin/api/2026-04/graphql.json", raw)
    assert response.status_code == 400
    assert response.json() == {"errors": {"query": "Required parameter missing or invalid"}}
    assert response.headers["X-Shopify-API-Version"] == "2026-04"


def test_null_variables_and_operation_name_are_accepted(store: Store) -> None:
    raw = json.dumps({"query": SHOP, "variables": None, "operationName": None}).encode()
    response = _post(store, "/admin/api/2026-04/graphql.json", raw)
    assert response.status_code == 200
    assert response.json()["data"] == SHOP_DATA


TWO_OPERATIONS = """
query First { shop { name } }
query Second { locationsCount { count } }
"""


def test_the_operation_name_picks_one_of_several_operations(store: Store) -> None:
    raw = json.dumps({"query": TWO_OPERATIONS, "operationName": "Second"}).encode()
    response = _post(store, "/admin/api/2026-04/graphql.json", raw)
    assert response.json()["data"] == {"locationsCount": {"count": 3}}


@pytest.mark.parametrize(
    ("name", "message"),
    [(None, "An operation name is required"), ("Third", 'No operation named "Third"')],
)
def test_several_operations_need_a_known_name(store: Store, name: str | None, message: str) -> None:
    raw = json.dumps({"query": TWO_OPERATIONS, "operationName": name}).encode()
    response = _post(store, "/admin/api/2026-04/graphql.json", raw)
    assert response.status_code == 200
    assert response.json() == {"errors": [{"message": message}]}


def test_every_answer_has_a_request_id(store: Store) -> None:
    first = store.post("2026-04", SHOP).headers["X-Request-Id"]
    second = store.post("2026-04", SHOP).headers["X-Request-Id"]
    assert first != second
    uuid_part, stamp = first.rsplit("-", 1)
    assert len(uuid_part) == 36 and stamp.isdigit()


# -- gql, the GraphQL client most Python integrations use ---------------------------------


def _client(store: Store, version: str, token: str | None = None) -> Client:
    transport = RequestsHTTPTransport(
        url=store.graphql_url(version),
        headers={"X-Shopify-Access-Token": token or store.token},
        timeout=30,
        retries=0,
    )
    return Client(transport=transport, fetch_schema_from_transport=False)


@pytest.mark.parametrize("version", VERSIONS)
def test_gql_reads_data_and_cost(store: Store, version: str) -> None:
    client = _client(store, version)
    request = GraphQLRequest(
        "query Item($id: ID!) { inventoryItem(id: $id) { sku tracked } }",
        variable_values={"id": "gid://shopify/InventoryItem/43729030"},
    )
    result = client.execute(request, get_execution_result=True)
    assert result.data == {"inventoryItem": {"sku": "TSHIRT-RED-S", "tracked": True}}
    assert result.extensions is not None
    cost = result.extensions["cost"]
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (1, 1)
    assert cost["throttleStatus"]["maximumAvailable"] == 2000.0
    assert cost["throttleStatus"]["restoreRate"] == 100.0


def test_gql_surfaces_top_level_errors(store: Store) -> None:
    client = _client(store, "2026-04")
    request = GraphQLRequest("query Bad { shop { nope } }")
    with pytest.raises(TransportQueryError) as caught:
        client.execute(request)
    assert caught.value.errors == [
        {
            "message": "Field 'nope' doesn't exist on type 'Shop'",
            # gql prints the document before sending it: `nope` sits on line 3
            "locations": [{"line": 3, "column": 5}],
            "path": ["query Bad", "shop", "nope"],
            "extensions": {"code": "undefinedField", "typeName": "Shop", "fieldName": "nope"},
        }
    ]
    assert caught.value.data is None


def test_gql_with_a_wrong_token_gets_the_401_message(store: Store) -> None:
    client = _client(store, "2026-04", token="wrong")
    with pytest.raises(TransportQueryError) as caught:
        client.execute(GraphQLRequest("{ shop { name } }"))
    # gql reads the 401 body's plain-string `errors` as GraphQL errors
    assert caught.value.errors == UNAUTHORIZED["errors"]


def test_a_url_without_a_version_is_served_by_the_oldest_supported_version(store: Store) -> None:
    """Shopify: "No version in URL ⇒ oldest supported stable" (facts §12)."""
    response = store.http.post(
        f"{store.url}/admin/api/graphql.json",
        json={"query": "{ shop { name } }"},
        headers={"X-Shopify-Access-Token": store.token},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["X-Shopify-API-Version"] == "2026-01"
    assert response.json()["data"] == {"shop": {"name": "Northwind Outfitters"}}
