"""How the admin names each item's variant (product handle and title, options), read by id.

The live reader reads inventory items; the CSV also names the variant each item belongs to, so
`csv export --from live` asks for those names in `nodes(ids:)` pages of 250 (Shopify's cap on
an input list) after the items are read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from reconciler.shopify.client import ShopifyClient

from .to_csv import Labels

IDS_PER_QUERY = 250


def read_labels(client: ShopifyClient, item_ids: Iterable[str]) -> dict[str, Labels]:
    labels: dict[str, Labels] = {}
    for chunk in _chunks(list(item_ids), IDS_PER_QUERY):
        data = client.query("csv_labels", {"ids": chunk}).data
        for node in data.get("nodes") or ():
            if node and "id" in node:
                labels[node["id"]] = _labels(node.get("variant"))
    return labels


def _labels(variant: dict[str, Any] | None) -> Labels:
    if not variant:
        return Labels()
    product = variant.get("product") or {}
    options = tuple(
        (str(option.get("name") or ""), str(option.get("value") or ""))
        for option in variant.get("selectedOptions") or ()
    )
    return Labels(product.get("handle"), product.get("title"), options[:3])


def _chunks(values: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
