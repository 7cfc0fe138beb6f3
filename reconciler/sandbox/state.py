"""The store's state in SQLite: locations, inventory items, levels, quantities and history.

One `State` per sandbox store. SQLite (stdlib) makes the store survive restarts when given a
file, and one lock plus one transaction per mutation makes concurrent requests safe: a mutation
applies whole or not at all, as on Shopify.

Quantities live as columns of the level row (one per stored name); ``on_hand`` is never stored,
it is derived from its components, so the invariant cannot drift.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .totals import TotalInventoryLag

# Stored quantity names; on_hand is derived (facts §3.1).
STORED_NAMES: tuple[str, ...] = (
    "available",
    "committed",
    "damaged",
    "incoming",
    "quality_control",
    "reserved",
    "safety_stock",
)
ON_HAND_COMPONENTS: tuple[str, ...] = (
    "available",
    "committed",
    "damaged",
    "quality_control",
    "reserved",
    "safety_stock",
)
# Every name Shopify reports, in the order inventoryProperties lists them.
ALL_NAMES: tuple[str, ...] = (
    "available",
    "committed",
    "damaged",
    "incoming",
    "on_hand",
    "quality_control",
    "reserved",
    "safety_stock",
)

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS locations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 1,
    level_base INTEGER NOT NULL,
    fulfills_online_orders INTEGER NOT NULL DEFAULT 1,
    address1 TEXT, city TEXT, province_code TEXT, country_code TEXT, zip TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deactivated_at TEXT
);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    sku TEXT,
    tracked INTEGER NOT NULL DEFAULT 0,
    cost TEXT,
    country_code TEXT,
    province_code TEXT,
    hs_code TEXT,
    weight_value REAL NOT NULL DEFAULT 0,
    weight_unit TEXT NOT NULL DEFAULT 'KILOGRAMS',
    requires_shipping INTEGER NOT NULL DEFAULT 1,
    variant_id INTEGER NOT NULL,
    variant_title TEXT NOT NULL DEFAULT 'Default Title',
    product_id INTEGER NOT NULL,
    product_title TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_sku ON items (sku);
CREATE INDEX IF NOT EXISTS items_variant ON items (variant_id);
CREATE TABLE IF NOT EXISTS country_hs_codes (
    item_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    country_code TEXT,
    hs_code TEXT NOT NULL,
    PRIMARY KEY (item_id, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS levels (
    item_id INTEGER NOT NULL,
    location_id INTEGER NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 1,
    {", ".join(f"{n} INTEGER NOT NULL DEFAULT 0" for n in STORED_NAMES)},
    {", ".join(f"{n}_updated_at TEXT" for n in STORED_NAMES)},
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    stocked INTEGER NOT NULL DEFAULT 0,  -- the item's nth level: Shopify lists them so
    PRIMARY KEY (item_id, location_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS levels_location ON levels (location_id, item_id);
CREATE TABLE IF NOT EXISTS adjustment_groups (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    reference_document_uri TEXT,
    app_title TEXT,
    api_version TEXT,
    mutation TEXT
);
CREATE TABLE IF NOT EXISTS adjustment_changes (
    group_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    item_id INTEGER NOT NULL,
    location_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    delta INTEGER NOT NULL,
    ledger_document_uri TEXT,
    quantity_after INTEGER,
    PRIMARY KEY (group_id, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS changes_item ON adjustment_changes (item_id, location_id);
CREATE TABLE IF NOT EXISTS idempotency (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    operation TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL,
    result TEXT,
    created_at REAL NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bulk_operations (
    id INTEGER PRIMARY KEY,
    scope TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    query TEXT NOT NULL,
    api_version TEXT NOT NULL,
    error_code TEXT,
    created_at TEXT NOT NULL,
    completed_at TEXT,
    object_count INTEGER NOT NULL DEFAULT 0,
    root_object_count INTEGER NOT NULL DEFAULT 0,
    file_size INTEGER,
    path TEXT
);
"""

# First numbers handed out for new objects; snapshots usually bring their own ids.
_COUNTER_START = {
    "item": 50_000_000,
    "variant": 60_000_000,
    "product": 70_000_000,
    "location": 80_000_000,
    "level_base": 140_000_000_000,
    "adjustment_group": 90_000_000_000,
    "bulk_operation": 7_000_000_000,
}


def now_iso() -> str:
    """Shopify's DateTime format: UTC, second precision, trailing Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class Location:
    id: int
    name: str
    is_active: bool
    level_base: int
    fulfills_online_orders: bool
    address1: str | None
    city: str | None
    province_code: str | None
    country_code: str | None
    zip: str | None
    created_at: str
    updated_at: str
    deactivated_at: str | None


@dataclass(slots=True)
class Item:
    id: int
    sku: str | None
    tracked: bool
    cost: str | None
    country_code: str | None
    province_code: str | None
    hs_code: str | None
    weight_value: float
    weight_unit: str
    requires_shipping: bool
    variant_id: int
    variant_title: str
    product_id: int
    product_title: str
    created_at: str
    updated_at: str


@dataclass(slots=True)
class Level:
    item_id: int
    location_id: int
    is_active: bool
    quantities: dict[str, int]
    updated: dict[str, str | None]
    created_at: str
    updated_at: str
    # Order among the item's levels: Shopify lists an item's levels in the order they were
    # stocked (captures §3.2: ascending internal level id), not by location.
    stocked: int = 0

    @property
    def on_hand(self) -> int:
        return sum(self.quantities[n] for n in ON_HAND_COMPONENTS)

    def quantity(self, name: str) -> int:
        return self.on_hand if name == "on_hand" else self.quantities[name]


@dataclass(slots=True)
class Change:
    item_id: int
    location_id: int
    name: str
    delta: int
    ledger_document_uri: str | None = None
    quantity_after: int | None = None


@dataclass(slots=True)
class AdjustmentGroup:
    id: int
    created_at: str
    reason: str
    reference_document_uri: str | None
    app_title: str | None
    changes: list[Change] = field(default_factory=list)


LOCATION_COLS = (
    "id, name, is_active, level_base, fulfills_online_orders, address1, city, province_code, "
    "country_code, zip, created_at, updated_at, deactivated_at"
)
ITEM_COLS = (
    "id, sku, tracked, cost, country_code, province_code, hs_code, weight_value, weight_unit, "
    "requires_shipping, variant_id, variant_title, product_id, product_title, created_at, "
    "updated_at"
)
LEVEL_COLS = (
    "item_id, location_id, is_active, "
    + ", ".join(STORED_NAMES)
    + ", "
    + ", ".join(f"{n}_updated_at" for n in STORED_NAMES)
    + ", created_at, updated_at"
)


def location_from_row(row: Sequence[Any]) -> Location:
    return Location(
        int(row[0]),
        row[1],
        bool(row[2]),
        int(row[3]),
        bool(row[4]),
        row[5],
        row[6],
        row[7],
        row[8],
        row[9],
        row[10],
        row[11],
        row[12],
    )


def item_from_row(row: Sequence[Any]) -> Item:
    return Item(
        int(row[0]),
        row[1],
        bool(row[2]),
        row[3],
        row[4],
        row[5],
        row[6],
        float(row[7]),
        row[8],
        bool(row[9]),
        int(row[10]),
        row[11],
        int(row[12]),
        row[13],
        row[14],
        row[15],
    )


def level_from_row(row: Sequence[Any]) -> Level:
    n = len(STORED_NAMES)
    return Level(
        item_id=int(row[0]),
        location_id=int(row[1]),
        is_active=bool(row[2]),
        quantities=dict(zip(STORED_NAMES, row[3 : 3 + n], strict=True)),
        updated=dict(zip(STORED_NAMES, row[3 + n : 3 + 2 * n], strict=True)),
        created_at=row[3 + 2 * n],
        updated_at=row[4 + 2 * n],
        stocked=int(row[5 + 2 * n]) if len(row) > 5 + 2 * n else 0,
    )


class State:
    """SQLite-backed store state with one lock; every write runs in one transaction."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path or ":memory:"
        self.lock = threading.RLock()
        self._depth = 0
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        if self.path != ":memory:":
            self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(_SCHEMA)
        self.total_lag = TotalInventoryLag()
        columns = {row[1] for row in self.conn.execute("PRAGMA table_info(levels)")}
        if "stocked" not in columns:  # a store file written before levels kept their order
            self.conn.execute("ALTER TABLE levels ADD COLUMN stocked INTEGER NOT NULL DEFAULT 0")

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing: a block that raises leaves the store exactly as it was.

        Nested blocks become savepoints, so a mutation can run inside the transaction that
        records its idempotency key and still be rolled back on its own.
        """
        with self.lock:
            depth = self._depth
            savepoint = f"sp{depth}"
            self.conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT {savepoint}")
            self._depth += 1
            try:
                yield self.conn
            except BaseException:
                if depth == 0:
                    self.conn.execute("ROLLBACK")
                else:
                    self.conn.execute(f"ROLLBACK TO {savepoint}")
                    self.conn.execute(f"RELEASE {savepoint}")
                raise
            else:
                self.conn.execute("COMMIT" if depth == 0 else f"RELEASE {savepoint}")
            finally:
                self._depth -= 1

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            yield self.conn

    def wipe(self) -> None:
        """Empty the store (inside the caller's transaction, if any).

        The bulk operation counter survives: result files are named by operation id, and an
        id handed out once is never handed out again, as on Shopify.
        """
        with self.transaction() as conn:
            conn.execute("DELETE FROM meta WHERE key != 'counter:bulk_operation'")
            for table in (
                "locations",
                "items",
                "country_hs_codes",
                "levels",
                "adjustment_groups",
                "adjustment_changes",
                "idempotency",
                "bulk_operations",
            ):
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        self.total_lag.flush()

    # -- counters and shop settings ---------------------------------------------------------

    def next_id(self, kind: str) -> int:
        with self.transaction() as conn:
            return self._next_id(conn, kind)

    def _next_id(self, conn: sqlite3.Connection, kind: str) -> int:
        key = f"counter:{kind}"
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        value = int(row[0]) + 1 if row else _COUNTER_START[kind]
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(value)))
        return value

    def bump_counter(self, conn: sqlite3.Connection, kind: str, at_least: int) -> None:
        """Keep generated ids above ids a snapshot brought in."""
        key = f"counter:{kind}"
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        current = int(row[0]) if row else _COUNTER_START[kind] - 1
        if at_least > current:
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(at_least))
            )

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        with self.reading() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- reads ------------------------------------------------------------------------------

    def location(self, location_id: int) -> Location | None:
        with self.reading() as conn:
            row = conn.execute(
                f"SELECT {LOCATION_COLS} FROM locations WHERE id = ?", (location_id,)
            ).fetchone()
        return location_from_row(row) if row else None

    def location_by_level_base(self, level_base: int) -> Location | None:
        with self.reading() as conn:
            row = conn.execute(
                f"SELECT {LOCATION_COLS} FROM locations WHERE level_base = ?", (level_base,)
            ).fetchone()
        return location_from_row(row) if row else None

    def locations(self) -> list[Location]:
        with self.reading() as conn:
            rows = conn.execute(f"SELECT {LOCATION_COLS} FROM locations ORDER BY id").fetchall()
        return [location_from_row(r) for r in rows]

    def item(self, item_id: int) -> Item | None:
        with self.reading() as conn:
            row = conn.execute(f"SELECT {ITEM_COLS} FROM items WHERE id = ?", (item_id,)).fetchone()
        return item_from_row(row) if row else None

    def item_by_variant(self, variant_id: int) -> Item | None:
        with self.reading() as conn:
            row = conn.execute(
                f"SELECT {ITEM_COLS} FROM items WHERE variant_id = ?", (variant_id,)
            ).fetchone()
        return item_from_row(row) if row else None

    def items_where(
        self,
        where: str,
        params: Sequence[object],
        order_desc: bool,
        limit: int,
        order_column: str = "id",
    ) -> list[Item]:
        """Items matching a SQL condition built by the search module, in id order."""
        order = "DESC" if order_desc else "ASC"
        sql = (
            f"SELECT {ITEM_COLS} FROM items WHERE {where} "  # noqa: S608 - built from fixed parts
            f"ORDER BY {order_column} {order} LIMIT ?"
        )
        with self.reading() as conn:
            rows = conn.execute(sql, (*params, limit)).fetchall()
        return [item_from_row(r) for r in rows]

    def count_items_where(self, where: str, params: Sequence[object]) -> int:
        with self.reading() as conn:
            row = conn.execute(
                f"SELECT COUNT(*) FROM items WHERE {where}", tuple(params)
            ).fetchone()
        return int(row[0])

    def duplicate_sku_count(self, item: Item) -> int:
        if not item.sku:
            return 0
        with self.reading() as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM items WHERE sku = ? AND id != ?", (item.sku, item.id)
            ).fetchone()
        return int(row[0])

    def country_hs_codes(self, item_id: int) -> list[tuple[str | None, str]]:
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT country_code, hs_code FROM country_hs_codes WHERE item_id = ? "
                "ORDER BY position",
                (item_id,),
            ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def level(self, item_id: int, location_id: int) -> Level | None:
        with self.reading() as conn:
            row = conn.execute(
                f"SELECT {LEVEL_COLS} FROM levels WHERE item_id = ? AND location_id = ?",
                (item_id, location_id),
            ).fetchone()
        return level_from_row(row) if row else None

    def levels_of_item(self, item_id: int, include_inactive: bool) -> list[Level]:
        """An item's levels in the order they were stocked."""
        sql = f"SELECT {LEVEL_COLS}, stocked FROM levels WHERE item_id = ?"
        if not include_inactive:
            sql += " AND is_active = 1"
        with self.reading() as conn:
            rows = conn.execute(sql + " ORDER BY stocked, location_id", (item_id,)).fetchall()
        return [level_from_row(r) for r in rows]

    def levels_of_location(
        self, location_id: int, include_inactive: bool, after_item: int, limit: int, desc: bool
    ) -> list[Level]:
        op, order = ("<", "DESC") if desc else (">", "ASC")
        sql = f"SELECT {LEVEL_COLS} FROM levels WHERE location_id = ? AND item_id {op} ?"
        if not include_inactive:
            sql += " AND is_active = 1"
        sql += f" ORDER BY item_id {order} LIMIT ?"
        with self.reading() as conn:
            rows = conn.execute(sql, (location_id, after_item, limit)).fetchall()
        return [level_from_row(r) for r in rows]

    def adjustment_group(self, group_id: int) -> AdjustmentGroup | None:
        with self.reading() as conn:
            row = conn.execute(
                "SELECT id, created_at, reason, reference_document_uri, app_title "
                "FROM adjustment_groups WHERE id = ?",
                (group_id,),
            ).fetchone()
            if not row:
                return None
            changes = conn.execute(
                "SELECT item_id, location_id, name, delta, ledger_document_uri, quantity_after "
                "FROM adjustment_changes WHERE group_id = ? ORDER BY position",
                (group_id,),
            ).fetchall()
        group = AdjustmentGroup(row[0], row[1], row[2], row[3], row[4])
        group.changes = [Change(*c) for c in changes]
        return group

    def counts(self) -> dict[str, int]:
        with self.reading() as conn:
            return {
                table: int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
                for table in ("locations", "items", "levels", "adjustment_groups")
            }

    # -- writes used by several mutations ---------------------------------------------------

    def record_group(
        self,
        conn: sqlite3.Connection,
        reason: str,
        reference_document_uri: str | None,
        app_title: str | None,
        api_version: str,
        mutation: str,
        changes: Sequence[Change],
    ) -> int:
        group_id = self._next_id(conn, "adjustment_group")
        conn.execute(
            "INSERT INTO adjustment_groups (id, created_at, reason, reference_document_uri, "
            "app_title, api_version, mutation) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (group_id, now_iso(), reason, reference_document_uri, app_title, api_version, mutation),
        )
        conn.executemany(
            "INSERT INTO adjustment_changes (group_id, position, item_id, location_id, name, "
            "delta, ledger_document_uri, quantity_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    group_id,
                    i,
                    c.item_id,
                    c.location_id,
                    c.name,
                    c.delta,
                    c.ledger_document_uri,
                    c.quantity_after,
                )
                for i, c in enumerate(changes)
            ],
        )
        return group_id

    def freeze_total(self, conn: sqlite3.Connection, item_id: int) -> None:
        """Before a write that may change the item's available sum: Product.totalInventory
        keeps answering the sum from before for a while (totals.py)."""
        lag = self.total_lag
        if lag.lag == 0 or lag.pending(item_id):
            return
        (total,) = conn.execute(
            "SELECT COALESCE(SUM(available), 0) FROM levels WHERE item_id = ? AND is_active = 1",
            (item_id,),
        ).fetchone()
        lag.freeze(item_id, int(total))

    def write_quantity(
        self, conn: sqlite3.Connection, item_id: int, location_id: int, name: str, value: int
    ) -> None:
        """Persist one stored quantity and stamp its updatedAt (on_hand is never stored)."""
        if name == "available":
            self.freeze_total(conn, item_id)
        stamp = now_iso()
        conn.execute(
            f"UPDATE levels SET {name} = ?, {name}_updated_at = ?, updated_at = ? "  # noqa: S608
            "WHERE item_id = ? AND location_id = ?",
            (value, stamp, stamp, item_id, location_id),
        )

    def insert_level(
        self,
        conn: sqlite3.Connection,
        item_id: int,
        location_id: int,
        quantities: dict[str, int] | None = None,
        is_active: bool = True,
        stamp: str | None = None,
    ) -> None:
        stamp = stamp or now_iso()
        quantities = quantities or {}
        values = [int(quantities.get(n, 0)) for n in STORED_NAMES]
        updated = [stamp if quantities.get(n) else None for n in STORED_NAMES]
        # a level stocked again keeps its place; a new one comes after the item's others
        stocked = (
            "COALESCE((SELECT stocked FROM levels WHERE item_id = ? AND location_id = ?), "
            "(SELECT COALESCE(MAX(stocked), 0) + 1 FROM levels WHERE item_id = ?))"
        )
        conn.execute(
            f"INSERT OR REPLACE INTO levels ({LEVEL_COLS}, stocked) VALUES "
            f"({', '.join('?' * (5 + 2 * len(STORED_NAMES)))}, {stocked})",
            (item_id, location_id, int(is_active), *values, *updated, stamp, stamp)
            + (item_id, location_id, item_id),
        )
