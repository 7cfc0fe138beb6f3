"""The quantity solver against a pure model of Shopify's quantity rules (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.model import DECLARABLE, ON_HAND_COMPONENTS, UNAVAILABLE
from reconciler.plan.quantities import (
    LevelPlan,
    PlannedMove,
    PlannedSet,
    QuantityConflict,
    on_hand_of,
    reads,
    simulate,
    solve,
)

small = st.integers(min_value=0, max_value=50)


@st.composite
def live_levels(draw: st.DrawFn) -> dict[str, int]:
    level = {name: draw(small) for name in (*ON_HAND_COMPONENTS, "incoming")}
    level["available"] = draw(st.integers(min_value=-20, max_value=50))  # negative is legal
    level["on_hand"] = on_hand_of(level)
    return level


@st.composite
def declarations(draw: st.DrawFn, live: dict[str, int]) -> dict[str, int]:
    """Declared names drawn from DECLARABLE; both anchors only when they can agree."""
    names = draw(st.sets(st.sampled_from(DECLARABLE)))
    desired = {name: draw(small) for name in names if name != "on_hand"}
    if "available" in names and "on_hand" in names:
        desired["on_hand"] = (
            desired["available"]
            + live["committed"]
            + sum(desired.get(n, live[n]) for n in UNAVAILABLE)
        )
    elif "on_hand" in names:
        desired["on_hand"] = draw(small)
    return desired


@settings(max_examples=400)
@given(st.data())
def test_plan_reaches_every_declared_quantity(data: st.DataObject) -> None:
    live = data.draw(live_levels())
    desired = data.draw(declarations(live))
    after = simulate(live, solve(live, desired))
    for name, value in desired.items():
        assert after[name] == value, (name, live, desired, after)


@settings(max_examples=400)
@given(st.data())
def test_undeclared_quantities_never_change(data: st.DataObject) -> None:
    live = data.draw(live_levels())
    desired = data.draw(declarations(live))
    after = simulate(live, solve(live, desired))
    for name in ("committed", "incoming", *UNAVAILABLE):
        if name not in desired:
            assert after[name] == live[name], name
    if not {"available", "on_hand"} & desired.keys():
        assert after["on_hand"] == live["on_hand"]  # moves never change on_hand


@settings(max_examples=400)
@given(st.data())
def test_planning_again_against_the_result_is_empty(data: st.DataObject) -> None:
    live = data.draw(live_levels())
    desired = data.draw(declarations(live))
    after = simulate(live, solve(live, desired))
    assert solve(after, desired).empty


@settings(max_examples=300)
@given(st.data())
def test_compare_values_are_what_the_store_holds_when_each_write_runs(data: st.DataObject) -> None:
    live = data.draw(live_levels())
    plan = solve(live, data.draw(declarations(live)))
    state = dict(live)
    for move in plan.moves:
        assert (state[move.from_name], state[move.to_name]) == (move.from_before, move.to_before)
        state[move.from_name] -= move.quantity
        state[move.to_name] += move.quantity
        assert move.quantity > 0
    if plan.set is not None:
        current = state["available"] if plan.set.name == "available" else on_hand_of(state)
        assert plan.set.compare == current
        assert plan.set.live == (
            live["available"] if plan.set.name == "available" else live["on_hand"]
        )


def test_one_move_per_unavailable_state_then_the_anchor() -> None:
    live = {
        "available": 10,
        "committed": 1,
        "damaged": 3,
        "quality_control": 0,
        "reserved": 0,
        "safety_stock": 0,
        "incoming": 0,
        "on_hand": 14,
    }
    plan = solve(live, {"damaged": 1, "safety_stock": 4, "available": 20})
    assert plan == LevelPlan(
        moves=(
            PlannedMove("available", "safety_stock", 4, 10, 0),
            PlannedMove("damaged", "available", 2, 3, 6),
        ),
        set=PlannedSet("available", live=10, compare=8, after=20),
    )


def test_on_hand_alone_is_set_against_the_live_on_hand() -> None:
    live = {
        "available": 5,
        "committed": 2,
        "damaged": 1,
        "quality_control": 0,
        "reserved": 0,
        "safety_stock": 0,
        "incoming": 7,
        "on_hand": 8,
    }
    assert solve(live, {"on_hand": 12}) == LevelPlan((), PlannedSet("on_hand", 8, 8, 12))


def test_equal_values_plan_nothing() -> None:
    live = {
        "available": 5,
        "committed": 0,
        "damaged": 2,
        "quality_control": 0,
        "reserved": 0,
        "safety_stock": 0,
        "incoming": 0,
        "on_hand": 7,
    }
    assert solve(live, {"available": 5, "damaged": 2, "on_hand": 7}).empty


def test_anchors_that_do_not_add_up_show_the_arithmetic() -> None:
    live = {
        "available": 5,
        "committed": 2,
        "damaged": 2,
        "quality_control": 0,
        "reserved": 0,
        "safety_stock": 0,
        "incoming": 0,
        "on_hand": 9,
    }
    with pytest.raises(QuantityConflict) as caught:
        solve(live, {"available": 10, "on_hand": 20})
    assert str(caught.value) == (
        "on_hand 20 does not add up: available 10 + committed 2 + damaged 2 + quality_control 0"
        " + reserved 0 + safety_stock 0 = 14 (declare only one of available and on_hand, or make"
        " them agree)"
    )


@settings(max_examples=300)
@given(st.data())
def test_solving_from_only_the_names_it_reads_gives_the_same_plan(data: st.DataObject) -> None:
    """The planner hands solve just the live values `reads` names; nothing else may matter."""
    live = data.draw(live_levels())
    desired = data.draw(declarations(live))
    names = reads(desired)
    if names is None:
        return
    partial = {name: live[name] for name in names}
    try:
        expected = solve(live, desired)
    except QuantityConflict:
        with pytest.raises(QuantityConflict):
            solve(partial, desired)
        return
    assert solve(partial, desired) == expected


def test_only_available_declared_reads_only_available() -> None:
    assert reads({"available": 3}) == ("available",)
    assert reads({"on_hand": 3}) is None
    assert reads({"available": 3, "damaged": 1}) is None
