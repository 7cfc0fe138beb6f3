"""Bulk query operations over real HTTP: validation, lifecycle, concurrency, JSONL export.

Messages and shapes are Shopify's recorded ones (docs/shopify-captures.md §2.8, §3.14; facts
§10.1). Results are downloaded from the operation's `url` with a plain GET, no access token.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests

from tests.conftest import Store, demo_snapshot

RUN = """
mutation Run($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation {
      id status type errorCode createdAt completedAt objectCount rootObjectCount fileSize url
      partialDataUrl query
    }
    userErrors { field message code }
  }
}
"""
FIELDS = (
    "id status type errorCode createdAt completedAt objectCount rootObjectCount fileSize url "
    "partialDataUrl query"
)
POLL = f"query Poll($id: ID!) {{ bulkOperation(id: $id) {{ {FIELDS} }} }}"
CANCEL = f"""
mutation Cancel($id: ID!) {{
  bulkOperationCancel(id: $id) {{ bulkOperation {{ {FIELDS} }} userErrors {{ field message }} }}
}}
"""
ITEMS_AND_LEVELS = (
    "{ inventoryItems { edges { node { id sku inventoryLevels { edges { node { id "
    'location { id } quantities(names: ["available","on_hand"]) { name quantity } } } } } } } }'
)
ON_HAND_PARTS = ("available", "committed", "damaged", "quality_control", "reserved", "safety_stock")
LEVEL_BASE_OFFSET = 140_000_000_000
TERMINAL = ("COMPLETED", "CANCELED", "FAILED", "EXPIRED")

NO_CONNECTION = "Bulk queries must contain at least one connection."
TOP_LEVEL_NODE = "Bulk queries cannot contain a top level `node` field."
TOO_MANY = "Bulk queries cannot contain more than 5 connections."
TOO_DEEP = "Bulk queries cannot contain connections with a nesting depth greater than 2."
IN_LIST = "Queries that contain a connection field within a list field are not currently supported."
IN_PROGRESS = "A bulk query operation for this app and shop is already in progress: "


def run(store: Store, query: str, version: str = "2026-10") -> dict[str, Any]:
    body = store.gql(version, RUN, {"query": query})
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["bulkOperationRunQuery"]
    return payload


def start(store: Store, query: str, version: str = "2026-10") -> dict[str, Any]:
    payload = run(store, query, version)
    assert payload["userErrors"] == []
    operation: dict[str, Any] = payload["bulkOperation"]
    return operation


def poll(store: Store, gid: str, version: str = "2026-10") -> dict[str, Any]:
    body = store.gql(version, POLL, {"id": gid})
    assert "errors" not in body, body
    operation: dict[str, Any] = body["data"]["bulkOperation"]
    return operation


def wait(
    store: Store, gid: str, version: str = "2026-10", until: tuple[str, ...] = TERMINAL
) -> Any:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        operation = poll(store, gid, version)
        if operation["status"] in until:
            return operation
        time.sleep(0.02)
    raise AssertionError(f"{gid} did not reach {until}: {operation}")


def hold(store: Store, stage: str | None) -> None:
    assert store.control("POST", "bulk", {"hold": stage})["hold"] == stage


def download(url: str) -> tuple[str, list[dict[str, Any]]]:
    response = requests.get(url, timeout=30)  # no access token: a signed-URL style download
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/jsonl"
    text = response.text
    return text, [json.loads(line) for line in text.splitlines()]


def export(store: Store, query: str, version: str = "2026-10") -> tuple[dict[str, Any], Any]:
    operation = wait(store, start(store, query, version)["id"], version)
    assert operation["status"] == "COMPLETED", operation
    text, lines = download(operation["url"])
    assert operation["fileSize"] == str(len(text.encode()))
    return operation, lines


# -- the export --------------------------------------------------------------------------------


def expected_demo_lines() -> list[dict[str, Any]]:
    """The demo snapshot as Shopify's JSONL for ITEMS_AND_LEVELS: parent, then its levels."""
    lines: list[dict[str, Any]] = []
    for item in sorted(
        demo_snapshot()["inventoryItems"], key=lambda i: int(i["id"].split("/")[-1])
    ):
        item_number = item["id"].split("/")[-1]
        lines.append({"id": item["id"], "sku": item["sku"]})
        levels = sorted(item.get("levels", []), key=lambda lv: int(lv["locationId"].split("/")[-1]))
        for level in levels:
            if not level.get("isActive", True):
                continue
            location = int(level["locationId"].split("/")[-1])
            quantities = level.get("quantities", {})
            on_hand = sum(quantities.get(name, 0) for name in ON_HAND_PARTS)
            lines.append(
                {
                    "id": f"gid://shopify/InventoryLevel/{LEVEL_BASE_OFFSET + location}"
                    f"?inventory_item_id={item_number}",
                    "location": {"id": level["locationId"]},
                    "quantities": [
                        {"name": "available", "quantity": quantities.get("available", 0)},
                        {"name": "on_hand", "quantity": on_hand},
                    ],
                    "__parentId": item["id"],
                }
            )
    return lines


def test_export_of_items_and_levels_is_shopify_jsonl(store: Store) -> None:
    created = start(store, ITEMS_AND_LEVELS)
    assert created["status"] == "CREATED"
    assert created["type"] == "QUERY"
    assert created["objectCount"] == "0"
    assert created["rootObjectCount"] == "0"
    assert created["fileSize"] is None
    assert created["url"] is None
    assert created["completedAt"] is None
    assert created["query"] == ITEMS_AND_LEVELS
    operation = wait(store, created["id"])
    assert operation["status"] == "COMPLETED"
    assert operation["errorCode"] is None
    assert operation["objectCount"] == "101"  # 30 items + 71 levels
    assert operation["rootObjectCount"] == "30"
    assert operation["completedAt"] is not None
    assert operation["partialDataUrl"] is None
    text, lines = download(operation["url"])
    assert operation["fileSize"] == str(len(text.encode()))
    assert lines == expected_demo_lines()
    assert sum("__parentId" not in line for line in lines) == 30
    assert sum("__parentId" in line for line in lines) == 71
    # Real Shopify JSONL escapes "/" (captures): only a JSON parser reads gids right.
    assert '"id":"gid:\\/\\/shopify\\/InventoryItem\\/43729030","sku":"TSHIRT-RED-S"}\n' in text
    assert "gid://" not in text
    assert text.endswith("\n")


def test_page_sizes_in_the_query_are_ignored(store: Store) -> None:
    query = ITEMS_AND_LEVELS.replace("inventoryItems {", "inventoryItems(first: 2) {").replace(
        "inventoryLevels {", "inventoryLevels(first: 1) {"
    )
    operation, lines = export(store, query)
    assert operation["objectCount"] == "101"
    assert lines == expected_demo_lines()


def test_bulk_lines_equal_a_normal_query_of_the_same_fields(store: Store) -> None:
    node = (
        "id sku tracked unitCost { amount currencyCode } countryCodeOfOrigin "
        "measurement { weight { value unit } } __typename"
    )
    level = (
        "id isActive location { id name } "
        'quantities(names: ["incoming","on_hand","available","committed"]) '
        "{ name quantity updatedAt }"
    )
    bulk_query = (
        f"{{ inventoryItems {{ edges {{ node {{ {node} "
        f"inventoryLevels {{ edges {{ node {{ {level} }} }} }} }} }} }} }}"
    )
    _, lines = export(store, bulk_query)
    expected: list[dict[str, Any]] = []
    after = None
    while True:
        body = store.gql(
            "2026-10",
            f"query Page($after: String) {{ inventoryItems(first: 10, after: $after) {{ "
            f"edges {{ node {{ {node} inventoryLevels(first: 5) {{ edges {{ node {{ {level} "
            f"}} }} }} }} }} pageInfo {{ hasNextPage endCursor }} }} }}",
            {"after": after},
        )
        assert "errors" not in body, body
        page = body["data"]["inventoryItems"]
        for edge in page["edges"]:
            item = dict(edge["node"])
            levels = item.pop("inventoryLevels")["edges"]
            expected.append(item)
            expected.extend({**e["node"], "__parentId": item["id"]} for e in levels)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(expected) == 101
    assert lines == expected


def test_nested_connection_under_an_object_field_points_at_the_enclosing_node(
    store: Store,
) -> None:
    query = (
        "{ productVariants { edges { node { id inventoryItem { sku inventoryLevels { edges { "
        "node { id } } } } } } } }"
    )
    operation, lines = export(store, query)
    assert operation["rootObjectCount"] == "30"
    assert operation["objectCount"] == "101"
    variants = [line for line in lines if "__parentId" not in line]
    first = variants[0]
    assert first == {
        "id": "gid://shopify/ProductVariant/49630000",
        "inventoryItem": {"sku": "TSHIRT-RED-S"},
    }
    children = [line for line in lines if line.get("__parentId") == first["id"]]
    assert children == [
        {
            "id": f"gid://shopify/InventoryLevel/{LEVEL_BASE_OFFSET + n}?inventory_item_id=43729030",
            "__parentId": first["id"],
        }
        for n in (68509171945, 68509204713, 68509237481)
    ]


def test_a_single_object_root_exports_its_connection_as_root_objects(store: Store) -> None:
    query = (
        '{ location(id: "gid://shopify/Location/68509237481") { name inventoryLevels { edges { '
        'node { id quantities(names: ["available"]) { quantity } } } } } }'
    )
    operation, lines = export(store, query)
    stocked = [
        item
        for item in demo_snapshot()["inventoryItems"]
        if any(
            lv["locationId"] == "gid://shopify/Location/68509237481"
            for lv in item.get("levels", [])
        )
    ]
    assert operation["rootObjectCount"] == str(len(stocked))
    assert operation["objectCount"] == str(len(stocked))
    assert all("__parentId" not in line for line in lines)
    assert [line["id"] for line in lines] == [
        f"gid://shopify/InventoryLevel/{LEVEL_BASE_OFFSET + 68509237481}"
        f"?inventory_item_id={item['id'].split('/')[-1]}"
        for item in sorted(stocked, key=lambda i: int(i["id"].split("/")[-1]))
    ]


def test_export_sees_a_quantity_changed_by_a_mutation(store: Store) -> None:
    store.control(
        "POST",
        "sale",
        {
            "inventoryItemId": "gid://shopify/InventoryItem/43729030",
            "locationId": "gid://shopify/Location/68509171945",
            "quantity": 4,
        },
    )
    _, lines = export(store, ITEMS_AND_LEVELS)
    level = next(
        line
        for line in lines
        if line["id"] == f"gid://shopify/InventoryLevel/{LEVEL_BASE_OFFSET + 68509171945}"
        "?inventory_item_id=43729030"
    )
    assert level["quantities"] == [
        {"name": "available", "quantity": 11},
        {"name": "on_hand", "quantity": 15},
    ]


def test_a_generated_store_exports_every_level(store: Store) -> None:
    store.control("POST", "generate", {"items": 600, "locations": 4, "seed": 3})
    operation, lines = export(store, ITEMS_AND_LEVELS)
    assert operation["rootObjectCount"] == "600"
    assert operation["objectCount"] == "3000"
    assert len({line["id"] for line in lines}) == 3000
    parents = [line["id"] for line in lines if "__parentId" not in line]
    assert parents[0] == "gid://shopify/InventoryItem/1000000"
    assert parents[-1] == "gid://shopify/InventoryItem/1000599"
    # every child follows its parent
    current = None
    for line in lines:
        if "__parentId" in line:
            assert line["__parentId"] == current
        else:
            current = line["id"]


# -- validation --------------------------------------------------------------------------------

SIX_CONNECTIONS = (
    "{ "
    + " ".join(f"c{i}: inventoryItems {{ edges {{ node {{ id }} }} }}" for i in range(6))
    + " }"
)
NODES_MESSAGE = (
    "All connection fields in a bulk query must select their contents using 'edges' > 'node', "
    "e.g: 'inventoryItems { edges { node {'. Selecting via 'nodes' is not supported. "
    "Invalid connection fields: 'inventoryItems'."
)
PARENT_ID_MESSAGE = (
    "The parent 'node' field for a nested connection must select the 'id' field without an "
    "alias and must be of 'ID' return type. Connection fields without 'id': inventoryItems."
)


@pytest.mark.parametrize(
    ("query", "messages"),
    [
        ("", ["Invalid bulk query: syntax error, unexpected end of file"]),
        ("{ shop { id } }", [NO_CONNECTION]),
        (
            '{ node(id: "gid://shopify/InventoryItem/43729030") { id } }',
            [TOP_LEVEL_NODE, NO_CONNECTION],
        ),
        ("{ inventoryItems { nodes { id } } }", [NODES_MESSAGE]),
        (SIX_CONNECTIONS, [TOO_MANY]),
        (
            "{ locations { edges { node { id inventoryLevels { edges { node { id item { id "
            "variants { edges { node { id } } } } } } } } } } }",
            [TOO_DEEP],
        ),
        (
            "{ inventoryItems { edges { node { sku inventoryLevels { edges { node { id } } } } } } }",
            [PARENT_ID_MESSAGE],
        ),
        (
            "{ inventoryItems { edges { node { itemId: id inventoryLevels { edges { node { id } } "
            "} } } } }",
            [PARENT_ID_MESSAGE],
        ),
        (
            "{ productVariants { edges { node { id deliveryProfile { unassignedLocations { id "
            "inventoryLevels { edges { node { id } } } } } } } } }",
            [IN_LIST],
        ),
        (
            'mutation { inventoryDeactivate(inventoryLevelId: "gid://shopify/InventoryLevel/1'
            '?inventory_item_id=1") { userErrors { message } } }',
            ["Invalid operation type. Only `query` operations are supported."],
        ),
        (
            "{ inventoryItems { edges { node { id nope } } } }",
            ["Invalid bulk query: Field 'nope' doesn't exist on type 'InventoryItem'"],
        ),
    ],
    ids=[
        "empty",
        "no-connection",
        "top-level-node",
        "nodes",
        "six-connections",
        "depth-3",
        "parent-without-id",
        "parent-id-aliased",
        "connection-in-list",
        "mutation",
        "unknown-field",
    ],
)
def test_invalid_bulk_queries_are_refused_with_shopify_messages(
    store: Store, query: str, messages: list[str]
) -> None:
    payload = run(store, query)
    assert payload == {
        "bulkOperation": None,
        "userErrors": [{"field": ["query"], "message": m, "code": "INVALID"} for m in messages],
    }
    listing = store.gql("2026-10", "{ bulkOperations(first: 5) { nodes { id } } }")
    assert listing["data"]["bulkOperations"]["nodes"] == []


# -- lifecycle ---------------------------------------------------------------------------------


def test_created_then_running_then_completed(store: Store) -> None:
    hold(store, "CREATED")
    gid = start(store, ITEMS_AND_LEVELS)["id"]
    time.sleep(0.1)
    assert poll(store, gid)["status"] == "CREATED"
    hold(store, "RUNNING")
    running = wait(store, gid, until=("RUNNING",))
    assert running["url"] is None
    assert running["completedAt"] is None
    time.sleep(0.1)
    assert poll(store, gid)["status"] == "RUNNING"
    hold(store, None)
    done = wait(store, gid)
    assert done["status"] == "COMPLETED"
    assert done["objectCount"] == "101"


def test_cancel_goes_canceling_then_canceled(store: Store) -> None:
    hold(store, "RUNNING")
    gid = start(store, ITEMS_AND_LEVELS)["id"]
    wait(store, gid, until=("RUNNING",))
    body = store.gql("2026-10", CANCEL, {"id": gid})
    payload = body["data"]["bulkOperationCancel"]
    assert payload["userErrors"] == []
    assert payload["bulkOperation"]["id"] == gid
    assert payload["bulkOperation"]["status"] == "CANCELING"
    canceled = wait(store, gid)
    assert canceled["status"] == "CANCELED"
    # Captured: completedAt and fileSize stay null, the url is not.
    assert canceled["completedAt"] is None
    assert canceled["fileSize"] is None
    assert canceled["url"] == f"{store.url}/__sandbox/bulk/{gid.split('/')[-1]}.jsonl"
    text, _ = download(canceled["url"])
    assert text == ""
    again = store.gql("2026-10", CANCEL, {"id": gid})["data"]["bulkOperationCancel"]
    assert again["userErrors"] == [
        {"field": None, "message": "A bulk operation cannot be canceled when it is canceled"}
    ]


def test_cancel_of_a_completed_or_unknown_operation(store: Store) -> None:
    operation, _ = export(store, ITEMS_AND_LEVELS)
    payload = store.gql("2026-10", CANCEL, {"id": operation["id"]})["data"]["bulkOperationCancel"]
    assert payload["userErrors"] == [
        {"field": None, "message": "A bulk operation cannot be canceled when it is completed"}
    ]
    assert payload["bulkOperation"]["status"] == "COMPLETED"
    unknown = store.gql("2026-10", CANCEL, {"id": "gid://shopify/BulkOperation/1"})
    assert unknown["data"]["bulkOperationCancel"] == {
        "bulkOperation": None,
        "userErrors": [{"field": ["id"], "message": "Bulk operation does not exist"}],
    }


def test_an_export_that_breaks_is_failed_without_partial_data(store: Store) -> None:
    # Product.onlineStoreUrl is in Shopify's schema but not served by the sandbox: the worker
    # fails on the first item, after writing nothing, as an internal error would on Shopify.
    # With no data written there is no partialDataUrl (schema: "null when there's no data").
    query = "{ productVariants { edges { node { id product { id onlineStoreUrl } } } } }"
    operation = wait(store, start(store, query)["id"])
    assert operation["status"] == "FAILED"
    assert operation["errorCode"] == "INTERNAL_SERVER_ERROR"
    assert operation["url"] is None
    assert operation["completedAt"] is not None
    assert operation["partialDataUrl"] is None


# -- concurrency -------------------------------------------------------------------------------


def test_2025_01_runs_one_bulk_query_at_a_time(store: Store) -> None:
    hold(store, "CREATED")
    first = start(store, ITEMS_AND_LEVELS, "2025-01")
    second = run(store, ITEMS_AND_LEVELS, "2025-01")
    assert second == {
        "bulkOperation": None,
        "userErrors": [
            {
                "field": None,
                "message": f"{IN_PROGRESS}{first['id']}.",
                "code": "OPERATION_IN_PROGRESS",
            }
        ],
    }
    hold(store, None)
    body = store.gql("2025-01", f"{{ currentBulkOperation {{ {FIELDS} }} }}")
    deadline = time.monotonic() + 20
    while body["data"]["currentBulkOperation"]["status"] != "COMPLETED":
        assert time.monotonic() < deadline
        body = store.gql("2025-01", f"{{ currentBulkOperation {{ {FIELDS} }} }}")
    assert body["data"]["currentBulkOperation"]["id"] == first["id"]
    assert start(store, ITEMS_AND_LEVELS, "2025-01")["status"] == "CREATED"


def test_2026_versions_run_five_and_list_them_when_refusing_a_sixth(store: Store) -> None:
    hold(store, "CREATED")
    gids = [start(store, ITEMS_AND_LEVELS, "2026-04")["id"] for _ in range(5)]
    refused = run(store, ITEMS_AND_LEVELS, "2026-04")
    assert refused == {
        "bulkOperation": None,
        "userErrors": [
            {
                "field": None,
                "message": IN_PROGRESS + ", ".join(gids) + ".",
                "code": "OPERATION_IN_PROGRESS",
            }
        ],
    }
    hold(store, None)
    for gid in gids:
        assert wait(store, gid, "2026-04")["status"] == "COMPLETED"


def test_concurrency_is_counted_per_app(store: Store) -> None:
    store.control("POST", "tokens", {"token": "other-app", "app": "Other"})
    hold(store, "CREATED")
    mine = start(store, ITEMS_AND_LEVELS, "2025-01")
    other = store.post("2025-01", RUN, {"query": ITEMS_AND_LEVELS}, token="other-app").json()
    theirs = other["data"]["bulkOperationRunQuery"]
    assert theirs["userErrors"] == []
    assert theirs["bulkOperation"]["id"] != mine["id"]
    # and one app cannot read another's operation
    seen = store.post("2026-01", POLL, {"id": mine["id"]}, token="other-app").json()
    assert seen["data"] == {"bulkOperation": None}


# -- reading operations ------------------------------------------------------------------------


def test_bulk_operation_by_id_is_not_in_2025_01(store: Store) -> None:
    gid = start(store, ITEMS_AND_LEVELS, "2025-01")["id"]
    body = store.gql("2025-01", POLL, {"id": gid})
    assert "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["undefinedField"]
    assert body["errors"][0]["message"] == "Field 'bulkOperation' doesn't exist on type 'QueryRoot'"
    # 2025-01 clients poll with node(id:) or currentBulkOperation
    deadline = time.monotonic() + 20
    while True:
        node = store.gql(
            "2025-01", f'{{ node(id: "{gid}") {{ ... on BulkOperation {{ id status }} }} }}'
        )
        if node["data"]["node"]["status"] == "COMPLETED":
            break
        assert time.monotonic() < deadline
    assert poll(store, gid, "2026-01")["objectCount"] == "101"


def test_bulk_operation_of_another_type_is_resource_not_found(store: Store) -> None:
    body = store.gql("2026-04", 'query {\n  bulkOperation(id: "gid://shopify/Product/1") { id }\n}')
    assert body["data"] == {"bulkOperation": None}
    assert body["errors"] == [
        {
            "message": "Invalid id: gid://shopify/Product/1",
            "locations": [{"line": 2, "column": 3}],
            "extensions": {"code": "RESOURCE_NOT_FOUND"},
            "path": ["bulkOperation"],
        }
    ]
    assert list(body["errors"][0]) == ["message", "locations", "extensions", "path"]
    assert body["extensions"]["cost"]["actualQueryCost"] == 1
    unknown = store.gql("2026-04", '{ bulkOperation(id: "gid://shopify/BulkOperation/1") { id } }')
    assert unknown["data"] == {"bulkOperation": None}
    assert "errors" not in unknown


def test_current_bulk_operation_is_the_most_recent_even_when_finished(store: Store) -> None:
    assert store.gql("2026-10", "{ currentBulkOperation { id } }")["data"] == {
        "currentBulkOperation": None
    }
    first, _ = export(store, ITEMS_AND_LEVELS)
    second, _ = export(store, ITEMS_AND_LEVELS)
    body = store.gql("2026-10", "{ currentBulkOperation(type: QUERY) { id status } }")
    assert body["data"]["currentBulkOperation"] == {"id": second["id"], "status": "COMPLETED"}
    mutations = store.gql("2026-10", "{ currentBulkOperation(type: MUTATION) { id } }")
    assert mutations["data"] == {"currentBulkOperation": None}
    assert first["id"] != second["id"]


def test_bulk_operations_lists_newest_first_and_filters(store: Store) -> None:
    first, _ = export(store, ITEMS_AND_LEVELS)
    second, _ = export(store, ITEMS_AND_LEVELS)
    hold(store, "RUNNING")
    third = start(store, ITEMS_AND_LEVELS)
    store.gql("2026-10", CANCEL, {"id": third["id"]})
    wait(store, third["id"])
    listing = "query L($q: String) { bulkOperations(first: 10, query: $q) { nodes { id status } } }"

    def ids(query: str | None) -> list[str]:
        body = store.gql("2026-10", listing, {"q": query})
        assert "errors" not in body, body
        return [n["id"] for n in body["data"]["bulkOperations"]["nodes"]]

    assert ids(None) == [third["id"], second["id"], first["id"]]
    assert ids("status:completed") == [second["id"], first["id"]]
    assert ids("status:CANCELED operation_type:query") == [third["id"]]
    assert ids("operation_type:mutation") == []
    reverse = store.gql("2026-10", "{ bulkOperations(first: 2, reverse: true) { nodes { id } } }")
    assert [n["id"] for n in reverse["data"]["bulkOperations"]["nodes"]] == [
        first["id"],
        second["id"],
    ]
    expired = store.gql("2026-10", listing, {"q": "status:EXPIRED"})
    assert expired["data"]["bulkOperations"]["nodes"] == []
    assert expired["extensions"]["search"] == [
        {
            "path": ["bulkOperations"],
            "query": "status:EXPIRED",
            "warnings": [
                {
                    "field": "status",
                    "message": "Input `EXPIRED` is not an accepted value.",
                    "code": "invalid_value",
                }
            ],
        }
    ]
    bad = store.gql("2026-10", listing, {"q": "created_at:>yesterday-ish"})
    assert bad["data"] is None
    assert [(e["message"], e["extensions"]["code"]) for e in bad["errors"]] == [
        ("Invalid timestamp for query filter `created_at`.", "BAD_REQUEST")
    ]
    assert ids("created_at:>2000-01-01T00:00:00Z") == [third["id"], second["id"], first["id"]]
    assert ids("created_at:<2000-01-01T00:00:00Z") == []


def test_result_files_need_no_token_and_unknown_ones_are_404(store: Store) -> None:
    operation, _ = export(store, ITEMS_AND_LEVELS)
    response = requests.get(operation["url"], timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="bulk-{operation["id"].split("/")[-1]}.jsonl"'
    )
    missing = requests.get(f"{store.url}/__sandbox/bulk/123.jsonl", timeout=30)
    assert missing.status_code == 404
    assert missing.json() == {"error": "no result file for bulk operation 123"}


def test_reset_cancels_held_operations_and_forgets_them(store: Store) -> None:
    hold(store, "CREATED")
    gid = start(store, ITEMS_AND_LEVELS)["id"]
    store.control("POST", "bulk", {"fail": {"errorCode": "TIMEOUT"}, "expire": 1})
    store.control("POST", "reset")
    assert store.gql("2026-10", POLL, {"id": gid})["data"] == {"bulkOperation": None}
    assert store.control("GET", "bulk") == {  # released, and scripted outcomes forgotten
        "hold": None,
        "fail": [],
        "expire": 0,
        "expireUrl": 0,
        "limitReached": 0,
        "downloads": [],
    }
    fresh = start(store, ITEMS_AND_LEVELS)
    assert int(fresh["id"].split("/")[-1]) > int(gid.split("/")[-1])  # ids are never reused
    assert wait(store, fresh["id"])["status"] == "COMPLETED"
