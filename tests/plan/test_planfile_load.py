"""Loading saved plans: large ones quickly, and edited ones refused with where."""

from __future__ import annotations

import json
import time

import pytest

from reconciler.errors import ConfigError
from reconciler.plan.planfile import FULLY_VALIDATED_ACTIONS, dumps, loads
from tests.plan.sample_plans import big_plan, small_plan


def test_a_large_plan_loads_in_seconds_not_minutes() -> None:
    plan = big_plan(20_000)
    text = dumps(plan)
    started = time.process_time()
    assert loads(text) == plan
    assert time.process_time() - started < 5.0


@pytest.mark.parametrize("size", [10, FULLY_VALIDATED_ACTIONS + 10])
def test_a_broken_action_is_refused_with_its_position(size: int) -> None:
    data = json.loads(dumps(big_plan(size)))
    del data["actions"][7]["kind"]
    with pytest.raises(ConfigError) as caught:
        loads(json.dumps(data), origin="plan.json")
    assert str(caught.value).startswith("plan.json: not a valid plan: actions/7")


def test_an_edited_summary_is_refused() -> None:
    data = json.loads(dumps(small_plan()))
    data["summary"]["set"] += 1
    with pytest.raises(ConfigError) as caught:
        loads(json.dumps(data), origin="plan.json")
    assert str(caught.value) == "plan.json: the plan's summary does not match its actions (edited?)"


def test_an_edited_value_is_refused_by_the_plan_id() -> None:
    data = json.loads(dumps(small_plan()))
    action = next(a for a in data["actions"] if a["kind"] == "set")
    action["after"] += 1
    with pytest.raises(ConfigError) as caught:
        loads(json.dumps(data), origin="plan.json")
    assert "do not match its id" in str(caught.value)


def test_ids_must_run_in_order() -> None:
    data = json.loads(dumps(small_plan()))
    data["actions"][0]["id"], data["actions"][1]["id"] = 2, 1
    with pytest.raises(ConfigError) as caught:
        loads(json.dumps(data), origin="plan.json")
    assert str(caught.value) == "plan.json: not a valid plan: actions/0: id is not 1"
