"""Plans built directly from actions (no store, no network), shared by the render and schema tests.

Built through `make_plan`, so their plan ids are real and `planfile.loads` accepts them.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from reconciler.errors import Problem
from reconciler.model import ALL_QUANTITY_NAMES, ManifestFile, Source
from reconciler.plan.actions import (
    Action,
    Activate,
    AttributeChange,
    Deactivate,
    Move,
    SetQuantity,
    Target,
    UpdateItem,
    sort_key,
)
from reconciler.plan.build import Built, Filters, Observed
from reconciler.plan.guardrails import GuardrailRecord, Override
from reconciler.plan.money import basis_for
from reconciler.plan.planfile import GitInfo, Plan, make_plan

STORE = "acme-outdoor.myshopify.com"
API_VERSION = "2026-10"
CREATED_AT = "2026-11-23T00:00:00Z"
COMMIT = "3f9c2e1a7b4d5c6e8f9a0b1c2d3e4f5a6b7c8d9e"
FILES = (
    ManifestFile("inventory/apparel.yaml", "a" * 64),
    ManifestFile("inventory/footwear.yaml", "b" * 64),
)

EAST = ("gid://shopify/Location/68509171945", "East Warehouse")
PORTLAND = ("gid://shopify/Location/68509237481", "Portland Store")
ZURICH = ("gid://shopify/Location/68509300001", "Lagerhaus Zürich")
TOKYO = ("gid://shopify/Location/68509300002", "東京倉庫")

TSHIRT = ("TSHIRT-RED-M", "gid://shopify/InventoryItem/43729031")
BOOT = ("BOOT-HIKE-44", "gid://shopify/InventoryItem/43729049")
CAP = ("CAP-BLUE", "gid://shopify/InventoryItem/43729050")
SCARF = ("SCARF-WOOL", "gid://shopify/InventoryItem/43729051")

APPAREL = "inventory/apparel.yaml"
FOOTWEAR = "inventory/footwear.yaml"


def level(item: tuple[str, str], location: tuple[str, str]) -> Target:
    return Target(item[0], item[1], location[0], location[1])


def item(sku_and_id: tuple[str, str]) -> Target:
    return Target(*sku_and_id)


def src(file: str, line: int, path: str = "$") -> Source:
    return Source(file, line, path)


def plan_of(
    actions: list[Action],
    *,
    observed: Observed | None = None,
    warnings: tuple[Problem, ...] = (),
    git: GitInfo | None = None,
    filters: Filters | None = None,
    store: str = STORE,
    costs: Mapping[str, Decimal | None] | None = None,
    currency: str = "USD",
    guardrails: GuardrailRecord | None = None,
    usage: dict[str, Any] | None = None,
) -> Plan:
    """A plan of `actions`; with `costs` (live unit costs by item id) it carries money, with
    `usage` what reading the store cost."""
    ordered = tuple(sorted(actions, key=sort_key))
    built = Built(ordered, observed or Observed(), warnings)
    plan = make_plan(
        built,
        store=store,
        api_version=API_VERSION,
        manifest_digest="c" * 64,
        manifest_files=FILES,
        filters=filters or Filters(),
        git=git,
        created_at=CREATED_AT,
        money=None if costs is None else basis_for(ordered, costs, currency),
        guardrails=guardrails,
    )
    return plan if usage is None else dataclasses.replace(plan, usage=usage)


USAGE = {
    "calls": 3,
    "requestedCost": 214,
    "actualCost": 113,
    "throttled": 0,
    "retries": 0,
    "waitedSeconds": 0.0,
    "byOperation": {"Locations": 1, "Shop": 1, "ItemsBySku": 1},
}


def full_level(**values: int) -> dict[str, int]:
    return {name: values.get(name, 0) for name in ALL_QUANTITY_NAMES}


def small_plan(guardrails: GuardrailRecord | None = None) -> Plan:
    """Every kind of action over two items and two locations, with one warning."""
    actions: list[Action] = [
        UpdateItem(
            item(TSHIRT),
            (
                AttributeChange("cost", "8.40", "9.10"),
                AttributeChange("harmonizedSystemCode", None, "610910"),
            ),
            src(APPAREL, 4, "items[0]"),
        ),
        Move(
            level(TSHIRT, EAST),
            "available",
            "damaged",
            2,
            3,
            0,
            "correction",
            src(APPAREL, 8, "items[0].levels[0]"),
        ),
        SetQuantity(
            level(TSHIRT, EAST),
            "available",
            3,
            1,
            10,
            "correction",
            src(APPAREL, 8, "items[0].levels[0]"),
        ),
        SetQuantity(
            level(TSHIRT, PORTLAND),
            "on_hand",
            2,
            2,
            5,
            "correction",
            src(APPAREL, 11, "items[0].levels[1]"),
        ),
        Activate(level(BOOT, PORTLAND), False, src(FOOTWEAR, 5, "items[0].levels[0]")),
        SetQuantity(
            level(BOOT, PORTLAND),
            "available",
            0,
            0,
            4,
            "received",
            src(FOOTWEAR, 5, "items[0].levels[0]"),
        ),
        Deactivate(
            level(BOOT, EAST),
            "gid://shopify/InventoryLevel/99?inventory_item_id=43729049",
            src(FOOTWEAR, 7, "items[0].levels[1]"),
        ),
    ]
    observed = Observed(
        levels={
            (TSHIRT[1], EAST[0]): full_level(available=3, on_hand=3),
            (TSHIRT[1], PORTLAND[0]): full_level(damaged=2, on_hand=2),
            (BOOT[1], PORTLAND[0]): full_level(),
            (BOOT[1], EAST[0]): full_level(),
        },
        items={TSHIRT[1]: {"cost": "8.40", "harmonizedSystemCode": None}},
    )
    warnings = (
        Problem(
            "TSHIRT-RED-M at Portland Store: on_hand 5 is less than committed and unavailable "
            "units (6); available will be -1",
            APPAREL,
            11,
            "items[0].levels[1]",
        ),
    )
    return plan_of(
        actions,
        observed=observed,
        warnings=warnings,
        git=GitInfo(COMMIT, dirty=False),
        costs={TSHIRT[1]: Decimal("8.40"), BOOT[1]: None},  # the plan sets TSHIRT's to 9.10
        usage=USAGE,
        guardrails=guardrails,
    )


def small_plan_with_guardrails() -> Plan:
    """`small_plan`, checked against two rules, one of them overridden."""
    return small_plan(
        GuardrailRecord(
            {"max-units": 5, "protected-sku": ["GIFT-*"]},
            (
                Override(
                    "max-units",
                    "spring stock take, counted twice",
                    1,
                    (
                        "inventory/apparel.yaml:8: items[0].levels[0]: max-units: TSHIRT-RED-M "
                        "at East Warehouse: available 3 -> 10 changes 7 units (maxUnits 5)",
                    ),
                ),
            ),
        )
    )


def every_kind_plan() -> Plan:
    """Reactivation, moves both ways, every attribute form, unicode and wide location names."""
    actions: list[Action] = [
        UpdateItem(
            item(CAP),
            (
                AttributeChange("tracked", False, True),
                AttributeChange("cost", None, "12.00"),
                AttributeChange("countryCodeOfOrigin", "CN", "PT"),
                AttributeChange("countryHarmonizedSystemCodes", {}, {"CA": "6505001000"}),
                AttributeChange(
                    "weight",
                    {"value": "0.1", "unit": "KILOGRAMS"},
                    {"value": "120", "unit": "GRAMS"},
                ),
                AttributeChange("requiresShipping", True, False),
            ),
            src(APPAREL, 20, "items[2]"),
        ),
        Activate(level(CAP, ZURICH), True, src(APPAREL, 24, "items[2].levels[0]")),
        SetQuantity(
            level(CAP, ZURICH), "available", 5, 5, 8, "restock", src(APPAREL, 25, "items[2]")
        ),
        Move(
            level(CAP, TOKYO),
            "damaged",
            "available",
            3,
            4,
            2,
            "correction",
            src(APPAREL, 28, "items[2].levels[1]"),
        ),
        Move(
            level(CAP, TOKYO),
            "available",
            "safety_stock",
            10,
            12,
            0,
            "safety_stock",
            src(APPAREL, 29, "items[2].levels[1]"),
        ),
        Deactivate(
            level(SCARF, TOKYO),
            "gid://shopify/InventoryLevel/7?inventory_item_id=43729051",
            src(APPAREL, 40, "items[3].levels[0]"),
        ),
    ]
    return plan_of(
        actions,
        git=GitInfo(COMMIT, dirty=True),
        filters=Filters(skus=("CAP-*", "SCARF-*"), locations=("Lagerhaus *", "東京倉庫")),
        costs={CAP[1]: None},  # the plan gives CAP a cost of 12.00
        currency="EUR",
    )


def empty_plan() -> Plan:
    return plan_of([])


LOCATIONS = tuple((f"gid://shopify/Location/{700000 + n}", f"Store {n:02d}") for n in range(40))


@functools.cache
def big_plan(size: int = 50_000) -> Plan:
    """`size` actions over many items and 40 locations, every kind represented."""
    actions: list[Action] = []
    n = 0
    while len(actions) < size:
        sku = (f"SKU-{n:06d}", f"gid://shopify/InventoryItem/{10_000_000 + n}")
        here, there = LOCATIONS[n % 40], LOCATIONS[(n * 7 + 3) % 40]
        source = src(f"inventory/part-{n % 25:02d}.yaml", 3 + n % 500)
        batch: list[Action] = [
            Move(level(sku, here), "available", "damaged", 1 + n % 3, 20, n % 5, "damaged", source),
            SetQuantity(
                level(sku, here), "available", 20, 19 - n % 3, 25 + n % 9, "received", source
            ),
        ]
        if n % 5 == 0:
            batch.append(Activate(level(sku, there), n % 10 == 0, source))
            batch.append(SetQuantity(level(sku, there), "on_hand", 0, 0, 12, "received", source))
        elif n % 7 == 0:
            batch.append(Deactivate(level(sku, there), f"gid://shopify/InventoryLevel/{n}", source))
        if n % 11 == 0:
            batch.append(UpdateItem(item(sku), (AttributeChange("cost", "1.00", "1.25"),), source))
        actions.extend(batch[: size - len(actions)])
        n += 1
    costs = {
        a.target.item_id: None if n % 13 == 0 else Decimal(f"{1 + n % 40}.{n % 100:02d}")
        for n, a in enumerate(actions)
    }
    return plan_of(actions, costs=costs, usage=USAGE)
