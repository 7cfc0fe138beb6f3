"""Read queries without graphql-core's per-field overhead, answering exactly what it would.

graphql-core spends nearly all of a large inventory read in its own bookkeeping: a resolve-info
object, the middleware, awaitable checks and a completion call for every field of every object.
For a query operation this module compiles the document once into a plan (fields collected and
merged per object type as graphql-core collects them, argument definitions, how each type is
completed) and walks it over the very same root resolvers and adapters graphql-core calls
(`resolvers`, `bulk`, `nodes`), with the same arguments, resolve info and call order. The
answer is the ``data`` graphql-core would produce, or ``None`` whenever it would be anything
but plain data, and the engine then runs graphql-core instead:

* no plan: mutations and subscriptions, introspection (``__schema``, ``__type``), directives
  on the operation or its selections (``@skip``, ``@include``, ``@defer``), fragment variables;
* the token may not read a field of the plan (graphql-core answers ACCESS_DENIED with partial
  data; the check is `access.denial`, the middleware's own rule);
* during the walk: a resolver or adapter raises (``NotInSandbox``, a bad cursor, ...), a null
  in a non-null position, a leaf value its type does not pass through unchanged and cannot
  coerce, a list that is not a list, an abstract value of an unexpected type.

Reads change nothing in the store, so giving up half-way is safe; the engine hands graphql-core
a fresh request context, so nothing the walk recorded (search warnings) is counted twice.
tests/sandbox/test_fast_reads.py holds both executors to byte-identical responses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    NamedTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.values import VariableValues, get_argument_values
from graphql.pyutils import Path, Undefined, is_awaitable
from graphql.type.introspection import TypeNameMetaFieldDef

from . import access
from .context import RequestContext

_LEAF, _OBJECT, _ABSTRACT, _LIST = range(4)
_TYPENAME, _DEFAULT, _RESOLVER = range(3)  # how a field's value is obtained
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
# Built-in scalars whose output coercion returns a value of this Python type unchanged.
_PASS_THROUGH: dict[int, type] = {
    id(GraphQLString): str,
    id(GraphQLID): str,
    id(GraphQLBoolean): bool,
    id(GraphQLInt): int,
}

_IS_MAPPING: dict[type, bool] = {dict: True}
_UNBUILT: Any = object()  # a response path not built yet

AccessKey = tuple[str, str, str]  # (parent type, field, named return type), as the middleware


class Unsupported(Exception):
    """The document uses something the fast path does not reproduce."""


class GiveUp(Exception):
    """During a walk: graphql-core would not answer with plain data here."""


class _Completion:
    """How graphql-core completes a value of one (possibly wrapped) output type."""

    __slots__ = ("abstract", "branches", "field", "inner", "kind", "leaf", "non_null", "object")

    def __init__(self, kind: int, non_null: bool) -> None:
        self.kind = kind
        self.non_null = non_null
        self.leaf: GraphQLLeafType | None = None
        self.inner: _Completion | None = None  # _LIST: the items
        self.object: _ObjectPlan | None = None  # _OBJECT
        self.abstract: GraphQLAbstractType | None = None  # _ABSTRACT
        self.branches: dict[str, _ObjectPlan] = {}  # _ABSTRACT: per runtime type, on demand
        self.field: _FieldPlan | None = None


class _FieldPlan:
    __slots__ = (
        "completion",
        "definition",
        "has_args",
        "key",
        "name",
        "nodes",
        "non_null",
        "parent",
        "pass_through",
        "resolve",
        "typename",
    )

    def __init__(
        self, key: str, nodes: list[FieldNode], definition: GraphQLField, parent: GraphQLObjectType
    ) -> None:
        self.key = key
        self.name = nodes[0].name.value
        self.nodes = nodes
        self.definition = definition
        self.parent = parent
        self.resolve = definition.resolve
        self.typename = definition is TypeNameMetaFieldDef
        self.has_args = bool(definition.args or nodes[0].arguments)
        self.completion: _Completion | None = None
        self.non_null = is_non_null_type(definition.type)
        # A leaf whose values of this Python type are answered as they are (None: coerce).
        self.pass_through: type | None = None


_Step = tuple[str, str, int, "type | None", _FieldPlan]  # key, name, mode, pass-through, field


class _ObjectPlan:
    __slots__ = ("access", "allowed", "fields", "name", "plain", "steps")

    def __init__(self, type_: GraphQLObjectType) -> None:
        self.name = type_.name
        self.fields: list[_FieldPlan] = []
        self.steps: tuple[_Step, ...] = ()  # the fields, unpacked for the walk's inner loop
        # Only plain leaf attributes (name, pass-through type): objects read in one tight loop.
        self.plain: tuple[tuple[str, str, type], ...] | None = None
        # Every field reachable without an abstract type in between (those are checked when
        # their runtime type is first met).
        self.access: frozenset[AccessKey] = frozenset()
        self.allowed: dict[tuple[str, frozenset[str]], bool] = {}

    def readable(self, version: str, scopes: frozenset[str]) -> bool:
        key = (version, scopes)
        found = self.allowed.get(key)
        if found is None:
            found = all(access.denial(version, *k, scopes) is None for k in self.access)
            self.allowed[key] = found
        return found


class _Compiler:
    """Collects fields exactly as graphql-core's ``collect_fields`` does, per runtime type."""

    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments

    def _matches(self, condition: NamedTypeNode | None, runtime: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        conditional = self.schema.get_type(condition.name.value)
        if conditional is runtime:
            return True
        if conditional is not None and is_abstract_type(conditional):
            return self.schema.is_sub_type(conditional, runtime)
        return False

    def _visit(
        self,
        runtime: GraphQLObjectType,
        selection_set: SelectionSetNode,
        grouped: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if selection.directives:
                raise Unsupported("directives")
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._matches(selection.type_condition, runtime):
                    self._visit(runtime, selection.selection_set, grouped, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or not self._matches(fragment.type_condition, runtime):
                    continue
                if name in visited:
                    continue
                visited.add(name)
                if fragment.variable_definitions or fragment.directives:
                    raise Unsupported("fragment variables or directives")
                self._visit(runtime, fragment.selection_set, grouped, visited)
            else:  # pragma: no cover - graphql-core has no other selection kinds
                raise Unsupported(type(selection).__name__)

    def object_plan(
        self, type_: GraphQLObjectType, selection_sets: list[SelectionSetNode]
    ) -> _ObjectPlan:
        grouped: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()
        for selection_set in selection_sets:
            self._visit(type_, selection_set, grouped, visited)
        plan = _ObjectPlan(type_)
        reachable: set[AccessKey] = set()
        for key, nodes in grouped.items():
            name = nodes[0].name.value
            definition = TypeNameMetaFieldDef if name == "__typename" else type_.fields.get(name)
            if definition is None:  # introspection roots, or a document that skipped validation
                raise Unsupported(name)
            field = _FieldPlan(key, nodes, definition, type_)
            field.completion = self._completion(definition.type, field)
            completion = field.completion
            if completion.kind == _LEAF:
                assert completion.leaf is not None
                field.pass_through = _PASS_THROUGH.get(id(completion.leaf))
            reachable.add((type_.name, name, get_named_type(definition.type).name))
            reachable.update(_eager_access(completion))
            plan.fields.append(field)
        plan.access = frozenset(reachable)
        plan.steps = tuple(
            (
                f.key,
                f.name,
                _TYPENAME if f.typename else _DEFAULT if f.resolve is None else _RESOLVER,
                f.pass_through,
                f,
            )
            for f in plan.fields
        )
        plain = [
            (key, name, through)
            for key, name, mode, through, _ in plan.steps
            if mode == _DEFAULT and through is not None
        ]
        if len(plain) == len(plan.steps):
            plan.plain = tuple(plain)
        return plan

    def _completion(self, type_: GraphQLOutputType, field: _FieldPlan) -> _Completion:
        non_null = is_non_null_type(type_)
        inner: Any = type_.of_type if non_null else type_  # type: ignore[union-attr]
        if is_list_type(inner):
            completion = _Completion(_LIST, non_null)
            completion.inner = self._completion(inner.of_type, field)
        elif is_leaf_type(inner):
            completion = _Completion(_LEAF, non_null)
            completion.leaf = inner
        elif is_abstract_type(inner):
            completion = _Completion(_ABSTRACT, non_null)
            completion.abstract = inner
        elif is_object_type(inner):
            completion = _Completion(_OBJECT, non_null)
            completion.object = self.object_plan(inner, _selections(field.nodes))
        else:  # pragma: no cover - output types are one of the above
            raise Unsupported(str(inner))
        completion.field = field
        return completion

    def branch(self, completion: _Completion, runtime: GraphQLObjectType) -> _ObjectPlan:
        assert completion.field is not None
        return self.object_plan(runtime, _selections(completion.field.nodes))


def _plain_record(plain: tuple[tuple[str, str, type], ...], source: Any) -> dict[str, Any] | None:
    """An object whose fields are all plain leaf attributes (a quantity's name and number),
    read in one tight loop; None when any value needs the general path (it then starts over:
    attribute reads have no side effects)."""
    is_map = _IS_MAPPING.get(type(source))
    if is_map is None:
        is_map = _IS_MAPPING[type(source)] = isinstance(source, Mapping)
    if is_map:
        return None
    record: dict[str, Any] = {}
    for key, name, pass_through in plain:
        value = getattr(source, name, None)
        if type(value) is not pass_through or (
            pass_through is int and not _INT_MIN <= value <= _INT_MAX  # type: ignore[operator]
        ):
            return None
        record[key] = value
    return record


def _selections(nodes: list[FieldNode]) -> list[SelectionSetNode]:
    return [node.selection_set for node in nodes if node.selection_set is not None]


def _eager_access(completion: _Completion) -> frozenset[AccessKey]:
    while completion.kind == _LIST:
        assert completion.inner is not None
        completion = completion.inner
    if completion.kind == _OBJECT:
        assert completion.object is not None
        return completion.object.access
    return frozenset()


class ReadPlan:
    """A query operation compiled for the fast path (immutable, shared by requests)."""

    def __init__(
        self,
        compiler: _Compiler,
        operation: OperationDefinitionNode,
        root: _ObjectPlan,
    ) -> None:
        self.compiler = compiler
        self.operation = operation
        self.root = root


def compile_read(
    schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode], operation: Any
) -> ReadPlan | None:
    """The plan of a validated query operation, or None when only graphql-core can run it."""
    if not isinstance(operation, OperationDefinitionNode):
        return None
    if operation.operation is not OperationType.QUERY or operation.directives:
        return None
    if schema.query_type is None:
        return None
    compiler = _Compiler(schema, fragments)
    try:
        root = compiler.object_plan(schema.query_type, [operation.selection_set])
    except Unsupported:
        return None
    return ReadPlan(compiler, operation, root)


class _Walk:
    """One request's run of a plan: arguments coerced once per field, info built on demand."""

    def __init__(
        self,
        plan: ReadPlan,
        ctx: RequestContext,
        variables: VariableValues,
        version: str,
        scopes: frozenset[str],
    ) -> None:
        self.plan = plan
        self.schema = plan.compiler.schema
        self.fragments = plan.compiler.fragments
        self.ctx = ctx
        self.variables = variables
        self.version = version
        self.scopes = scopes
        self.arguments: dict[int, dict[str, Any]] = {}

    def _args(self, field: _FieldPlan) -> dict[str, Any]:
        found = self.arguments.get(id(field))
        if found is None:
            found = (
                get_argument_values(field.definition, field.nodes[0], self.variables)
                if field.has_args
                else {}
            )
            self.arguments[id(field)] = found
        return found

    def _info(self, field: _FieldPlan, path: Path) -> GraphQLResolveInfo[RequestContext]:
        return GraphQLResolveInfo(
            field.name,
            field.nodes,
            field.definition.type,
            field.parent,
            path,
            self.schema,
            self.fragments,
            None,
            self.plan.operation,
            self.variables,
            self.ctx,
            is_awaitable,
            None,
            None,  # type: ignore[arg-type]
        )

    def object(
        self,
        plan: _ObjectPlan,
        source: Any,
        prev: Path | None,
        key: str | int | None,
        typename: str | None,
    ) -> dict[str, Any]:
        """One object's selected fields. Its response path is (prev, key, typename), built
        only when a resolver or a child needs it (most objects of a large read never do)."""
        out: dict[str, Any] = {}
        source_type = type(source)
        is_map = _IS_MAPPING.get(source_type)
        if is_map is None:
            is_map = _IS_MAPPING[source_type] = isinstance(source, Mapping)
        path: Path | None = _UNBUILT
        type_name = plan.name
        for key_, name, mode, pass_through, field in plan.steps:
            field_path: Path | None = None
            if mode == _DEFAULT:
                value = source.get(name) if is_map else getattr(source, name, None)
                value_type = type(value)
                if value_type is pass_through:  # the common case: a plain leaf value
                    if value_type is not int or _INT_MIN <= value <= _INT_MAX:  # type: ignore[operator]
                        out[key_] = value
                        continue
                elif callable(value):
                    if path is _UNBUILT:
                        path = None if key is None else Path(prev, key, typename)
                    field_path = Path(path, key_, type_name)
                    value = value(self._info(field, field_path), **self._args(field))
            elif mode == _TYPENAME:
                out[key_] = type_name
                continue
            else:
                if path is _UNBUILT:
                    path = None if key is None else Path(prev, key, typename)
                field_path = Path(path, key_, type_name)
                resolve: Any = field.resolve
                value = resolve(source, self._info(field, field_path), **self._args(field))
            if value is None or value is Undefined:
                if field.non_null:
                    raise GiveUp
                out[key_] = None
                continue
            if type(value) is pass_through and (
                pass_through is not int or _INT_MIN <= value <= _INT_MAX  # type: ignore[operator]
            ):
                out[key_] = value
                continue
            if field_path is None:
                if path is _UNBUILT:
                    path = None if key is None else Path(prev, key, typename)
                field_path = Path(path, key_, type_name)
            completion = field.completion
            assert completion is not None
            out[key_] = self.complete(completion, value, field_path)
        return out

    def complete(self, completion: _Completion, value: Any, path: Path) -> Any:
        """A non-null value of the completion's type at `path`, as graphql-core completes it."""
        if isinstance(value, Exception):
            raise GiveUp
        kind = completion.kind
        if kind == _LEAF:
            assert completion.leaf is not None
            coerced = completion.leaf.coerce_output_value(value)
            if coerced is None or coerced is Undefined:
                raise GiveUp
            return coerced
        if kind == _OBJECT:
            assert completion.object is not None
            return self.object(completion.object, value, path.prev, path.key, path.typename)
        if kind == _LIST:
            if type(value) is not list and type(value) is not tuple:
                raise GiveUp  # graphql-core takes any iterable; lists are all the adapters give
            inner = completion.inner
            assert inner is not None
            items: list[Any] = []
            append = items.append
            item_plan = inner.object if inner.kind == _OBJECT else None
            plain = item_plan.plain if item_plan is not None else None
            for index, item in enumerate(value):
                if item is None or item is Undefined:
                    if inner.non_null:
                        raise GiveUp
                    append(None)
                elif item_plan is not None and not isinstance(item, Exception):
                    record = _plain_record(plain, item) if plain is not None else None
                    if record is None:
                        record = self.object(item_plan, item, path, index, None)
                    append(record)
                else:
                    append(self.complete(inner, item, Path(path, index, None)))
            return items
        plan = self._branch(completion, value, path)
        return self.object(plan, value, path.prev, path.key, path.typename)

    def _branch(self, completion: _Completion, value: Any, path: Path) -> _ObjectPlan:
        abstract = completion.abstract
        field = completion.field
        assert abstract is not None and field is not None
        if abstract.resolve_type is None:
            raise GiveUp
        name = abstract.resolve_type(value, self._info(field, path), abstract)
        if not isinstance(name, str):
            raise GiveUp
        plan = completion.branches.get(name)
        if plan is None:
            runtime = self.schema.get_type(name)
            if not isinstance(runtime, GraphQLObjectType) or not self.schema.is_sub_type(
                abstract, runtime
            ):
                raise GiveUp
            plan = self.plan.compiler.branch(completion, runtime)
            completion.branches[name] = plan
        if not plan.readable(self.version, self.scopes):
            raise GiveUp
        return plan


def run(
    plan: ReadPlan,
    ctx: RequestContext,
    variables: VariableValues,
    version: str,
    scopes: frozenset[str],
) -> dict[str, Any] | None:
    """The ``data`` graphql-core would answer, or None when it would answer anything else."""
    if not plan.root.readable(version, scopes):
        return None
    walk = _Walk(plan, ctx, variables, version, scopes)
    try:
        return walk.object(plan.root, None, None, None, None)
    except Exception:  # noqa: BLE001 - anything unusual is graphql-core's to answer
        return None
