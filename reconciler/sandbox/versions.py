"""Behaviour that differs between Admin API versions and that the schema alone cannot express.

The schema files already make most differences real: a field or argument that a version lacks
fails validation exactly as it does on Shopify. What remains (runtime requirements, changed
semantics of the same mutation) is listed here, one flag per difference, each with its source
in docs/shopify-inventory-api.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Idempotency = Literal["undefined", "optional", "required"]
CompareAndSet = Literal["compare_quantity", "change_from_optional", "change_from_required"]


@dataclass(frozen=True, slots=True)
class VersionRules:
    """What one API version does, beyond what its schema says."""

    name: str
    # @idempotent: undefined in 2025-01, optional in 2026-01, required from 2026-04 (facts §7).
    idempotency: Idempotency
    # compareQuantity in 2025-01; changeFromQuantity optional in 2026-01, mandatory 2026-04 (§6).
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
    "2026-01": VersionRules("2026-01", "optional", "change_from_optional", True, False, 5),
    "2026-04": VersionRules("2026-04", "required", "change_from_required", True, True, 5),
    "2026-10": VersionRules("2026-10", "required", "change_from_required", False, True, 5),
}

SUPPORTED_VERSIONS: tuple[str, ...] = tuple(sorted(RULES))
LATEST_VERSION = SUPPORTED_VERSIONS[-1]

_VERSION_RE = re.compile(r"^(\d{4})-(01|04|07|10)$")

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


def resolve_version(requested: str, retired: frozenset[str] = frozenset()) -> str | None:
    """Map the version in the URL to the version that will serve it, as Shopify does.

    Shopify serves an unsupported (too old) version with the oldest supported stable one
    ("falls forward"), and answers 404 for something that is not a version at all. The sandbox
    carries four versions; a real release it does not carry falls forward to the next one it
    has, and `retired` versions (e.g. 2025-01 once it leaves support) fall forward too.
    `unstable` is served by the latest version, and a URL without a version by the oldest
    supported one (facts §12). Returns None for "404 Not Found".
    """
    available = [v for v in SUPPORTED_VERSIONS if v not in retired]
    if requested == "":
        return available[0] if available else None  # no version in the URL: the oldest
    if requested == "unstable":
        return LATEST_VERSION
    if not _VERSION_RE.match(requested):
        return None
    for version in available:
        if version >= requested:
            return version
    return None  # newer than anything released: not found
