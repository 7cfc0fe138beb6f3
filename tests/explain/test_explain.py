"""`reconciler explain SKU`: two commits and two applies in a temporary git repository, applied
to the sandbox over HTTP; the timeline reads git, the history file and Shopify's groups."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import Result

from reconciler.cli import main
from tests.apply.conftest import ITEM, LOCATION, Workspace
from tests.explain.conftest import Repo

FIRST = """\
reason: correction
items:
  - sku: TSHIRT-RED-M
    cost: "9.10"
    levels:
      East Warehouse: {available: 10}
      Portland Store: {on_hand: 5}
  - sku: BOOT-HIKE-44
    levels:
      Portland Store: {available: 4}
"""
SECOND = FIRST.replace("East Warehouse: {available: 10}", "east: {available: 12, reason: received}")
THIRD = SECOND.replace("{available: 4}", "{available: 6}")  # another SKU only
CONFIG = "locations:\n  aliases:\n    east: East Warehouse\n"
NOV_2, NOV_4 = "1793610000", "1793782800"  # the applies: 2026-11-02 and 2026-11-04 09:00 UTC


def _apply(repo: Repo, epoch: str) -> str:
    """Plan, save, apply the saved plan (as CI does); returns the plan id."""
    planned = _run(repo, epoch, "plan", "inventory.yaml", "--out", "plan.json")
    assert planned.exit_code == 0, planned.output
    applied = _run(repo, epoch, "apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    plan_id: str = json.loads((repo.root / "plan.json").read_text())["plan_id"]
    return plan_id


def _run(ws: Workspace, epoch: str, *args: str) -> Result:
    env = {
        "SHOPIFY_STORE": ws.store.url,
        "SHOPIFY_ACCESS_TOKEN": ws.store.token,
        "SHOPIFY_API_VERSION": ws.version,
        "NO_COLOR": "1",
        "SOURCE_DATE_EPOCH": epoch,
    }
    return ws.runner.invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def story(repo: Repo) -> dict[str, Any]:
    """Two commits and two applies to TSHIRT-RED-M, plus noise the timeline must leave out."""
    repo.commit("Aliases", {"reconciler.yaml": CONFIG}, date="2026-10-30T08:00:00+00:00")
    first = repo.commit(
        "Stock the red T-shirt\n\nCounted on Friday.",
        {"inventory.yaml": FIRST},
        author=("Dana Reyes", "dana@example.com"),
        date="2026-11-01T10:00:00+00:00",
    )
    plan_1 = _apply(repo, NOV_2)
    repo.commit("Readme", {"README.md": "TSHIRT-RED-M\n"}, date="2026-11-02T12:00:00+02:00")
    second = repo.commit(
        "Received 2 more at East",
        {"inventory.yaml": SECOND},
        author=("Lee Chen", "lee@example.com"),
        date="2026-11-03T10:00:00+00:00",
    )
    plan_2 = _apply(repo, NOV_4)
    repo.commit("Boots", {"inventory.yaml": THIRD}, date="2026-11-05T10:00:00+00:00")
    return {"first": first, "second": second, "plans": [plan_1, plan_2]}


def _explain(repo: Repo, *args: str) -> Result:
    return _run(repo, NOV_4, "explain", *args)


def _timeline(repo: Repo, *args: str) -> dict[str, Any]:
    result = _explain(repo, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    timeline: dict[str, Any] = json.loads(result.stdout)
    return timeline


def test_the_timeline_lists_both_commits_both_applies_and_shopifys_groups_in_order(
    repo: Repo, story: dict[str, Any]
) -> None:
    timeline = _timeline(repo, "TSHIRT-RED-M")
    events = timeline["events"]
    assert [(e["type"], e.get("commit") or e["plan_id"]) for e in events] == [
        ("commit", story["first"]),
        ("apply", story["plans"][0]),
        ("commit", story["second"]),
        ("apply", story["plans"][1]),
    ]
    first, apply_1, second, apply_2 = events
    assert (first["author"], first["email"]) == ("Dana Reyes", "dana@example.com")
    assert first["committed_at"] == "2026-11-01T10:00:00Z"
    assert first["message"] == "Stock the red T-shirt\n\nCounted on Friday."
    assert first["files"] == ["inventory.yaml"]
    assert first["changes"] == [
        {"location": None, "field": "cost", "after": "9.10"},
        {"location": "East Warehouse", "field": "available", "after": 10},
        {"location": "East Warehouse", "field": "reason", "after": "correction"},
        {"location": "Portland Store", "field": "on_hand", "after": 5},
        {"location": "Portland Store", "field": "reason", "after": "correction"},
    ]
    assert second["author"] == "Lee Chen"
    assert second["changes"] == [
        {"location": "East Warehouse", "field": "available", "before": 10, "after": 12},
        {
            "location": "East Warehouse",
            "field": "reason",
            "before": "correction",
            "after": "received",
        },
    ]

    assert apply_1["finished_at"] == "2026-11-02T09:00:00Z"
    assert apply_1["git"]["commit"] == story["first"]
    assert {w["sku"] for w in apply_1["writes"]} == {"TSHIRT-RED-M"}
    east_1 = next(w for w in apply_1["writes"] if w.get("location") == "East Warehouse")
    assert (east_1["name"], east_1["after"], east_1["status"]) == ("available", 10, "applied")
    [east_2] = apply_2["writes"]
    assert (east_2["before"], east_2["after"], east_2["reason"]) == (10, 12, "received")

    # Shopify's own record of the second apply's write, read through the Admin API.
    [group] = apply_2["adjustment_groups"]
    assert group["id"] == east_2["adjustment_group"]
    assert group["reason"] == "received"
    assert group["reference_document_uri"] == (
        f"gid://reconciler/Plan/{story['plans'][1]}?commit={story['second']}"
    )
    # quantityAfterChange is null in every recorded Shopify response, and so in the sandbox.
    assert [
        (c["name"], c["delta"], c["quantity_after"], c["location"]) for c in group["changes"]
    ] == [
        ("available", 2, None, "East Warehouse"),
        ("on_hand", 2, None, "East Warehouse"),
    ]
    groups_1 = apply_1["adjustment_groups"]
    assert {g["id"] for g in groups_1} == {
        w["adjustment_group"] for w in apply_1["writes"] if w["kind"] != "update_item"
    }
    assert all(story["first"] in g["reference_document_uri"] for g in groups_1)
    # Only the SKU's own changes: BOOT-HIKE-44 was written in the same group, and left out.
    assert all(c["location"] in LOCATION for g in groups_1 for c in g["changes"])
    assert (
        sum(len(g["changes"]) for g in groups_1) == 4
    )  # available+on_hand at East; on_hand+available at Portland
    assert timeline["usage"]["calls"] == 1 and timeline["notes"] == []


def test_text_and_markdown_tell_the_same_story(repo: Repo, story: dict[str, Any]) -> None:
    text = _explain(repo, "TSHIRT-RED-M")
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert lines[0] == "TSHIRT-RED-M: 2 commits changed its declared values, 2 applies wrote it"
    assert (
        f"2026-11-01T10:00:00Z  commit {story['first'][:12]}  Dana Reyes <dana@example.com>"
        in lines
    )
    assert "      East Warehouse  available  10 -> 12" in lines
    assert "      item  cost  (not declared) -> 9.10" in lines
    assert any(
        line.startswith(
            f"2026-11-04T09:00:00Z  apply #2  plan {story['plans'][1]}  applied  by CI Bot"
        )
        and line.endswith(f"from commit {story['second'][:12]}")
        for line in lines
    )
    assert "    applied       East Warehouse  available 10 -> 12" in lines
    assert any(
        line.startswith("    Shopify: gid://shopify/InventoryAdjustmentGroup/") for line in lines
    )
    assert "      East Warehouse  available +2" in lines
    assert "Read the store: 1 GraphQL calls" in text.stderr

    markdown = _explain(repo, "TSHIRT-RED-M", "--format", "markdown")
    assert markdown.exit_code == 0
    assert markdown.stdout.startswith("### TSHIRT-RED-M: 2 commits")
    assert (
        f"| 2026-11-03T10:00:00Z | commit `{story['second'][:12]}`: Received 2 more at East | Lee Chen |"
        in markdown.stdout
    )
    assert (
        f"`gid://reconciler/Plan/{story['plans'][1]}?commit={story['second']}`" in markdown.stdout
    )


def test_location_filter_by_name_or_alias(repo: Repo, story: dict[str, Any]) -> None:
    portland = _timeline(repo, "TSHIRT-RED-M", "--location", "Portland Store")
    assert [e["type"] for e in portland["events"]] == ["commit", "apply"]
    commit, apply = portland["events"]
    assert {c["location"] for c in commit["changes"]} == {"Portland Store"}
    assert {w["location"] for w in apply["writes"]} == {"Portland Store"}
    assert {c["location"] for g in apply["adjustment_groups"] for c in g["changes"]} == {
        "Portland Store"
    }
    east = _timeline(repo, "TSHIRT-RED-M", "--location", "east")
    assert east["location"] == "East Warehouse"
    assert [e["type"] for e in east["events"]] == ["commit", "apply", "commit", "apply"]


def test_offline_leaves_shopify_out_and_needs_no_token(repo: Repo, story: dict[str, Any]) -> None:
    result = repo.runner.invoke(
        main,
        ["explain", "TSHIRT-RED-M", "--offline", "--format", "json"],
        env={"SHOPIFY_ACCESS_TOKEN": None},
    )
    assert result.exit_code == 0, result.output
    timeline = json.loads(result.stdout)
    assert [e["type"] for e in timeline["events"]] == ["commit", "apply", "commit", "apply"]
    assert all(e.get("adjustment_groups", []) == [] for e in timeline["events"])
    assert timeline["notes"] == ["offline: Shopify's adjustment groups were not read"]
    assert timeline["usage"]["calls"] == 0


def test_without_a_token_the_error_says_how_to_go_offline(
    repo: Repo, story: dict[str, Any]
) -> None:
    result = repo.runner.invoke(
        main,
        ["explain", "TSHIRT-RED-M"],
        env={"SHOPIFY_ACCESS_TOKEN": None, "SHOPIFY_STORE": repo.store.url},
    )
    assert result.exit_code == 1
    assert "SHOPIFY_ACCESS_TOKEN" in result.stderr and "--offline" in result.stderr
    assert "Traceback" not in result.output


def test_a_sku_never_declared_says_so_and_suggests_a_close_one(
    repo: Repo, story: dict[str, Any]
) -> None:
    result = _explain(repo, "TSHIRT-RED-L")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "TSHIRT-RED-L was never declared under . (in git) and no apply in "
        "reconciler-history.jsonl wrote it. Did you mean TSHIRT-RED-M?\n"
    )
    assert _timeline(repo, "TSHIRT-RED-L")["events"] == []


def test_a_sku_is_matched_exactly_not_as_a_glob(repo: Repo, story: dict[str, Any]) -> None:
    assert _timeline(repo, "TSHIRT-*")["events"] == []


def test_without_git_the_applies_and_groups_are_still_shown(workspace: Workspace) -> None:
    workspace.write("inventory.yaml", FIRST)
    assert workspace.run("apply", "inventory.yaml", "--auto-approve").exit_code == 0
    result = workspace.run("explain", "TSHIRT-RED-M", "--format", "json")
    assert result.exit_code == 0, result.output
    timeline = json.loads(result.stdout)
    [apply] = timeline["events"]
    assert apply["type"] == "apply" and apply["git"] is None
    assert apply["adjustment_groups"] and all(
        g["reference_document_uri"] == f"gid://reconciler/Plan/{apply['plan_id']}"
        for g in apply["adjustment_groups"]
    )
    [note] = timeline["notes"]
    assert note.endswith("is not in a git repository: no commits to show")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["", "--offline"], "Error: give a SKU to explain"),
        (["TSHIRT-RED-M", "missing/", "--offline"], "Error: missing: no such file or directory"),
        (["TSHIRT-RED-M", "--format", "yaml"], "Invalid value for '--format'"),
        (
            ["TSHIRT-RED-M", "--history", "damaged.jsonl", "--offline"],
            "damaged.jsonl:1: not a history entry (invalid JSON)",
        ),
        (["TSHIRT-RED-M", "--config", "nope.yaml"], "nope.yaml: config file not found"),
    ],
)
def test_bad_input_gives_a_clear_error(repo: Repo, args: list[str], message: str) -> None:
    (repo.root / "damaged.jsonl").write_text("{not json\n")
    result = _explain(repo, *args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_manifest_that_did_not_validate_at_a_commit_is_reported(repo: Repo) -> None:
    repo.commit("Typo", {"inventory.yaml": FIRST.replace("available: 10", "avaliable: 10")})
    repo.commit("Fixed", {"inventory.yaml": FIRST}, date="2026-11-02T10:00:00+00:00")
    events = _timeline(repo, "TSHIRT-RED-M", "--offline")["events"]
    assert [e["problems"] != [] for e in events] == [True, True]
    assert (
        "inventory.yaml does not validate (1 problem; inventory.yaml:6:" in events[0]["problems"][0]
    )


def test_item_ids_are_the_demo_stores(story: dict[str, Any]) -> None:
    assert ITEM["TSHIRT-RED-M"].startswith("gid://shopify/InventoryItem/")
