"""The plan as a pull-request comment (GitHub-flavoured Markdown).

Summary first: the summary line, where the plan applies, a count per kind of change, and the
money at stake (the 30 largest lines; all are in the JSON plan). Then the details, collapsed: item attribute updates in their own section, then one section per
location with one ``<details>`` per SKU, whose one-line summary already says what changes
(``available 3 → 10``) and whose table says how (the mutation and its compare-and-set value).
Warnings last. A plan of more than `SUMMARY_THRESHOLD` actions is summarised instead of
detailed (unless ``full``): changes per location and kind, and the largest changes.

A comment never exceeds `MAX_CHARS` (GitHub refuses comments over 65,536 characters, see
runatlantis/atlantis#55; the margin covers the CI's own wrapping). When everything does not fit,
the details stop at a section boundary, the warnings keep at most half of the room left, and a
closing note says how many changes are not shown and where the full plan is.

Text from manifests or the store is entity-escaped, so a ``|`` cannot break a table and ``<``
cannot open a tag; SKUs, location names, values and file names are also set in ``<code>``, where
GitHub neither mentions ``@team`` nor links ``#12``.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterable, Iterator

from reconciler.errors import Problem
from reconciler.model import Source
from reconciler.plan.actions import MUTATIONS, PHASES, Kind, Move, SetQuantity
from reconciler.plan.currency import Currency
from reconciler.plan.money import MoneySummary
from reconciler.plan.planfile import Plan

from ._common import (
    ACTIVATE_DETAIL,
    ItemChanges,
    LevelChanges,
    attribute_value,
    filter_arguments,
    group_by_item,
    money_amount,
    money_units,
    printable,
    quantity_line,
    short_commit,
    warning_location,
)
from .summary import (
    ITEMS_ROW,
    MONEY_LINES,
    SUMMARY_THRESHOLD,
    kinds_present,
    largest,
    money_lines,
    money_of,
    per_location,
    summarised,
    totals_phrase,
    unvalued_names,
)

MAX_CHARS = 60_000
ARROW = "→"

_KIND_LABELS = {
    Kind.UPDATE_ITEM: "items to update",
    Kind.ACTIVATE: "activations",
    Kind.MOVE: "moves",
    Kind.SET: "quantities to set",
    Kind.DEACTIVATE: "deactivations",
}

_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "|": "&#124;",
        "`": "&#96;",
        "\\": "&#92;",
        "*": "&#42;",
        "_": "&#95;",
        "~": "&#126;",
        "[": "&#91;",
        "]": "&#93;",
        "$": "&#36;",
    }
)


def escape(text: str) -> str:
    """`text` safe anywhere in a comment: in a table cell, in HTML, in emphasis."""
    return printable(text).translate(_ESCAPES)


def code(text: str) -> str:
    return f"<code>{escape(text)}</code>"


def render_markdown(plan: Plan, *, max_chars: int = MAX_CHARS, full: bool = False) -> str:
    """The plan as a PR comment of at most `max_chars` characters (ending in a newline);
    summarised past `SUMMARY_THRESHOLD` actions unless `full`."""
    head = _head(plan)
    if summarised(plan, full):
        return _summarised(plan, head, max_chars)
    sections = _Sections(_units(plan))
    warnings = _warnings(plan.warnings) if plan.warnings else ""
    tail = [warnings] if warnings else []

    # Everything, when it fits.
    shown, count, complete = sections.fill(max_chars - _length([head, *tail]))
    if complete:
        return "\n".join([head, *shown, *tail])

    # It does not: keep room for the closing note, give the warnings at most half of what is
    # left, and fill the rest with whole sections.
    total = len(plan.actions)
    room = max_chars - _length([head, _truncation_note(total, total, max_chars)]) - 1
    if plan.warnings:
        warnings = _warnings(plan.warnings, budget=room // 2)
        tail = [warnings]
        room -= len(warnings) + 1
    shown, count, _ = sections.fill(room)
    if count < total:
        tail.append(_truncation_note(total - count, total, max_chars))
    out = "\n".join([head, *shown, *tail])
    if len(out) > max_chars:  # only a pathological header (thousands of filters) gets here
        note = _truncation_note(total, total, max_chars)
        cut = out.rfind("\n", 0, max_chars - len(note) - 1)
        out = out[: max(cut, 0) + 1] + "\n" + note
    return out


def _length(parts: list[str]) -> int:
    """Length of `parts` joined by newlines."""
    return sum(map(len, parts)) + len(parts) - 1


class _Sections:
    """The detail sections, rendered only as far as they are asked for (a 50,000-action plan
    shows a few hundred)."""

    def __init__(self, units: Iterator[tuple[str, int]]) -> None:
        self._units = units
        self._made: list[tuple[str, int]] = []

    def fill(self, room: int) -> tuple[list[str], int, bool]:
        """The leading sections that fit in `room` characters (each with its newline), how
        many actions they show, and whether they are all of them."""
        shown: list[str] = []
        count = used = 0
        for index in itertools.count():
            if index == len(self._made):
                unit = next(self._units, None)
                if unit is None:
                    return shown, count, True
                self._made.append(unit)
            text, actions = self._made[index]
            if used + len(text) + 1 > room:
                return shown, count, False
            shown.append(text)
            used += len(text) + 1
            count += actions
        raise AssertionError("unreachable")  # pragma: no cover


# -- summary -----------------------------------------------------------------------------------


def _head(plan: Plan) -> str:
    facts = [
        f"Store {code(plan.store)}",
        f"Admin API {code(plan.api_version)}",
        f"plan {code(plan.plan_id)}",
    ]
    if plan.git is not None:
        dirty = " (the manifests have uncommitted changes)" if plan.git.dirty else ""
        facts.append(f"commit {code(short_commit(plan.git.commit))}{dirty}")
    lines = [f"**{plan.summary_line()}**", "", " · ".join(facts), ""]
    filters = filter_arguments(plan.filters)
    if filters:
        if len(filters) > 1000:
            filters = filters[:1000] + "…"
        lines += [f"Filtered with {code(filters)}: only part of the manifests was planned.", ""]
    if not plan.empty:
        lines += ["| change | count | mutation |", "|:--|--:|:--|"]
        lines += [
            f"| {_KIND_LABELS[kind]} | {plan.count(kind)} | `{MUTATIONS[kind]}` |"
            for kind in PHASES
        ]
        lines.append("")
    money = money_of(plan)
    if money is not None and not money.empty:
        lines.append(_money(money))
    return "\n".join(lines)


def _money(money: MoneySummary) -> str:
    currency = money.currency
    lines = [
        f"**Money at stake** ({currency.code}, units × unit cost)",
        "",
        "| location | change | units | value |",
        "|:--|:--|--:|--:|",
    ]
    shown, merged = money_lines(money, MONEY_LINES)
    for line in shown:
        where = escape(line.location) if merged and not line.location_id else code(line.location)
        lines.append(
            f"| {where} | {escape(line.label)} | {escape(money_units(line, word=False))} "
            f"| {escape(money_amount(line, currency))} |"
        )
    lines.append("")
    if merged:
        lines += ["Summed over locations; per location in the JSON plan.", ""]
    totals = ", ".join(
        f"{label} {escape(currency.format(value, signed=label == 'on-hand value'))}"
        for label, value in totals_phrase(money)
    )
    lines += [f"Total: {totals}.", ""]
    if money.unvalued:
        count = len(money.unvalued)
        lines += [
            f"Not valued, {count:,} item{'s' if count != 1 else ''} without a unit cost: "
            f"{escape(unvalued_names(money))}.",
            "",
        ]
    return "\n".join(lines)


# -- a large plan, summarised --------------------------------------------------------------------


def _summarised(plan: Plan, head: str, max_chars: int) -> str:
    """Head, changes per location and kind, the largest changes, warnings, and a note saying
    where every change is. Tables stop at a row boundary to stay within `max_chars`."""
    total = len(plan.actions)
    note = (
        f"> **This plan has {total:,} changes**, more than {SUMMARY_THRESHOLD:,}, so this comment "
        "summarises them. Every change is in the JSON plan: the plan artifact of this CI run, or "
        "`reconciler plan --out plan.json`; `--full` lists them in this comment as far as "
        f"{max_chars:,} characters allow.\n"
    )
    room = max_chars - len(head) - len(note) - 2
    warnings = _warnings(plan.warnings, budget=room // 4) if plan.warnings else ""
    room -= len(warnings) + 1
    biggest = _largest_table(plan)
    if len(biggest) + 1 > room // 2:
        biggest = ""
    room -= len(biggest) + 1
    parts = [head, _location_table(plan, room), biggest, warnings, note]
    return "\n".join(part for part in parts if part)


def _location_table(plan: Plan, budget: int) -> str:
    rows = per_location(plan)
    kinds = kinds_present(rows)
    lines = [
        "#### Changes per location",
        "",
        "| location | " + " | ".join(_KIND_LABELS[k] for k in kinds) + " |",
        "|:--|" + "--:|" * len(kinds),
    ]
    used = sum(len(line) + 1 for line in lines) + 100  # room for the "more locations" line
    shown = 0
    for row in rows:
        name = f"*{ITEMS_ROW[1:-1]}*" if row.name == ITEMS_ROW else code(row.name)
        cells = " | ".join(f"{row.counts[k]:,}" if row.counts[k] else "" for k in kinds)
        line = f"| {name} | {cells} |"
        if used + len(line) + 1 > budget:
            break
        lines.append(line)
        used += len(line) + 1
        shown += 1
    if shown < len(rows):
        lines += ["", f"… and {len(rows) - shown:,} more locations, in the JSON plan."]
    lines.append("")
    return "\n".join(lines)


def _largest_table(plan: Plan) -> str:
    biggest = largest(plan)
    if not biggest:
        return ""
    currency = None if plan.money is None else Currency(plan.money.currency)
    lines = [
        f"#### Largest changes (of {len(plan.actions):,})",
        "",
        "| SKU | location | quantity | before | after | value at cost |",
        "|:--|:--|:--|--:|--:|--:|",
    ]
    for change in biggest:
        target = change.action.target
        value = ""
        if change.value is not None and currency is not None:
            value = escape(currency.format(change.value))
        lines.append(
            f"| {code(target.sku)} | {code(target.location_name or '')} | {change.name} "
            f"| {change.before} | {change.after} | {value} |"
        )
    lines.append("")
    return "\n".join(lines)


# -- details -----------------------------------------------------------------------------------


def _units(plan: Plan) -> Iterator[tuple[str, int]]:
    """Collapsible sections in reading order, each with the number of actions it shows.

    A section heading travels with the first unit under it, so truncation never leaves a
    heading with nothing below it.
    """
    items = group_by_item(plan.actions)
    heading = "#### Item attributes\n\n"
    for item in items:
        if item.updates:
            yield heading + _attributes_unit(item), len(item.updates)
            heading = ""
    locations: dict[tuple[str, str], list[tuple[ItemChanges, LevelChanges]]] = {}
    for item in items:
        for level in item.levels:
            locations.setdefault((level.location_name, level.location_id), []).append((item, level))
    for (name, _), entries in sorted(locations.items()):
        heading = f"#### {code(name)}\n\n"
        for item, level in entries:
            yield heading + _level_unit(item, level), len(level.actions)
            heading = ""


def _details(summary: str, about: str, table: list[str]) -> str:
    return "\n".join(
        [f"<details><summary>{summary}</summary>", "", about, "", *table, "", "</details>", ""]
    )


def _attributes_unit(item: ItemChanges) -> str:
    changes = [c for update in item.updates for c in update.changes]
    summary = f"{code(item.sku)} · {', '.join(c.field for c in changes)}"
    about = " · ".join(
        [
            f"item {code(item.item_id)}",
            f"`{MUTATIONS[Kind.UPDATE_ITEM]}`",
            _declared_at(u.source for u in item.updates),
        ]
    )
    table = ["| attribute | before | after |", "|:--|:--|:--|"]
    table += [
        f"| {c.field} | {code(attribute_value(c.field, c.before))} "
        f"| {code(attribute_value(c.field, c.after))} |"
        for c in changes
    ]
    return _details(summary, about, table)


def _level_unit(item: ItemChanges, level: LevelChanges) -> str:
    lines = [quantity_line(a, ARROW) for a in level.quantity_actions]
    what: list[str] = []
    table = ["| quantity | before | after | mutation |", "|:--|--:|--:|:--|"]
    activation, deactivation = level.activation, level.deactivation
    if activation is not None:
        if activation.reactivates:
            what.append("reactivate")
            table.append(
                f"| *level* | inactive | active | `{MUTATIONS[Kind.ACTIVATE]}` "
                f"({ACTIVATE_DETAIL}) |"
            )
        else:
            what.append("activate")
            table.append(f"| *level* | not stocked | stocked | `{MUTATIONS[Kind.ACTIVATE]}` |")
    for line in lines:
        what.append(f"{line.name} {line.before} {ARROW} {line.after}")
        table.append(
            f"| {line.name} | {line.before} | {line.after} | `{line.mutation}` ({line.detail}) |"
        )
    if deactivation is not None:
        what.append("deactivate")
        table.append(f"| *level* | stocked | not stocked | `{MUTATIONS[Kind.DEACTIVATE]}` |")
    summary = f"{code(item.sku)} · {', '.join(what)}"
    about_parts = [f"item {code(item.item_id)}"]
    reasons = list(
        dict.fromkeys(a.reason for a in level.actions if isinstance(a, Move | SetQuantity))
    )
    if reasons:
        label = "reason" if len(reasons) == 1 else "reasons"
        about_parts.append(f"{label} {', '.join(map(code, reasons))}")
    about_parts.append(_declared_at(a.source for a in level.actions))
    about = " · ".join(about_parts)
    return _details(summary, about, table)


def _declared_at(sources: Iterable[Source]) -> str:
    """Where the manifests declare these changes: `file:line`, in file and line order."""
    unique = sorted(set(sources), key=lambda s: (s.file, s.line))
    return "declared at " + ", ".join(code(str(source)) for source in unique)


# -- warnings and the truncation note ----------------------------------------------------------


def _warnings(warnings: tuple[Problem, ...], budget: int | None = None) -> str:
    """The warnings section; with a `budget`, as many warnings as fit in it."""
    if budget is None:
        budget = sys.maxsize
    lines = ["#### Warnings", ""]
    used = sum(len(line) + 1 for line in lines) + 120  # room for the "not shown" line
    shown = 0
    for warning in warnings:
        where = warning_location(warning.file, warning.line)
        line = (
            f"- {code(where)}: {escape(warning.message)}"
            if where
            else f"- {escape(warning.message)}"
        )
        if used + len(line) + 1 > budget:
            break
        lines.append(line)
        used += len(line) + 1
        shown += 1
    if shown < len(warnings):
        lines.append(f"- … {len(warnings) - shown:,} more warnings are in the JSON plan.")
    lines.append("")
    return "\n".join(lines)


def _truncation_note(hidden: int, total: int, max_chars: int) -> str:
    return (
        f"> **{hidden:,} of {total:,} changes are not shown**: this comment stops at "
        f"{max_chars:,} characters. The full plan is the JSON plan: the plan artifact of this CI "
        "run, or `reconciler plan --out plan.json`.\n"
    )
