"""Plan actions: pure data, read by the renderers, the plan file and the applier alike.

An action says what will change, where, from what to what, and which live value it was
planned from. It has no behaviour: turning it into text, JSON or a mutation is each reader's
job, so what a reviewer reads is by construction what apply does.

Phases run in this order: item updates (tracking first), activations, moves, sets,
deactivations.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reconciler.model import Source


class Kind(StrEnum):
    UPDATE_ITEM = "update_item"
    ACTIVATE = "activate"
    MOVE = "move"
    SET = "set"
    DEACTIVATE = "deactivate"


PHASES: tuple[Kind, ...] = (Kind.UPDATE_ITEM, Kind.ACTIVATE, Kind.MOVE, Kind.SET, Kind.DEACTIVATE)

# The mutation each kind becomes (shown in plans; used by the applier).
MUTATIONS: dict[Kind, str] = {
    Kind.UPDATE_ITEM: "inventoryItemUpdate",
    Kind.ACTIVATE: "inventoryActivate",
    Kind.MOVE: "inventoryMoveQuantities",
    Kind.SET: "inventorySetQuantities",
    Kind.DEACTIVATE: "inventoryDeactivate",
}


@dataclass(frozen=True, slots=True)
class Target:
    """The item (and location, for level actions) an action concerns."""

    sku: str
    item_id: str
    location_id: str | None = None
    location_name: str | None = None


@dataclass(frozen=True, slots=True)
class AttributeChange:
    """One attribute of an item: JSON-ready before/after (cost as a decimal string)."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class UpdateItem:
    target: Target
    changes: tuple[AttributeChange, ...]
    source: Source
    kind: Kind = Kind.UPDATE_ITEM


@dataclass(frozen=True, slots=True)
class Activate:
    """Stock the item at a location. `reactivates`: an inactive level keeps its quantities."""

    target: Target
    reactivates: bool
    source: Source
    kind: Kind = Kind.ACTIVATE


@dataclass(frozen=True, slots=True)
class Move:
    """Move units between two states of one level; on_hand does not change.

    `from_before`/`to_before` are the values expected when the move runs (compare-and-set);
    for the first move of a level they are the live values.
    """

    target: Target
    from_name: str
    to_name: str
    quantity: int
    from_before: int
    to_before: int
    reason: str
    source: Source
    kind: Kind = Kind.MOVE


@dataclass(frozen=True, slots=True)
class SetQuantity:
    """Set `available` or `on_hand` to `after`.

    `live` is the value read from the store; `compare` the value expected just before the set
    runs, after this level's moves (what compare-and-set checks).
    """

    target: Target
    name: str
    live: int
    compare: int
    after: int
    reason: str
    source: Source
    kind: Kind = Kind.SET


@dataclass(frozen=True, slots=True)
class Deactivate:
    target: Target
    level_id: str
    source: Source
    kind: Kind = Kind.DEACTIVATE


Action = UpdateItem | Activate | Move | SetQuantity | Deactivate


def sort_key(action: Action) -> tuple[Any, ...]:
    """Deterministic order: phase, then SKU, item id, location name, then the detail."""
    target = action.target
    detail: tuple[Any, ...] = ()
    if isinstance(action, Move):
        detail = (action.from_name, action.to_name)
    elif isinstance(action, SetQuantity):
        detail = (action.name,)
    return (
        PHASES.index(action.kind),
        target.sku,
        target.item_id,
        target.location_name or "",
        target.location_id or "",
        detail,
    )
