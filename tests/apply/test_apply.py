"""`reconciler apply` and `reconciler history` against the sandbox, over HTTP, per version."""

from __future__ import annotations

import json

from tests.apply.conftest import ITEM, LOCATION, MANIFEST, Workspace


def _plan(ws: Workspace) -> dict:
    ws.write("inventory.yaml", MANIFEST)
    result = ws.run("plan", "inventory.yaml", "--out", "plan.json")
    assert result.exit_code == 0, result.output
    return json.loads((ws.root / "plan.json").read_text())


def test_apply_reaches_the_desired_state_and_a_second_plan_is_empty(workspace: Workspace) -> None:
    plan = _plan(workspace)
    result = workspace.run("apply", "plan.json")
    assert result.exit_code == 0, result.output
    assert (
        f"Apply complete: 6 applied, 0 failed, 0 not attempted (plan {plan['plan_id']})."
        in result.output
    )
    assert "No drift: every planned value is in place." in result.output
    east = workspace.quantities("TSHIRT-RED-M", "East Warehouse")
    assert (east["available"], east["damaged"], east["on_hand"]) == (10, 2, 12)
    assert workspace.quantities("TSHIRT-RED-M", "Portland Store")["on_hand"] == 5
    assert workspace.quantities("BOOT-HIKE-44", "Portland Store")["available"] == 4
    again = workspace.run("plan", "inventory.yaml", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes. The store matches the manifests." in again.output


def test_every_adjustment_names_the_plan_and_moves_carry_ledger_documents(
    workspace: Workspace,
) -> None:
    plan = _plan(workspace)
    assert workspace.run("apply", "plan.json").exit_code == 0
    groups = workspace.groups()
    assert groups, "the sandbox recorded no adjustment"
    assert {g["referenceDocumentUri"] for g in groups} == {
        f"gid://reconciler/Plan/{plan['plan_id']}"
    }
    move = next(g for g in groups if any(c["name"] == "damaged" for c in g["changes"]))
    damaged = next(c for c in move["changes"] if c["name"] == "damaged")
    assert damaged["ledgerDocumentUri"] == f"gid://reconciler/Ledger/{plan['plan_id']}"
    history = workspace.history()
    recorded = {a["adjustment_group"] for a in history[0]["actions"] if a.get("adjustment_group")}
    assert recorded == {g["id"] for g in groups}


def test_history_records_the_apply_and_detects_one_edited_byte(workspace: Workspace) -> None:
    plan = _plan(workspace)
    assert workspace.run("apply", "plan.json").exit_code == 0
    [entry] = workspace.history()
    assert entry["seq"] == 1 and entry["plan_id"] == plan["plan_id"]
    assert entry["store"] == plan["store"] and entry["api_version"] == workspace.version
    assert entry["outcome"] == "applied"
    assert entry["summary"] == {"applied": 6, "failed": 0, "not_attempted": 0}
    assert entry["actor"]["name"]
    verified = workspace.run("history", "verify")
    assert verified.exit_code == 0, verified.output
    assert "hash chain verified" in verified.output
    path = workspace.root / "reconciler-history.jsonl"
    raw = bytearray(path.read_bytes())
    position = raw.index(b'"outcome":"applied"') + len('"outcome":"')
    raw[position] = ord("A")  # one byte
    path.write_bytes(bytes(raw))
    broken = workspace.run("history", "verify")
    assert broken.exit_code == 1
    assert "reconciler-history.jsonl:1: content does not match its hash (edited)" in broken.output


def test_a_sale_between_plan_and_apply_makes_the_plan_stale(workspace: Workspace) -> None:
    _plan(workspace)
    workspace.store.control(
        "POST",
        "sale",
        {
            "inventoryItemId": ITEM["TSHIRT-RED-M"],
            "locationId": LOCATION["East Warehouse"],
            "quantity": 1,
        },
    )
    before = workspace.quantities("TSHIRT-RED-M", "East Warehouse")
    result = workspace.run("apply", "plan.json")
    assert result.exit_code == 1
    assert "is stale: 1 value(s) it was made from changed in the store" in result.output
    assert "TSHIRT-RED-M at East Warehouse: available was 3 when planned, is 2 now" in result.output
    assert workspace.quantities("TSHIRT-RED-M", "East Warehouse") == before  # nothing sent
    assert workspace.groups() == []


def test_replan_applies_a_fresh_plan_when_the_saved_one_is_stale(workspace: Workspace) -> None:
    _plan(workspace)
    workspace.store.control(
        "POST",
        "sale",
        {
            "inventoryItemId": ITEM["TSHIRT-RED-M"],
            "locationId": LOCATION["East Warehouse"],
            "quantity": 1,
        },
    )
    result = workspace.run("apply", "plan.json", "--replan", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert workspace.quantities("TSHIRT-RED-M", "East Warehouse")["available"] == 10


def test_apply_without_a_terminal_or_auto_approve_refuses(workspace: Workspace) -> None:
    workspace.write("inventory.yaml", MANIFEST)
    result = workspace.run("apply", "inventory.yaml")
    assert result.exit_code == 1
    assert "refusing to apply without confirmation" in result.output
    assert workspace.groups() == []


def test_apply_paths_with_auto_approve_plans_and_applies(workspace: Workspace) -> None:
    workspace.write("inventory.yaml", MANIFEST)
    result = workspace.run("apply", "inventory.yaml", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "Apply complete: 6 applied" in result.output
