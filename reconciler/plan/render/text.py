"""The plan as a terminal reads it: Terraform's layout, one block per item and location.

    Store:        shop.myshopify.com
    API version:  2026-10
    Plan:         b013eea4f41b59fc

      # TSHIRT-RED-M (gid://shopify/InventoryItem/43729031)
      ~ East Warehouse
          damaged    0 -> 2   inventoryMoveQuantities (available -> damaged, 2)
          available  3 -> 10  inventorySetQuantities (compare 1)

    Plan: 0 items to update, 1 quantities to set, 1 moves, 0 activations, 0 deactivations.

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
from reconciler.plan.planfile import Plan

from ._common import (
    ACTIVATE_DETAIL,
    ItemChanges,
    attribute_value,
    display_width,
    filter_arguments,
    group_by_item,
    printable,
    quantity_line,
    short_commit,
    warning_location,
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


def render_text(plan: Plan, *, color: bool = False) -> str:
    """The plan as text, ending in the summary line (and a newline)."""
    paint = _Paint(color)
    lines = _header(plan)
    items = group_by_item(plan.actions)
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
    for warning in plan.warnings:
        lines.append(f"{paint.warning('Warning:')} {_warning_text(warning)}")
    if plan.warnings:
        lines.append("")
    lines.append(paint.bold(plan.summary_line()))
    return "\n".join(lines) + "\n"


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
