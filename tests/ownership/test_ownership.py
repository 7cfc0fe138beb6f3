"""Ownership rules in reconciler.yaml: validate refuses what others own (file:line), plan never
writes it, and the rules read as documented (first rule naming a field at a location wins)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.manifest import check_paths
from reconciler.manifest.ownership import MANIFESTS, Ownership, Rule, location_names
from tests.apply.conftest import Workspace
from tests.conftest import Store

CONFIG = """\
locations:
  aliases:
    pdx: Portland Store
    east: East Warehouse
ownership:
  - owner: sales
    locations: ["* Store"]
    quantities: [available]
  - owner: manifests
    quantities: [damaged, safety_stock]
  - owner: erp
    attributes: [cost]
"""


def _check(tmp_path: Path, manifest: str, config: str = CONFIG) -> list[str]:
    (tmp_path / "reconciler.yaml").write_text(config, encoding="utf-8")
    (tmp_path / "m.yaml").write_text(manifest, encoding="utf-8")
    result = check_paths([tmp_path / "m.yaml"], tmp_path / "reconciler.yaml")
    return [str(p).replace(str(tmp_path) + "/", "") for p in result.problems]


def test_fields_others_own_are_refused_with_their_line_and_the_rule(tmp_path: Path) -> None:
    problems = _check(
        tmp_path,
        """\
items:
  - sku: TSHIRT-RED-M
    cost: "9.10"
    levels:
      pdx: {available: 3, damaged: 1}
      east: {available: 4, damaged: 0}
  - sku: BOOT-HIKE-44
    levels:
      Portland Store:
        on_hand: 5
""",
    )
    assert problems == [
        "m.yaml:3: items[0].cost: `cost` belongs to erp (reconciler.yaml:11), not to the "
        "manifests; remove it here, or change the ownership rule",
        'm.yaml:5: items[0].levels["pdx"].available: `available` at Portland Store belongs to '
        "sales (reconciler.yaml:6), not to the manifests; remove it here, or change the "
        "ownership rule",
        'm.yaml:10: items[1].levels["Portland Store"].on_hand: `on_hand` at Portland Store would '
        "write `available`, which belongs to sales (reconciler.yaml:6): Shopify sets on_hand by "
        "moving the difference through available; declare only the unavailable states here",
    ]


def test_what_the_manifests_own_passes(tmp_path: Path) -> None:
    manifest = """\
items:
  - sku: TSHIRT-RED-M
    countryCodeOfOrigin: PT
    levels:
      pdx: {damaged: 1, safety_stock: 2}
      east: {available: 4, on_hand: 9}
"""
    assert _check(tmp_path, manifest) == []


def test_what_ignore_leaves_alone_may_not_be_declared(tmp_path: Path) -> None:
    config = "locations:\n  aliases: {pdx: Portland Store}\nignore:\n  skus: [GIFT-*]\n  locations: [Portland*]\n"
    manifest = """\
items:
  - sku: GIFT-CARD-50
    cost: "1.00"
  - sku: TSHIRT-RED-M
    levels:
      East Warehouse: {available: 4}
      pdx: {stocked: true}
"""
    assert _check(tmp_path, manifest, config) == [
        "m.yaml:2: items[0].sku: GIFT-CARD-50 is ignored (reconciler.yaml:3: `ignore.skus`): "
        "reconciler never reads or writes it; remove this entry, or the ignore rule",
        'm.yaml:7: items[1].levels["pdx"]: Portland Store is ignored (reconciler.yaml:3: '
        "`ignore.locations`): reconciler never reads or writes it; remove this level, or the "
        "ignore rule",
    ]


def test_rules_the_schema_cannot_check_are_config_problems(tmp_path: Path) -> None:
    config = """\
ownership:
  - owner: sales
  - owner: wms
    locations: ["East*"]
    attributes: [weight]
  - owner: erp
    locations: []
    quantities: [reserved]
  - owner: Sales Team
    quantities: [available]
"""
    problems = _check(tmp_path, "items: []\n", config)
    assert problems == [
        "reconciler.yaml:2: ownership[0]: a rule must name `quantities` or `attributes` (or both)",
        "reconciler.yaml:4: ownership[1].locations: attributes belong to the item, not to a "
        "location: put them in a rule without `locations`",
        "reconciler.yaml:7: ownership[2].locations: name at least one location glob, or leave "
        "`locations` out",
        'reconciler.yaml:9: ownership[3].owner: "Sales Team" is invalid: An owner is a short lower-case name such as '
        "sales, erp or manifests.",
    ]


def test_the_first_rule_naming_a_field_decides_and_the_rest_is_the_manifests() -> None:
    sales = Rule("sales", ("* Store", "pdx"), frozenset({"available"}), frozenset(), "c:1")
    ours = Rule(MANIFESTS, (), frozenset({"available", "damaged"}), frozenset(), "c:2")
    erp = Rule("erp", (), frozenset(), frozenset({"cost"}), "c:3")
    rules = Ownership((sales, ours, erp))
    aliases = {"pdx": "Portland Store", "west": "West Warehouse"}
    store, warehouse = location_names("pdx", aliases), location_names("west", aliases)
    assert store == ("Portland Store", "pdx")
    assert rules.quantity_owner(store, "available") == "sales"
    assert rules.quantity_owner(warehouse, "available") == MANIFESTS
    assert rules.quantity_owner(store, "reserved") == MANIFESTS  # no rule names it
    assert rules.owned_quantities(store) == (
        "on_hand",
        "damaged",
        "quality_control",
        "reserved",
        "safety_stock",
    )
    assert rules.explicit_quantities(store) == ("damaged",)
    assert rules.explicit_quantities(warehouse) == ("available", "damaged")
    assert not rules.owns_attribute("cost") and rules.owns_attribute("weight")
    # an alias matches a glob too: a location called "Outlet" known as pdx is sales'
    assert rules.quantity_owner(("Outlet", "pdx"), "available") == "sales"


@pytest.mark.parametrize("version", ["2026-10"])
def test_plan_refuses_before_reading_the_store_and_nothing_changes(
    tmp_path: Path, store: Store, version: str
) -> None:
    work = Workspace(tmp_path, store, version)
    work.write("reconciler.yaml", CONFIG)
    work.write("m.yaml", "items:\n  - sku: TSHIRT-RED-M\n    levels:\n      pdx: {available: 0}\n")
    before = work.quantities("TSHIRT-RED-M", "Portland Store")
    stats = store.control("DELETE", "stats")
    result = work.run(
        "apply",
        str(tmp_path / "m.yaml"),
        "--config",
        str(tmp_path / "reconciler.yaml"),
        "--auto-approve",
    )
    assert result.exit_code == 1
    assert "`available` at Portland Store belongs to sales" in result.stderr
    assert store.control("GET", "stats")["requests"] == stats["requests"] == 0
    assert work.quantities("TSHIRT-RED-M", "Portland Store") == before
