"""Error shapes Shopify answers, replayed from recordings (issue 11, captures §2.4 and §3.14).

Each request is the text recorded in airhorns/shopify-draft-proxy (the fixture is named on
each test); each expected body is Shopify's answer from that recording.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Store

RUN = """mutation BulkOperationStorageByteLimitQuery($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation {
      id
      status
      type
    }
    userErrors {
      field
      message
      code
    }
  }
}
"""


def test_a_rejected_argument_also_leaves_its_variable_unused(store: Store) -> None:
    # cap: 2026-04/bulk-operations/bulk-operation-run-mutation-client-identifier-validation.json,
    # observations.runQueryWithClientIdentifier
    query = """mutation BulkOperationRunQueryClientIdentifierProbe($query: String!, $clientIdentifier: String) {
  bulkOperationRunQuery(query: $query, clientIdentifier: $clientIdentifier) {
    bulkOperation {
      id
    }
    userErrors {
      field
      message
      code
    }
  }
}
"""
    variables = {"query": "{ inventoryItems { edges { node { id } } } }", "clientIdentifier": "x"}
    body = store.gql("2026-04", query, variables)
    assert body == {
        "errors": [
            {
                "message": "Field 'bulkOperationRunQuery' doesn't accept argument 'clientIdentifier'",
                "locations": [{"line": 2, "column": 40}],
                "path": [
                    "mutation BulkOperationRunQueryClientIdentifierProbe",
                    "bulkOperationRunQuery",
                    "clientIdentifier",
                ],
                "extensions": {
                    "code": "argumentNotAccepted",
                    "name": "bulkOperationRunQuery",
                    "typeName": "Field",
                    "argumentName": "clientIdentifier",
                },
            },
            {
                "message": (
                    "Variable $clientIdentifier is declared by "
                    "BulkOperationRunQueryClientIdentifierProbe but not used"
                ),
                "locations": [{"line": 1, "column": 1}],
                "path": ["mutation BulkOperationRunQueryClientIdentifierProbe"],
                "extensions": {"code": "variableNotUsed", "variableName": "clientIdentifier"},
            },
        ]
    }


def test_a_variable_also_used_elsewhere_is_not_reported_unused(store: Store) -> None:
    query = """query Q($id: ID!) { inventoryItem(id: $id) { id }
      location(id: $id, bogus: $id) { id } }"""
    body = store.gql("2026-04", query, {"id": "gid://shopify/Location/68509171945"})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["argumentNotAccepted"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # cap: 2026-04/store-properties/location-add-validation-and-defaults.json, missingAddress
        (
            '#graphql\n  mutation LocationAddMissingAddress {\n    locationAdd(input: { name: "Bad" }) {\n'
            "      location {\n        id\n      }\n      userErrors {\n        field\n        message\n"
            "        code\n      }\n    }\n  }\n",
            {
                "message": (
                    "Argument 'address' on InputObject 'LocationAddInput' is required. "
                    "Expected type LocationAddAddressInput!"
                ),
                "locations": [{"line": 3, "column": 24}],
                "path": ["mutation LocationAddMissingAddress", "locationAdd", "input", "address"],
                "extensions": {
                    "code": "missingRequiredInputObjectAttribute",
                    "argumentName": "address",
                    "argumentType": "LocationAddAddressInput!",
                    "inputObjectType": "LocationAddInput",
                },
            },
        ),
        # same recording, inlineMissingCountryCode
        (
            "#graphql\n  mutation LocationAddInlineMissingCountryCode {\n"
            '    locationAdd(input: { name: "Bad", address: { address1: "1 Infinite Loop" } }) {\n'
            "      location {\n        id\n      }\n      userErrors {\n        field\n        message\n"
            "        code\n      }\n    }\n  }\n",
            {
                "message": (
                    "Argument 'countryCode' on InputObject 'LocationAddAddressInput' is required. "
                    "Expected type CountryCode!"
                ),
                "locations": [{"line": 3, "column": 48}],
                "path": [
                    "mutation LocationAddInlineMissingCountryCode",
                    "locationAdd",
                    "input",
                    "address",
                    "countryCode",
                ],
                "extensions": {
                    "code": "missingRequiredInputObjectAttribute",
                    "argumentName": "countryCode",
                    "argumentType": "CountryCode!",
                    "inputObjectType": "LocationAddAddressInput",
                },
            },
        ),
    ],
)
def test_a_missing_input_field_is_named_in_the_path(
    store: Store, query: str, expected: dict[str, Any]
) -> None:
    assert store.gql("2026-04", query) == {"errors": [expected]}


def _padded(size: int) -> str:
    """A valid bulk query of exactly `size` bytes, padded by a comment as recorded."""
    tail = "\n{ products { edges { node { id } } } }"
    return "#" + "a" * (size - 1 - len(tail)) + tail


def test_a_bulk_query_of_65536_bytes_is_refused(store: Store) -> None:
    # cap: 2026-04/bulk-operations/bulk-operation-storage-byte-limit.json, cases.query
    query = _padded(65536)
    assert len(query.encode()) == 65536
    body = store.gql("2026-04", RUN, {"query": query})
    assert body["data"] == {
        "bulkOperationRunQuery": {
            "bulkOperation": None,
            "userErrors": [
                {
                    "field": ["query"],
                    "message": "Query is too large (65536 bytes; maximum is 65535 bytes)",
                    "code": "INVALID",
                }
            ],
        }
    }
    assert body["extensions"]["cost"]["requestedQueryCost"] == 10


def test_a_bulk_query_of_65535_bytes_passes_the_size_check(store: Store) -> None:
    body = store.gql("2026-04", RUN, {"query": _padded(65535)})
    errors = body["data"]["bulkOperationRunQuery"]["userErrors"]
    assert not any("too large" in e["message"] for e in errors), errors


@pytest.mark.parametrize("connection", ["orders", "products", "inventoryItems"])
def test_the_bulk_nodes_example_names_the_connection_used(store: Store, connection: str) -> None:
    # cap: 2026-04/bulk-operations/bulk-operation-run-query-validators.json,
    # ordersNodesInsteadOfEdges ('orders { edges { node {') and nodesInsteadOfEdges ('products')
    body = store.gql(
        "2026-04",
        RUN,
        {"query": f"#graphql\n{{\n  {connection} {{\n    nodes {{\n      id\n    }}\n  }}\n}}"},
    )
    assert body["data"]["bulkOperationRunQuery"]["userErrors"] == [
        {
            "field": ["query"],
            "message": (
                "All connection fields in a bulk query must select their contents using 'edges' > "
                f"'node', e.g: '{connection} {{ edges {{ node {{'. Selecting via 'nodes' is not "
                f"supported. Invalid connection fields: '{connection}'."
            ),
            "code": "INVALID",
        }
    ]


def test_a_mutation_the_sandbox_does_not_emulate_says_so(store: Store) -> None:
    # The demo token has no write_products; Shopify would check it, but the sandbox could
    # not run the mutation with it either: it says what is true.
    body = store.gql(
        "2026-04",
        'mutation { productCreate(product: {title: "x"}) { product { id } userErrors { field } } }',
    )
    assert body["errors"] == [
        {
            "message": (
                "The sandbox does not emulate Mutation.productCreate (Shopify serves it; "
                "SANDBOX_COVERAGE.md lists what the sandbox serves)."
            ),
            "locations": [{"line": 1, "column": 12}],
            "extensions": {"code": "NOT_IMPLEMENTED_IN_SANDBOX"},
            "path": ["productCreate"],
        }
    ]
    assert body["data"] == {"productCreate": None}


def test_a_served_field_the_token_may_not_read_is_still_access_denied(store: Store) -> None:
    store.control("POST", "tokens", {"token": "app-locations", "scopes": ["read_locations"]})
    query = "{ inventoryItems(first: 1) { nodes { id } } }"
    response = store.post("2026-04", query, None, token="app-locations")
    assert response.json()["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
