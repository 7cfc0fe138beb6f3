"""One SKU's declared values as flat (pinned item, location, field) → value pairs, and their diff.

Flat pairs make "what did this commit change" a plain comparison of two mappings, and each
difference reads as one line: ``East Warehouse  available  10 -> 12``. A level's effective
reason (the level's, else the item's, else the file's) is one of its values, so a commit that
changes only a reason is listed too; ``stocked`` is listed when it is the point of the level
(``{stocked: false}``, or a level with no quantities).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reconciler.model import ATTRIBUTES, DECLARABLE, DesiredItem, Weight

Key = tuple[str | None, str | None, str]  # (pinned item id, location, field)
_FIELD_ORDER = {name: i for i, name in enumerate((*ATTRIBUTES, "stocked", *DECLARABLE, "reason"))}


class _Absent:
    """Not declared at all (distinct from a declared null, which means "must be unset")."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


def plain(value: Any) -> Any:
    """A declared value as JSON: exact decimals as text, weights as {value, unit}."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Weight):
        return value.as_json()
    if isinstance(value, Mapping):
        return dict(value)
    return value


@dataclass(frozen=True, slots=True)
class Declared:
    values: Mapping[Key, Any] = field(default_factory=dict)

    @staticmethod
    def of(items: Iterable[DesiredItem]) -> Declared:
        values: dict[Key, Any] = {}
        for item in items:
            for name, value in item.attributes.items():
                values[(item.id, None, name)] = plain(value)
            for level in item.levels:
                if not level.stocked or not level.quantities:
                    values[(item.id, level.location, "stocked")] = level.stocked
                for name, quantity in level.quantities.items():
                    values[(item.id, level.location, name)] = quantity
                if level.quantities:
                    values[(item.id, level.location, "reason")] = level.reason or item.reason
        return Declared(values)

    def merged(self, other: Declared) -> Declared:
        return Declared({**self.values, **other.values})


@dataclass(frozen=True, slots=True)
class Change:
    """One declared value that changed; ABSENT on a side where it was not declared."""

    item_id: str | None
    location: str | None
    field: str
    before: Any
    after: Any

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"location": self.location, "field": self.field}
        if self.item_id is not None:
            out["item_id"] = self.item_id
        if self.before is not ABSENT:
            out["before"] = self.before
        if self.after is not ABSENT:
            out["after"] = self.after
        return out


def _order(key: Key) -> tuple[str, str, int, str]:
    item_id, location, name = key
    return (item_id or "", location or "", _FIELD_ORDER.get(name, len(_FIELD_ORDER)), name)


def diff(before: Declared, after: Declared) -> list[Change]:
    """Every value declared differently (or only on one side), item attributes first."""
    keys = sorted(set(before.values) | set(after.values), key=_order)
    changes = []
    for key in keys:
        old, new = before.values.get(key, ABSENT), after.values.get(key, ABSENT)
        if old is ABSENT and new is ABSENT:
            continue
        if old is ABSENT or new is ABSENT or old != new:
            changes.append(Change(*key, old, new))
    return changes
