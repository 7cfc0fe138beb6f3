"""Read what the store has: only the items and locations the manifests mention.

Locations are read in full (a shop has few, and names must resolve to ids). Items are read by
SKU in batches through the search index and kept only on exact, case-sensitive matches;
items pinned by id come through ``nodes``. Every level is read with all eight quantity names,
so the planner can check Shopify's arithmetic (on_hand, committed, incoming) itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from reconciler.model import (
    ALL_QUANTITY_NAMES,
    DesiredState,
    LiveItem,
    LiveLevel,
    LiveLocation,
    LiveState,
    Weight,
)
from reconciler.shopify.client import ShopifyClient

SKUS_PER_QUERY = 100  # search terms per inventoryItems query; keeps the query string modest
IDS_PER_QUERY = 250  # Shopify's input array cap
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
        out.extend(
            LiveLocation(n["id"], n["name"], bool(n.get("isActive", True))) for n in data["nodes"]
        )
        if not data["pageInfo"]["hasNextPage"]:
            return tuple(out)
        after = data["pageInfo"]["endCursor"]


def _level(node: dict[str, Any]) -> LiveLevel:
    quantities = dict.fromkeys(ALL_QUANTITY_NAMES, 0)
    for row in node["quantities"]:
        quantities[row["name"]] = int(row["quantity"])
    return LiveLevel(
        location_id=node["location"]["id"],
        level_id=node["id"],
        is_active=bool(node.get("isActive", True)),
        quantities=quantities,
    )


def _item(node: dict[str, Any], levels: Iterable[LiveLevel]) -> LiveItem:
    cost = node.get("unitCost")
    weight = (node.get("measurement") or {}).get("weight")
    return LiveItem(
        id=node["id"],
        sku=node.get("sku"),
        tracked=bool(node["tracked"]),
        cost=Decimal(str(cost["amount"])) if cost else None,
        country_code_of_origin=node.get("countryCodeOfOrigin"),
        province_code_of_origin=node.get("provinceCodeOfOrigin"),
        harmonized_system_code=node.get("harmonizedSystemCode"),
        country_harmonized_system_codes={
            str(n["countryCode"]): n["harmonizedSystemCode"]
            for n in node["countryHarmonizedSystemCodes"]["nodes"]
            if n.get("countryCode")  # a global code (2026-01+) is harmonizedSystemCode itself
        },
        weight=Weight(Decimal(str(weight["value"])), weight["unit"]) if weight else None,
        requires_shipping=bool(node.get("requiresShipping", True)),
        duplicate_sku_count=int(node.get("duplicateSkuCount") or 0),
        levels={level.location_id: level for level in levels},
    )


def _all_levels(client: ShopifyClient, node: dict[str, Any]) -> list[LiveLevel]:
    connection = node["inventoryLevels"]
    levels = [_level(n) for n in connection["nodes"]]
    after = connection["pageInfo"]["endCursor"] if connection["pageInfo"]["hasNextPage"] else None
    while after is not None:
        data = client.query("item_levels", {"id": node["id"], "after": after}).data
        page = data["inventoryItem"]["inventoryLevels"]
        levels.extend(_level(n) for n in page["nodes"])
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    return levels


def read_items_by_sku(client: ShopifyClient, skus: Iterable[str]) -> dict[str, LiveItem]:
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
            for node in data["nodes"]:
                if node.get("sku") in exact:  # search matches loosely; keep exact SKUs only
                    items[node["id"]] = _item(node, _all_levels(client, node))
            if not data["pageInfo"]["hasNextPage"]:
                break
            after = data["pageInfo"]["endCursor"]
    return items


def read_items_by_id(client: ShopifyClient, ids: Iterable[str]) -> dict[str, LiveItem]:
    items: dict[str, LiveItem] = {}
    for chunk in _chunks(sorted(set(ids)), IDS_PER_QUERY):
        data = client.query("items_by_id", {"ids": chunk, "levels": LEVELS_PER_ITEM}).data
        for node in data["nodes"]:
            if node and "id" in node:
                items[node["id"]] = _item(node, _all_levels(client, node))
    return items


def read_live(client: ShopifyClient, desired: DesiredState) -> LiveState:
    """The live state of exactly the SKUs and pinned ids the manifests mention."""
    locations = read_locations(client)
    items = read_items_by_sku(client, (i.sku for i in desired.items if i.id is None))
    pinned = [i.id for i in desired.items if i.id is not None and i.id not in items]
    items.update(read_items_by_id(client, pinned))
    skus: dict[str, list[str]] = {}
    for item in sorted(items.values(), key=lambda i: i.id):
        if item.sku is not None:
            skus.setdefault(item.sku, []).append(item.id)
    return LiveState(
        store=client.target.name,
        api_version=client.target.api_version,
        locations=locations,
        items=items,
        skus={sku: tuple(ids) for sku, ids in skus.items()},
    )
