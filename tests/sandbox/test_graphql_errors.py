"""Top-level errors exactly as Shopify sends them (docs/shopify-captures.md §2.3–§2.9, §5.4).

Static errors (parse, validation, variables) come alone: no ``data``, no ``extensions``, keys
in the order ``message, locations, path, extensions``. Resolver errors (BAD_REQUEST,
INVALID_FIELD_ARGUMENTS, ACCESS_DENIED) come with ``data`` and cost, keys in the order
``message, locations, extensions, path``. Many expected bodies below are the recorded ones,
sent with the recorded documents.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from reconciler.sandbox import VERSIONS
from tests.conftest import Store

ITEM = "gid://shopify/InventoryItem/43729030"
EAST = "gid://shopify/Location/68509171945"
STATIC_KEYS = ["message", "locations", "path", "extensions"]
RESOLVER_KEYS = ["message", "locations", "extensions", "path"]


def _static(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The errors of a statically refused request, checking the envelope on the way."""
    assert list(body) == ["errors"], body
    errors: list[dict[str, Any]] = body["errors"]
    return errors


# -- parse errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2025-01", "2026-04"])
def test_parse_error_at_end_of_file_is_the_recorded_one(store: Store, version: str) -> None:
    document = "query GraphqlBaseValidationInvalidSyntax {\n  shop {\n    id\n"
    body = store.gql(version, document)
    assert body == {
        "errors": [
            {
                "message": "syntax error, unexpected end of file at [3, 5]",
                "locations": [{"line": 3, "column": 5}],
                "extensions": {"code": "PARSE_ERROR"},
            }
        ]
    }


@pytest.mark.parametrize(
    ("document", "message", "where"),
    [
        ("query {\n  shop { name } }\n}", 'syntax error, unexpected RCURLY ("}")', (3, 1)),
        ("query {\n  shop(( { name }\n}", 'syntax error, unexpected LPAREN ("(")', (2, 8)),
        ("mutation", "syntax error, unexpected end of file", (1, 1)),
    ],
)
def test_parse_errors_name_the_unexpected_token(
    store: Store, document: str, message: str, where: tuple[int, int]
) -> None:
    line, column = where
    assert store.gql("2026-04", document) == {
        "errors": [
            {
                "message": f"{message} at [{line}, {column}]",
                "locations": [{"line": line, "column": column}],
                "extensions": {"code": "PARSE_ERROR"},
            }
        ]
    }


# -- validation: recorded cases ---------------------------------------------------------------


def test_unknown_query_root_is_undefined_field_on_query_root(store: Store) -> None:
    document = (
        "query GraphqlBaseValidationUnknownQueryRoot {\n"
        "  definitelyNotAShopifyQueryRoot {\n    id\n  }\n}\n"
    )
    assert store.gql("2025-01", document) == {
        "errors": [
            {
                "message": "Field 'definitelyNotAShopifyQueryRoot' doesn't exist on type 'QueryRoot'",
                "locations": [{"line": 2, "column": 3}],
                "path": [
                    "query GraphqlBaseValidationUnknownQueryRoot",
                    "definitelyNotAShopifyQueryRoot",
                ],
                "extensions": {
                    "code": "undefinedField",
                    "typeName": "QueryRoot",
                    "fieldName": "definitelyNotAShopifyQueryRoot",
                },
            }
        ]
    }


def test_unknown_mutation_root_is_undefined_field_on_mutation(store: Store) -> None:
    document = (
        "mutation GraphqlBaseValidationUnknownMutationRoot {\n"
        "  definitelyNotAShopifyMutationRoot(input: {}) {\n    id\n  }\n}\n"
    )
    errors = _static(store.gql("2025-01", document))
    assert errors == [
        {
            "message": "Field 'definitelyNotAShopifyMutationRoot' doesn't exist on type 'Mutation'",
            "locations": [{"line": 2, "column": 3}],
            "path": [
                "mutation GraphqlBaseValidationUnknownMutationRoot",
                "definitelyNotAShopifyMutationRoot",
            ],
            "extensions": {
                "code": "undefinedField",
                "typeName": "Mutation",
                "fieldName": "definitelyNotAShopifyMutationRoot",
            },
        }
    ]
    assert list(errors[0]) == STATIC_KEYS


def test_unknown_nested_field_path_runs_through_nodes(store: Store) -> None:
    document = (
        "query GraphqlBaseValidationUnknownProductField {\n  products(first: 1) {\n"
        "    nodes {\n      id\n      definitelyNotAProductField\n    }\n  }\n}\n"
    )
    assert _static(store.gql("2025-01", document)) == [
        {
            "message": "Field 'definitelyNotAProductField' doesn't exist on type 'Product'",
            "locations": [{"line": 5, "column": 7}],
            "path": [
                "query GraphqlBaseValidationUnknownProductField",
                "products",
                "nodes",
                "definitelyNotAProductField",
            ],
            "extensions": {
                "code": "undefinedField",
                "typeName": "Product",
                "fieldName": "definitelyNotAProductField",
            },
        }
    ]


def test_object_without_selection_is_selection_mismatch(store: Store) -> None:
    document = "query GraphqlBaseValidationMissingSubselection {\n  shop\n}\n"
    assert _static(store.gql("2025-01", document)) == [
        {
            "message": (
                "Field must have selections (field 'shop' returns Shop but has no selections. "
                "Did you mean 'shop { ... }'?)"
            ),
            "locations": [{"line": 2, "column": 3}],
            "path": ["query GraphqlBaseValidationMissingSubselection", "shop"],
            "extensions": {
                "code": "selectionMismatch",
                "nodeName": "field 'shop'",
                "typeName": "Shop",
            },
        }
    ]


def test_selections_on_a_scalar(store: Store) -> None:
    document = f'query S {{ inventoryItem(id: "{ITEM}") {{ sku {{ value }} }} }}'
    assert _static(store.gql("2026-04", document)) == [
        {
            "message": (
                "Selections can't be made on scalars (field 'sku' returns String but has "
                "selections [value])"
            ),
            "locations": [{"line": 1, "column": 71}],
            "path": ["query S", "inventoryItem", "sku"],
            "extensions": {
                "code": "selectionMismatch",
                "nodeName": "field 'sku'",
                "typeName": "String",
            },
        }
    ]


def test_idempotent_on_2025_01_is_undefined_directive_then_variable_not_used(store: Store) -> None:
    """The recorded document and answer, byte for byte (captures §2.4)."""
    document = """#graphql
  mutation InventoryPathProductSiblingLocationDeactivate($locationId: ID!, $idempotencyKey: String!) {
    locationDeactivate(locationId: $locationId) @idempotent(key: $idempotencyKey) {
      location {
        id
        isActive
      }
      locationDeactivateUserErrors { field message code }
    }
  }
"""
    variables = {"locationId": EAST, "idempotencyKey": "k-2025"}
    response = store.post("2025-01", document, variables)
    assert response.status_code == 200
    assert response.json() == {
        "errors": [
            {
                "message": "Directive @idempotent is not defined",
                "locations": [{"line": 3, "column": 49}],
                "path": [
                    "mutation InventoryPathProductSiblingLocationDeactivate",
                    "locationDeactivate",
                ],
                "extensions": {"code": "undefinedDirective", "directiveName": "idempotent"},
            },
            {
                "message": (
                    "Variable $idempotencyKey is declared by "
                    "InventoryPathProductSiblingLocationDeactivate but not used"
                ),
                "locations": [{"line": 2, "column": 3}],
                "path": ["mutation InventoryPathProductSiblingLocationDeactivate"],
                "extensions": {"code": "variableNotUsed", "variableName": "idempotencyKey"},
            },
        ]
    }


def test_generic_user_error_has_no_code(store: Store) -> None:
    document = (
        "mutation InventoryDeactivateValidationActivateCodeSelection($item: ID!, $loc: ID!) {\n"
        "  inventoryActivate(inventoryItemId: $item, locationId: $loc) {\n"
        "    inventoryLevel { id }\n"
        "    userErrors { field message code }\n"
        "  }\n}\n"
    )
    for version in VERSIONS:
        errors = _static(store.gql(version, document, {"item": ITEM, "loc": EAST}))
        assert errors == [
            {
                "message": "Field 'code' doesn't exist on type 'UserError'",
                "locations": [{"line": 4, "column": 32}],
                "path": [
                    "mutation InventoryDeactivateValidationActivateCodeSelection",
                    "inventoryActivate",
                    "userErrors",
                    "code",
                ],
                "extensions": {
                    "code": "undefinedField",
                    "typeName": "UserError",
                    "fieldName": "code",
                },
            }
        ]


# -- validation: version-specific fields and arguments -----------------------------------------

LEVELS = """query Levels($id: ID!) {
  inventoryItem(id: $id) {
    inventoryLevels(first: 5, includeInactive: true) {
      nodes { isActive }
    }
  }
}"""


@pytest.mark.parametrize("version", ["2025-01", "2026-01"])
def test_include_inactive_and_is_active_do_not_exist_before_2026_04(
    store: Store, version: str
) -> None:
    errors = _static(store.gql(version, LEVELS, {"id": ITEM}))
    # document order: the argument (line 3) before the selection (line 4)
    assert errors == [
        {
            "message": "Field 'inventoryLevels' doesn't accept argument 'includeInactive'",
            "locations": [{"line": 3, "column": 31}],
            "path": ["query Levels", "inventoryItem", "inventoryLevels", "includeInactive"],
            "extensions": {
                "code": "argumentNotAccepted",
                "name": "inventoryLevels",
                "typeName": "Field",
                "argumentName": "includeInactive",
            },
        },
        {
            "message": "Field 'isActive' doesn't exist on type 'InventoryLevel'",
            "locations": [{"line": 4, "column": 15}],
            "path": ["query Levels", "inventoryItem", "inventoryLevels", "nodes", "isActive"],
            "extensions": {
                "code": "undefinedField",
                "typeName": "InventoryLevel",
                "fieldName": "isActive",
            },
        },
    ]


@pytest.mark.parametrize("version", ["2026-04", "2026-10"])
def test_include_inactive_and_is_active_exist_from_2026_04(store: Store, version: str) -> None:
    body = store.gql(version, LEVELS, {"id": ITEM})
    assert "errors" not in body
    levels = body["data"]["inventoryItem"]["inventoryLevels"]["nodes"]
    assert levels == [{"isActive": True}] * 3


def test_quantities_does_not_take_include_inactive(store: Store) -> None:
    document = (
        'query Q { inventoryLevel(id: "gid://shopify/InventoryLevel/1?inventory_item_id=1") '
        '{ quantities(names: ["available"], includeInactive: true) { quantity } } }'
    )
    errors = _static(store.gql("2026-04", document))
    assert [e["extensions"] for e in errors] == [
        {
            "code": "argumentNotAccepted",
            "name": "quantities",
            "typeName": "Field",
            "argumentName": "includeInactive",
        }
    ]
    assert errors[0]["path"] == ["query Q", "inventoryLevel", "quantities", "includeInactive"]


def test_missing_required_arguments_are_listed_together(store: Store) -> None:
    document = "mutation M {\n  inventoryActivate {\n    userErrors { message }\n  }\n}"
    assert _static(store.gql("2026-01", document)) == [
        {
            "message": (
                "Field 'inventoryActivate' is missing required arguments: "
                "inventoryItemId, locationId"
            ),
            "locations": [{"line": 2, "column": 3}],
            "path": ["mutation M", "inventoryActivate"],
            "extensions": {
                "code": "missingRequiredArguments",
                "className": "Field",
                "name": "inventoryActivate",
                "arguments": "inventoryItemId, locationId",
            },
        }
    ]


def test_anonymous_operation_path_starts_with_the_operation_type(store: Store) -> None:
    errors = _static(store.gql("2026-04", "{ shop { nope } }"))
    assert errors[0]["path"] == ["query", "shop", "nope"]


def test_paths_use_aliases_and_fragments(store: Store) -> None:
    document = (
        "query Q {\n"
        f'  first: inventoryItem(id: "{ITEM}") {{ ...Fields ... on InventoryItem {{ nah }} }}\n'
        "}\n"
        "fragment Fields on InventoryItem { sku nope }\n"
    )
    errors = _static(store.gql("2026-04", document))
    assert [(e["path"], e["locations"]) for e in errors] == [
        (["query Q", "first", "... on InventoryItem", "nah"], [{"line": 2, "column": 103}]),
        (["fragment Fields", "nope"], [{"line": 4, "column": 40}]),
    ]


def test_undeclared_variable(store: Store) -> None:
    errors = _static(store.gql("2026-04", "query Q { inventoryItem(id: $id) { sku } }"))
    assert errors == [
        {
            "message": "Variable $id is used by Q but not declared",
            "locations": [{"line": 1, "column": 29}],
            "path": ["query Q", "inventoryItem", "id"],
            "extensions": {"code": "variableNotDefined", "variableName": "id"},
        }
    ]


def test_unused_variable_without_any_directive(store: Store) -> None:
    errors = _static(store.gql("2026-04", "query Q($x: Int) { shop { name } }", {"x": 1}))
    assert errors == [
        {
            "message": "Variable $x is declared by Q but not used",
            "locations": [{"line": 1, "column": 1}],
            "path": ["query Q"],
            "extensions": {"code": "variableNotUsed", "variableName": "x"},
        }
    ]


# -- validation: literals --------------------------------------------------------------------


def test_malformed_inline_gid_is_argument_literals_incompatible(store: Store) -> None:
    """Recorded document and answer (captures §2.4)."""
    document = (
        "#graphql\nquery BulkOperationMalformedInlineIdValidation {\n"
        '  bulkOperation(id: "not-a-gid") {\n    id\n  }\n}\n'
    )
    assert store.gql("2026-04", document) == {
        "errors": [
            {
                "message": "Invalid global id 'not-a-gid'",
                "locations": [{"line": 3, "column": 3}],
                "path": ["query BulkOperationMalformedInlineIdValidation", "bulkOperation", "id"],
                "extensions": {"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"},
            }
        ]
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_malformed_gid_inside_a_list_literal(store: Store, version: str) -> None:
    document = f'query N {{ nodes(ids: ["{ITEM}", "x"]) {{ id }} }}'
    assert _static(store.gql(version, document)) == [
        {
            "message": "Invalid global id 'x'",
            "locations": [{"line": 1, "column": 11}],
            "path": ["query N", "nodes", "ids"],
            "extensions": {"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"},
        }
    ]


def test_inline_null_for_a_required_id(store: Store) -> None:
    errors = _static(store.gql("2026-04", "query Q { inventoryItem(id: null) { sku } }"))
    assert errors == [
        {
            "message": (
                "Argument 'id' on Field 'inventoryItem' has an invalid value (null). "
                "Expected type 'ID!'."
            ),
            "locations": [{"line": 1, "column": 11}],
            "path": ["query Q", "inventoryItem", "id"],
            "extensions": {
                "code": "argumentLiteralsIncompatible",
                "typeName": "Field",
                "argumentName": "id",
            },
        }
    ]


def test_wrong_literal_type(store: Store) -> None:
    errors = _static(
        store.gql("2026-04", 'query Q { inventoryItems(first: "ten") { nodes { id } } }')
    )
    assert [e["message"] for e in errors] == [
        "Argument 'first' on Field 'inventoryItems' has an invalid value (\"ten\"). "
        "Expected type 'Int'."
    ]


def test_unknown_input_field_in_a_literal(store: Store) -> None:
    document = (
        f'mutation M {{ inventoryItemUpdate(id: "{ITEM}", input: {{ tracked: true, '
        "colour: RED }) { userErrors { message } } }"
    )
    assert _static(store.gql("2026-04", document)) == [
        {
            "message": "InputObject 'InventoryItemInput' doesn't accept argument 'colour'",
            "locations": [{"line": 1, "column": 102}],
            "path": ["mutation M", "inventoryItemUpdate", "input", "colour"],
            "extensions": {
                "code": "argumentNotAccepted",
                "name": "InventoryItemInput",
                "typeName": "InputObject",
                "argumentName": "colour",
            },
        }
    ]


def test_missing_field_in_an_input_literal(store: Store) -> None:
    document = (
        'mutation M { inventoryAdjustQuantities(input: {reason: "correction", name: '
        f'"available", changes: [{{inventoryItemId: "{ITEM}", locationId: "{EAST}"}}]}}) '
        "{ userErrors { message } } }"
    )
    errors = _static(store.gql("2025-01", document))
    assert [e["message"] for e in errors] == [
        "Argument 'delta' on InputObject 'InventoryChangeInput' is required. Expected type Int!"
    ]
    assert errors[0]["extensions"] == {
        "code": "missingRequiredInputObjectAttribute",
        "argumentName": "delta",
        "argumentType": "Int!",
        "inputObjectType": "InventoryChangeInput",
    }
    # the path ends at the missing field, through the list index (captures §2.4: recorded
    # `["mutation …", "fileUpdate", "files", 0, "id"]`)
    assert errors[0]["path"] == [
        "mutation M",
        "inventoryAdjustQuantities",
        "input",
        "changes",
        0,
        "delta",
    ]


def test_errors_come_in_document_order(store: Store) -> None:
    document = "query Q {\n  a: shop { nope }\n  inventoryItem { sku }\n  b: shop { nah }\n}"
    errors = _static(store.gql("2026-04", document))
    assert [e["extensions"]["code"] for e in errors] == [
        "undefinedField",
        "missingRequiredArguments",
        "undefinedField",
    ]
    assert [e["locations"][0]["line"] for e in errors] == [2, 3, 4]


# -- variables -------------------------------------------------------------------------------


def test_missing_required_variable_is_the_recorded_invalid_variable(store: Store) -> None:
    document = (
        "mutation GraphqlBaseValidationMissingRequiredVariable($product: ProductCreateInput!) {\n"
        "  productCreate(product: $product) {\n    product {\n      id\n    }\n"
        "    userErrors {\n      field\n      message\n    }\n  }\n}\n"
    )
    assert store.gql("2025-01", document, {}) == {
        "errors": [
            {
                "message": "Variable $product of type ProductCreateInput! was provided invalid value",
                "locations": [{"line": 1, "column": 55}],
                "extensions": {
                    "code": "INVALID_VARIABLE",
                    "value": None,
                    "problems": [{"path": [], "explanation": "Expected value to not be null"}],
                },
            }
        ]
    }


def test_nested_missing_field_uses_integer_indexes_in_problems(store: Store) -> None:
    document = (
        "mutation Adjust($input: InventoryAdjustQuantitiesInput!) {\n"
        "  inventoryAdjustQuantities(input: $input) { userErrors { message } }\n}"
    )
    value = {
        "name": "available",
        "reason": "correction",
        "changes": [{"inventoryItemId": ITEM, "locationId": EAST}],
    }
    assert store.gql("2025-01", document, {"input": value}) == {
        "errors": [
            {
                "message": (
                    "Variable $input of type InventoryAdjustQuantitiesInput! was provided invalid "
                    "value for changes.0.delta (Expected value to not be null)"
                ),
                "locations": [{"line": 1, "column": 17}],
                "extensions": {
                    "code": "INVALID_VARIABLE",
                    "value": value,
                    "problems": [
                        {
                            "path": ["changes", 0, "delta"],
                            "explanation": "Expected value to not be null",
                        }
                    ],
                },
            }
        ]
    }


@pytest.mark.parametrize("version", ["2026-04", "2026-10"])
def test_ignore_compare_quantity_is_not_defined_from_2026_04(store: Store, version: str) -> None:
    document = (
        "mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {\n"
        "  inventorySetQuantities(input: $input) @idempotent(key: $key) {\n"
        "    userErrors { message }\n  }\n}"
    )
    value = {
        "name": "available",
        "reason": "correction",
        "ignoreCompareQuantity": True,
        "quantities": [
            {"inventoryItemId": ITEM, "locationId": EAST, "quantity": 1, "changeFromQuantity": 15}
        ],
    }
    body = store.gql(version, document, {"input": value, "key": f"k-{version}"})
    message = (
        "Variable $input of type InventorySetQuantitiesInput! was provided invalid value for "
        "ignoreCompareQuantity (Field is not defined on InventorySetQuantitiesInput)"
    )
    assert body == {
        "errors": [
            {
                "message": message,
                "locations": [{"line": 1, "column": 14}],
                "extensions": {
                    "code": "INVALID_VARIABLE",
                    "value": value,
                    "problems": [
                        {
                            "path": ["ignoreCompareQuantity"],
                            "explanation": "Field is not defined on InventorySetQuantitiesInput",
                        }
                    ],
                },
            }
        ]
    }


def test_malformed_gid_variable_carries_explanation_and_message(store: Store) -> None:
    document = "query BulkOperationStatusById(\n  $id: ID!\n) { bulkOperation(id: $id) { id } }"
    assert store.gql("2026-04", document, {"id": "not-a-shopify-gid"}) == {
        "errors": [
            {
                "message": "Variable $id of type ID! was provided invalid value",
                "locations": [{"line": 2, "column": 3}],
                "extensions": {
                    "code": "INVALID_VARIABLE",
                    "value": "not-a-shopify-gid",
                    "problems": [
                        {
                            "path": [],
                            "explanation": "Invalid global id 'not-a-shopify-gid'",
                            "message": "Invalid global id 'not-a-shopify-gid'",
                        }
                    ],
                },
            }
        ]
    }


def test_scalar_and_enum_coercion_problems(store: Store) -> None:
    document = "query L($n: Int, $s: LocationSortKeys) { locations(first: $n, sortKey: $s) { nodes { id } } }"
    body = store.gql("2026-04", document, {"n": "ten", "s": "SIZE"})
    assert [e["extensions"]["problems"] for e in _static(body)] == [
        [{"path": [], "explanation": 'Could not coerce value "ten" to Int'}],
        [{"path": [], "explanation": 'Expected "SIZE" to be one of: ID, NAME, RELEVANCE'}],
    ]


# -- resolver-level errors: data and cost come along -------------------------------------------


def test_missing_idempotent_from_2026_04_is_bad_request_with_data(store: Store) -> None:
    document = (
        "mutation Set($input: InventorySetQuantitiesInput!) {\n"
        "  inventorySetQuantities(input: $input) {\n"
        "    inventoryAdjustmentGroup { id }\n    userErrors { field message }\n  }\n}"
    )
    value = {
        "name": "available",
        "reason": "correction",
        "quantities": [
            {"inventoryItemId": ITEM, "locationId": EAST, "quantity": 16, "changeFromQuantity": 15}
        ],
    }
    body = store.gql("2026-04", document, {"input": value})
    assert list(body) == ["errors", "data", "extensions"]
    assert body["errors"] == [
        {
            "message": "The @idempotent directive is required for this mutation but was not provided.",
            "locations": [{"line": 2, "column": 3}],
            "extensions": {"code": "BAD_REQUEST"},
            "path": ["inventorySetQuantities"],
        }
    ]
    assert list(body["errors"][0]) == RESOLVER_KEYS
    assert body["data"] == {"inventorySetQuantities": None}
    cost = body["extensions"]["cost"]
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (10, 10)


@pytest.mark.parametrize("version", VERSIONS)
def test_connection_without_first_or_last_nulls_all_data(store: Store, version: str) -> None:
    document = "query Q {\n  shop { name }\n  inventoryItems {\n    nodes { id }\n  }\n}"
    body = store.gql(version, document)
    assert list(body) == ["errors", "data", "extensions"]
    assert body["errors"] == [
        {
            "message": "you must provide one of first or last",
            "locations": [{"line": 3, "column": 3}],
            "extensions": {"code": "BAD_REQUEST"},
            "path": ["inventoryItems"],
        }
    ]
    assert body["data"] is None
    cost = body["extensions"]["cost"]
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (3, 2)


def test_connection_with_both_first_and_last_is_refused(store: Store) -> None:
    body = store.gql("2026-04", "query Q {\n  locations(first: 1, last: 1) { nodes { id } }\n}")
    assert body["errors"] == [
        {
            "message": "providing both first and last is not supported",
            "locations": [{"line": 2, "column": 3}],
            "extensions": {"code": "BAD_REQUEST"},
            "path": ["locations"],
        }
    ]
    assert body["data"] is None
    cost = body["extensions"]["cost"]
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (3, 2)


def test_nested_connection_without_a_page_size(store: Store) -> None:
    document = (
        f'query Q {{ inventoryItem(id: "{ITEM}") {{ inventoryLevels {{ nodes {{ id }} }} }} }}'
    )
    body = store.gql("2026-04", document)
    assert body["errors"][0]["path"] == ["inventoryItem", "inventoryLevels"]
    assert body["errors"][0]["message"] == "you must provide one of first or last"
    assert body["data"] is None


# -- crashes -------------------------------------------------------------------------------


def test_a_crash_is_internal_server_error_without_data_or_traceback(store: Store) -> None:
    store.control(
        "POST", "faults", {"kind": "internal_error", "operation": "inventorySetQuantities"}
    )
    document = (
        "mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {\n"
        "  inventorySetQuantities(input: $input) @idempotent(key: $key) {\n"
        "    inventoryAdjustmentGroup { id }\n  }\n}"
    )
    value = {
        "name": "available",
        "reason": "correction",
        "quantities": [
            {"inventoryItemId": ITEM, "locationId": EAST, "quantity": 16, "changeFromQuantity": 15}
        ],
    }
    response = store.post("2026-04", document, {"input": value, "key": "k-crash"})
    assert response.status_code == 200
    body = response.json()
    request_id = response.headers["X-Request-Id"]
    assert body == {
        "errors": [
            {
                "message": (
                    "Internal error. Looks like something went wrong on our end.\n"
                    f"Request ID: {request_id} (include this in support requests)."
                ),
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
            }
        ]
    }
    assert re.fullmatch(r"[0-9a-f-]{36}-\d{10}", request_id)
    assert "Traceback" not in response.text


def test_a_field_the_sandbox_does_not_serve_says_so(store: Store) -> None:
    body = store.gql("2026-04", "query Q { shop { name email } }")
    assert body["errors"] == [
        {
            "message": (
                "The sandbox does not emulate Shop.email (Shopify serves it; "
                "SANDBOX_COVERAGE.md lists what the sandbox serves)."
            ),
            "locations": [{"line": 1, "column": 23}],
            "extensions": {"code": "NOT_IMPLEMENTED_IN_SANDBOX"},
            "path": ["shop", "email"],
        }
    ]
    assert body["data"] is None  # Shop.email and QueryRoot.shop are non-null


def test_more_than_250_ids_is_max_input_size_exceeded(store: Store) -> None:
    document = "query Many($ids: [ID!]!) {\n  nodes(ids: $ids) { id }\n}"
    body = store.gql(
        "2026-04", document, {"ids": [f"gid://shopify/Location/{n}" for n in range(1, 252)]}
    )
    assert body == {
        "errors": [
            {
                "message": "The input array size of 251 is greater than the maximum allowed of 250.",
                "locations": [{"line": 2, "column": 3}],
                "path": ["nodes", "ids"],
                "extensions": {"code": "MAX_INPUT_SIZE_EXCEEDED"},
            }
        ]
    }
    allowed = store.gql(
        "2026-04", document, {"ids": [f"gid://shopify/Location/{n}" for n in range(1, 251)]}
    )
    assert allowed["data"]["nodes"] == [None] * 250


@pytest.mark.parametrize(
    ("document", "message", "extensions", "path"),
    [
        (
            "query Q @skip(if: true) { shop { name } }",
            "'@skip' can't be applied to queries (allowed: fields, fragment spreads, inline fragments)",
            {"code": "directiveCannotBeApplied", "targetName": "queries", "name": "skip"},
            ["query Q"],
        ),
        (
            "query Q { shop { ... on Location { name } } }",
            "Fragment on Location can't be spread inside Shop",
            {"code": "fragmentSpreadTypeMismatch", "typeName": "Shop", "fragmentName": "unknown"},
            ["query Q", "shop", "... on Location"],
        ),
        (
            "query Q { shop { ...Nope } }",
            "Fragment Nope was used, but not defined",
            {"code": "useAndDefineFragment", "fragmentName": "Nope"},
            ["query Q", "shop", "... Nope"],
        ),
        (
            "query Q { inventoryItem(id: 5) { id } }",
            "Invalid global id '5'",
            {"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"},
            ["query Q", "inventoryItem", "id"],
        ),
        (
            "query Q($a: String) { locations(first: $a) { nodes { id } } }",
            "Type mismatch on variable $a and argument first (String / Int)",
            {
                "code": "variableMismatch",
                "variableName": "a",
                "typeName": "String",
                "argumentName": "first",
                "errorMessage": "Type mismatch",
            },
            ["query Q", "locations", "first"],
        ),
    ],
)
def test_other_validation_rules_in_graphql_ruby_words(
    store: Store, document: str, message: str, extensions: dict[str, Any], path: list[str]
) -> None:
    errors = _static(store.gql("2026-04", document))
    assert [(e["message"], e["extensions"], e["path"]) for e in errors] == [
        (message, extensions, path)
    ]


def test_an_unknown_variable_type(store: Store) -> None:
    errors = _static(
        store.gql("2026-04", "query Q($x: Foo) { locations(first: $x) { nodes { id } } }")
    )
    assert errors[0] == {
        "message": "Foo isn't a defined input type (on $x)",
        "locations": [{"line": 1, "column": 9}],
        "path": ["query Q"],
        "extensions": {"code": "variableRequiresValidType", "typeName": "Foo", "variableName": "x"},
    }
