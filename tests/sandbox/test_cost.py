"""Calculated query cost and the leaky bucket, against the recorded worked examples.

Requested cost follows docs/shopify-captures.md §1.2 exactly; the worked examples of §1.3 are
replayed with the sandbox's data. Actual cost is asserted exactly only where §1.4 says the
heuristic fits real Shopify; elsewhere only ``actual <= requested``. THROTTLED and
MAX_COST_EXCEEDED are the envelopes of §2.1/§2.2.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import pytest

from tests.conftest import Store

EAST, WEST = 68509171945, 68509204713
LEVEL_BASE = 140_000_000_000
BLK_S = 43729033  # levels at East and West
BOOT_44 = 43729049  # one level, at East
RATE_LIMITS = "https://shopify.dev/api/usage/rate-limits"


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def cost(
    store: Store, version: str, query: str, variables: dict[str, Any] | None = None
) -> tuple[int, int]:
    body = store.gql(version, query, variables)
    found = body["extensions"]["cost"]
    return found["requestedQueryCost"], found["actualQueryCost"]


# -- the page-size multiplier --------------------------------------------------------------

MULTIPLIER = [
    (1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (7, 3), (8, 4), (12, 4), (13, 5), (20, 5),
    (21, 6), (33, 6), (34, 7), (54, 7), (55, 8), (90, 8), (91, 9), (148, 9), (149, 10),
    (244, 10), (245, 11), (250, 11),
]  # fmt: skip


@pytest.mark.parametrize(("n", "m"), MULTIPLIER)
def test_connection_cost_is_2_plus_m_of_n_times_a_node(store: Store, n: int, m: int) -> None:
    query = f"{{ locations(first: {n}) {{ nodes {{ id }} }} }}"
    requested, actual = cost(store, "2026-04", query)
    assert requested == 2 + m
    # three locations come back: 2 + 2·ln 3 = 4.19 → 4 (or 2 + 1 if only one was asked for)
    assert actual == {1: 3, 2: 3}.get(n, 4)


def test_last_costs_like_first_and_edges_like_nodes(store: Store) -> None:
    nodes = cost(store, "2026-04", "{ inventoryItems(last: 10) { nodes { id tracked } } }")
    edges = cost(
        store,
        "2026-04",
        "{ inventoryItems(last: 10) { edges { cursor node { id tracked } } pageInfo { hasNextPage endCursor } } }",
    )
    assert nodes[0] == edges[0] == 2 + 4 * 1


# -- recorded worked examples (captures §1.3) -----------------------------------------------


def test_q1_item_levels_with_one_level(store: Store) -> None:
    query = """query Q1($id: ID!) { inventoryItem(id: $id) { id
      inventoryLevels(first: 5) { nodes { location { id name }
        quantities(names: ["available", "on_hand"]) { name quantity } } } } }"""
    assert cost(store, "2026-04", query, {"id": gid("InventoryItem", BOOT_44)}) == (12, 6)


def test_q5_windowed_levels(store: Store) -> None:
    query = """query Q5($id: ID!, $after: String, $before: String) { inventoryItem(id: $id) {
      afterFirst: inventoryLevels(first: 1, after: $after) {
        nodes { id item { id } location { id name } quantities(names: ["available", "on_hand", "committed"]) { name quantity } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
      beforeSecond: inventoryLevels(last: 1, before: $before) {
        nodes { id item { id } location { id name } quantities(names: ["available", "on_hand", "committed"]) { name quantity } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }"""
    windows = store.gql(
        "2026-04",
        "query W($id: ID!) { inventoryItem(id: $id) { inventoryLevels(first: 2) { edges { cursor } } } }",
        {"id": gid("InventoryItem", BLK_S)},
    )
    c1, c2 = (e["cursor"] for e in windows["data"]["inventoryItem"]["inventoryLevels"]["edges"])
    variables = {"id": gid("InventoryItem", BLK_S), "after": c1, "before": c2}
    assert cost(store, "2026-04", query, variables) == (13, 13)


@pytest.mark.parametrize("version", ["2026-04", "2026-10"])
def test_q6_level_by_id(store: Store, version: str) -> None:
    query = """query Q6($id: ID!) { inventoryLevel(id: $id) { isActive
      quantities(names: ["on_hand"]) { name quantity } } }"""
    level = f"gid://shopify/InventoryLevel/{LEVEL_BASE + EAST}?inventory_item_id={BLK_S}"
    assert cost(store, version, query, {"id": level}) == (2, 2)


def test_q7_four_searches(store: Store) -> None:
    query = """query Q7($a: String!, $b: String!, $c: String!, $d: String!) {
      skuMatch: inventoryItems(first: 5, query: $a) { nodes { id tracked variant { id sku } } pageInfo { hasNextPage } }
      trackedFalse: inventoryItems(first: 5, query: $b) { nodes { id tracked variant { id sku } } pageInfo { hasNextPage } }
      idRange: inventoryItems(first: 5, query: $c) { nodes { id tracked variant { id sku } } pageInfo { hasNextPage } }
      updatedBefore: inventoryItems(first: 5, query: $d) { nodes { id } pageInfo { hasNextPage } } }"""
    variables = {
        "a": "sku:'TENT-2P'",
        "b": "tracked:false sku:'TENT-4P'",
        "c": "id:>=43729052 id:<=43729053",
        "d": "updated_at:<2000-01-01T00:00:00Z sku:'TENT-2P'",
    }
    requested, actual = cost(store, "2025-01", query, variables)
    assert requested == 29
    assert actual <= requested  # 2025-01 actual is a recorded misfit of the heuristic


def test_q8_hybrid_read(store: Store) -> None:
    fields = "id tracked requiresShipping sku variant { id sku inventoryQuantity product { id } }"
    query = f"""query Q8($id: ID!, $q: String!, $level: ID!) {{
      item: inventoryItem(id: $id) {{ {fields} }}
      items: inventoryItems(first: 5, query: $q) {{ edges {{ cursor node {{ {fields} }} }} pageInfo {{ hasNextPage }} }}
      level: inventoryLevel(id: $level) {{ id isActive item {{ id tracked }} location {{ id name }}
        quantities(names: ["available", "on_hand", "committed", "incoming", "reserved"]) {{ name quantity }} }} }}"""
    variables = {
        "id": gid("InventoryItem", BOOT_44),
        "q": "sku:'BOOT-HIKE-44'",
        "level": f"gid://shopify/InventoryLevel/{LEVEL_BASE + EAST}?inventory_item_id={BOOT_44}",
    }
    assert cost(store, "2026-04", query, variables) == (18, 12)


def test_q10_nodes_charge_the_dearest_fragment_once(store: Store) -> None:
    query = """query Q10($ids: [ID!]!) { nodes(ids: $ids) {
      ... on InventoryItem { id measurement { weight { value } } variant { id product { id } }
        inventoryLevels(first: 10) { nodes { id location { id } quantities(names: ["available"]) { name } } } }
      ... on InventoryLevel { id location { id } item { id variant { id product { id } } } } } }"""
    ids = [gid("InventoryItem", BLK_S), gid("InventoryItem", 1), gid("InventoryItem", BOOT_44)]
    requested, actual = cost(store, "2026-04", query, {"ids": ids})
    # InventoryItem: measurement 0 (captures §1.6) + variant 2 + levels (2 + 4·3) = 16;
    # InventoryLevel: 1 + 3 = 4
    assert requested == 1 + 16
    assert actual <= requested


def test_q11_all_null_nodes_cost_one(store: Store) -> None:
    query = """query Q11($ids: [ID!]!) { nodes(ids: $ids) { __typename id
      ... on InventoryItem { variant { id } inventoryLevels(first: 10) { nodes { id location { id } } } } } }"""
    ids = [gid("InventoryItem", 1), gid("InventoryItem", 2), gid("Order", 3), gid("Location", 4)]
    assert cost(store, "2026-04", query, {"ids": ids}) == (1 + 1 + (2 + 4 * 2), 1)


@pytest.mark.parametrize("version", ["2026-01", "2026-04"])
def test_q12_q13_q14_bulk_operation_reads(store: Store, version: str) -> None:
    none = store.gql(version, "query Q12 { bulkOperations { nodes { id } } }")
    assert none["data"] is None
    assert none["errors"][0]["message"] == "you must provide one of first or last"
    found = none["extensions"]["cost"]
    assert (found["requestedQueryCost"], found["actualQueryCost"]) == (2, 2)
    requested, actual = cost(
        store, version, "query Q13 { bulkOperations(first: 1) { nodes { id } } }"
    )
    assert requested == 3 and actual <= 3
    query = "query Q14($id: ID!) { bulkOperation(id: $id) { id status } }"
    assert cost(store, version, query, {"id": gid("BulkOperation", 1)}) == (1, 1)


def test_q15_a_null_object_charges_nothing_inside_it(store: Store) -> None:
    query = """query Q15($id: ID!) { product(id: $id) {
      variants(first: 250) { nodes { inventoryItem { id tracked } } } } }"""
    assert cost(store, "2026-04", query, {"id": gid("Product", 1)}) == (25, 1)


def test_introspection_requested_as_objects_actual_flat(store: Store) -> None:
    query = """{ a: __type(name: "InventoryItem") { fields { name } }
      b: __type(name: "Location") { fields { name } }
      c: __type(name: "Shop") { fields { name } } }"""
    assert cost(store, "2026-04", query) == (6, 3)


# -- mutations (each with a fresh idempotency key: reads nothing another test wrote) ----------

GROUP_M3 = """inventoryAdjustmentGroup { id createdAt reason referenceDocumentUri
  changes { name delta quantityAfterChange item { id } location { id name } } }
  userErrors { field message }"""


def _key() -> str:
    return f"cost-{uuid.uuid4()}"


def _set_input(quantity: int, expected: int | None, item: int = BLK_S) -> dict[str, Any]:
    row: dict[str, Any] = {
        "inventoryItemId": gid("InventoryItem", item),
        "locationId": gid("Location", EAST),
        "quantity": quantity,
    }
    if expected is not None:
        row["changeFromQuantity"] = expected
    return {"name": "available", "reason": "correction", "quantities": [row]}


def _set(selection: str) -> str:
    return f"""mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {{
      inventorySetQuantities(input: $input) @idempotent(key: $key) {{ {selection} }} }}"""


def test_m3_set_with_the_full_group(store: Store) -> None:
    variables = {"input": _set_input(30, 24), "key": _key()}
    assert cost(store, "2026-04", _set(GROUP_M3), variables) == (13, 13)


def test_m3_refused_with_user_errors_costs_the_base(store: Store) -> None:
    variables = {"input": _set_input(30, 999), "key": _key()}  # stale changeFromQuantity
    assert cost(store, "2026-04", _set(GROUP_M3), variables) == (13, 10)


def test_m3_without_change_from_quantity_is_invalid_field_arguments(store: Store) -> None:
    body = store.gql("2026-04", _set(GROUP_M3), {"input": _set_input(30, None), "key": _key()})
    assert body["errors"][0]["extensions"] == {"code": "INVALID_FIELD_ARGUMENTS"}
    found = body["extensions"]["cost"]
    assert (found["requestedQueryCost"], found["actualQueryCost"]) == (13, 10)


def test_m4_minimal_selection(store: Store) -> None:
    selection = "inventoryAdjustmentGroup { id } userErrors { field message }"
    assert cost(
        store, "2026-04", _set(selection), {"input": _set_input(31, 24), "key": _key()}
    ) == (10, 10)


def test_m7_move(store: Store) -> None:
    query = """mutation Move($input: InventoryMoveQuantitiesInput!, $key: String!) {
      inventoryMoveQuantities(input: $input) @idempotent(key: $key) {
        inventoryAdjustmentGroup { id createdAt reason referenceDocumentUri
          changes { name delta quantityAfterChange ledgerDocumentUri location { id name } } }
        userErrors { field message } } }"""
    change = {
        "inventoryItemId": gid("InventoryItem", BLK_S),
        "quantity": 2,
        "from": {
            "locationId": gid("Location", EAST),
            "name": "available",
            "changeFromQuantity": 24,
        },
        "to": {
            "locationId": gid("Location", EAST),
            "name": "damaged",
            "ledgerDocumentUri": "ledger://cost-test/move",
            "changeFromQuantity": 0,
        },
    }
    value = {
        "reason": "damaged",
        "referenceDocumentUri": "logistics://cost-test/1",
        "changes": [change],
    }
    assert cost(store, "2026-04", query, {"input": value, "key": _key()}) == (12, 12)


ACTIVATE = """mutation Activate($item: ID!, $location: ID!, $key: String!) {
  inventoryActivate(inventoryItemId: $item, locationId: $location) @idempotent(key: $key) { %s } }"""


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (  # M8
            'inventoryLevel { id isActive location { id name } quantities(names: ["available", '
            '"on_hand", "committed"]) { name quantity } item { id tracked } } userErrors { field message }',
            (13, 13),
        ),
        (  # M10
            'inventoryLevel { id isActive quantities(names: ["available", "on_hand"]) { name quantity updatedAt } } '
            "userErrors { field message }",
            (11, 11),
        ),
        ("inventoryLevel { id } userErrors { field message }", (10, 10)),  # M11
    ],
)
def test_m8_m10_m11_activate(store: Store, selection: str, expected: tuple[int, int]) -> None:
    variables = {
        "item": gid("InventoryItem", BLK_S),
        "location": gid("Location", EAST),
        "key": _key(),
    }
    assert cost(store, "2026-04", ACTIVATE % selection, variables) == expected


def test_m10_with_a_null_level_costs_the_base(store: Store) -> None:
    selection = (
        'inventoryLevel { id isActive quantities(names: ["available", "on_hand"]) { name quantity } } '
        "userErrors { field message }"
    )
    variables = {"item": gid("InventoryItem", BLK_S), "location": gid("Location", 1), "key": _key()}
    assert cost(store, "2026-04", ACTIVATE % selection, variables) == (11, 10)


def test_two_mutation_roots_cost_ten_each(store: Store) -> None:
    query = """mutation Two($a: InventorySetQuantitiesInput!, $b: InventorySetQuantitiesInput!) {
      first: inventorySetQuantities(input: $a) { userErrors { message } }
      second: inventorySetQuantities(input: $b) { userErrors { message } } }"""
    variables = {"a": _set_input(40, 24), "b": _set_input(41, 8, item=BOOT_44)}
    assert cost(store, "2026-01", query, variables) == (20, 20)


def test_actual_never_exceeds_requested(store: Store) -> None:
    queries = [
        '{ inventoryItems(first: 250) { nodes { id inventoryLevels(first: 3) { nodes { id quantities(names: ["available"]) { quantity } } } } } }',
        "{ locations(first: 1) { nodes { inventoryLevels(first: 100) { nodes { item { sku variant { id } } } } } } }",
        "{ inventoryItems(last: 3, reverse: true) { edges { node { variant { product { id } } } } } }",
        "{ productVariants(first: 50) { nodes { inventoryItem { inventoryLevels(first: 2) { nodes { id } } } } } }",
    ]
    for query in queries:
        requested, actual = cost(store, "2026-04", query)
        assert 1 <= actual <= requested, query


# -- the bucket ----------------------------------------------------------------------------

BIG = """{ inventoryItems(first: 250) { nodes { inventoryLevels(first: 250) { nodes {
  item { inventoryLevels(first: 250) { nodes { id } } } } } } } }"""  # 2 + 11·(1 + 2 + 11·(1 + 1 + 13))


def test_max_cost_exceeded_is_the_recorded_envelope(store: Store) -> None:
    response = store.post("2026-04", BIG)
    assert response.status_code == 200
    assert response.json() == {
        "errors": [
            {
                "message": (
                    "Query cost is 1850, which exceeds the single query max cost limit (1000).\n\n"
                    "See https://shopify.dev/docs/api/usage/rate-limits for more information on how the\n"
                    "cost of a query is calculated.\n\n"
                    "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
                    "See https://shopify.dev/docs/api/usage/bulk-operations/queries for usage details.\n"
                ),
                "extensions": {
                    "code": "MAX_COST_EXCEEDED",
                    "cost": 1850,
                    "maxCost": 1000,
                    "documentation": RATE_LIMITS,
                },
            }
        ]
    }
    # nothing was charged: the next answer shows a full bucket minus its own cost
    after = store.gql("2026-04", "{ shop { name } }")["extensions"]["cost"]["throttleStatus"]
    assert after["currentlyAvailable"] == 1999


def test_the_bucket_is_charged_the_actual_cost(store: Store) -> None:
    """Captured: a full bucket, requested 12 / actual 6 → 1994 left (1954 for 94/46)."""
    body = store.gql(
        "2026-04",
        """query Q1($id: ID!) { inventoryItem(id: $id) { id inventoryLevels(first: 5) { nodes {
          location { id name } quantities(names: ["available", "on_hand"]) { name quantity } } } } }""",
        {"id": gid("InventoryItem", BOOT_44)},
    )
    assert body["extensions"]["cost"] == {
        "requestedQueryCost": 12,
        "actualQueryCost": 6,
        "throttleStatus": {
            "maximumAvailable": 2000.0,
            "currentlyAvailable": 1994,
            "restoreRate": 100.0,
        },
    }


def test_wire_numbers_are_floats_and_integers_as_shopify_writes_them(store: Store) -> None:
    text = store.post("2026-04", "{ shop { name } }").text
    assert re.search(r'"maximumAvailable": ?2000\.0[,}]', text)
    assert re.search(r'"restoreRate": ?100\.0[,}]', text)
    assert re.search(r'"currentlyAvailable": ?1999[,}]', text)


def test_throttled_is_the_recorded_envelope(store: Store) -> None:
    store.control("POST", "throttle", {"currentlyAvailable": 0})
    response = store.post("2026-04", "{ inventoryItems(first: 5) { nodes { id } } }")
    assert response.status_code == 200
    assert "Retry-After" not in response.headers
    body = response.json()
    available = body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
    assert 0 <= available < 5  # a few milliseconds of leak at 100 points per second
    assert body == {
        "errors": [
            {
                "message": "Throttled",
                "extensions": {"code": "THROTTLED", "documentation": RATE_LIMITS},
            }
        ],
        "extensions": {
            "cost": {
                "requestedQueryCost": 5,
                "actualQueryCost": None,
                "throttleStatus": {
                    "maximumAvailable": 2000.0,
                    "currentlyAvailable": available,
                    "restoreRate": 100.0,
                },
            }
        },
    }
    assert re.search(r'"actualQueryCost": ?null[,}]', response.text)


def test_admission_is_decided_by_requested_not_actual(store: Store) -> None:
    store.control("POST", "throttle", {"currentlyAvailable": 8})
    query = """query Q1($id: ID!) { inventoryItem(id: $id) { id inventoryLevels(first: 5) { nodes {
      location { id name } quantities(names: ["available"]) { quantity } } } } }"""
    body = store.gql(
        "2026-04", query, {"id": gid("InventoryItem", BOOT_44)}
    )  # 12 requested, 6 actual
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    cheap = store.gql("2026-04", "{ shop { name } }")
    assert cheap["data"] == {"shop": {"name": "Northwind Outfitters"}}


def test_the_bucket_leaks_back_at_the_restore_rate(store: Store) -> None:
    store.control("POST", "throttle", {"currentlyAvailable": 0})
    time.sleep(0.3)  # 100 points per second: about 30 back
    status = store.gql("2026-04", "{ shop { name } }")["extensions"]["cost"]["throttleStatus"]
    assert 25 <= status["currentlyAvailable"] <= 60


@pytest.mark.parametrize(
    ("plan", "maximum", "rate"),
    [("standard", 2000.0, 100.0), ("advanced", 4000.0, 200.0), ("plus", 20000.0, 1000.0)],
)
def test_plans_set_bucket_size_and_restore_rate(
    store: Store, plan: str, maximum: float, rate: float
) -> None:
    try:
        store.control("POST", "throttle", {"plan": plan})
        status = store.gql("2026-04", "{ shop { name } }")["extensions"]["cost"]["throttleStatus"]
        assert status == {
            "maximumAvailable": maximum,
            "currentlyAvailable": int(maximum) - 1,
            "restoreRate": rate,
        }
    finally:
        store.control("POST", "throttle", {"plan": "standard"})


def test_each_token_has_its_own_bucket(store: Store) -> None:
    store.control(
        "POST", "tokens", {"token": "second-app", "scopes": ["read_inventory", "read_locations"]}
    )
    query = "{ inventoryItems(first: 250) { nodes { id inventoryLevels(first: 250) { nodes { id } } } } }"
    first = store.gql("2026-04", query)["extensions"]["cost"]
    assert first["requestedQueryCost"] == 2 + 11 * (1 + 2 + 11)
    response = store.post("2026-04", "{ shop { name } }", token="second-app")
    status = response.json()["extensions"]["cost"]["throttleStatus"]
    assert status["currentlyAvailable"] == 1999


def test_the_throttle_fault_forces_throttled_once(store: Store) -> None:
    store.control("POST", "faults", {"kind": "throttle", "operation": "shop"})
    throttled = store.gql("2026-04", "{ shop { name } }")
    assert throttled["errors"] == [
        {"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": RATE_LIMITS}}
    ]
    assert throttled["extensions"]["cost"]["actualQueryCost"] is None
    assert "data" not in throttled
    again = store.gql("2026-04", "{ shop { name } }")
    assert again["data"] == {"shop": {"name": "Northwind Outfitters"}}


def test_static_errors_charge_nothing(store: Store) -> None:
    store.gql("2026-04", "{ shop { nope } }")
    store.gql("2026-04", "query Q($id: ID!) { inventoryItem(id: $id) { id } }", {"id": "bad"})
    status = store.gql("2026-04", "{ shop { name } }")["extensions"]["cost"]["throttleStatus"]
    assert status["currentlyAvailable"] == 1999


LEVEL_NODE = 'id isActive item { id } location { id name } quantities(names: ["available", "on_hand", "committed"]) { name quantity }'


def test_q4_seven_level_windows(store: Store) -> None:
    """Captured 94 requested / 46 actual for an item with two active levels — as here."""
    query = f"""query Q4($id: ID!, $filter: String!, $empty: String!, $location: String!) {{
      inventoryItem(id: $id) {{ id
        activeLevels: inventoryLevels(first: 10) {{ edges {{ cursor node {{ {LEVEL_NODE} }} }} pageInfo {{ hasNextPage }} }}
        allLevels: inventoryLevels(first: 10, includeInactive: true) {{ edges {{ cursor node {{ {LEVEL_NODE} }} }} }}
        firstPage: inventoryLevels(first: 1) {{ nodes {{ {LEVEL_NODE} }} }}
        filtered: inventoryLevels(first: 5, query: $filter) {{ nodes {{ {LEVEL_NODE} }} }}
        emptyFilter: inventoryLevels(first: 5, query: $empty) {{ nodes {{ id }} }}
        invalidLocationFilter: inventoryLevels(first: 5, query: $location) {{ nodes {{ {LEVEL_NODE} }} }}
        reverseLevels: inventoryLevels(first: 10, reverse: true) {{ nodes {{ {LEVEL_NODE} }} }} }} }}"""
    variables = {
        "id": gid("InventoryItem", BLK_S),
        "filter": f"inventory_item_id:{BLK_S}",
        "empty": "inventory_item_id:1",
        "location": f"location_id:{EAST}",
    }
    assert cost(store, "2026-04", query, variables) == (94, 46)


def test_m17_bulk_toggle_on_an_active_level(store: Store) -> None:
    """Captured 24 / 18 (cap-vbts 2025-01 inventory-linkage-parity): one level returned."""
    query = """mutation Toggle($item: ID!, $updates: [InventoryBulkToggleActivationInput!]!) {
      inventoryBulkToggleActivation(inventoryItemId: $item, inventoryItemUpdates: $updates) {
        inventoryItem { id tracked inventoryLevels(first: 5) { nodes { id location { id } quantities(names: ["available"]) { name quantity } } } }
        inventoryLevels { id location { id } quantities(names: ["available"]) { name quantity } item { id tracked } }
        userErrors { field message code } } }"""
    variables = {
        "item": gid("InventoryItem", BOOT_44),
        "updates": [{"locationId": gid("Location", EAST), "activate": True}],
    }
    assert cost(store, "2025-01", query, variables) == (24, 18)


def test_page_sizes_from_variables_and_their_defaults(store: Store) -> None:
    query = "query L($n: Int = 10) { locations(first: $n) { nodes { id } } }"
    assert cost(store, "2026-04", query)[0] == 2 + 4
    assert cost(store, "2026-04", query, {"n": 250})[0] == 2 + 11
    assert cost(store, "2026-04", query, {"n": 2})[0] == 2 + 1
