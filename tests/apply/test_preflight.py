"""No write before a refusal: every reason an apply cannot start is found before the store lock
(its first write), reported clearly with exit 1, and the store is left exactly as it was."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reconciler.apply.batches import Batch, build_batches
from reconciler.plan.planfile import Plan, load
from tests.apply.conftest import ITEM, MANIFEST, Workspace
from tests.apply.forge import first, forge
from tests.conftest import Store

WRITES = frozenset(
    {
        "metafieldsSet",
        "metafieldsDelete",
        "inventoryItemUpdate",
        "inventoryActivate",
        "inventoryDeactivate",
        "inventoryMoveQuantities",
        "inventorySetQuantities",
        "inventoryAdjustQuantities",
    }
)


@dataclass(frozen=True)
class Refusal:
    name: str
    prepare: Callable[[Workspace], list[str]]  # sets the case up; the apply's arguments
    says: tuple[str, ...]  # what the message must name


def _planned(ws: Workspace) -> Path:
    ws.write("inventory.yaml", MANIFEST)
    result = ws.run("plan", "inventory.yaml", "--out", "plan.json")
    assert result.exit_code == 0, result.output
    return ws.root / "plan.json"


def _forged(edit: Callable[[dict[str, Any]], None]) -> Callable[[Workspace], list[str]]:
    def prepare(ws: Workspace) -> list[str]:
        forge(_planned(ws), edit)
        return ["apply", "plan.json"]

    return prepare


def _history_directory_in_config(ws: Workspace) -> list[str]:
    _planned(ws)
    (ws.root / "audit").mkdir()
    ws.write("reconciler.yaml", "history: audit\n")
    return ["apply", "plan.json"]


def _history_under_a_file(ws: Workspace) -> list[str]:
    _planned(ws)
    ws.write("notes", "a file, not a directory\n")
    return ["apply", "plan.json", "--history", "notes/history.jsonl"]


def _journal_under_a_file(ws: Workspace) -> list[str]:
    _planned(ws)
    ws.write("notes", "a file, not a directory\n")
    return ["apply", "plan.json", "--journal-dir", "notes/journal"]


def _another_version(ws: Workspace) -> list[str]:
    _planned(ws)
    return ["apply", "plan.json", "--api-version", "2026-01"]


def _out_of_range(data: dict[str, Any]) -> None:
    first(data, "set")["after"] = 10**12


def _set_twice(data: dict[str, Any]) -> None:
    again = copy.deepcopy(first(data, "set"))
    again["after"] += 5
    data["actions"].insert(data["actions"].index(first(data, "set")) + 1, again)


def _compare_not_from_observed(data: dict[str, Any]) -> None:
    first(data, "set")["compare"] += 3


def _move_before_not_observed(data: dict[str, Any]) -> None:
    first(data, "move")["from_before"] += 1


def _move_between_unavailable_states(data: dict[str, Any]) -> None:
    first(data, "move")["from"] = "reserved"


def _not_a_country(data: dict[str, Any]) -> None:
    first(data, "update_item")["changes"].append(
        {"field": "countryCodeOfOrigin", "before": "PT", "after": "UK"}
    )


def _region_not_of_the_store_country(ws: Workspace) -> list[str]:
    mutation = """mutation($id: ID!) { inventoryItemUpdate(id: $id, input: {countryCodeOfOrigin: US})
      { userErrors { message } } }"""
    body = ws.store.gql(ws.version, mutation, {"id": ITEM["TSHIRT-RED-M"]})
    assert not body["data"]["inventoryItemUpdate"]["userErrors"], body

    def edit(data: dict[str, Any]) -> None:
        update = first(data, "update_item")
        update["changes"].append({"field": "provinceCodeOfOrigin", "before": None, "after": "XX"})
        entry = next(i for i in data["observed"]["items"] if i["item_id"] == update["item_id"])
        entry["attributes"]["provinceCodeOfOrigin"] = None

    forge(_planned(ws), edit)
    return ["apply", "plan.json"]


def _several(ws: Workspace) -> list[str]:
    forge(_planned(ws), _set_twice)
    ws.write("notes", "a file\n")
    return ["apply", "plan.json", "--history", "notes/h.jsonl", "--journal-dir", "notes/j"]


def _raw_plan(content: bytes) -> Callable[[Workspace], list[str]]:
    def prepare(ws: Workspace) -> list[str]:
        (ws.root / "plan.json").write_bytes(content)
        return ["apply", "plan.json"]

    return prepare


def _journal(content: bytes) -> Callable[[Workspace], list[str]]:
    def prepare(ws: Workspace) -> list[str]:
        (ws.root / "journal.jsonl").write_bytes(content)
        return ["apply", "--resume", "journal.jsonl"]

    return prepare


def _edited_journal(ws: Workspace) -> list[str]:
    """A journal whose call in flight sends more than its plan says: resuming re-sends calls
    as journaled, so it must not start."""
    plan_file = _planned(ws)
    plan = load(plan_file)
    [batch] = [b for b in _batches(plan) if b.kind.value == "set" and len(b.action_ids) == 2]
    variables = copy.deepcopy(batch.variables)
    variables["input"]["quantities"][0]["quantity"] = 999
    lines = [
        {"event": "plan", "plan": json.loads(plan_file.read_text())},
        {
            "event": "send",
            "batch": "x-1",
            "kind": "set",
            "document": batch.document,
            "action_ids": list(batch.action_ids),
            "variables": variables,
            "idempotency_key": batch.idempotency_key,
        },
    ]
    ws.write("journal.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    return ["apply", "--resume", "journal.jsonl"]


def _batches(plan: Plan) -> list[Batch]:
    return build_batches(
        list(enumerate(plan.actions, start=1)),
        plan_id=plan.plan_id,
        api_version=plan.api_version,
        reference_uri=plan.reference_document_uri,
    )


REFUSALS = [
    Refusal("history in reconciler.yaml is a directory", _history_directory_in_config,
            ("history file", "audit", "is a directory")),
    Refusal("--history under a file", _history_under_a_file,
            ("history file", "notes is not a directory")),
    Refusal("journal directory under a file", _journal_under_a_file,
            ("journal", "notes is not a directory")),
    Refusal("plan made for another API version", _another_version,
            ("this plan was made for", "API 2026-01")),
    Refusal("a value out of range", _forged(_out_of_range),
            ("action 4 (set BOOT-HIKE-44", "outside -1,000,000,000..1,000,000,000")),
    Refusal("the same level set twice", _forged(_set_twice),
            ("sets the same level as action",)),
    Refusal("a compare value the observed values do not give", _forged(_compare_not_from_observed),
            ("compares available with",)),
    Refusal("a move's before-value not observed", _forged(_move_before_not_observed),
            ("expects available/damaged at",)),
    Refusal("a move between two unavailable states", _forged(_move_between_unavailable_states),
            ("moves reserved to damaged",)),
    Refusal("a country code Shopify does not have", _forged(_not_a_country),
            ("'UK' is not one of Shopify's country codes",)),
    Refusal("a region outside the store's country", _region_not_of_the_store_country,
            ('"XX" is not a US state or territory code', "the store's country is US")),
    Refusal("several reasons at once", _several,
            ("sets the same level", "history file", "journal")),
    Refusal("plan file not UTF-8", _raw_plan(b'{"format_version": "1", "store": "\xff"}'),
            ("byte 34 is not UTF-8",)),
    Refusal("plan file nested 100,000 deep", _raw_plan(b"[" * 100_000 + b"]" * 100_000),
            ("nested too deeply",)),
    Refusal("plan file of another shape", _raw_plan(b'{"actions": 5}'),
            ("not a valid plan",)),
    Refusal("journal that is JSON but not a journal", _journal(b'{"event": "plan"}\n'),
            ("not a reconciler apply journal",)),
    Refusal("journal whose records are not records", _journal(
        b'{"event": "plan", "plan": {}}\n[1, 2]\n{"event": "finish"}\n'),
            ("journal.jsonl:2: not a journal record",)),
    Refusal("journal whose call in flight is not its plan's", _edited_journal,
            ("in flight is not what its plan sends for actions 4, 5",)),
    Refusal("journal not UTF-8", _journal(b'{"event": "plan", "plan": "\xfe"}\n'),
            ("not UTF-8",)),
]  # fmt: skip


@pytest.mark.parametrize("refusal", REFUSALS, ids=[r.name for r in REFUSALS])
def test_every_refusal_comes_before_the_first_write(
    refusal: Refusal, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ws = Workspace(tmp_path, store, "2026-10")
    args = refusal.prepare(ws)
    before = store.control("GET", "snapshot")
    store.control("DELETE", "stats")
    result = ws.run(*args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "Unexpected error" not in result.output
    for words in refusal.says:
        assert words in result.output, result.output
    calls = store.control("GET", "stats")["byOperation"]
    assert not WRITES & set(calls), f"written before refusing: {calls}"
    assert store.control("GET", "snapshot") == before
    assert not (tmp_path / "reconciler-history.jsonl").exists()


def test_a_plan_the_planner_made_passes_preflight_and_applies(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks refuse forged plans only: a real plan (moves, sets, an update) goes through,
    and so does one whose forged id changed nothing."""
    monkeypatch.chdir(tmp_path)
    ws = Workspace(tmp_path, store, "2025-01")
    forge(_planned(ws), lambda data: None)
    result = ws.run("apply", "plan.json")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "plan.json").read_text())["summary"]["move"] == 1
