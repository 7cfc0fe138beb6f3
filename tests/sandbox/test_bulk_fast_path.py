"""The bulk exporter's fast paths (levels, HS codes, duplicateSkuCount per page) write exactly
what the generic path does.

Both paths run over the same real store (SQLite state loaded from a snapshot); only the
executor's `fast` switch differs. The generic path reads the adapters the Admin API serves,
and test_bulk.py holds it equal to a normal GraphQL query of the same fields.
"""

from __future__ import annotations

import io
import json
import threading

import pytest

from reconciler.sandbox import bulk_export, bulk_fast, bulk_query, snapshot
from reconciler.sandbox.context import RequestContext, Shop, Token
from reconciler.sandbox.schema import schema_for
from reconciler.sandbox.state import State
from reconciler.sandbox.versions import RULES
from tests.conftest import demo_snapshot

LEVEL_FIELDS = [
    'id location { id } quantities(names: ["available","on_hand"]) { name quantity }',
    "__typename id isActive createdAt updatedAt location { __typename id name }",
    'q: quantities(names: ["on_hand","incoming","nope","committed"]) '
    "{ __typename id name quantity updatedAt } levelId: id",
    'quantities(names: "available") { quantity }',
]


def export(state: State, version: str, query: str, fast: bool) -> tuple[str, int, int]:
    schema = schema_for(version)
    plan = bulk_query.compile_query(schema, query)
    assert plan.problems == []
    ctx = RequestContext(state, RULES[version], Token("sandbox-token"), Shop(), "http://x", None)
    out = io.StringIO()
    executor = bulk_export.Executor(out, threading.Event(), ctx=ctx, fast=fast)
    executor.run(plan, bulk_export.QueryRoot(ctx, schema))
    return out.getvalue(), executor.objects, executor.roots


def store_with_inactive_levels() -> State:
    data = demo_snapshot()
    data["inventoryItems"][0]["levels"][1]["isActive"] = False
    data["inventoryItems"][5]["levels"][0]["isActive"] = False
    data["inventoryItems"][2]["sku"] = data["inventoryItems"][3]["sku"]  # a shared SKU
    data["inventoryItems"][4]["sku"] = None
    data["inventoryItems"][6]["countryHarmonizedSystemCodes"] = [
        {"countryCode": "CA", "harmonizedSystemCode": "6109100010"},
        {"countryCode": None, "harmonizedSystemCode": "610910"},
        {"countryCode": "US", "harmonizedSystemCode": "6109100012"},
    ]
    state = State(None)
    snapshot.load(state, data)
    return state


@pytest.mark.parametrize("fields", LEVEL_FIELDS)
@pytest.mark.parametrize("version", ["2025-01", "2026-04"])
@pytest.mark.parametrize("include_inactive", [False, True])
def test_fast_and_generic_paths_write_the_same_file(
    fields: str, version: str, include_inactive: bool
) -> None:
    argument = "(includeInactive: true)" if include_inactive else ""
    if version == "2025-01" and (include_inactive or "isActive" in fields):
        pytest.skip("includeInactive and isActive do not exist before 2026-04")
    query = (
        f"{{ inventoryItems {{ edges {{ node {{ id sku inventoryLevels{argument} {{ edges {{ "
        f"node {{ {fields} }} }} }} }} }} }} }}"
    )
    plan = bulk_query.compile_query(schema_for(version), query)
    assert bulk_fast.FastLevels.for_plan(plan.connections[1]) is not None  # the fast path is taken
    state = store_with_inactive_levels()
    fast = export(state, version, query, fast=True)
    generic = export(state, version, query, fast=False)
    assert fast == generic
    expected_levels = 71 - (0 if include_inactive else 2)
    assert fast[1:] == (30 + expected_levels, 30)


def test_a_generated_store_exports_the_same_either_way() -> None:
    state = State(None)
    snapshot.load_generated(state, 700, 3, 5)  # more than two pages of items
    query = (
        "{ inventoryItems { edges { node { id inventoryLevels { edges { node { id "
        'quantities(names: ["available","committed","damaged","on_hand"]) { name quantity } '
        "} } } } } } }"
    )
    fast = export(state, "2026-10", query, fast=True)
    assert fast == export(state, "2026-10", query, fast=False)
    assert fast[1:] == (2800, 700)


@pytest.mark.parametrize(
    "level",
    [
        "id item { id }",
        "id location { id isActive }",
        "... on Node { id }",
        'id quantities(names: ["available"]) { quantity } canDeactivate',
    ],
)
def test_other_selections_take_the_generic_path(level: str) -> None:
    query = (
        "{ inventoryItems { edges { node { id inventoryLevels { edges { node { "
        f"{level} }} }} }} }} }} }} }}"
    )
    plan = bulk_query.compile_query(schema_for("2026-10"), query)
    assert plan.problems == []
    assert bulk_fast.FastLevels.for_plan(plan.connections[1]) is None
    state = store_with_inactive_levels()
    assert export(state, "2026-10", query, fast=True) == export(state, "2026-10", query, fast=False)


@pytest.mark.parametrize("arguments", ['(query: "id:>=1")', "(reverse: true)"])
def test_level_arguments_beyond_paging_take_the_generic_path(arguments: str) -> None:
    query = (
        f"{{ inventoryItems {{ edges {{ node {{ id inventoryLevels{arguments} {{ edges {{ node "
        "{ id } } } } } } }"
    )
    plan = bulk_query.compile_query(schema_for("2026-10"), query)
    assert plan.problems == []
    assert bulk_fast.FastLevels.for_plan(plan.connections[1]) is None
    state = store_with_inactive_levels()
    fast = export(state, "2026-10", query, fast=True)
    assert fast == export(state, "2026-10", query, fast=False)
    assert fast[1:] == (99, 30)


READER = (
    "{ inventoryItems { edges { node { id sku tracked unitCost { amount } countryCodeOfOrigin "
    "provinceCodeOfOrigin harmonizedSystemCode countryHarmonizedSystemCodes { edges { node { "
    "countryCode harmonizedSystemCode } } } measurement { weight { value unit } } "
    "requiresShipping duplicateSkuCount inventoryLevels%s { edges { node { id %s location { id } "
    'quantities(names: ["available", "committed", "damaged", "incoming", "on_hand", '
    '"quality_control", "reserved", "safety_stock"]) { name quantity } } } } } } } }'
)


@pytest.mark.parametrize("version", ["2025-01", "2026-10"])
def test_the_live_readers_selection_is_fast_and_the_same(version: str) -> None:
    new = version >= "2026-04"
    query = READER % (("(includeInactive: true)", "isActive") if new else ("", ""))
    plan = bulk_query.compile_query(schema_for(version), query)
    assert plan.problems == []
    assert [type(bulk_fast.for_plan(c)) for c in plan.connections[1:]] == [
        bulk_fast.FastCodes,
        bulk_fast.FastLevels,
    ]
    state = store_with_inactive_levels()
    fast = export(state, version, query, fast=True)
    assert fast == export(state, version, query, fast=False)
    codes = sum(
        len(i.get("countryHarmonizedSystemCodes", [])) for i in demo_snapshot()["inventoryItems"]
    )
    assert fast[1:] == (30 + 3 + codes + (71 if new else 69), 30)
    items = [json.loads(line) for line in fast[0].splitlines() if "sku" in json.loads(line)]
    shared = demo_snapshot()["inventoryItems"][3]["sku"]
    assert [i["duplicateSkuCount"] for i in items if i["sku"] == shared] == [1, 1]
    assert {i["duplicateSkuCount"] for i in items if i["sku"] != shared} == {0}


@pytest.mark.parametrize(
    "codes",
    ["countryCode __typename", "harmonizedSystemCode __typename countryCode"],
)
def test_other_hs_code_selections_take_the_generic_path(codes: str) -> None:
    query = (
        "{ inventoryItems { edges { node { id countryHarmonizedSystemCodes { edges { node { "
        f"{codes} }} }} }} }} }} }} }}"
    )
    plan = bulk_query.compile_query(schema_for("2026-10"), query)
    assert plan.problems == []
    assert bulk_fast.for_plan(plan.connections[1]) is None
    state = store_with_inactive_levels()
    assert export(state, "2026-10", query, fast=True) == export(state, "2026-10", query, fast=False)


def test_repeated_keys_take_the_generic_path() -> None:
    query = (
        "{ inventoryItems { edges { node { id inventoryLevels { edges { node { id "
        'a: quantities(names: ["available"]) { quantity } a: quantities(names: ["available"]) '
        "{ quantity } } } } } } } }"
    )
    plan = bulk_query.compile_query(schema_for("2026-10"), query)
    assert plan.problems == []
    state = store_with_inactive_levels()
    assert export(state, "2026-10", query, fast=True) == export(state, "2026-10", query, fast=False)
