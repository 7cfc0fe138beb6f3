"""Bulk queries checked and compiled: what Shopify refuses, and the plan the export walks.

The checks and their messages are Shopify's (facts §10.1, captures §3.14): at least one and
at most five connections, nesting depth two, ``edges { node }`` rather than ``nodes``, no
top-level ``node``, the parent ``node`` of a nested connection selects ``id``, no connection
inside a list field, query operations only. The plan is the query compiled once over the
schema, so the export (`bulk_export`) does not go through graphql-core's executor.
"""

# ruff: noqa: N802, N803 - names mirror Shopify's GraphQL fields and arguments

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
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

from .graphql_errors import validation_errors

MAX_CONNECTIONS = 5
MAX_DEPTH = 2

NO_CONNECTION = "Bulk queries must contain at least one connection."
TOO_MANY_CONNECTIONS = f"Bulk queries cannot contain more than {MAX_CONNECTIONS} connections."
TOO_DEEP = f"Bulk queries cannot contain connections with a nesting depth greater than {MAX_DEPTH}."
TOP_LEVEL_NODE = "Bulk queries cannot contain a top level `{field}` field."
# The example names the (first) connection used: 'orders { edges { node {' for an orders query
# (captures §3.14, bulk-operation-run-query-validators ordersNodesInsteadOfEdges).
VIA_NODES = (
    "All connection fields in a bulk query must select their contents using 'edges' > 'node', "
    "e.g: '{example} {{ edges {{ node {{'. Selecting via 'nodes' is not supported. "
    "Invalid connection fields: {fields}."
)
# Checked before anything else, on the UTF-8 size (captures §3.14: 65,536 bytes refused).
MAX_QUERY_BYTES = 65535
TOO_LARGE = "Query is too large ({size} bytes; maximum is {limit} bytes)"

PARENT_WITHOUT_ID = (
    "The parent 'node' field for a nested connection must select the 'id' field without an "
    "alias and must be of 'ID' return type. Connection fields without 'id': {fields}."
)
CONNECTION_IN_LIST = (
    "Queries that contain a connection field within a list field are not currently supported."
)
ONLY_QUERIES = "Invalid operation type. Only `query` operations are supported."


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
    # (parent type, field, named return type) of every selected field: for scope checks
    positions: list[tuple[str, str, str]] = field(default_factory=list)


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
        self.positions: list[tuple[str, str, str]] = []

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
        self.positions.append((parent.name, name, named.name))
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
    size = len(query.encode("utf-8"))
    if size > MAX_QUERY_BYTES:
        return QueryPlan(empty, [], [TOO_LARGE.format(size=size, limit=MAX_QUERY_BYTES)])
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
        return QueryPlan(root, connections, problems, compiler.positions)
    via_nodes = [c.name for c in connections if c.via_nodes]
    if via_nodes:
        fields = ", ".join(f"'{n}'" for n in via_nodes)
        problems.append(VIA_NODES.format(example=via_nodes[0], fields=fields))
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
    return QueryPlan(root, connections, problems, compiler.positions)
