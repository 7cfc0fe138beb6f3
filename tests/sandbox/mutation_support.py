"""A small, exactly known store and the mutation documents the mutation tests send.

Every mutation test loads `SNAPSHOT` (through the control plane, over HTTP) so its numbers are
its own: the demo store can change without breaking them. Documents are built per API version,
as a real client must: ``@idempotent`` does not exist before 2026-01 (2025-01, 2025-10), is
optional in 2026-01 and required from 2026-04; `legacy` versions compare with compareQuantity.
"""

from __future__ import annotations

import uuid
from typing import Any

from reconciler.sandbox import VERSIONS
from tests.conftest import Store

__all__ = ["VERSIONS"]
NAMES = (
    "available",
    "committed",
    "damaged",
    "incoming",
    "on_hand",
    "quality_control",
    "reserved",
    "safety_stock",
)
ON_HAND_PARTS = ("available", "committed", "damaged", "quality_control", "reserved", "safety_stock")
REASONS = (
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_canceled",
    "movement_created",
    "movement_received",
    "movement_updated",
    "other",
    "promotion",
    "quality_control",
    "received",
    "reservation_created",
    "reservation_deleted",
    "reservation_updated",
    "restock",
    "safety_stock",
    "shrinkage",
)
INVALID_REASON = (
    "The specified reason is invalid. Valid values are: correction, cycle_count_available, "
    "damaged, movement_canceled, movement_created, movement_received, movement_updated, other, "
    "promotion, quality_control, received, reservation_created, reservation_deleted, "
    "reservation_updated, restock, safety_stock, shrinkage."
)
INVALID_QUANTITY_NAME = (
    "The specified quantity name is invalid. Valid values are: available, damaged, incoming, "
    "quality_control, reserved, safety_stock."
)


def loc(n: int) -> str:
    return f"gid://shopify/Location/{n}"


def item(n: int) -> str:
    return f"gid://shopify/InventoryItem/{n}"


MAIN, SECOND, EMPTY, CLOSED = loc(1001), loc(1002), loc(1003), loc(1004)
MAIN_NAME, SECOND_NAME, EMPTY_NAME = "Main Warehouse", "Second Store", "Empty Depot"
# A: stocked at MAIN (all states) and SECOND; B: MAIN only; C: untracked; D1/D2 share a SKU;
# F: active at MAIN, inactive (deactivated in 2026-04+) at SECOND with quantities kept.
A, B, C, D1, D2, F = item(2001), item(2002), item(2003), item(2004), item(2005), item(2006)
UNKNOWN_ITEM, UNKNOWN_LOCATION = item(999999999), loc(999999999)
LEVEL_BASE = 140_000_000_000  # snapshot.py: level GID number = base + location number

SNAPSHOT: dict[str, Any] = {
    "locations": [
        {"id": MAIN, "name": MAIN_NAME},
        {"id": SECOND, "name": SECOND_NAME},
        {"id": EMPTY, "name": EMPTY_NAME},
        {"id": CLOSED, "name": "Closed Outlet", "isActive": False},
    ],
    "inventoryItems": [
        {
            "id": A,
            "sku": "A-1",
            "levels": [
                {
                    "locationId": MAIN,
                    "quantities": {
                        "available": 10,
                        "committed": 2,
                        "damaged": 1,
                        "quality_control": 4,
                        "reserved": 3,
                        "safety_stock": 5,
                        "incoming": 7,
                    },
                },
                {"locationId": SECOND, "quantities": {"available": 4}},
            ],
        },
        {"id": B, "sku": "B-2", "levels": [{"locationId": MAIN, "quantities": {"available": 7}}]},
        {
            "id": C,
            "sku": "C-3",
            "tracked": False,
            "levels": [{"locationId": MAIN, "quantities": {"available": 0}}],
        },
        {"id": D1, "sku": "DUP", "levels": [{"locationId": MAIN, "quantities": {"available": 1}}]},
        {
            "id": D2,
            "sku": "DUP",
            "levels": [{"locationId": SECOND, "quantities": {"available": 2}}],
        },
        {
            "id": F,
            "sku": "F-6",
            "levels": [
                {"locationId": MAIN, "quantities": {"available": 1}},
                {
                    "locationId": SECOND,
                    "isActive": False,
                    "quantities": {"available": 6, "damaged": 1},
                },
            ],
        },
    ],
}
# A at MAIN: on_hand = 10 + 2 + 1 + 4 + 3 + 5 = 25 (incoming 7 is outside on_hand).
A_MAIN = {
    "available": 10,
    "committed": 2,
    "damaged": 1,
    "incoming": 7,
    "on_hand": 25,
    "quality_control": 4,
    "reserved": 3,
    "safety_stock": 5,
}

GROUP = (
    "inventoryAdjustmentGroup { id createdAt reason referenceDocumentUri app { title } "
    "changes { name delta quantityAfterChange ledgerDocumentUri item { id } location { id } } }"
)
USER_ERRORS = "userErrors { field message code }"
PAYLOAD = f"{GROUP} {USER_ERRORS}"
INPUT_TYPES = {
    "inventorySetQuantities": "InventorySetQuantitiesInput",
    "inventoryAdjustQuantities": "InventoryAdjustQuantitiesInput",
    "inventoryMoveQuantities": "InventoryMoveQuantitiesInput",
    "inventorySetOnHandQuantities": "InventorySetOnHandQuantitiesInput",
}


class _Auto:
    """Default for `key`: a fresh key wherever the version knows @idempotent."""


AUTO = _Auto()
Key = str | None | _Auto


def legacy(version: str) -> bool:
    """2025-01 and 2025-10: compareQuantity instead of changeFromQuantity, no @idempotent."""
    return version < "2026-01"


def idempotency_key(version: str, key: Key) -> str | None:
    if isinstance(key, _Auto):
        return None if legacy(version) else str(uuid.uuid4())
    return key


def mutation_document(root: str, arguments: str, variables: str, payload: str, key: bool) -> str:
    """``mutation M($a: T!, $k: String!) { root(a: $a) @idempotent(key: $k) { payload } }``."""
    definitions = variables + (", $key: String!" if key else "")
    directive = " @idempotent(key: $key)" if key else ""
    return f"mutation M({definitions}) {{\n  {root}({arguments}){directive} {{ {payload} }}\n}}"


def quantity_document(root: str, key: bool, payload: str = PAYLOAD) -> str:
    return mutation_document(root, "input: $input", f"$input: {INPUT_TYPES[root]}!", payload, key)


class Shop:
    """The test store: mutations and reads over real HTTP, one version per call."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def load(cls, store: Store, snapshot: dict[str, Any] | None = None) -> Shop:
        store.control("PUT", "snapshot", snapshot or SNAPSHOT)
        return cls(store)

    # -- quantity mutations ----------------------------------------------------------------

    def quantity_mutation(
        self,
        version: str,
        root: str,
        inp: dict[str, Any],
        key: Key = AUTO,
        payload: str = PAYLOAD,
    ) -> dict[str, Any]:
        """The whole response body of one quantity mutation."""
        actual_key = idempotency_key(version, key)
        variables: dict[str, Any] = {"input": inp}
        if actual_key is not None:
            variables["key"] = actual_key
        document = quantity_document(root, actual_key is not None, payload)
        return self.store.gql(version, document, variables)

    def payload(
        self, version: str, root: str, inp: dict[str, Any], key: Key = AUTO
    ) -> dict[str, Any]:
        """``data.<root>`` of a mutation that must not fail at the top level."""
        body = self.quantity_mutation(version, root, inp, key)
        assert "errors" not in body, body
        result: dict[str, Any] = body["data"][root]
        return result

    def set(self, version: str, inp: dict[str, Any], key: Key = AUTO) -> dict[str, Any]:
        return self.payload(version, "inventorySetQuantities", inp, key)

    def adjust(self, version: str, inp: dict[str, Any], key: Key = AUTO) -> dict[str, Any]:
        return self.payload(version, "inventoryAdjustQuantities", inp, key)

    def move(self, version: str, inp: dict[str, Any], key: Key = AUTO) -> dict[str, Any]:
        return self.payload(version, "inventoryMoveQuantities", inp, key)

    def set_on_hand(self, version: str, inp: dict[str, Any], key: Key = AUTO) -> dict[str, Any]:
        return self.payload(version, "inventorySetOnHandQuantities", inp, key)

    # -- reads ---------------------------------------------------------------------------------

    def quantities(self, version: str, inventory_item: str, location: str) -> dict[str, int] | None:
        """All eight quantities of a level as `version` sees it (None: no level there).

        From 2026-04 inactive levels are included (``includeInactive``): they hold quantities.
        """
        inactive = ", includeInactive: true" if version >= "2026-04" else ""
        names = ", ".join(f'"{n}"' for n in NAMES)
        query = (
            "query Q($id: ID!, $loc: ID!) { inventoryItem(id: $id) { "
            f"inventoryLevel(locationId: $loc{inactive}) {{ quantities(names: [{names}]) "
            "{ name quantity } } } }"
        )
        body = self.store.gql(version, query, {"id": inventory_item, "loc": location})
        assert "errors" not in body, body
        level = body["data"]["inventoryItem"]["inventoryLevel"]
        if level is None:
            return None
        return {q["name"]: q["quantity"] for q in level["quantities"]}

    def quantity(self, version: str, inventory_item: str, location: str, name: str) -> int:
        found = self.quantities(version, inventory_item, location)
        assert found is not None, f"no level of {inventory_item} at {location}"
        return found[name]

    def history(self) -> list[dict[str, Any]]:
        groups: list[dict[str, Any]] = self.store.control("GET", "history")["adjustmentGroups"]
        return groups

    def snapshot_levels(self, inventory_item: str) -> dict[str, dict[str, Any]]:
        """Stored levels of an item (every version's truth) keyed by location GID."""
        data = self.store.control("GET", "snapshot")
        for entry in data["inventoryItems"]:
            if entry["id"] == inventory_item:
                return {lv["locationId"]: lv for lv in entry["levels"]}
        raise AssertionError(f"{inventory_item} not in the snapshot")


def set_input(
    version: str,
    rows: list[tuple[str, str, int, int | None]],
    name: str = "available",
    reason: str = "correction",
    reference: str | None = None,
) -> dict[str, Any]:
    """inventorySetQuantities input with this version's compare-and-set fields.

    Each row is (item, location, quantity, expected current quantity or None for "don't
    check"): 2025-01 sends compareQuantity (or ignoreCompareQuantity when nothing is
    checked); 2026-01+ sends changeFromQuantity, null meaning "don't check".
    """
    quantities: list[dict[str, Any]] = []
    inp: dict[str, Any] = {"name": name, "reason": reason, "quantities": quantities}
    if reference is not None:
        inp["referenceDocumentUri"] = reference
    compare_quantity = legacy(version)
    if compare_quantity and all(r[3] is None for r in rows):
        inp["ignoreCompareQuantity"] = True
    for inventory_item, location, quantity, expected in rows:
        row: dict[str, Any] = {
            "inventoryItemId": inventory_item,
            "locationId": location,
            "quantity": quantity,
        }
        if compare_quantity:
            if expected is not None:
                row["compareQuantity"] = expected
        else:
            row["changeFromQuantity"] = expected
        quantities.append(row)
    return inp


def change(
    version: str,
    inventory_item: str,
    location: str,
    delta: int,
    expected: int | None = None,
    ledger: str | None = None,
) -> dict[str, Any]:
    """One InventoryChangeInput; changeFromQuantity is sent (maybe null) from 2026-01."""
    row: dict[str, Any] = {
        "inventoryItemId": inventory_item,
        "locationId": location,
        "delta": delta,
    }
    if not legacy(version):
        row["changeFromQuantity"] = expected
    if ledger is not None:
        row["ledgerDocumentUri"] = ledger
    return row


def adjust_input(
    name: str,
    changes: list[dict[str, Any]],
    reason: str = "correction",
    reference: str | None = None,
) -> dict[str, Any]:
    inp: dict[str, Any] = {"name": name, "reason": reason, "changes": changes}
    if reference is not None:
        inp["referenceDocumentUri"] = reference
    return inp


def terminal(
    version: str,
    location: str,
    name: str,
    expected: int | None = None,
    ledger: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"locationId": location, "name": name}
    if not legacy(version):
        out["changeFromQuantity"] = expected
    if ledger is not None:
        out["ledgerDocumentUri"] = ledger
    return out


def move_change(
    inventory_item: str, quantity: int, source: dict[str, Any], target: dict[str, Any]
) -> dict[str, Any]:
    return {"inventoryItemId": inventory_item, "quantity": quantity, "from": source, "to": target}


def move_input(
    changes: list[dict[str, Any]],
    reason: str = "correction",
    reference: str = "logistics://move/1",
) -> dict[str, Any]:
    return {"reason": reason, "referenceDocumentUri": reference, "changes": changes}


def rows(group: dict[str, Any] | None) -> list[tuple[str, int, str | None, str, str]]:
    """An adjustment group's changes as (name, delta, ledger, item, location) tuples."""
    assert group is not None
    out = []
    for c in group["changes"]:
        assert c["quantityAfterChange"] is None
        out.append(
            (c["name"], c["delta"], c["ledgerDocumentUri"], c["item"]["id"], c["location"]["id"])
        )
    return out


def level_gid(location_number: int, inventory_item_number: int) -> str:
    return (
        f"gid://shopify/InventoryLevel/{LEVEL_BASE + location_number}"
        f"?inventory_item_id={inventory_item_number}"
    )
