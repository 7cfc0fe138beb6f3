"""Desired × live → differences, through the planner: its actions are the diff.

The planner resolves what is hard (SKUs and pins, aliases, locations, arithmetic between
anchors, Shopify's rules for moves and sets); each action it plans names one thing the store
has that the manifests do not declare, with both values:

* an item update → one difference per attribute;
* a set of `available` or `on_hand` → that name, live and declared;
* a move between `available` and a state → that state (its live value and the one declared);
  a move that restores `available` along the way is one difference, not two;
* an activation → a level the manifests declare and the store does not stock;
* a deactivation → a level the store stocks where the manifests say `stocked: false`.

What the planner would refuse because it is missing from the store (a declared SKU, pinned id
or location the store does not have) is taken out first and reported as disappeared; what the
store has and no manifest declares (an item, or a level of a declared item) as appeared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from reconciler.manifest.ownership import Ownership, location_names
from reconciler.model import DesiredState, LiveItem, LiveState
from reconciler.plan.actions import Action, Activate, Deactivate, Move, SetQuantity, UpdateItem
from reconciler.plan.build import Filters, build_actions

Kind = Literal["quantity", "attribute", "stocked", "item"]


@dataclass(frozen=True, slots=True)
class Difference:
    kind: Kind
    sku: str
    name: str  # the quantity or attribute name; "stocked"; "item"
    declared: Any  # the manifest's value (None: not declared, e.g. an item that appeared)
    live: Any  # the store's value (None: not there)
    item_id: str | None = None
    location: str | None = None  # the location's name
    location_id: str | None = None
    level_id: str | None = None
    source: str | None = None  # file:line of the declaration

    @property
    def where(self) -> str:
        return f"{self.sku} at {self.location}" if self.location else self.sku


def differences(
    desired: DesiredState,
    live: LiveState,
    filters: Filters,
    ownership: Ownership,
) -> list[Difference]:
    """Every difference between what the manifests declare and what the store has."""
    found: list[Difference] = []
    present = _present(desired, live, filters, found)
    built = build_actions(present, live, filters)
    found.extend(d for action in built.actions for d in _from_action(action, live))
    found.extend(_appeared(desired, live, filters, ownership))
    return found


def _present(
    desired: DesiredState, live: LiveState, filters: Filters, found: list[Difference]
) -> DesiredState:
    """The desired state without what the store does not have (reported as disappeared)."""
    kept = []
    for item in desired.items:
        if not filters.wants_sku(item.sku):
            continue
        exists = item.id in live.items if item.id else bool(live.skus.get(item.sku))
        if not exists:
            found.append(
                Difference("item", item.sku, "item", True, None, item.id, source=str(item.source))
            )
            continue
        levels = []
        for level in item.levels:
            name = desired.location_aliases.get(level.location, level.location)
            location = live.location_by_name(name)
            if location is None or not location.is_active:
                if not level.stocked:
                    continue  # not stocked where the store has no such location: as declared
                found.append(
                    Difference(
                        "stocked", item.sku, "stocked", level.stocked, None,
                        location=name, source=str(level.source),
                    )
                )  # fmt: skip
            else:
                levels.append(level)
        kept.append(replace(item, levels=tuple(levels)))
    return DesiredState(tuple(kept), desired.files, desired.location_aliases)


def _from_action(action: Action, live: LiveState) -> Iterable[Difference]:
    target = action.target
    item = live.items.get(target.item_id)
    level = item.levels.get(target.location_id or "") if item else None
    where: dict[str, Any] = {
        "item_id": target.item_id,
        "location": target.location_name,
        "location_id": target.location_id,
        "level_id": level.level_id if level else None,
        "source": str(action.source),
    }
    if isinstance(action, UpdateItem):
        for change in action.changes:
            yield Difference(
                "attribute", target.sku, change.field, change.after, change.before,
                item_id=target.item_id, source=str(action.source),
            )  # fmt: skip
    elif isinstance(action, SetQuantity):
        yield Difference("quantity", target.sku, action.name, action.after, action.live, **where)
    elif isinstance(action, Move):
        if action.to_name != "available":
            state, live_value, declared = (
                action.to_name,
                action.to_before,
                action.to_before + action.quantity,
            )
        else:
            state, live_value = action.from_name, action.from_before
            declared = action.from_before - action.quantity
        yield Difference("quantity", target.sku, state, declared, live_value, **where)
    elif isinstance(action, Activate):
        yield Difference("stocked", target.sku, "stocked", True, False, **where)
    elif isinstance(action, Deactivate):
        yield Difference("stocked", target.sku, "stocked", False, True, **where)


def _appeared(
    desired: DesiredState, live: LiveState, filters: Filters, ownership: Ownership
) -> Iterable[Difference]:
    """Items no manifest declares, and active levels of declared items at locations none of
    their entries declares (ignored SKUs and locations, and filters, left out). An item whose
    entries declare no level at all manages only its attributes (an untracked item sold to
    order, say): where it is stocked is not the manifests' business, so nothing appears."""
    declared: dict[tuple[str, str | None], set[str]] = {}
    for item in desired.items:
        names = declared.setdefault((item.sku, item.id), set())
        names.update(desired.location_aliases.get(lv.location, lv.location) for lv in item.levels)
    for one in sorted(live.items.values(), key=lambda i: (i.sku or "", i.id)):
        sku = one.sku or ""
        if not filters.wants_sku(sku) or ownership.ignores_sku(one.sku):
            continue
        locations = declared.get((sku, one.id), declared.get((sku, None)))
        if locations is None:
            yield Difference("item", sku, "item", None, True, one.id)
            continue
        if not locations:
            continue
        yield from _appeared_levels(one, locations, live, filters, ownership, desired)


def _appeared_levels(
    item: LiveItem,
    declared: set[str],
    live: LiveState,
    filters: Filters,
    ownership: Ownership,
    desired: DesiredState,
) -> Iterable[Difference]:
    for location_id, level in sorted(item.levels.items()):
        location = live.location(location_id)
        if not level.is_active or location is None or location.name in declared:
            continue
        names = location_names(location.name, desired.location_aliases)
        if ownership.ignores_location(names) or not any(filters.wants_location(n) for n in names):
            continue
        yield Difference(
            "stocked", item.sku or "", "stocked", None, True, item.id,
            location.name, location_id, level.level_id,
        )  # fmt: skip
