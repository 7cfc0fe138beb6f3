"""Counts of what a run asked of the store: calls, cost points, throttling, retries.

One `Usage` may be shared by several connections working in parallel (`ShopifyClient.fork`),
so every count goes through a lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Usage:
    calls: int = 0
    requested_cost: int = 0
    actual_cost: int = 0
    throttled: int = 0
    retries: int = 0
    waited_seconds: float = 0.0
    by_operation: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    def record(self, operation: str, requested: int | None, actual: int | None) -> None:
        with self._lock:
            self.calls += 1
            self.by_operation[operation] = self.by_operation.get(operation, 0) + 1
            self.requested_cost += requested or 0
            self.actual_cost += actual or 0

    def count_throttled(self) -> None:
        with self._lock:
            self.throttled += 1

    def count_retry(self) -> None:
        with self._lock:
            self.retries += 1

    def count_wait(self, seconds: float) -> None:
        with self._lock:
            self.waited_seconds += seconds

    def as_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "calls": self.calls,
                "requestedCost": self.requested_cost,
                "actualCost": self.actual_cost,
                "throttled": self.throttled,
                "retries": self.retries,
                "waitedSeconds": round(self.waited_seconds, 3),
                "byOperation": dict(sorted(self.by_operation.items())),
            }
