"""Fuzzing the plan-file loader and the journal reader: any input gives a plan (or journal
state) or a ConfigError, never another exception (which the CLI reports as a crash, exit 3).

Inputs: arbitrary bytes; arbitrary JSON; saved plans (small, and past the size where actions are
checked in Python) with any value swapped for arbitrary JSON and the plan id recomputed, so the
checks behind the id are reached too (what a loaded plan is then held to: apply's preflight);
journals whose records after the plan are arbitrary JSON or text.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.apply import journal as journals
from reconciler.apply import preflight
from reconciler.errors import ConfigError
from reconciler.plan.planfile import dumps, load, loads, plan_json
from reconciler.shopify.target import resolve_target
from tests.apply.forge import reidentify
from tests.plan.sample_plans import big_plan, small_plan

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["move", "set", "available", "on_hand", "gid://shopify/InventoryItem/1"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
SMALL = json.loads(dumps(small_plan()))
LARGE = json.loads(dumps(big_plan(1_010)))  # past FULLY_VALIDATED_ACTIONS: the Python checks


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every address in a JSON document (the document itself included)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value[:3]):  # the first few of long arrays
            found += _paths(inner, (*prefix, index))
    return found


SMALL_PATHS = _paths(SMALL)[1:]
LARGE_PATHS = [p for p in _paths(LARGE)[1:] if p[:1] in (("actions",), ("observed",))]


def _swapped(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(document))
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


def _holds(text: str) -> None:
    """`loads` gives a plan or a ConfigError; a plan is then checked as apply would check it."""
    try:
        plan = loads(text, origin="fuzz.json")
    except ConfigError:
        return
    target = resolve_target("https://acme-outdoor.myshopify.com", plan.api_version)
    with tempfile.TemporaryDirectory() as scratch:
        files = preflight.Files(Path(scratch) / "j.jsonl", Path(scratch) / "h.jsonl")
        preflight.refusals(plan, target, files, countries=lambda ids: dict.fromkeys(ids))
    assert json.loads(dumps(plan))  # and it can be written back


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "plan.json"
        path.write_bytes(raw)
        with contextlib.suppress(ConfigError):
            load(path)


@FUZZ
@given(json_values)
def test_any_json(value: Any) -> None:
    _holds(json.dumps(value))


@FUZZ
@given(st.sampled_from(SMALL_PATHS), json_values, st.booleans())
def test_a_small_plan_with_any_value_swapped(
    path: tuple[Any, ...], value: Any, recompute: bool
) -> None:
    data = _swapped(SMALL, path, value)
    if recompute:
        with contextlib.suppress(KeyError, TypeError, ValueError, AttributeError):
            reidentify(data)  # unless too broken to hash: then loaded as is
    _holds(json.dumps(data))


@FUZZ
@given(st.sampled_from(LARGE_PATHS), json_values)
def test_a_large_plan_with_any_value_swapped(path: tuple[Any, ...], value: Any) -> None:
    data = _swapped(LARGE, path, value)
    with contextlib.suppress(KeyError, TypeError, ValueError, AttributeError):
        reidentify(data)
    _holds(json.dumps(data))


def test_deep_nesting_is_refused_not_a_crash() -> None:
    for text in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000):
        try:
            loads(text)
        except ConfigError as exc:
            assert "nested too deeply" in str(exc)
        else:
            raise AssertionError("a 100,000-deep document was accepted")
    marked = json.dumps(_swapped(SMALL, ("usage",), "DEEP"))
    for depth in (900, 5_000):  # parses, then deep for the schema; too deep to parse
        with contextlib.suppress(ConfigError):
            loads(marked.replace('"DEEP"', "[" * depth + "]" * depth))


PLAN_RECORD = json.dumps({"event": "plan", "plan": plan_json(small_plan())})
records = st.one_of(
    json_values.map(json.dumps),
    st.text(max_size=40),
    st.fixed_dictionaries(
        {
            "event": st.sampled_from(["send", "result", "finish", "lock", "resume"]),
            "batch": json_values,
            "action_ids": json_values,
            "actions": json_values,
            "kind": st.sampled_from(["move", "set", "nothing"]),
            "document": json_values,
            "variables": json_values,
            "idempotency_key": json_values,
            "sent_at": json_values,
            "expect": json_values,
        }
    ).map(json.dumps),
)


@FUZZ
@given(st.lists(records, max_size=6), st.booleans())
def test_any_journal(lines: list[str], with_plan: bool) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "journal.jsonl"
        path.write_text("\n".join([PLAN_RECORD] * with_plan + lines) + "\n", encoding="utf-8")
        try:
            state = journals.read(path)
            journals.check_ids(state, len(small_plan().actions), path)
        except ConfigError:
            return
    for record in state.in_flight:  # what resuming relies on
        assert all(type(i) is int and i >= 1 for i in record["action_ids"])
        assert record["idempotency_key"] is None or isinstance(record["idempotency_key"], str)
    for result in state.results.values():
        assert result["status"] in journals.RESULT_STATUSES


@FUZZ
@given(st.binary(max_size=200))
def test_any_journal_bytes(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "journal.jsonl"
        path.write_bytes(raw)
        with contextlib.suppress(ConfigError):
            journals.read(path)
