"""Shopify global ids (GIDs): ``gid://shopify/<Type>/<number>[?params]``."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

_GID_RE = re.compile(r"^gid://shopify/([A-Za-z]+)/(\d+)(?:\?(.*))?$")
# Anything that parses as a GID at all (Shopify's parser accepts any app and type).
_ANY_GID_RE = re.compile(r"^gid://[^/\s]+/[^/\s]+/[^/\s]+$")


def gid(type_name: str, number: int) -> str:
    return f"gid://shopify/{type_name}/{number}"


def level_gid(level_base: int, item_id: int) -> str:
    """InventoryLevel ids are parameterised: the number is shared by every level of a location.

    Observed on real shops (facts §2.2): uniqueness comes from ``inventory_item_id`` only.
    """
    return f"gid://shopify/InventoryLevel/{level_base}?inventory_item_id={item_id}"


def quantity_gid(level_base: int, item_id: int, name: str) -> str:
    return f"gid://shopify/InventoryQuantity/{level_base}?inventory_item_id={item_id}&name={name}"


def is_well_formed(value: str) -> bool:
    """Whether Shopify's ID scalar accepts the value (else INVALID_VARIABLE 'Invalid global id')."""
    return bool(_ANY_GID_RE.match(value.split("?", 1)[0]))


def parse(value: str, expected_type: str) -> int | None:
    """The number of a GID of the expected type, or None when it names something else."""
    match = _GID_RE.match(value)
    if not match or match.group(1) != expected_type:
        return None
    return int(match.group(2))


def parse_level(value: str) -> tuple[int, int] | None:
    """(level_base, inventory_item_id) of an InventoryLevel GID, or None."""
    match = _GID_RE.match(value)
    if not match or match.group(1) != "InventoryLevel" or not match.group(3):
        return None
    params = parse_qs(match.group(3))
    try:
        return int(match.group(2)), int(params["inventory_item_id"][0])
    except (KeyError, ValueError):
        return None


def type_of(value: str) -> str | None:
    match = _GID_RE.match(value)
    return match.group(1) if match else None
