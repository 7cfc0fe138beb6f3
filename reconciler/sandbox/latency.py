"""Per-request latency: the sandbox answers as slowly as Shopify, reads and writes apart.

A real shop takes a few hundred milliseconds per mutation and far less per read; on loopback
the sandbox takes a few milliseconds for either, so a client that keeps several calls in
flight looks no better than one that does not. With a latency set, every executed request
waits its kind's time (``mutation_ms`` for mutations, ``query_ms`` for queries) after the
cost bucket admitted it and before it runs. Requests refused earlier (bad token, invalid
document, THROTTLED) answer at once, as Shopify's do.

Waiting holds no lock: the server answers each connection on its own thread, so concurrent
requests wait in parallel and N calls in flight take one latency, not N. A waiting request
follows changes: it waits until its start plus the latency in force, so setting a shorter
latency (or ``POST /__sandbox/reset``) lets it go on at once. ``waiting`` counts the requests
waiting right now (tests use it to see that they wait together).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

MAX_MS = 60_000
KINDS = ("query_ms", "mutation_ms")


class LatencyError(ValueError):
    """A latency setting the control plane cannot accept."""


@dataclass(frozen=True)
class Setting:
    query_ms: int = 0
    mutation_ms: int = 0

    def seconds(self, operation: str) -> float:
        return (self.mutation_ms if operation == "mutation" else self.query_ms) / 1000


def check_ms(name: str, value: Any) -> int:
    """A latency in whole milliseconds, 0 to 60,000, or LatencyError saying what is wrong."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise LatencyError(f"{name} must be a whole number of milliseconds, got {value!r}")
    if not 0 <= value <= MAX_MS:
        raise LatencyError(f"{name} must be between 0 and {MAX_MS} milliseconds, got {value}")
    return value


class Latency:
    """The latency in force, and the requests waiting it out."""

    def __init__(self, start: Setting | None = None) -> None:
        self.start = start or Setting()
        self._setting = self.start
        self._changed = threading.Condition()
        self._waiting = 0

    @property
    def setting(self) -> Setting:
        return self._setting

    def update(self, spec: dict[str, Any]) -> Setting:
        """Change ``query_ms`` and/or ``mutation_ms`` (the others keep their value)."""
        unknown = sorted(set(spec) - set(KINDS))
        if unknown:
            raise LatencyError(
                f"unknown field(s) {', '.join(unknown)}; expected {' and/or '.join(KINDS)}"
            )
        values = {name: check_ms(name, spec[name]) for name in KINDS if name in spec}
        self._set(Setting(**{**self._setting.__dict__, **values}))
        return self._setting

    def reset(self) -> None:
        """Back to the latency the sandbox started with."""
        self._set(self.start)

    def _set(self, setting: Setting) -> None:
        with self._changed:
            self._setting = setting
            self._changed.notify_all()

    def wait(self, operation: str) -> None:
        """Wait the latency of `operation` ("query" or "mutation"), without holding any lock
        the store uses (the condition's own lock is released while waiting)."""
        if self._setting.seconds(operation) <= 0:
            return
        started = time.monotonic()
        with self._changed:
            self._waiting += 1
            try:
                while True:
                    remaining = started + self._setting.seconds(operation) - time.monotonic()
                    if remaining <= 0:
                        return
                    self._changed.wait(remaining)
            finally:
                self._waiting -= 1

    def as_dict(self) -> dict[str, int]:
        return {
            "query_ms": self._setting.query_ms,
            "mutation_ms": self._setting.mutation_ms,
            "waiting": self._waiting,
        }
