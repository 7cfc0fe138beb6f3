"""The quantity solver: from a level's live quantities and its declared ones to moves and a set.

Shopify's rules (facts §3): on_hand = available + committed + damaged + quality_control +
reserved + safety_stock. `inventorySetQuantities` writes only `available` or `on_hand`
(setting on_hand moves the difference through available); the unavailable states are reached
by moving units from or to `available` (`inventoryMoveQuantities`, on_hand unchanged);
committed and incoming are Shopify's own.

So, per level: first one move per unavailable state that differs, then one set of the declared
anchor (available, else on_hand), compared against the value the moves leave behind. When both
anchors are declared they must agree with committed and the unavailable states. `simulate`
applies moves and sets exactly as Shopify does; property tests hold the solver to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reconciler.model import ANCHORS, ON_HAND_COMPONENTS, UNAVAILABLE


class QuantityConflict(ValueError):
    """Declared quantities that cannot all be true at once; the message shows the arithmetic."""


@dataclass(frozen=True, slots=True)
class PlannedMove:
    from_name: str
    to_name: str
    quantity: int
    from_before: int
    to_before: int


@dataclass(frozen=True, slots=True)
class PlannedSet:
    name: str
    live: int
    compare: int
    after: int


@dataclass(frozen=True, slots=True)
class LevelPlan:
    moves: tuple[PlannedMove, ...]
    set: PlannedSet | None

    @property
    def empty(self) -> bool:
        return not self.moves and self.set is None


def on_hand_of(quantities: Mapping[str, int]) -> int:
    return sum(int(quantities.get(name, 0)) for name in ON_HAND_COMPONENTS)


def _check_anchors(live: Mapping[str, int], desired: Mapping[str, int]) -> None:
    """Both anchors declared: on_hand must equal available + committed + unavailable states."""
    parts = [("available", desired["available"]), ("committed", int(live.get("committed", 0)))]
    for name in UNAVAILABLE:
        parts.append((name, desired.get(name, int(live.get(name, 0)))))
    total = sum(value for _, value in parts)
    if total != desired["on_hand"]:
        terms = " + ".join(f"{name} {value}" for name, value in parts)
        raise QuantityConflict(
            f"on_hand {desired['on_hand']} does not add up: {terms} = {total} "
            "(declare only one of available and on_hand, or make them agree)"
        )


NOTHING = LevelPlan((), None)


def reads(desired: Mapping[str, int]) -> tuple[str, ...] | None:
    """The live names `solve(live, desired)` reads, when fewer than all (None: all of them).

    A million levels that declare only `available` need only that live value each; the
    planner passes just it instead of building every level's eight quantities.
    """
    if len(desired) == 1 and "available" in desired:
        return ("available",)
    return None


def solve(live: Mapping[str, int], desired: Mapping[str, int]) -> LevelPlan:
    """Moves then at most one set that take `live` to `desired` on every declared name."""
    if "available" in desired and "on_hand" in desired:
        _check_anchors(live, desired)
    elif len(desired) == 1:  # the common case, one anchor alone: no moves, at most a set
        (only,) = desired
        if only in ANCHORS:
            current = int(live.get("available", 0)) if only == "available" else on_hand_of(live)
            if current == desired[only]:
                return NOTHING
            return LevelPlan((), PlannedSet(only, current, current, desired[only]))
    expected = {name: int(live.get(name, 0)) for name in (*ON_HAND_COMPONENTS, "incoming")}
    wanted: list[tuple[str, str, int]] = []
    for name in UNAVAILABLE:
        if name in desired and desired[name] != expected[name]:
            difference = desired[name] - expected[name]
            if difference > 0:
                wanted.append(("available", name, difference))
            else:
                wanted.append((name, "available", -difference))
    moves = []
    for source, destination, quantity in sorted(wanted):
        moves.append(
            PlannedMove(source, destination, quantity, expected[source], expected[destination])
        )
        expected[source] -= quantity
        expected[destination] += quantity
    planned_set = None
    anchor = next((name for name in ANCHORS if name in desired), None)
    if anchor is not None:
        current = expected["available"] if anchor == "available" else on_hand_of(expected)
        if current != desired[anchor]:
            live_value = (
                int(live.get("available", 0)) if anchor == "available" else on_hand_of(live)
            )
            planned_set = PlannedSet(anchor, live_value, current, desired[anchor])
    return LevelPlan(tuple(moves), planned_set)


def simulate(live: Mapping[str, int], plan: LevelPlan) -> dict[str, int]:
    """What the store holds after the plan runs, by Shopify's rules (on_hand derived)."""
    state = {name: int(live.get(name, 0)) for name in (*ON_HAND_COMPONENTS, "incoming")}
    for move in plan.moves:
        state[move.from_name] -= move.quantity
        state[move.to_name] += move.quantity
    if plan.set is not None:
        if plan.set.name == "available":
            state["available"] = plan.set.after
        else:  # on_hand: the difference goes through available (facts §3.3)
            state["available"] += plan.set.after - on_hand_of(state)
    state["on_hand"] = on_hand_of(state)
    return state
