"""Guard-rails through the CLI, against the sandbox over HTTP: each rule's refusal (exit 1, the
rule and the change named, nothing written: no plan file, no mutation, no history), and
overrides recorded in the plan and in the history entry of its apply."""

from __future__ import annotations

import json

import pytest

from tests.apply.conftest import Workspace
from tests.conftest import Store

MANIFEST = """\
reason: correction
items:
  - sku: TSHIRT-RED-M
    levels:
      East Warehouse: {available: 900}
  - sku: TENT-2P
    tracked: true
    levels:
      West Warehouse: {damaged: 12, reason: damaged}
"""
# TSHIRT-RED-M at East Warehouse: available 3 -> 900 (+897 units, +29,900%);
# TENT-2P at West Warehouse: 12 units of $129.00 move to damaged: a $1,548.00 write-off.

REFUSALS = {
    "max-units": (
        {"maxUnits": 500},
        "max-units: TSHIRT-RED-M at East Warehouse: available 3 -> 900 changes 897 units "
        "(maxUnits 500)",
    ),
    "max-percent": (
        {"maxPercent": 100},
        "max-percent: TSHIRT-RED-M at East Warehouse: available 3 -> 900 changes it by 29900.0% "
        "(maxPercent 100)",
    ),
    "decrease-reason": (
        {"decreaseReasons": ["shrinkage"]},
        "decrease-reason: TENT-2P at West Warehouse: damaged 0 -> 12 writes off 12 units with "
        "reason damaged; decreases need one of: shrinkage",
    ),
    "max-write-off": (
        {"maxWriteOff": "1000.00"},
        "max-write-off: this plan writes off $1,548.00, more than maxWriteOff $1,000.00",
    ),
    "protected-sku": (
        {"protectedSkus": ["TENT-*"]},
        "protected-sku: TENT-2P is protected (TENT-*)",
    ),
    "protected-location": (
        {"protectedLocations": ["east"]},  # an alias of East Warehouse
        "protected-location: TSHIRT-RED-M at East Warehouse: East Warehouse is protected (east)",
    ),
}


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    workspace.write("inventory.yaml", MANIFEST)
    return workspace


def configure(ws: Workspace, guardrails: dict[str, object]) -> None:
    config = {"locations": {"aliases": {"east": "East Warehouse"}}, "guardrails": guardrails}
    ws.write("reconciler.yaml", json.dumps(config))  # JSON is YAML


WRITES = (
    "inventorySetQuantities",
    "inventoryMoveQuantities",
    "inventoryActivate",
    "inventoryDeactivate",
    "inventoryItemUpdate",
)


def mutations(store: Store) -> int:
    """Mutation requests the sandbox received (by root field)."""
    counts = store.control("GET", "stats")["byOperation"]
    return sum(counts.get(name, 0) for name in WRITES)


@pytest.mark.parametrize("rule", sorted(REFUSALS))
def test_each_rule_refuses_the_plan_and_nothing_is_written(ws: Workspace, rule: str) -> None:
    settings, message = REFUSALS[rule]
    configure(ws, settings)
    before = ws.groups()
    planned = ws.run("plan", "inventory.yaml", "--out", "plan.json")
    assert planned.exit_code == 1, planned.output
    assert planned.stdout == ""
    assert message in planned.stderr
    assert "inventory.yaml:" in planned.stderr or rule == "max-write-off"
    assert f'--allow {rule} --justification "why"' in planned.stderr
    assert not (ws.root / "plan.json").exists()
    applied = ws.run("apply", "inventory.yaml", "--auto-approve")
    assert applied.exit_code == 1, applied.output
    assert message in applied.stderr
    assert ws.groups() == before
    assert mutations(ws.store) == 0
    assert not (ws.root / "reconciler-history.jsonl").exists()


def test_tracked_flips_above_the_limit(ws: Workspace, store: Store) -> None:
    ws.write(
        "inventory.yaml",
        "items:\n  - {sku: MUG-TI-450, tracked: true}\n  - {sku: TENT-2P, tracked: false}\n",
    )
    configure(ws, {"maxTrackedChanges": 1})
    planned = ws.run("plan", "inventory.yaml")
    assert planned.exit_code == 1
    assert (
        "tracked-changes: 2 items change `tracked` (MUG-TI-450, TENT-2P); maxTrackedChanges is 1"
        in planned.stderr
    )
    configure(ws, {"maxTrackedChanges": 2})
    assert ws.run("plan", "inventory.yaml").exit_code == 0


def test_written_off_units_without_a_cost_break_max_write_off(ws: Workspace, store: Store) -> None:
    snapshot = store.control("GET", "snapshot")
    for item in snapshot["inventoryItems"]:
        if item["sku"] == "TENT-2P":
            item.pop("unitCost", None)
            item.pop("cost", None)
    store.control("PUT", "snapshot", snapshot)
    configure(ws, {"maxWriteOff": "100000"})
    planned = ws.run("plan", "inventory.yaml")
    assert planned.exit_code == 1
    assert (
        "12 units written off have no unit cost (TENT-2P), so the value written off cannot be "
        "checked against maxWriteOff $100,000.00"
    ) in planned.stderr


def test_an_override_is_recorded_in_the_plan_its_apply_and_the_history(ws: Workspace) -> None:
    configure(ws, {"maxUnits": 500, "maxWriteOff": "1000"})
    why = "new season stock counted at the dock; write-off approved by finance (#123)"
    planned = ws.run(
        "plan",
        "inventory.yaml",
        "--out",
        "plan.json",
        "--allow",
        "max-units",
        "--allow",
        "max-write-off",
        "--justification",
        why,
    )
    assert planned.exit_code == 0, planned.output
    plan = json.loads((ws.root / "plan.json").read_text())
    record = plan["guardrails"]
    assert record["rules"] == {"max-units": 500, "max-write-off": "1000"}
    assert [(o["rule"], o["justification"], o["violations"]) for o in record["overrides"]] == [
        ("max-units", why, 1),
        ("max-write-off", why, 1),
    ]
    assert "available 3 -> 900 changes 897 units" in record["overrides"][0]["examples"][0]

    applied = ws.run("apply", "plan.json", "--format", "json")
    assert applied.exit_code == 0, applied.output
    assert mutations(ws.store) >= 2  # the counter the refusals rely on does count writes
    assert json.loads(applied.stdout)["guardrails"] == record
    (entry,) = ws.history()
    assert entry["plan_id"] == plan["plan_id"]
    assert entry["guardrails"] == record
    assert ws.run("history", "verify").exit_code == 0


def test_the_apply_report_names_the_override(ws: Workspace) -> None:
    configure(ws, {"protectedSkus": ["TENT-*"]})
    result = ws.run(
        "apply",
        "inventory.yaml",
        "--auto-approve",
        "--allow",
        "protected-sku",
        "--justification",
        "damaged in transit, photos in #88",
    )
    assert result.exit_code == 0, result.output
    assert (
        "Guard-rail protected-sku overridden (1 change(s)): damaged in transit, photos in #88"
        in result.stdout
    )
    assert ws.history()[0]["guardrails"]["overrides"][0]["rule"] == "protected-sku"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--allow", "max-units"], "--allow and --justification go together"),
        (["--justification", "because"], "--allow and --justification go together"),
        (["--allow", "max-unit", "--justification", "x"], "--allow max-unit: no such guard-rail"),
    ],
)
def test_override_options_are_checked_before_the_store_is_read(
    ws: Workspace, store: Store, args: list[str], message: str
) -> None:
    configure(ws, {"maxUnits": 500})
    store.control("DELETE", "stats")
    result = ws.run("plan", "inventory.yaml", *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert store.control("GET", "stats")["requests"] == 0


def test_an_override_nothing_needs_is_said_and_not_recorded(ws: Workspace) -> None:
    configure(ws, {"maxUnits": 5000})
    result = ws.run(
        "plan", "inventory.yaml", "--format", "json", "--allow", "max-units", "--justification", "x"
    )
    assert result.exit_code == 0, result.output
    assert "Note: --allow max-units: no change breaks this rule." in result.stderr
    assert json.loads(result.stdout)["guardrails"] == {
        "rules": {"max-units": 5000},
        "overrides": [],
    }


def test_a_replan_keeps_the_reviewed_override(ws: Workspace, store: Store) -> None:
    configure(ws, {"maxUnits": 500})
    args = ["--allow", "max-units", "--justification", "reviewed in #7"]
    assert ws.run("plan", "inventory.yaml", "--out", "plan.json", *args).exit_code == 0
    store.control(
        "POST",
        "sale",
        {
            "inventoryItemId": "gid://shopify/InventoryItem/43729031",
            "locationId": "gid://shopify/Location/68509171945",
            "quantity": 1,
        },
    )
    result = ws.run("apply", "plan.json", "--replan", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert ws.history()[0]["guardrails"]["overrides"][0]["justification"] == "reviewed in #7"
