"""What the planner guarantees about a plan, checked again on a plan read from a file.

A plan file can be edited and its id recomputed, so passing the schema and the id check proves
only that the file is well formed. Before anything is sent, apply holds every plan to what
`build.py` and `quantities.solve` would have produced, so a bad plan is refused whole instead
of failing half-way (its first batches applied):

* quantities within Shopify's bounds (writes within ±1,000,000,000; on_hand never negative);
* one write per level and quantity name (one set per level, one move per unavailable state),
  one update per item, at most one activation or deactivation per level, never both;
* compare values consistent: replaying the level's moves from its observed quantities gives
  each move's ``from_before``/``to_before`` and the set's ``compare`` (as `solve` does);
* a move goes between ``available`` and an unavailable state; targets name one item each;
* country and region codes are Shopify's (the region against the plan's own country).

`problems` lists every violation (each names its action id); it does no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from reconciler.manifest import codes
from reconciler.model import ANCHORS, ON_HAND_COMPONENTS, UNAVAILABLE

from .actions import Action, Activate, Deactivate, Move, SetQuantity, UpdateItem
from .build import Observed
from .quantities import on_hand_of

WRITE_LIMIT = 1_000_000_000  # Shopify refuses quantities beyond this (sandbox SET_LIMIT)
OBSERVED_LIMIT = 2_000_000_000  # what a store can hold after many adjustments (snapshot schema)
SHOWN = 20
_MOVABLE = frozenset(("available", *UNAVAILABLE))  # problems listed before "... and N more"

Level = tuple[str, str]


def problems(actions: Sequence[Action], observed: Observed) -> list[str]:
    """Every way `actions` break the planner's guarantees ([] for a plan the planner made)."""
    found: list[str] = []
    found.extend(_identity_problems(actions))
    found.extend(_write_problems(actions))
    found.extend(_level_problems(actions, observed))
    found.extend(_code_problems(actions, observed))
    return found


def _where(action_id: int, action: Action) -> str:
    location = f" at {action.target.location_name}" if action.target.location_id else ""
    return f"action {action_id} ({action.kind.value} {action.target.sku}{location})"


class _Where:
    """`_where`, worded only when a problem is reported."""

    __slots__ = ("action", "action_id")

    def __init__(self, action_id: int, action: Action) -> None:
        self.action_id, self.action = action_id, action

    def __str__(self) -> str:
        return _where(self.action_id, self.action)


def _identity_problems(actions: Sequence[Action]) -> Iterator[str]:
    """One SKU per item id; quantity actions name a location."""
    skus: dict[str, str] = {}
    for action_id, action in enumerate(actions, start=1):
        target = action.target
        known = skus.setdefault(target.item_id, target.sku)
        if known != target.sku:
            yield (
                f"{_where(action_id, action)}: item {target.item_id} is {known} in an earlier "
                f"action, {target.sku} here"
            )
        if not isinstance(action, UpdateItem) and target.location_id is None:
            yield f"{_where(action_id, action)}: names no location"


def _write_problems(actions: Sequence[Action]) -> Iterator[str]:
    """One write per level and name, one update per item, one (de)activation per level."""
    seen: dict[tuple[Any, ...], int] = {}
    for action_id, action in enumerate(actions, start=1):
        target = action.target
        level = (target.item_id, target.location_id)
        keys: list[tuple[Any, ...]] = []
        if isinstance(action, UpdateItem):
            keys.append(("update", target.item_id))
        elif isinstance(action, Activate | Deactivate):
            keys.append(("stocking", *level))
        elif isinstance(action, SetQuantity):
            keys.append(("set", *level))
        elif isinstance(action, Move):
            unavailable = action.to_name if action.from_name == "available" else action.from_name
            keys.append(("move", *level, unavailable))
        for key in keys:
            first = seen.setdefault(key, action_id)
            if first != action_id:
                what = {
                    "update": "updates the same item as",
                    "stocking": "activates or deactivates the same level as",
                    "set": "sets the same level as",
                    "move": "moves the same quantity of the same level as",
                }[str(key[0])]
                yield f"{_where(action_id, action)}: {what} action {first} (one write each)"


def _bounded(value: int, low: int, high: int, what: str) -> str | None:
    if low <= value <= high:
        return None
    return f"{what} {value} is outside {low:,}..{high:,}"


def _in_range(action: Move | SetQuantity) -> bool:
    """The common case, decided without building a message."""
    if type(action) is Move:
        return (
            1 <= action.quantity <= WRITE_LIMIT
            and -OBSERVED_LIMIT <= action.from_before <= OBSERVED_LIMIT
            and -OBSERVED_LIMIT <= action.to_before <= OBSERVED_LIMIT
        )
    assert isinstance(action, SetQuantity)
    return (
        (0 if action.name == "on_hand" else -WRITE_LIMIT) <= action.after <= WRITE_LIMIT
        and -OBSERVED_LIMIT <= action.live <= OBSERVED_LIMIT
        and -OBSERVED_LIMIT <= action.compare <= OBSERVED_LIMIT
    )


def _quantity_range_problems(action: Move | SetQuantity) -> Iterator[str]:
    checks: list[str | None] = []
    if isinstance(action, Move):
        checks += [
            _bounded(action.quantity, 1, WRITE_LIMIT, "quantity"),
            _bounded(action.from_before, -OBSERVED_LIMIT, OBSERVED_LIMIT, "from_before"),
            _bounded(action.to_before, -OBSERVED_LIMIT, OBSERVED_LIMIT, "to_before"),
        ]
    else:
        low = 0 if action.name == "on_hand" else -WRITE_LIMIT
        checks += [
            _bounded(action.after, low, WRITE_LIMIT, f"{action.name} after"),
            _bounded(action.live, -OBSERVED_LIMIT, OBSERVED_LIMIT, "before"),
            _bounded(action.compare, -OBSERVED_LIMIT, OBSERVED_LIMIT, "compare"),
        ]
    yield from (c for c in checks if c)


def _level_problems(actions: Sequence[Action], observed: Observed) -> Iterator[str]:
    """Ranges, and compare values replayed from the observed quantities, as `solve` plans."""
    running: dict[Level, dict[str, int]] = {}
    for action_id, action in enumerate(actions, start=1):
        if not isinstance(action, Move | SetQuantity):
            continue
        where = _Where(action_id, action)
        if not _in_range(action):
            yield f"{where}: " + "; ".join(_quantity_range_problems(action))
            continue
        level = (action.target.item_id, action.target.location_id or "")
        basis = observed.levels.get(level)
        if basis is None:
            yield f"{where}: the plan holds no observed quantities for this level"
            continue
        values = running.get(level)
        if values is None:
            values = running[level] = {n: int(basis.get(n, 0)) for n in ON_HAND_COMPONENTS}
        if isinstance(action, Move):
            yield from _move_problems(where, action, values)
        else:
            yield from _set_problems(where, action, basis, values)


def _move_problems(where: _Where, move: Move, values: dict[str, int]) -> Iterator[str]:
    names = (move.from_name, move.to_name)
    if names[0] == names[1] or "available" not in names or not set(names) <= _MOVABLE:
        yield (
            f"{where}: moves {move.from_name} to {move.to_name}; moves go between available "
            "and one of " + ", ".join(UNAVAILABLE)
        )
        return
    expected = (values[move.from_name], values[move.to_name])
    if (move.from_before, move.to_before) != expected:
        yield (
            f"{where}: expects {move.from_name}/{move.to_name} at "
            f"{move.from_before}/{move.to_before} but the plan's observed values and earlier "
            f"moves leave {expected[0]}/{expected[1]}"
        )
    values[move.from_name] -= move.quantity
    values[move.to_name] += move.quantity


def _set_problems(
    where: _Where, action: SetQuantity, basis: dict[str, int], values: dict[str, int]
) -> Iterator[str]:
    if action.name not in ANCHORS:
        yield f"{where}: sets {action.name}; only available or on_hand can be set"
        return
    if action.name == "available":
        live, current = int(basis.get("available", 0)), values["available"]
    else:
        live, current = on_hand_of(basis), on_hand_of(values)
    if action.live != live:
        yield f"{where}: before is {action.live} but the plan observed {live}"
    if action.compare != current:
        yield (
            f"{where}: compares {action.name} with {action.compare} but the plan's observed "
            f"values and moves leave {current}"
        )


def _code_problems(actions: Sequence[Action], observed: Observed) -> Iterator[str]:
    """Country and region codes are Shopify's; a region belongs to the plan's country (when
    the plan knows it; apply's preflight checks it against the store's otherwise)."""
    for action_id, action in enumerate(actions, start=1):
        if not isinstance(action, UpdateItem):
            continue
        after = {c.field: c.after for c in action.changes}
        where = _where(action_id, action)
        country = after.get("countryCodeOfOrigin")
        if country is not None and country not in codes.COUNTRY_CODES:
            yield f"{where}: {country!r} is not one of Shopify's country codes"
        hs = after.get("countryHarmonizedSystemCodes") or {}
        if isinstance(hs, dict):
            for code_country in hs:
                if code_country not in codes.COUNTRY_CODES:
                    yield f"{where}: HS code for {code_country!r}, not a country code"
        province = after.get("provinceCodeOfOrigin")
        if province is None:
            continue
        whose = "the plan sets countryCodeOfOrigin to"
        if "countryCodeOfOrigin" not in after:
            country = (observed.items.get(action.target.item_id) or {}).get("countryCodeOfOrigin")
            whose = "the plan observed countryCodeOfOrigin"
        problem = codes.province_problem(country, province, f"{whose} {country}")
        if problem:
            yield f"{where}: {problem}"


def summary(found: Sequence[str]) -> str:
    """The problems as an indented list, long lists cut at `SHOWN`."""
    listing = "\n".join(f"  {p}" for p in found[:SHOWN])
    more = f"\n  ... and {len(found) - SHOWN} more" if len(found) > SHOWN else ""
    return listing + more
