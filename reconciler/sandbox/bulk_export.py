"""The bulk export: a compiled query plan walked over the Admin API's adapters, as JSONL.

Page sizes are ignored and every node is exported; each node of a connection is one JSON
line, and each node of a nested connection carries ``"__parentId"`` and follows its parent.
Like Shopify's JSONL, ``/`` is written as ``\\/`` (clients must use a JSON parser). The plan
reads the same adapters the Admin API resolves, so a bulk line holds exactly what a normal
query would return; plain ``inventoryLevels`` selections take a fast path straight from the
level rows (a test holds both paths to the same output).
"""

# ruff: noqa: N802, N803 - names mirror Shopify's GraphQL fields and arguments

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from operator import itemgetter
from typing import IO, Any

from graphql import (
    FieldNode,
    GraphQLSchema,
)

from . import ids
from .bulk_query import (
    CONNECTION,
    LEAF,
    OBJECT,
    TYPENAME,
    ConnectionPlan,
    FieldPlan,
    ObjectPlan,
    QueryPlan,
)
from .context import RequestContext
from .nodes import DISPLAY_NAMES, InventoryItem
from .pagination import encode_cursor
from .state import LEVEL_COLS, ON_HAND_COMPONENTS, STORED_NAMES, Location

PAGE = 250
PROGRESS_EVERY = 20_000  # objects between objectCount updates while RUNNING
_FLUSH_EVERY = 2_000  # lines buffered before a write


# -- running ---------------------------------------------------------------------------------

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def _typename(source: Any) -> Any:
    if isinstance(source, dict):
        return source.get("__typename")
    return getattr(source, "graphql_type", None)


# -- the fast path for inventoryLevels ---------------------------------------------------------
#
# Levels are most of any inventory export (ten per item in a typical store). When an item's
# `inventoryLevels` selects only plain level fields, they are read for a whole page of items in
# one SQL query and written straight from the rows. `Executor(fast=False)` turns this off; a
# test holds both paths to the same output.

_Row = tuple[Any, ...]
_Getter = Callable[[_Row, Location], Any]
_N = len(STORED_NAMES)
_INDEX = {name: i for i, name in enumerate(STORED_NAMES)}
_ON_HAND = tuple(3 + _INDEX[name] for name in ON_HAND_COMPONENTS)
_CREATED, _UPDATED = 3 + 2 * _N, 4 + 2 * _N
_FAST_LEVEL_ARGS = frozenset({"first", "last", "after", "before", "includeInactive", "reverse"})


def _quantity_value(name: str) -> Callable[[_Row], int]:
    if name == "on_hand":
        parts = itemgetter(*_ON_HAND)
        return lambda row: sum(parts(row))
    column = 3 + _INDEX[name]
    return lambda row: int(row[column])


def _quantity_getter(field: FieldPlan, name: str) -> Callable[[_Row, Location], Any] | None:
    if field.only_for is not None or field.args or field.list_depth:
        return None
    if field.kind == TYPENAME:
        return lambda row, loc: "InventoryQuantity"
    if field.kind != LEAF:
        return None
    if field.name == "name":
        return lambda row, loc: name
    if field.name == "quantity":
        value = _quantity_value(name)
        return lambda row, loc: value(row)
    if field.name == "id":
        return lambda row, loc: ids.quantity_gid(loc.level_base, row[0], name)
    if field.name == "updatedAt":
        if name == "on_hand":
            return lambda row, loc: None
        column = 3 + _N + _INDEX[name]
        return lambda row, loc: row[column]
    return None


def _quantities_getter(field: FieldPlan) -> _Getter | None:
    names = field.args.get("names")
    if isinstance(names, str):
        names = [names]
    if (
        set(field.args) != {"names"}
        or not isinstance(names, list)
        or field.list_depth != 1
        or field.sub is None
    ):
        return None
    per_name: list[list[tuple[str, _Getter]]] = []
    for name in names:
        if name not in DISPLAY_NAMES:
            continue
        getters = [(f.key, _quantity_getter(f, str(name))) for f in field.sub.fields]
        if any(g is None for _, g in getters):
            return None
        per_name.append([(k, g) for k, g in getters if g is not None])
    return lambda row, loc: [{k: g(row, loc) for k, g in entry} for entry in per_name]


def _location_getter(field: FieldPlan) -> _Getter | None:
    if field.args or field.list_depth or field.sub is None:
        return None
    getters: list[tuple[str, _Getter]] = []
    for sub in field.sub.fields:
        if sub.only_for is not None or sub.args or sub.list_depth:
            return None
        if sub.kind == TYPENAME:
            getters.append((sub.key, lambda row, loc: "Location"))
        elif sub.kind == LEAF and sub.name == "id":
            getters.append((sub.key, lambda row, loc: ids.gid("Location", loc.id)))
        elif sub.kind == LEAF and sub.name == "name":
            getters.append((sub.key, lambda row, loc: loc.name))
        else:
            return None
    return lambda row, loc: {k: g(row, loc) for k, g in getters}


def _level_getter(field: FieldPlan) -> _Getter | None:
    if field.only_for is not None:
        return None
    if field.kind == TYPENAME:
        return lambda row, loc: "InventoryLevel"
    if field.kind == OBJECT and field.name == "location":
        return _location_getter(field)
    if field.kind == OBJECT and field.name == "quantities":
        return _quantities_getter(field)
    if field.kind != LEAF or field.args or field.list_depth:
        return None
    if field.name == "id":
        return lambda row, loc: ids.level_gid(loc.level_base, row[0])
    if field.name == "isActive":
        return lambda row, loc: bool(row[2])
    if field.name == "createdAt":
        return lambda row, loc: row[_CREATED]
    if field.name == "updatedAt":
        return lambda row, loc: row[_UPDATED]
    return None


class FastLevels:
    """Renders `inventoryLevels` nodes straight from level rows, for plain selections."""

    def __init__(self, getters: list[tuple[str, _Getter]], include_inactive: bool) -> None:
        self.getters = getters
        self.include_inactive = include_inactive

    @staticmethod
    def for_plan(plan: ConnectionPlan) -> FastLevels | None:
        if (
            plan.name != "inventoryLevels"
            or not set(plan.args) <= _FAST_LEVEL_ARGS
            or plan.args.get("reverse")
        ):
            return None
        getters: list[tuple[str, _Getter]] = []
        for field_plan in plan.node.fields:
            getter = _level_getter(field_plan)
            if getter is None:
                return None
            getters.append((field_plan.key, getter))
        return FastLevels(getters, bool(plan.args.get("includeInactive")))

    def rows(self, ctx: RequestContext, item_ids: list[int]) -> dict[int, list[_Row]]:
        """Visible levels of the items, in the connection's order (location id)."""
        include = self.include_inactive and ctx.rules.inactive_levels
        marks = ", ".join("?" * len(item_ids))
        sql = f"SELECT {LEVEL_COLS} FROM levels WHERE item_id IN ({marks})"  # noqa: S608
        if not include:
            sql += " AND is_active = 1"
        with ctx.state.reading() as conn:
            found = conn.execute(sql + " ORDER BY item_id, location_id", item_ids).fetchall()
        out: dict[int, list[_Row]] = {}
        for row in found:
            out.setdefault(row[0], []).append(row)
        return out

    def render(self, row: _Row, location: Location) -> dict[str, Any]:
        return {key: getter(row, location) for key, getter in self.getters}


class Cancelled(Exception):
    pass


class Failed(Exception):
    """The export stops as a failed Shopify operation does, keeping what it wrote."""

    def __init__(self, error_code: str) -> None:
        super().__init__(error_code)
        self.error_code = error_code


class Executor:
    """Walks a query plan over the adapters and writes one JSON line per node."""

    def __init__(
        self,
        out: IO[str],
        cancelled: threading.Event,
        progress: Callable[[int, int], None] | None = None,
        ctx: RequestContext | None = None,
        fast: bool = True,
        failure: tuple[int, str] | None = None,
    ) -> None:
        self.out = out
        self.failure = failure  # (objects written first, errorCode): a scripted failure
        self.cancelled = cancelled
        self.progress = progress
        self.ctx = ctx
        self.fast = fast and ctx is not None
        self._fast_plans: dict[int, FastLevels | None] = {}
        self.objects = 0
        self.roots = 0
        self._lines: list[str] = []
        self._next_progress = PROGRESS_EVERY

    def _emit(self, record: dict[str, Any]) -> None:
        if self.failure is not None and self.objects >= self.failure[0]:
            self.flush()
            raise Failed(self.failure[1])
        self._lines.append(_encode(record))
        self.objects += 1
        if len(self._lines) >= _FLUSH_EVERY:
            self.flush()
        if self.objects >= self._next_progress and self.progress is not None:
            self._next_progress += PROGRESS_EVERY
            self.progress(self.objects, self.roots)

    def flush(self) -> None:
        if self._lines:
            # Shopify's JSONL escapes every "/" (captures: bulk-operation-root-count-...).
            self.out.write("\n".join(self._lines).replace("/", "\\/") + "\n")
            self._lines.clear()

    @staticmethod
    def _read(source: Any, plan: FieldPlan) -> Any:
        if type(source) is dict:
            return source.get(plan.name)
        value = getattr(source, plan.name)
        if callable(value):
            return value(NO_INFO, **plan.args)
        return value

    def _complete(self, value: Any, plan: FieldPlan, depth: int, deferred: list[Any]) -> Any:
        if value is None:
            return None
        if depth:
            if depth == 1 and plan.kind == OBJECT:
                sub = plan.sub
                assert sub is not None
                return [None if v is None else self._record(v, sub, deferred) for v in value]
            return [self._complete(v, plan, depth - 1, deferred) for v in value]
        if plan.kind == LEAF:
            if type(value) in plan.fast:
                return value
            assert plan.leaf is not None
            return plan.leaf.serialize(value)
        assert plan.sub is not None
        return self._record(value, plan.sub, deferred)

    def _record(self, source: Any, plan: ObjectPlan, deferred: list[Any]) -> dict[str, Any]:
        """One object's selected fields; connections found on the way go to `deferred`."""
        record: dict[str, Any] = {}
        is_dict = type(source) is dict
        for field_plan in plan.fields:
            if field_plan.only_for is not None and _typename(source) not in field_plan.only_for:
                continue
            kind = field_plan.kind
            if kind == CONNECTION:
                deferred.append((source, field_plan.connection))
                continue
            if kind == TYPENAME:
                record[field_plan.key] = _typename(source)
                continue
            if is_dict:
                value = source.get(field_plan.name)
            else:
                value = getattr(source, field_plan.name)
                if callable(value):
                    value = value(NO_INFO, **field_plan.args)
            if value is None or (not field_plan.list_depth and type(value) in field_plan.fast):
                record[field_plan.key] = value
            else:
                record[field_plan.key] = self._complete(
                    value, field_plan, field_plan.list_depth, deferred
                )
        return record

    def _fast_levels(self, source: Any, plan: ConnectionPlan) -> FastLevels | None:
        if not self.fast or not isinstance(source, InventoryItem):
            return None
        key = id(plan)
        if key not in self._fast_plans:
            self._fast_plans[key] = FastLevels.for_plan(plan)
        return self._fast_plans[key]

    def connection(self, source: Any, plan: ConnectionPlan, parent_id: str | None) -> None:
        args = {k: v for k, v in plan.args.items() if k not in ("first", "last", "after", "before")}
        read = getattr(source, plan.name)
        after: str | None = None
        node_plan = plan.node
        while True:
            if self.cancelled.is_set():
                raise Cancelled
            page = read(NO_INFO, **args, first=PAGE, after=after).page
            records = []
            fast_items: dict[FastLevels, list[int]] = {}
            for node in page.nodes:
                deferred: list[Any] = []
                record = self._record(node, node_plan, deferred)
                records.append((node, record, deferred))
                for child_source, child in deferred:
                    fast = self._fast_levels(child_source, child)
                    if fast is not None:
                        fast_items.setdefault(fast, []).append(child_source.item.id)
            ctx = self.ctx
            prefetched = {
                fast: fast.rows(ctx, item_ids)
                for fast, item_ids in fast_items.items()
                if ctx is not None
            }
            for node, record, deferred in records:
                if parent_id is None:
                    self.roots += 1
                else:
                    record["__parentId"] = parent_id
                self._emit(record)
                if deferred:
                    node_id = node.get("id") if isinstance(node, dict) else node.id
                    for child_source, child in deferred:
                        fast = self._fast_levels(child_source, child)
                        if fast is None:
                            self.connection(child_source, child, node_id)
                        else:
                            self._emit_levels(fast, prefetched[fast], child_source, str(node_id))
            if not page.has_next or not page.nodes:
                return
            after = encode_cursor(page.keys[-1])

    def _emit_levels(
        self,
        fast: FastLevels,
        rows: dict[int, list[_Row]],
        item: InventoryItem,
        parent_id: str,
    ) -> None:
        assert self.ctx is not None
        locations = self.ctx.locations()
        for row in rows.get(item.item.id, ()):
            location = locations.get(row[1])
            if location is None:
                continue
            record = fast.render(row, location)
            record["__parentId"] = parent_id
            self._emit(record)

    def run(self, plan: QueryPlan, root: Any) -> None:
        deferred: list[Any] = []
        for field_plan in plan.root.fields:
            if field_plan.kind == CONNECTION:
                deferred.append((root, field_plan.connection))
            elif field_plan.kind == OBJECT and field_plan.sub is not None:
                # e.g. `location(id:) { inventoryLevels { ... } }`: its connections are roots.
                value = self._read(root, field_plan)
                if value is not None:
                    self._complete(value, field_plan, field_plan.list_depth, deferred)
        for source, connection in deferred:
            self.connection(source, connection, None)
        self.flush()
        if self.failure is not None:  # scripted to fail after more objects than there were
            raise Failed(self.failure[1])


class QueryRoot:
    """The query root for the executor: root resolvers called with a minimal `info`."""

    def __init__(self, ctx: RequestContext, schema: GraphQLSchema) -> None:
        self.ctx = ctx
        self.schema = schema

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        assert self.schema.query_type is not None
        resolve = self.schema.query_type.fields[name].resolve
        if resolve is None:
            raise AttributeError(name)
        info = _BulkInfo(self.ctx, self.schema, name)
        return lambda _info, **args: resolve(None, info, **args)


class _Path:
    def __init__(self, key: str) -> None:
        self.key = key
        self.prev = None

    def as_list(self) -> list[str]:
        return [self.key] if self.key else []


class _NoInfo:
    """What adapter methods get for `info` in a bulk export (they read at most its path)."""

    path = _Path("")


NO_INFO = _NoInfo()


class _BulkInfo:
    """The parts of GraphQLResolveInfo that root resolvers read."""

    def __init__(self, ctx: RequestContext, schema: GraphQLSchema, field_name: str) -> None:
        self.context = ctx
        self.schema = schema
        self.field_name = field_name
        self.path = _Path(field_name)
        self.variable_values: dict[str, Any] = {}
        self.field_nodes: list[FieldNode] = []
