"""Node tree → JSON-like value, typing each plain scalar by what the schema expects there.

YAML gives a plain (unquoted) scalar no type of its own that we trust; the schema does. Where
the schema expects text (a SKU, a country, an HS code, a cost), a plain scalar stays exactly the
text written: ``NO`` stays ``"NO"``, ``0621710`` stays ``"0621710"``, ``12345`` stays
``"12345"``, ``2024-01-05`` stays ``"2024-01-05"``. Where it expects a boolean, only YAML 1.2's
``true``/``false`` are booleans (``yes``/``on`` stay text, and the schema then says so). Where it
expects a number, digits become an ``int`` or an exact ``Decimal`` (never a float, so ``10.1``
stays 10.1). Quoted and block scalars are always text.

Anything the schema does not know (a misspelt key) is typed by YAML 1.2 core rules, only so
that messages can say what was found.

Every place gets a line (for a mapping member, the key's line); its readable address is worked
out from the schema when needed. Problems that come from the YAML itself rather than from the
schema (duplicate keys, keys that are not text, ambiguous numbers) are reported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reconciler.errors import Problem

from . import address
from .address import Pointer
from .load import Document, MappingNode, Node, Scalar, SequenceNode
from .schema import Place, SchemaView

NULLS = frozenset({"", "~", "null", "Null", "NULL"})
TRUES = frozenset({"true", "True", "TRUE"})
FALSES = frozenset({"false", "False", "FALSE"})
INTEGER = re.compile(r"^[-+]?[0-9]+$")
DECIMAL = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
MAX_DIGITS = 100  # far beyond any bound we check; keeps int() away from its own digit limit


@dataclass(frozen=True, slots=True)
class Spot:
    line: int
    address: str  # "" for the document itself
    node: Node | None  # as written; only documents read through the node tree have it


@dataclass(slots=True)
class Resolved:
    """One document, typed: its value, the line of each place, and what was wrong so far.

    `lines` holds a line for every place (for a mapping member, its key's line); readable
    addresses are worked out from the schema only when a message or a Source needs one.
    `nodes` (the scalars and collections as written) exists only for documents read through
    the node tree, where explain.py may quote how a value was written.
    """

    file: str
    sha256: str
    value: Any
    view: SchemaView
    lines: dict[Pointer, int] = field(default_factory=dict)
    nodes: dict[Pointer, Node] | None = None
    unfit: dict[Pointer, Scalar] = field(default_factory=dict)  # see `node`
    problems: list[Problem] = field(default_factory=list)
    flagged: set[Pointer] = field(default_factory=set)  # places already reported

    def known(self, pointer: Pointer) -> Pointer:
        """The place itself, else its nearest parent that has a line."""
        while pointer not in self.lines:
            pointer = pointer[:-1]
        return pointer

    def spot(self, pointer: Pointer) -> Spot:
        pointer = self.known(pointer)
        return Spot(self.lines[pointer], self.address(pointer), self.node(pointer))

    def node(self, pointer: Pointer) -> Node | None:
        """How a place was written, as far as known. A document read through the node tree
        knows every place. One read in a single pass keeps, in `unfit`, the scalars whose type
        does not fit their place (the values a type error quotes), and knows the kind of its
        mappings and lists (a node without its contents); other scalars are None."""
        if self.nodes is not None:
            return self.nodes.get(pointer)
        if pointer in self.unfit:
            return self.unfit[pointer]
        value = self.value
        for part in pointer:
            value = value[part]
        if isinstance(value, dict):
            return MappingNode((), self.lines[pointer])
        if isinstance(value, list):
            return SequenceNode((), self.lines[pointer])
        return None

    def address(self, pointer: Pointer) -> str:
        """``items[3].levels["East Warehouse"].available``: data keys quoted, fields dotted."""
        place, where = self.view.top(), ""
        for part in pointer:
            if isinstance(part, int):
                where, place = address.index(where, part), self.view.element(place)
            else:
                step = address.key if place.is_map else address.field
                where, place = step(where, part), self.view.member(place, part)
        return where

    def problem(self, pointer: Pointer, message: str) -> Problem:
        pointer = self.known(pointer)
        return Problem(message, self.file, self.lines[pointer], self.address(pointer) or None)


def resolve(document: Document, view: SchemaView) -> Resolved:
    assert document.root is not None
    resolved = Resolved(document.file, document.sha256, None, view, nodes={})
    walker = _Walker(resolved, view)
    walker.place((), document.root.line, document.root)
    resolved.value = walker.value(document.root, view.top(), ())
    return resolved


class _Walker:
    def __init__(self, resolved: Resolved, view: SchemaView) -> None:
        self.resolved = resolved
        self.view = view

    def place(self, pointer: Pointer, line: int, node: Node) -> None:
        self.resolved.lines[pointer] = line
        assert self.resolved.nodes is not None
        self.resolved.nodes[pointer] = node

    def value(self, node: Node, place: Place, pointer: Pointer) -> Any:
        if isinstance(node, Scalar):
            value, problem = scalar(node.text, node.plain, place.types)
            if problem is not None:
                self.report(pointer, problem)
            return value
        if isinstance(node, SequenceNode):
            element = self.view.element(place)
            out: list[Any] = []
            for position, item in enumerate(node.items):
                child = (*pointer, position)
                self.place(child, item.line, item)
                out.append(self.value(item, element, child))
            return out
        return self.mapping(node, place, pointer)

    def mapping(self, node: MappingNode, place: Place, pointer: Pointer) -> Any:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for entry in node.entries:
            if not isinstance(entry.key, Scalar):
                kind = "a list" if isinstance(entry.key, SequenceNode) else "a mapping"
                self.report(
                    pointer, f"a key must be text, not {kind}", line=entry.key.line, flag=False
                )
                continue
            name = entry.key.text
            if entry.key.plain and name in NULLS:
                self.report(
                    pointer,
                    "a key is empty; write a name before the colon",
                    line=entry.key.line,
                    flag=False,
                )
                continue
            child = (*pointer, name)
            if name in out:
                self.report(
                    child,
                    f"duplicate key: already declared at line {first_line[name]}; YAML would keep "
                    "only one of them, so merge the two into one entry",
                    line=entry.key.line,
                    flag=False,
                )
                continue
            first_line[name] = entry.key.line
            self.place(child, entry.key.line, entry.value)
            out[name] = self.value(entry.value, self.view.member(place, name), child)
        return out

    def report(
        self, pointer: Pointer, message: str, line: int | None = None, flag: bool = True
    ) -> None:
        """Record a problem; `flag` marks the place so schema errors there are not repeated."""
        problem = self.resolved.problem(pointer, message)
        if line is not None:
            problem = Problem(message, problem.file, line, problem.path)
        self.resolved.problems.append(problem)
        if flag:
            self.resolved.flagged.add(pointer)


def scalar(text: str, plain: bool, types: frozenset[str]) -> tuple[Any, str | None]:
    """A scalar typed by what the schema expects here, and what is wrong with it (or None).

    Quoted and block scalars are text; plain ones are null, a YAML 1.2 boolean, text, an int
    or an exact Decimal as `types` allow, else typed by YAML 1.2 core rules (`generic`).
    """
    if not plain:
        return text, None
    if text in NULLS:
        return None, None
    if "boolean" in types and (text in TRUES or text in FALSES):
        return text in TRUES, None
    if "string" in types:
        return text, None
    if ("integer" in types or "number" in types) and INTEGER.match(text):
        digits = text.lstrip("+-")
        if len(digits) > MAX_DIGITS:
            return text, f"a number with {len(digits)} digits is far too large"
        if len(digits) > 1 and digits.startswith("0"):
            return text, (
                f"{text} has a leading zero, which YAML 1.1 tools read as octal; "
                f"write {int(text)} (or quote it if you mean text)"
            )
        return int(text), None
    if "number" in types and DECIMAL.match(text):
        return Decimal(text), None
    return generic(text), None


def fits(value: Any, types: frozenset[str]) -> bool:
    """Whether a typed scalar is of one of the JSON types `types` (as jsonschema counts)."""
    if value is None:
        return "null" in types
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int):
        return "integer" in types or "number" in types
    if isinstance(value, Decimal):
        return "number" in types
    return "string" in types


def generic(text: str) -> Any:
    """A plain scalar by YAML 1.2 core rules (used where the schema expects nothing in particular)."""
    if text in NULLS:
        return None
    if text in TRUES or text in FALSES:
        return text in TRUES
    if INTEGER.match(text) and len(text) <= MAX_DIGITS:
        return int(text)
    if DECIMAL.match(text) and len(text) <= MAX_DIGITS:
        return Decimal(text)
    return text
