"""Reading a request body defensively: framing, size, time and JSON shape all bounded.

The sandbox is a user-facing server, so every malformed or hostile request gets an HTTP answer
with a JSON error, never a dropped connection, a hang or a traceback (issue 8's hostile
requests). Choices where Shopify's answer is not recorded (each pinned by
tests/sandbox/test_hardening.py):

* ``Content-Length`` must be plain digits: ``abc``, ``-1``, ``+5``, ``1e3`` or two different
  values are a 400 and the connection closes (where the body ends is unknown).
  ``Transfer-Encoding: chunked`` bodies are read; another transfer coding, or chunked together
  with a Content-Length, is a 400 (the request-smuggling ambiguity).
* Bodies are bounded: 10 MiB on the Admin API (its largest real request, 250 mutation rows,
  is well under 1 MiB; Shopify's own limit is not documented) and 256 MiB on the control plane
  (store snapshots). Beyond, 413 before the body is read.
* A body that stops arriving is answered 408 after the server's read timeout.
* JSON nested deeper than 100 levels is a 400: Ruby's ``JSON.parse``, which Rails (and so
  Shopify) parses request bodies with, stops at ``max_nesting: 100`` by default; the
  sandbox's own recursive steps (variable coercion, encoding) are safe under that bound.
  ``NaN`` and ``Infinity``, which are not JSON, are refused.
"""

from __future__ import annotations

import json
import re
from email.message import Message
from typing import Any, Protocol

API_BODY_LIMIT = 10 * 1024 * 1024
CONTROL_BODY_LIMIT = 256 * 1024 * 1024
MAX_JSON_DEPTH = 100
_DIGITS = re.compile(r"^[0-9]{1,18}$")
_CHUNK_SIZE = re.compile(rb"^([0-9A-Fa-f]{1,16})(;.*)?$")
_MAX_CHUNK_LINE = 4096


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...
    def readline(self, size: int = ..., /) -> bytes: ...


class BadRequest(Exception):
    """A request the server answers with `status` and `message` (and may close after)."""

    def __init__(self, status: int, message: str, close: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.close = close


def read_body(headers: Message, rfile: Readable, limit: int) -> bytes:
    """The request body, read by its framing; BadRequest for anything malformed or too big.

    A timeout of the socket (the server's read timeout) surfaces as BadRequest 408.
    """
    lengths = headers.get_all("Content-Length") or []
    encodings = [e.strip().lower() for e in headers.get_all("Transfer-Encoding") or []]
    if encodings:
        if lengths:
            raise BadRequest(400, "Content-Length and Transfer-Encoding together", close=True)
        if encodings != ["chunked"]:
            raise BadRequest(
                400, f"unsupported Transfer-Encoding {', '.join(encodings)}", close=True
            )
        return _read_chunked(rfile, limit)
    if not lengths:
        return b""
    values = {value.strip() for value in lengths}
    if len(values) != 1 or not _DIGITS.match(next(iter(values))):
        shown = ", ".join(repr(v) for v in lengths)
        raise BadRequest(400, f"invalid Content-Length header: {shown}", close=True)
    length = int(next(iter(values)))
    if length > limit:
        raise BadRequest(413, _too_large(length, limit), close=True)
    return _read_exactly(rfile, length)


def _too_large(size: int, limit: int) -> str:
    return f"request body too large ({size} bytes; the sandbox accepts at most {limit} bytes)"


def _read_exactly(rfile: Readable, length: int) -> bytes:
    try:
        data = rfile.read(length)
    except TimeoutError as exc:
        raise BadRequest(408, "the request body did not arrive in time", close=True) from exc
    if len(data) != length:
        raise BadRequest(
            400, f"the request body ended after {len(data)} of {length} bytes", close=True
        )
    return data


def _read_line(rfile: Readable) -> bytes:
    try:
        line = rfile.readline(_MAX_CHUNK_LINE + 1)
    except TimeoutError as exc:
        raise BadRequest(408, "the request body did not arrive in time", close=True) from exc
    if len(line) > _MAX_CHUNK_LINE or not line.endswith(b"\n"):
        raise BadRequest(400, "malformed chunked body", close=True)
    return line.rstrip(b"\r\n")


def _read_chunked(rfile: Readable, limit: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    while True:
        match = _CHUNK_SIZE.match(_read_line(rfile))
        if match is None:
            raise BadRequest(400, "malformed chunked body", close=True)
        chunk = int(match.group(1), 16)
        if chunk == 0:
            while _read_line(rfile):  # trailers, up to the blank line
                pass
            return b"".join(parts)
        size += chunk
        if size > limit:
            raise BadRequest(413, _too_large(size, limit), close=True)
        parts.append(_read_exactly(rfile, chunk))
        if _read_line(rfile):
            raise BadRequest(400, "malformed chunked body", close=True)


class TooDeep(ValueError):
    """JSON nested deeper than MAX_JSON_DEPTH."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def decode_json(raw: bytes, what: str = "the request body") -> Any:
    """JSON with a nesting bound and without NaN/Infinity; ValueError says what is wrong."""
    try:
        value = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise TooDeep(f"{what} is nested deeper than {MAX_JSON_DEPTH} levels") from None
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and depth(value) > MAX_JSON_DEPTH:
        raise TooDeep(f"{what} is nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def depth(value: Any) -> int:
    """How deeply arrays and objects nest in a decoded JSON value (iteratively: no recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, level = stack.pop()
        if isinstance(current, dict):
            children: Any = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest
