"""Quantity mutations: inventorySetQuantities, inventoryAdjustQuantities, inventoryMoveQuantities
and the deprecated inventorySetOnHandQuantities.

Each function validates the whole input first (collecting every userError, as Shopify does),
then applies all changes in one transaction. If anything is wrong nothing is written and the
payload object is null. Changes inside one request apply in order, so a request that touches the
same level twice sees its own earlier change (compare-and-set included).
UNVERIFIED: Shopify does not document how it evaluates compare-and-set when one request touches
the same quantity twice; applying in order is the natural reading and the safe one for clients.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ParamSpec

from . import ids
from . import user_errors as msg
from .state import LEVEL_COLS, ON_HAND_COMPONENTS, Change, Level, State, level_from_row
from .user_errors import Rejected, UserError, path
from .versions import VersionRules

SET_LIMIT = 1_000_000_000
ADJUST_LIMIT = 2_000_000_000
_URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
P = ParamSpec("P")
_GID_URI_RE = re.compile(r"^gid://[^/\s]+/[^/\s]+/[^/\s]+$")


class FieldArgumentsError(Exception):
    """A top-level INVALID_FIELD_ARGUMENTS error (2026-04+: changeFromQuantity omitted)."""

    def __init__(self, input_type: str, argument: str) -> None:
        super().__init__(f"{input_type} must include the following argument: {argument}.")


@dataclass
class Outcome:
    """What a quantity mutation produced: an adjustment group, or userErrors, never both."""

    group_id: int | None = None
    errors: list[UserError] = field(default_factory=list)


def answers_rejection(mutation: Callable[P, Outcome]) -> Callable[P, Outcome]:
    """Turn a Rejected raised inside the mutation's transaction into its userErrors."""

    @functools.wraps(mutation)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Outcome:
        try:
            return mutation(*args, **kwargs)
        except Rejected as rejected:
            return Outcome(errors=rejected.errors)

    return wrapper


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is writing: the version's rules and the app name shown in inventory history."""

    rules: VersionRules
    app_title: str


def valid_uri(value: str) -> bool:
    """Valid URI with scheme and content; a GID needs app, type and id (schema 2026-01+).

    "Content" is something after the scheme besides slashes: ``https://`` alone is refused.
    """
    if not _URI_RE.match(value) or not value.split(":", 1)[1].strip("/"):
        return False
    return not value.startswith("gid://") or bool(_GID_URI_RE.match(value))


class _Levels:
    """Levels touched by one request, loaded once and written back at the end."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.cache: dict[tuple[int, int], Level | None] = {}
        self.dirty: dict[tuple[int, int], set[str]] = {}

    def get(self, item_id: int, location_id: int) -> Level | None:
        key = (item_id, location_id)
        if key not in self.cache:
            row = self.conn.execute(
                f"SELECT {LEVEL_COLS} FROM levels WHERE item_id = ? AND location_id = ?", key
            ).fetchone()
            self.cache[key] = level_from_row(row) if row else None
        return self.cache[key]

    def create(self, state: State, item_id: int, location_id: int) -> Level:
        """2026-10: a write where the item was never stocked makes an inactive level."""
        state.insert_level(self.conn, item_id, location_id, is_active=False)
        self.cache.pop((item_id, location_id), None)
        level = self.get(item_id, location_id)
        assert level is not None
        return level

    def add(self, level: Level, name: str, delta: int) -> None:
        if delta == 0:
            return  # a no-op row changes nothing, not even updatedAt
        level.quantities[name] += delta
        self.dirty.setdefault((level.item_id, level.location_id), set()).add(name)

    def flush(self, state: State) -> None:
        for (item_id, location_id), names in self.dirty.items():
            level = self.cache[(item_id, location_id)]
            assert level is not None
            for name in sorted(names):
                state.write_quantity(self.conn, item_id, location_id, name, level.quantities[name])


class _Refs:
    """Existence checks for ids named in an input, done once per id."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._items: dict[str, int | None] = {}
        self._locations: dict[str, int | None] = {}

    def item(self, gid: str) -> int | None:
        if gid not in self._items:
            number = ids.parse(gid, "InventoryItem")
            found = number is not None and bool(
                self.conn.execute("SELECT 1 FROM items WHERE id = ?", (number,)).fetchone()
            )
            self._items[gid] = number if found else None
        return self._items[gid]

    def location(self, gid: str) -> int | None:
        """A deactivated location counts as not found (UNVERIFIED: Shopify's code for writes
        to a deactivated location is undocumented; INVALID_LOCATION is the closest one)."""
        if gid not in self._locations:
            number = ids.parse(gid, "Location")
            found = number is not None and bool(
                self.conn.execute(
                    "SELECT 1 FROM locations WHERE id = ? AND is_active = 1", (number,)
                ).fetchone()
            )
            self._locations[gid] = number if found else None
        return self._locations[gid]


def _check_reason_and_reference(inp: dict[str, Any], errors: list[UserError]) -> None:
    if inp.get("reason") not in msg.VALID_REASONS:
        errors.append(UserError(path("input", "reason"), msg.INVALID_REASON, "INVALID_REASON"))
    reference = inp.get("referenceDocumentUri")
    if reference is not None and not valid_uri(reference):
        errors.append(
            UserError(
                path("input", "referenceDocumentUri"),
                msg.INVALID_REFERENCE_DOCUMENT,
                "INVALID_REFERENCE_DOCUMENT",
            )
        )


def _usable_level(
    state: State, levels: _Levels, caller: Caller, item_id: int, location_id: int
) -> Level | None:
    """The level to write, or None when this version says the item is not stocked there.

    Before 2026-04 an inactive level does not exist for the API; from 2026-04 inactive levels
    are writable; from 2026-10 quantities can be written at any location. UNVERIFIED: what
    2026-10 does for a pair that was never stocked; the sandbox creates an inactive level (the
    2026-04 model: stocked nowhere new until activated, quantities kept), so a client must
    still activate the item there to make it sellable.
    """
    level = levels.get(item_id, location_id)
    if level is not None and (level.is_active or caller.rules.inactive_levels):
        return level
    if caller.rules.item_not_stocked_error:
        return None
    if level is None:
        return levels.create(state, item_id, location_id)
    return level


_CHANGE_FROM_ROWS = {
    "inventorySetQuantities": ("quantities", "InventoryQuantityInput"),
    "inventoryAdjustQuantities": ("changes", "InventoryChangeInput"),
    "inventoryMoveQuantities": ("changes", "InventoryMoveQuantityTerminalInput"),
    "inventorySetOnHandQuantities": ("setQuantities", "InventorySetQuantityInput"),
}


def check_change_from(caller: Caller, mutation: str, inp: dict[str, Any]) -> None:
    """Refuse, before any side effect, an input that omits a mandatory changeFromQuantity."""
    rows_key, input_type = _CHANGE_FROM_ROWS[mutation]
    rows: list[dict[str, Any]] = inp.get(rows_key) or []
    if mutation == "inventoryMoveQuantities":
        rows = [r[side] for r in rows for side in ("from", "to")]
    _cas_mode(caller, rows, input_type)


def _cas_mode(caller: Caller, rows: Iterable[dict[str, Any]], input_type: str) -> None:
    """2026-04+: every row must carry changeFromQuantity, even as explicit null."""
    if caller.rules.compare_and_set == "change_from_required":
        for row in rows:
            if "changeFromQuantity" not in row:
                raise FieldArgumentsError(input_type, "changeFromQuantity")


def _ordered(changes: list[Change]) -> list[Change]:
    """Shopify lists every named-quantity row first, then the mirrored on_hand rows."""
    named = [c for c in changes if c.name != "on_hand" and c.delta != 0]
    on_hand = [c for c in changes if c.name == "on_hand" and c.delta != 0]
    return named + on_hand


def _record(
    state: State,
    conn: sqlite3.Connection,
    caller: Caller,
    inp: dict[str, Any],
    mutation: str,
    changes: list[Change],
) -> int | None:
    ordered = _ordered(changes)
    if not ordered:
        # All-zero request: no group, no error (facts §3.3), and nothing left behind either
        # (e.g. the inactive level a 2026-10 write would have created): roll it all back.
        raise Rejected([])
    return state.record_group(
        conn,
        inp["reason"],
        inp.get("referenceDocumentUri"),
        caller.app_title,
        caller.rules.name,
        mutation,
        ordered,
    )


# -- inventorySetQuantities and inventorySetOnHandQuantities -------------------------------


@dataclass(frozen=True, slots=True)
class _SetShape:
    """What differs between inventorySetQuantities and its deprecated on_hand twin."""

    mutation: str
    rows_key: str
    # setOnHand's code enum has no NO_DUPLICATE_..._PAIR: its rows apply in order instead.
    refuse_duplicates: bool
    # compareQuantity/ignoreCompareQuantity exist on inventorySetQuantities only.
    legacy_compare: bool
    not_stocked: str
    stale: str


_SET = _SetShape(
    "inventorySetQuantities",
    "quantities",
    True,
    True,
    msg.SET_ITEM_NOT_STOCKED,
    msg.SET_CHANGE_FROM_QUANTITY_STALE,
)
_SET_ON_HAND = _SetShape(
    "inventorySetOnHandQuantities",
    "setQuantities",
    False,
    False,
    msg.ITEM_NOT_STOCKED,
    msg.CHANGE_FROM_QUANTITY_STALE,
)


@answers_rejection
def set_quantities(state: State, caller: Caller, inp: dict[str, Any]) -> Outcome:
    return _set(state, caller, inp, str(inp.get("name")), _SET)


@answers_rejection
def set_on_hand_quantities(state: State, caller: Caller, inp: dict[str, Any]) -> Outcome:
    """Deprecated twin of set(name: on_hand); 2026-10 still serves it."""
    return _set(state, caller, inp, "on_hand", _SET_ON_HAND)


def _set(state: State, caller: Caller, inp: dict[str, Any], name: str, shape: _SetShape) -> Outcome:
    rows: list[dict[str, Any]] = inp.get(shape.rows_key) or []
    key = shape.rows_key
    with state.transaction() as conn:
        errors: list[UserError] = []
        _check_reason_and_reference(inp, errors)
        if name not in ("available", "on_hand"):
            errors.append(UserError(path("input", "name"), msg.INVALID_SET_NAME, "INVALID_NAME"))
        refs, levels = _Refs(conn), _Levels(conn)
        targets: list[Level | None] = []
        seen: dict[tuple[str, str], int] = {}
        for i, row in enumerate(rows):
            item_id = refs.item(row["inventoryItemId"])
            location_id = refs.location(row["locationId"])
            if item_id is None:
                errors.append(
                    UserError(
                        path("input", key, i, "inventoryItemId"),
                        msg.INVALID_INVENTORY_ITEM,
                        "INVALID_INVENTORY_ITEM",
                    )
                )
            if location_id is None:
                errors.append(
                    UserError(
                        path("input", key, i, "locationId"),
                        msg.INVALID_LOCATION,
                        "INVALID_LOCATION",
                    )
                )
            pair = (row["inventoryItemId"], row["locationId"])
            if shape.refuse_duplicates and pair in seen:
                # Every row of a repeated pair is reported, the first one included.
                for j in (seen[pair], i):
                    error = UserError(
                        path("input", key, j, "locationId"),
                        msg.DUPLICATE_PAIR,
                        "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
                    )
                    if error not in errors:
                        errors.append(error)
            seen.setdefault(pair, i)
            quantity = row["quantity"]
            quantity_path = path("input", key, i, "quantity")
            if quantity > SET_LIMIT:
                errors.append(
                    UserError(quantity_path, msg.SET_TOO_HIGH, "INVALID_QUANTITY_TOO_HIGH")
                )
            elif name == "on_hand" and quantity < 0:
                errors.append(UserError(quantity_path, msg.NEGATIVE, "INVALID_QUANTITY_NEGATIVE"))
            elif quantity < -SET_LIMIT:
                errors.append(UserError(quantity_path, msg.SET_TOO_LOW, "INVALID_QUANTITY_TOO_LOW"))
            level = None
            if item_id is not None and location_id is not None:
                level = _usable_level(state, levels, caller, item_id, location_id)
                if level is None:
                    errors.append(
                        UserError(
                            path("input", key, i, "locationId"),
                            shape.not_stocked,
                            "ITEM_NOT_STOCKED_AT_LOCATION",
                        )
                    )
            targets.append(level)
        if not errors and shape.legacy_compare:
            errors.extend(_compare_quantity_required(caller, inp, rows))
        changes: list[Change] = []
        if not errors:
            # Rows apply in order, so compare-and-set of a later row sees an earlier one.
            ignore = not shape.legacy_compare or bool(inp.get("ignoreCompareQuantity"))
            for i, (row, level) in enumerate(zip(rows, targets, strict=True)):
                assert level is not None
                stale = _set_stale(row, level.quantity(name), ignore, key, i, shape)
                if stale is not None:
                    errors.append(stale)
                    continue
                delta = row["quantity"] - level.quantity(name)
                # Setting on_hand moves the difference through available (facts §3.3).
                levels.add(level, "available", delta)
                changes.append(Change(level.item_id, level.location_id, "available", delta))
                changes.append(Change(level.item_id, level.location_id, "on_hand", delta))
        if errors:
            raise Rejected(errors)
        levels.flush(state)
        return Outcome(group_id=_record(state, conn, caller, inp, shape.mutation, changes))


def _compare_quantity_required(
    caller: Caller, inp: dict[str, Any], rows: list[dict[str, Any]]
) -> list[UserError]:
    """2025-01 (and 2026-01 rows without changeFromQuantity): compare data or an opt-out."""
    if caller.rules.compare_and_set == "change_from_required" or inp.get("ignoreCompareQuantity"):
        return []
    legacy_rows = [r for r in rows if "changeFromQuantity" not in r]
    if any(r.get("compareQuantity") is None for r in legacy_rows):
        return [
            UserError(
                path("input", "ignoreCompareQuantity"),
                msg.COMPARE_QUANTITY_REQUIRED,
                "COMPARE_QUANTITY_REQUIRED",
            )
        ]
    return []


def _set_stale(
    row: dict[str, Any], current: int, ignore: bool, key: str, i: int, shape: _SetShape
) -> UserError | None:
    """Compare-and-set of one row (facts §6): changeFromQuantity, when present even as null,
    overrides the legacy compareQuantity/ignoreCompareQuantity pair."""
    if "changeFromQuantity" in row:
        expected = row["changeFromQuantity"]
        if expected is not None and expected != current:
            return UserError(
                path("input", key, i, "changeFromQuantity"),
                shape.stale,
                "CHANGE_FROM_QUANTITY_STALE",
            )
        return None
    if not ignore and row.get("compareQuantity") != current:
        return UserError(
            path("input", key, i, "compareQuantity"),
            msg.COMPARE_QUANTITY_STALE,
            "COMPARE_QUANTITY_STALE",
        )
    return None


# -- ledger document rules shared by adjust and move ----------------------------------------


def _ledger_errors(name: str, ledger: str | None, at: tuple[str, ...]) -> list[UserError]:
    if name == "available":
        if ledger is not None:
            return [UserError(at, msg.AVAILABLE_DOCUMENT, "INVALID_AVAILABLE_DOCUMENT")]
        return []
    if ledger is None:
        return [UserError(at, msg.QUANTITY_DOCUMENT_REQUIRED, "INVALID_QUANTITY_DOCUMENT")]
    if ledger.startswith("gid://shopify/"):
        return [UserError(at, msg.INTERNAL_LEDGER_DOCUMENT, "INTERNAL_LEDGER_DOCUMENT")]
    if not valid_uri(ledger):
        return [UserError(at, msg.INVALID_LEDGER_DOCUMENT, "INVALID_LEDGER_DOCUMENT")]
    return []


def _mirror(level: Level, name: str, delta: int, ledger: str | None) -> list[Change]:
    """The rows a delta on one name produces: the name itself, plus on_hand when it is part."""
    rows = [Change(level.item_id, level.location_id, name, delta, ledger)]
    if name in ON_HAND_COMPONENTS:
        rows.append(Change(level.item_id, level.location_id, "on_hand", delta))
    return rows


# -- inventoryAdjustQuantities --------------------------------------------------------------


@answers_rejection
def adjust_quantities(state: State, caller: Caller, inp: dict[str, Any]) -> Outcome:
    """inventoryAdjustQuantities. The same item and location named twice is not refused and
    both deltas apply: adjust's error codes have no duplicate refusal, unlike set's
    NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR (schema; a sandbox choice, README)."""
    rows: list[dict[str, Any]] = inp.get("changes") or []
    _cas_mode(caller, rows, "InventoryChangeInput")
    name = str(inp.get("name"))
    with state.transaction() as conn:
        errors: list[UserError] = []
        _check_reason_and_reference(inp, errors)
        if name not in msg.ADJUSTABLE_NAMES:
            errors.append(
                UserError(path("input", "name"), msg.INVALID_QUANTITY_NAME, "INVALID_QUANTITY_NAME")
            )
        # Shopify runs every validator and reports them all (a bad name and a missing ledger
        # URI come back together, facts §4.3); the group-level ledger rule is one more.
        ledgers = {r.get("ledgerDocumentUri") for r in rows}
        if len(ledgers) > 1:
            errors.append(
                UserError(
                    path("input", "changes"), msg.MAX_ONE_LEDGER_DOCUMENT, "MAX_ONE_LEDGER_DOCUMENT"
                )
            )
        refs, levels = _Refs(conn), _Levels(conn)
        targets: list[Level | None] = []
        for i, row in enumerate(rows):
            errors.extend(
                _ledger_errors(
                    name,
                    row.get("ledgerDocumentUri"),
                    path("input", "changes", i, "ledgerDocumentUri"),
                )
            )
            item_id = refs.item(row["inventoryItemId"])
            location_id = refs.location(row["locationId"])
            if item_id is None:
                errors.append(
                    UserError(
                        path("input", "changes", i, "inventoryItemId"),
                        msg.INVALID_INVENTORY_ITEM,
                        "INVALID_INVENTORY_ITEM",
                    )
                )
            if location_id is None:
                errors.append(
                    UserError(
                        path("input", "changes", i, "locationId"),
                        msg.INVALID_LOCATION,
                        "INVALID_LOCATION",
                    )
                )
            level = None
            if item_id is not None and location_id is not None:
                level = _usable_level(state, levels, caller, item_id, location_id)
                if level is None:
                    errors.append(
                        UserError(
                            path("input", "changes", i, "locationId"),
                            msg.ITEM_NOT_STOCKED,
                            "ITEM_NOT_STOCKED_AT_LOCATION",
                        )
                    )
            targets.append(level)
        changes: list[Change] = []
        if not errors:
            for i, (row, level) in enumerate(zip(rows, targets, strict=True)):
                assert level is not None
                before = level.quantities[name]
                expected = row.get("changeFromQuantity")
                if expected is not None and expected != before:
                    errors.append(
                        UserError(
                            path("input", "changes", i, "changeFromQuantity"),
                            msg.CHANGE_FROM_QUANTITY_STALE,
                            "CHANGE_FROM_QUANTITY_STALE",
                        )
                    )
                    continue
                after = before + row["delta"]
                delta_path = path("input", "changes", i, "delta")
                if after > ADJUST_LIMIT:
                    errors.append(
                        UserError(delta_path, msg.ADJUST_TOO_HIGH, "INVALID_QUANTITY_TOO_HIGH")
                    )
                    continue
                if after < -ADJUST_LIMIT:
                    errors.append(
                        UserError(delta_path, msg.ADJUST_TOO_LOW, "INVALID_QUANTITY_TOO_LOW")
                    )
                    continue
                levels.add(level, name, row["delta"])
                changes.extend(_mirror(level, name, row["delta"], row.get("ledgerDocumentUri")))
        if errors:
            raise Rejected(errors)
        levels.flush(state)
        return Outcome(
            group_id=_record(state, conn, caller, inp, "inventoryAdjustQuantities", changes)
        )


# -- inventoryMoveQuantities ----------------------------------------------------------------


@answers_rejection
def move_quantities(state: State, caller: Caller, inp: dict[str, Any]) -> Outcome:
    rows: list[dict[str, Any]] = inp.get("changes") or []
    terminals = [r[side] for r in rows for side in ("from", "to")]
    _cas_mode(caller, terminals, "InventoryMoveQuantityTerminalInput")
    with state.transaction() as conn:
        errors: list[UserError] = []
        _check_reason_and_reference(inp, errors)
        ledgers = {t.get("ledgerDocumentUri") for t in terminals} - {None}
        if len(ledgers) > 2:
            errors.append(
                UserError(
                    path("input", "changes"),
                    msg.MAXIMUM_LEDGER_DOCUMENT_URIS,
                    "MAXIMUM_LEDGER_DOCUMENT_URIS",
                )
            )
        refs, levels = _Refs(conn), _Levels(conn)
        targets: list[Level | None] = []
        for i, row in enumerate(rows):
            item_id = refs.item(row["inventoryItemId"])
            if item_id is None:
                errors.append(
                    UserError(
                        path("input", "changes", i, "inventoryItemId"),
                        msg.INVALID_INVENTORY_ITEM,
                        "INVALID_INVENTORY_ITEM",
                    )
                )
            location_ids = []
            for side in ("from", "to"):
                terminal = row[side]
                location_id = refs.location(terminal["locationId"])
                location_ids.append(location_id)
                if location_id is None:
                    errors.append(
                        UserError(
                            path("input", "changes", i, side, "locationId"),
                            msg.INVALID_LOCATION,
                            "INVALID_LOCATION",
                        )
                    )
                if terminal["name"] not in msg.ADJUSTABLE_NAMES:
                    errors.append(
                        UserError(
                            path("input", "changes", i, side, "name"),
                            msg.INVALID_QUANTITY_NAME,
                            "INVALID_QUANTITY_NAME",
                        )
                    )
                errors.extend(
                    _ledger_errors(
                        terminal["name"],
                        terminal.get("ledgerDocumentUri"),
                        path("input", "changes", i, side, "ledgerDocumentUri"),
                    )
                )
            if row["from"]["locationId"] != row["to"]["locationId"]:
                errors.append(
                    UserError(
                        path("input", "changes", i), msg.DIFFERENT_LOCATIONS, "DIFFERENT_LOCATIONS"
                    )
                )
            if row["from"]["name"] == row["to"]["name"]:
                errors.append(
                    UserError(
                        path("input", "changes", i), msg.SAME_QUANTITY_NAME, "SAME_QUANTITY_NAME"
                    )
                )
            quantity_path = path("input", "changes", i, "quantity")
            if row["quantity"] < 0:
                errors.append(UserError(quantity_path, msg.NEGATIVE, "INVALID_QUANTITY_NEGATIVE"))
            elif row["quantity"] > ADJUST_LIMIT:
                errors.append(
                    UserError(quantity_path, msg.ADJUST_TOO_HIGH, "INVALID_QUANTITY_TOO_HIGH")
                )
            level = None
            if (
                item_id is not None
                and location_ids[0] is not None
                and location_ids[0] == location_ids[1]
            ):
                level = _usable_level(state, levels, caller, item_id, location_ids[0])
                if level is None:
                    errors.append(
                        UserError(
                            path("input", "changes", i, "from", "locationId"),
                            msg.ITEM_NOT_STOCKED,
                            "ITEM_NOT_STOCKED_AT_LOCATION",
                        )
                    )
            targets.append(level)
        changes: list[Change] = []
        if not errors:
            for i, (row, level) in enumerate(zip(rows, targets, strict=True)):
                assert level is not None
                errors.extend(_move_one(levels, level, row, i, changes))
        if errors:
            raise Rejected(errors)
        levels.flush(state)
        return Outcome(
            group_id=_record(state, conn, caller, inp, "inventoryMoveQuantities", changes)
        )


def _move_one(
    levels: _Levels, level: Level, row: dict[str, Any], i: int, changes: list[Change]
) -> list[UserError]:
    source, target, quantity = row["from"], row["to"], row["quantity"]
    for side, terminal in (("from", source), ("to", target)):
        expected = terminal.get("changeFromQuantity")
        if expected is not None and expected != level.quantities[terminal["name"]]:
            return [
                UserError(
                    path("input", "changes", i, side, "changeFromQuantity"),
                    msg.CHANGE_FROM_QUANTITY_STALE,
                    "CHANGE_FROM_QUANTITY_STALE",
                )
            ]
    levels.add(level, source["name"], -quantity)
    levels.add(level, target["name"], quantity)
    item, location = level.item_id, level.location_id
    changes.append(
        Change(item, location, source["name"], -quantity, source.get("ledgerDocumentUri"))
    )
    changes.append(
        Change(item, location, target["name"], quantity, target.get("ledgerDocumentUri"))
    )
    on_hand_delta = (quantity if target["name"] in ON_HAND_COMPONENTS else 0) - (
        quantity if source["name"] in ON_HAND_COMPONENTS else 0
    )
    if on_hand_delta:
        changes.append(Change(item, location, "on_hand", on_hand_delta))
    return []


# -- the "a sale happens" fault -------------------------------------------------------------


def record_sale(
    state: State, item_id: int, location_id: int, quantity: int, fulfil: bool = False
) -> int:
    """An order takes `quantity` units: available -> committed (and off on_hand if fulfilled).

    This is what orders do behind an app's back; the control plane uses it to make races real.
    """
    with state.transaction() as conn:
        levels = _Levels(conn)
        level = levels.get(item_id, location_id)
        if level is None:
            raise LookupError("that item is not stocked at that location")
        levels.add(level, "available", -quantity)
        changes = [
            Change(item_id, location_id, "available", -quantity),
        ]
        if fulfil:
            changes.append(Change(item_id, location_id, "on_hand", -quantity))
        else:
            levels.add(level, "committed", quantity)
            changes.append(Change(item_id, location_id, "committed", quantity))
        levels.flush(state)
        group_id = state.record_group(
            conn,
            "order_created" if not fulfil else "order_fulfilled",
            None,
            "Online Store",
            "internal",
            "order",
            changes,
        )
        return group_id


__all__ = [
    "Caller",
    "FieldArgumentsError",
    "Outcome",
    "adjust_quantities",
    "move_quantities",
    "answers_rejection",
    "check_change_from",
    "record_sale",
    "set_on_hand_quantities",
    "set_quantities",
]
