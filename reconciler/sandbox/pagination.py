"""Relay connections as Shopify serves them: opaque cursors, pageInfo, the 250 maximum.

Cursors look like Shopify's (base64 of ``{"last_id":…,"last_value":…}``) and are opaque to
clients. Every connection in the sandbox goes through `paginate`, whether its rows come from a
list in memory or from SQL, so windowing rules cannot differ between connections.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

MAX_PAGE = 250

Key = tuple[Any, int]  # (sort value, id): ids break ties so keys are unique


class ConnectionArgumentError(Exception):
    """Connection arguments Shopify refuses before resolving anything."""


@dataclass(frozen=True, slots=True)
class Window:
    first: int | None
    last: int | None
    after: Key | None
    before: Key | None
    reverse: bool


def encode_cursor(key: Key) -> str:
    value, last_id = key
    # Shopify writes last_value as a string, whatever the sort column (captures §3.1).
    payload = {"last_id": last_id, "last_value": str(value if value is not None else last_id)}
    raw = json.dumps(payload, separators=(",", ":"), default=str)
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> Key:
    try:
        payload = json.loads(base64.b64decode(cursor.encode(), validate=True))
        last_id, value = int(payload["last_id"]), payload["last_value"]
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value), last_id
        return value, last_id
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise ConnectionArgumentError("Invalid cursor for current pagination sort.") from exc


def window(args: dict[str, Any], numeric_values: bool = True) -> Window:
    """Read first/last/after/before/reverse, refusing what Shopify refuses."""
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        raise ConnectionArgumentError("you must provide one of first or last")
    if first is not None and last is not None:  # captured: BAD_REQUEST, data null, cost 3/2
        raise ConnectionArgumentError("providing both first and last is not supported")
    for name, value in (("first", first), ("last", last)):
        if value is not None and value > MAX_PAGE:
            raise ConnectionArgumentError(
                f"The value of the argument `{name}` must be less than or equal to {MAX_PAGE}."
            )
        if value is not None and value < 0:
            raise ConnectionArgumentError(
                f"The value of the argument `{name}` must be greater than or equal to 0."
            )
    after = decode_cursor(args["after"]) if args.get("after") else None
    before = decode_cursor(args["before"]) if args.get("before") else None
    return Window(first, last, after, before, bool(args.get("reverse")))


class Source(Protocol):
    """Rows of one connection, ordered by key; `descending` flips the order."""

    def fetch(
        self, after: Key | None, before: Key | None, descending: bool, limit: int
    ) -> list[tuple[Key, Any]]: ...

    def exists(self, beyond: Key, descending: bool) -> bool:
        """Whether any row lies strictly after `beyond` in the given order."""
        ...


@dataclass
class Page:
    nodes: list[Any]
    keys: list[Key]
    has_next: bool
    has_previous: bool

    @property
    def cursors(self) -> list[str]:
        return [encode_cursor(k) for k in self.keys]


def paginate(source: Source, win: Window) -> Page:
    """Cut one page out of `source` the way Shopify does.

    ``hasNextPage``/``hasPreviousPage`` look both ways (captures §3.2): ``first:1`` → true/false,
    ``first:1, after:c1`` → whether more follow / true, ``last:1, before:c2`` → true / whether
    more precede: a cursor on the far side of the window is itself a row beyond it.
    """
    descending = win.reverse
    if win.last is None:
        limit = win.first if win.first is not None else MAX_PAGE
        rows = source.fetch(win.after, win.before, descending, limit + 1)
        has_next = len(rows) > limit or win.before is not None
        rows = rows[:limit]
        # the `after` row itself lies before the window (captured: true with 2 levels)
        has_previous = win.after is not None
    else:
        # last: read backwards from `before` (or the end), then restore the order.
        rows = source.fetch(win.before, win.after, not descending, win.last + 1)
        has_previous = len(rows) > win.last or win.after is not None
        rows = list(reversed(rows[: win.last]))
        has_next = win.before is not None
    return Page([r[1] for r in rows], [r[0] for r in rows], has_next, has_previous)


def _sort_key(key: Key) -> tuple[Any, int]:
    """Text sorts without regard to case, as Shopify's NAME sorts do (a recorded catalogue of
    63 locations lists "location-delete… destination" before "My Custom Location")."""
    value, ident = key
    if isinstance(value, str):
        return ((value.casefold(), value), ident)
    return (value if value is not None else ("", ""), ident)


class ListSource:
    """A connection over rows already in memory (locations, an item's levels, ...)."""

    def __init__(self, rows: Sequence[tuple[Key, Any]]) -> None:
        self.rows = sorted(rows, key=lambda r: _sort_key(r[0]))

    def _ordered(self, descending: bool) -> list[tuple[Key, Any]]:
        return list(reversed(self.rows)) if descending else list(self.rows)

    def _bound(self, key: Key | None) -> Key | None:
        """A decoded cursor's value in the type this connection sorts by (cursors are text)."""
        if key is None or not self.rows:
            return key
        value, ident = key
        sample = self.rows[0][0][0]
        if isinstance(sample, str) and not isinstance(value, str):
            return str(value), ident
        if isinstance(sample, int) and isinstance(value, str):
            try:
                return int(value), ident
            except ValueError as exc:
                raise ConnectionArgumentError(
                    "Invalid cursor for current pagination sort."
                ) from exc
        return key

    def fetch(
        self, after: Key | None, before: Key | None, descending: bool, limit: int
    ) -> list[tuple[Key, Any]]:
        def beyond(key: Key, bound: Key) -> bool:
            a, b = _sort_key(key), _sort_key(bound)
            return a < b if descending else a > b

        after, before = self._bound(after), self._bound(before)
        out = []
        for key, node in self._ordered(descending):
            if after is not None and not beyond(key, after):
                continue
            if before is not None and not beyond(before, key):
                break
            out.append((key, node))
            if len(out) >= limit:
                break
        return out

    def exists(self, beyond: Key, descending: bool) -> bool:
        return bool(self.fetch(beyond, None, descending, 1))
