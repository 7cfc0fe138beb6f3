"""What each difference is, from what the API and the history file say.

Inputs: the store's `updatedAt` stamps (timestamps.py), and reconciler's own record of what it
last wrote where, and when (the history file: every applied action's values after, and the
apply's `finished_at`). Rules, in order:

quantity at a level (`available`, `on_hand`, `damaged`, ...), stamped `t` in the store:
  1. the store still holds the value reconciler last wrote there, or has not changed it since
     (`t` ≤ that apply's end), or never changed it at all (`t` null): the manifests changed and
     no apply has made it so → **unapplied**.
  2. `available` or `on_hand`, and `committed` changed at `t` or later: orders move units from
     available to committed (a sale) and out of committed and on_hand (fulfilment), and
     Shopify stamps both names in the same write → **sales** (expected: summarised, exit 0).
  3. otherwise someone or something else wrote it at `t` → **foreign** (an alarm, with `t`).

attribute: rule 1 with the item's `updatedAt`, else → **attribute** (an alarm, with `t`).

items and levels: declared but missing from the store → **disappeared**; in the store but
declared nowhere (or declared `stocked: false`) → **appeared** (with the item's `createdAt`,
the level's first stamp); either is unapplied when reconciler itself last (un)stocked it.

Stamps have one-second resolution: a foreign write to `available` in the same second as an
order after it reads as sales. Everything but sales is drift (exit 2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from reconciler.errors import ConfigError
from reconciler.history import parse_when

from .differences import Difference
from .timestamps import Times

Category = Literal["foreign", "attribute", "unapplied", "appeared", "disappeared", "sales"]
CATEGORIES: tuple[Category, ...] = (
    "foreign",
    "attribute",
    "disappeared",
    "appeared",
    "unapplied",
    "sales",
)
ALARMS: frozenset[str] = frozenset({"foreign", "attribute"})
ORDER_NAMES = frozenset({"available", "on_hand"})


@dataclass(frozen=True, slots=True)
class Finding:
    category: Category
    difference: Difference
    when: datetime | None  # when the store changed it, when known

    @property
    def expected(self) -> bool:
        return self.category == "sales"


@dataclass(frozen=True, slots=True)
class Written:
    value: Any  # as the history records it (quantities as ints, attributes as JSON)
    at: datetime  # the apply's finished_at


@dataclass
class LastWrites:
    """What reconciler last wrote where, and when, for one store (from its history file):
    by (item id, location id or "", quantity name, attribute name or "stocked")."""

    values: dict[tuple[str, str, str], Written] = field(default_factory=dict)
    last_apply: datetime | None = None

    def get(self, difference: Difference) -> Written | None:
        key = (difference.item_id or "", difference.location_id or "", difference.name)
        return self.values.get(key)

    @classmethod
    def from_history(cls, entries: Iterable[dict[str, Any]], store: str) -> LastWrites:
        writes = cls()
        for entry in entries:
            if entry.get("store") != store:
                continue
            try:
                finished = parse_when(str(entry.get("finished_at", "")), "finished_at")
            except ConfigError:
                continue
            writes.last_apply = max(finished, writes.last_apply or finished)
            for action in entry.get("actions") or ():
                if action.get("status") == "applied":
                    for name, value in _written(action):
                        key = (str(action.get("item_id")), str(action.get("location_id") or ""))
                        writes.values[(*key, name)] = Written(value, finished)
        return writes


def _written(action: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    """(name, value) pairs an applied history action left in the store."""
    kind = action.get("kind")
    if kind == "update_item":
        for change in action.get("changes") or ():
            yield str(change.get("field")), change.get("after")
    elif kind == "set":
        yield str(action.get("name")), action.get("after")
    elif kind == "move":
        quantity = int(action.get("quantity", 0))
        yield str(action.get("from")), int(action.get("from_before", 0)) - quantity
        yield str(action.get("to")), int(action.get("to_before", 0)) + quantity
    elif kind in ("activate", "deactivate"):
        yield "stocked", kind == "activate"


def _unapplied(live: Any, stamp: datetime | None, written: Written | None) -> bool:
    """The store still holds what reconciler last wrote there (by value, or by its stamp), or
    was never written at all: the difference is the manifests' change, not the store's.
    Stamps are to the second: a change in the second the apply finished (an order right after
    it) is the store's, not ours; what we wrote ourselves is recognised by its value."""
    if written is not None and (written.value == live or (stamp and stamp < written.at)):
        return True
    return stamp is None


def classify(difference: Difference, times: Times, writes: LastWrites) -> Finding:
    kind = difference.kind
    written = writes.get(difference)
    if kind == "quantity":
        stamp = times.quantity(difference.level_id, difference.name)
        if _unapplied(difference.live, stamp, written):
            return Finding("unapplied", difference, None)
        committed = times.quantity(difference.level_id, "committed")
        ordered = committed is not None and stamp is not None and committed >= stamp
        if difference.name in ORDER_NAMES and ordered:
            return Finding("sales", difference, committed)
        return Finding("foreign", difference, stamp)
    if kind == "attribute":
        stamp = times.items_updated.get(difference.item_id or "")
        if _unapplied(difference.live, stamp, written):
            return Finding("unapplied", difference, None)
        return Finding("attribute", difference, stamp)
    if kind == "item":
        if difference.live is None:
            return Finding("disappeared", difference, None)
        return Finding("appeared", difference, times.items_created.get(difference.item_id or ""))
    # stocked
    if written is not None and written.value == difference.live:
        return Finding("unapplied", difference, None)
    if difference.live is None or difference.live is False:
        return Finding("disappeared", difference, None)
    return Finding("appeared", difference, times.quantity(difference.level_id, "available"))


def since(findings: list[Finding], moment: datetime | None) -> list[Finding]:
    """`--since-last-apply`: what the store changed after `moment` (disappearances, whose
    time the API does not give, are kept)."""
    if moment is None:
        return findings
    return [
        f
        for f in findings
        if f.category == "disappeared" or (f.when is not None and f.when > moment)
    ]
