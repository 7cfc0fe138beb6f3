"""JSON nodes → `LiveLevel` / `LiveItem` / `LiveState`: one reading of Shopify's shapes.

Both readers build their values here: the paged reader from ``nodes`` pages (an item with its
levels and HS codes nested), the bulk reader from JSONL lines (an item line, then its levels
and HS codes as separate lines). So the two paths cannot drift apart on what a field means.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

from reconciler.model import (
    ALL_QUANTITY_NAMES,
    LiveItem,
    LiveLevel,
    LiveLocation,
    LiveState,
    Weight,
)

_INDEX = {name: i for i, name in enumerate(ALL_QUANTITY_NAMES)}


def location(node: dict[str, Any]) -> LiveLocation:
    return LiveLocation(node["id"], node["name"], bool(node.get("isActive", True)))


def level(node: dict[str, Any]) -> LiveLevel:
    """An ``InventoryLevel`` node with ``quantities(names: [all eight])``."""
    counts = [0] * len(ALL_QUANTITY_NAMES)
    for row in node["quantities"]:
        counts[_INDEX[row["name"]]] = int(row["quantity"])
    return LiveLevel(
        # one string per location, shared by its million levels
        sys.intern(node["location"]["id"]),
        node["id"],
        bool(node.get("isActive", True)),
        counts=tuple(counts),
    )


def hs_code(node: dict[str, Any]) -> tuple[str, str] | None:
    """A ``CountryHarmonizedSystemCode`` node as (country, code); None for a global code
    (2026-01+ lists it without a country: that is ``harmonizedSystemCode`` itself)."""
    country = node.get("countryCode")
    return (str(country), node["harmonizedSystemCode"]) if country else None


def item(node: dict[str, Any], codes: dict[str, str], levels: dict[str, LiveLevel]) -> LiveItem:
    """An ``InventoryItem`` node's attributes, with its HS codes (country → code) and levels
    (by location id) read separately. The two dicts are used as they are: the bulk join keeps
    filling them while the item's later lines arrive."""
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
        country_harmonized_system_codes=codes,
        weight=Weight(Decimal(str(weight["value"])), weight["unit"]) if weight else None,
        requires_shipping=bool(node.get("requiresShipping", True)),
        duplicate_sku_count=int(node.get("duplicateSkuCount") or 0),
        levels=levels,
    )


def state(
    store: str, api_version: str, locations: tuple[LiveLocation, ...], items: dict[str, LiveItem]
) -> LiveState:
    """The live state, with each exact SKU's item ids in id order."""
    skus: dict[str, list[str]] = {}
    for one in sorted(items.values(), key=lambda i: i.id):
        if one.sku is not None:
            skus.setdefault(one.sku, []).append(one.id)
    return LiveState(
        store=store,
        api_version=api_version,
        locations=locations,
        items=items,
        skus={sku: tuple(ids) for sku, ids in skus.items()},
    )
