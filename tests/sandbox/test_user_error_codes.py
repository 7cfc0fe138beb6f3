"""Every userError code the sandbox can emit exists in that version's schema enum.

A code missing from a version's enum cannot be serialised: on Shopify it simply never comes
back (ITEM_NOT_STOCKED_AT_LOCATION after 2026-10). The table below says which codes each
mutation emits per version; an AST scan of the sandbox source proves the table lists every
code literal the mutation code contains, and the schemas prove each listed code exists.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import Store
from tests.sandbox.mutation_support import (
    MAIN,
    SECOND,
    VERSIONS,
    B,
    Shop,
    adjust_input,
    change,
    move_change,
    move_input,
    set_input,
    terminal,
)

SANDBOX = Path(__file__).resolve().parents[2] / "reconciler" / "sandbox"
MUTATION_SOURCES = ("quantities.py", "activation.py", "idempotency.py", "resolvers.py", "items.py")
ENUMS = {
    "inventorySetQuantities": "InventorySetQuantitiesUserErrorCode",
    "inventoryAdjustQuantities": "InventoryAdjustQuantitiesUserErrorCode",
    "inventoryMoveQuantities": "InventoryMoveQuantitiesUserErrorCode",
    "inventorySetOnHandQuantities": "InventorySetOnHandQuantitiesUserErrorCode",
    "inventoryBulkToggleActivation": "InventoryBulkToggleActivationUserErrorCode",
}
IDEMPOTENCY = {
    "IDEMPOTENCY_CONCURRENT_REQUEST",
    "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
    "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED",
}
EXISTENCE = {"INVALID_INVENTORY_ITEM", "INVALID_LOCATION"}
DOCUMENTS = {"INVALID_REASON", "INVALID_REFERENCE_DOCUMENT"}
LEDGER = {
    "INVALID_QUANTITY_DOCUMENT",
    "INVALID_AVAILABLE_DOCUMENT",
    "INTERNAL_LEDGER_DOCUMENT",
    "INVALID_LEDGER_DOCUMENT",
}


def emitted(mutation: str, version: str) -> set[str]:
    """The codes the sandbox's `mutation` can return in `version` (the sandbox's contract)."""
    since_2026_01 = version >= "2026-01"
    not_stocked = {"ITEM_NOT_STOCKED_AT_LOCATION"} if version < "2026-10" else set()
    keyed = IDEMPOTENCY if since_2026_01 else set()
    cas = {"CHANGE_FROM_QUANTITY_STALE"} if since_2026_01 else set()
    if mutation == "inventorySetQuantities":
        legacy = (
            {"COMPARE_QUANTITY_REQUIRED", "COMPARE_QUANTITY_STALE"}
            if version < "2026-04"
            else set()
        )
        return (
            EXISTENCE
            | DOCUMENTS
            | {
                "INVALID_NAME",
                "INVALID_QUANTITY_NEGATIVE",
                "INVALID_QUANTITY_TOO_HIGH",
                "INVALID_QUANTITY_TOO_LOW",
                "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
            }
            | legacy
            | cas
            | keyed
            | not_stocked
        )
    if mutation == "inventoryAdjustQuantities":
        return (
            EXISTENCE
            | DOCUMENTS
            | LEDGER
            | {
                "INVALID_QUANTITY_NAME",
                "INVALID_QUANTITY_TOO_HIGH",
                "INVALID_QUANTITY_TOO_LOW",
                "MAX_ONE_LEDGER_DOCUMENT",
            }
            | cas
            | keyed
            | not_stocked
        )
    if mutation == "inventoryMoveQuantities":
        return (
            EXISTENCE
            | DOCUMENTS
            | LEDGER
            | {
                "INVALID_QUANTITY_NAME",
                "INVALID_QUANTITY_NEGATIVE",
                "INVALID_QUANTITY_TOO_HIGH",
                "DIFFERENT_LOCATIONS",
                "SAME_QUANTITY_NAME",
                "MAXIMUM_LEDGER_DOCUMENT_URIS",
            }
            | cas
            | keyed
            | not_stocked
        )
    if mutation == "inventorySetOnHandQuantities":
        return (
            EXISTENCE
            | DOCUMENTS
            | {"INVALID_QUANTITY_NEGATIVE", "INVALID_QUANTITY_TOO_HIGH"}
            | cas
            | keyed
            | not_stocked
        )
    if mutation == "inventoryBulkToggleActivation":
        blocking = (
            {
                "COMMITTED_INVENTORY_AT_LOCATION",
                "INCOMING_INVENTORY_AT_LOCATION",
                "RESERVED_INVENTORY_AT_LOCATION",
            }
            if version < "2026-04"
            else set()
        )
        return {
            "LOCATION_NOT_FOUND",
            "INVENTORY_ITEM_NOT_FOUND",
            "CANNOT_DEACTIVATE_FROM_ONLY_LOCATION",
        } | blocking
    raise AssertionError(mutation)


@cache
def enum_values(version: str, enum: str) -> frozenset[str]:
    sdl = (SANDBOX / "schemas" / f"admin_{version}.graphql").read_text(encoding="utf-8")
    match = re.search(rf"^enum {enum} \{{(.*?)^\}}", sdl, re.S | re.M)
    assert match, f"{enum} not in the {version} schema"
    body = re.sub(r'"""(.*?)"""', "", match.group(1), flags=re.S)
    return frozenset(re.findall(r"^\s+([A-Z][A-Z0-9_]*)\b", body, re.M))


def code_literals(source: str) -> set[str]:
    """UPPER_SNAKE string constants of a module that name a userError code of any enum."""
    known = {v for version in VERSIONS for e in ENUMS.values() for v in enum_values(version, e)}
    tree = ast.parse((SANDBOX / source).read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in known
    }


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("mutation", sorted(ENUMS))
def test_every_emitted_code_is_in_the_version_enum(mutation: str, version: str) -> None:
    missing = emitted(mutation, version) - enum_values(version, ENUMS[mutation])
    assert missing == set(), f"{mutation} {version} would emit codes its enum lacks: {missing}"


def test_the_table_covers_every_code_in_the_mutation_source() -> None:
    literals: set[str] = set()
    for source in MUTATION_SOURCES:
        literals |= code_literals(source)
    listed = {code for m in ENUMS for v in VERSIONS for code in emitted(m, v)}
    assert literals - listed == set()
    assert len(literals) >= 30  # the scan really reads the sources


def test_the_enums_differ_where_the_changelog_says() -> None:
    set_enum = "InventorySetQuantitiesUserErrorCode"
    assert "ITEM_NOT_STOCKED_AT_LOCATION" in enum_values("2026-04", set_enum)
    assert "ITEM_NOT_STOCKED_AT_LOCATION" not in enum_values("2026-10", set_enum)
    assert "CHANGE_FROM_QUANTITY_STALE" not in enum_values("2025-01", set_enum)
    assert enum_values("2026-01", set_enum) >= IDEMPOTENCY
    assert len(enum_values("2025-01", set_enum)) == 13
    assert len(enum_values("2026-04", set_enum)) == 17
    assert len(enum_values("2026-10", set_enum)) == 16
    for mutation, enum in ENUMS.items():
        if mutation != "inventoryBulkToggleActivation":
            assert "ITEM_NOT_STOCKED_AT_LOCATION" not in enum_values("2026-10", enum)


def test_2026_10_never_answers_item_not_stocked(store: Store) -> None:
    """Behaviour, not just the table: every quantity mutation at an unstocked pair."""
    shop = Shop.load(store)
    v = "2026-10"
    results = [
        shop.set(v, set_input(v, [(B, SECOND, 1, None)])),
        shop.adjust(v, adjust_input("available", [change(v, B, SECOND, 1)])),
        shop.move(
            v,
            move_input(
                [
                    move_change(
                        B,
                        1,
                        terminal(v, SECOND, "available"),
                        terminal(v, SECOND, "damaged", ledger="ledger://x"),
                    )
                ]
            ),
        ),
        shop.set_on_hand(
            v,
            {
                "reason": "correction",
                "setQuantities": [
                    {
                        "inventoryItemId": B,
                        "locationId": SECOND,
                        "quantity": 5,
                        "changeFromQuantity": None,
                    }
                ],
            },
        ),
    ]
    assert [r["userErrors"] for r in results] == [[], [], [], []]
    assert shop.quantities(v, B, SECOND) == {
        "available": 4,
        "committed": 0,
        "damaged": 1,
        "incoming": 0,
        "on_hand": 5,
        "quality_control": 0,
        "reserved": 0,
        "safety_stock": 0,
    }
    assert shop.quantity(v, B, MAIN, "available") == 7
