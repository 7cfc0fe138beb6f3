"""Calculated query cost and the leaky bucket, as Shopify computes them today.

Requested cost (static, before execution) follows the rules recovered from real responses
(docs/shopify-captures.md §1.2): scalars, ``cursor``, ``edges`` and ``pageInfo`` are free; an
object costs 1 plus its children; a plain list of objects costs 1 plus its children (not times
its length); a connection costs ``2 + M(n) × (1 + children of a node)`` with
``M(n) = max(1, floor(2·ln n))``; every mutation root costs 10 and the objects directly inside
its payload are free. A connection selecting both ``edges { node }`` and ``nodes`` pays for
both; money, addresses and measurements are free, a few computed scalars cost 1, a root
``Count`` costs 10, and skipped fields nothing (§1.6). Fragments on an interface charge the
dearest concrete type with every fragment that applies to it. Actual cost uses the same rules
with the number of nodes really returned and an unrounded multiplier, floored at the end (§1.4).

The bucket is per app and shop: admission needs ``requested <= currentlyAvailable``; the
actual cost is what stays charged.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef
from graphql.utilities import value_from_ast_untyped

MUTATION_BASE = 10
MAX_QUERY_COST = 1000
FREE_FIELDS = frozenset({"__typename", "cursor", "pageInfo", "edges"})
# Objects Shopify does not charge for, children included: value objects stored with their
# parent (captures §1.6: `Location.address` 1 vs 2, `measurement { weight }` 27 vs 29, money
# 236 + 162 recorded requests).
FREE_TYPES = frozenset(
    {"MoneyV2", "MoneyBag", "LocationAddress", "InventoryItemMeasurement", "Weight"}
)
# Fields whose cost is not the default for their kind (captures §1.6): a scalar Shopify
# computes on demand costs 1 like an object (`locations(first: 20)` of seven scalars: 12).
FIELD_COSTS: dict[tuple[str, str], int] = {("Location", "hasUnfulfilledOrders"): 1}
# A root field returning `Count` (productsCount, locationsCount, ...) costs 10 (captures §1.6:
# `locationsCount` twice next to six connections, 53; `productsCount` alone, 10).
ROOT_COUNT_COST = 10

PLANS: dict[str, tuple[float, float]] = {
    # plan: (bucket size, restore rate per second) (facts §9; captures §1.1)
    "standard": (2000.0, 100.0),
    "advanced": (4000.0, 200.0),
    "plus": (20000.0, 1000.0),
    "enterprise": (40000.0, 2000.0),
}


def page_multiplier(n: int) -> int:
    """M(n): how many nodes a page of n is charged for when requesting it."""
    if n <= 0:
        return 0
    return max(1, math.floor(2 * math.log(n)))


def _actual_multiplier(n: int) -> float:
    if n <= 0:
        return 0.0
    if n == 1:
        return 1.0
    return 2 * math.log(n)


Path = tuple[str | int, ...]


class _Walker:
    """Walks a selection with (actual cost) or without (requested cost) the response data."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        denied: frozenset[Path] = frozenset(),
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.denied = denied
        # Memos keyed by AST node identity (the document outlives the walker): a response
        # walks the same selection once per object, and a large read has thousands.
        self._fields_memo: dict[int, list[tuple[FieldNode, str | None]]] = {}
        self._charged_memo: dict[tuple[int, int], list[_Charged]] = {}
        self._concrete_memo: dict[str, frozenset[str]] = {}

    def _fields(self, selection_set: SelectionSetNode | None) -> list[tuple[FieldNode, str | None]]:
        """Fields of a selection, with the type condition of the fragment they came from."""
        if selection_set is None:
            return []
        found = self._fields_memo.get(id(selection_set))
        if found is None:
            found = self._fields_memo[id(selection_set)] = self._collect(selection_set)
        return found

    def _collect(self, selection_set: SelectionSetNode) -> list[tuple[FieldNode, str | None]]:
        out: list[tuple[FieldNode, str | None]] = []
        for selection in selection_set.selections:
            if not self._included(selection):
                continue  # @skip / @include: Shopify charges only what runs
            if isinstance(selection, FieldNode):
                out.append((selection, None))
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    selection.type_condition.name.value if selection.type_condition else None
                )
                out.extend(
                    (f, cond or condition) for f, cond in self._fields(selection.selection_set)
                )
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    condition = fragment.type_condition.name.value
                    out.extend(
                        (f, cond or condition) for f, cond in self._fields(fragment.selection_set)
                    )
        return out

    def _included(self, selection: Any) -> bool:
        for directive in selection.directives or ():
            name = directive.name.value
            if name not in ("skip", "include") or not directive.arguments:
                continue
            condition = value_from_ast_untyped(directive.arguments[0].value, self.variables)
            if bool(condition) == (name == "skip"):
                return False
        return True

    def _args(self, node: FieldNode) -> dict[str, Any]:
        return {
            arg.name.value: value_from_ast_untyped(arg.value, self.variables)
            for arg in node.arguments or ()
        }

    def _charged(self, parent: Any, selection_set: SelectionSetNode | None) -> list[_Charged]:
        """The fields of a selection on `parent` that can cost anything (free ones cost 0 and
        leave every sum and maximum below unchanged)."""
        memo_key = (id(parent), id(selection_set))
        found = self._charged_memo.get(memo_key)
        if found is not None:
            return found
        found = []
        for field_node, condition in self._fields(selection_set):
            owner = self.schema.get_type(condition) if condition else parent
            if not isinstance(owner, GraphQLObjectType | GraphQLInterfaceType):
                continue
            field = owner.fields.get(field_node.name.value)
            if field is None:
                continue
            flat = _flat_cost(owner.name, field_node, field)
            if flat == 0 or (flat is None and _always_free(field_node, field)):
                continue
            key = field_node.alias.value if field_node.alias else field_node.name.value
            found.append((field_node, condition, field, key, flat))
        self._charged_memo[memo_key] = found
        return found

    def _children(
        self, parent: Any, selection_set: SelectionSetNode | None, data: Any, path: Path
    ) -> float:
        """Cost of a selection on `parent` (an object, interface or union type)."""
        groups: dict[str | None, float] = {}
        for field_node, condition, field, key, flat in self._charged(parent, selection_set):
            if isinstance(data, dict):
                if key not in data:
                    continue  # a fragment that did not apply to this object
                value = data[key]
            else:
                value = _MISSING
            if flat is not None:
                cost = float(flat)
            else:
                cost = self._field(field_node, field, value, (*path, key))
            groups[condition] = groups.get(condition, 0.0) + cost
        if not groups:
            return 0.0
        plain = groups.pop(None, 0.0)
        return plain + (self._dearest_type(groups) if groups else 0.0)

    def _dearest_type(self, groups: dict[str | None, float]) -> float:
        """Fragments on an interface or union: the dearest concrete type counts, charged for
        every fragment that applies to it (`... on HasMetafields` and `... on Product` add
        up for a product; `... on InventoryItem` and `... on InventoryLevel` do not)."""
        named = {name: cost for name, cost in groups.items() if name is not None}
        if len(named) == 1:
            return next(iter(named.values()))
        applies = {name: self._concrete(name) for name in named}
        every = frozenset[str]().union(*applies.values())
        totals = [sum(c for name, c in named.items() if t in applies[name]) for t in every]
        return max(totals, default=0.0)

    def _concrete(self, type_name: str) -> frozenset[str]:
        found = self._concrete_memo.get(type_name)
        if found is None:
            named = self.schema.get_type(type_name)
            if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
                found = frozenset(t.name for t in self.schema.get_possible_types(named))
            else:
                found = frozenset({type_name})
            self._concrete_memo[type_name] = found
        return found

    def _field(self, node: FieldNode, field: Any, data: Any, path: Path) -> float:
        if _always_free(node, field):
            return 0.0
        named = get_named_type(field.type)
        if data is None:
            if path in self.denied:  # refused for lack of scope: charged as requested
                return self._field(node, field, _MISSING, path)
            return 0.0  # a null object: nothing charged (actual cost only)
        if named.name.endswith("Connection") and "first" in field.args:
            return self._connection(node, named, data, path)
        if isinstance(data, list):
            # a plain list of objects: 1 plus its children, not multiplied by its length
            if not self._charged(named, node.selection_set):
                return 1.0  # every item's children are free
            kids = [
                self._children(named, node.selection_set, item, (*path, i))
                for i, item in enumerate(data)
                if item is not None
            ]
            return 1.0 + max(kids, default=0.0)
        return 1.0 + self._children(named, node.selection_set, data, path)

    def _connection(self, node: FieldNode, connection: Any, data: Any, path: Path) -> float:
        """2 + M(n) x (cost of one node); n is the page size asked for, or the nodes returned."""
        static = data is _MISSING
        node_type = get_named_type(connection.fields["nodes"].type)
        per_node, returned = 0.0, 0
        for child, _ in self._fields(node.selection_set):
            key = child.alias.value if child.alias else child.name.value
            child_data = _MISSING if static else (data.get(key) if isinstance(data, dict) else None)
            if child.name.value == "nodes":
                items = None if static else list(child_data or [])
                paths = [(*path, key, i) for i in range(len(items or []))]
                per_node += self._node_cost(node_type, child.selection_set, items, paths)
                returned = max(returned, len(items or []))
            elif child.name.value == "edges":
                edges = None if static else list(child_data or [])
                for edge_child, _ in self._fields(child.selection_set):
                    if edge_child.name.value != "node":
                        continue
                    edge_key = edge_child.alias.value if edge_child.alias else "node"
                    items = None if edges is None else [e.get(edge_key) for e in edges]
                    paths = [(*path, key, i, edge_key) for i in range(len(items or []))]
                    per_node += self._node_cost(node_type, edge_child.selection_set, items, paths)
                returned = max(returned, len(edges or []))
        if static:
            args = self._args(node)
            size = args.get("first") if args.get("first") is not None else args.get("last")
            return 2.0 + page_multiplier(int(size or 0)) * per_node
        return 2.0 + _actual_multiplier(returned) * per_node

    def _node_cost(
        self,
        named: Any,
        selection: SelectionSetNode | None,
        items: list[Any] | None,
        paths: list[Path],
    ) -> float:
        if items is None:
            return 1.0 + self._children(named, selection, _MISSING, ())
        costs = [
            1.0 + self._children(named, selection, item, item_path)
            for item, item_path in zip(items, paths, strict=True)
            if item is not None
        ]
        return max(costs, default=0.0)


_Charged = tuple[FieldNode, str | None, Any, str, int | None]
# (node, fragment condition, field, response key, flat cost if the field has one)


def _flat_cost(owner: str, node: FieldNode, field: Any) -> int | None:
    """The fixed cost of a field that does not follow the rule of its kind, else None."""
    found = FIELD_COSTS.get((owner, node.name.value))
    if found is not None:
        return found
    return 0 if get_named_type(field.type).name in FREE_TYPES else None


def _always_free(node: FieldNode, field: Any) -> bool:
    """Scalars, enums and the connection plumbing cost nothing, whatever the data."""
    return node.name.value in FREE_FIELDS or is_leaf_type(get_named_type(field.type))


class _Missing:
    """Marks "no response data": the walker is computing the requested (static) cost."""

    def get(self, key: str) -> _Missing:
        return self


_MISSING: Any = _Missing()


def _fragments(document: Any) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


_INTROSPECTION = {"__type": TypeMetaFieldDef, "__schema": SchemaMetaFieldDef}


def _root_cost(
    walker: _Walker, schema: GraphQLSchema, operation: OperationDefinitionNode, data: Any
) -> float:
    is_mutation = operation.operation.value == "mutation"
    root = schema.mutation_type if is_mutation else schema.query_type
    if root is None:
        return 0.0
    total = 0.0
    static = data is _MISSING
    for field_node, _ in walker._fields(operation.selection_set):
        key = field_node.alias.value if field_node.alias else field_node.name.value
        value = data.get(key, None) if isinstance(data, dict) else _MISSING
        meta = _INTROSPECTION.get(field_node.name.value)
        if meta is not None and not is_mutation:
            # Introspection: objects cost as usual when requested; actually charged flat
            # (captures §1.4: three `__type{inputFields{name}}` requested 6, actual 3).
            if static:
                total += walker._field(field_node, meta, value, (key,))
            elif value is not None:
                total += 1.0
            continue
        field = root.fields.get(field_node.name.value)
        if field is None:
            continue
        if not is_mutation:
            if get_named_type(field.type).name == "Count":
                total += ROOT_COUNT_COST if static or value is not None else 0.0
                continue
            total += walker._field(field_node, field, value, (key,))
            continue
        total += MUTATION_BASE
        if value is None:
            continue
        payload = get_named_type(field.type)
        # objects directly inside a mutation payload are free; their children are not
        for child, _ in walker._fields(field_node.selection_set):
            child_field = (
                payload.fields.get(child.name.value) if hasattr(payload, "fields") else None
            )
            if child_field is None:
                continue
            child_key = child.alias.value if child.alias else child.name.value
            child_value = value.get(child_key) if isinstance(value, dict) else _MISSING
            cost = walker._field(child, child_field, child_value, (key, child_key))
            child_named = get_named_type(child_field.type)
            if not is_leaf_type(child_named) and not child_named.name.endswith("Connection"):
                charged = child_value is not None or (key, child_key) in walker.denied
                cost = max(0.0, cost - 1.0) if charged else 0.0
            total += cost
    return total


def requested_cost(
    schema: GraphQLSchema,
    document: Any,
    operation: OperationDefinitionNode,
    variables: dict[str, Any],
) -> int:
    """The cost Shopify announces before running a request (captures §1.2)."""
    walker = _Walker(schema, _fragments(document), variables)
    return int(_root_cost(walker, schema, operation, _MISSING))


def actual_cost(
    schema: GraphQLSchema,
    document: Any,
    operation: OperationDefinitionNode,
    variables: dict[str, Any],
    data: dict[str, Any] | None,
    denied: set[Path] | frozenset[Path] = frozenset(),
) -> int:
    """What the response really cost: the same rules over what came back (captures §1.4).

    `denied` holds response paths refused with ACCESS_DENIED; they stay charged.
    """
    if data is None:
        return 0
    walker = _Walker(schema, _fragments(document), variables, frozenset(denied))
    total = _root_cost(walker, schema, operation, data)
    return max(1, math.floor(total + 1e-9))


@dataclass
class ThrottleStatus:
    maximum: float
    available: float
    restore_rate: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "maximumAvailable": self.maximum,
            "currentlyAvailable": int(self.available),
            "restoreRate": self.restore_rate,
        }


class Bucket:
    """A leaky bucket of cost points for one app on one shop."""

    def __init__(self, plan: str = "standard", clock: Any = time.monotonic) -> None:
        self.maximum, self.restore_rate = PLANS[plan]
        self.available = self.maximum
        self.clock = clock
        self.updated = clock()
        self.lock = threading.Lock()

    def _refill(self) -> None:
        now = self.clock()
        self.available = min(
            self.maximum, self.available + (now - self.updated) * self.restore_rate
        )
        self.updated = now

    def admit(self, requested: int) -> bool:
        """Reserve `requested` points if the bucket holds them (Shopify's admission test)."""
        with self.lock:
            self._refill()
            if requested > self.available:
                return False
            self.available -= requested
            return True

    def settle(self, requested: int, actual: int) -> ThrottleStatus:
        """Give back what the request did not use: the actual cost is what stays charged.

        Returns the status the response reports: the bucket as admitted minus the actual cost
        (captures §1.1: a full bucket and actual 46 answer 1954). What leaked back in while
        the request ran is counted at the next request (`updated` is left as it was).
        """
        with self.lock:
            self.available = min(self.maximum, self.available + max(0, requested - actual))
            return ThrottleStatus(self.maximum, self.available, self.restore_rate)

    def drain(self, to: float = 0.0) -> None:
        with self.lock:
            self._refill()
            self.available = max(0.0, min(self.maximum, to))

    def status(self) -> ThrottleStatus:
        with self.lock:
            self._refill()
            return ThrottleStatus(self.maximum, self.available, self.restore_rate)
