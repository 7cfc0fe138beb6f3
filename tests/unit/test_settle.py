"""Settling a call with a lost answer, and the planner's guarantees, held to the quantity solver.

For any live level and any declared quantities, the actions the solver plans: the expectations
of their batch read "not applied" on the live values, "applied" on the values Shopify leaves
after them (`simulate`), and "conflict" on anything a third party changed; and the consistency
checks apply's preflight runs find nothing wrong with them, but catch each kind of edit.
"""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.apply import settle
from reconciler.model import UNAVAILABLE, LiveItem, LiveLevel, Source
from reconciler.plan import consistency
from reconciler.plan.actions import Action, Move, SetQuantity, Target
from reconciler.plan.build import Observed
from reconciler.plan.quantities import (
    LevelPlan,
    PlannedMove,
    PlannedSet,
    QuantityConflict,
    simulate,
    solve,
)

ITEM, LOCATION = "gid://shopify/InventoryItem/7", "gid://shopify/Location/9"
TARGET = Target("SKU-7", ITEM, LOCATION, "Depot")
SOURCE = Source("inventory.yaml", 3)
counts = st.integers(min_value=0, max_value=500)
live_levels = st.fixed_dictionaries(
    {"available": st.integers(-20, 500), "committed": counts},
    optional=dict.fromkeys(UNAVAILABLE, counts),
)
declared = st.fixed_dictionaries(
    {}, optional={"available": st.integers(-20, 500), "on_hand": counts, "damaged": counts}
)


def _actions(live: dict[str, int], desired: dict[str, int]) -> list[Action] | None:
    try:
        plan = solve(live, desired)
    except QuantityConflict:
        return None
    actions: list[Action] = [
        Move(
            TARGET, m.from_name, m.to_name, m.quantity, m.from_before, m.to_before, "other", SOURCE
        )
        for m in plan.moves
    ]
    if plan.set is not None:
        s = plan.set
        actions.append(SetQuantity(TARGET, s.name, s.live, s.compare, s.after, "other", SOURCE))
    return actions


def _store(quantities: dict[str, int]) -> dict[str, LiveItem]:
    level = LiveLevel(LOCATION, "gid://shopify/InventoryLevel/1", True, quantities)
    item = LiveItem(
        ITEM, "SKU-7", True, None, None, None, None, {}, None, True, 1, {LOCATION: level}
    )
    return {ITEM: item}


def _components(values: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in values.items() if k not in ("on_hand", "incoming")}


@settings(max_examples=300, deadline=None)
@given(live_levels, declared)
def test_a_batch_reads_not_applied_before_and_applied_after(
    live: dict[str, int], desired: dict[str, int]
) -> None:
    """Moves go in one call and the set in a later one (a batch is of one kind)."""
    actions = _actions(live, desired)
    if not actions:
        return
    moves = [a for a in actions if isinstance(a, Move)]
    sets = [a for a in actions if isinstance(a, SetQuantity)]
    moved = _components(simulate(live, LevelPlan(tuple(map(_planned_move, moves)), None)))
    done = _components(
        simulate(
            live,
            LevelPlan(
                tuple(map(_planned_move, moves)),
                PlannedSet(sets[0].name, sets[0].live, sets[0].compare, sets[0].after)
                if sets
                else None,
            ),
        )
    )
    for batch, before, after in ((moves, live, moved), (sets, moved, done)):
        if not batch:
            continue
        expect = settle.expectations(batch)
        assert settle.verdict(expect, _store(before)) is settle.Verdict.NOT_APPLIED
        assert settle.verdict(expect, _store(after)) is settle.Verdict.APPLIED
        name = sorted(expect[0].before)[0]
        changed = dict(after, **{"available": after.get("available", 0) + 1000})
        if name != "available" and name != "on_hand":
            changed = dict(after, **{name: after.get(name, 0) + 1000})
        assert settle.verdict(expect, _store(changed)) is settle.Verdict.CONFLICT


def _planned_move(move: Move) -> PlannedMove:
    return PlannedMove(
        move.from_name, move.to_name, move.quantity, move.from_before, move.to_before
    )


@settings(max_examples=300, deadline=None)
@given(live_levels, declared)
def test_the_planners_actions_keep_its_guarantees(
    live: dict[str, int], desired: dict[str, int]
) -> None:
    actions = _actions(live, desired)
    if not actions:
        return
    observed = Observed(levels={(ITEM, LOCATION): dict(live)})
    assert consistency.problems(actions, observed) == []
    edited = list(actions)
    edited[-1] = (
        dataclasses.replace(edited[-1], compare=edited[-1].compare + 1)
        if isinstance(edited[-1], SetQuantity)
        else dataclasses.replace(edited[-1], from_before=edited[-1].from_before + 1)
    )
    assert consistency.problems(edited, observed)
    assert consistency.problems([*actions, actions[-1]], observed)  # the same write twice


def test_a_fresh_key_is_new_and_traces_back_to_its_batch() -> None:
    key = "reconciler-0123456789abcdef-move-feedfacecafebeef"
    first, second = settle.fresh_key(key), settle.fresh_key(settle.fresh_key(key))
    assert first != second and first != key
    assert settle.derived_from(first, key) and settle.derived_from(second, key)
    assert not settle.derived_from(key + "x", key)
