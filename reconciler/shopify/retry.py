"""How long to wait before trying again, and when to stop: Shopify's own signals first.

* THROTTLED (not executed): wait for exactly the points the request needs,
  ``(requestedQueryCost − currentlyAvailable) / restoreRate`` from ``throttleStatus``, but at
  least a minimum back-off that doubles with each THROTTLED in a row (a bucket that says it
  has room yet throttles must not be hammered), plus up to 20 % jitter so concurrent workers
  do not wake together.
* HTTP 429 (not executed): ``Retry-After`` (seconds or an HTTP date) exactly, plus jitter;
  without it, exponential back-off from 1 s.
* HTTP 5xx, dropped connections (outcome unknown): exponential back-off from 1 s, at most
  `max_attempts` attempts; a request that got no answer within the read timeout is tried at
  most `max_timeouts` times (a store that accepts connections and never answers).

Requests not executed are retried until the run's deadline (`deadline.py`); nothing here ever
waits past it.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from reconciler.errors import ConfigError

JITTER = 0.2
MIN_BACKOFF_ENVIRONMENT = "RECONCILER_MIN_BACKOFF"


@dataclass(frozen=True)
class RetryPolicy:
    """Timeouts and back-off for one store. Defaults fit Shopify (README: "Retries")."""

    connect_timeout: float = 10.0  # TCP + TLS to Shopify's edge takes well under a second
    read_timeout: float = 30.0  # a 250-row mutation answers in seconds; 30 s means stuck
    max_attempts: int = 8  # outcome unknown (5xx, dropped connection)
    max_timeouts: int = 3  # no answer within read_timeout
    min_backoff: float = 1.0
    max_backoff: float = 60.0

    @classmethod
    def from_environment(cls) -> RetryPolicy:
        """Defaults, with ``RECONCILER_MIN_BACKOFF`` (seconds) if set: e.g. a short back-off
        against a local sandbox, where waiting a second for nothing only slows tests."""
        value = os.environ.get(MIN_BACKOFF_ENVIRONMENT)
        if not value:
            return cls()
        try:
            seconds = float(value)
        except ValueError:
            seconds = -1.0
        if not 0 < seconds <= cls.max_backoff:
            raise ConfigError(
                f"{MIN_BACKOFF_ENVIRONMENT}={value!r}: give seconds, more than 0 and at most "
                f"{cls.max_backoff:g}"
            )
        return cls(min_backoff=seconds)

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Exponential from `min_backoff` (attempt 1), capped, with jitter."""
        base = min(self.max_backoff, self.min_backoff * 2 ** max(0, attempt - 1))
        return jittered(base, rng)

    def throttle_wait(self, cost: dict[str, Any], in_a_row: int, rng: random.Random) -> float:
        """After THROTTLED: the refill time for the points asked, at least the back-off."""
        floor = min(self.max_backoff, self.min_backoff * 2 ** max(0, in_a_row - 1))
        return jittered(max(floor, points_wait(cost)), rng)

    def retry_after_wait(
        self, header: str | None, attempt: int, rng: random.Random, now: datetime | None = None
    ) -> float:
        """After 429: what ``Retry-After`` says, else the back-off."""
        asked = parse_retry_after(header, now)
        if asked is None:
            return self.backoff(attempt, rng)
        return jittered(asked, rng)


def jittered(seconds: float, rng: random.Random) -> float:
    """Never shorter than asked; up to `JITTER` longer."""
    return seconds * (1 + rng.random() * JITTER)


def points_wait(cost: dict[str, Any]) -> float:
    """Seconds until the bucket holds the points the request asked for (0 if it does)."""
    status = cost.get("throttleStatus") or {}
    try:
        rate = float(status.get("restoreRate") or 0)
        available = float(status.get("currentlyAvailable") or 0)
        requested = float(cost.get("requestedQueryCost") or 0)
    except (TypeError, ValueError):
        return 0.0
    if rate <= 0:
        return 0.0
    return max(0.0, (requested - available) / rate)


def parse_retry_after(header: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date; None when absent or bad."""
    if header is None:
        return None
    text = header.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
        return max(0.0, seconds)
    if seconds != seconds or seconds < 0 or seconds == float("inf"):
        return None
    return seconds
