"""The plan as a terminal reads it: Terraform's layout, one block per item and location.

    Store:        shop.myshopify.com
    API version:  2026-10
    Plan:         b013eea4f41b59fc

      # TSHIRT-RED-M (gid://shopify/InventoryItem/43729031)
      ~ East Warehouse
          damaged    0 -> 2   inventoryMoveQuantities (available -> damaged, 2)
          available  3 -> 10  inventorySetQuantities (compare 1)

    Money at stake (USD, units x unit cost):
      damaged write-off: -$16.80 at East Warehouse (2 units)
      ...

    Plan: 0 items to update, 1 quantities to set, 1 moves, 0 activations, 0 deactivations.
    Read the store: 3 GraphQL calls, 379 requested / 113 actual cost points, no throttle waits.

Past `summary.SUMMARY_THRESHOLD` actions (unless ``full``) the per-item blocks give way to a
summary: changes per location and kind, the largest changes, and the money at stake.

Columns are aligned per item (quantity names, before -> after, and the mutation each line
becomes; level headers put their mutation in that column too), so one long location name
cannot push a whole 50,000-action plan to the right. Widths count terminal cells, not
characters, so wide (CJK) location names align.

Colour is plain ANSI SGR codes rather than rich: the output must be byte-for-byte predictable
(golden tests), never wrapped to a console width (wrapping breaks the columns), and cheap at
50,000 lines; and names from the store are printed as data, never parsed as markup.
"""

from __future__ import annotations

import os
from typing import Protocol

from reconciler.errors import Problem
from reconciler.plan.actions import MUTATIONS, Kind
from reconciler.plan.currency import Currency
from reconciler.plan.money import MoneySummary
from reconciler.plan.planfile import Plan

from ._common import (
    ACTIVATE_DETAIL,
    ItemChanges,
    attribute_value,
    display_width,
    filter_arguments,
    group_by_item,
    money_amount,
    money_units,
    printable,
    quantity_line,
    short_commit,
    usage_phrase,
    warning_location,
)
from .summary import (
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

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_COLORS = {"+": "\x1b[32m", "-": "\x1b[31m", "~": "\x1b[33m"}  # green, red, yellow

_LEGEND = {
    "+": "activate (start stocking the item at a location)",
    "~": "update in place",
    "-": "deactivate (stop stocking the item at a location)",
}

_INDENT = "  "  # item and block lines
_BODY = "      "  # attribute and quantity lines
_GAP = "  "  # between columns
_ACTIVATE = MUTATIONS[Kind.ACTIVATE]
_REACTIVATE = f"{_ACTIVATE} ({ACTIVATE_DETAIL})"
_DEACTIVATE = MUTATIONS[Kind.DEACTIVATE]


class _Stream(Protocol):
    def isatty(self) -> bool: ...


def use_color(stream: _Stream) -> bool:
    """Colour when `stream` is a terminal and NO_COLOR is unset or empty (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # closed or not a real stream
        return False


class _Paint:
    def __init__(self, color: bool) -> None:
        self.color = color

    def marker(self, marker: str) -> str:
        return f"{_COLORS[marker]}{marker}{_RESET}" if self.color else marker

    def bold(self, text: str) -> str:
        return f"{_BOLD}{text}{_RESET}" if self.color else text

    def warning(self, text: str) -> str:
        return f"{_BOLD}{_COLORS['~']}{text}{_RESET}" if self.color else text


def render_text(plan: Plan, *, color: bool = False, full: bool = False) -> str:
    """The plan as text, ending in the summary line and what reading the store cost (and a
    newline); summarised past `SUMMARY_THRESHOLD` actions unless `full`."""
    paint = _Paint(color)
    lines = _header(plan)
    short = summarised(plan, full)
    items = [] if short else group_by_item(plan.actions)
    if short:
        lines.extend(_summary_lines(plan))
    if items:
        used = {marker for item in items for marker in _markers(item)}
        lines.append("Actions are marked with these symbols:")
        lines.extend(f"{_INDENT}{paint.marker(m)} {_LEGEND[m]}" for m in "+~-" if m in used)
        lines.append("")
        lines.append("reconciler will perform the following actions:")
        for item in items:
            lines.append("")
            lines.extend(_item_lines(item, paint))
        lines.append("")
    money = money_of(plan)
    if money is not None and not money.empty:
        lines.extend(money_block(money, MONEY_LINES if short else None))
    shown = plan.warnings[:WARNINGS_IN_SUMMARY] if short else plan.warnings
    for warning in shown:
        lines.append(f"{paint.warning('Warning:')} {_warning_text(warning)}")
    if len(shown) < len(plan.warnings):
        lines.append(f"... and {len(plan.warnings) - len(shown):,} more warnings (--full).")
    if plan.warnings:
        lines.append("")
    lines.append(paint.bold(plan.summary_line()))
    if plan.usage is not None:
        read = plan.usage.get("read")
        lines.append(
            usage_phrase(plan.usage, f"Read the store through {read}" if read else "Read the store")
        )
    return "\n".join(lines) + "\n"


WARNINGS_IN_SUMMARY = 20


def _summary_lines(plan: Plan) -> list[str]:
    """Changes per location and kind, then the largest changes (a summarised plan)."""
    total = len(plan.actions)
    out = [
        f"This plan has {total:,} changes, more than {SUMMARY_THRESHOLD:,}: it is summarised. "
        "`--full` prints every change; the JSON plan (--out plan.json) always holds them all.",
        "",
        "Changes per location:",
    ]
    rows = per_location(plan)
    kinds = kinds_present(rows)
    headings = [_COLUMN[k] for k in kinds]
    cells = [[f"{row.counts[k]:,}" if row.counts[k] else "-" for k in kinds] for row in rows]
    names = [printable(row.name) for row in rows]
    name_w = max([display_width(n) for n in names] + [len("location")])
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(headings)]
    head = "location" + " " * (name_w - len("location"))
    out.append(
        _INDENT + head + "".join(f"{_GAP}{h:>{w}}" for h, w in zip(headings, widths, strict=True))
    )
    for name, row_cells in zip(names, cells, strict=True):
        pad = " " * (name_w - display_width(name))
        out.append(
            _INDENT
            + name
            + pad
            + "".join(f"{_GAP}{c:>{w}}" for c, w in zip(row_cells, widths, strict=True))
        )
    biggest = largest(plan)
    if biggest:
        currency = money_of_currency(plan)
        out += ["", f"Largest changes (of {total:,}):"]
        for change in biggest:
            target = change.action.target
            delta = change.after - change.before
            worth = ""
            if change.value is not None and currency is not None:
                worth = f", {currency.format(change.value)} at cost"
            out.append(
                f"{_INDENT}{printable(target.sku)} at {printable(target.location_name or '')}: "
                f"{change.name} {change.before} -> {change.after} ({delta:+,}{worth}) "
                f"{MUTATIONS[change.action.kind]}"
            )
    out.append("")
    return out


_COLUMN = {
    Kind.UPDATE_ITEM: "item updates",
    Kind.ACTIVATE: "activations",
    Kind.MOVE: "moves",
    Kind.SET: "sets",
    Kind.DEACTIVATE: "deactivations",
}


def money_of_currency(plan: Plan) -> Currency | None:
    return None if plan.money is None else Currency(plan.money.currency)


def money_block(money: MoneySummary, limit: int | None, title: str = "Money at stake") -> list[str]:
    """The money at stake: one sentence per location, effect and reason, then the totals and
    the items that could not be valued (also the apply report's, with another title)."""
    currency = money.currency
    out = [f"{title} ({currency.code}, units x unit cost):"]
    shown, merged = money_lines(money, limit)
    for line in shown:
        out.append(
            f"{_INDENT}{line.label}: {money_amount(line, currency)} at "
            f"{printable(line.location)} ({money_units(line)})"
        )
    if merged:
        out.append(f"{_INDENT}(per location: --full, or the JSON plan)")
    totals = ", ".join(
        f"{label} {currency.format(value, signed=label == 'on-hand value')}"
        for label, value in totals_phrase(money)
    )
    out.append(f"{_INDENT}Total: {totals}.")
    if money.unvalued:
        count = len(money.unvalued)
        out.append(
            f"{_INDENT}Not valued, {count:,} item{'s' if count != 1 else ''} without a unit "
            f"cost: {printable(unvalued_names(money))}."
        )
    out.append("")
    return out


def _header(plan: Plan) -> list[str]:
    fields = [
        ("Store", printable(plan.store)),
        ("API version", printable(plan.api_version)),
        ("Plan", plan.plan_id),
    ]
    if plan.git is not None:
        dirty = " (the manifests have uncommitted changes)" if plan.git.dirty else ""
        fields.append(("Commit", short_commit(plan.git.commit) + dirty))
    filters = filter_arguments(plan.filters)
    if filters:
        fields.append(("Filters", f"{filters} (only part of the manifests was planned)"))
    width = max(len(name) for name, _ in fields) + 1
    lines = [f"{name + ':':<{width}}  {value}" for name, value in fields]
    lines.append("")
    return lines


def _markers(item: ItemChanges) -> set[str]:
    markers = {level.marker for level in item.levels}
    if item.updates:
        markers.add("~")
    return markers


def _item_lines(item: ItemChanges, paint: _Paint) -> list[str]:
    """One item: its `#` line, the attribute block, then one block per level.

    The quantity lines of all the item's levels share columns (name, before -> after, and the
    mutation), and the level headers put their mutation in the same column.
    """
    out = [_INDENT + paint.bold(f"# {printable(item.sku)} ({printable(item.item_id)})")]
    if item.updates:
        out.extend(_attribute_lines(item, paint))

    blocks: list[tuple[str, str, str, list[tuple[str, str, str, str]]]] = []
    name_w = before_w = after_w = header_w = 0
    for level in item.levels:
        label = printable(level.location_name)
        mutation = ""
        if level.activation is not None:
            mutation = _REACTIVATE if level.activation.reactivates else _ACTIVATE
        elif level.deactivation is not None:
            mutation = _DEACTIVATE
        if mutation:
            header_w = max(header_w, display_width(label))
        rows = []
        for action in level.quantity_actions:
            line = quantity_line(action)
            before, after = str(line.before), str(line.after)
            name_w = max(name_w, len(line.name))
            before_w = max(before_w, len(before))
            after_w = max(after_w, len(after))
            rows.append((line.name, before, after, f"{line.mutation} ({line.detail})"))
        blocks.append((level.marker, label, mutation, rows))

    row_w = len(_BODY) + name_w + len(_GAP) + before_w + 4 + after_w if name_w else 0
    column = max(row_w, len(_INDENT) + 2 + header_w if header_w else 0) + len(_GAP)
    for marker, label, mutation, rows in blocks:
        start = f"{_INDENT}{paint.marker(marker)} {label}"
        if mutation:
            pad = column - (len(_INDENT) + 2 + display_width(label))
            start = f"{start}{' ' * pad}{mutation}"
        out.append(start)
        for name, before, after, what in rows:
            out.append(
                f"{_BODY}{name:<{name_w}}{_GAP}{before:>{before_w}} -> {after:<{after_w}}"
                f"{' ' * (column - row_w)}{what}"
            )
    return out


def _attribute_lines(item: ItemChanges, paint: _Paint) -> list[str]:
    """The `~ item` block. Its lines carry no mutation of their own, so the block's mutation
    follows its label, as a deactivation's does."""
    changes = [c for update in item.updates for c in update.changes]
    field_w = max((len(c.field) for c in changes), default=0)
    out = [f"{_INDENT}{paint.marker('~')} item{_GAP}{MUTATIONS[Kind.UPDATE_ITEM]}"]
    for change in changes:
        before = attribute_value(change.field, change.before)
        after = attribute_value(change.field, change.after)
        out.append(f"{_BODY}{change.field:<{field_w}}{_GAP}{before} -> {after}")
    return out


def _warning_text(warning: Problem) -> str:
    where = warning_location(warning.file, warning.line)
    message = printable(warning.message)
    return f"{printable(where)}: {message}" if where else message
