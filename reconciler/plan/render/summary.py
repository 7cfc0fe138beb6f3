"""What a large plan's summary shows, shared by the text and Markdown renderers.

Past `SUMMARY_THRESHOLD` actions nobody reads every line: text and Markdown show the changes
per location and kind, the largest changes, and the money at stake, and say that ``--full``
prints everything (the JSON plan always holds every action). Each figure here is computed in
one pass over the actions, without regrouping them per item, so summarising a 1,000,000-action
plan costs about as much as counting it.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from reconciler.plan.actions import PHASES, Kind, Move, SetQuantity
from reconciler.plan.guardrails import level_change
from reconciler.plan.money import MoneyLine, MoneySummary, summarise
from reconciler.plan.planfile import Plan

SUMMARY_THRESHOLD = 1_000  # actions; above this, text and Markdown summarise unless --full
LARGEST = 10  # largest changes shown
MONEY_LINES = 30  # money lines shown in a summary (all are in the JSON plan)
NAMED = 10  # unvalued items named before "and N more"
ITEMS_ROW = "(item attributes)"


def summarised(plan: Plan, full: bool) -> bool:
    return not full and len(plan.actions) > SUMMARY_THRESHOLD


@dataclass(frozen=True, slots=True)
class LocationCounts:
    name: str  # ITEMS_ROW for item updates
    counts: dict[Kind, int]


def per_location(plan: Plan) -> list[LocationCounts]:
    """Actions per location and kind, by location name; item updates in their own row."""
    rows: dict[tuple[str, str], dict[Kind, int]] = {}
    for action in plan.actions:
        target = action.target
        key = (target.location_name or "", target.location_id or "")
        counts = rows.get(key)
        if counts is None:
            counts = rows[key] = dict.fromkeys(PHASES, 0)
        counts[action.kind] += 1
    items = rows.pop(("", ""), None)
    out = [LocationCounts(name, counts) for (name, _), counts in sorted(rows.items())]
    if items is not None:
        out.insert(0, LocationCounts(ITEMS_ROW, items))
    return out


@dataclass(frozen=True, slots=True)
class Largest:
    action: Move | SetQuantity
    name: str
    before: int
    after: int
    value: Decimal | None  # units x unit cost, when the item has one


def largest(plan: Plan, count: int = LARGEST) -> list[Largest]:
    """The `count` quantity changes worth most (by value at cost, then by units), in one pass
    that only multiplies (no summary, no regrouping)."""
    costs = plan.money.unit_costs if plan.money is not None else {}
    zero = Decimal(0)

    def ranked() -> Iterator[tuple[Decimal, int, int]]:
        for index, action in enumerate(plan.actions):
            if isinstance(action, SetQuantity):
                moved, units = abs(action.after - action.compare), abs(action.after - action.live)
            elif isinstance(action, Move):
                moved = units = action.quantity
            else:
                continue
            cost = costs.get(action.target.item_id)
            yield (moved * cost if cost is not None else zero, units, -index)

    out = []
    for value, _, negative_index in heapq.nlargest(count, ranked()):
        action = plan.actions[-negative_index]
        assert isinstance(action, Move | SetQuantity)
        name, before, after = level_change(action)
        known = value if costs.get(action.target.item_id) is not None else None
        out.append(Largest(action, name, before, after, known))
    return out


def money_lines(summary: MoneySummary, limit: int | None) -> tuple[list[MoneyLine], bool]:
    """The lines to show, and whether they are totals over locations.

    All of them when they are at most `limit` (or no limit); else one line per effect and
    reason summed over every location (``at 40 locations``), so a write-off is never hidden
    behind larger additions; past `limit` even then, the largest of those.
    """
    lines = list(summary.lines)
    if limit is None or len(lines) <= limit:
        return lines, False
    merged: dict[tuple[str, str | None, str], list[MoneyLine]] = {}
    for line in lines:
        merged.setdefault((line.effect, line.state, line.reason), []).append(line)
    totals = []
    for group in merged.values():
        values = [line.value for line in group if line.value is not None]
        first = group[0]
        totals.append(
            MoneyLine(
                "",
                first.location if len(group) == 1 else f"{len(group):,} locations",
                first.effect,
                first.state,
                first.reason,
                sum(line.units for line in group),
                sum(line.unvalued_units for line in group),
                sum(values, Decimal(0)) if values else None,
            )
        )
    if len(totals) > limit:
        keep = set(
            heapq.nlargest(
                limit, range(len(totals)), key=lambda i: abs(totals[i].value or Decimal(0))
            )
        )
        totals = [line for i, line in enumerate(totals) if i in keep]
    return totals, True


def unvalued_names(summary: MoneySummary) -> str:
    """``BEANIE-ORG (4 units), GLOVES-WOOL-M (6 units) and 3 more``."""
    named = [f"{u.sku or u.item_id} ({u.units:,} units)" for u in summary.unvalued[:NAMED]]
    more = len(summary.unvalued) - len(named)
    return ", ".join(named) + (f" and {more:,} more" if more else "")


def money_of(plan: Plan) -> MoneySummary | None:
    return None if plan.money is None else summarise(plan.actions, plan.money)


def totals_phrase(summary: MoneySummary) -> list[tuple[str, Decimal]]:
    """The totals worth a line, in reading order: on-hand change and write-off always, the
    others when not zero."""
    totals = summary.totals
    out = [
        ("on-hand value", totals["on_hand"]),
        ("written off", totals["written_off"]),
    ]
    for name, label in (
        ("restored", "restored from damaged"),
        ("set_aside", "set aside"),
        ("released", "released"),
    ):
        if totals[name]:
            out.append((label, totals[name]))
    return out


def kinds_present(rows: Sequence[LocationCounts]) -> list[Kind]:
    return [kind for kind in PHASES if any(row.counts[kind] for row in rows)]
