"""The fast read path answers byte for byte what graphql-core answers, or leaves it to it.

Every request here is sent twice over HTTP to the same store, once with the fast path on and
once with it off (graphql-core), from a full cost bucket, and the two answers must be equal to
the byte: status, headers (but the request id), ``data``, ``errors``, ``extensions.cost`` and
``extensions.search``. Each case also says which executor must have answered: the fast path
for plain reads, graphql-core for what the fast path does not reproduce (errors, partial
ACCESS_DENIED, directives, introspection).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.sandbox import DEFAULT_TOKEN, SUPPORTED_VERSIONS, Sandbox
from reconciler.shopify.documents import document
from tests.conftest import demo_snapshot

OLDEST, NEWEST = SUPPORTED_VERSIONS[0], SUPPORTED_VERSIONS[-1]
EAST = "gid://shopify/Location/68509171945"
WEST = "gid://shopify/Location/68509204713"
RED_S = "gid://shopify/InventoryItem/43729030"
FAST, CORE = "fast", "graphql-core"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    executor: str | None  # which one answered (None: nothing was executed)

    def json(self) -> Any:
        return json.loads(self.body)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    # every version served as itself, retired ones included, so each schema is exercised
    with Sandbox(demo_snapshot(), plan="enterprise", serve_retired=["all"]) as running:
        yield running


def _send(
    sandbox: Sandbox,
    fast: bool,
    version: str,
    query: str,
    variables: dict[str, Any] | None,
    token: str,
    operation_name: str | None,
) -> Answer:
    engine = sandbox.app.engine
    engine.fast_reads = fast
    engine.buckets.clear()
    before = dict(engine.stats.executions)
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation_name is not None:
        body["operationName"] = operation_name
    try:
        response = requests.post(
            sandbox.graphql_url(version),
            json=body,
            headers={"X-Shopify-Access-Token": token},
            timeout=60,
        )
    finally:
        engine.fast_reads = True
    after = engine.stats.executions
    grew = {k for k in after if after[k] != before.get(k, 0)}
    executor = FAST if grew == {"fast"} else CORE if "graphqlCore" in grew else None
    headers = {
        k: v for k, v in response.headers.items() if k.lower() not in ("x-request-id", "date")
    }
    return Answer(response.status_code, headers, response.content, executor)


def both(
    sandbox: Sandbox,
    version: str,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str = DEFAULT_TOKEN,
    operation_name: str | None = None,
    expect: str | None = FAST,
) -> Answer:
    """Ask with the fast path on, then off; the answers must be identical. Returns the first.

    `expect`: which executor must answer the first request (None: neither, e.g. a document
    refused by validation)."""
    fast = _send(sandbox, True, version, query, variables, token, operation_name)
    core = _send(sandbox, False, version, query, variables, token, operation_name)
    assert core.executor == (None if expect is None else CORE)
    assert (fast.status, fast.headers) == (core.status, core.headers)
    assert fast.body == core.body, _difference(fast.json(), core.json())
    assert fast.executor == expect, fast.body[:2000]
    return fast


def _difference(fast: Any, core: Any, path: str = "") -> str:
    """Where two answers first differ, for a readable failure."""
    if isinstance(fast, dict) and isinstance(core, dict):
        if list(fast) != list(core):
            return f"{path}: keys {list(fast)} != {list(core)}"
        for key in fast:
            if fast[key] != core[key]:
                return _difference(fast[key], core[key], f"{path}.{key}")
    if isinstance(fast, list) and isinstance(core, list) and len(fast) == len(core):
        for index, (a, b) in enumerate(zip(fast, core, strict=True)):
            if a != b:
                return _difference(a, b, f"{path}[{index}]")
    return f"{path}: {json.dumps(fast)[:300]} != {json.dumps(core)[:300]}"


def _data(answer: Answer) -> Any:
    body = answer.json()
    assert "errors" not in body, body
    return body["data"]


# -- the client's own documents, every version ------------------------------------------------


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_the_live_reader_s_item_query(sandbox: Sandbox, version: str) -> None:
    text = document("items_by_sku", version).text
    skus = ["TSHIRT-RED-S", "TSHIRT-RED-M", "BACKPACK-25L", "NOPE", "HOODIE-GRY-M"]
    query = " OR ".join(f"sku:'{sku}'" for sku in skus)
    answer = both(sandbox, version, text, {"query": query, "first": 5, "after": None, "levels": 25})
    nodes = _data(answer)["inventoryItems"]["nodes"]
    assert {n["sku"] for n in nodes} == {s for s in skus if s != "NOPE"}
    assert all(
        len(level["quantities"]) == 8 for n in nodes for level in n["inventoryLevels"]["nodes"]
    )
    cost = answer.json()["extensions"]["cost"]
    assert cost["actualQueryCost"] < cost["requestedQueryCost"]


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_the_live_reader_s_pages_and_level_pages(sandbox: Sandbox, version: str) -> None:
    text = document("items_by_sku", version).text
    first = both(sandbox, version, text, {"query": "sku:TSHIRT*", "first": 2, "levels": 1})
    page = _data(first)["inventoryItems"]
    assert page["pageInfo"]["hasNextPage"]
    after = page["pageInfo"]["endCursor"]
    both(sandbox, version, text, {"query": "sku:TSHIRT*", "first": 2, "after": after, "levels": 2})
    levels = document("item_levels", version).text
    both(sandbox, version, levels, {"id": RED_S, "after": None})


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_the_live_reader_s_id_and_location_queries(sandbox: Sandbox, version: str) -> None:
    text = document("items_by_id", version).text
    ids = [RED_S, "gid://shopify/InventoryItem/1", EAST, "gid://shopify/InventoryItem/43729050"]
    answer = both(sandbox, version, text, {"ids": ids, "levels": 25})
    nodes = _data(answer)["nodes"]
    assert nodes[1] is None and nodes[2] == {}  # unknown item; a location matches no fragment
    both(sandbox, version, document("locations", version).text, {"after": None})


# -- shapes of documents --------------------------------------------------------------------

SHAPES = {
    "aliases": """
        query {
          first: inventoryItems(first: 3) { nodes { key: id code: sku tracked } }
          last: inventoryItems(last: 2, reverse: true) { nodes { sku sku2: sku } }
          count: locationsCount { count precision }
        }""",
    "named fragments, nested and spread twice": """
        query Items($n: Int!) {
          inventoryItems(first: $n) { nodes { ...Item ...Item } }
        }
        fragment Item on InventoryItem { id ...Cost measurement { ...Weight } }
        fragment Cost on InventoryItem { unitCost { amount currencyCode } }
        fragment Weight on InventoryItemMeasurement { weight { unit value } }""",
    "inline fragments on a node list": """
        query Nodes($ids: [ID!]!) {
          nodes(ids: $ids) {
            __typename
            ... on Node { id }
            ... on InventoryItem { sku tracked }
            ... on Location { name isActive }
            ... on InventoryItem { sku requiresShipping }
          }
        }""",
    "__typename everywhere": """
        query {
          __typename
          inventoryItem(id: "gid://shopify/InventoryItem/43729030") {
            __typename
            inventoryLevels(first: 2) {
              __typename
              edges { __typename cursor node { __typename id location { __typename id } } }
              pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
            }
          }
        }""",
    "merged selections of one field": """
        query {
          inventoryItem(id: "gid://shopify/InventoryItem/43729030") {
            measurement { weight { value } }
            measurement { id weight { unit } }
            inventoryLevel(locationId: "gid://shopify/Location/68509171945") {
              quantities(names: ["available"]) { name }
              quantities(names: ["available"]) { quantity updatedAt }
            }
          }
        }""",
    "a variable default and a literal list": """
        query Levels($n: Int = 2, $names: [String!]! = ["on_hand", "available", "bogus"]) {
          location(id: "gid://shopify/Location/68509204713") {
            name
            inventoryLevels(first: $n) {
              nodes { id item { sku } quantities(names: $names) { id name quantity } }
            }
          }
        }""",
    "the rest of the served reads": """
        query {
          shop { id name myshopifyDomain currencyCode primaryDomain { host url } }
          location { id name isPrimary address { city countryCode formatted } }
          inventoryProperties { quantityNames { name displayName isInUse belongsTo comprises } }
          productVariants(first: 3, query: "sku:TSHIRT*") {
            nodes { sku title displayName inventoryQuantity product { title totalInventory } }
          }
          inventoryItem(id: "gid://shopify/InventoryItem/43729076") {
            countryHarmonizedSystemCodes(first: 5) { edges { node { countryCode harmonizedSystemCode } } }
            variant { inventoryItem { duplicateSkuCount locationsCount { count } } }
            createdAt
          }
          missing: inventoryItem(id: "gid://shopify/InventoryItem/1") { id }
        }""",
    "search warnings are reported once": """
        query {
          inventoryItems(first: 2, query: "bogus_field:1") { nodes { sku } }
          location(id: "gid://shopify/Location/68509171945") {
            inventoryLevels(first: 2, query: "location_id:1") { nodes { id } }
          }
        }""",
    "levels of a location, both directions": """
        query {
          location(id: "gid://shopify/Location/68509171945") {
            a: inventoryLevels(first: 3) { nodes { id createdAt } pageInfo { endCursor } }
            b: inventoryLevels(last: 2) { edges { cursor node { item { id } } } }
          }
        }""",
}


@pytest.mark.parametrize("version", [OLDEST, NEWEST])
@pytest.mark.parametrize("name", sorted(SHAPES))
def test_document_shapes(sandbox: Sandbox, version: str, name: str) -> None:
    variables = {"n": 3, "ids": [RED_S, EAST, WEST, "gid://shopify/InventoryItem/1"]}
    query = SHAPES[name]
    used = {k: v for k, v in variables.items() if f"${k}" in query}
    answer = both(sandbox, version, query, used or None)
    assert "data" in answer.json()


METAFIELD_SET = """mutation S($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) {
  metafields { id } userErrors { message } } }"""
METAFIELD_READ = """query R($key: String!) { shop { id
  lock: metafield(namespace: "reconciler", key: $key) {
    id namespace key type value jsonValue compareDigest updatedAt ownerType } } }"""


def test_the_store_lock_s_metafield_read(sandbox: Sandbox) -> None:
    """Every apply reads its lock, a shop metafield (before and after one is written)."""
    both(sandbox, NEWEST, METAFIELD_READ, {"key": "fast-path-lock"})
    lock = {"ownerId": "gid://shopify/Shop/1", "namespace": "reconciler", "key": "fast-path-lock"}
    lock |= {"type": "json", "value": '{"holder": "test", "n": 1}', "compareDigest": None}
    response = requests.post(
        sandbox.graphql_url(NEWEST),
        json={"query": METAFIELD_SET, "variables": {"m": [lock]}},
        headers={"X-Shopify-Access-Token": DEFAULT_TOKEN},
        timeout=60,
    )
    assert response.json()["data"]["metafieldsSet"]["userErrors"] == []
    answer = both(sandbox, NEWEST, METAFIELD_READ, {"key": "fast-path-lock"})
    assert _data(answer)["shop"]["lock"]["jsonValue"] == {"holder": "test", "n": 1}


def test_search_warnings_are_in_the_answer(sandbox: Sandbox) -> None:
    answer = both(sandbox, NEWEST, SHAPES["search warnings are reported once"])
    search = answer.json()["extensions"]["search"]
    assert [entry["path"] for entry in search] == [
        ["inventoryItems"],
        ["location", "inventoryLevels"],
    ]


def test_lists_of_plain_objects_with_nulls(sandbox: Sandbox) -> None:
    """Plain leaf objects are read in a tight loop that starts over on a null (a province)."""
    query = "query { inventoryItems(first: 30) { nodes { id sku provinceCodeOfOrigin } } }"
    nodes = _data(both(sandbox, NEWEST, query))["inventoryItems"]["nodes"]
    codes = [node["provinceCodeOfOrigin"] for node in nodes]
    assert None in codes and any(code is not None for code in codes)


def test_the_operation_name_picks_the_operation(sandbox: Sandbox) -> None:
    query = "query A { shop { name } }\nquery B { locationsCount { count } }"
    answer = both(sandbox, NEWEST, query, operation_name="B")
    assert _data(answer) == {"locationsCount": {"count": 3}}


# -- what only graphql-core answers ---------------------------------------------------------

CORE_CASES = {
    "a cursor that is not one": (
        'query { inventoryItems(first: 2, after: "not-a-cursor") { nodes { id } } }'
    ),
    "a page too large": "query { inventoryItems(first: 251) { nodes { id } } }",
    "first and last": "query { inventoryItems(first: 1, last: 1) { nodes { id } } }",
    "a field the sandbox does not serve": (
        'query { inventoryItem(id: "gid://shopify/InventoryItem/43729030") { variant { '
        "product { id title tracksInventory status } price } } }"
    ),
    "@skip and @include": (
        "query($yes: Boolean = true) { shop { name @skip(if: $yes) id @include(if: $yes) } }"
    ),
    "introspection": '{ __type(name: "InventoryLevel") { name fields { name } } }',
    "a mutation": (
        'mutation { inventoryDeactivate(inventoryLevelId: "gid://shopify/InventoryLevel/1'
        '?inventory_item_id=1") { userErrors { message } } }'
    ),
}


@pytest.mark.parametrize("name", sorted(CORE_CASES))
def test_graphql_core_answers_what_the_fast_path_does_not_reproduce(
    sandbox: Sandbox, name: str
) -> None:
    query = CORE_CASES[name]
    if name == "a mutation":  # 2026-04+ needs @idempotent for some; deactivate needs none
        both(sandbox, NEWEST, query, expect=CORE)
        return
    both(sandbox, NEWEST, query, expect=CORE)
    both(sandbox, OLDEST, query, expect=CORE)


def test_validation_errors_are_answered_before_either_runs(sandbox: Sandbox) -> None:
    answer = both(sandbox, NEWEST, "query { shop { nope } }", expect=None)
    assert answer.json()["errors"][0]["extensions"]["code"] == "undefinedField"


@pytest.fixture(scope="module")
def limited_token(sandbox: Sandbox) -> str:
    token = f"app-{uuid.uuid4().hex[:8]}"
    response = requests.post(
        f"{sandbox.url}/__sandbox/tokens",
        json={"token": token, "scopes": ["read_inventory"]},
        timeout=30,
    )
    assert response.status_code == 200
    return token


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_a_token_that_may_not_read_a_field_gets_graphql_core_s_partial_answer(
    sandbox: Sandbox, limited_token: str, version: str
) -> None:
    query = (
        'query { inventoryItem(id: "gid://shopify/InventoryItem/43729030") { sku '
        "inventoryLevels(first: 2) { nodes { id location { id name } } } } }"
    )
    answer = both(sandbox, version, query, token=limited_token, expect=CORE)
    body = answer.json()
    # Location! is non-null: the denied location nulls its way up to the item
    assert body["data"] == {"inventoryItem": None}
    assert {e["extensions"]["code"] for e in body["errors"]} == {"ACCESS_DENIED"}
    # the same token reads what it may on the fast path
    both(
        sandbox,
        version,
        "query { inventoryItems(first: 2) { nodes { sku } } }",
        token=limited_token,
    )


def test_a_denied_field_behind_an_abstract_type_falls_back(
    sandbox: Sandbox, limited_token: str
) -> None:
    query = 'query { nodes(ids: ["%s", "%s"]) { ... on Location { name } ... on InventoryItem { sku } } }'
    answer = both(sandbox, NEWEST, query % (RED_S, EAST), token=limited_token, expect=CORE)
    assert answer.json()["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    only_items = both(sandbox, NEWEST, query % (RED_S, RED_S), token=limited_token)
    assert _data(only_items)["nodes"][0] == {"sku": "TSHIRT-RED-S"}


# -- random selections ------------------------------------------------------------------------

ITEM_FIELDS = [
    "id",
    "sku",
    "tracked",
    "requiresShipping",
    "duplicateSkuCount",
    "countryCodeOfOrigin",
    "provinceCodeOfOrigin",
    "harmonizedSystemCode",
    "legacyResourceId",
    "updatedAt",
    "unitCost { amount currencyCode }",
    "measurement { weight { unit value } }",
    "locationsCount { count }",
    "countryHarmonizedSystemCodes(first: 3) { nodes { countryCode harmonizedSystemCode } }",
    "__typename",
]
LEVEL_FIELDS = [
    "id",
    "canDeactivate",
    "createdAt",
    "__typename",
    "location { id name isActive }",
    "item { sku }",
    'quantities(names: ["on_hand", "available", "damaged"]) { name quantity }',
]


@st.composite
def selections(draw: st.DrawFn) -> str:
    """A random item selection: fields in any order, some aliased, levels paged."""
    chosen = draw(st.lists(st.sampled_from(ITEM_FIELDS), min_size=1, max_size=6, unique=True))
    parts = [
        f"a{i}: {field}" if draw(st.booleans()) and not field.startswith("__") else field
        for i, field in enumerate(chosen)
    ]
    if draw(st.booleans()):
        levels = draw(st.lists(st.sampled_from(LEVEL_FIELDS), min_size=1, max_size=4, unique=True))
        wrap = draw(st.sampled_from(["nodes { %s }", "edges { cursor node { %s } }"]))
        size = draw(st.integers(min_value=1, max_value=4))
        parts.append(f"inventoryLevels(first: {size}) {{ {wrap % ' '.join(levels)} }}")
    return " ".join(parts)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(selection=selections(), first=st.integers(min_value=1, max_value=12))
def test_random_item_selections(sandbox: Sandbox, selection: str, first: int) -> None:
    query = (
        f"query {{ inventoryItems(first: {first}, reverse: true) {{ nodes {{ {selection} }} }} }}"
    )
    both(sandbox, NEWEST, query)


# -- the benchmark's shape --------------------------------------------------------------------


def _cpu(sandbox: Sandbox, fast: bool, query: str, variables: dict[str, Any]) -> float:
    """The least process CPU time of two requests answered by one executor."""
    engine = sandbox.app.engine
    engine.fast_reads = fast
    spent = []
    try:
        for _ in range(2):
            engine.buckets.clear()
            started = time.process_time()
            response = requests.post(
                sandbox.graphql_url(NEWEST),
                json={"query": query, "variables": variables},
                headers={"X-Shopify-Access-Token": DEFAULT_TOKEN},
                timeout=120,
            )
            spent.append(time.process_time() - started)
            assert response.status_code == 200
    finally:
        engine.fast_reads = True
    return min(spent)


def test_100_items_by_10_levels(sandbox: Sandbox) -> None:
    response = requests.post(
        f"{sandbox.url}/__sandbox/generate",
        json={"items": 100, "locations": 10, "seed": 7},
        timeout=60,
    )
    assert response.status_code == 200
    try:
        for version in (OLDEST, NEWEST):
            text = document("items_by_sku", version).text
            query = " OR ".join(f"sku:'SKU-{n:07d}'" for n in range(100))
            answer = both(
                sandbox, version, text, {"query": query, "first": 100, "after": None, "levels": 25}
            )
            nodes = _data(answer)["inventoryItems"]["nodes"]
            assert len(nodes) == 100
            assert {len(n["inventoryLevels"]["nodes"]) for n in nodes} == {10}
        # CPU, not wall time: the machine is shared. The fast path's whole request (cost and
        # encoding included) costs a fraction of graphql-core's (about a fifth when measured).
        variables = {"query": query, "first": 100, "after": None, "levels": 25}
        fast = _cpu(sandbox, True, text, variables)
        core = _cpu(sandbox, False, text, variables)
        assert fast * 2.5 < core, (fast, core)
    finally:
        requests.post(f"{sandbox.url}/__sandbox/reset", timeout=60)
