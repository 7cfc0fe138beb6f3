"""Secrets: held in a wrapper that never prints, and scrubbed by value from all we emit.

Every secret the process knows (the access token, the password of a URL) lives in a `Secret`.
While a `Secret` exists, `redact` replaces its exact value, and every encoding of it that text
can plausibly carry (URL-encoded with either hex case, `+` for spaces or twice over,
JSON- and Python-escaped, HTML-escaped, base64, Basic-auth ``user:password``), with
``[REDACTED]``. Matching is by value, not by shape: a token that looks like nothing in
particular is caught as surely as a ``shpat_`` one. The shape of Shopify's tokens stays as a
second net for tokens we were never told about.

Every path by which text leaves the process goes through `redact`:

* stdout and stderr: the CLI wraps them in `RedactingStream` for the whole run;
* logging: `install_log_redaction` rewrites each record (message, arguments, traceback) as it
  is created, whatever handler later writes it;
* files: the crash log, the plan file, the journal, the history (`scrub` walks JSON values
  before the history hashes them);
* exceptions: `ReconcilerError.__str__` redacts its message.

The registry holds secrets weakly: a value stops being scrubbed when its last `Secret` is gone,
so a long-lived process (a test session) does not scrub a finished run's token forever.
"""

from __future__ import annotations

import base64
import html
import io
import json
import logging
import re
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO
from urllib.parse import quote, quote_plus, unquote, urlsplit

MARK = "[REDACTED]"
MIN_LENGTH = 4  # shorter values are not secrets (and would scrub ordinary words)

_TOKEN_SHAPES = re.compile(r"\bshp(?:at|ca|pa|ss)_[0-9A-Za-z]{8,}\b")
_PERCENT = re.compile(r"%[0-9A-F]{2}")
_URL_USERINFO = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s/@]*@[^\s]*")


class Secret:
    """A value that must never reach output, logs, plans, history or exceptions."""

    __slots__ = ("__weakref__", "_value")

    def __init__(self, value: str) -> None:
        self._value = value
        _REGISTRY.add(self)

    def reveal(self) -> str:
        """The raw value, for the one place that needs it: the request header."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")


def encodings(value: str) -> set[str]:
    """The forms in which `value` can plausibly appear in text we emit."""
    forms = {
        value,
        quote(value, safe=""),
        quote(value),
        quote_plus(value),
        quote(quote(value, safe=""), safe=""),
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        repr(value)[1:-1],
        html.escape(value),
        html.escape(value, quote=False),
    }
    for encoded in list(forms):
        forms.add(_PERCENT.sub(lambda m: m.group(0).lower(), encoded))
    raw = value.encode()
    for b64 in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        forms.add(b64.decode())
        forms.add(b64.decode().rstrip("="))
    return {form for form in forms if len(form) >= MIN_LENGTH}


class _Registry:
    """The secrets alive in this process; `patterns` is rebuilt whenever the set changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: weakref.WeakSet[Secret] = weakref.WeakSet()
        self._values: tuple[str, ...] = ()
        self._forms: tuple[str, ...] = ()

    def add(self, secret: Secret) -> None:
        if len(secret.reveal()) < MIN_LENGTH:
            return
        with self._lock:
            self._secrets.add(secret)
            self._values = ()  # rebuilt on next use

    def forms(self) -> tuple[str, ...]:
        with self._lock:
            values = tuple(sorted({s.reveal() for s in self._secrets}))
            if values != self._values:
                found: set[str] = set()
                for value in values:
                    found |= encodings(value)
                # Longest first, so `user:password` goes before `password`.
                self._forms = tuple(sorted(found, key=lambda f: (-len(f), f)))
                self._values = values
            return self._forms


_REGISTRY = _Registry()


def redact(text: str, *secrets: Secret | None) -> str:
    """`text` with every known secret (and the given ones), in every encoding, replaced."""
    for form in _REGISTRY.forms():
        if form in text:
            text = text.replace(form, MARK)
    for secret in secrets:
        if secret:
            for form in sorted(encodings(secret.reveal()), key=len, reverse=True):
                text = text.replace(form, MARK)
    return _TOKEN_SHAPES.sub(MARK, text)


def scrub(value: Any) -> Any:
    """A JSON value with every string (keys included) redacted; for files we write."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(str(k)): scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def url_credentials(url: str) -> list[str]:
    """The password and ``user:password`` of a URL with user info (raw and decoded)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return []
    if "@" not in parts.netloc:
        return []
    userinfo = parts.netloc.rsplit("@", 1)[0]
    found = {userinfo, unquote(userinfo)}
    if ":" in userinfo:
        password = userinfo.split(":", 1)[1]
        found |= {password, unquote(password)}
    return [value for value in found if value]


def credentials_in(text: str) -> list[str]:
    """URL credentials anywhere in `text` (an argument list, an environment variable)."""
    found: list[str] = []
    for match in _URL_USERINFO.finditer(text):
        found.extend(url_credentials(match.group(0)))
    return found


@contextmanager
def known(*values: str) -> Iterator[list[Secret]]:
    """Treat `values` as secrets for the duration of the block (e.g. one CLI run)."""
    held = [Secret(v) for v in values if v]
    try:
        yield held
    finally:
        del held[:]


# -- outputs ---------------------------------------------------------------------------------


class RedactingStream(io.TextIOBase):
    """A text stream that redacts what passes through it, line by line.

    Text is held until a newline or `flush` so a secret split across two writes is still
    seen whole (click and rich flush after each message; prompts flush before reading).
    """

    def __init__(self, inner: TextIO) -> None:
        super().__init__()
        self.inner = inner
        self._pending = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            if "\n" in self._pending:
                head, _, self._pending = self._pending.rpartition("\n")
                self.inner.write(redact(head + "\n"))
        return len(text)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self.inner.write(redact(self._pending))
                self._pending = ""
        self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.inner, "encoding", None) or "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.inner, "errors", None)

    @property
    def name(self) -> Any:
        return getattr(self.inner, "name", "<redacted>")


def _redacting_factory(base: Any) -> Any:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = base(*args, **kwargs)
        try:
            record.msg, record.args = redact(record.getMessage()), None
        except (TypeError, ValueError):
            record.msg = redact(str(record.msg))
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    factory.redacts = True  # type: ignore[attr-defined]
    return factory


def install_log_redaction() -> None:
    """Redact every log record of every logger as it is created (idempotent)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "redacts", False):
        logging.setLogRecordFactory(_redacting_factory(current))
