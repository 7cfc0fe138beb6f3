"""Stocking an item at a location: inventoryActivate, inventoryDeactivate and
inventoryBulkToggleActivation.

The semantics changed in 2026-04 (facts §1, §5.4-5.6): before, deactivating clears the level's
quantities and the level disappears, and activating starts from zero; from 2026-04 a deactivated
level stays (inactive, quantities kept, hidden unless ``includeInactive``) and reactivating it
brings the same level back with its quantities. Both behaviours are views over one state: an
inactive level row is simply invisible to versions before 2026-04.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from . import ids
from .quantities import SET_LIMIT, Caller
from .state import (
    ITEM_COLS,
    LEVEL_COLS,
    LOCATION_COLS,
    Item,
    Level,
    Location,
    State,
    item_from_row,
    level_from_row,
    location_from_row,
    now_iso,
)
from .user_errors import Rejected, UserError, path

_ITEM_SQL = f"SELECT {ITEM_COLS} FROM items WHERE id = ?"
_LOCATION_SQL = f"SELECT {LOCATION_COLS} FROM locations WHERE id = ?"


@dataclass
class ActivateOutcome:
    level: tuple[int, int] | None = None  # (item_id, location_id) of the level to return
    errors: list[UserError] = field(default_factory=list)


@dataclass
class ToggleOutcome:
    item_id: int | None = None
    levels: list[tuple[int, int]] | None = None
    errors: list[UserError] = field(default_factory=list)


def _item(conn: sqlite3.Connection, gid: str) -> Item | None:
    number = ids.parse(gid, "InventoryItem")
    row = conn.execute(_ITEM_SQL, (number,)).fetchone() if number is not None else None
    return item_from_row(row) if row else None


def _location(conn: sqlite3.Connection, gid: str) -> Location | None:
    number = ids.parse(gid, "Location")
    row = conn.execute(_LOCATION_SQL, (number,)).fetchone() if number is not None else None
    return location_from_row(row) if row else None


def _level_state(conn: sqlite3.Connection, item_id: int, location_id: int) -> tuple[bool, bool]:
    """(row exists, active as this version sees it)."""
    row = conn.execute(
        "SELECT is_active FROM levels WHERE item_id = ? AND location_id = ?",
        (item_id, location_id),
    ).fetchone()
    if row is None:
        return False, False
    return True, bool(row[0])


def state_level(conn: sqlite3.Connection, item_id: int, location_id: int) -> Level | None:
    row = conn.execute(
        f"SELECT {LEVEL_COLS} FROM levels WHERE item_id = ? AND location_id = ?",
        (item_id, location_id),
    ).fetchone()
    return level_from_row(row) if row else None


def _active_count(conn: sqlite3.Connection, item_id: int) -> int:
    row = conn.execute(
        "SELECT COUNT(*) FROM levels WHERE item_id = ? AND is_active = 1", (item_id,)
    ).fetchone()
    return int(row[0])


def _stock(
    state: State,
    conn: sqlite3.Connection,
    caller: Caller,
    item: Item,
    location: Location,
    available: int | None = None,
    on_hand: int | None = None,
) -> None:
    """Make the level active; keep quantities only where this version keeps them.

    ``available`` or ``onHand`` seeds the level; an untracked item ignores both (captured
    2025-01: ``available: 9`` on an untracked item stocked it with 0). ``onHand`` is reached
    through available, as every on_hand write is (facts §3.3).
    """
    exists, _ = _level_state(conn, item.id, location.id)
    if exists and caller.rules.inactive_levels:
        # 2026-04+: the inactive level comes back with its quantities (same level GID).
        state.freeze_total(conn, item.id)
        conn.execute(
            "UPDATE levels SET is_active = 1, updated_at = ? WHERE item_id = ? AND location_id = ?",
            (now_iso(), item.id, location.id),
        )
    else:
        # New level, or a pre-2026-04 reactivation: starts from zero.
        state.insert_level(conn, item.id, location.id)
        # available carries an updatedAt from the level's creation on (captured).
        state.write_quantity(conn, item.id, location.id, "available", 0)
    if not item.tracked or (available is None and on_hand is None):
        return
    if available is None:
        level = state_level(conn, item.id, location.id)
        assert on_hand is not None and level is not None
        available = level.quantities["available"] + on_hand - level.on_hand
    state.write_quantity(conn, item.id, location.id, "available", available)


def activate(
    state: State,
    caller: Caller,
    item_gid: str,
    location_gid: str,
    available: int | None,
    on_hand: int | None,
) -> ActivateOutcome:
    with state.transaction() as conn:
        location = _location(conn, location_gid)
        item = _item(conn, item_gid)
        if location is None or not location.is_active:
            message = "The product couldn't be stocked because the location wasn't found."
            return ActivateOutcome(errors=[UserError(path("locationId"), message)])
        if item is None:
            message = "The product couldn't be stocked because the product was deleted."
            return ActivateOutcome(errors=[UserError(path("inventoryItemId"), message)])
        if available is not None and on_hand is not None:
            message = (
                f"The product couldn't be stocked at {location.name} because not allowed to set "
                "available and on_hand quantities at the same time."
            )
            return ActivateOutcome(
                errors=[UserError(path("available"), message), UserError(path("onHand"), message)]
            )
        exists, active = _level_state(conn, item.id, location.id)
        visible_active = active and exists
        if visible_active:
            errors = []
            if available is not None:
                errors.append(
                    UserError(
                        path("available"),
                        "Not allowed to set available quantity when the item is already active "
                        "at the location.",
                    )
                )
            if on_hand is not None:
                errors.append(
                    UserError(
                        path("onHand"),
                        "Not allowed to set an on_hand quantity when the item is already active "
                        "at the location.",
                    )
                )
            return ActivateOutcome(level=(item.id, location.id), errors=errors)
        seed = available if available is not None else on_hand
        if seed is not None and not -SET_LIMIT <= seed <= SET_LIMIT:
            message = (
                f"The product couldn't be stocked at {location.name} because the quantity needs "
                "to be between -1 billion and 1 billion."
            )
            field_name = "available" if available is not None else "onHand"
            return ActivateOutcome(errors=[UserError(path(field_name), message)])
        _stock(state, conn, caller, item, location, available, on_hand)
        return ActivateOutcome(level=(item.id, location.id))


def _unstock(
    state: State, conn: sqlite3.Connection, caller: Caller, item: Item, loc: Location
) -> None:
    state.freeze_total(conn, item.id)
    if caller.rules.inactive_levels:
        conn.execute(
            "UPDATE levels SET is_active = 0, updated_at = ? WHERE item_id = ? AND location_id = ?",
            (now_iso(), item.id, loc.id),
        )
    else:
        conn.execute("DELETE FROM levels WHERE item_id = ? AND location_id = ?", (item.id, loc.id))


def _blocking_stock(conn: sqlite3.Connection, item_id: int, location_id: int) -> str | None:
    """Before 2026-04, stock Shopify cannot drop blocks deactivation (UNVERIFIED wording)."""
    row = conn.execute(
        "SELECT committed, incoming, damaged + quality_control + reserved + safety_stock "
        "FROM levels WHERE item_id = ? AND location_id = ?",
        (item_id, location_id),
    ).fetchone()
    if row is None:
        return None
    if row[0]:
        return "COMMITTED_INVENTORY_AT_LOCATION"
    if row[1]:
        return "INCOMING_INVENTORY_AT_LOCATION"
    if row[2]:
        return "RESERVED_INVENTORY_AT_LOCATION"
    return None


_BLOCKING_MESSAGES = {
    "COMMITTED_INVENTORY_AT_LOCATION": "because it has committed inventory.",
    "INCOMING_INVENTORY_AT_LOCATION": "because it has incoming inventory.",
    "RESERVED_INVENTORY_AT_LOCATION": "because it has unavailable quantities.",
}


def deactivate(state: State, caller: Caller, level_gid: str) -> list[UserError]:
    parsed = ids.parse_level(level_gid)
    with state.transaction() as conn:
        if parsed is None:
            return [
                UserError(
                    None, "The product couldn't be unstocked because the product was deleted."
                )
            ]
        level_base, item_id = parsed
        item = _item(conn, ids.gid("InventoryItem", item_id))
        if item is None:
            return [
                UserError(
                    None, "The product couldn't be unstocked because the product was deleted."
                )
            ]
        row = conn.execute(
            _LOCATION_SQL.replace("WHERE id = ?", "WHERE level_base = ?"), (level_base,)
        ).fetchone()
        if row is None:
            return [
                UserError(
                    None, "The product couldn't be unstocked because the location was deleted."
                )
            ]
        location = location_from_row(row)
        exists, active = _level_state(conn, item.id, location.id)
        if not (exists and active):
            return []  # already not stocked there: nothing to do
        if _active_count(conn, item.id) <= 1:
            return [
                UserError(
                    None,
                    f"The product couldn't be unstocked from {location.name} because products "
                    "need to be stocked at a minimum of 1 location.",
                )
            ]
        if not caller.rules.inactive_levels:
            code = _blocking_stock(conn, item.id, location.id)
            if code:
                return [
                    UserError(
                        None,
                        f"The product couldn't be unstocked from {location.name} "
                        + _BLOCKING_MESSAGES[code],
                    )
                ]
        _unstock(state, conn, caller, item, location)
        return []


def bulk_toggle(
    state: State, caller: Caller, item_gid: str, updates: list[dict[str, object]]
) -> ToggleOutcome:
    try:
        return _bulk_toggle(state, caller, item_gid, updates)
    except Rejected as rejected:
        return ToggleOutcome(errors=rejected.errors)


def _bulk_toggle(
    state: State, caller: Caller, item_gid: str, updates: list[dict[str, object]]
) -> ToggleOutcome:
    with state.transaction() as conn:
        item = _item(conn, item_gid)
        if item is None:
            return ToggleOutcome(
                errors=[
                    UserError(
                        path("inventoryItemId"),
                        "The inventory item couldn't be found.",  # UNVERIFIED
                        "INVENTORY_ITEM_NOT_FOUND",
                    )
                ]
            )
        locations: list[Location] = []
        for i, update in enumerate(updates):
            location = _location(conn, str(update["locationId"]))
            if location is None or not location.is_active:
                return ToggleOutcome(
                    errors=[
                        UserError(
                            path("inventoryItemUpdates", i, "locationId"),
                            "The quantity couldn't be updated because the location was not found.",
                            "LOCATION_NOT_FOUND",
                        )
                    ]
                )
            locations.append(location)
        activated: list[tuple[int, int]] = []
        errors: list[UserError] = []
        for i, (update, location) in enumerate(zip(updates, locations, strict=True)):
            exists, active = _level_state(conn, item.id, location.id)
            if update["activate"]:
                if not (exists and active):
                    _stock(state, conn, caller, item, location, None)
                activated.append((item.id, location.id))
                continue
            if not (exists and active):
                continue
            if _active_count(conn, item.id) <= 1:
                errors.append(
                    UserError(
                        path("inventoryItemUpdates", i, "locationId"),
                        f"The variant couldn't be unstocked from {location.name} because products "
                        "need to be stocked at a minimum of 1 location.",
                        "CANNOT_DEACTIVATE_FROM_ONLY_LOCATION",
                    )
                )
                continue
            code = (
                None
                if caller.rules.inactive_levels
                else _blocking_stock(conn, item.id, location.id)
            )
            if code:
                errors.append(
                    UserError(
                        path("inventoryItemUpdates", i, "locationId"),
                        f"The variant couldn't be unstocked from {location.name} "
                        + _BLOCKING_MESSAGES[code],
                        code,
                    )
                )
                continue
            _unstock(state, conn, caller, item, location)
        if errors:
            raise Rejected(errors)
        return ToggleOutcome(item_id=item.id, levels=activated)


__all__ = ["activate", "bulk_toggle", "deactivate"]
