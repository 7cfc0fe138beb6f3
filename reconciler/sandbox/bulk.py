"""Bulk query operations: ``bulkOperationRunQuery`` runs in the background and writes JSONL.

As on Shopify (facts §10.1, captures §3.14):

* the query is checked up front, every problem reported with ``field: ["query"]`` and code
  ``INVALID`` in Shopify's words: at least one and at most five connections, nesting depth two,
  ``edges { node }`` rather than ``nodes``, no top-level ``node``, the parent ``node`` of a
  nested connection selects ``id``, no connection inside a list field, query operations only;
* an operation goes CREATED → RUNNING → COMPLETED (FAILED on an error), or CANCELING →
  CANCELED when cancelled; counts and sizes are strings (``UnsignedInt64``);
* page sizes are ignored and every node is exported; each node of a connection is one JSON line,
  and each node of a nested connection carries ``"__parentId"`` and follows its parent;
* like Shopify's JSONL, ``/`` is written as ``\\/`` (clients must use a JSON parser);
* the file is served by the sandbox (``GET /__sandbox/bulk/<id>.jsonl``), without an access
  token, like Shopify's signed storage URLs.

The export does not go through graphql-core's executor (too slow for a million objects): the
query is compiled once into a plan over the schema, and the plan reads the same adapters the
Admin API resolves, so a bulk line holds exactly what a normal query would return.
"""

# ruff: noqa: N802, N803 - names mirror Shopify's GraphQL fields and arguments

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLLeafType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    parse,
)
from graphql.execution.values import get_argument_values

from . import ids
from .context import Info, RequestContext
from .graphql_errors import validation_errors
from .nodes import DISPLAY_NAMES, Connection, InventoryItem, list_connection
from .pagination import ConnectionArgumentError, encode_cursor
from .search import parse as parse_search
from .state import LEVEL_COLS, ON_HAND_COMPONENTS, STORED_NAMES, Location, State, now_iso
from .user_errors import UserError, path

log = logging.getLogger(__name__)

MAX_CONNECTIONS = 5
MAX_DEPTH = 2
PAGE = 250
PROGRESS_EVERY = 20_000  # objects between objectCount updates while RUNNING
_FLUSH_EVERY = 2_000  # lines buffered before a write

ACTIVE_STATUSES = ("CREATED", "RUNNING", "CANCELING")
TERMINAL_STATUSES = ("COMPLETED", "CANCELED", "FAILED", "EXPIRED")
HOLD_STAGES = ("CREATED", "RUNNING")

_COLUMNS = (
    "id, scope, type, status, query, api_version, error_code, created_at, completed_at, "
    "object_count, root_object_count, file_size, path"
)

# Messages as Shopify words them (captures §3.14; the `nodes` variant is UNVERIFIED).
NO_CONNECTION = "Bulk queries must contain at least one connection."
TOO_MANY_CONNECTIONS = f"Bulk queries cannot contain more than {MAX_CONNECTIONS} connections."
TOO_DEEP = f"Bulk queries cannot contain connections with a nesting depth greater than {MAX_DEPTH}."
TOP_LEVEL_NODE = "Bulk queries cannot contain a top level `{field}` field."
VIA_NODES = (
    "All connection fields in a bulk query must select their contents using 'edges' > 'node', "
    "e.g: 'products { edges { node {'. Selecting via 'nodes' is not supported. "
    "Invalid connection fields: {fields}."
)
PARENT_WITHOUT_ID = (
    "The parent 'node' field for a nested connection must select the 'id' field without an "
    "alias and must be of 'ID' return type. Connection fields without 'id': {fields}."
)
CONNECTION_IN_LIST = (
    "Queries that contain a connection field within a list field are not currently supported."
)
ONLY_QUERIES = "Invalid operation type. Only `query` operations are supported."
IN_PROGRESS = "A bulk query operation for this app and shop is already in progress: {ids}."
CANCEL_UNKNOWN = "Bulk operation does not exist"
CANCEL_FINISHED = "A bulk operation cannot be canceled when it is {status}"
# bulkOperations(query:) filters (captures §2.6, §3.1)
FILTER_STATUSES = ("canceled", "canceling", "completed", "created", "failed", "running")
FILTER_TYPES = ("query", "mutation")
BAD_TIMESTAMP = "Invalid timestamp for query filter `{field}`."


@dataclass
class BulkRecord:
    id: int
    scope: str
    type: str
    status: str
    query: str
    api_version: str
    error_code: str | None
    created_at: str
    completed_at: str | None
    object_count: int
    root_object_count: int
    file_size: int | None
    path: str | None


class BulkOperation:
    """Adapter for the BulkOperation type."""

    graphql_type = "BulkOperation"

    def __init__(self, record: BulkRecord, base_url: str) -> None:
        self.record = record
        self.base_url = base_url

    @property
    def id(self) -> str:
        return ids.gid("BulkOperation", self.record.id)

    @property
    def status(self) -> str:
        return self.record.status

    @property
    def type(self) -> str:
        return self.record.type

    @property
    def errorCode(self) -> str | None:
        return self.record.error_code

    @property
    def createdAt(self) -> str:
        return self.record.created_at

    @property
    def completedAt(self) -> str | None:
        return self.record.completed_at

    @property
    def objectCount(self) -> str:
        return str(self.record.object_count)

    @property
    def rootObjectCount(self) -> str:
        return str(self.record.root_object_count)

    @property
    def fileSize(self) -> str | None:
        return None if self.record.file_size is None else str(self.record.file_size)

    def _file_url(self) -> str:
        return f"{self.base_url}/__sandbox/bulk/{self.record.id}.jsonl"

    @property
    def url(self) -> str | None:
        # A cancelled operation keeps the url of what it wrote (captures §3.14).
        if self.record.path is None or self.record.status not in ("COMPLETED", "CANCELED"):
            return None
        return self._file_url()

    @property
    def partialDataUrl(self) -> str | None:
        if self.record.path is None or self.record.status != "FAILED":
            return None
        return self._file_url()

    @property
    def query(self) -> str:
        return self.record.query


# -- the compiled query ----------------------------------------------------------------------

TYPENAME, LEAF, OBJECT, CONNECTION = range(4)


@dataclass(eq=False)
class FieldPlan:
    """One selected field: how to read it from an adapter and how to write it out."""

    key: str
    name: str
    args: dict[str, Any]
    kind: int
    list_depth: int = 0  # how many list levels wrap the value
    leaf: GraphQLLeafType | None = None
    sub: ObjectPlan | None = None  # OBJECT: the selection; CONNECTION: its edges.node selection
    only_for: frozenset[str] | None = None  # from a fragment on a narrower type
    connection: ConnectionPlan | None = None
    # Python types a leaf's serializer returns unchanged (adapters mostly return those).
    fast: frozenset[type] = frozenset()


@dataclass(eq=False)
class ObjectPlan:
    fields: list[FieldPlan] = field(default_factory=list)

    def selects_plain_id(self) -> bool:
        return any(
            f.name == "id" and f.key == "id" and f.kind == LEAF and f.only_for is None
            for f in self.fields
        )


@dataclass(eq=False)
class ConnectionPlan:
    name: str
    args: dict[str, Any]
    depth: int
    parent: ConnectionPlan | None
    in_list: bool
    via_nodes: bool = False
    node: ObjectPlan = field(default_factory=ObjectPlan)


@dataclass
class QueryPlan:
    root: ObjectPlan
    connections: list[ConnectionPlan]
    problems: list[str]


_FAST_TYPES: dict[str, frozenset[type]] = {
    "Int": frozenset({int}),
    "Float": frozenset({float}),
    "String": frozenset({str}),
    "ID": frozenset({str}),
    "Boolean": frozenset({bool}),
}


def _is_connection(named: GraphQLNamedType) -> bool:
    return (
        isinstance(named, GraphQLObjectType)
        and named.name.endswith("Connection")
        and "edges" in named.fields
    )


class _Compiler:
    """Turns a validated bulk query into a plan, noting what Shopify refuses on the way."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.connections: list[ConnectionPlan] = []

    @staticmethod
    def _args(definition: GraphQLField, node: FieldNode) -> dict[str, Any]:
        """Arguments coerced as graphql-core's executor would (list wrapping, defaults)."""
        return get_argument_values(definition, node, None)

    def _possible(self, type_name: str) -> frozenset[str]:
        named = self.schema.get_type(type_name)
        if named is not None and is_abstract_type(named):
            return frozenset(t.name for t in self.schema.get_possible_types(named))
        return frozenset({type_name})

    def selection(
        self,
        parent: GraphQLNamedType,
        selection: SelectionSetNode | None,
        depth: int,
        enclosing: ConnectionPlan | None,
        in_list: bool,
        only_for: frozenset[str] | None = None,
        plan: ObjectPlan | None = None,
    ) -> ObjectPlan:
        plan = plan if plan is not None else ObjectPlan()
        for node in selection.selections if selection else ():
            if isinstance(node, FieldNode):
                plan.fields.append(self._field(parent, node, depth, enclosing, in_list, only_for))
                continue
            if isinstance(node, InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else None
                inner_selection = node.selection_set
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments[node.name.value]
                condition = fragment.type_condition.name.value
                inner_selection = fragment.selection_set
            else:  # pragma: no cover - graphql-core has no other selection kinds
                continue
            inner_type = parent
            narrowed = only_for
            if condition is not None and condition != parent.name:
                found = self.schema.get_type(condition)
                assert found is not None  # the document passed validation
                inner_type = found
                narrowed = self._possible(condition)
                if only_for is not None:
                    narrowed = narrowed & only_for
            self.selection(inner_type, inner_selection, depth, enclosing, in_list, narrowed, plan)
        return plan

    def _field(
        self,
        parent: GraphQLNamedType,
        node: FieldNode,
        depth: int,
        enclosing: ConnectionPlan | None,
        in_list: bool,
        only_for: frozenset[str] | None,
    ) -> FieldPlan:
        name = node.name.value
        key = node.alias.value if node.alias else name
        if name == "__typename":
            return FieldPlan(key, name, {}, TYPENAME, only_for=only_for)
        definition = parent.fields[name]  # type: ignore[attr-defined]
        args = self._args(definition, node)
        named = get_named_type(definition.type)
        list_depth = 0
        wrapped = get_nullable_type(definition.type)
        while is_list_type(wrapped):
            list_depth += 1
            wrapped = get_nullable_type(wrapped.of_type)
        if _is_connection(named):
            assert isinstance(named, GraphQLObjectType)
            connection = ConnectionPlan(name, args, depth + 1, enclosing, in_list)
            self.connections.append(connection)
            self._connection_contents(named, node, connection)
            return FieldPlan(key, name, args, CONNECTION, only_for=only_for, connection=connection)
        if is_leaf_type(named):
            leaf: GraphQLLeafType = named
            fast = _FAST_TYPES.get(named.name, frozenset({str}))
            if isinstance(named, GraphQLScalarType) and named.name not in _FAST_TYPES:
                # Custom scalars (DateTime, Decimal, UnsignedInt64, ...) serialize as given.
                fast = frozenset({str, int, float, bool})
            return FieldPlan(
                key, name, args, LEAF, list_depth, leaf=leaf, only_for=only_for, fast=fast
            )
        sub = self.selection(named, node.selection_set, depth, enclosing, in_list or list_depth > 0)
        return FieldPlan(key, name, args, OBJECT, list_depth, sub=sub, only_for=only_for)

    def _connection_contents(
        self, named: GraphQLObjectType, node: FieldNode, connection: ConnectionPlan
    ) -> None:
        for child in _fields_of(node.selection_set, self.fragments):
            if child.name.value == "nodes":
                connection.via_nodes = True
            if child.name.value != "edges":
                continue
            edge_type = get_named_type(named.fields["edges"].type)
            for edge_child in _fields_of(child.selection_set, self.fragments):
                if edge_child.name.value == "node":
                    node_type = get_named_type(edge_type.fields["node"].type)
                    self.selection(
                        node_type,
                        edge_child.selection_set,
                        connection.depth,
                        connection,
                        False,
                        plan=connection.node,
                    )


def _fields_of(
    selection: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]
) -> Iterable[FieldNode]:
    for node in selection.selections if selection else ():
        if isinstance(node, FieldNode):
            yield node
        elif isinstance(node, InlineFragmentNode):
            yield from _fields_of(node.selection_set, fragments)
        elif isinstance(node, FragmentSpreadNode) and node.name.value in fragments:
            yield from _fields_of(fragments[node.name.value].selection_set, fragments)


def _syntax_message(exc: GraphQLSyntaxError) -> str:
    """Shopify's (GraphQL-Ruby's) parser wording, without the position."""
    text = exc.message
    if "<EOF>" in text:
        return "syntax error, unexpected end of file"
    found = text.split("found ", 1)[1].rstrip(".") if "found " in text else None
    if found is None and "Unexpected " in text:
        found = text.split("Unexpected ", 1)[1].rstrip(".")
    return f"syntax error, unexpected {found or 'token'}"


def compile_query(schema: GraphQLSchema, query: str) -> QueryPlan:
    """The plan of a bulk query, with every reason Shopify would refuse it (empty if none)."""
    empty = ObjectPlan()
    try:
        document = parse(query)
    except GraphQLSyntaxError as exc:
        return QueryPlan(empty, [], ["Invalid bulk query: " + _syntax_message(exc)])
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations or any(o.operation.value != "query" for o in operations):
        return QueryPlan(empty, [], [ONLY_QUERIES])
    invalid = validation_errors(schema, document)
    if invalid:
        return QueryPlan(empty, [], ["Invalid bulk query: " + str(invalid[0]["message"])])
    assert schema.query_type is not None
    compiler = _Compiler(schema, document)
    problems: list[str] = []
    top = list(_fields_of(operations[0].selection_set, compiler.fragments))
    for node in top:
        if node.name.value in ("node", "nodes"):
            problems.append(TOP_LEVEL_NODE.format(field=node.name.value))
            break
    kept = SelectionSetNode(
        selections=tuple(n for n in top if n.name.value not in ("node", "nodes"))
    )
    root = compiler.selection(schema.query_type, kept, 0, None, False)
    connections = compiler.connections
    if not connections:
        problems.append(NO_CONNECTION)
        return QueryPlan(root, connections, problems)
    via_nodes = [c.name for c in connections if c.via_nodes]
    if via_nodes:
        problems.append(VIA_NODES.replace("{fields}", ", ".join(f"'{n}'" for n in via_nodes)))
    if len(connections) > MAX_CONNECTIONS:
        problems.append(TOO_MANY_CONNECTIONS)
    if any(c.depth > MAX_DEPTH for c in connections):
        problems.append(TOO_DEEP)
    without_id: list[str] = []
    for connection in connections:
        parent = connection.parent
        if (
            parent is not None
            and not parent.node.selects_plain_id()
            and parent.name not in without_id
        ):
            without_id.append(parent.name)
    if without_id:
        problems.append(PARENT_WITHOUT_ID.format(fields=", ".join(without_id)))
    if any(c.in_list for c in connections):
        problems.append(CONNECTION_IN_LIST)
    return QueryPlan(root, connections, problems)


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


class Executor:
    """Walks a query plan over the adapters and writes one JSON line per node."""

    def __init__(
        self,
        out: IO[str],
        cancelled: threading.Event,
        progress: Callable[[int, int], None] | None = None,
        ctx: RequestContext | None = None,
        fast: bool = True,
    ) -> None:
        self.out = out
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


class _Root:
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


class BulkRunner:
    """Owns the bulk operations of one store: rows in state, files on disk, worker threads."""

    def __init__(self, state: State, directory: Path) -> None:
        self.state = state
        self.directory = directory
        self.cancel_flags: dict[int, threading.Event] = {}
        self.threads: list[threading.Thread] = []
        self._submit_lock = threading.Lock()
        self._hold = threading.Condition()
        self.hold_stage: str | None = None
        self._stopping = False
        self._recover()

    def _recover(self) -> None:
        """Operations a previous process left unfinished cannot resume: they failed."""
        stamp = now_iso()
        with self.state.transaction() as conn:
            conn.execute(
                "UPDATE bulk_operations SET status = 'CANCELED' WHERE status = 'CANCELING'"
            )
            conn.execute(
                "UPDATE bulk_operations SET status = 'FAILED', error_code = "
                "'INTERNAL_SERVER_ERROR', completed_at = ? WHERE status IN ('CREATED', 'RUNNING')",
                (stamp,),
            )

    # -- records ---------------------------------------------------------------------------

    def get(self, operation_id: int) -> BulkRecord | None:
        with self.state.reading() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM bulk_operations WHERE id = ?",  # noqa: S608
                (operation_id,),
            ).fetchone()
        return BulkRecord(*row) if row else None

    def for_app(self, scope: str) -> list[BulkRecord]:
        """The app's operations, newest first."""
        with self.state.reading() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM bulk_operations WHERE scope = ? ORDER BY id DESC",  # noqa: S608
                (scope,),
            ).fetchall()
        return [BulkRecord(*r) for r in rows]

    def node(self, ctx: RequestContext, operation_id: int) -> BulkOperation | None:
        record = self.get(operation_id)
        if record is None or record.scope != ctx.token.fingerprint:
            return None
        return BulkOperation(record, ctx.base_url)

    def _update(self, operation_id: int, **columns: Any) -> None:
        assignments = ", ".join(f"{k} = ?" for k in columns)
        with self.state.transaction() as conn:
            conn.execute(
                f"UPDATE bulk_operations SET {assignments} WHERE id = ?",  # noqa: S608
                (*columns.values(), operation_id),
            )

    # -- lifecycle -------------------------------------------------------------------------

    def submit(
        self, ctx: RequestContext, schema: GraphQLSchema, query: str, plan: QueryPlan
    ) -> BulkRecord | list[int]:
        """Start an operation, or return the ids of the operations that block it."""
        with self._submit_lock:
            running = [
                r.id
                for r in self.for_app(ctx.token.fingerprint)
                if r.type == "QUERY" and r.status in ACTIVE_STATUSES
            ]
            if len(running) >= ctx.rules.bulk_query_concurrency:
                return sorted(running)
            operation_id = self.state.next_id("bulk_operation")
            with self.state.transaction() as conn:
                conn.execute(
                    "INSERT INTO bulk_operations (id, scope, type, status, query, api_version, "
                    "created_at) VALUES (?, ?, 'QUERY', 'CREATED', ?, ?, ?)",
                    (operation_id, ctx.token.fingerprint, query, ctx.version, now_iso()),
                )
        record = self.get(operation_id)
        assert record is not None
        cancelled = threading.Event()
        self.cancel_flags[operation_id] = cancelled
        worker_ctx = RequestContext(ctx.state, ctx.rules, ctx.token, ctx.shop, ctx.base_url, self)
        thread = threading.Thread(
            target=self._run,
            args=(worker_ctx, schema, plan, operation_id, cancelled),
            name=f"bulk-{operation_id}",
            daemon=True,
        )
        self.threads = [t for t in self.threads if t.is_alive()] + [thread]
        thread.start()
        return record

    def cancel(self, record: BulkRecord) -> BulkRecord:
        """CANCELING now, CANCELED once the worker has stopped (it keeps what it wrote)."""
        with self.state.transaction() as conn:
            conn.execute(
                "UPDATE bulk_operations SET status = 'CANCELING' "
                "WHERE id = ? AND status IN ('CREATED', 'RUNNING')",
                (record.id,),
            )
        flag = self.cancel_flags.get(record.id)
        if flag is not None:
            flag.set()
        with self._hold:
            self._hold.notify_all()
        updated = self.get(record.id)
        assert updated is not None
        return updated

    def hold(self, stage: str | None) -> None:
        """Keep new operations at `stage` (CREATED or RUNNING) until released (for tests)."""
        if stage is not None and stage not in HOLD_STAGES:
            raise ValueError(f"hold must be one of {', '.join(HOLD_STAGES)} or null")
        with self._hold:
            self.hold_stage = stage
            self._hold.notify_all()

    def _wait_while_held(self, stage: str, cancelled: threading.Event) -> None:
        with self._hold:
            while self.hold_stage == stage and not cancelled.is_set():
                self._hold.wait(0.5)

    def _run(
        self,
        ctx: RequestContext,
        schema: GraphQLSchema,
        plan: QueryPlan,
        operation_id: int,
        cancelled: threading.Event,
    ) -> None:
        target = self.directory / f"{operation_id}.jsonl"
        executor: Executor | None = None
        failed = False
        try:
            self._wait_while_held("CREATED", cancelled)
            if not cancelled.is_set():
                self._update(operation_id, status="RUNNING")
                self._wait_while_held("RUNNING", cancelled)
            self.directory.mkdir(parents=True, exist_ok=True)
            with target.open("w", encoding="utf-8") as out:
                executor = Executor(
                    out,
                    cancelled,
                    lambda objects, roots: self._update(
                        operation_id, object_count=objects, root_object_count=roots
                    ),
                    ctx,
                )
                try:
                    executor.run(plan, _Root(ctx, schema))
                finally:
                    executor.flush()
        except Cancelled:
            pass
        except Exception:  # noqa: BLE001 - any failure is reported as Shopify reports it
            log.exception("bulk operation %s failed", operation_id)
            failed = True
        finally:
            self._finish(operation_id, executor, target, failed)
            self.cancel_flags.pop(operation_id, None)

    def _finish(
        self, operation_id: int, executor: Executor | None, target: Path, failed: bool
    ) -> None:
        """The terminal status, decided against the stored one (a cancel may have raced)."""
        columns: dict[str, Any] = {
            "object_count": executor.objects if executor else 0,
            "root_object_count": executor.roots if executor else 0,
            "path": str(target) if target.exists() else None,
        }
        with self.state.transaction() as conn:
            row = conn.execute(
                "SELECT status FROM bulk_operations WHERE id = ?", (operation_id,)
            ).fetchone()
            if row is None:  # the store was reset meanwhile
                return
            if self._stopping and row[0] != "CANCELING":
                return  # shut down, not cancelled: the next start marks it FAILED
            if failed:
                columns |= {
                    "status": "FAILED",
                    "error_code": "INTERNAL_SERVER_ERROR",
                    "completed_at": now_iso(),
                }
            elif row[0] == "CANCELING":
                # Captured: CANCELED keeps completedAt and fileSize null but has a url.
                columns["status"] = "CANCELED"
            else:
                columns |= {
                    "status": "COMPLETED",
                    "completed_at": now_iso(),
                    "file_size": target.stat().st_size,
                }
            assignments = ", ".join(f"{k} = ?" for k in columns)
            conn.execute(
                f"UPDATE bulk_operations SET {assignments} WHERE id = ?",  # noqa: S608
                (*columns.values(), operation_id),
            )

    def wait(self, timeout: float | None = None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in list(self.threads):
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(remaining)

    def stop_all(self, timeout: float = 30) -> None:
        """Stop every worker and wait for it (before a reset, a load or a shutdown).

        Stopped operations keep their status: a reset deletes them anyway, and after a
        shutdown the next start marks them FAILED, as they never finished.
        """
        self._stopping = True
        try:
            for flag in list(self.cancel_flags.values()):
                flag.set()
            self.hold(None)
            self.wait(timeout)
        finally:
            self._stopping = False

    def discard_files(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


# -- resolvers -------------------------------------------------------------------------------


def _runner(info: Info) -> BulkRunner:
    runner = info.context.bulk
    assert isinstance(runner, BulkRunner)
    return runner


def bulkOperationRunQuery(root: Any, info: Info, query: str, **args: Any) -> dict[str, Any]:
    ctx = info.context
    runner = _runner(info)
    from .schema import schema_for

    schema = schema_for(ctx.version)
    plan = compile_query(schema, query)
    if plan.problems:
        errors = [UserError(path("query"), text, "INVALID").as_dict() for text in plan.problems]
        return {"bulkOperation": None, "userErrors": errors}
    started = runner.submit(ctx, schema, query, plan)
    if isinstance(started, list):
        gids = ", ".join(ids.gid("BulkOperation", n) for n in started)
        error = UserError(None, IN_PROGRESS.format(ids=gids), "OPERATION_IN_PROGRESS")
        return {"bulkOperation": None, "userErrors": [error.as_dict()]}
    return {"bulkOperation": BulkOperation(started, ctx.base_url), "userErrors": []}


def _generic(error: UserError) -> dict[str, Any]:
    """BulkOperationCancelPayload.userErrors is the generic UserError: no code."""
    return {
        "field": list(error.field) if error.field is not None else None,
        "message": error.message,
    }


def bulkOperationCancel(root: Any, info: Info, id: str) -> dict[str, Any]:
    ctx = info.context
    runner = _runner(info)
    number = ids.parse(id, "BulkOperation")
    record = runner.get(number) if number is not None else None
    if record is None or record.scope != ctx.token.fingerprint:
        error = UserError(path("id"), CANCEL_UNKNOWN)
        return {"bulkOperation": None, "userErrors": [_generic(error)]}
    if record.status in TERMINAL_STATUSES or record.status == "CANCELING":
        error = UserError(None, CANCEL_FINISHED.format(status=record.status.lower()))
        return {
            "bulkOperation": BulkOperation(record, ctx.base_url),
            "userErrors": [_generic(error)],
        }
    return {"bulkOperation": BulkOperation(runner.cancel(record), ctx.base_url), "userErrors": []}


def bulkOperation(root: Any, info: Info, id: str) -> BulkOperation | None:
    """Another type's gid is RESOURCE_NOT_FOUND; an unknown BulkOperation is null (§2.8)."""
    number = ids.parse(id, "BulkOperation")
    if number is None:
        raise GraphQLError(f"Invalid id: {id}", extensions={"code": "RESOURCE_NOT_FOUND"})
    return _runner(info).node(info.context, number)


def currentBulkOperation(root: Any, info: Info, type: str = "QUERY") -> BulkOperation | None:
    """The app's most recent operation of the type, finished or not (HWN)."""
    ctx = info.context
    for record in _runner(info).for_app(ctx.token.fingerprint):
        if record.type == type:
            return BulkOperation(record, ctx.base_url)
    return None


def _filter(ctx: RequestContext, info: Info, query: str | None) -> Callable[[BulkRecord], bool]:
    """bulkOperations(query:): status, operation_type, created_at and id terms, ANDed."""
    if not query:
        return lambda record: True
    node = parse_search(query)
    terms = []
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if current.term is not None:
            terms.append(current.term)
        stack.extend(current.children)
    checks: list[Callable[[BulkRecord], bool]] = []
    warnings: list[dict[str, str]] = []
    for term in reversed(terms):
        name = (term.field or "").lower()
        value = term.value
        if name in ("status", "operation_type"):
            allowed = FILTER_STATUSES if name == "status" else FILTER_TYPES
            if value.lower() not in allowed:
                warnings.append(
                    {
                        "field": name,
                        "message": f"Input `{value}` is not an accepted value.",
                        "code": "invalid_value",
                    }
                )
                checks.append(lambda record: False)
                continue
            attribute = "status" if name == "status" else "type"
            expected = value.upper()
            checks.append(_equals(attribute, expected, term.negated))
        elif name == "created_at":
            stamp = _timestamp(value)
            if stamp is None:
                raise ConnectionArgumentError(BAD_TIMESTAMP.format(field=name))
            checks.append(_compare_created(term.comparator, stamp))
        elif name == "id":
            number = ids.parse(value, "BulkOperation") if value.startswith("gid:") else None
            if number is None and value.isdigit():
                number = int(value)
            checks.append(_equals("id", number, term.negated))
        else:
            warnings.append(
                {
                    "field": term.field or value,
                    "message": "Invalid search field for this query.",
                    "code": "invalid_field",
                }
            )
    if warnings:
        ctx.search.append({"path": [info.path.key], "query": query, "warnings": warnings})
    return lambda record: all(check(record) for check in checks)


def _equals(attribute: str, expected: Any, negated: bool) -> Callable[[BulkRecord], bool]:
    def check(record: BulkRecord) -> bool:
        return bool(getattr(record, attribute) == expected) != negated

    return check


def _timestamp(value: str) -> str | None:
    from datetime import datetime

    text = value.strip("'\"")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
    from datetime import UTC

    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _compare_created(comparator: str, stamp: str) -> Callable[[BulkRecord], bool]:
    if comparator == "<":
        return lambda record: record.created_at < stamp
    if comparator == "<=":
        return lambda record: record.created_at <= stamp
    if comparator == ">":
        return lambda record: record.created_at > stamp
    if comparator == ">=":
        return lambda record: record.created_at >= stamp
    return lambda record: record.created_at[: len(stamp)] == stamp


def bulkOperations(root: Any, info: Info, **args: Any) -> Connection:
    """The app's operations, newest first for sortKey CREATED_AT (``reverse`` flips)."""
    ctx = info.context
    keep = _filter(ctx, info, args.get("query"))
    records = [r for r in _runner(info).for_app(ctx.token.fingerprint) if keep(r)]
    if args.get("sortKey") == "COMPLETED_AT":
        records.sort(key=lambda r: (r.completed_at or "", r.id), reverse=True)
    rows = [
        ((position, record.id), BulkOperation(record, ctx.base_url))
        for position, record in enumerate(records)
    ]
    return list_connection(rows, args)


QUERIES = {
    "bulkOperation": bulkOperation,
    "bulkOperations": bulkOperations,
    "currentBulkOperation": currentBulkOperation,
}
MUTATIONS = {
    "bulkOperationCancel": bulkOperationCancel,
    "bulkOperationRunQuery": bulkOperationRunQuery,
}
