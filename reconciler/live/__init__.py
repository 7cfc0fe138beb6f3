"""Read what the store has: only the items and locations the manifests mention.

Modules, one concept each:

* `records`: Shopify's JSON nodes → `LiveLevel` / `LiveItem` / `LiveState` (both paths).
* `paged`: the search-based reader (locations, items by SKU, items by id).

Public API (stable; other stages import only these names from ``reconciler.live``):

* ``read_live(client, desired) -> LiveState``: the manifests' SKUs and pinned ids.
* ``read_items_by_id(client, ids) -> dict[id, LiveItem]``: apply's stale check and drift.
* ``read_locations(client)``, ``search_term(sku)``.
"""

from __future__ import annotations

from reconciler.model import DesiredState, LiveState
from reconciler.shopify.client import ShopifyClient

from . import records
from .paged import read_items_by_id, read_items_by_sku, read_locations, search_term

__all__ = ["read_items_by_id", "read_live", "read_locations", "search_term"]


def read_live(client: ShopifyClient, desired: DesiredState) -> LiveState:
    """The live state of exactly the SKUs and pinned ids the manifests mention."""
    locations = read_locations(client)
    items = read_items_by_sku(client, (i.sku for i in desired.items if i.id is None))
    pinned = [i.id for i in desired.items if i.id is not None and i.id not in items]
    items.update(read_items_by_id(client, pinned))
    return records.state(client.target.name, client.target.api_version, locations, items)
