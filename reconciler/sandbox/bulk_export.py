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
from typing import IO, Any

from graphql import (
    FieldNode,
    GraphQLSchema,
)

from . import bulk_fast
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
from .nodes import InventoryItem
from .pagination import encode_cursor

PAGE = 250
PROGRESS_EVERY = 20_000  # objects between objectCount updates while RUNNING
_FLUSH_EVERY = 2_000  # lines buffered before a write


# -- running ---------------------------------------------------------------------------------

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def _typename(source: Any) -> Any:
    if isinstance(source, dict):
        return source.get("__typename")
    return getattr(source, "graphql_type", None)


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
        self._fast_plans: dict[int, bulk_fast.FastChildren | None] = {}
        self.objects = 0
        self.roots = 0
        self._lines: list[str] = []
        self._next_progress = PROGRESS_EVERY

    def _emit(self, record: dict[str, Any]) -> None:
        self._emit_line(_encode(record))

    def _emit_line(self, line: str) -> None:
        if self.failure is not None and self.objects >= self.failure[0]:
            self.flush()
            raise Failed(self.failure[1])
        self._lines.append(line)
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

    def _record(
        self,
        source: Any,
        plan: ObjectPlan,
        deferred: list[Any],
        counted: dict[int, int] | None = None,
    ) -> dict[str, Any]:
        """One object's selected fields; connections found on the way go to `deferred`.
        `counted`: the item's duplicateSkuCount, counted for its whole page."""
        record: dict[str, Any] = {}
        is_dict = type(source) is dict
        for field_plan in plan.fields:
            if (
                counted is not None
                and field_plan.name == "duplicateSkuCount"
                and _plain(field_plan)
            ):
                record[field_plan.key] = counted[source.item.id]
                continue
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

    def _fast(self, source: Any, plan: ConnectionPlan) -> bulk_fast.FastChildren | None:
        if not self.fast or not isinstance(source, InventoryItem):
            return None
        key = id(plan)
        if key not in self._fast_plans:
            self._fast_plans[key] = bulk_fast.for_plan(plan)
        return self._fast_plans[key]

    def _counted(self, nodes: list[Any], plan: ObjectPlan) -> dict[int, int] | None:
        """duplicateSkuCount for a page of items in one query, when it is selected plainly."""
        if (
            not self.fast
            or self.ctx is None
            or not nodes
            or not all(isinstance(node, InventoryItem) for node in nodes)
            or not any(f.name == "duplicateSkuCount" and _plain(f) for f in plan.fields)
        ):
            return None
        return bulk_fast.duplicate_counts(self.ctx, nodes)

    def connection(self, source: Any, plan: ConnectionPlan, parent_id: str | None) -> None:
        args = {k: v for k, v in plan.args.items() if k not in ("first", "last", "after", "before")}
        read = getattr(source, plan.name)
        after: str | None = None
        node_plan = plan.node
        ctx = self.ctx
        while True:
            if self.cancelled.is_set():
                raise Cancelled
            page = read(NO_INFO, **args, first=PAGE, after=after).page
            counted = self._counted(page.nodes, node_plan)
            records = []
            fast_items: dict[bulk_fast.FastChildren, list[int]] = {}
            for node in page.nodes:
                deferred: list[Any] = []
                record = self._record(node, node_plan, deferred, counted)
                records.append((node, record, deferred))
                for child_source, child in deferred:
                    fast = self._fast(child_source, child)
                    if fast is not None:
                        fast_items.setdefault(fast, []).append(child_source.item.id)
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
                        fast = self._fast(child_source, child)
                        if fast is None:
                            self.connection(child_source, child, node_id)
                        else:
                            rows = prefetched[fast].get(child_source.item.id, [])
                            self._emit_children(fast, rows, str(node_id))
            if not page.has_next or not page.nodes:
                return
            after = encode_cursor(page.keys[-1])

    def _emit_children(
        self, fast: bulk_fast.FastChildren, rows: list[bulk_fast.Row], parent_id: str
    ) -> None:
        assert self.ctx is not None
        closing = ',"__parentId":' + bulk_fast.string(parent_id) + "}"
        for line in fast.lines(self.ctx, rows):
            self._emit_line(line + closing)

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


def _plain(field: FieldPlan) -> bool:
    return field.kind == LEAF and field.only_for is None and not field.args and not field.list_depth
