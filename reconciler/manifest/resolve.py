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

Every place gets a `Spot`: its line (for a mapping member, the key's line) and its readable
address. Problems that come from the YAML itself rather than from the schema (duplicate keys,
keys that are not text, ambiguous numbers) are reported here.
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
    node: Node


@dataclass(slots=True)
class Resolved:
    """One document, typed: its value, where each place is, and what was wrong at this stage."""

    file: str
    sha256: str
    value: Any
    spots: dict[Pointer, Spot] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    flagged: set[Pointer] = field(default_factory=set)  # places already reported

    def spot(self, pointer: Pointer) -> Spot:
        """The place itself, else its nearest parent that has one."""
        while pointer not in self.spots:
            pointer = pointer[:-1]
        return self.spots[pointer]

    def problem(self, pointer: Pointer, message: str) -> Problem:
        spot = self.spot(pointer)
        return Problem(message, self.file, spot.line, spot.address or None)


def resolve(document: Document, view: SchemaView) -> Resolved:
    assert document.root is not None
    resolved = Resolved(document.file, document.sha256, None)
    walker = _Walker(resolved, view)
    resolved.spots[()] = Spot(document.root.line, "", document.root)
    resolved.value = walker.value(document.root, view.top(), (), "")
    return resolved


class _Walker:
    def __init__(self, resolved: Resolved, view: SchemaView) -> None:
        self.resolved = resolved
        self.view = view

    def value(self, node: Node, place: Place, pointer: Pointer, where: str) -> Any:
        if isinstance(node, Scalar):
            return self.scalar(node, place.types, pointer)
        if isinstance(node, SequenceNode):
            element = self.view.element(place)
            out: list[Any] = []
            for position, item in enumerate(node.items):
                child = (*pointer, position)
                child_where = address.index(where, position)
                self.resolved.spots[child] = Spot(item.line, child_where, item)
                out.append(self.value(item, element, child, child_where))
            return out
        return self.mapping(node, place, pointer, where)

    def mapping(self, node: MappingNode, place: Place, pointer: Pointer, where: str) -> Any:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        as_field = not place.is_map
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
            child_where = address.field(where, name) if as_field else address.key(where, name)
            if name in out:
                self.report(
                    child,
                    f"duplicate key: already declared at line {first_line[name]}; YAML would keep "
                    "only one of them, so merge the two into one entry",
                    line=entry.key.line,
                    where=child_where,
                    flag=False,
                )
                continue
            first_line[name] = entry.key.line
            self.resolved.spots[child] = Spot(entry.key.line, child_where, entry.value)
            out[name] = self.value(entry.value, self.view.member(place, name), child, child_where)
        return out

    def scalar(self, node: Scalar, types: frozenset[str], pointer: Pointer) -> Any:
        if not node.plain:
            return node.text
        text = node.text
        if text in NULLS:
            return None
        if "boolean" in types and (text in TRUES or text in FALSES):
            return text in TRUES
        if "string" in types:
            return text
        if types & {"integer", "number"} and INTEGER.match(text):
            digits = text.lstrip("+-")
            if len(digits) > MAX_DIGITS:
                self.report(pointer, f"a number with {len(digits)} digits is far too large")
                return text
            if len(digits) > 1 and digits.startswith("0"):
                self.report(
                    pointer,
                    f"{text} has a leading zero, which YAML 1.1 tools read as octal; "
                    f"write {int(text)} (or quote it if you mean text)",
                )
                return text
            return int(text)
        if "number" in types and DECIMAL.match(text):
            return Decimal(text)
        return generic(text)

    def report(
        self,
        pointer: Pointer,
        message: str,
        line: int | None = None,
        where: str | None = None,
        flag: bool = True,
    ) -> None:
        """Record a problem; `flag` marks the place so schema errors there are not repeated."""
        spot = self.resolved.spot(pointer)
        address_ = spot.address if where is None else where
        self.resolved.problems.append(
            Problem(message, self.resolved.file, line or spot.line, address_ or None)
        )
        if flag:
            self.resolved.flagged.add(pointer)


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
