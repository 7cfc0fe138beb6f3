"""The applies that wrote one SKU, from the history file (reconciler's own record)."""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler import history

from .groups import AdjustmentGroup


@dataclass(frozen=True, slots=True)
class ApplyRecord:
    """One history entry, narrowed to the actions that wrote the SKU."""

    entry: dict[str, Any]
    groups: dict[str, AdjustmentGroup | None] = field(default_factory=dict)  # by id, as read
    note: str | None = None  # why Shopify's groups are not shown

    @property
    def seq(self) -> int:
        return int(self.entry.get("seq", 0))

    @property
    def plan_id(self) -> str:
        return str(self.entry.get("plan_id", ""))

    @property
    def finished_at(self) -> str:
        return str(self.entry.get("finished_at") or self.entry.get("started_at") or "")

    @property
    def commit(self) -> str | None:
        git = self.entry.get("git") or {}
        return git.get("commit")

    @property
    def store(self) -> str:
        return str(self.entry.get("store", ""))

    @property
    def writes(self) -> list[dict[str, Any]]:
        actions: list[dict[str, Any]] = self.entry.get("actions", [])
        return actions

    @property
    def group_ids(self) -> list[str]:
        return list(
            dict.fromkeys(a["adjustment_group"] for a in self.writes if a.get("adjustment_group"))
        )

    def with_groups(
        self, groups: dict[str, AdjustmentGroup | None] | None, note: str | None = None
    ) -> ApplyRecord:
        return ApplyRecord(self.entry, groups or {}, note)


def applies_writing(sku: str, history_path: Path, location: str | None = None) -> list[ApplyRecord]:
    """Every apply in the history that wrote the SKU (at the location, a glob), oldest first."""
    query = history.Query(skus=(glob.escape(sku),), locations=(location,) if location else ())
    return [ApplyRecord(entry) for entry in history.select(history.read(history_path), query)]
