"""The history file: append, verify (edits, removals, reordering), filters and formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler import history
from reconciler.cli import main


def _record(plan_id: str, finished: str, actions: list[dict]) -> dict:
    return {
        "plan_id": plan_id,
        "git": {"commit": "0123456789abcdef0123", "dirty": False},
        "actor": {"name": "Dana", "email": "dana@example.com"},
        "store": "northwind-outfitters.myshopify.com",
        "api_version": "2026-10",
        "started_at": finished,
        "finished_at": finished,
        "outcome": "applied",
        "summary": {"applied": len(actions), "failed": 0, "not_attempted": 0},
        "actions": actions,
    }


SET_RED = {
    "kind": "set",
    "sku": "TSHIRT-RED-M",
    "location": "East Warehouse",
    "name": "available",
    "before": 3,
    "after": 10,
    "status": "applied",
    "adjustment_group": "gid://shopify/InventoryAdjustmentGroup/1",
}
MOVE_TENT = {
    "kind": "move",
    "sku": "TENT-2P",
    "location": "West Warehouse",
    "from": "available",
    "to": "damaged",
    "quantity": 2,
    "status": "applied",
}
COST_LAMP = {
    "kind": "update_item",
    "sku": "HEADLAMP-300",
    "location": None,
    "changes": [{"field": "cost", "before": "14.60", "after": "15.10"}],
    "status": "applied",
}


@pytest.fixture
def three(tmp_path: Path) -> Path:
    path = tmp_path / "history.jsonl"
    history.append(path, _record("aaaa000000000001", "2026-11-01T10:00:00Z", [SET_RED]))
    history.append(
        path, _record("bbbb000000000002", "2026-11-10T10:00:00Z", [MOVE_TENT, COST_LAMP])
    )
    history.append(path, _record("cccc000000000003", "2026-11-20T10:00:00Z", [SET_RED, MOVE_TENT]))
    return path


def test_an_intact_chain_verifies(three: Path) -> None:
    assert history.verify(three) == []
    entries = history.read(three)
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert entries[0]["prev"] == history.GENESIS and entries[1]["prev"] == entries[0]["hash"]


def test_a_removed_entry_is_detected(three: Path) -> None:
    lines = three.read_text().splitlines()
    three.write_text("\n".join([lines[0], lines[2]]) + "\n")
    messages = [str(p) for p in history.verify(three)]
    assert f"{three}:2: entry seq 3 at position 2 (removed or reordered entries)" in messages
    assert (
        f"{three}:2: does not follow the previous entry (removed or reordered entries)" in messages
    )


def test_reordered_entries_are_detected(three: Path) -> None:
    lines = three.read_text().splitlines()
    three.write_text("\n".join([lines[1], lines[0], lines[2]]) + "\n")
    assert len(history.verify(three)) >= 3


def test_reformatting_a_line_is_detected_even_if_its_content_is_equal(three: Path) -> None:
    lines = three.read_text().splitlines()
    entry = json.loads(lines[1])
    lines[1] = json.dumps(entry, sort_keys=True)  # same content, other whitespace
    three.write_text("\n".join(lines) + "\n")
    assert [str(p) for p in history.verify(three)] == [
        f"{three}:2: formatting differs from what was written (edited)"
    ]


def test_filters_combine_and_keep_only_matching_actions(three: Path) -> None:
    entries = history.read(three)
    by_sku = history.select(entries, history.Query(skus=("TENT-*",)))
    assert [e["plan_id"] for e in by_sku] == ["bbbb000000000002", "cccc000000000003"]
    assert all(a["sku"] == "TENT-2P" for e in by_sku for a in e["actions"])
    by_location = history.select(entries, history.Query(locations=("East*",)))
    assert [e["seq"] for e in by_location] == [1, 3]
    window = history.select(entries, history.Query(since="2026-11-05", until="2026-11-15"))
    assert [e["seq"] for e in window] == [2]
    assert [e["seq"] for e in history.select(entries, history.Query(plan_id="cccc"))] == [3]
    assert history.select(entries, history.Query(skus=("NOPE",))) == []


def test_the_cli_lists_in_text_json_and_markdown(three: Path) -> None:
    runner = CliRunner()
    text = runner.invoke(main, ["history", "--file", str(three), "--sku", "HEADLAMP-300"])
    assert text.exit_code == 0
    assert text.output == (
        "#2  2026-11-10T10:00:00Z  plan bbbb000000000002  applied  by Dana <dana@example.com>"
        "  commit 0123456789ab\n"
        "    store northwind-outfitters.myshopify.com  API 2026-10  2 applied, 0 failed, 0 not attempted\n"
        "    applied       HEADLAMP-300  (item)  cost 14.60 -> 15.10\n"
    )
    as_json = runner.invoke(
        main, ["history", "--file", str(three), "--format", "json", "--plan-id", "aaaa"]
    )
    assert [e["plan_id"] for e in json.loads(as_json.output)] == ["aaaa000000000001"]
    markdown = runner.invoke(
        main, ["history", "--file", str(three), "--format", "markdown", "--location", "West*"]
    )
    assert markdown.output.startswith(
        "| # | finished | plan | outcome | actor | commit | applied | failed | not attempted |"
    )
    assert (
        "| applied | TENT-2P | West Warehouse | available -&gt; damaged 2 |  |" in markdown.output
    )


def test_verify_through_the_cli(three: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["history", "--file", str(three), "verify"])
    assert (
        ok.exit_code == 0
        and ok.output == f"History {three} is intact: 3 entries, hash chain verified.\n"
    )
    three.write_text(three.read_text().replace('"Dana"', '"Eve"', 1))
    broken = runner.invoke(main, ["history", "--file", str(three), "verify"])
    assert broken.exit_code == 1
    assert f"{three}:1: content does not match its hash (edited)" in broken.output
