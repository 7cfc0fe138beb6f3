"""The bulk export's fast paths: an item's levels and HS codes written straight from table rows.

Levels are most of any inventory export (ten per item in a typical store). When an item's
``inventoryLevels`` (or ``countryHarmonizedSystemCodes``) selects only plain fields, the
children of a whole page of items are read in one SQL query, and each line is written from
a template compiled once from the selection: the fixed JSON text between the values, and a
function per value. No dict is built and no encoder walks one per line. ``duplicateSkuCount``
is likewise counted once per page. ``Executor(fast=False)`` turns all of this off; tests hold
both paths to byte-identical output.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from . import ids
from .bulk_query import LEAF, OBJECT, TYPENAME, ConnectionPlan, FieldPlan
from .context import RequestContext
from .nodes import DISPLAY_NAMES, InventoryItem
from .state import LEVEL_COLS, ON_HAND_COMPONENTS, STORED_NAMES, Location

Row = tuple[Any, ...]
_Value = Callable[[Row, Location], str]  # one value's JSON text
_Part = str | _Value
_N = len(STORED_NAMES)
_INDEX = {name: i for i, name in enumerate(STORED_NAMES)}
_ON_HAND = tuple(3 + _INDEX[name] for name in ON_HAND_COMPONENTS)
_CREATED, _UPDATED = 3 + 2 * _N, 4 + 2 * _N
_PAGING = frozenset({"first", "last", "after", "before"})
# LEVEL_COLS with the timestamps left as NULL: same positions, no string made per row
_COLS_WITHOUT_TIMES = (
    "item_id, location_id, is_active, "
    + ", ".join(STORED_NAMES)
    + ", "
    + ", ".join(["NULL"] * (_N + 2))
)
_FAST_LEVEL_ARGS = _PAGING | {"includeInactive", "reverse"}

# What JSONEncoder(ensure_ascii=False) writes for a str, so templates match the generic path.
string: Callable[[str], str] = json.encoder.encode_basestring
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def value_text(value: Any) -> str:
    """A JSON value as the exporter's encoder writes it."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    if type(value) is str:
        return str(string(value))
    return _encode(value)


def _object(fields: Sequence[tuple[str, list[_Part]]], close: bool = True) -> list[_Part] | None:
    """``{"key":value,...}`` from each field's parts; None when a key repeats (the generic path
    keeps one value per key; a template would write it twice)."""
    keys = [key for key, _ in fields]
    if len(set(keys)) != len(keys):
        return None
    parts: list[_Part] = ["{"]
    for position, (key, value) in enumerate(fields):
        parts.append(("," if position else "") + string(key) + ":")
        parts.extend(value)
    if close:
        parts.append("}")
    return parts


def _compact(parts: list[_Part]) -> tuple[_Part, ...]:
    """Adjacent fixed texts merged into one."""
    out: list[_Part] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        else:
            out.append(part)
    return tuple(out)


def _render(parts: tuple[_Part, ...], row: Row, location: Location) -> str:
    return "".join(p if type(p) is str else p(row, location) for p in parts)  # type: ignore[operator]


def _plain(field: FieldPlan) -> bool:
    return field.only_for is None and not field.args and not field.list_depth


# -- levels ------------------------------------------------------------------------------------


def _quantity_value(name: str) -> _Value:
    if name == "on_hand":
        parts = itemgetter(*_ON_HAND)
        return lambda row, loc: int.__repr__(sum(parts(row)))
    column = 3 + _INDEX[name]
    return lambda row, loc: int.__repr__(int(row[column]))


def _quantity_parts(field: FieldPlan, name: str) -> list[_Part] | None:
    if not _plain(field):
        return None
    if field.kind == TYPENAME:
        return ['"InventoryQuantity"']
    if field.kind != LEAF:
        return None
    if field.name == "name":
        return [string(name)]
    if field.name == "quantity":
        return [_quantity_value(name)]
    if field.name == "id":
        return [lambda row, loc: string(ids.quantity_gid(loc.level_base, row[0], name))]
    if field.name == "updatedAt":
        if name == "on_hand":
            return ["null"]
        column = 3 + _N + _INDEX[name]
        return [lambda row, loc: value_text(row[column])]
    return None


def _quantities_parts(field: FieldPlan) -> list[_Part] | None:
    names = field.args.get("names")
    if isinstance(names, str):
        names = [names]
    if (
        set(field.args) != {"names"}
        or not isinstance(names, list)
        or field.list_depth != 1
        or field.sub is None
        or field.only_for is not None
    ):
        return None
    parts: list[_Part] = ["["]
    for name in (str(n) for n in names if n in DISPLAY_NAMES):
        fields = []
        for sub in field.sub.fields:
            value = _quantity_parts(sub, name)
            if value is None:
                return None
            fields.append((sub.key, value))
        entry = _object(fields)
        if entry is None:
            return None
        parts.extend([","] if len(parts) > 1 else [])
        parts.extend(entry)
    parts.append("]")
    return parts


def _location_parts(field: FieldPlan) -> list[_Part] | None:
    if not _plain(field) or field.sub is None:
        return None
    fields: list[tuple[str, list[_Part]]] = []
    for sub in field.sub.fields:
        if not _plain(sub):
            return None
        if sub.kind == TYPENAME:
            fields.append((sub.key, ['"Location"']))
        elif sub.kind == LEAF and sub.name == "id":
            fields.append((sub.key, [lambda row, loc: string(ids.gid("Location", loc.id))]))
        elif sub.kind == LEAF and sub.name == "name":
            fields.append((sub.key, [lambda row, loc: string(loc.name)]))
        else:
            return None
    return _object(fields)


def _level_parts(field: FieldPlan) -> list[_Part] | None:
    if field.only_for is not None:
        return None
    if field.kind == TYPENAME:
        return ['"InventoryLevel"']
    if field.kind == OBJECT and field.name == "location":
        return _location_parts(field)
    if field.kind == OBJECT and field.name == "quantities":
        return _quantities_parts(field)
    if field.kind != LEAF or not _plain(field):
        return None
    if field.name == "id":
        return [lambda row, loc: string(ids.level_gid(loc.level_base, row[0]))]
    if field.name == "isActive":
        return [lambda row, loc: "true" if row[2] else "false"]
    if field.name == "createdAt":
        return [lambda row, loc: value_text(row[_CREATED])]
    if field.name == "updatedAt":
        return [lambda row, loc: value_text(row[_UPDATED])]
    return None


class FastChildren:
    """A nested connection of InventoryItem written from rows: `rows` for a page of items,
    then `lines` per item (each line's text without its closing ``,"__parentId":...}``)."""

    def rows(self, ctx: RequestContext, item_ids: list[int]) -> dict[int, list[Row]]:
        raise NotImplementedError

    def lines(self, ctx: RequestContext, rows: list[Row]) -> list[str]:
        raise NotImplementedError


def _by_item(found: list[Row]) -> dict[int, list[Row]]:
    out: dict[int, list[Row]] = {}
    for row in found:
        out.setdefault(row[0], []).append(row)
    return out


def _selects_times(plan: ConnectionPlan) -> bool:
    """Whether a level selection reads a timestamp column (its own or a quantity's)."""
    for field in plan.node.fields:
        if field.name in ("createdAt", "updatedAt"):
            return True
        subs = field.sub.fields if field.name == "quantities" and field.sub is not None else []
        if any(sub.name == "updatedAt" for sub in subs):
            return True
    return False


class FastLevels(FastChildren):
    """``inventoryLevels`` with a plain selection."""

    def __init__(self, template: tuple[_Part, ...], include_inactive: bool, times: bool) -> None:
        self.template = template
        self.include_inactive = include_inactive
        self.columns = LEVEL_COLS if times else _COLS_WITHOUT_TIMES

    @staticmethod
    def for_plan(plan: ConnectionPlan) -> FastLevels | None:
        if (
            plan.name != "inventoryLevels"
            or not set(plan.args) <= _FAST_LEVEL_ARGS
            or plan.args.get("reverse")
        ):
            return None
        fields = []
        for field_plan in plan.node.fields:
            parts = _level_parts(field_plan)
            if parts is None:
                return None
            fields.append((field_plan.key, parts))
        template = _object(fields, close=False)
        if template is None:
            return None
        include = bool(plan.args.get("includeInactive"))
        return FastLevels(_compact(template), include, _selects_times(plan))

    def rows(self, ctx: RequestContext, item_ids: list[int]) -> dict[int, list[Row]]:
        """Visible levels of the items, in the connection's order (as stocked)."""
        include = self.include_inactive and ctx.rules.inactive_levels
        marks = ", ".join("?" * len(item_ids))
        sql = f"SELECT {self.columns} FROM levels WHERE item_id IN ({marks})"  # noqa: S608
        if not include:
            sql += " AND is_active = 1"
        with ctx.state.reading() as conn:
            return _by_item(
                conn.execute(sql + " ORDER BY item_id, stocked, location_id", item_ids).fetchall()
            )

    def lines(self, ctx: RequestContext, rows: list[Row]) -> list[str]:
        locations = ctx.locations()
        template = self.template
        out = []
        for row in rows:
            location = locations.get(row[1])
            if location is not None:
                out.append(_render(template, row, location))
        return out


def _column(column: int) -> _Value:
    return lambda row, loc: value_text(row[column])


class FastCodes(FastChildren):
    """``countryHarmonizedSystemCodes`` selecting ``countryCode`` / ``harmonizedSystemCode``."""

    _COLUMNS = {"countryCode": 1, "harmonizedSystemCode": 2}

    def __init__(self, template: tuple[_Part, ...]) -> None:
        self.template = template

    @staticmethod
    def for_plan(plan: ConnectionPlan) -> FastCodes | None:
        if (
            plan.name != "countryHarmonizedSystemCodes"
            or not set(plan.args) <= _PAGING | {"reverse"}
            or plan.args.get("reverse")
        ):
            return None
        fields: list[tuple[str, list[_Part]]] = []
        for field_plan in plan.node.fields:
            column = FastCodes._COLUMNS.get(field_plan.name)
            if field_plan.kind != LEAF or not _plain(field_plan) or column is None:
                return None
            fields.append((field_plan.key, [_column(column)]))
        template = _object(fields, close=False)
        return None if template is None else FastCodes(_compact(template))

    def rows(self, ctx: RequestContext, item_ids: list[int]) -> dict[int, list[Row]]:
        marks = ", ".join("?" * len(item_ids))
        sql = (
            "SELECT item_id, country_code, hs_code FROM country_hs_codes "  # noqa: S608
            f"WHERE item_id IN ({marks}) ORDER BY item_id, position"
        )
        with ctx.state.reading() as conn:
            return _by_item(conn.execute(sql, item_ids).fetchall())

    def lines(self, ctx: RequestContext, rows: list[Row]) -> list[str]:
        nowhere = None
        return [_render(self.template, row, nowhere) for row in rows]  # type: ignore[arg-type]


def for_plan(plan: ConnectionPlan) -> FastChildren | None:
    return FastLevels.for_plan(plan) or FastCodes.for_plan(plan)


def duplicate_counts(ctx: RequestContext, items: Sequence[InventoryItem]) -> dict[int, int]:
    """``duplicateSkuCount`` of a page of items, in one query (other items with the SKU)."""
    skus = sorted({i.item.sku for i in items if i.item.sku})
    counts: dict[str, int] = {}
    if skus:
        marks = ", ".join("?" * len(skus))
        sql = f"SELECT sku, COUNT(*) FROM items WHERE sku IN ({marks}) GROUP BY sku"  # noqa: S608
        with ctx.state.reading() as conn:
            counts = dict(conn.execute(sql, skus).fetchall())
    return {i.item.id: counts[i.item.sku] - 1 if i.item.sku else 0 for i in items}
