"""Store snapshots: the sandbox's import/export format (JSON or YAML).

A snapshot lists locations and inventory items with their levels; ``on_hand`` is never stored,
it is derived. The format is described by ``schemas/store-snapshot.schema.json``; an invalid
snapshot is refused as a whole with every problem listed, and nothing is loaded.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from . import ids
from .items import decimal_string, parse_decimal
from .state import STORED_NAMES, State, now_iso

LEVEL_BASE_OFFSET = 140_000_000_000


class SnapshotError(ValueError):
    """A snapshot that cannot be loaded; `problems` lists every reason."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: invalid store snapshot:\n  " + "\n  ".join(problems))
        self.problems = problems


def schema_path() -> Path:
    here = Path(__file__).resolve()
    for candidate in (
        here.parents[1] / "_schemas" / "store-snapshot.schema.json",  # installed wheel
        here.parents[2] / "schemas" / "store-snapshot.schema.json",  # source checkout
    ):
        if candidate.exists():
            return candidate
    raise FileNotFoundError("store-snapshot.schema.json not found")


def read(path: Path) -> dict[str, Any]:
    """Read a JSON or YAML snapshot file (YAML 1.1 surprises do not matter: ids are strings)."""
    text = path.read_text(encoding="utf-8")
    kind = "YAML" if path.suffix in (".yaml", ".yml") else "JSON"
    try:
        data = yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else json.loads(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise SnapshotError(str(path), [f"not valid {kind}: {exc}"]) from exc
    if not isinstance(data, dict):
        raise SnapshotError(str(path), ["the top level must be an object"])
    return data


def _json_path(parts: Iterable[Any]) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def validate(data: dict[str, Any], source: str = "snapshot") -> None:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    problems = [
        f"{_json_path(e.absolute_path)}: {e.message}"
        for e in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    ]
    if not problems:
        problems = _semantic_problems(data)
    if problems:
        raise SnapshotError(source, problems)


def _semantic_problems(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    location_ids: set[str] = set()
    for i, loc in enumerate(data.get("locations", [])):
        if loc["id"] in location_ids:
            problems.append(f"$.locations[{i}].id: duplicate location id {loc['id']}")
        location_ids.add(loc["id"])
    item_ids: set[str] = set()
    for i, item in enumerate(data.get("inventoryItems", [])):
        if item["id"] in item_ids:
            problems.append(f"$.inventoryItems[{i}].id: duplicate inventory item id {item['id']}")
        item_ids.add(item["id"])
        cost = item.get("unitCost")
        if cost is not None:
            amount = parse_decimal(cost["amount"] if isinstance(cost, dict) else cost)
            if amount is None or amount < 0:
                problems.append(f"$.inventoryItems[{i}].unitCost: not a non-negative decimal")
        seen: set[str] = set()
        for j, level in enumerate(item.get("levels", [])):
            where = f"$.inventoryItems[{i}].levels[{j}].locationId"
            if level["locationId"] not in location_ids:
                problems.append(
                    f"{where}: {level['locationId']} is not a location of this snapshot"
                )
            if level["locationId"] in seen:
                problems.append(f"{where}: the item has two levels at {level['locationId']}")
            seen.add(level["locationId"])
    return problems


def _number(gid: str, kind: str) -> int:
    number = ids.parse(gid, kind)
    assert number is not None, gid  # guaranteed by the schema's patterns
    return number


def load(state: State, data: dict[str, Any], source: str = "snapshot") -> None:
    """Replace the store's contents with the snapshot (validated first, loaded in one go)."""
    validate(data, source)
    stamp = now_iso()
    state.wipe()
    shop = data.get("shop") or {}
    with state.transaction() as conn:
        for key in ("name", "domain", "currency"):
            if key in shop:
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    (f"shop:{key}", shop[key]),
                )
        location_rows = []
        for loc in data.get("locations", []):
            number = _number(loc["id"], "Location")
            address = loc.get("address") or {}
            location_rows.append(
                (
                    number,
                    loc["name"],
                    int(loc.get("isActive", True)),
                    LEVEL_BASE_OFFSET + number,
                    int(loc.get("fulfillsOnlineOrders", True)),
                    address.get("address1"),
                    address.get("city"),
                    address.get("provinceCode"),
                    address.get("countryCode"),
                    address.get("zip"),
                    stamp,
                    stamp,
                    None if loc.get("isActive", True) else stamp,
                )
            )
        conn.executemany(
            "INSERT INTO locations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", location_rows
        )
        item_rows, hs_rows, level_rows = [], [], []
        for item in data.get("inventoryItems", []):
            number = _number(item["id"], "InventoryItem")
            variant = item.get("variant") or {}
            product = variant.get("product") or {}
            weight = (item.get("measurement") or {}).get("weight") or {}
            cost = item.get("unitCost")
            if isinstance(cost, dict):
                cost = cost.get("amount")
            amount = parse_decimal(cost) if cost is not None else None
            variant_id = (
                ids.parse(variant.get("id", ""), "ProductVariant") or number + 1_000_000_000
            )
            product_id = ids.parse(product.get("id", ""), "Product") or number + 2_000_000_000
            item_rows.append(
                (
                    number,
                    item.get("sku"),
                    int(item.get("tracked", True)),
                    decimal_string(amount) if amount is not None else None,
                    item.get("countryCodeOfOrigin"),
                    item.get("provinceCodeOfOrigin"),
                    item.get("harmonizedSystemCode"),
                    float(weight.get("value", 0.0)),
                    weight.get("unit", "KILOGRAMS"),
                    int(item.get("requiresShipping", True)),
                    variant_id,
                    variant.get("title", "Default Title"),
                    product_id,
                    product.get("title") or item.get("sku") or f"Product {number}",
                    stamp,
                    stamp,
                )
            )
            for position, entry in enumerate(item.get("countryHarmonizedSystemCodes", [])):
                hs_rows.append(
                    (number, position, entry.get("countryCode"), entry["harmonizedSystemCode"])
                )
            for level in item.get("levels", []):
                quantities = level.get("quantities", {})
                level_rows.append(
                    (
                        number,
                        _number(level["locationId"], "Location"),
                        int(level.get("isActive", True)),
                        *(int(quantities.get(n, 0)) for n in STORED_NAMES),
                        *(
                            stamp if quantities.get(n) or n == "available" else None
                            for n in STORED_NAMES
                        ),
                        stamp,
                        stamp,
                    )
                )
        conn.executemany(f"INSERT INTO items VALUES ({', '.join('?' * 16)})", item_rows)
        conn.executemany("INSERT INTO country_hs_codes VALUES (?, ?, ?, ?)", hs_rows)
        conn.executemany(
            f"INSERT INTO levels VALUES ({', '.join('?' * (5 + 2 * len(STORED_NAMES)))})",
            level_rows,
        )
        for kind, rows, column in (
            ("item", item_rows, 0),
            ("variant", item_rows, 10),
            ("product", item_rows, 12),
            ("location", location_rows, 0),
        ):
            if rows:
                state.bump_counter(conn, kind, max(int(str(r[column])) for r in rows))


def export(state: State) -> dict[str, Any]:
    """The store as a snapshot: what `load` reads back to the same state."""
    with state.reading() as conn:
        shop = {
            key.split(":", 1)[1]: value
            for key, value in conn.execute("SELECT key, value FROM meta WHERE key LIKE 'shop:%'")
        }
        locations = [
            {
                "id": ids.gid("Location", row[0]),
                "name": row[1],
                "isActive": bool(row[2]),
            }
            for row in conn.execute("SELECT id, name, is_active FROM locations ORDER BY id")
        ]
        hs: dict[int, list[dict[str, Any]]] = {}
        for item_id, country, code in conn.execute(
            "SELECT item_id, country_code, hs_code FROM country_hs_codes ORDER BY item_id, position"
        ):
            hs.setdefault(item_id, []).append(
                {"countryCode": country, "harmonizedSystemCode": code}
            )
        levels: dict[int, list[dict[str, Any]]] = {}
        columns = ", ".join(STORED_NAMES)
        for row in conn.execute(
            f"SELECT item_id, location_id, is_active, {columns} FROM levels "
            "ORDER BY item_id, location_id"
        ):
            levels.setdefault(row[0], []).append(
                {
                    "locationId": ids.gid("Location", row[1]),
                    "isActive": bool(row[2]),
                    "quantities": dict(zip(STORED_NAMES, row[3:], strict=True)),
                }
            )
        items = []
        for row in conn.execute(
            "SELECT id, sku, tracked, cost, country_code, province_code, hs_code, weight_value, "
            "weight_unit, requires_shipping, variant_id, variant_title, product_id, product_title "
            "FROM items ORDER BY id"
        ):
            items.append(
                {
                    "id": ids.gid("InventoryItem", row[0]),
                    "sku": row[1],
                    "tracked": bool(row[2]),
                    "unitCost": row[3],
                    "countryCodeOfOrigin": row[4],
                    "provinceCodeOfOrigin": row[5],
                    "harmonizedSystemCode": row[6],
                    "countryHarmonizedSystemCodes": hs.get(row[0], []),
                    "measurement": {"weight": {"value": row[7], "unit": row[8]}},
                    "requiresShipping": bool(row[9]),
                    "variant": {
                        "id": ids.gid("ProductVariant", row[10]),
                        "title": row[11],
                        "product": {"id": ids.gid("Product", row[12]), "title": row[13]},
                    },
                    "levels": levels.get(row[0], []),
                }
            )
    out: dict[str, Any] = {}
    if shop:
        out["shop"] = shop
    out["locations"] = locations
    out["inventoryItems"] = items
    return out


def generate(items: int, locations: int, seed: int = 1) -> dict[str, Any]:
    """A synthetic store of `items` x `locations` levels, for scale tests and benchmarks."""
    rng = random.Random(seed)
    locs = [
        {"id": ids.gid("Location", 1000 + i), "name": f"Location {i + 1:02d}", "isActive": True}
        for i in range(locations)
    ]
    out_items = []
    for n in range(items):
        out_items.append(
            {
                "id": ids.gid("InventoryItem", 1_000_000 + n),
                "sku": f"SKU-{n:07d}",
                "tracked": True,
                "unitCost": str(Decimal(rng.randint(100, 20000)) / 100),
                "levels": [
                    {
                        "locationId": loc["id"],
                        "quantities": {
                            "available": rng.randint(0, 500),
                            "committed": rng.randint(0, 5),
                            "damaged": rng.choice((0, 0, 0, 1, 2)),
                        },
                    }
                    for loc in locs
                ],
            }
        )
    return {"locations": locs, "inventoryItems": out_items}
