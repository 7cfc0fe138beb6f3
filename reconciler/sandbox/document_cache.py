"""Parsed and validated documents, kept per API version so a repeated query skips both steps.

Clients send the same few documents over and over (the live reader's item query, the
mutations of an apply), and parsing plus validating a document against Shopify's schema costs
more than executing a small one. The outcome of both steps depends only on the version's schema
and the query text, so it is cached under ``(version, query)``: the document, or the errors
Shopify would answer (PARSE_ERROR, validation errors), exactly as first computed.

The cache is bounded (least recently used entries go first) and skips very long query texts,
so hostile or one-off documents cannot grow it without limit. Each entry also keeps the fast
read plans compiled for its operations (`fast_reads`), so they are compiled once too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from graphql import DocumentNode, GraphQLSchema, GraphQLSyntaxError, parse

from .graphql_errors import parse_error, validation_errors

MAX_ENTRIES = 512
MAX_CACHED_QUERY_CHARS = 64 * 1024
# Validation is quadratic in the worst case (thousands of aliased fields take minutes), so a
# document is refused past this many tokens, as GraphQL-Ruby does with max_query_string_tokens.
# Shopify's own limit is not documented (UNVERIFIED); real documents use a few hundred.
MAX_TOKENS = 15_000
TOO_LARGE = "This query is too large to execute."  # GraphQL-Ruby's ParseError for that limit


@dataclass
class Prepared:
    """A query text after parsing and validation: a valid document, or Shopify's errors."""

    document: DocumentNode | None
    errors: list[dict[str, Any]]
    # Per-operation artefacts derived from the document (fast read plans), by a caller's key.
    derived: dict[Any, Any] = field(default_factory=dict)


def prepare(schema: GraphQLSchema, query: str) -> Prepared:
    """Parse and validate `query` against `schema`, without caching."""
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLSyntaxError as exc:
        if "Document contains more than" in exc.message:
            at = exc.locations[0] if exc.locations else None
            where = [{"line": at.line, "column": at.column}] if at else []
            error = {
                "message": TOO_LARGE,
                "locations": where,
                "extensions": {"code": "PARSE_ERROR"},
            }
            return Prepared(None, [error])
        return Prepared(None, [parse_error(exc)])
    errors = validation_errors(schema, document)
    return Prepared(None if errors else document, errors)


class DocumentCache:
    """A bounded LRU of `Prepared` documents keyed by API version and query text."""

    def __init__(
        self, max_entries: int = MAX_ENTRIES, max_query_chars: int = MAX_CACHED_QUERY_CHARS
    ) -> None:
        self.max_entries = max_entries
        self.max_query_chars = max_query_chars
        self._entries: OrderedDict[tuple[str, str], Prepared] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def prepare(self, version: str, schema: GraphQLSchema, query: str) -> Prepared:
        key = (version, query)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        prepared = prepare(schema, query)  # outside the lock: other requests go on meanwhile
        if len(query) <= self.max_query_chars:
            with self._lock:
                self._entries[key] = prepared
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return prepared

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
