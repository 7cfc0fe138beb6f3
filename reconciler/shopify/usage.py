"""Counts of what a run asked of the store: calls, cost points, throttling, retries."""

from __future__ import annotations

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

    def record(self, operation: str, requested: int | None, actual: int | None) -> None:
        self.calls += 1
        self.by_operation[operation] = self.by_operation.get(operation, 0) + 1
        self.requested_cost += requested or 0
        self.actual_cost += actual or 0

    def as_json(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "requestedCost": self.requested_cost,
            "actualCost": self.actual_cost,
            "throttled": self.throttled,
            "retries": self.retries,
            "waitedSeconds": round(self.waited_seconds, 3),
            "byOperation": dict(sorted(self.by_operation.items())),
        }
