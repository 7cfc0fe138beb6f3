"""Money at stake: what a plan's quantity changes are worth, at each item's unit cost.

A reviewer reads ``damaged 0 -> 12``; this module says ``damaged write-off: -$1,842.00 at West
Warehouse``. Every quantity action has one or two *effects*, each worth units × unit cost:

``added`` / ``removed``
    A set of ``on_hand`` or ``available`` changes on_hand by ``after - compare`` (the value
    compare-and-set expects just before the set, after the level's moves): a set of
    ``available`` takes on_hand with it, since committed and the unavailable states do not
    move. Units leaving on_hand are value leaving the location's stock, whatever the reason
    (shrinkage, correction, a transfer out); the reason says why.
``written_off`` / ``restored``
    A move into ``damaged`` leaves on_hand unchanged but the units can no longer be sold: a
    write-off. A move out of ``damaged`` restores them.
``set_aside`` / ``released``
    A move into ``quality_control``, ``reserved`` or ``safety_stock`` keeps the units owned and
    valued, only held back from sale (and a move back releases them). Shown for information;
    nothing is written off. A move between two of these states changes nothing.

Activations and deactivations are worth nothing (a deactivated level is empty; a reactivated
one keeps the units it had). A cost change is an attribute change: the quantities of the same
plan are valued at the cost the plan leaves (item updates run first).

Totals: ``on_hand`` is the change in on-hand value (added + removed); ``written_off`` is gross,
removed plus moved into damaged (a restoration elsewhere does not offset it; the
``max-write-off`` guard-rail compares this figure). Values are exact (``Decimal``), rounded once
per line half-to-even to the currency's minor units; totals are sums of the rounded lines, so
what a reviewer reads adds up. An item without a unit cost is never valued at zero: its units
are counted per line (``unvalued_units``) and the item is named in ``unvalued``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from reconciler.model import UNAVAILABLE

from .actions import Action, Move, SetQuantity, UpdateItem
from .build import attribute_json
from .currency import Currency

Effect = Literal["added", "removed", "written_off", "restored", "set_aside", "released"]
EFFECTS: tuple[Effect, ...] = (
    "written_off",
    "removed",
    "restored",
    "added",
    "set_aside",
    "released",
)
HELD = tuple(name for name in UNAVAILABLE if name != "damaged")  # owned, valued, not for sale
TOTALS = ("on_hand", "written_off", "restored", "set_aside", "released")


@dataclass(frozen=True, slots=True)
class MoneyBasis:
    """What valuing a plan needs besides its actions: the shop's currency and each changed
    item's unit cost (None: the item has no cost). Saved in the plan file."""

    currency: str
    unit_costs: Mapping[str, Decimal | None]  # by item id
    skus: Mapping[str, str]  # item id -> SKU, to name unvalued items

    def cost(self, item_id: str) -> Decimal | None:
        return self.unit_costs.get(item_id)


@dataclass(frozen=True, slots=True)
class MoneyLine:
    """One effect of one reason at one location: `units` (signed: negative when value leaves),
    how many of them have no cost, and the value of the others (None when none has a cost)."""

    location_id: str
    location: str
    effect: Effect
    state: str | None  # the unavailable state, for set_aside / released
    reason: str
    units: int
    unvalued_units: int
    value: Decimal | None

    @property
    def label(self) -> str:
        state = self.state or ""
        base = {
            "written_off": "damaged write-off",
            "restored": "restored from damaged",
            "removed": "stock removed",
            "added": "stock added",
            "set_aside": f"set aside as {state}",
            "released": f"released from {state}",
        }[self.effect]
        implied = {"written_off": "damaged", "set_aside": state, "released": state}
        if implied.get(self.effect) == self.reason:
            return base
        return f"{base} ({self.reason})"


@dataclass(frozen=True, slots=True)
class Unvalued:
    sku: str
    item_id: str
    units: int  # units of money effects the item has, counted without sign


@dataclass(frozen=True, slots=True)
class MoneySummary:
    currency: Currency
    lines: tuple[MoneyLine, ...]
    totals: Mapping[str, Decimal]
    unvalued: tuple[Unvalued, ...]

    @property
    def empty(self) -> bool:
        return not self.lines

    @property
    def written_off(self) -> Decimal:
        return self.totals["written_off"]

    def unvalued_written_off_units(self) -> int:
        return sum(
            line.unvalued_units for line in self.lines if line.effect in ("removed", "written_off")
        )


# -- per action --------------------------------------------------------------------------------


def effects(action: Action) -> list[tuple[Effect, str | None, int]]:
    """The money effects of one action: (effect, unavailable state or None, signed units)."""
    if isinstance(action, SetQuantity):
        delta = action.after - action.compare
        if delta > 0:
            return [("added", None, delta)]
        if delta < 0:
            return [("removed", None, delta)]
        return []
    if not isinstance(action, Move) or action.quantity == 0:
        return []
    q, source, target = action.quantity, action.from_name, action.to_name
    out: list[tuple[Effect, str | None, int]] = []
    if target == "damaged":
        out.append(("written_off", None, -q))
    if source == "damaged":
        out.append(("restored", None, q))
    if target in HELD and source not in HELD:
        out.append(("set_aside", target, q))
    if source in HELD and target not in HELD:
        out.append(("released", source, -q))
    return out


# -- the basis ---------------------------------------------------------------------------------


def basis_for(
    actions: Iterable[Action],
    live_costs: Mapping[str, Decimal | None],
    currency: str,
) -> MoneyBasis:
    """The unit cost of every item whose quantities change: the cost the plan leaves (an item
    update's new cost, else the live one)."""
    planned: dict[str, Decimal | None] = {}
    costs: dict[str, Decimal | None] = {}
    skus: dict[str, str] = {}
    for action in actions:
        item_id = action.target.item_id
        if isinstance(action, UpdateItem):
            for change in action.changes:
                if change.field == "cost":
                    after = change.after
                    planned[item_id] = None if after is None else Decimal(str(after))
        elif isinstance(action, Move | SetQuantity) and item_id not in costs:
            costs[item_id] = live_costs.get(item_id)
            skus[item_id] = action.target.sku
    for item_id in costs:
        if item_id in planned:
            costs[item_id] = planned[item_id]
    return MoneyBasis(currency, dict(sorted(costs.items())), skus)


# -- the summary -------------------------------------------------------------------------------


def summarise(actions: Iterable[Action], basis: MoneyBasis) -> MoneySummary:
    """Every money effect of `actions`, per location, effect and reason (see the module doc).

    The last few summaries of a plan's (immutable) action tuple are kept, by the identity of
    the tuple and the basis, so planning, checking guard-rails, rendering and saving one plan
    values it once."""
    if not isinstance(actions, tuple):
        return _summarise(actions, basis)
    key = (id(actions), id(basis))
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is actions and cached[1] is basis:
        return cached[2]
    summary = _summarise(actions, basis)
    if len(_CACHE) >= 4:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (actions, basis, summary)
    return summary


_CACHE: dict[tuple[int, int], tuple[Iterable[Action], MoneyBasis, MoneySummary]] = {}

_Key = tuple[str, str, Effect, str | None, str]


def _summarise(actions: Iterable[Action], basis: MoneyBasis) -> MoneySummary:
    currency = Currency(basis.currency)
    units: dict[_Key, int] = {}
    missing: dict[_Key, int] = {}
    values: dict[_Key, Decimal] = {}
    unvalued: dict[str, int] = {}
    costs = basis.unit_costs
    for action in actions:
        if isinstance(action, SetQuantity):
            delta = action.after - action.compare
            if not delta:
                continue
            found: list[tuple[Effect, str | None, int]] = [
                ("added" if delta > 0 else "removed", None, delta)
            ]
        elif isinstance(action, Move):
            found = effects(action)
        else:
            continue
        target = action.target
        cost = costs.get(target.item_id)
        for effect, state, count in found:
            key = (
                target.location_name or "",
                target.location_id or "",
                effect,
                state,
                action.reason,
            )
            units[key] = units.get(key, 0) + count
            if cost is None:
                missing[key] = missing.get(key, 0) + abs(count)
                unvalued[target.item_id] = unvalued.get(target.item_id, 0) + abs(count)
            else:
                values[key] = values.get(key, 0) + count * cost
    lines = [
        MoneyLine(
            key[1],
            key[0],
            key[2],
            key[3],
            key[4],
            total,
            missing.get(key, 0),
            currency.round(values[key]) if key in values else None,
        )
        for key, total in sorted(
            units.items(), key=lambda kv: (kv[0][0], kv[0][1], EFFECTS.index(kv[0][2]), kv[0][3:])
        )
    ]
    return MoneySummary(
        currency,
        tuple(lines),
        _totals(lines, currency),
        tuple(
            Unvalued(basis.skus.get(item_id, ""), item_id, count)
            for item_id, count in sorted(
                unvalued.items(), key=lambda kv: (basis.skus.get(kv[0], ""), kv[0])
            )
        ),
    )


def _totals(lines: Iterable[MoneyLine], currency: Currency) -> dict[str, Decimal]:
    zero = currency.round(Decimal(0))
    totals = dict.fromkeys(TOTALS, zero)
    for line in lines:
        if line.value is None:
            continue
        if line.effect in ("added", "removed"):
            totals["on_hand"] += line.value
        if line.effect in ("removed", "written_off"):
            totals["written_off"] -= line.value
        elif line.effect in ("restored", "set_aside"):
            totals[line.effect] += line.value
        elif line.effect == "released":
            totals["released"] -= line.value
    return totals


# -- JSON ----------------------------------------------------------------------------------------


def basis_json(basis: MoneyBasis) -> dict[str, Any]:
    return {
        "currency": basis.currency,
        "unit_costs": [
            {
                "item_id": item_id,
                "sku": basis.skus.get(item_id, ""),
                "cost": attribute_json("cost", cost),
            }
            for item_id, cost in basis.unit_costs.items()
        ],
    }


def summary_json(summary: MoneySummary) -> dict[str, Any]:
    currency = summary.currency
    return {
        "lines": [
            {
                "location_id": line.location_id,
                "location": line.location,
                "effect": line.effect,
                "state": line.state,
                "reason": line.reason,
                "units": line.units,
                "unvalued_units": line.unvalued_units,
                "value": None if line.value is None else currency.text(line.value),
            }
            for line in summary.lines
        ],
        "totals": {name: currency.text(value) for name, value in summary.totals.items()},
        "unvalued": [
            {"sku": u.sku, "item_id": u.item_id, "units": u.units} for u in summary.unvalued
        ],
    }


def money_json(actions: Iterable[Action], basis: MoneyBasis) -> dict[str, Any]:
    """The plan file's ``money``: the basis (read back by apply) and the summary it gives."""
    return {**basis_json(basis), **summary_json(summarise(actions, basis))}


def basis_from_json(data: Mapping[str, Any]) -> MoneyBasis:
    """The basis of a saved plan (the summary is derived again from the actions when needed)."""
    costs: dict[str, Decimal | None] = {}
    skus: dict[str, str] = {}
    for entry in data["unit_costs"]:
        cost = entry["cost"]
        costs[entry["item_id"]] = None if cost is None else Decimal(cost)
        skus[entry["item_id"]] = entry["sku"]
    return MoneyBasis(str(data["currency"]), costs, skus)
