"""schemas/plan.schema.json describes exactly what `plan_json` writes, and `loads` holds to it."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reconciler.errors import ConfigError, Problem
from reconciler.manifest.codes import VALID_REASONS
from reconciler.model import ALL_QUANTITY_NAMES, ATTRIBUTES, ON_HAND_COMPONENTS, WEIGHT_UNITS
from reconciler.plan.actions import PHASES, Kind
from reconciler.plan.planfile import Plan, action_json, dumps, loads, plan_json, schema_path

from .sample_plans import (
    big_plan,
    empty_plan,
    every_kind_plan,
    plan_of,
    small_plan,
    small_plan_with_guardrails,
)

ROOT = Path(__file__).resolve().parents[2]
SCHEMA: dict[str, Any] = json.loads((ROOT / "schemas" / "plan.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
DEFS = SCHEMA["$defs"]

PLANS: dict[str, Callable[[], Plan]] = {
    "small": small_plan,
    "small_with_guardrails": small_plan_with_guardrails,
    "every_kind": every_kind_plan,
    "empty": empty_plan,
    "warning_without_a_place": lambda: plan_of([], warnings=(Problem("odd"),)),
}


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_loads_uses_this_schema() -> None:
    assert schema_path() == ROOT / "schemas" / "plan.schema.json"


def test_the_sample_plans_cover_every_kind() -> None:
    kinds = {a.kind for plan in (small_plan(), every_kind_plan()) for a in plan.actions}
    assert kinds == set(Kind)
    activations = [
        a for a in every_kind_plan().actions + small_plan().actions if a.kind == "activate"
    ]
    assert {a.reactivates for a in activations} == {True, False}  # type: ignore[union-attr]


@pytest.mark.parametrize("name", sorted(PLANS))
def test_plans_validate(name: str) -> None:
    errors = [e.message for e in VALIDATOR.iter_errors(plan_json(PLANS[name]()))]
    assert errors == []


def test_a_slice_of_the_50000_action_plan_validates() -> None:
    """Every kind, many times over (all 50,000 take python-jsonschema about a minute)."""
    doc = plan_json(big_plan())
    doc["actions"] = doc["actions"][::50]  # 1,000 actions from every phase
    assert {a["kind"] for a in doc["actions"]} == {k.value for k in Kind}
    assert [e.message for e in VALIDATOR.iter_errors(doc)] == []


@pytest.mark.parametrize("name", sorted(PLANS))
def test_round_trip(name: str) -> None:
    plan = PLANS[name]()
    text = dumps(plan)
    assert dumps(plan) == text  # deterministic
    again = loads(text)
    assert again == plan
    assert dumps(again) == text  # byte-identical after a round trip


# -- the schema says exactly what plan_json writes ---------------------------------------------


KIND_DEFS = {
    Kind.UPDATE_ITEM: "updateItem",
    Kind.ACTIVATE: "activate",
    Kind.MOVE: "move",
    Kind.SET: "set",
    Kind.DEACTIVATE: "deactivate",
}


def test_each_kind_is_dispatched_to_its_closed_definition() -> None:
    dispatch = {
        rule["if"]["properties"]["kind"]["const"]: rule["then"]["$ref"]
        for rule in DEFS["action"]["allOf"]
    }
    assert dispatch == {kind.value: f"#/$defs/{name}" for kind, name in KIND_DEFS.items()}
    for kind, name in KIND_DEFS.items():
        assert DEFS[name]["additionalProperties"] is False
        assert DEFS[name]["properties"]["kind"] == {"const": kind.value}


@pytest.mark.parametrize("kind", list(Kind))
def test_each_kind_allows_and_requires_exactly_the_keys_plan_json_writes(kind: Kind) -> None:
    actions = [a for p in (small_plan(), every_kind_plan()) for a in p.actions if a.kind == kind]
    written = {"id", *action_json(actions[0])}
    definition = DEFS[KIND_DEFS[kind]]
    assert set(definition["properties"]) == written
    assert set(definition["required"]) == written


OPTIONAL = {"money", "guardrails", "usage"}  # sections older plans (and sample plans) lack


def test_the_top_level_allows_and_requires_exactly_what_plan_json_writes() -> None:
    written = set(plan_json(small_plan_with_guardrails()))
    assert set(SCHEMA["properties"]) == written
    assert set(SCHEMA["required"]) == written - OPTIONAL
    assert SCHEMA["additionalProperties"] is False
    assert OPTIONAL - set(plan_json(empty_plan())) == OPTIONAL


def test_the_vocabularies_match_the_code() -> None:
    assert DEFS["action"]["properties"]["kind"]["enum"] == [k.value for k in PHASES]
    assert SCHEMA["properties"]["summary"]["required"] == [k.value for k in PHASES]
    assert DEFS["reason"]["enum"] == list(VALID_REASONS)
    assert DEFS["quantityName"]["enum"] == list(ALL_QUANTITY_NAMES)
    assert DEFS["onHandComponent"]["enum"] == list(ON_HAND_COMPONENTS)
    assert DEFS["attributeName"]["enum"] == list(ATTRIBUTES)
    assert DEFS["weight"]["properties"]["unit"]["enum"] == list(WEIGHT_UNITS)


# -- plans with mistakes -----------------------------------------------------------------------


def _action(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    found: dict[str, Any] = next(a for a in doc["actions"] if a["kind"] == kind)
    return found


def _set(doc: dict[str, Any], key: str, value: Any) -> None:
    doc[key] = value


MISTAKES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "unknown kind": (
        lambda d: _set(_action(d, "move"), "kind", "adjust"),
        "'adjust' is not one of",
    ),
    "set without compare": (
        lambda d: _action(d, "set").pop("compare"),
        "'compare' is a required property",
    ),
    "extra key on an action": (
        lambda d: _set(_action(d, "activate"), "force", True),
        "'force' was unexpected",
    ),
    "extra key at the top": (lambda d: _set(d, "notes", "hi"), "'notes' was unexpected"),
    "location on an item update": (
        lambda d: _set(_action(d, "update_item"), "location", "East Warehouse"),
        "'location' was unexpected",
    ),
    "level action without location": (
        lambda d: _action(d, "deactivate").pop("location_id"),
        "'location_id' is a required property",
    ),
    "format version 2": (lambda d: _set(d, "format_version", "2"), "'1' was expected"),
    "short plan id": (lambda d: _set(d, "plan_id", "abc"), "does not match"),
    "git missing": (lambda d: d.pop("git"), "'git' is a required property"),
    "move of nothing": (
        lambda d: _set(_action(d, "move"), "quantity", 0),
        "less than the minimum of 1",
    ),
    "move into incoming": (
        lambda d: _set(_action(d, "move"), "to", "incoming"),
        "'incoming' is not one of",
    ),
    "set of committed": (
        lambda d: _set(_action(d, "set"), "name", "committed"),
        "'committed' is not one of",
    ),
    "reason Shopify refuses": (
        lambda d: _set(_action(d, "set"), "reason", "because"),
        "'because' is not one of",
    ),
    "quantity as a string": (
        lambda d: _set(_action(d, "set"), "after", "10"),
        "'10' is not of type 'integer'",
    ),
    "unknown attribute": (
        lambda d: _set(_action(d, "update_item")["changes"][0], "field", "price"),
        "'price' is not one of",
    ),
    "cost as a float": (
        lambda d: _set(_action(d, "update_item")["changes"][0], "after", 9.1),
        "is not valid under any of the given schemas",
    ),
    "no changes in an update": (
        lambda d: _set(_action(d, "update_item"), "changes", []),
        "should be non-empty",
    ),
    "summary without deactivate": (
        lambda d: d["summary"].pop("deactivate"),
        "'deactivate' is a required property",
    ),
    "source line 0": (
        lambda d: _set(_action(d, "set")["source"], "line", 0),
        "less than the minimum of 1",
    ),
    "observed quantity with a made-up name": (
        lambda d: _set(d["observed"]["levels"][0]["quantities"], "spare", 1),
        "'spare' is not one of",
    ),
    "item id that is not an inventory item": (
        lambda d: _set(_action(d, "set"), "item_id", "gid://shopify/Product/1"),
        "does not match",
    ),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_plans_with_mistakes_are_refused(mistake: str) -> None:
    change, expected = MISTAKES[mistake]
    doc = copy.deepcopy(plan_json(small_plan()))
    change(doc)
    messages = [e.message for e in VALIDATOR.iter_errors(doc)]
    assert any(expected in m for m in messages), messages
    with pytest.raises(ConfigError, match=r"^plan\.json: not a valid plan: "):
        loads(json.dumps(doc), origin="plan.json")


def test_an_edited_but_valid_plan_is_refused_by_its_id() -> None:
    doc = plan_json(small_plan())
    _action(doc, "set")["after"] = 1_000
    assert list(VALIDATOR.iter_errors(doc)) == []
    with pytest.raises(ConfigError, match="do not match its id"):
        loads(json.dumps(doc))


def test_an_edited_justification_is_refused_by_its_id() -> None:
    """Guard-rail overrides are part of the plan id: what was justified is what is recorded."""
    doc = plan_json(small_plan_with_guardrails())
    doc["guardrails"]["overrides"][0]["justification"] = "nobody asked"
    assert list(VALIDATOR.iter_errors(doc)) == []
    with pytest.raises(ConfigError, match="do not match its id"):
        loads(json.dumps(doc))


def test_guardrails_change_the_plan_id() -> None:
    assert small_plan_with_guardrails().plan_id != small_plan().plan_id


def test_a_plan_without_the_optional_sections_still_loads() -> None:
    """Plans saved before money, guard-rails and usage existed stay valid."""
    doc = plan_json(small_plan())
    for key in ("money", "guardrails", "usage"):
        doc.pop(key, None)
    plan = loads(json.dumps(doc))
    assert plan.money is None and plan.guardrails is None and plan.usage is None


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m["unit_costs"][0].update(cost="twelve"),
        lambda m: m["unit_costs"][0].pop("item_id"),
        lambda m: m.update(unit_costs=[7]),
    ],
)
def test_a_large_plan_with_a_broken_money_section_is_refused_cleanly(change: Any) -> None:
    """Past FULLY_VALIDATED_ACTIONS, money's long arrays are checked by the parser, not the
    schema: a broken entry is still a clear refusal, never a crash."""
    doc = plan_json(big_plan(1_001))
    change(doc["money"])
    with pytest.raises(ConfigError, match=r"^big\.json: not a valid plan: money"):
        loads(json.dumps(doc), origin="big.json")
