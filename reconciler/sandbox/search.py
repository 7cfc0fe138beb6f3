"""Shopify's search syntax for the ``query`` argument of connections.

Supports what the inventory roots need (doc: Shopify API search syntax): ``field:value`` terms,
implicit AND, ``OR``, ``AND``, ``NOT``/``-``, parentheses, comparators ``:<``, ``:>``,
``:<=``, ``:>=``, single or double quotes, backslash escapes and prefix ``*``. A term on a
field the connection does not support matches everything and adds a warning, as Shopify does.
Matching of text is case-insensitive: Shopify searches an index, not the database, so clients
must compare exact values themselves (facts §8.2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_COMPARATORS = ("<=", ">=", "<", ">")


class SearchSyntaxError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Term:
    field: str | None
    comparator: str  # "=", "<", ">", "<=", ">="
    value: str
    negated: bool = False
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Node:
    op: str  # "and" | "or" | "not" | "term"
    children: tuple[Node, ...] = ()
    term: Term | None = None


@dataclass
class Warning_:
    field: str
    message: str
    code: str = "invalid_field"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "code": self.code}


@dataclass
class Compiled:
    where: str
    params: list[Any]
    warnings: list[Warning_] = field(default_factory=list)


def _tokens(query: str) -> list[str]:
    """Split on whitespace and parentheses, keeping quoted values and escapes whole."""
    out: list[str] = []
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if char.isspace():
            i += 1
            continue
        if char in "()":
            out.append(char)
            i += 1
            continue
        start, quote = i, None
        while i < n:
            char = query[i]
            if char == "\\":
                i += 2
                continue
            if quote:
                if char == quote:
                    quote = None
            elif char in "'\"":
                quote = char
            elif char.isspace() or char in "()":
                break
            i += 1
        out.append(query[start:i])
    return out


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return re.sub(r"\\(.)", r"\1", value)


def _term(token: str) -> Term:
    negated = False
    if token.startswith("-") and len(token) > 1:
        negated, token = True, token[1:]
    match = re.match(r"^([A-Za-z_][A-Za-z0-9_.]*):(.*)$", token)
    if not match:
        value = _unquote(token)
        return Term(None, "=", value.rstrip("*"), negated, value.endswith("*"))
    name, rest = match.group(1), match.group(2)
    comparator = "="
    for candidate in _COMPARATORS:
        if rest.startswith(candidate):
            comparator, rest = candidate, rest[len(candidate) :]
            break
    quoted = rest[:1] in ("'", '"')
    value = _unquote(rest)
    prefix = not quoted and value.endswith("*")
    return Term(name, comparator, value.rstrip("*") if prefix else value, negated, prefix)


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while self.peek() == "OR":
            self.take()
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Node("or", tuple(children))

    def parse_and(self) -> Node:
        children = [self.parse_unary()]
        while self.peek() not in (None, "OR", ")"):
            if self.peek() == "AND":
                self.take()
            children.append(self.parse_unary())
        return children[0] if len(children) == 1 else Node("and", tuple(children))

    def parse_unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise SearchSyntaxError("unexpected end of query")
        if token == "NOT":
            self.take()
            return Node("not", (self.parse_unary(),))
        if token == "(":
            self.take()
            inner = self.parse_or()
            if self.peek() == ")":
                self.take()
            return inner
        self.take()
        return Node("term", term=_term(token))


def parse(query: str) -> Node | None:
    tokens = _tokens(query)
    if not tokens:
        return None
    parser = _Parser(tokens)
    node = parser.parse_or()
    while parser.peek() is not None:  # stray ")" and the like: ignore, as lenient as Shopify
        parser.take()
    return node


# -- compiling to SQL for the inventoryItems connection -------------------------------------

_SQL_OPS = {"=": "=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _compile_term(term: Term, fields: dict[str, str], out: Compiled) -> str:
    name = term.field
    if name is None:
        name = "sku"  # free text on inventory items matches the SKU
    column = fields.get(name)
    if column is None:
        out.warnings.append(Warning_(name, "Invalid search field for this query."))
        sql = "1"
    elif name == "id":
        number = re.sub(r"^gid://shopify/[A-Za-z]+/", "", term.value)
        if not number.isdigit() or int(number) <= 0:
            out.warnings.append(
                Warning_(
                    name,
                    f"Expected field to be a positive integer or UUID, received `{term.value}`.",
                    "invalid_value",
                )
            )
            sql = "0"
        else:
            sql = f"{column} {_SQL_OPS[term.comparator]} ?"
            out.params.append(int(number))
    elif term.prefix:
        sql = f"{column} LIKE ? ESCAPE '\\'"
        out.params.append(_like_escape(term.value) + "%")
    elif term.comparator == "=":
        sql = f"{column} = ? COLLATE NOCASE"
        out.params.append(term.value)
    else:
        sql = f"{column} {_SQL_OPS[term.comparator]} ?"
        out.params.append(term.value)
    return f"NOT ({sql})" if term.negated else sql


def _compile(node: Node, fields: dict[str, str], out: Compiled) -> str:
    if node.op == "term":
        assert node.term is not None
        return _compile_term(node.term, fields, out)
    if node.op == "not":
        return f"NOT ({_compile(node.children[0], fields, out)})"
    joiner = " AND " if node.op == "and" else " OR "
    return "(" + joiner.join(_compile(c, fields, out) for c in node.children) + ")"


def compile_sql(query: str | None, fields: dict[str, str]) -> Compiled:
    """Turn a search query into a SQL condition over the given field → column map."""
    out = Compiled("1", [])
    if not query:
        return out
    node = parse(query)
    if node is not None:
        out.where = _compile(node, fields, out)
    return out


def matches(query: str | None, values: dict[str, Any]) -> tuple[bool, list[Warning_]]:
    """Evaluate a query against one object's searchable values (for small in-memory lists)."""
    if not query:
        return True, []
    node = parse(query)
    warnings: list[Warning_] = []

    def evaluate(n: Node) -> bool:
        if n.op == "term":
            assert n.term is not None
            term = n.term
            name = term.field or "name"
            if name not in values:
                warnings.append(Warning_(name, "Invalid search field for this query."))
                result = True
            else:
                actual = values[name]
                result = _compare(actual, term)
            return not result if term.negated else result
        if n.op == "not":
            return not evaluate(n.children[0])
        results = [evaluate(c) for c in n.children]
        return all(results) if n.op == "and" else any(results)

    return (evaluate(node) if node else True), warnings


def _compare(actual: Any, term: Term) -> bool:
    if isinstance(actual, bool):
        return actual == (term.value.lower() == "true")
    if isinstance(actual, int):
        number = re.sub(r"^gid://shopify/[A-Za-z]+/", "", term.value)
        if not number.lstrip("-").isdigit():
            return False
        expected: Any = int(number)
    else:
        actual = str(actual or "").lower()
        expected = term.value.lower()
        if term.prefix:
            return bool(actual.startswith(expected))
    if term.comparator == "=":
        return bool(actual == expected)
    if term.comparator == "<":
        return bool(actual < expected)
    if term.comparator == ">":
        return bool(actual > expected)
    if term.comparator == "<=":
        return bool(actual <= expected)
    return bool(actual >= expected)
