"""Pacing from Shopify's cost bucket, shared by every connection of one run (thread-safe).

Shopify admits a request only when the shop's bucket holds its *requested* cost, then charges
the *actual* cost; ``extensions.cost.throttleStatus`` says what the bucket held after each
answer. One `Pacer` keeps that estimate for all the connections of a run (`ShopifyClient.fork`
gives each worker thread its own HTTP session and the same pacer), so several requests in
flight never overdraw the bucket between them:

* before a request goes out, `admit` waits until the estimate holds the cost this operation
  requested last time, and reserves it; admissions are served one at a time, in order;
* an answer's ``throttleStatus`` replaces the estimate, and the request's reservation is given
  back. Reservations of requests still in flight stay subtracted, whether or not the store has
  charged them yet, so the estimate errs low (a few points) and never high;
* while nothing is known (no answer yet, or an operation never sent before), one request at a
  time goes out as a probe, so a drained bucket costs at most one THROTTLED answer.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class _Bucket:
    """The shop's cost bucket as last reported by ``throttleStatus``."""

    maximum: float = 0.0
    available: float = 0.0
    restore_rate: float = 0.0
    seen_at: float = 0.0

    def estimate(self, now: float) -> float:
        if not self.restore_rate:
            return math.inf
        return min(self.maximum, self.available + (now - self.seen_at) * self.restore_rate)


@dataclass(frozen=True)
class Ticket:
    """One admitted request: the points it reserved, and whether it went out as a probe."""

    reserved: float
    probe: bool


class Pacer:
    """A thread-safe cost-bucket estimate with reservations for requests in flight."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._bucket = _Bucket()
        self._expected: dict[str, int] = {}
        self._reserved = 0.0
        self._probing = False
        self._state = threading.Condition()
        self._turn = threading.Lock()  # one admission at a time, so none starves

    def admit(self, operation: str, wait: Callable[[float], None]) -> Ticket:
        """Wait until `operation` fits in the bucket, reserve its cost, and say so.

        `wait(seconds)` is called (without any lock held by others' answers) for the time the
        bucket needs to refill; the caller counts it as throttle wait.
        """
        with self._turn:
            while True:
                with self._state:
                    expected = self._expected.get(operation)
                    if expected is None or not self._bucket.restore_rate:
                        if self._probing:
                            self._state.wait(timeout=1.0)
                            continue
                        self._probing = True
                        return Ticket(0.0, probe=True)
                    estimate = self._bucket.estimate(self._clock())
                    if estimate - self._reserved >= expected:
                        self._reserved += expected
                        return Ticket(float(expected), probe=False)
                    if estimate >= self._bucket.maximum:
                        # full, yet requests in flight hold it: only their answers help
                        self._state.wait(timeout=1.0)
                        continue
                    seconds = (expected - estimate + self._reserved) / self._bucket.restore_rate
                wait(seconds)

    def observe(self, operation: str, cost: dict[str, Any]) -> None:
        """Take in an answer's ``extensions.cost`` (its throttleStatus and requested cost)."""
        status = cost.get("throttleStatus") or {}
        with self._state:
            if status:
                self._bucket = _Bucket(
                    float(status.get("maximumAvailable") or 0),
                    float(status.get("currentlyAvailable") or 0),
                    float(status.get("restoreRate") or 0),
                    self._clock(),
                )
            if cost.get("requestedQueryCost") is not None:
                self._expected[operation] = int(cost["requestedQueryCost"])
            self._state.notify_all()

    def release(self, ticket: Ticket) -> None:
        """The request was answered (or failed): give back its reservation."""
        with self._state:
            self._reserved = max(0.0, self._reserved - ticket.reserved)
            if ticket.probe:
                self._probing = False
            self._state.notify_all()
