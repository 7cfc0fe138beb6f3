"""Store snapshots: the sandbox's import/export format (JSON or YAML).

A snapshot lists the shop, its locations and its inventory items with their levels; ``on_hand``
is never stored, it is derived. The format is described by
``schemas/store-snapshot.schema.json``. Loading a snapshot *replaces* the store's contents
(locations, items, levels, adjustment history, idempotency keys, bulk operations) in one
transaction; an invalid snapshot is refused as a whole, every problem listed with its JSON path,
and the store is left exactly as it was.

`export` writes what `load` reads back to the same state (the history is not part of a
snapshot). `generate` makes a synthetic store for scale tests; `load_generated` writes the same
store straight into SQLite without building it in memory first (a million levels in seconds).
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from . import ids
from .items import decimal_string, parse_decimal
from .state import STORED_NAMES, State, now_iso

LEVEL_BASE_OFFSET = 140_000_000_000
MAX_LISTED_PROBLEMS = 50
_CHUNK = 20_000  # rows per executemany batch


class SnapshotError(ValueError):
    """A snapshot that cannot be loaded; `problems` lists every reason (JSON path: reason)."""

    def __init__(self, source: str, problems: list[str]) -> None:
        shown = problems[:MAX_LISTED_PROBLEMS]
        more = len(problems) - len(shown)
        lines = shown + ([f"... and {more} more"] if more > 0 else [])
        super().__init__(
            f"{source}: invalid store snapshot ({len(problems)} "
            f"problem{'s' if len(problems) != 1 else ''}):\n  " + "\n  ".join(lines)
        )
        self.source = source
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


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def read(path: Path) -> dict[str, Any]:
    """Read a JSON or YAML snapshot file (``.yaml``/``.yml`` is YAML, anything else JSON)."""
    is_yaml = path.suffix.lower() in (".yaml", ".yml")
    kind = "YAML" if is_yaml else "JSON"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SnapshotError(str(path), [f"cannot read the file: {exc}"]) from exc
    try:
        data = yaml.safe_load(text) if is_yaml else json.loads(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise SnapshotError(str(path), [f"$: not valid {kind}: {exc}"]) from exc
    if not isinstance(data, dict):
        raise SnapshotError(str(path), ["$: the top level must be an object"])
    return data


def _json_path(parts: Iterable[Any]) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _schema_message(error: jsonschema.ValidationError) -> str:
    hint = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator in ("oneOf", "anyOf") and hint:
        return f"{error.instance!r} is not valid: {hint}"
    if error.validator == "pattern" and hint:
        return f"{error.instance!r} is not valid: {hint}"
    return str(error.message)


def problems(data: Any) -> list[str]:
    """Every reason the snapshot cannot be loaded, as ``<JSON path>: <reason>``, in order."""
    if not isinstance(data, dict):
        return ["$: the top level must be an object"]
    found = [
        (list(e.absolute_path), f"{_json_path(e.absolute_path)}: {_schema_message(e)}")
        for e in _validator().iter_errors(data)
    ]
    found.extend(_semantic_problems(data))
    found.sort(key=lambda p: [_order(part) for part in p[0]])
    return [text for _, text in found]


_KEY_ORDER = {"$schema": 0, "shop": 1, "locations": 2, "inventoryItems": 3}


def _order(part: Any) -> tuple[int, int, str]:
    """Problems sort in document order: list indexes numerically, top-level keys as written."""
    if isinstance(part, int):
        return (0, part, "")
    return (1, _KEY_ORDER.get(str(part), 9), str(part))


def validate(data: Any, source: str = "snapshot") -> None:
    found = problems(data)
    if found:
        raise SnapshotError(source, found)


MAX_ID = 2**63 - 1  # SQLite's INTEGER


def _too_large(data: dict[str, Any]) -> Iterator[tuple[list[Any], str]]:
    """Gids whose number SQLite cannot store."""

    def check(where: list[Any], value: Any) -> Iterator[tuple[list[Any], str]]:
        if isinstance(value, str):
            tail = value.rsplit("/", 1)[-1]
            if tail.isdigit() and int(tail) > MAX_ID:
                yield where, f"{_json_path(where)}: {value} has a number above {MAX_ID}"

    locations = data.get("locations")
    for i, loc in enumerate(locations if isinstance(locations, list) else []):
        if isinstance(loc, dict):
            yield from check(["locations", i, "id"], loc.get("id"))
    items = data.get("inventoryItems")
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        yield from check(["inventoryItems", i, "id"], item.get("id"))
        variant = item.get("variant")
        if isinstance(variant, dict):
            yield from check(["inventoryItems", i, "variant", "id"], variant.get("id"))
            product = variant.get("product")
            if isinstance(product, dict):
                yield from check(
                    ["inventoryItems", i, "variant", "product", "id"], product.get("id")
                )


def _semantic_problems(data: dict[str, Any]) -> list[tuple[list[Any], str]]:
    """What the JSON schema cannot say: unique ids, levels at known locations, id ranges."""
    out: list[tuple[list[Any], str]] = list(_too_large(data))
    location_ids: dict[str, int] = {}
    locations = data.get("locations")
    for i, loc in enumerate(locations if isinstance(locations, list) else []):
        gid = loc.get("id") if isinstance(loc, dict) else None
        if not isinstance(gid, str):
            continue
        if gid in location_ids:
            where = ["locations", i, "id"]
            out.append(
                (
                    where,
                    f"{_json_path(where)}: duplicate location id {gid} "
                    f"(also at $.locations[{location_ids[gid]}])",
                )
            )
        else:
            location_ids[gid] = i
    item_ids: dict[str, int] = {}
    variant_ids: dict[str, int] = {}
    items = data.get("inventoryItems")
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        gid = item.get("id")
        if isinstance(gid, str):
            if gid in item_ids:
                where = ["inventoryItems", i, "id"]
                out.append(
                    (
                        where,
                        f"{_json_path(where)}: duplicate inventory item id {gid} "
                        f"(also at $.inventoryItems[{item_ids[gid]}])",
                    )
                )
            else:
                item_ids[gid] = i
        variant = item.get("variant")
        variant_id = variant.get("id") if isinstance(variant, dict) else None
        if isinstance(variant_id, str):
            if variant_id in variant_ids:
                where = ["inventoryItems", i, "variant", "id"]
                out.append(
                    (
                        where,
                        f"{_json_path(where)}: duplicate variant id {variant_id} (also used by "
                        f"$.inventoryItems[{variant_ids[variant_id]}]); a variant has one "
                        "inventory item",
                    )
                )
            else:
                variant_ids[variant_id] = i
        cost = item.get("unitCost")
        if isinstance(cost, dict) and "amount" in cost:
            amount = parse_decimal(cost["amount"])
            if amount is None or not amount.is_finite() or amount < 0:
                where = ["inventoryItems", i, "unitCost", "amount"]
                out.append(
                    (
                        where,
                        f"{_json_path(where)}: {cost['amount']!r} is not a non-negative decimal",
                    )
                )
        seen: dict[str, int] = {}
        levels = item.get("levels")
        for j, level in enumerate(levels if isinstance(levels, list) else []):
            location = level.get("locationId") if isinstance(level, dict) else None
            if not isinstance(location, str):
                continue
            where = ["inventoryItems", i, "levels", j, "locationId"]
            if location not in location_ids:
                out.append(
                    (where, f"{_json_path(where)}: {location} is not a location of this snapshot")
                )
            if location in seen:
                out.append(
                    (
                        where,
                        f"{_json_path(where)}: the item already has a level at {location} "
                        f"(levels[{seen[location]}])",
                    )
                )
            else:
                seen[location] = j
    return out


def _number(gid: str, kind: str) -> int:
    number = ids.parse(gid, kind)
    assert number is not None, gid  # guaranteed by the schema's patterns
    return number


def _location_row(loc: dict[str, Any], stamp: str) -> tuple[Any, ...]:
    number = _number(loc["id"], "Location")
    address = loc.get("address") or {}
    active = loc.get("isActive", True)
    return (
        number,
        loc["name"],
        int(active),
        LEVEL_BASE_OFFSET + number,
        int(loc.get("fulfillsOnlineOrders", True)),
        address.get("address1"),
        address.get("city"),
        address.get("provinceCode"),
        address.get("countryCode"),
        address.get("zip"),
        stamp,
        stamp,
        None if active else stamp,
    )


def _item_rows(
    item: dict[str, Any], stamp: str
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(item row, HS code rows, level rows) of one snapshot item."""
    number = _number(item["id"], "InventoryItem")
    variant = item.get("variant") or {}
    product = variant.get("product") or {}
    weight = (item.get("measurement") or {}).get("weight") or {}
    cost = item.get("unitCost")
    if isinstance(cost, dict):
        cost = cost.get("amount")
    amount = parse_decimal(cost) if cost is not None else None
    variant_id = ids.parse(variant.get("id", ""), "ProductVariant") or number + 1_000_000_000
    product_id = ids.parse(product.get("id", ""), "Product") or number + 2_000_000_000
    item_row = (
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
    hs_rows = [
        (number, position, entry.get("countryCode"), entry["harmonizedSystemCode"])
        for position, entry in enumerate(item.get("countryHarmonizedSystemCodes") or [])
    ]
    level_rows = []
    for stocked, level in enumerate(item.get("levels") or [], start=1):
        quantities = level.get("quantities") or {}
        level_rows.append(
            (
                number,
                _number(level["locationId"], "Location"),
                int(level.get("isActive", True)),
                *(int(quantities.get(n, 0)) for n in STORED_NAMES),
                *(stamp if quantities.get(n) or n == "available" else None for n in STORED_NAMES),
                stamp,
                stamp,
                stocked,  # the snapshot's order is the order they were stocked
            )
        )
    return item_row, hs_rows, level_rows


_ITEM_SQL = f"INSERT INTO items VALUES ({', '.join('?' * 16)})"
_HS_SQL = "INSERT INTO country_hs_codes VALUES (?, ?, ?, ?)"
_LEVEL_SQL = f"INSERT INTO levels VALUES ({', '.join('?' * (6 + 2 * len(STORED_NAMES)))})"
_LOCATION_SQL = "INSERT INTO locations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


def _insert(
    state: State,
    conn: sqlite3.Connection,
    shop: dict[str, Any],
    locations: Iterable[dict[str, Any]],
    items: Iterable[dict[str, Any]],
) -> None:
    """Write a (valid) store into an empty state, in batches, keeping id counters ahead."""
    stamp = now_iso()
    for key in ("name", "domain", "currency"):
        if key in shop:
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (f"shop:{key}", shop[key])
            )
    location_rows = [_location_row(loc, stamp) for loc in locations]
    conn.executemany(_LOCATION_SQL, location_rows)
    highest = {"item": 0, "variant": 0, "product": 0}
    iterator: Iterator[dict[str, Any]] = iter(items)
    while True:
        batch = list(islice(iterator, _CHUNK // 8 or 1))
        if not batch:
            break
        item_rows, hs_rows, level_rows = [], [], []
        for item in batch:
            item_row, hs, levels = _item_rows(item, stamp)
            item_rows.append(item_row)
            hs_rows.extend(hs)
            level_rows.extend(levels)
        conn.executemany(_ITEM_SQL, item_rows)
        conn.executemany(_HS_SQL, hs_rows)
        conn.executemany(_LEVEL_SQL, level_rows)
        highest["item"] = max(highest["item"], max(int(r[0]) for r in item_rows))
        highest["variant"] = max(highest["variant"], max(int(r[10]) for r in item_rows))
        highest["product"] = max(highest["product"], max(int(r[12]) for r in item_rows))
    for kind, value in highest.items():
        if value:
            state.bump_counter(conn, kind, value)
    if location_rows:
        state.bump_counter(conn, "location", max(int(r[0]) for r in location_rows))


def load(
    state: State, data: dict[str, Any], source: str = "snapshot", validated: bool = False
) -> None:
    """Replace the store's contents with the snapshot: validated first, then one transaction."""
    if not validated:
        validate(data, source)
    with state.transaction() as conn:
        state.wipe()
        _insert(state, conn, data.get("shop") or {}, data["locations"], data["inventoryItems"])


def export(state: State) -> dict[str, Any]:
    """The store as a snapshot: what `load` reads back to the same state.

    Quantities that are zero are left out (``available`` is always written).
    """
    with state.reading() as conn:
        shop = {
            key.split(":", 1)[1]: value
            for key, value in conn.execute(
                "SELECT key, value FROM meta WHERE key LIKE 'shop:%' ORDER BY key"
            )
        }
        locations = []
        for row in conn.execute(
            "SELECT id, name, is_active, fulfills_online_orders, address1, city, province_code, "
            "country_code, zip FROM locations ORDER BY id"
        ):
            location: dict[str, Any] = {
                "id": ids.gid("Location", row[0]),
                "name": row[1],
                "isActive": bool(row[2]),
                "fulfillsOnlineOrders": bool(row[3]),
            }
            if any(value is not None for value in row[4:]):
                location["address"] = dict(
                    zip(
                        ("address1", "city", "provinceCode", "countryCode", "zip"),
                        row[4:],
                        strict=True,
                    )
                )
            locations.append(location)
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
            f"SELECT item_id, location_id, is_active, {columns} FROM levels "  # noqa: S608
            "ORDER BY item_id, stocked, location_id"
        ):
            levels.setdefault(row[0], []).append(
                {
                    "locationId": ids.gid("Location", row[1]),
                    "isActive": bool(row[2]),
                    "quantities": {
                        name: value
                        for name, value in zip(STORED_NAMES, row[3:], strict=True)
                        if value or name == "available"
                    },
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


# -- synthetic stores ----------------------------------------------------------------------


def _generated_locations(locations: int) -> list[dict[str, Any]]:
    return [
        {"id": ids.gid("Location", 1000 + i), "name": f"Location {i + 1:02d}", "isActive": True}
        for i in range(locations)
    ]


_DAMAGED = (0, 0, 0, 1, 2)
# (item number, sku, unit cost, [(location number, available, committed, damaged), ...])
_GeneratedItem = tuple[int, str, str, list[tuple[int, int, int, int]]]


def _generated_rows(items: int, locations: int, seed: int) -> Iterator[_GeneratedItem]:
    """The synthetic store's items, deterministic per seed: the one source of both forms."""
    random_float = random.Random(seed).random
    location_numbers = [1000 + i for i in range(locations)]
    for n in range(items):
        cents = 100 + int(random_float() * 19_901)
        levels = [
            (
                location,
                int(random_float() * 501),
                int(random_float() * 6),
                _DAMAGED[int(random_float() * 5)],
            )
            for location in location_numbers
        ]
        yield 1_000_000 + n, f"SKU-{n:07d}", decimal_string(Decimal(cents) / 100), levels


def check_generate_spec(items: Any, locations: Any, seed: Any) -> tuple[int, int, int]:
    """The arguments of a generated store, or ValueError saying which one is wrong."""
    out = []
    for name, value, low in (
        ("items", items, 0),
        ("locations", locations, 1),
        ("seed", seed, None),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be an integer, got {value!r}")
        if low is not None and value < low:
            raise ValueError(f"{name} must be at least {low}, got {value}")
        out.append(value)
    if out[0] > 10_000_000:
        raise ValueError(f"items must be at most 10000000, got {out[0]}")
    if out[1] > 1_000:
        raise ValueError(f"locations must be at most 1000, got {out[1]}")
    return out[0], out[1], out[2]


def generate(items: int, locations: int, seed: int = 1) -> dict[str, Any]:
    """A synthetic store of `items` x `locations` levels, as a snapshot (deterministic per seed)."""
    items, locations, seed = check_generate_spec(items, locations, seed)
    out_items = [
        {
            "id": ids.gid("InventoryItem", number),
            "sku": sku,
            "tracked": True,
            "unitCost": cost,
            "levels": [
                {
                    "locationId": ids.gid("Location", location),
                    "quantities": {
                        "available": available,
                        "committed": committed,
                        "damaged": damaged,
                    },
                }
                for location, available, committed, damaged in levels
            ],
        }
        for number, sku, cost, levels in _generated_rows(items, locations, seed)
    ]
    return {"locations": _generated_locations(locations), "inventoryItems": out_items}


def load_generated(state: State, items: int, locations: int, seed: int = 1) -> None:
    """Replace the store with `generate(items, locations, seed)`, written straight to SQLite.

    The generated store is valid by construction, so it skips validation and the snapshot
    dicts; the result is the same as ``load(state, generate(...))`` (a test holds them equal).
    """
    items, locations, seed = check_generate_spec(items, locations, seed)
    stamp = now_iso()
    blank = (0,) * 4  # incoming, quality_control, reserved, safety_stock
    no_stamps = (None,) * 4
    with state.transaction() as conn:
        state.wipe()
        conn.executemany(
            _LOCATION_SQL, [_location_row(loc, stamp) for loc in _generated_locations(locations)]
        )
        rows = _generated_rows(items, locations, seed)
        highest = 0
        while True:
            batch = list(islice(rows, max(1, _CHUNK // locations)))
            if not batch:
                break
            conn.executemany(
                _ITEM_SQL,
                [
                    # id, sku, tracked, cost, origin x3, weight, unit, shipping, variant,
                    # variant title, product, product title, created, updated
                    (n, sku, 1, cost, None, None, None, 0.0, "KILOGRAMS", 1)
                    + (n + 1_000_000_000, "Default Title", n + 2_000_000_000, sku, stamp, stamp)
                    for n, sku, cost, _ in batch
                ],
            )
            conn.executemany(
                _LEVEL_SQL,
                [
                    (n, location, 1, available, committed, damaged, *blank, stamp)
                    + (stamp if committed else None, stamp if damaged else None)
                    + (*no_stamps, stamp, stamp, stocked)
                    for n, _, _, levels in batch
                    for stocked, (location, available, committed, damaged) in enumerate(
                        levels, start=1
                    )
                ],
            )
            highest = batch[-1][0]
        if highest:
            state.bump_counter(conn, "item", highest)
            state.bump_counter(conn, "variant", highest + 1_000_000_000)
            state.bump_counter(conn, "product", highest + 2_000_000_000)
        if locations:
            state.bump_counter(conn, "location", 1000 + locations - 1)
