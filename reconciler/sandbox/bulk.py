"""Bulk query operations: ``bulkOperationRunQuery`` runs in the background and writes JSONL.

As on Shopify (facts §10.1, captures §3.14): the query is checked up front (at least one and at
most five connections, nesting depth two, ``edges { node }`` not ``nodes``, no top-level
``node``, query operations only); the operation goes CREATED → RUNNING → COMPLETED (or
CANCELING → CANCELED); page sizes are ignored and every node is exported; each node of a nested
connection becomes its own line carrying ``__parentId`` after its parent. The file is served
from the sandbox's control plane, not the Admin API, like Shopify's signed storage URLs.
"""

# ruff: noqa: N802, N803 - names mirror Shopify's GraphQL fields and arguments

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
    parse,
    validate,
)
from graphql.error import GraphQLSyntaxError
from graphql.utilities import value_from_ast_untyped

from . import ids
from .context import Info, RequestContext
from .graphql_errors import parse_error
from .nodes import Connection, list_connection
from .state import State, now_iso
from .user_errors import UserError, path

MAX_CONNECTIONS = 5
MAX_DEPTH = 2
PAGE = 250

_COLUMNS = (
    "id, scope, type, status, query, api_version, error_code, created_at, completed_at, "
    "object_count, root_object_count, file_size, path"
)


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

    @property
    def url(self) -> str | None:
        if self.record.path is None or self.record.status not in ("COMPLETED", "CANCELED"):
            return None
        return f"{self.base_url}/__sandbox/bulk/{self.record.id}.jsonl"

    @property
    def partialDataUrl(self) -> str | None:
        return None

    @property
    def query(self) -> str:
        return self.record.query


# -- validation of the submitted query -------------------------------------------------------


def _connections(
    schema: GraphQLSchema, parent: Any, selection: SelectionSetNode | None, depth: int
) -> list[tuple[FieldNode, int, Any]]:
    """(field node, depth, connection type) of every connection in a selection."""
    found: list[tuple[FieldNode, int, Any]] = []
    if selection is None or not hasattr(parent, "fields"):
        return found
    for node in selection.selections:
        if not isinstance(node, FieldNode):
            continue
        field = parent.fields.get(node.name.value)
        if field is None:
            continue
        named = get_named_type(field.type)
        if named.name.endswith("Connection") and "edges" in getattr(named, "fields", {}):
            found.append((node, depth + 1, named))
            for child in node.selection_set.selections if node.selection_set else ():
                if isinstance(child, FieldNode) and child.name.value == "edges":
                    edge_type = get_named_type(named.fields["edges"].type)
                    for edge_child in child.selection_set.selections if child.selection_set else ():
                        if isinstance(edge_child, FieldNode) and edge_child.name.value == "node":
                            node_type = get_named_type(edge_type.fields["node"].type)
                            found.extend(
                                _connections(schema, node_type, edge_child.selection_set, depth + 1)
                            )
        elif not is_leaf_type(named):
            found.extend(_connections(schema, named, node.selection_set, depth))
    return found


def _bulk_errors(schema: GraphQLSchema, query: str) -> list[str]:
    try:
        document = parse(query)
    except GraphQLSyntaxError as exc:
        text = parse_error(exc)["message"]
        return ["Invalid bulk query: " + text.rsplit(" at [", 1)[0]]
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations or operations[0].operation.value != "query":
        return ["Invalid operation type. Only `query` operations are supported."]
    problems = validate(schema, document)
    if problems:
        return ["Invalid bulk query: " + problems[0].message]
    root = schema.query_type
    errors = []
    top = [s for s in operations[0].selection_set.selections if isinstance(s, FieldNode)]
    if any(f.name.value in ("node", "nodes") for f in top):
        errors.append("Bulk queries cannot contain a top level `node` field.")
    connections = _connections(schema, root, operations[0].selection_set, 0)
    if not connections:
        errors.append("Bulk queries must contain at least one connection.")
        return errors
    if len(connections) > MAX_CONNECTIONS:
        errors.append("Bulk queries cannot contain more than 5 connections.")
    if any(depth > MAX_DEPTH for _, depth, _ in connections):
        errors.append(
            "Bulk queries cannot contain connections with a nesting depth greater than 2."
        )
    via_nodes = [
        node.name.value
        for node, _, _ in connections
        if node.selection_set
        and any(
            isinstance(s, FieldNode) and s.name.value == "nodes"
            for s in node.selection_set.selections
        )
    ]
    if via_nodes:
        errors.append(
            "All connection fields in a bulk query must select their contents using 'edges' > "
            "'node', e.g: 'products { edges { node {'. Selecting via 'nodes' is not supported. "
            f"Invalid connection fields: {', '.join(repr(n) for n in via_nodes)}."
        )
    return errors


# -- running -------------------------------------------------------------------------------


class _Executor:
    """Walks a validated bulk query over adapters and writes one JSON line per object."""

    def __init__(self, ctx: RequestContext, out: Any, cancelled: threading.Event) -> None:
        self.ctx = ctx
        self.out = out
        self.cancelled = cancelled
        self.objects = 0
        self.roots = 0

    def _emit(self, record: dict[str, Any]) -> None:
        self.out.write(json.dumps(record, separators=(",", ":")))
        self.out.write("\n")
        self.objects += 1

    def _args(self, node: FieldNode) -> dict[str, Any]:
        return {a.name.value: value_from_ast_untyped(a.value) for a in node.arguments or ()}

    def _resolve(self, source: Any, node: FieldNode, args: dict[str, Any]) -> Any:
        name = node.name.value
        value = source.get(name) if isinstance(source, dict) else getattr(source, name)
        return value(None, **args) if callable(value) else value

    def _object(
        self, source: Any, selection: SelectionSetNode | None, parent_id: str | None
    ) -> None:
        record, nested = self._fields(source, selection)
        if parent_id is not None:
            record["__parentId"] = parent_id
        self._emit(record)
        for node in nested:
            self._connection(source, node, record.get("id"))

    def _fields(
        self, source: Any, selection: SelectionSetNode | None
    ) -> tuple[dict[str, Any], list[FieldNode]]:
        record: dict[str, Any] = {}
        nested: list[FieldNode] = []
        for node in selection.selections if selection else ():
            if not isinstance(node, FieldNode):
                continue
            key = node.alias.value if node.alias else node.name.value
            if node.name.value == "__typename":
                record[key] = getattr(source, "graphql_type", None)
                continue
            value = self._resolve(source, node, self._args(node))
            if isinstance(value, Connection):
                nested.append(node)
                continue
            record[key] = self._value(value, node.selection_set)
        return record, nested

    def _value(self, value: Any, selection: SelectionSetNode | None) -> Any:
        if value is None or selection is None:
            return value
        if isinstance(value, list):
            return [self._value(v, selection) for v in value]
        return self._fields(value, selection)[0]

    def _connection(self, source: Any, node: FieldNode, parent_id: str | None) -> None:
        args = {k: v for k, v in self._args(node).items() if k not in ("first", "last")}
        edges = (
            next(
                (
                    s
                    for s in node.selection_set.selections
                    if isinstance(s, FieldNode) and s.name.value == "edges"
                ),
                None,
            )
            if node.selection_set
            else None
        )
        node_selection = None
        if edges is not None and edges.selection_set:
            for child in edges.selection_set.selections:
                if isinstance(child, FieldNode) and child.name.value == "node":
                    node_selection = child.selection_set
        after = None
        while not self.cancelled.is_set():
            page = self._resolve(source, node, {**args, "first": PAGE, "after": after})
            for item in page.nodes:
                if parent_id is None:
                    self.roots += 1
                self._object(item, node_selection, parent_id)
            if not page.page.has_next:
                break
            after = page.page.cursors[-1]

    def run(self, operation: OperationDefinitionNode, root: Any) -> None:
        for node in operation.selection_set.selections:
            if self.cancelled.is_set():
                return
            if not isinstance(node, FieldNode):
                continue
            value = self._resolve(root, node, self._args(node) | {"first": 1})
            if isinstance(value, Connection):
                self._connection(root, node, None)


class _Root:
    """Root object for the executor: calls the bound root resolvers with a minimal info."""

    def __init__(self, ctx: RequestContext, schema: GraphQLSchema) -> None:
        self.ctx = ctx
        self.schema = schema

    def __getattr__(self, name: str) -> Any:
        field = self.schema.query_type.fields[name] if self.schema.query_type else None
        if field is None or field.resolve is None:
            raise AttributeError(name)
        resolve = field.resolve
        info = _BulkInfo(self.ctx, name)
        return lambda _info, **args: resolve(None, info, **args)


class _BulkInfo:
    def __init__(self, ctx: RequestContext, field_name: str) -> None:
        self.context = ctx
        self.field_name = field_name
        self.path = _Path(field_name)


class _Path:
    def __init__(self, key: str) -> None:
        self.key = key


class BulkRunner:
    """Owns bulk operations of one store: records in state, files on disk, worker threads."""

    def __init__(self, state: State, directory: Path) -> None:
        self.state = state
        self.directory = directory
        self.cancel_flags: dict[int, threading.Event] = {}
        self.threads: list[threading.Thread] = []

    def _record(self, row: Any) -> BulkRecord:
        return BulkRecord(*row)

    def get(self, operation_id: int) -> BulkRecord | None:
        with self.state.reading() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM bulk_operations WHERE id = ?", (operation_id,)
            ).fetchone()
        return self._record(row) if row else None

    def for_app(self, scope: str) -> list[BulkRecord]:
        with self.state.reading() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM bulk_operations WHERE scope = ? ORDER BY id DESC", (scope,)
            ).fetchall()
        return [self._record(r) for r in rows]

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

    def submit(self, ctx: RequestContext, schema: GraphQLSchema, query: str) -> BulkRecord:
        operation_id = self.state.next_id("bulk_operation")
        with self.state.transaction() as conn:
            conn.execute(
                "INSERT INTO bulk_operations (id, scope, type, status, query, api_version, "
                "created_at) VALUES (?, ?, 'QUERY', 'CREATED', ?, ?, ?)",
                (operation_id, ctx.token.fingerprint, query, ctx.version, now_iso()),
            )
        cancelled = threading.Event()
        self.cancel_flags[operation_id] = cancelled
        worker_ctx = RequestContext(ctx.state, ctx.rules, ctx.token, ctx.shop, ctx.base_url, self)
        thread = threading.Thread(
            target=self._run,
            args=(worker_ctx, schema, query, operation_id, cancelled),
            name=f"bulk-{operation_id}",
            daemon=True,
        )
        self.threads.append(thread)
        thread.start()
        record = self.get(operation_id)
        assert record is not None
        return record

    def _run(
        self,
        ctx: RequestContext,
        schema: GraphQLSchema,
        query: str,
        operation_id: int,
        cancelled: threading.Event,
    ) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"{operation_id}.jsonl"
        self._update(operation_id, status="RUNNING")
        document = parse(query)
        operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        try:
            with target.open("w", encoding="utf-8") as out:
                executor = _Executor(ctx, out, cancelled)
                executor.run(operation, _Root(ctx, schema))
        except Exception:  # noqa: BLE001 - any failure is reported as Shopify reports it
            self._update(
                operation_id,
                status="FAILED",
                error_code="INTERNAL_SERVER_ERROR",
                completed_at=now_iso(),
            )
            return
        if cancelled.is_set():
            self._update(
                operation_id,
                status="CANCELED",
                object_count=executor.objects,
                root_object_count=executor.roots,
                path=str(target),
            )
            return
        self._update(
            operation_id,
            status="COMPLETED",
            completed_at=now_iso(),
            object_count=executor.objects,
            root_object_count=executor.roots,
            file_size=target.stat().st_size,
            path=str(target),
        )

    def wait(self, timeout: float | None = None) -> None:
        for thread in list(self.threads):
            thread.join(timeout)


# -- resolvers -----------------------------------------------------------------------------


def _runner(info: Info) -> BulkRunner:
    runner = info.context.bulk
    assert isinstance(runner, BulkRunner)
    return runner


def bulkOperationRunQuery(root: Any, info: Info, query: str, **args: Any) -> dict[str, Any]:
    ctx = info.context
    runner = _runner(info)
    from .schema import schema_for

    schema = schema_for(ctx.version)
    problems = _bulk_errors(schema, query)
    if problems:
        errors = [UserError(path("query"), text, "INVALID").as_dict() for text in problems]
        return {"bulkOperation": None, "userErrors": errors}
    running = [
        r
        for r in runner.for_app(ctx.token.fingerprint)
        if r.type == "QUERY" and r.status in ("CREATED", "RUNNING", "CANCELING")
    ]
    if len(running) >= ctx.rules.bulk_query_concurrency:
        gids = ", ".join(
            ids.gid("BulkOperation", r.id) for r in sorted(running, key=lambda r: r.id)
        )
        message = f"A bulk query operation for this app and shop is already in progress: {gids}."
        return {
            "bulkOperation": None,
            "userErrors": [UserError(None, message, "OPERATION_IN_PROGRESS").as_dict()],
        }
    record = runner.submit(ctx, schema, query)
    return {"bulkOperation": BulkOperation(record, ctx.base_url), "userErrors": []}


def bulkOperationCancel(root: Any, info: Info, id: str) -> dict[str, Any]:
    ctx = info.context
    runner = _runner(info)
    number = ids.parse(id, "BulkOperation")
    record = runner.get(number) if number is not None else None
    if record is None or record.scope != ctx.token.fingerprint:
        error = UserError(path("id"), "Bulk operation does not exist")
        return {"bulkOperation": None, "userErrors": [error.as_dict()]}
    if record.status in ("COMPLETED", "FAILED", "CANCELED", "EXPIRED"):
        error = UserError(
            None, f"A bulk operation cannot be canceled when it is {record.status.lower()}"
        )
        return {
            "bulkOperation": BulkOperation(record, ctx.base_url),
            "userErrors": [error.as_dict()],
        }
    runner._update(record.id, status="CANCELING")
    flag = runner.cancel_flags.get(record.id)
    if flag is not None:
        flag.set()
    record = runner.get(record.id)
    assert record is not None
    return {"bulkOperation": BulkOperation(record, ctx.base_url), "userErrors": []}


def bulkOperation(root: Any, info: Info, id: str) -> BulkOperation | None:
    number = ids.parse(id, "BulkOperation")
    if number is None:
        raise GraphQLError(f"Invalid id: {id}", extensions={"code": "RESOURCE_NOT_FOUND"})
    return _runner(info).node(info.context, number)


def currentBulkOperation(root: Any, info: Info, type: str = "QUERY") -> BulkOperation | None:
    ctx = info.context
    for record in _runner(info).for_app(ctx.token.fingerprint):
        if record.type == type:
            return BulkOperation(record, ctx.base_url)
    return None


def bulkOperations(root: Any, info: Info, **args: Any) -> Connection:
    ctx = info.context
    records = _runner(info).for_app(ctx.token.fingerprint)
    query = (args.get("query") or "").lower()
    rows = []
    for record in records:
        if "status:" in query and f"status:{record.status.lower()}" not in query:
            continue
        if "operation_type:" in query and f"operation_type:{record.type.lower()}" not in query:
            continue
        rows.append(((record.created_at, -record.id), BulkOperation(record, ctx.base_url)))
    # newest first by default (sortKey CREATED_AT)
    rows.sort(key=lambda r: r[0], reverse=True)
    keyed = [((i, i), node) for i, (_, node) in enumerate(rows)]
    return list_connection(keyed, args)


QUERIES = {
    "bulkOperation": bulkOperation,
    "bulkOperations": bulkOperations,
    "currentBulkOperation": currentBulkOperation,
}
MUTATIONS = {
    "bulkOperationCancel": bulkOperationCancel,
    "bulkOperationRunQuery": bulkOperationRunQuery,
}
