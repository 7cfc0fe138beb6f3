"""After an apply: re-read what the plan touched and report anything not at its target, and why.

The target of each level is what the plan's actions leave behind (by Shopify's rules) on the
names they write; of each item, the attributes' `after` values. A difference is explained by
what the journal and the store say: the change was not applied (failed, stopped), or the store
moved after planning (e.g. committed grew: a sale happened during the apply).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.model import LiveItem
from reconciler.plan.actions import Activate, Deactivate, Move, SetQuantity, UpdateItem
from reconciler.plan.build import attribute_json
from reconciler.plan.planfile import Plan

from .checks import expected_levels, level_dependencies
from .execute import ActionResult, Status


@dataclass(frozen=True, slots=True)
class Drift:
    sku: str
    location: str | None
    name: str
    expected: Any
    actual: Any
    why: str

    def __str__(self) -> str:
        where = f"{self.sku} at {self.location}" if self.location else self.sku
        return f"{where}: {self.name} is {self.actual}, expected {self.expected} ({self.why})"

    def as_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "location": self.location,
            "name": self.name,
            "expected": self.expected,
            "actual": self.actual,
            "why": self.why,
        }


def _explain_level(
    plan: Plan,
    key: tuple[str, str],
    action_ids: list[int],
    live_quantities: Mapping[str, int],
    results: Mapping[int, ActionResult],
) -> str:
    for i in action_ids:
        result = results.get(i)
        if result is not None and result.status is not Status.APPLIED:
            return f"the change was {result.status.value.replace('_', ' ')}"
    observed = plan.observed.levels.get(key, {})
    committed = int(live_quantities.get("committed", 0)) - int(observed.get("committed", 0))
    if committed > 0:
        return f"a sale happened during the apply (committed +{committed})"
    return "changed in the store during or after the apply"


def _targets(plan: Plan) -> dict[tuple[str, str], dict[str, int]]:
    """Per level the plan moves or sets, the values it leaves on the names it writes.

    A level with only a set ends at the set's value (Shopify's rule for available and on_hand
    alike); others are simulated (`checks.expected_levels`). One pass over the actions, so a
    plan of 100,000 sets is checked in well under a second.
    """
    sets: dict[tuple[str, str], SetQuantity] = {}
    others: set[tuple[str, str]] = set()
    for action in plan.actions:
        location = action.target.location_id
        if location is None:
            continue
        key = (action.target.item_id, location)
        if isinstance(action, SetQuantity) and key not in sets:
            sets[key] = action
        elif isinstance(action, Move | SetQuantity | Deactivate):
            others.add(key)
    complex_ = [a for a in plan.actions if (a.target.item_id, a.target.location_id) in others]
    written = level_dependencies(complex_)
    out = {
        key: {name: expected[name] for name in written.get(key, ())}
        for key, expected in expected_levels(plan, complex_).items()
    }
    for key, action in sets.items():
        if key not in others:
            out[key] = {action.name: action.after}
    return dict(sorted(out.items()))


def find_drift(
    plan: Plan, live: Mapping[str, LiveItem], results: Mapping[int, ActionResult]
) -> list[Drift]:
    names = {a.target.item_id: a.target.sku for a in plan.actions}
    locations = {a.target.location_id: a.target.location_name for a in plan.actions}
    on_level: dict[tuple[str, str | None], list[int]] = {}
    for i, action in enumerate(plan.actions, start=1):
        on_level.setdefault((action.target.item_id, action.target.location_id), []).append(i)
    out: list[Drift] = []
    # the names the plan writes at each level (the same ones its stale check depends on)
    for key, expected in _targets(plan).items():
        item = live.get(key[0])
        level = item.levels.get(key[1]) if item else None
        quantities = dict(level.quantities) if level is not None else {}
        for name in sorted(expected):
            actual = int(quantities.get(name, 0))
            if actual != expected[name]:
                why = _explain_level(plan, key, on_level[key], quantities, results)
                out.append(
                    Drift(names[key[0]], locations[key[1]], name, expected[name], actual, why)
                )
    for i, action in enumerate(plan.actions, start=1):
        status = results.get(i, ActionResult(Status.NOT_ATTEMPTED)).status
        why = (
            "the change was applied, then changed again"
            if status is Status.APPLIED
            else (f"the change was {status.value.replace('_', ' ')}")
        )
        item = live.get(action.target.item_id)
        if isinstance(action, UpdateItem):
            for change in action.changes:
                value = attribute_json(change.field, item.attribute(change.field)) if item else None
                if value != change.after:
                    out.append(
                        Drift(action.target.sku, None, change.field, change.after, value, why)
                    )
        elif isinstance(action, Activate | Deactivate):
            level = item.levels.get(action.target.location_id or "") if item else None
            active = level is not None and level.is_active
            wanted = isinstance(action, Activate)
            if active != wanted:
                out.append(
                    Drift(
                        action.target.sku,
                        action.target.location_name,
                        "stocked",
                        wanted,
                        active,
                        why,
                    )
                )
    return out
