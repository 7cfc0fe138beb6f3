"""Secrets: held in a wrapper that never prints, and scrubbed by value from all we emit.

Every secret the process knows (the access token, the password of a URL) lives in a `Secret`.
While a `Secret` exists, `redact` replaces its value with ``[REDACTED]`` wherever it appears
in any plausible encoding: each character raw or escaped as text carries it (percent-encoded
in either hex case, once or twice, ``+`` for a space, JSON/Python ``\\u``/``\\x`` escapes,
backslash escapes, HTML entities), in any mix, in any letter case; and whole-value base64
(Basic auth, ``user:password``). Matching is by value, not by shape: a token that looks like
nothing in particular is caught as surely as a ``shpat_`` one. The shape of Shopify's tokens
stays as a second net for tokens we were never told about.

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
import io
import logging
import re
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO
from urllib.parse import unquote, urlsplit

MARK = "[REDACTED]"
MIN_LENGTH = 4  # shorter values are not secrets (and would scrub ordinary words)

_TOKEN_SHAPES = re.compile(r"\bshp(?:at|ca|pa|ss)_[0-9A-Za-z]{8,}\b")
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


_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;|&apos;"}


def _character(c: str) -> str:
    """A regex for one character of a secret, in every form text may carry it."""
    code = ord(c)
    raw = c.encode()
    forms = [
        re.escape(c),
        "\\\\" + re.escape(c),
        "".join(f"%{b:02x}" for b in raw),
        "".join(f"%25{b:02x}" for b in raw),
        f"&#{code};",
        f"&#x0*{code:x};",
    ]
    if code < 0x10000:
        forms.append(f"\\\\u{code:04x}")
    if code < 0x100:
        forms.append(f"\\\\x{code:02x}")
    if c == " ":
        forms.append("\\+")
    if c in _ENTITIES:
        forms.append(_ENTITIES[c])
    return "(?:" + "|".join(forms) + ")"


def pattern(value: str) -> re.Pattern[str]:
    """Matches `value` in any mix of the encodings above, ignoring case."""
    return re.compile("".join(_character(c) for c in value), re.IGNORECASE)


def whole_value_forms(value: str) -> set[str]:
    """Encodings of the whole value that no per-character rule can see (base64)."""
    raw = value.encode()
    forms = set()
    for b64 in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        forms |= {b64.decode(), b64.decode().rstrip("=")}
    return {form for form in forms if len(form) >= MIN_LENGTH}


class _Registry:
    """The secrets alive in this process; their patterns are rebuilt when the set changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: weakref.WeakSet[Secret] = weakref.WeakSet()
        self._values: tuple[str, ...] = ()
        self._patterns: tuple[re.Pattern[str], ...] = ()
        self._forms: tuple[str, ...] = ()

    def add(self, secret: Secret) -> None:
        if len(secret.reveal()) < MIN_LENGTH:
            return
        with self._lock:
            self._secrets.add(secret)

    def compiled(self) -> tuple[tuple[re.Pattern[str], ...], tuple[str, ...]]:
        with self._lock:
            values = tuple(sorted({s.reveal() for s in self._secrets}, key=lambda v: -len(v)))
            if values != self._values:
                self._patterns = tuple(pattern(v) for v in values)  # longest first
                forms: set[str] = set()
                for value in values:
                    forms |= whole_value_forms(value)
                self._forms = tuple(sorted(forms, key=len, reverse=True))
                self._values = values
            return self._patterns, self._forms


_REGISTRY = _Registry()


def _scrub(text: str, patterns: tuple[re.Pattern[str], ...], forms: tuple[str, ...]) -> str:
    for compiled in patterns:
        text = compiled.sub(MARK, text)
    for form in forms:
        text = text.replace(form, MARK)
    return text


def redact(text: str, *secrets: Secret | None) -> str:
    """`text` with every known secret (and the given ones), in every encoding, replaced."""
    patterns, forms = _REGISTRY.compiled()
    text = _scrub(text, patterns, forms)
    for secret in secrets:
        if secret and len(secret.reveal()) >= MIN_LENGTH:
            value = secret.reveal()
            text = _scrub(text, (pattern(value),), tuple(whole_value_forms(value)))
    return _TOKEN_SHAPES.sub(MARK, text)


def scrub(value: Any) -> Any:
    """A JSON value with every string (keys included) redacted; for files we write."""
    patterns, forms = _REGISTRY.compiled()  # once, not per string (a history entry has 1M)
    done: dict[str, str] = {}  # most strings repeat (names, statuses, reasons)

    def text(string: str) -> str:
        clean = done.get(string)
        if clean is None:
            clean = done[string] = _TOKEN_SHAPES.sub(MARK, _scrub(string, patterns, forms))
        return clean

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return text(value)
        if isinstance(value, dict):
            return {text(str(k)): walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        return value

    return walk(value)


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
