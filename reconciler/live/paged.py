"""The paged reader: locations, then items by SKU through the search index, or by id.

Locations are read in full (a shop has few, and names must resolve to ids). Items are read by
SKU in batches through the search index and kept only on exact, case-sensitive matches;
items pinned by id come through ``nodes``. Every level is read with all eight quantity names,
so the planner can check Shopify's arithmetic (on_hand, committed, incoming) itself. An item
stocked at more locations than the first page of levels holds gets the rest page by page.

Cost: about 2 actual points per item of 10 levels, 100 SKUs per call; bound by the shop's
throttle once the bucket is spent (see the package docstring for when bulk reads win).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from reconciler.model import LiveItem, LiveLevel, LiveLocation
from reconciler.progress import SILENT, Progress
from reconciler.shopify.client import ShopifyClient

from . import records

SKUS_PER_QUERY = 100  # search terms per inventoryItems query; keeps the query string modest
IDS_PER_QUERY = 250  # Shopify's input array cap
ITEMS_PER_PAGE = 100  # items per page when walking the whole store
LEVELS_PER_ITEM = 25  # first page of levels per item; more are fetched when an item has them


def search_term(sku: str) -> str:
    """``sku:'...'`` with quotes and backslashes escaped (Shopify search syntax)."""
    escaped = sku.replace("\\", "\\\\").replace("'", "\\'")
    return f"sku:'{escaped}'"


def _chunks(values: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def read_locations(client: ShopifyClient) -> tuple[LiveLocation, ...]:
    out: list[LiveLocation] = []
    after: str | None = None
    while True:
        data = client.query("locations", {"after": after}).data["locations"]
        out.extend(records.location(n) for n in data["nodes"])
        if not data["pageInfo"]["hasNextPage"]:
            return tuple(out)
        after = data["pageInfo"]["endCursor"]


def _all_levels(client: ShopifyClient, node: dict[str, Any]) -> list[LiveLevel]:
    connection = node["inventoryLevels"]
    levels = [records.level(n) for n in connection["nodes"]]
    after = connection["pageInfo"]["endCursor"] if connection["pageInfo"]["hasNextPage"] else None
    while after is not None:
        data = client.query("item_levels", {"id": node["id"], "after": after}).data
        page = data["inventoryItem"]["inventoryLevels"]
        levels.extend(records.level(n) for n in page["nodes"])
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    return levels


def _item(client: ShopifyClient, node: dict[str, Any]) -> LiveItem:
    codes = (records.hs_code(n) for n in node["countryHarmonizedSystemCodes"]["nodes"])
    levels = {level.location_id: level for level in _all_levels(client, node)}
    return records.item(node, dict(c for c in codes if c), levels)


def _advance(progress: Progress, client: ShopifyClient, kept: int) -> None:
    usage = client.usage
    progress.update("read", advance=kept, calls=usage.calls, cost=usage.actual_cost)


def read_items_by_sku(
    client: ShopifyClient, skus: Iterable[str], progress: Progress = SILENT
) -> dict[str, LiveItem]:
    wanted = sorted(set(skus))
    items: dict[str, LiveItem] = {}
    for chunk in _chunks(wanted, SKUS_PER_QUERY):
        exact = set(chunk)
        query = " OR ".join(search_term(s) for s in chunk)
        after: str | None = None
        while True:
            # page size = batch size: requested cost (what admission checks) stays minimal
            first = len(chunk)
            variables = {"query": query, "first": first, "after": after, "levels": LEVELS_PER_ITEM}
            data = client.query("items_by_sku", variables).data["inventoryItems"]
            before = len(items)
            for node in data["nodes"]:
                if node.get("sku") in exact:  # search matches loosely; keep exact SKUs only
                    items[node["id"]] = _item(client, node)
            _advance(progress, client, len(items) - before)
            if not data["pageInfo"]["hasNextPage"]:
                break
            after = data["pageInfo"]["endCursor"]
    return items


def read_items_by_id(
    client: ShopifyClient, ids: Iterable[str], progress: Progress = SILENT
) -> dict[str, LiveItem]:
    items: dict[str, LiveItem] = {}
    for chunk in _chunks(sorted(set(ids)), IDS_PER_QUERY):
        data = client.query("items_by_id", {"ids": chunk, "levels": LEVELS_PER_ITEM}).data
        before = len(items)
        for node in data["nodes"]:
            if node and "id" in node:
                items[node["id"]] = _item(client, node)
        _advance(progress, client, len(items) - before)
    return items


def read_all_items(
    client: ShopifyClient,
    wants: Callable[[str, str | None], bool],
    progress: Progress = SILENT,
) -> dict[str, LiveItem]:
    """Every item of the store that `wants(id, sku)`, page by page."""
    items: dict[str, LiveItem] = {}
    after: str | None = None
    while True:
        variables = {"first": ITEMS_PER_PAGE, "after": after, "levels": LEVELS_PER_ITEM}
        data = client.query("items_page", variables).data["inventoryItems"]
        before = len(items)
        for node in data["nodes"]:
            if wants(node["id"], node.get("sku")):
                items[node["id"]] = _item(client, node)
        _advance(progress, client, len(items) - before)
        if not data["pageInfo"]["hasNextPage"]:
            return items
        after = data["pageInfo"]["endCursor"]
