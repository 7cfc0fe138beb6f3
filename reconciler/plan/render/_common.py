"""What the text and Markdown renderers share: the plan regrouped for reading, and value forms.

Actions are sorted for execution (phase first). A reviewer reads by item and location, so the
renderers regroup them: items by SKU then item id, each item's attribute update first, then its
levels by location name then id, and within a level the actions in execution order (activate,
moves, set, deactivate). Every action lands in exactly one group; nothing is dropped.
"""

from __future__ import annotations

import json
import shlex
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from reconciler.plan.actions import (
    MUTATIONS,
    PHASES,
    Action,
    Activate,
    Deactivate,
    Kind,
    Move,
    SetQuantity,
    UpdateItem,
)
from reconciler.plan.build import Filters
from reconciler.plan.currency import Currency
from reconciler.plan.guardrails import level_change
from reconciler.plan.money import MoneyLine

LevelAction = Activate | Move | SetQuantity | Deactivate


@dataclass(slots=True)
class LevelChanges:
    """Everything a plan does to one item at one location, in execution order."""

    location_id: str
    location_name: str
    actions: list[LevelAction] = field(default_factory=list)
    activation: Activate | None = None
    deactivation: Deactivate | None = None
    quantity_actions: list[Move | SetQuantity] = field(default_factory=list)

    def add(self, action: LevelAction) -> None:
        self.actions.append(action)
        if isinstance(action, Activate):
            self.activation = self.activation or action
        elif isinstance(action, Deactivate):
            self.deactivation = self.deactivation or action
        else:
            self.quantity_actions.append(action)

    @property
    def marker(self) -> str:
        """`+` the level is (re)activated, `-` deactivated, `~` only its quantities change."""
        if self.activation is not None:
            return "+"
        if self.deactivation is not None:
            return "-"
        return "~"


@dataclass(slots=True)
class ItemChanges:
    sku: str
    item_id: str
    updates: list[UpdateItem] = field(default_factory=list)
    levels: list[LevelChanges] = field(default_factory=list)


def group_by_item(actions: tuple[Action, ...]) -> list[ItemChanges]:
    """The plan's actions regrouped per item and level (see the module docstring for order)."""
    items: dict[tuple[str, str], ItemChanges] = {}
    levels: dict[tuple[str, str, str], list[LevelAction]] = {}
    for action in actions:
        target = action.target
        key = (target.sku, target.item_id)
        if key not in items:
            items[key] = ItemChanges(*key)
        if isinstance(action, UpdateItem):
            items[key].updates.append(action)
        else:
            level_key = (target.sku, target.item_id, target.location_id or "")
            if level_key in levels:
                levels[level_key].append(action)
            else:
                levels[level_key] = [action]
    for (sku, item_id, location_id), level_actions in levels.items():
        name = level_actions[0].target.location_name or location_id
        level = LevelChanges(location_id, name)
        if len(level_actions) > 1:
            level_actions.sort(key=_level_order)
        for action in level_actions:
            level.add(action)
        items[(sku, item_id)].levels.append(level)
    ordered = [items[key] for key in sorted(items)]
    for item in ordered:
        if len(item.levels) > 1:
            item.levels.sort(key=lambda lv: (lv.location_name, lv.location_id))
    return ordered


_PHASE = {kind: index for index, kind in enumerate(PHASES)}


def _level_order(action: LevelAction) -> tuple[int, str, str]:
    """`sort_key` within one level: phase, then the move's ends or the set's name."""
    if isinstance(action, Move):
        return (_PHASE[action.kind], action.from_name, action.to_name)
    if isinstance(action, SetQuantity):
        return (_PHASE[action.kind], action.name, "")
    return (_PHASE[action.kind], "", "")


# -- one line per changed quantity -------------------------------------------------------------


class QuantityLine(NamedTuple):
    """A quantity a move or a set changes, from its value before the plan to its value after.

    A move between `available` and another state is shown on that other state (the one the
    manifest declares); the mutation detail names both ends.
    """

    name: str
    before: int
    after: int
    mutation: str
    detail: str


def quantity_line(action: Move | SetQuantity, arrow: str = "->") -> QuantityLine:
    name, before, after = level_change(action)
    if isinstance(action, SetQuantity):
        return QuantityLine(name, before, after, MUTATIONS[Kind.SET], f"compare {action.compare}")
    detail = f"{action.from_name} {arrow} {action.to_name}, {action.quantity}"
    return QuantityLine(name, before, after, MUTATIONS[Kind.MOVE], detail)


ACTIVATE_DETAIL = "inactive level, quantities kept"


# -- values ------------------------------------------------------------------------------------


def printable(text: str) -> str:
    """`text` with control, format and other invisible characters shown as escapes.

    A SKU or location name comes from the store; an escape sequence or a right-to-left override
    in it must not reach a terminal or hide inside a review.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def display_width(text: str) -> int:
    """Terminal columns `text` takes: wide East Asian characters count 2, combining marks 0."""
    if text.isascii():
        return len(text)
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def attribute_value(name: str, value: Any) -> str:
    """An attribute's JSON-ready value as a reviewer reads it.

    Costs are decimals (shown bare: ``8.40``), weights ``1.5 KILOGRAMS``; strings are quoted so
    that ``""`` and ``null`` stay distinguishable, as in Terraform.
    """
    if value is None:
        return "null"
    if name == "cost" and isinstance(value, str):
        return printable(value)
    if (
        name == "weight"
        and isinstance(value, dict)
        and set(value) == {"value", "unit"}
        and all(isinstance(v, str) for v in value.values())
    ):
        return printable(f"{value['value']} {value['unit']}")
    return printable(json.dumps(value, ensure_ascii=False, sort_keys=True))


def filter_arguments(filters: Filters) -> str:
    """The filters as the command-line options that made them (empty when none)."""
    parts = [
        *(f"--sku {shlex.quote(glob)}" for glob in filters.skus),
        *(f"--exclude-sku {shlex.quote(glob)}" for glob in filters.exclude_skus),
        *(f"--location {shlex.quote(glob)}" for glob in filters.locations),
    ]
    return printable(" ".join(parts))


def short_commit(commit: str) -> str:
    return commit[:7]


def warning_location(file: str | None, line: int | None) -> str:
    if not file:
        return ""
    return f"{file}:{line}" if line else file


# -- usage and money phrases -------------------------------------------------------------------


def usage_phrase(usage: Mapping[str, Any], verb: str) -> str:
    """``Read the store: 3 GraphQL calls, 379 requested / 113 actual cost points, no throttle
    waits.`` (from `Usage.as_json()`)."""
    waited = float(usage.get("waitedSeconds", 0) or 0)
    throttled = int(usage.get("throttled", 0) or 0)
    if waited or throttled:
        waits = f"waited {waited:,.1f} s for the cost bucket (throttled {throttled}x)"
    else:
        waits = "no throttle waits"
    return (
        f"{verb}: {usage.get('calls', 0):,} GraphQL calls, "
        f"{usage.get('requestedCost', 0):,} requested / {usage.get('actualCost', 0):,} actual "
        f"cost points, {waits}."
    )


def money_amount(line: MoneyLine, currency: Currency) -> str:
    """A line's value as a reviewer reads it: signed for value that changes hands, plain for
    units set aside or released (still owned)."""
    if line.value is None:
        return "not valued"
    if line.effect in ("set_aside", "released"):
        return currency.format(abs(line.value))
    return currency.format(line.value, signed=True)


def money_units(line: MoneyLine, *, word: bool = True) -> str:
    """``12 units``, ``12 units; 3 of them without a unit cost`` (``word=False``: ``12; ...``)."""
    count = abs(line.units)
    units = f"{count:,} unit{'s' if count != 1 else ''}" if word else f"{count:,}"
    if line.unvalued_units == abs(line.units):
        return f"{units}, no unit cost"
    if line.unvalued_units:
        return f"{units}; {line.unvalued_units:,} of them without a unit cost"
    return units
