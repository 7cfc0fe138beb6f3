"""Shopify's side of the story: the inventory adjustment groups an apply's writes produced.

History records the group id each quantity write returned; this reads those groups back
through the Admin API (``nodes(ids:)``, 250 ids per call, Shopify's cap), with only the
changes to the SKU's items, so the timeline shows what Shopify itself recorded: when, why
(reason), the ``referenceDocumentUri`` that names the plan and commit, and every quantity
delta with the value after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.shopify.client import ShopifyClient

NODES_PER_CALL = 250


@dataclass(frozen=True, slots=True)
class GroupChange:
    name: str
    delta: int
    quantity_after: int | None
    location: str | None
    ledger_document_uri: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "delta": self.delta,
            "quantity_after": self.quantity_after,
            "location": self.location,
            "ledger_document_uri": self.ledger_document_uri,
        }


@dataclass(frozen=True, slots=True)
class AdjustmentGroup:
    id: str
    created_at: str
    reason: str
    reference_document_uri: str | None
    app: str | None
    changes: tuple[GroupChange, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at,
            "reason": self.reason,
            "reference_document_uri": self.reference_document_uri,
            "app": self.app,
            "changes": [c.as_json() for c in self.changes],
        }


def _group(node: dict[str, Any], locations: Sequence[str] | None) -> AdjustmentGroup:
    changes = []
    for change in node.get("changes") or []:
        location = change.get("location") or {}
        if locations is not None and location.get("id") not in locations:
            continue
        changes.append(
            GroupChange(
                change["name"],
                int(change["delta"]),
                change.get("quantityAfterChange"),
                location.get("name"),
                change.get("ledgerDocumentUri"),
            )
        )
    return AdjustmentGroup(
        node["id"],
        node["createdAt"],
        node["reason"],
        node.get("referenceDocumentUri"),
        (node.get("app") or {}).get("title"),
        tuple(changes),
    )


def read_groups(
    client: ShopifyClient,
    group_ids: Sequence[str],
    item_ids: Sequence[str],
    location_ids: Sequence[str] | None = None,
) -> dict[str, AdjustmentGroup | None]:
    """Each group by id (None: the store has no such group), with its changes to `item_ids`
    (and, when given, at `location_ids`)."""
    found: dict[str, AdjustmentGroup | None] = {}
    unique = list(dict.fromkeys(group_ids))
    for start in range(0, len(unique), NODES_PER_CALL):
        chunk = unique[start : start + NODES_PER_CALL]
        response = client.query("adjustment_groups", {"ids": chunk, "items": list(item_ids)})
        for group_id, node in zip(chunk, response.data["nodes"], strict=True):
            found[group_id] = _group(node, location_ids) if node and "id" in node else None
    return found
