"""The idempotency rules of 2026-01 (keys optional) and 2026-04 (keys required) under apply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.apply.conftest import MANIFEST, Workspace
from tests.conftest import Store


@pytest.fixture(params=["2026-01", "2026-04"])
def keyed(
    request: pytest.FixtureRequest, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Workspace:
    monkeypatch.chdir(tmp_path)
    return Workspace(tmp_path, store, request.param)


def test_every_keyed_mutation_carries_a_deterministic_idempotency_key(keyed: Workspace) -> None:
    keyed.write("inventory.yaml", MANIFEST)
    assert keyed.run("plan", "inventory.yaml", "--out", "plan.json").exit_code == 0
    result = keyed.run("apply", "plan.json")
    assert result.exit_code == 0, result.output
    plan_id = json.loads((keyed.root / "plan.json").read_text())["plan_id"]
    [journal] = (keyed.root / ".reconciler" / "journal").glob("*.jsonl")
    sends = [
        json.loads(line) for line in journal.read_text().splitlines() if '"event": "send"' in line
    ]
    keys = {s["kind"]: s["idempotency_key"] for s in sends}
    for kind in ("activate", "move", "set"):
        assert keys[kind].startswith(f"reconciler-{plan_id}-{kind}-"), keys
    assert keys["update_item"] is None  # inventoryItemUpdate has no @idempotent support


def test_a_lost_answer_is_replayed_under_the_same_key(keyed: Workspace) -> None:
    keyed.write("inventory.yaml", MANIFEST)
    assert keyed.run("plan", "inventory.yaml", "--out", "plan.json").exit_code == 0
    keyed.store.control(
        "POST", "faults", {"kind": "lose_response", "operation": "inventoryMoveQuantities"}
    )
    result = keyed.run("apply", "plan.json")
    assert result.exit_code == 0, result.output
    moves = [g for g in keyed.groups() if any(c["name"] == "damaged" for c in g["changes"])]
    assert len(moves) == 1
    assert keyed.quantities("TSHIRT-RED-M", "East Warehouse")["damaged"] == 2
