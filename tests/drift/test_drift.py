"""`reconciler drift` against the sandbox over HTTP: in sync after an export; an order's sale is
expected (exit 0, summarised); another app's change to what the manifests own is an alarm with
when it happened (exit 2); what no apply has written yet, what appeared and what disappeared;
fields others own are never reported; --since-last-apply; the formats."""

from __future__ import annotations

import json
import time

from click.testing import CliRunner

from reconciler.cli import main
from tests.drift.conftest import ITEM, UPDATE, Repo, foreign_move, other_app, sale


def test_in_sync_right_after_an_export(repo: Repo) -> None:
    repo.export()
    result = repo.drift()
    assert result.exit_code == 0, result.output
    host = repo.store.url.removeprefix("http://")
    assert result.stdout.endswith(f"\n{host}: in sync (30 items compared)\n")
    code, report = repo.drift_json()
    assert (code, report["status"], report["findings"]) == (0, "in_sync", [])


def test_a_sale_is_expected_movement_summarised_not_an_alarm(repo: Repo) -> None:
    repo.export()
    sale(repo.store, "TENT-2P", "West Warehouse", 2)
    result = repo.drift()
    assert result.exit_code == 0, result.output
    assert "Moved by orders: sales and fulfilment (expected):\n" in result.stdout
    assert "  TENT-2P at West Warehouse: available 40 -> 38 (-2)\n" in result.stdout
    summary = repo.drift("--format", "summary")
    host = repo.store.url.removeprefix("http://")
    assert (summary.exit_code, summary.stdout) == (
        0,
        f"{host}: in sync (30 items compared); 1 level moved by orders (available -2)\n",
    )
    code, report = repo.drift_json()
    assert report["status"] == "sales" and report["sales"] == {"levels": 1, "available": -2}
    (finding,) = report["findings"]
    assert (finding["category"], finding["alarm"], finding["declared"], finding["live"]) == (
        "sales", False, 40, 38,
    )  # fmt: skip


def test_another_apps_change_to_damaged_is_an_alarm_with_its_time(repo: Repo) -> None:
    repo.export()
    sale(repo.store, "TENT-2P", "West Warehouse", 1)
    when = foreign_move(repo.store, "TSHIRT-RED-S", "West Warehouse", "damaged", 2)
    code, report = repo.drift_json()
    assert code == 2 and report["status"] == "drift"
    foreign = [f for f in report["findings"] if f["category"] == "foreign"]
    assert [(f["sku"], f["location"], f["name"], f["declared"], f["live"], f["when"]) for f in foreign] == [
        ("TSHIRT-RED-S", "West Warehouse", "damaged", 1, 3, when)
    ]  # fmt: skip
    lines = repo.inventory.read_text().splitlines()
    level = lines.index(
        "      west: {available: 3, damaged: 1}", lines.index("  - sku: TSHIRT-RED-S")
    )
    assert foreign[0]["alarm"] and foreign[0]["source"] == f"{repo.inventory}:{level + 1}"
    assert report["counts"]["sales"] == 1  # the sale is still only expected movement
    text = repo.drift()
    assert text.exit_code == 2
    assert "Changed in the store, not by reconciler (alarm):\n" in text.stdout
    assert (
        f"  TSHIRT-RED-S at West Warehouse: damaged is 3, declared 1, changed {when}" in text.stdout
    )
    assert text.stdout.splitlines()[-1].endswith(
        ": DRIFT: 1 foreign change; 1 level moved by orders (available -1)"
    )
    markdown = repo.drift("--format", "markdown")
    assert markdown.exit_code == 2
    assert "**Changed in the store, not by reconciler (alarm)**" in markdown.stdout
    assert (
        f"| TSHIRT-RED-S at West Warehouse | damaged is 3, declared 1 | {when} |" in markdown.stdout
    )


def test_another_apps_attribute_change_is_an_alarm(repo: Repo) -> None:
    repo.export()
    other_app(repo.store, UPDATE, {"id": ITEM["TSHIRT-RED-M"], "input": {"cost": "9.99"}})
    code, report = repo.drift_json()
    (finding,) = report["findings"]
    assert code == 2
    assert (finding["category"], finding["name"], finding["declared"], finding["live"]) == (
        "attribute", "cost", "8.40", "9.99",
    )  # fmt: skip
    assert finding["when"] is not None


def test_a_change_no_apply_has_written_is_unapplied_not_foreign(repo: Repo) -> None:
    repo.export()
    repo.edit("TSHIRT-RED-M", "east: {available: 3}", "east: {available: 7}")
    applied = repo.run("apply", str(repo.inventory), "--config", str(repo.config), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert repo.drift().exit_code == 0
    # the manifests move on; the store still holds what reconciler wrote
    repo.edit("TSHIRT-RED-M", "east: {available: 7}", "east: {available: 9}")
    code, report = repo.drift_json()
    assert code == 2
    assert [(f["category"], f["sku"], f["declared"], f["live"]) for f in report["findings"]] == [
        ("unapplied", "TSHIRT-RED-M", 9, 7)
    ]
    assert ": DRIFT: 1 not applied" in repo.drift("--format", "summary").stdout


def test_items_and_levels_that_appeared_or_disappeared(repo: Repo) -> None:
    repo.export()
    text = repo.inventory.read_text()
    start = text.index("  - sku: MUG-TI-450\n")
    end = text.index("  - sku: ", start + 1)
    text = text[:start] + text[end:]  # the store has it, the manifests no longer
    text = text.replace("      pdx: {available: 20}\n", "")  # TSHIRT-RED-S at Portland
    text += "  - sku: GHOST-1\n    levels:\n      east: {available: 1}\n"
    repo.inventory.write_text(text)
    repo.edit("TENT-2P", "    levels:\n", "    levels:\n      Nowhere Store: {available: 1}\n")
    code, report = repo.drift_json()
    assert code == 2
    got = sorted((f["category"], f["kind"], f["sku"], f["location"]) for f in report["findings"])
    assert got == [
        ("appeared", "item", "MUG-TI-450", None),
        ("appeared", "stocked", "TSHIRT-RED-S", "Portland Store"),
        ("disappeared", "item", "GHOST-1", None),
        ("disappeared", "stocked", "TENT-2P", "Nowhere Store"),
    ]
    text = repo.drift().stdout
    assert (
        "  TENT-2P at Nowhere Store: no such location in the store (or it is deactivated)" in text
    )
    assert "  GHOST-1: no such item in the store" in text


def test_an_item_declared_without_levels_is_watched_only_for_its_attributes(repo: Repo) -> None:
    repo.export()
    # MUG-TI-450 is untracked (made to order): its entry keeps its attributes, no levels
    repo.edit(
        "MUG-TI-450", "    levels:\n      east: {stocked: true}\n      pdx: {stocked: true}\n", ""
    )
    code, report = repo.drift_json()
    assert (code, report["findings"]) == (0, [])
    other_app(repo.store, UPDATE, {"id": ITEM["MUG-TI-450"], "input": {"cost": "13.00"}})
    code, report = repo.drift_json()
    assert code == 2
    assert [(f["category"], f["sku"], f["name"]) for f in report["findings"]] == [
        ("attribute", "MUG-TI-450", "cost")
    ]


def test_fields_the_manifests_do_not_own_are_never_reported(repo: Repo) -> None:
    repo.config.write_text(
        repo.config.read_text()
        + "ownership:\n  - owner: sales\n    quantities: [available]\n"
        + "ignore:\n  skus: [MUG-*]\n"
    )
    repo.export("--sku", "TENT-*", "--sku", "TSHIRT-RED-S")
    sale(repo.store, "TENT-2P", "West Warehouse", 3)
    code, report = repo.drift_json("--sku", "TENT-*", "--sku", "TSHIRT-RED-S", "--sku", "MUG-*")
    assert (code, report["findings"]) == (0, [])
    foreign_move(repo.store, "TSHIRT-RED-S", "West Warehouse", "damaged", 1)
    code, report = repo.drift_json("--sku", "TENT-*", "--sku", "TSHIRT-RED-S")
    assert code == 2 and [f["name"] for f in report["findings"]] == ["damaged"]


def test_since_the_last_apply(repo: Repo) -> None:
    repo.export()
    repo.edit("TSHIRT-RED-M", "east: {available: 3}", "east: {available: 4}")
    hour = 3600
    # an apply recorded an hour ago: the sale below happened after it
    past = repo.run("apply", str(repo.inventory), "--config", str(repo.config), "--auto-approve",
                    epoch=int(time.time()) - hour)  # fmt: skip
    assert past.exit_code == 0, past.output
    sale(repo.store, "TENT-2P", "West Warehouse", 1)
    code, report = repo.drift_json("--since-last-apply")
    assert [f["category"] for f in report["findings"]] == ["sales"]
    # an apply recorded an hour from now: nothing the store did is after it
    repo.edit("TSHIRT-RED-M", "east: {available: 4}", "east: {available: 5}")
    future = repo.run("apply", str(repo.inventory), "--config", str(repo.config), "--auto-approve",
                      epoch=int(time.time()) + hour)  # fmt: skip
    assert future.exit_code == 0, future.output
    code, report = repo.drift_json("--since-last-apply")
    assert (code, report["findings"]) == (0, [])
    assert "since the last apply" in report["summary"]


def test_the_json_report_can_go_to_a_file_next_to_the_markdown(repo: Repo) -> None:
    repo.export()
    sale(repo.store, "TENT-2P", "West Warehouse", 1)
    out = repo.root / "drift.json"
    markdown = repo.drift("--format", "markdown", "--out", str(out))
    assert markdown.exit_code == 0 and markdown.stdout.startswith("### :white_check_mark: ")
    _, report = repo.drift_json()
    assert json.loads(out.read_text())["findings"] == report["findings"]


def test_errors_exit_1_with_a_message_and_bad_input_reads_nothing(repo: Repo) -> None:
    repo.export()
    repo.store.control("DELETE", "stats")
    repo.edit("TENT-2P", "    levels:\n", "    levels:\n      east: {avaliable: 1}\n")
    line = repo.inventory.read_text().splitlines().index("      east: {avaliable: 1}") + 1
    invalid = repo.drift()
    assert invalid.exit_code == 1 and f"{repo.inventory}:{line}: " in invalid.stderr
    repo.edit("TENT-2P", "      east: {avaliable: 1}\n", "")
    unwritable = repo.drift("--out", str(repo.root / "missing" / "drift.json"))
    assert unwritable.exit_code == 1 and "--out" in unwritable.stderr
    for result in (invalid, unwritable):
        assert "Traceback" not in result.output and result.stdout == ""
    assert repo.store.control("GET", "stats")["requests"] == 0
    history = repo.drift("--since-last-apply", "--history", str(repo.root))
    assert history.exit_code == 1 and str(repo.root) in history.stderr, history.output
    wrong_token = CliRunner().invoke(
        main,
        ["drift", str(repo.inventory), "--config", str(repo.config)],
        env={"SHOPIFY_STORE": repo.store.url, "SHOPIFY_ACCESS_TOKEN": "shpat_wrong"},
    )
    assert wrong_token.exit_code == 1 and "Traceback" not in wrong_token.output
    assert "shpat_wrong" not in wrong_token.output
