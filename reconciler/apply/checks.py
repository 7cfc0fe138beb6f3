"""What a plan depends on in the live store, and whether the store still holds it.

Each action depends on a few live values: a set on its anchor, a move on both of its states,
an item update on the attributes it changes, a deactivation on the level being empty. Only
those are compared when deciding whether a saved plan is stale, so a sale that changes
`available` does not block a plan that only sets `on_hand`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.model import ON_HAND_COMPONENTS, LiveItem
from reconciler.plan.actions import Action, Activate, Deactivate, Move, SetQuantity, UpdateItem
from reconciler.plan.build import attribute_json
from reconciler.plan.planfile import Plan
from reconciler.plan.quantities import LevelPlan, PlannedMove, PlannedSet, simulate


@dataclass(frozen=True, slots=True)
class Moved:
    """A live value that is no longer what the plan was made from."""

    sku: str
    location: str | None
    name: str
    planned: Any
    now: Any

    def __str__(self) -> str:
        where = f"{self.sku} at {self.location}" if self.location else self.sku
        return f"{where}: {self.name} was {self.planned} when planned, is {self.now} now"


def level_dependencies(actions: Sequence[Action]) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for action in actions:
        location = action.target.location_id
        if location is None:
            continue
        key = (action.target.item_id, location)
        if isinstance(action, Move):
            out.setdefault(key, set()).update((action.from_name, action.to_name))
        elif isinstance(action, SetQuantity):
            out.setdefault(key, set()).add(action.name)
        elif isinstance(action, Deactivate):
            out.setdefault(key, set()).update((*ON_HAND_COMPONENTS, "incoming"))
    return out


def item_ids(actions: Sequence[Action]) -> list[str]:
    return sorted({a.target.item_id for a in actions})


def stale_values(
    plan: Plan, actions: Sequence[Action], live: Mapping[str, LiveItem]
) -> list[Moved]:
    """Every planned-from value the store no longer holds (empty: the plan is current)."""
    names = {a.target.item_id: a.target.sku for a in actions}
    locations = {a.target.location_id: a.target.location_name for a in actions}
    # From 2026-04 an inactive level keeps its quantities, and a plan that reactivates it was
    # made from them; any other inactive level counts as empty.
    reactivated = {
        (a.target.item_id, a.target.location_id) for a in actions if isinstance(a, Activate)
    }
    moved: list[Moved] = []
    for (item_id, location_id), wanted in sorted(level_dependencies(actions).items()):
        planned = plan.observed.levels.get((item_id, location_id), {})
        item = live.get(item_id)
        level = item.levels.get(location_id) if item else None
        kept = level is not None and (level.is_active or (item_id, location_id) in reactivated)
        for name in sorted(wanted):
            now = level.quantity(name) if level is not None and kept else 0
            before = int(planned.get(name, 0))
            if now != before:
                moved.append(Moved(names[item_id], locations[location_id], name, before, now))
    for action in actions:
        if not isinstance(action, UpdateItem):
            continue
        item = live.get(action.target.item_id)
        if item is None:
            moved.append(Moved(action.target.sku, None, "item", "present", "deleted"))
            continue
        for change in action.changes:
            now = attribute_json(change.field, item.attribute(change.field))
            if now != change.before:
                moved.append(Moved(action.target.sku, None, change.field, change.before, now))
    return moved


def expected_levels(plan: Plan, actions: Sequence[Action]) -> dict[tuple[str, str], dict[str, int]]:
    """Per touched level, the quantities the given actions leave behind (Shopify's rules)."""
    moves: dict[tuple[str, str], list[PlannedMove]] = {}
    sets: dict[tuple[str, str], PlannedSet] = {}
    for action in actions:
        location = action.target.location_id
        if location is None:
            continue
        key = (action.target.item_id, location)
        if isinstance(action, Move):
            moves.setdefault(key, []).append(
                PlannedMove(
                    action.from_name,
                    action.to_name,
                    action.quantity,
                    action.from_before,
                    action.to_before,
                )
            )
        elif isinstance(action, SetQuantity):
            sets[key] = PlannedSet(action.name, action.live, action.compare, action.after)
    out = {}
    for key in sorted(set(moves) | set(sets)):
        basis = plan.observed.levels.get(key, {})
        out[key] = simulate(basis, LevelPlan(tuple(moves.get(key, ())), sets.get(key)))
    return out
