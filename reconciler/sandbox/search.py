"""Shopify's search syntax for the ``query`` argument of connections.

Supports what the inventory roots need (doc: Shopify API search syntax): ``field:value`` terms,
implicit AND, ``OR``, ``AND``, ``NOT``/``-``, parentheses, comparators ``:<``, ``:>``,
``:<=``, ``:>=``, single or double quotes, backslash escapes and prefix ``*``. Text matching
is case-insensitive: Shopify searches an index, not the database, so clients must compare
exact values themselves (facts §8.2).

Reproduced from recorded responses (docs/shopify-captures.md §3.1) when ``shopify_colons`` is
on, as the Admin API roots use it:

* an unquoted value stops at the next colon and the rest is a new term:
  ``updated_at:<2000-01-01T00:00:00Z`` is ``updated_at:<2000-01-01T00`` plus a bogus field
  ``00`` (value ``00Z``); ``id:gid://shopify/X/1`` is ``id:gid`` plus a field-less term;
* a term on a field the connection does not support matches everything and adds the warning
  ``{"field", "message": "Invalid search field for this query.", "code": "invalid_field"}``;
  a field-less term counts as the field ``default``;
* ``id`` takes positive integers only (``Expected field to be a positive integer or UUID,
  received `0`.``, nothing matches);
* ``extensions.search[].parsed`` describes the query: ``match_all`` (unquoted),
  ``match_phrase`` (quoted), ``range_lte``… (comparators; a date's ``<`` is reported as
  ``range_lte`` and its value in the shop's time zone), combined with ``and``/``or``/``not``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_COMPARATORS = ("<=", ">=", "<", ">")
_RANGE = {"<": "range_lt", "<=": "range_lte", ">": "range_gt", ">=": "range_gte"}
# Captured: `updated_at:<2000-01-01T00` is reported as range_lte (dates are inclusive).
_DATE_RANGE = {"<": "range_lte", "<=": "range_lte", ">": "range_gte", ">=": "range_gte"}
INVALID_FIELD = "Invalid search field for this query."


class SearchSyntaxError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Term:
    field: str | None
    comparator: str  # "=", "<", ">", "<=", ">="
    value: str
    negated: bool = False
    prefix: bool = False
    quoted: bool = False


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
    parsed: Any = None


# -- tokens and terms ----------------------------------------------------------------------


def _raw_tokens(query: str) -> list[str]:
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


_FIELD_RE = re.compile(r"^([A-Za-z0-9_.]+):(.*)$", re.DOTALL)


def _unescaped_colon(text: str) -> int:
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == ":":
            return i
        i += 1
    return -1


def _split_colons(token: str) -> list[str]:
    """Shopify's tokenizer ends an unquoted value at the next colon (captures §3.1)."""
    sign, body = ("-", token[1:]) if token.startswith("-") and len(token) > 1 else ("", token)
    match = _FIELD_RE.match(body)
    if not match:
        return [token]
    name, rest = match.group(1), match.group(2)
    comparator = next((c for c in _COMPARATORS if rest.startswith(c)), "")
    value = rest[len(comparator) :]
    if value[:1] in ("'", '"'):
        return [token]
    at = _unescaped_colon(value)
    if at < 0:
        return [token]
    head = f"{sign}{name}:{comparator}{value[:at]}"
    tail = value[at + 1 :]
    return [head, *(_split_colons(tail) if tail else [])]


def _tokens(query: str, shopify_colons: bool) -> list[str]:
    raw = _raw_tokens(query)
    if not shopify_colons:
        return raw
    return [piece for token in raw for piece in _split_colons(token)]


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return re.sub(r"\\(.)", r"\1", value)


def _term(token: str) -> Term:
    negated = False
    if token.startswith("-") and len(token) > 1:
        negated, token = True, token[1:]
    match = _FIELD_RE.match(token)
    if not match:
        quoted = token[:1] in ("'", '"')
        value = _unquote(token)
        prefix = not quoted and value.endswith("*")
        return Term(None, "=", value.rstrip("*") if prefix else value, negated, prefix, quoted)
    name, rest = match.group(1), match.group(2)
    comparator = "="
    for candidate in _COMPARATORS:
        if rest.startswith(candidate):
            comparator, rest = candidate, rest[len(candidate) :]
            break
    quoted = rest[:1] in ("'", '"')
    value = _unquote(rest)
    prefix = not quoted and value.endswith("*")
    return Term(name, comparator, value.rstrip("*") if prefix else value, negated, prefix, quoted)


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
                if self.peek() is None:
                    break
            children.append(self.parse_unary())
        return children[0] if len(children) == 1 else Node("and", tuple(children))

    def parse_unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise SearchSyntaxError("unexpected end of query")
        if token == "NOT":
            self.take()
            if self.peek() is None:
                return Node("term", term=_term(token))
            return Node("not", (self.parse_unary(),))
        if token == "(":
            self.take()
            if self.peek() in (None, ")"):
                if self.peek() == ")":
                    self.take()
                return Node("and", ())
            inner = self.parse_or()
            if self.peek() == ")":
                self.take()
            return inner
        self.take()
        return Node("term", term=_term(token))


def parse(query: str, shopify_colons: bool = False) -> Node | None:
    tokens = _tokens(query, shopify_colons)
    while tokens and tokens[0] in ("OR", "AND", ")"):
        tokens = tokens[1:]
    if not tokens:
        return None
    parser = _Parser(tokens)
    node = parser.parse_or()
    while parser.peek() is not None:  # stray ")" and the like: ignore, as lenient as Shopify
        parser.take()
        if parser.peek() not in (None, ")", "OR", "AND"):
            more = parser.parse_or()
            node = Node("and", (node, more))
    return node


# -- what a connection makes of a query ---------------------------------------------------


@dataclass(frozen=True)
class Fields:
    """The fields one connection's ``query`` accepts.

    `columns` maps a search field to the column (SQL) or key (in memory) it reads; the field
    ``default`` serves field-less terms when the connection has one. Fields in `dates` hold
    Shopify DateTimes, fields in `ids` positive integers.
    """

    columns: Mapping[str, str]
    dates: frozenset[str] = frozenset({"created_at", "updated_at"})
    ids: frozenset[str] = frozenset({"id"})


def _format_date(moment: datetime) -> str:
    """A date as Shopify echoes it in ``parsed``: shop time zone (UTC here), seconds."""
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return text + "Z"


def parse_date(value: str) -> datetime | None:
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the sandbox shop's time zone is UTC
    return moment


def _stored(moment: datetime) -> str:
    """How the state stores DateTimes, for string comparison in SQL."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def describe(node: Node | None, fields: Fields) -> Any:
    """The ``parsed`` tree Shopify echoes in ``extensions.search`` (captures §3.1)."""
    if node is None:
        return None
    if node.op == "term":
        assert node.term is not None
        term = node.term
        name = term.field if term.field is not None else "default"
        out: dict[str, Any] = {"field": name}
        if term.comparator != "=":
            is_date = name in fields.dates and name in fields.columns
            moment = parse_date(term.value) if is_date else None
            key = (_DATE_RANGE if is_date else _RANGE)[term.comparator]
            out[key] = _format_date(moment) if moment is not None else term.value
        elif term.quoted:
            out["match_phrase"] = term.value
        elif term.prefix:
            out["prefix"] = term.value
        else:
            out["match_all"] = term.value
        return {"not": out} if term.negated else out
    if node.op == "not":
        return {"not": describe(node.children[0], fields)}
    children = [describe(c, fields) for c in node.children]
    if node.op == "and":
        # field-less (default) terms come first (observed: `id:gid://…` → default, id)
        children.sort(key=lambda c: 0 if _is_default(c) else 1)
    return {node.op: children}


def _is_default(described: Any) -> bool:
    inner = described.get("not", described) if isinstance(described, dict) else None
    return isinstance(inner, dict) and inner.get("field") == "default"


class _Check:
    """Validates terms against a connection's fields, collecting Shopify's warnings."""

    def __init__(self, fields: Fields) -> None:
        self.fields = fields
        self.warnings: list[Warning_] = []

    def warn(self, warning: Warning_) -> None:
        if all(w.as_dict() != warning.as_dict() for w in self.warnings):
            self.warnings.append(warning)

    def classify(self, term: Term) -> tuple[str, Any]:
        """("all" | "none" | "test", detail): what a term does, warnings recorded."""
        name = term.field if term.field is not None else "default"
        if name not in self.fields.columns:
            self.warn(Warning_(name, INVALID_FIELD))
            return "all", None
        if name in self.fields.ids:
            number = term.value
            if not number.isdigit() or int(number) <= 0:
                self.warn(
                    Warning_(
                        name,
                        f"Expected field to be a positive integer or UUID, received `{number}`.",
                        "invalid_value",
                    )
                )
                return "none", None
            return "test", int(number)
        if name in self.fields.dates:
            moment = parse_date(term.value)
            if moment is None:
                self.warn(
                    Warning_(
                        name, f"Input `{term.value}` is not an accepted value.", "invalid_value"
                    )
                )
                return "all", None
            return "test", _stored(moment)
        return "test", term.value


# -- SQL (inventoryItems, productVariants) -------------------------------------------------

_SQL_OPS = {"=": "=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _date_op(comparator: str) -> str:
    # dates compare inclusively, as Shopify reports them (range_lte / range_gte)
    return {"<": "<=", ">": ">="}.get(comparator, comparator)


def _compile_term(term: Term, check: _Check, params: list[Any]) -> str:
    kind, detail = check.classify(term)
    if kind == "all":
        sql = "1"
    elif kind == "none":
        sql = "0"
    else:
        name = term.field if term.field is not None else "default"
        column = check.fields.columns[name]
        if name in check.fields.ids:
            sql = f"{column} {_SQL_OPS[term.comparator]} ?"
        elif name in check.fields.dates:
            sql = f"{column} {_SQL_OPS[_date_op(term.comparator)]} ?"
        elif term.prefix:
            sql = f"{column} LIKE ? ESCAPE '\\'"
            detail = _like_escape(str(detail)) + "%"
        elif term.comparator == "=":
            sql = f"{column} = ? COLLATE NOCASE"
        else:
            sql = f"{column} {_SQL_OPS[term.comparator]} ?"
        params.append(detail)
    return f"NOT ({sql})" if term.negated and kind == "test" else sql


def _compile(node: Node, check: _Check, params: list[Any]) -> str:
    if node.op == "term":
        assert node.term is not None
        return _compile_term(node.term, check, params)
    if node.op == "not":
        return f"NOT ({_compile(node.children[0], check, params)})"
    if not node.children:
        return "1"
    joiner = " AND " if node.op == "and" else " OR "
    return "(" + joiner.join(_compile(c, check, params) for c in node.children) + ")"


def compile_sql(
    query: str | None, fields: Mapping[str, str] | Fields, shopify_colons: bool = True
) -> Compiled:
    """Turn a search query into a SQL condition over the given field → column map."""
    spec = fields if isinstance(fields, Fields) else Fields(fields)
    out = Compiled("1", [])
    if not query:
        return out
    node = parse(query, shopify_colons)
    if node is None:
        return out
    check = _Check(spec)
    out.where = _compile(node, check, out.params)
    out.warnings = check.warnings
    out.parsed = describe(node, spec)
    return out


# -- in memory (locations, an item's levels) -----------------------------------------------


@dataclass
class Matcher:
    """A query compiled once, tested against many objects' searchable values."""

    test: Callable[[Mapping[str, Any]], bool]
    warnings: list[Warning_]
    parsed: Any


def matcher(query: str | None, fields: Fields, shopify_colons: bool = True) -> Matcher:
    if not query:
        return Matcher(lambda values: True, [], None)
    node = parse(query, shopify_colons)
    if node is None:
        return Matcher(lambda values: True, [], None)
    check = _Check(fields)
    plan = _plan(node, check)
    return Matcher(plan, check.warnings, describe(node, fields))


def _plan(node: Node, check: _Check) -> Callable[[Mapping[str, Any]], bool]:
    if node.op == "term":
        assert node.term is not None
        term = node.term
        kind, detail = check.classify(term)
        if kind == "all":
            return lambda values: True
        if kind == "none":
            return lambda values: False
        name = term.field if term.field is not None else "default"
        key = check.fields.columns[name]
        comparator = term.comparator
        if name in check.fields.dates:
            comparator = _date_op(comparator)

        text = name not in check.fields.ids and name not in check.fields.dates

        def test(values: Mapping[str, Any]) -> bool:
            actual = values.get(key)
            if text and comparator == "=" and isinstance(actual, str):
                result = _text_match(actual, str(detail), term.quoted, term.prefix)
            else:
                result = _compare(actual, comparator, detail, term.prefix)
            return not result if term.negated else result

        return test
    if node.op == "not":
        inner = _plan(node.children[0], check)
        return lambda values: not inner(values)
    parts = [_plan(c, check) for c in node.children]
    if node.op == "and":
        return lambda values: all(p(values) for p in parts)
    return lambda values: any(p(values) for p in parts)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def _text_match(actual: str, expected: str, quoted: bool, prefix: bool) -> bool:
    """Index semantics for text: every word of an unquoted value is a word of the field,
    a quoted value is a phrase of it, ``value*`` starts a word (case-insensitive)."""
    have = _words(actual)
    if quoted:
        want = _words(expected)
        return any(have[i : i + len(want)] == want for i in range(len(have) - len(want) + 1))
    if prefix:
        stem = expected.lower()
        return actual.lower().startswith(stem) or any(w.startswith(stem) for w in have)
    return all(w in have for w in _words(expected)) if _words(expected) else actual == expected


def _compare(actual: Any, comparator: str, expected: Any, prefix: bool) -> bool:
    if isinstance(actual, Iterable) and not isinstance(actual, str | bytes):
        return any(_compare(a, comparator, expected, prefix) for a in actual)
    if isinstance(actual, bool):
        return actual == (str(expected).lower() == "true")
    if isinstance(actual, int) and not isinstance(expected, int):
        if not str(expected).lstrip("-").isdigit():
            return False
        expected = int(expected)
    if not isinstance(actual, int):
        actual = str(actual or "").lower()
        expected = str(expected).lower()
        if prefix:
            return bool(actual.startswith(expected))
    if comparator == "=":
        return bool(actual == expected)
    if comparator == "<":
        return bool(actual < expected)
    if comparator == ">":
        return bool(actual > expected)
    if comparator == "<=":
        return bool(actual <= expected)
    return bool(actual >= expected)


def matches(query: str | None, values: dict[str, Any]) -> tuple[bool, list[Warning_]]:
    """Evaluate a query against one object's values (every key is a valid field)."""
    compiled = matcher(query, Fields({k: k for k in values}, dates=frozenset()), False)
    return compiled.test(values), compiled.warnings
