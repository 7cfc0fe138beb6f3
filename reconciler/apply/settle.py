"""Settling a call whose outcome is unknown: what each level must read before and after it.

A quantity batch applies whole or not at all, so re-reading its levels decides it: every level
at its expected after-values means applied, every level at its before-values means not applied
(yet), anything else is a conflict: someone else changed those levels, and sending again could
apply on top of their change. The journal records these expectations with each call it sends,
so a resumed apply settles an in-flight call from the journal alone.

"Not applied yet" is not "not applied" when the call has no compare-and-set (moves before
2026-01): the store may still be working on it, and sending it again would move the stock
twice. Such a call is re-read until it lands or until `SETTLE_WINDOW` seconds have passed
since it was sent, longer than the client ever waits for an answer (`RetryPolicy.read_timeout`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reconciler.errors import ConfigError
from reconciler.model import LiveItem
from reconciler.plan.actions import Action, Move, SetQuantity
from reconciler.plan.quantities import on_hand_of

SETTLE_WINDOW = 35.0  # seconds after sending; > the 30 s read timeout (shopify/retry.py)
POLL = 0.5  # seconds between re-reads while waiting for a call to land
WINDOW_ENVIRONMENT = "RECONCILER_SETTLE_WINDOW"


def window_from_environment() -> float:
    """`SETTLE_WINDOW`, or RECONCILER_SETTLE_WINDOW seconds: for a store whose calls are known
    to end sooner (the test suite's local sandbox holds a call at most a few seconds)."""
    value = os.environ.get(WINDOW_ENVIRONMENT)
    if not value:
        return SETTLE_WINDOW
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise ConfigError(f"{WINDOW_ENVIRONMENT}={value!r}: give seconds between 0 and 3600")
    return seconds


class Verdict(StrEnum):
    APPLIED = "applied"
    NOT_APPLIED = "not_applied"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Expectation:
    """One level of a batch: the values it holds before the call and after it."""

    item_id: str
    location_id: str
    before: dict[str, int]
    after: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "location_id": self.location_id,
            "before": self.before,
            "after": self.after,
        }

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Expectation:
        return Expectation(
            str(data["item_id"]),
            str(data["location_id"]),
            {str(k): int(v) for k, v in data["before"].items()},
            {str(k): int(v) for k, v in data["after"].items()},
        )


def expectations(actions: Sequence[Action]) -> list[Expectation]:
    """Per level of a quantity batch (one kind: moves or sets), the values before and after
    it (chained moves: a name's starting value is the first one the batch expects)."""
    levels: dict[tuple[str, str], Expectation] = {}
    for action in actions:
        if not isinstance(action, Move | SetQuantity):
            continue
        key = (action.target.item_id, action.target.location_id or "")
        level = levels.setdefault(key, Expectation(*key, {}, {}))
        if isinstance(action, Move):
            for name, value in (
                (action.from_name, action.from_before),
                (action.to_name, action.to_before),
            ):
                if name not in level.before:
                    level.before[name] = level.after[name] = value
            level.after[action.from_name] -= action.quantity
            level.after[action.to_name] += action.quantity
        else:
            level.before.setdefault(action.name, action.compare)
            level.after[action.name] = action.after
    return list(levels.values())


def _current(live: Mapping[str, LiveItem], level: Expectation) -> dict[str, int] | None:
    item = live.get(level.item_id)
    found = item.levels.get(level.location_id) if item else None
    if found is None:
        return None
    return {
        name: on_hand_of(found.quantities) if name == "on_hand" else found.quantity(name)
        for name in level.before
    }


def verdict(expected: Sequence[Expectation], live: Mapping[str, LiveItem]) -> Verdict:
    """Applied, not applied, or a conflict, from the store's current values."""
    now = [_current(live, level) for level in expected]
    if all(n == level.after for n, level in zip(now, expected, strict=True)):
        return Verdict.APPLIED
    if all(n == level.before for n, level in zip(now, expected, strict=True)):
        return Verdict.NOT_APPLIED
    return Verdict.CONFLICT


def conflict_text(
    expected: Sequence[Expectation], live: Mapping[str, LiveItem], where: Mapping[str, str]
) -> str:
    """The levels that match neither side, with the three sets of values (at most five)."""
    lines = []
    for level in expected:
        now = _current(live, level)
        if now in (level.before, level.after):
            continue
        name = where.get(f"{level.item_id} {level.location_id}", level.item_id)
        shown = "gone" if now is None else _values(now)
        lines.append(
            f"{name}: the store has {shown}, neither {_values(level.before)} (before) nor "
            f"{_values(level.after)} (after)"
        )
    more = f"; and {len(lines) - 5} more" if len(lines) > 5 else ""
    return "; ".join(lines[:5]) + more


def _values(values: Mapping[str, int]) -> str:
    return ", ".join(f"{name} {value}" for name, value in sorted(values.items()))


def fresh_key(key: str) -> str:
    """A new idempotency key for a batch whose attempt under `key` failed on the store's side
    (IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED: Shopify asks for a new key). It keeps the batch's
    own key as its prefix, so the journal and the store's logs tie the two together."""
    base = key.split("~", 1)[0]
    return f"{base}~{uuid.uuid4().hex[:12]}"


def derived_from(key: str, original: str) -> bool:
    """Whether `key` is `original` or a `fresh_key` of it."""
    return key == original or key.startswith(original + "~")
