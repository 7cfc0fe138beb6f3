"""Behaviour that differs between Admin API versions and that the schema alone cannot express.

The schema files already make most differences real: a field or argument that a version lacks
fails validation exactly as it does on Shopify. What remains (runtime requirements, changed
semantics of the same mutation) is listed here, one flag per difference, each with its source
in docs/shopify-inventory-api.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Idempotency = Literal["undefined", "optional", "required"]
CompareAndSet = Literal["compare_quantity", "change_from_optional", "change_from_required"]


@dataclass(frozen=True, slots=True)
class VersionRules:
    """What one API version does, beyond what its schema says."""

    name: str
    # @idempotent: undefined to 2025-10, optional in 2026-01, required from 2026-04 (facts §7).
    idempotency: Idempotency
    # compareQuantity to 2025-10; changeFromQuantity optional in 2026-01, mandatory 2026-04 (§6).
    compare_and_set: CompareAndSet
    # ITEM_NOT_STOCKED_AT_LOCATION exists before 2026-10 (§1, changelog removal-of-...).
    item_not_stocked_error: bool
    # 2026-04: deactivation keeps the level inactive with its quantities; activation
    # preserves them; inactive levels are writable (§1, §5.4, §5.5).
    inactive_levels: bool
    # Bulk query operations a shop may run at once: 1 before 2026-01, 5 after (§10.1).
    bulk_query_concurrency: int


RULES: dict[str, VersionRules] = {
    "2025-01": VersionRules("2025-01", "undefined", "compare_quantity", True, False, 1),
    # 2025-10: still compareQuantity and no @idempotent (schema 2025-10); bulk concurrency 5
    # arrived with 2026-01 (facts §1); groupObjects exists with default true (schema).
    "2025-10": VersionRules("2025-10", "undefined", "compare_quantity", True, False, 1),
    "2026-01": VersionRules("2026-01", "optional", "change_from_optional", True, False, 5),
    "2026-04": VersionRules("2026-04", "required", "change_from_required", True, True, 5),
    # 2026-07: 2026-04's rules; its schema drops inventorySetScheduledChanges and still lists
    # ITEM_NOT_STOCKED_AT_LOCATION (removed in 2026-10).
    "2026-07": VersionRules("2026-07", "required", "change_from_required", True, True, 5),
    "2026-10": VersionRules("2026-10", "required", "change_from_required", False, True, 5),
}

# Every version the sandbox carries a schema for, oldest first. Which of them Shopify supports
# on a given day, and what answers the others, is the calendar's business (calendar.py).
VERSIONS: tuple[str, ...] = tuple(sorted(RULES))
SUPPORTED_VERSIONS = VERSIONS  # the former name, kept for callers
LATEST_VERSION = VERSIONS[-1]

# Mutations that document @idempotent support (schema 2026-01+ descriptions, facts §7).
IDEMPOTENT_MUTATIONS = frozenset(
    {
        "inventorySetQuantities",
        "inventoryAdjustQuantities",
        "inventoryMoveQuantities",
        "inventorySetOnHandQuantities",
        "inventoryActivate",
        "inventorySetScheduledChanges",
    }
)
