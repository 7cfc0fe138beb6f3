"""Live items → a store snapshot the sandbox loads (``schemas/store-snapshot.schema.json``).

``reconciler export --snapshot store.json`` writes the store as read, so a team can rehearse a
plan offline: ``reconciler sandbox serve --snapshot store.json``, then plan and apply against
it. Written in the form the sandbox itself exports: items by id, levels by location id, every
quantity but on_hand (derived) when not 0 and ``available`` always, inactive levels (read from
2026-04 on) with ``isActive: false``. What the inventory reader does not read is left out: the
shop's name and currency, location addresses, variants and products (the sandbox makes up
their titles).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from reconciler.model import LiveItem, LiveLocation

from .manifest_writer import SCHEMAS_URL, decimal_text

SCHEMA = f"{SCHEMAS_URL}/store-snapshot.schema.json"
STORED: tuple[str, ...] = (
    "available",
    "committed",
    "damaged",
    "incoming",
    "quality_control",
    "reserved",
    "safety_stock",
)


def snapshot(locations: Iterable[LiveLocation], items: Iterable[LiveItem]) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "locations": [
            {"id": loc.id, "name": loc.name, "isActive": loc.is_active}
            for loc in sorted(locations, key=lambda loc: _number(loc.id))
        ],
        "inventoryItems": [_item(item) for item in sorted(items, key=lambda i: _number(i.id))],
    }


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def _item(item: LiveItem) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": item.id,
        "sku": item.sku,
        "tracked": item.tracked,
        "unitCost": None if item.cost is None else decimal_text(item.cost, places=2),
        "countryCodeOfOrigin": item.country_code_of_origin,
        "provinceCodeOfOrigin": item.province_code_of_origin,
        "harmonizedSystemCode": item.harmonized_system_code,
        "countryHarmonizedSystemCodes": [
            {"countryCode": country, "harmonizedSystemCode": code}
            for country, code in sorted(item.country_harmonized_system_codes.items())
        ],
        "requiresShipping": item.requires_shipping,
    }
    if item.weight is not None:
        value = item.weight.value
        number = int(value) if value == value.to_integral_value() else float(value)
        out["measurement"] = {"weight": {"value": number, "unit": item.weight.unit}}
    out["levels"] = [
        {
            "locationId": level.location_id,
            **({} if level.is_active else {"isActive": False}),
            "quantities": {
                name: level.quantity(name)
                for name in STORED
                if level.quantity(name) or name == "available"
            },
        }
        for level in sorted(item.levels.values(), key=lambda lv: _number(lv.location_id))
    ]
    return out


def _number(gid: str) -> tuple[int, str]:
    tail = gid.rsplit("/", 1)[-1]
    return (int(tail), gid) if tail.isdigit() else (0, gid)
