"""Apply under faults injected by the sandbox: races, lost answers, throttling, 5xx, crashes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.apply.conftest import ITEM, LOCATION, MANIFEST, Workspace


def _plan(ws: Workspace) -> dict:
    ws.write("inventory.yaml", MANIFEST)
    result = ws.run("plan", "inventory.yaml", "--out", "plan.json")
    assert result.exit_code == 0, result.output
    return json.loads((ws.root / "plan.json").read_text())


def _sale_before(ws: Workspace, operation: str, sku: str, location: str, quantity: int = 1) -> None:
    ws.store.control(
        "POST",
        "faults",
        {
            "kind": "sale",
            "operation": operation,
            "inventoryItemId": ITEM[sku],
            "locationId": LOCATION[location],
            "quantity": quantity,
        },
    )


def test_a_sale_during_apply_stops_that_level_and_is_reported(workspace: Workspace) -> None:
    _plan(workspace)
    _sale_before(workspace, "inventorySetQuantities", "TSHIRT-RED-M", "East Warehouse")
    # one call at a time, so what was sent before the failure is fixed (with several in
    # flight, calls already sent finish too: tests/apply/test_concurrent_apply.py)
    result = workspace.run("apply", "plan.json", "--concurrency", "1")
    assert result.exit_code == 1, result.output
    assert (
        "TSHIRT-RED-M at East Warehouse: available is 0 in the store, the plan expected 1"
        in result.output
    )
    assert "Apply incomplete: 3 applied, 1 failed, 2 not attempted" in result.output
    # the sale's unit is still sold: nothing overwrote it
    east = workspace.quantities("TSHIRT-RED-M", "East Warehouse")
    assert (east["available"], east["committed"], east["damaged"]) == (0, 1, 2)
    [entry] = workspace.history()
    assert entry["outcome"] == "partial"


def test_continue_on_error_goes_on_around_the_stale_level(workspace: Workspace) -> None:
    _plan(workspace)
    _sale_before(workspace, "inventorySetQuantities", "TSHIRT-RED-M", "East Warehouse")
    # one call at a time: the sale lands before the first set call, so that must be East's
    result = workspace.run("apply", "plan.json", "--continue-on-error", "--concurrency", "1")
    assert result.exit_code == 1, result.output
    assert "Apply incomplete: 5 applied, 1 failed, 0 not attempted" in result.output
    assert workspace.quantities("BOOT-HIKE-44", "Portland Store")["available"] == 4
    assert workspace.quantities("TSHIRT-RED-M", "Portland Store")["on_hand"] == 5
    assert (
        "a sale happened during the apply (committed +1)" in result.output
        or "the change was failed" in result.output
    )


def test_a_lost_answer_is_not_applied_twice(workspace: Workspace) -> None:
    plan = _plan(workspace)
    workspace.store.control(
        "POST", "faults", {"kind": "lose_response", "operation": "inventorySetQuantities"}
    )
    result = workspace.run("apply", "plan.json")
    assert result.exit_code == 0, result.output
    assert workspace.quantities("TSHIRT-RED-M", "East Warehouse")["available"] == 10
    sets = [
        g
        for g in workspace.groups()
        if any(c["name"] == "available" and c["delta"] == 9 for c in g["changes"])
    ]
    assert len(sets) == 1, "the lost set must have been applied exactly once"
    assert plan["plan_id"] in sets[0]["referenceDocumentUri"]


def test_throttling_and_server_errors_are_retried_to_completion(workspace: Workspace) -> None:
    _plan(workspace)
    workspace.store.control(
        "POST",
        "faults",
        [
            {"kind": "throttle", "operation": "*", "times": 3},
            {
                "kind": "http_error",
                "operation": "inventoryMoveQuantities",
                "status": 503,
                "times": 2,
            },
            {"kind": "http_error", "operation": "inventoryItemUpdate", "status": 502, "times": 1},
        ],
    )
    result = workspace.run("apply", "plan.json")
    assert result.exit_code == 0, result.output
    assert "Apply complete: 6 applied, 0 failed, 0 not attempted" in result.output
    assert "throttled 3x" in result.output
    east = workspace.quantities("TSHIRT-RED-M", "East Warehouse")
    assert (east["available"], east["damaged"]) == (10, 2)
    moves = [g for g in workspace.groups() if any(c["name"] == "damaged" for c in g["changes"])]
    assert len(moves) == 1


def test_a_crash_mid_apply_resumes_without_repeating_anything(workspace: Workspace) -> None:
    _plan(workspace)
    # Hold the first set call in the server long enough to kill the client while it waits.
    workspace.store.control(
        "POST", "faults", {"kind": "latency", "operation": "inventorySetQuantities", "seconds": 2.0}
    )
    env = {
        **os.environ,
        "SHOPIFY_STORE": workspace.store.url,
        "SHOPIFY_ACCESS_TOKEN": workspace.store.token,
        "SHOPIFY_API_VERSION": workspace.version,
        "NO_COLOR": "1",
    }
    child = subprocess.Popen(
        # one call at a time: the set held in the server is the one killed in flight (several
        # in flight: tests/apply/test_concurrent_apply.py)
        [sys.executable, "-m", "reconciler", "apply", "plan.json", "--concurrency", "1"],
        cwd=workspace.root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    journals = list((workspace.root / ".reconciler" / "journal").glob("*.jsonl"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        journals = list((workspace.root / ".reconciler" / "journal").glob("*.jsonl"))
        if journals and '"document": "set_quantities"' in journals[0].read_text():
            break
        time.sleep(0.05)
    else:
        child.kill()
        pytest.fail("the apply never reached the set batch")
    child.send_signal(signal.SIGKILL)
    child.wait()
    # The journal says "send" just before the request leaves, so the killed client may or may
    # not have sent it. If it did, the server still finishes it: wait for that, so the resume
    # meets a settled store (a resume racing a request still in flight on 2025-01 would be
    # refused by compare-and-set rather than applied twice; that race is not this test).
    arrived = time.monotonic() + 5
    while time.monotonic() < arrived:
        if workspace.store.control("GET", "stats")["byOperation"].get("inventorySetQuantities"):
            break
        time.sleep(0.05)
    else:
        arrived = 0.0
    deadline = time.monotonic() + 30
    while arrived and not any(
        c["name"] == "available" and c["delta"] == 9
        for g in workspace.groups()
        for c in g["changes"]
    ):
        assert time.monotonic() < deadline, "the abandoned set never completed"
        time.sleep(0.1)
    result = workspace.run("apply", "--resume", str(journals[0]))
    assert result.exit_code == 0, result.output
    east = workspace.quantities("TSHIRT-RED-M", "East Warehouse")
    assert (east["available"], east["damaged"], east["on_hand"]) == (10, 2, 12)
    assert workspace.quantities("BOOT-HIKE-44", "Portland Store")["available"] == 4
    assert workspace.quantities("TSHIRT-RED-M", "Portland Store")["on_hand"] == 5
    for name, delta in (("damaged", 2), ("available", 9)):
        matching = [
            g
            for g in workspace.groups()
            if any(c["name"] == name and c["delta"] == delta for c in g["changes"])
        ]
        assert len(matching) == 1, f"{name} {delta:+d} applied {len(matching)} times"
    again = workspace.run("plan", "inventory.yaml", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_quantity_changes_go_out_in_batches_of_250(
    store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store.control("POST", "generate", {"items": 300, "locations": 1, "seed": 3})
    lines = ["reason: cycle_count_available", "items:"]
    for n in range(300):
        lines += [
            f"  - sku: SKU-{n:07d}",
            "    levels:",
            f"      Location 01: {{available: {1000 + n}, damaged: 7}}",
        ]
    ws = Workspace(tmp_path, store, "2026-10")
    ws.write("bulk.yaml", "\n".join(lines) + "\n")
    assert ws.run("plan", "bulk.yaml", "--out", "plan.json").exit_code == 0
    store.control("DELETE", "stats")
    result = ws.run("apply", "plan.json")
    assert result.exit_code == 0, result.output
    calls = store.control("GET", "stats")["byOperation"]
    plan = json.loads((tmp_path / "plan.json").read_text())
    moves, sets = plan["summary"]["move"], plan["summary"]["set"]
    assert calls["inventoryMoveQuantities"] == -(-moves // 250)
    assert calls["inventorySetQuantities"] == -(-sets // 250)


def _env(ws: Workspace) -> dict[str, str]:
    return {
        **os.environ,
        "SHOPIFY_STORE": ws.store.url,
        "SHOPIFY_ACCESS_TOKEN": ws.store.token,
        "SHOPIFY_API_VERSION": ws.version,
        "NO_COLOR": "1",
    }


def _kill_while_in_flight(ws: Workspace, operation: str, document: str, calls: int = 1) -> Path:
    """Start `apply plan.json` in a child, kill -9 it while the store holds call `calls` of
    `operation` (a sandbox latency keeps it there), and return the journal it left."""
    child = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "apply", "plan.json"],
        cwd=ws.root,
        env=_env(ws),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    directory = ws.root / ".reconciler" / "journal"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            journals = list(directory.glob("*.jsonl"))
            sent = journals and f'"document": "{document}"' in journals[0].read_text()
            arrived = ws.store.control("GET", "stats")["byOperation"].get(operation, 0)
            if sent and arrived >= calls:
                break
            time.sleep(0.02)
        else:
            pytest.fail(f"the apply never sent {operation}")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    return journals[0]


LATENCY = 2.0


@pytest.mark.parametrize("version", ["2025-01", "2025-10"])
def test_kill_during_a_move_without_compare_and_set_then_resume_moves_once(
    store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    """Moves have no compare-and-set before 2026-01: the resume must not send the move again
    while the killed run's request may still land (it settles it by re-reading)."""
    monkeypatch.chdir(tmp_path)
    ws = Workspace(tmp_path, store, version)
    _plan(ws)
    store.control("DELETE", "stats")
    store.control(
        "POST",
        "faults",
        {"kind": "latency", "operation": "inventoryMoveQuantities", "seconds": LATENCY},
    )
    journal = _kill_while_in_flight(ws, "inventoryMoveQuantities", "move_quantities")
    killed = time.monotonic()
    result = ws.run("apply", "--resume", str(journal))
    assert result.exit_code == 0, result.output
    time.sleep(max(0.0, killed + LATENCY + 1.5 - time.monotonic()))  # the killed run's move lands
    moves = [g for g in ws.groups() if any(c["name"] == "damaged" for c in g["changes"])]
    assert len(moves) == 1, f"the move was applied {len(moves)} times"
    east = ws.quantities("TSHIRT-RED-M", "East Warehouse")
    assert (east["available"], east["damaged"], east["on_hand"]) == (10, 2, 12)


def test_a_failed_attempt_under_a_key_is_retried_under_a_new_key(
    store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shopify: "A previous request with this idempotency key failed. Retry with a new
    idempotency key." The store is re-read (nothing applied), a fresh key goes in the journal
    before the call, and the move applies once."""
    monkeypatch.chdir(tmp_path)
    ws = Workspace(tmp_path, store, "2026-10")
    _plan(ws)
    store.control(
        "POST", "faults", {"kind": "internal_error", "operation": "inventoryMoveQuantities"}
    )
    result = ws.run("apply", "plan.json")
    assert result.exit_code == 0, result.output
    moves = [g for g in ws.groups() if any(c["name"] == "damaged" for c in g["changes"])]
    assert len(moves) == 1
    assert ws.quantities("TSHIRT-RED-M", "East Warehouse")["damaged"] == 2
    [journal] = (ws.root / ".reconciler" / "journal").glob("*.jsonl")
    sends = [
        json.loads(line)
        for line in journal.read_text().splitlines()
        if '"event": "send"' in line and '"kind": "move"' in line
    ]
    first, second = (s["idempotency_key"] for s in sends)
    assert second.startswith(first + "~") and sends[0]["batch"] == sends[1]["batch"]


def test_resume_after_a_failed_attempt_uses_the_journaled_key(
    store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after the fresh key was journaled: --resume sends under that key, not the one
    the store refuses forever."""
    monkeypatch.chdir(tmp_path)
    ws = Workspace(tmp_path, store, "2026-10")
    _plan(ws)
    store.control("DELETE", "stats")
    store.control(
        "POST",
        "faults",
        [
            {"kind": "internal_error", "operation": "inventoryMoveQuantities"},
            {
                "kind": "latency",
                "operation": "inventoryMoveQuantities",
                "seconds": LATENCY,
                "phase": "during",  # its key claimed: the resume's call meets it running
                "skip": 1,
            },
        ],
    )
    journal = _kill_while_in_flight(ws, "inventoryMoveQuantities", "move_quantities", calls=3)
    store.control("DELETE", "faults")
    result = ws.run("apply", "--resume", str(journal))
    assert result.exit_code == 0, result.output
    assert ws.quantities("TSHIRT-RED-M", "East Warehouse")["damaged"] == 2
    moves = [g for g in ws.groups() if any(c["name"] == "damaged" for c in g["changes"])]
    assert len(moves) == 1


def test_a_move_in_flight_that_meets_a_third_party_change_is_a_conflict(
    store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The killed run's move lands, then a sale changes the level: the store holds neither the
    values before the move nor after it. The resume reports a conflict, exits 1, sends the move
    nothing again and leaves that level's set alone."""
    monkeypatch.chdir(tmp_path)
    ws = Workspace(tmp_path, store, "2025-01")
    _plan(ws)
    store.control("DELETE", "stats")
    store.control(
        "POST",
        "faults",
        {"kind": "latency", "operation": "inventoryMoveQuantities", "seconds": LATENCY},
    )
    journal = _kill_while_in_flight(ws, "inventoryMoveQuantities", "move_quantities")
    deadline = time.monotonic() + 30
    while not any(c["name"] == "damaged" for g in ws.groups() for c in g["changes"]):
        assert time.monotonic() < deadline, "the killed run's move never landed"
        time.sleep(0.1)
    store.control(
        "POST",
        "sale",
        {"inventoryItemId": ITEM["TSHIRT-RED-M"], "locationId": LOCATION["East Warehouse"]},
    )
    result = ws.run("apply", "--resume", str(journal))
    assert result.exit_code == 1, result.output
    assert "holds neither the old nor the new values" in result.output
    assert "TSHIRT-RED-M at East Warehouse: the store has available 0, damaged 2" in result.output
    moves = [g for g in ws.groups() if any(c["name"] == "damaged" for c in g["changes"])]
    assert len(moves) == 1
    east = ws.quantities("TSHIRT-RED-M", "East Warehouse")
    assert (east["available"], east["committed"], east["damaged"]) == (0, 1, 2)
