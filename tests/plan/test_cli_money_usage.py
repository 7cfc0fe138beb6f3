"""Money at stake and usage in every run, through the CLI against the sandbox over HTTP: plan
text, Markdown and JSON, and the apply report (text and JSON); with and without unit costs; in
the shop's currency as the store reports it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.apply.conftest import Workspace
from tests.conftest import Store

ROOT = Path(__file__).resolve().parents[2]
PLAN_SCHEMA = jsonschema.Draft202012Validator(
    json.loads((ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
)

MANIFEST = """\
items:
  - sku: TSHIRT-RED-M
    reason: received
    levels:
      East Warehouse: {available: 13}
  - sku: TENT-2P
    levels:
      West Warehouse: {damaged: 12, reason: damaged}
"""
# TSHIRT-RED-M ($8.40): East Warehouse available 3 -> 13, 10 units received: +$84.00.
# TENT-2P ($129.00): 12 units moved to damaged at West Warehouse: a $1,548.00 write-off.


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    workspace.write("inventory.yaml", MANIFEST)
    return workspace


def edit_snapshot(store: Store, change: Any) -> None:
    snapshot = store.control("GET", "snapshot")
    change(snapshot)
    store.control("PUT", "snapshot", snapshot)


def without_cost(sku: str) -> Any:
    def change(snapshot: dict[str, Any]) -> None:
        for item in snapshot["inventoryItems"]:
            if item["sku"] == sku:
                item.pop("unitCost", None)
                item.pop("cost", None)

    return change


def test_the_text_plan_values_each_change_and_ends_with_usage(ws: Workspace) -> None:
    result = ws.run("plan", "inventory.yaml")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert (
        "Money at stake (USD, units x unit cost):\n"
        "  stock added (received): +$84.00 at East Warehouse (10 units)\n"
        "  damaged write-off: -$1,548.00 at West Warehouse (12 units)\n"
        "  Total: on-hand value +$84.00, written off $1,548.00.\n"
    ) in text
    stats = ws.store.control("GET", "stats")
    last = text.splitlines()[-1]
    assert last == (
        f"Read the store through paged reads: {stats['requests']} GraphQL calls, "
        f"{stats['requestedCost']:,} requested"
        f" / {stats['actualCost']:,} actual cost points, no throttle waits."
    )
    assert result.stderr == ""  # the usage is in the footer, not repeated on stderr


def test_the_markdown_plan_values_each_change(ws: Workspace) -> None:
    result = ws.run("plan", "inventory.yaml", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "| <code>West Warehouse</code> | damaged write-off | 12 | -&#36;1,548.00 |" in (
        result.stdout
    )
    assert "Total: on-hand value +&#36;84.00, written off &#36;1,548.00." in result.stdout
    assert result.stderr.startswith("Read the store through paged reads: ")


def test_the_json_plan_has_money_and_usage_and_matches_the_schema(ws: Workspace) -> None:
    result = ws.run("plan", "inventory.yaml", "--format", "json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert list(PLAN_SCHEMA.iter_errors(plan)) == []
    money = plan["money"]
    assert money["currency"] == "USD"
    assert {c["sku"]: c["cost"] for c in money["unit_costs"]} == {
        "TSHIRT-RED-M": "8.40",
        "TENT-2P": "129.00",
    }
    assert [(m["location"], m["effect"], m["units"], m["value"]) for m in money["lines"]] == [
        ("East Warehouse", "added", 10, "84.00"),
        ("West Warehouse", "written_off", -12, "-1548.00"),
    ]
    assert money["totals"]["written_off"] == "1548.00"
    assert money["unvalued"] == []
    stats = ws.store.control("GET", "stats")
    assert plan["usage"]["calls"] == stats["requests"]
    assert plan["usage"]["actualCost"] == stats["actualCost"]
    assert plan["usage"]["byOperation"]["Shop"] == 1  # one call to learn the currency
    assert plan["usage"]["read"] == "paged reads"


def test_items_without_a_cost_are_named_and_never_valued_at_zero(
    ws: Workspace, store: Store
) -> None:
    edit_snapshot(store, without_cost("TENT-2P"))
    text = ws.run("plan", "inventory.yaml").stdout
    assert "  damaged write-off: not valued at West Warehouse (12 units, no unit cost)\n" in text
    assert "  Total: on-hand value +$84.00, written off $0.00.\n" in text
    assert "  Not valued, 1 item without a unit cost: TENT-2P (12 units).\n" in text
    markdown = ws.run("plan", "inventory.yaml", "--format", "markdown").stdout
    assert "| damaged write-off | 12, no unit cost | not valued |" in markdown
    assert "Not valued, 1 item without a unit cost: TENT-2P (12 units)." in markdown
    plan = json.loads(ws.run("plan", "inventory.yaml", "--format", "json").stdout)
    line = next(m for m in plan["money"]["lines"] if m["effect"] == "written_off")
    assert (line["value"], line["unvalued_units"]) == (None, 12)
    assert plan["money"]["unvalued"] == [
        {"sku": "TENT-2P", "item_id": "gid://shopify/InventoryItem/43729052", "units": 12}
    ]


def test_amounts_are_in_the_shops_currency(ws: Workspace, store: Store) -> None:
    edit_snapshot(store, lambda s: s["shop"].update(currency="EUR"))
    text = ws.run("plan", "inventory.yaml").stdout
    assert "Money at stake (EUR, units x unit cost):" in text
    assert "damaged write-off: -€1,548.00 at West Warehouse" in text
    edit_snapshot(store, lambda s: s["shop"].update(currency="JPY"))
    plan = json.loads(ws.run("plan", "inventory.yaml", "--format", "json").stdout)
    assert plan["money"]["currency"] == "JPY"
    assert plan["money"]["totals"]["written_off"] == "1548"  # no minor units


def test_the_apply_report_has_money_and_usage(ws: Workspace) -> None:
    assert ws.run("plan", "inventory.yaml", "--out", "plan.json").exit_code == 0
    text = ws.run("apply", "plan.json")
    assert text.exit_code == 0, text.output
    assert (
        "Money at stake in the applied changes (USD, units x unit cost):\n"
        "  stock added (received): +$84.00 at East Warehouse (10 units)\n"
        "  damaged write-off: -$1,548.00 at West Warehouse (12 units)\n"
    ) in text.stdout
    assert text.stdout.splitlines()[-1].startswith("Apply used: ")
    assert "GraphQL calls" in text.stdout.splitlines()[-1]


def test_the_json_apply_report_counts_only_what_was_applied(ws: Workspace, store: Store) -> None:
    assert ws.run("plan", "inventory.yaml", "--out", "plan.json").exit_code == 0
    store.control(  # a sale just before the set: its compare-and-set fails, the move applied
        "POST",
        "faults",
        {
            "kind": "sale",
            "operation": "inventorySetQuantities",
            "inventoryItemId": "gid://shopify/InventoryItem/43729031",
            "locationId": "gid://shopify/Location/68509171945",
            "quantity": 1,
        },
    )
    result = ws.run("apply", "plan.json", "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    applied = {(r["kind"], r["status"]) for r in report["results"]}
    assert ("move", "applied") in applied and ("set", "applied") not in applied
    assert report["money"]["currency"] == "USD"
    assert [m["effect"] for m in report["money"]["lines"]] == ["written_off"]
    assert report["usage"]["calls"] >= 3
