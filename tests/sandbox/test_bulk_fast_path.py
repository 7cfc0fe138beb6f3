"""The bulk exporter's fast path for `inventoryLevels` writes exactly what the generic path does.

Both paths run over the same real store (SQLite state loaded from a snapshot); only the
executor's `fast` switch differs. The generic path reads the adapters the Admin API serves,
and test_bulk.py holds it equal to a normal GraphQL query of the same fields.
"""

from __future__ import annotations

import io
import threading

import pytest

from reconciler.sandbox import bulk_export, bulk_query, snapshot
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
    assert (
        bulk_export.FastLevels.for_plan(plan.connections[1]) is not None
    )  # the fast path is taken
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
    assert bulk_export.FastLevels.for_plan(plan.connections[1]) is None
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
    assert bulk_export.FastLevels.for_plan(plan.connections[1]) is None
    state = store_with_inactive_levels()
    fast = export(state, "2026-10", query, fast=True)
    assert fast == export(state, "2026-10", query, fast=False)
    assert fast[1:] == (99, 30)
