"""When the store last changed what drift found different: `InventoryQuantity.updatedAt` of
each drifted level's names (and of `committed`, the mark orders leave), `InventoryItem.updatedAt`
of items whose attributes differ, `createdAt` of items that appeared.

Shopify stamps `updatedAt` on a quantity when it is written (a set, a move, an order); it is
null for `on_hand` (derived) and for a name never written (docs/shopify-captures.md). Only the
levels and items that differ are read: one ``nodes`` call per 250 ids, a few cost points each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from reconciler.model import ON_HAND_COMPONENTS
from reconciler.shopify.client import ShopifyClient

from .differences import Difference

IDS_PER_CALL = 250
# What a level is read with: every on_hand component (on_hand's own stamp is always null, so
# its time is the latest of theirs) and committed, the mark of orders.
NAMES: tuple[str, ...] = ON_HAND_COMPONENTS


@dataclass
class Times:
    """`updatedAt` per (level id, quantity name); `updatedAt` / `createdAt` per item id."""

    quantities: dict[tuple[str, str], datetime | None] = field(default_factory=dict)
    items_updated: dict[str, datetime | None] = field(default_factory=dict)
    items_created: dict[str, datetime | None] = field(default_factory=dict)

    def quantity(self, level_id: str | None, name: str) -> datetime | None:
        """When `name` last changed at the level; on_hand: when any of its parts did."""
        if level_id is None:
            return None
        if name == "on_hand":
            stamps = [self.quantities.get((level_id, n)) for n in ON_HAND_COMPONENTS]
            known = [s for s in stamps if s is not None]
            return max(known) if known else None
        return self.quantities.get((level_id, name))


def parse(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def read(client: ShopifyClient, found: Iterable[Difference]) -> Times:
    """The times of every level and item in `found`."""
    ids: list[str] = []
    for difference in found:
        if difference.level_id is not None:
            ids.append(difference.level_id)
        elif difference.item_id is not None and difference.kind in ("attribute", "item"):
            ids.append(difference.item_id)
    times = Times()
    unique = sorted(set(ids))
    for start in range(0, len(unique), IDS_PER_CALL):
        chunk = unique[start : start + IDS_PER_CALL]
        data = client.query("drift_times", {"ids": chunk, "names": list(NAMES)}).data
        for node in data["nodes"]:
            if not node:
                continue
            if "quantities" in node:
                for row in node["quantities"]:
                    times.quantities[(node["id"], row["name"])] = parse(row["updatedAt"])
            else:
                times.items_updated[node["id"]] = parse(node.get("updatedAt"))
                times.items_created[node["id"]] = parse(node.get("createdAt"))
    return times
