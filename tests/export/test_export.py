"""`reconciler export` against the sandbox over HTTP: the first plan after an export is empty
(every layout, with aliases and ownership rules), a re-export of an unchanged store rewrites
nothing, a change rewrites only what changed, snapshots round-trip through a second sandbox,
and bad input is refused before the store is read."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.sandbox import Sandbox
from tests.apply.conftest import ITEM, LOCATION, Workspace
from tests.conftest import CALENDAR, ROOT, Store

CONFIG = ROOT / "examples" / "reconciler.yaml"
ITEM_IDS = {
    "TSHIRT-RED-S": "gid://shopify/InventoryItem/43729030",
    "TSHIRT-RED-L": "gid://shopify/InventoryItem/43729032",
}


@pytest.fixture
def work(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.chdir(tmp_path)
    yield Workspace(tmp_path, store, "2026-10")


def _export(work: Workspace, *args: str) -> str:
    result = work.run("export", "--config", str(CONFIG), *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _plan_is_empty(work: Workspace, path: Path, config: Path = CONFIG) -> None:
    result = work.run("plan", str(path), "--config", str(config), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "No changes." in result.stdout


@pytest.mark.parametrize("layout", ["one", "location", "sku-prefix"])
def test_the_first_plan_after_an_export_is_empty(work: Workspace, layout: str) -> None:
    out = work.root / "inventory"
    printed = _export(work, "--out", str(out), "--layout", layout)
    assert "Exported 30 items, 71 levels" in printed
    _plan_is_empty(work, out)
    validate = work.run("validate", str(out), "--config", str(CONFIG))
    assert validate.exit_code == 0 and "30 items" in validate.stdout
    names = sorted(p.name for p in out.iterdir())
    expected = {
        "one": ["inventory.yaml"],
        "location": ["east.yaml", "items.yaml", "pdx.yaml", "west.yaml"],
        "sku-prefix": [f"{p}.yaml" for p in ("backpack", "beanie", "boot", "bottle", "gloves",
                       "headlamp", "hoodie", "jacket", "mug", "pad", "sleepbag", "socks", "stove",
                       "tent", "tshirt")],
    }[layout]  # fmt: skip
    assert names == expected


def test_an_exported_manifest_reads_as_written(work: Workspace) -> None:
    out = work.root / "inventory.yaml"
    _export(work, "--out", str(out), "--sku", "TSHIRT-RED-S", "--sku", "HEADLAMP-*")
    assert out.read_text() == (
        "# yaml-language-server: $schema=https://raw.githubusercontent.com/reconciler/reconciler/v0.1.0/schemas/manifest.schema.json\n"
        "# Written by `reconciler export`\n"
        f"# Store {work.store.url.removeprefix('http://')}, API 2026-10.\n"
        "# Only items with SKU TSHIRT-RED-S HEADLAMP-*.\n"
        "items:\n"
        "  - sku: HEADLAMP-300\n"
        "    tracked: true\n"
        '    cost: "14.60"\n'
        "    countryCodeOfOrigin: CN\n"
        '    harmonizedSystemCode: "851310"\n'
        "    weight: {value: 0.085, unit: KILOGRAMS}\n"
        "    requiresShipping: true\n"
        "    levels:\n"
        "      east: {available: 3, damaged: 1}\n"
        "      pdx: {available: 3}\n"
        "      west: {available: 3}\n"
        "  - sku: TSHIRT-RED-S\n"
        "    tracked: true\n"
        '    cost: "8.40"\n'
        "    countryCodeOfOrigin: PT\n"
        '    harmonizedSystemCode: "610910"\n'
        "    weight: {value: 0.18, unit: KILOGRAMS}\n"
        "    requiresShipping: true\n"
        "    levels:\n"
        "      east: {available: 15}\n"
        "      pdx: {available: 20}\n"
        "      west: {available: 3, damaged: 1}\n"
    )


def test_a_re_export_rewrites_nothing_and_a_change_only_its_file(work: Workspace) -> None:
    out = work.root / "inventory"
    _export(work, "--out", str(out), "--layout", "location")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    again = _export(work, "--out", str(out), "--layout", "location")
    assert "written" not in again and "0 changed and 4 unchanged" in again
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    work.store.control(
        "POST",
        "sale",
        {"inventoryItemId": ITEM["TSHIRT-RED-M"], "locationId": LOCATION["East Warehouse"], "quantity": 1},
    )  # fmt: skip
    changed = _export(work, "--out", str(out), "--layout", "location")
    assert changed.splitlines()[0] == f"written  {out / 'east.yaml'} (28 items)"
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert [n for n in sorted(after) if after[n] != before[n]] == ["east.yaml"]
    lines = difflib.ndiff(
        before["east.yaml"].decode().splitlines(), after["east.yaml"].decode().splitlines()
    )
    assert [line for line in lines if line[:1] in "+-"] == [
        "-       east: {available: 3}",
        "+       east: {available: 2}",
    ]


def test_files_a_narrower_export_no_longer_writes_are_removed(work: Workspace) -> None:
    out = work.root / "inventory"
    _export(work, "--out", str(out), "--layout", "location")
    (out / "notes.yaml").write_text("items: []\n")  # not written by export: left alone
    narrower = _export(work, "--out", str(out), "--layout", "location", "--location", "east")
    assert (
        f"removed  {out / 'pdx.yaml'}" in narrower and f"removed  {out / 'west.yaml'}" in narrower
    )
    assert sorted(p.name for p in out.iterdir()) == ["east.yaml", "items.yaml", "notes.yaml"]
    _plan_is_empty(work, out)


def test_filters_on_item_fields_and_locations(work: Workspace) -> None:
    out = work.root / "pt.yaml"
    _export(work, "--out", str(out), "--where", "countryCodeOfOrigin=PT", "--location", "West*",
            "--location-names")  # fmt: skip
    text = out.read_text()
    assert "East" not in text and "pdx" not in text and "West Warehouse: {" in text
    assert {line.strip() for line in text.splitlines() if line.startswith("    country")} == {
        "countryCodeOfOrigin: PT"
    }
    _plan_is_empty(work, out)
    either = work.root / "pt-or-cn.yaml"
    _export(work, "--out", str(either), "--where", "countryCodeOfOrigin=PT",
            "--where", "countryCodeOfOrigin=CN", "--where", "tracked=true")  # fmt: skip
    countries = {
        line.strip() for line in either.read_text().splitlines() if line.startswith("    country")
    }
    assert countries == {"countryCodeOfOrigin: PT", "countryCodeOfOrigin: CN"}
    assert "tracked: false" not in either.read_text()  # MUG-TI-450 (CN) is untracked


OWNERSHIP = """\
locations:
  aliases: {east: East Warehouse, west: West Warehouse, pdx: Portland Store}
ownership:
  - owner: sales
    locations: ["* Store"]
    quantities: [available]
  - owner: manifests
    quantities: [damaged, safety_stock]
  - owner: erp
    attributes: [cost]
"""


def test_an_export_under_ownership_rules_writes_only_what_the_manifests_own(
    work: Workspace,
) -> None:
    config = work.write("reconciler.yaml", OWNERSHIP)
    out = work.root / "inventory.yaml"
    result = work.run("export", "--config", str(config), "--out", str(out), "--sku", "TSHIRT-RED-M")
    assert result.exit_code == 0, result.output
    body = out.read_text().split("items:\n", 1)[1]
    assert "cost" not in body
    # damaged and safety_stock are the manifests' in so many words: written even at 0; the
    # store's available belongs to sales, so the Portland level declares only the states
    assert "      east: {available: 3, damaged: 0, safety_stock: 0}\n" in body
    assert "      pdx: {damaged: 2, safety_stock: 0}\n" in body
    assert work.run("validate", str(out), "--config", str(config)).exit_code == 0
    _plan_is_empty(work, out, config)


def test_a_snapshot_round_trips_through_another_sandbox(work: Workspace, tmp_path: Path) -> None:
    first = tmp_path / "store.json"
    _export(work, "--snapshot", str(first))
    data = json.loads(first.read_text())
    assert len(data["inventoryItems"]) == 30 and len(data["locations"]) == 3
    out = work.root / "inventory.yaml"
    _export(work, "--out", str(out))
    with Sandbox(data, **CALENDAR) as rehearsal:
        offline = Workspace(tmp_path, Store(rehearsal), "2026-10")
        second = tmp_path / "again.json"
        result = offline.run("export", "--snapshot", str(second))
        assert result.exit_code == 0, result.output
        assert second.read_bytes() == first.read_bytes()
        plan = offline.run("plan", str(out), "--config", str(CONFIG), "--detailed-exitcode")
        assert plan.exit_code == 0 and "No changes." in plan.stdout


def test_bad_paths_and_filters_are_refused_before_the_store_is_read(work: Workspace) -> None:
    work.store.control("DELETE", "stats")
    cases = {
        ("--out", str(work.root / "missing" / "inventory")): "directory",
        ("--out", str(work.root / "x.yaml"), "--layout", "location"): "writes a directory",
        ("--where", "colour=red", "--out", "o"): "--where 'colour=red': write FIELD=VALUE",
        (): "nothing to export",
    }
    for args, message in cases.items():
        result = work.run("export", *args)
        assert result.exit_code == 1 and message in result.stderr, (args, result.output)
        assert "Traceback" not in result.output
    assert work.store.control("GET", "stats")["requests"] == 0
    unknown = work.run("export", "--out", "o", "--location", "Nowhere")
    assert unknown.exit_code == 1 and "--location Nowhere matches no location" in unknown.stderr


def test_a_file_export_did_not_write_is_never_replaced(work: Workspace) -> None:
    out = work.root / "inventory"
    out.mkdir()
    hand = out / "items.yaml"
    hand.write_text("# our notes\nitems:\n  - sku: TENT-2P\n")
    snapshot = work.root / "store.json"
    result = work.run("export", "--config", str(CONFIG), "--out", str(out), "--layout",
                      "location", "--snapshot", str(snapshot))  # fmt: skip
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{hand} exists and was not written by `reconciler export`" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["items.yaml"] and not snapshot.exists()
    assert hand.read_text() == "# our notes\nitems:\n  - sku: TENT-2P\n"
    single = work.run("export", "--out", str(hand))
    assert single.exit_code == 1 and "was not written by" in single.stderr
    # a file an export wrote is replaced as usual
    hand.unlink()
    _export(work, "--out", str(out), "--layout", "location")
    _export(work, "--out", str(out / "items.yaml"), "--sku", "TENT-*")


def test_a_file_too_big_for_the_loader_is_refused_before_anything_is_written(
    work: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reconciler.manifest import load

    out = work.root / "inventory"
    _export(work, "--out", str(out), "--layout", "location")
    biggest = max(len(p.read_bytes()) for p in out.iterdir())
    one = work.root / "inventory.yaml"
    _export(work, "--out", str(one))
    size = len(one.read_bytes())
    one.unlink()
    assert biggest < size
    monkeypatch.setattr(load, "MAX_FILE_BYTES", size - 1)  # the loader's limit, made small
    refused = work.run("export", "--config", str(CONFIG), "--out", str(one))
    assert refused.exit_code == 1 and not one.exists()
    assert (
        f"--out: {one} would be {size:,} bytes, over the {size - 1:,} bytes a manifest file may "
        "have; nothing was written. Use --layout location" in refused.stderr
    )
    again = _export(work, "--out", str(out), "--layout", "location")
    assert "0 changed and 4 unchanged" in again


def test_what_a_manifest_cannot_hold_is_left_out_counted_and_unmanaged(work: Workspace) -> None:
    data = json.loads((ROOT / "examples" / "demo-store" / "store.json").read_text())
    items = {item["sku"]: item for item in data["inventoryItems"]}
    items["TSHIRT-RED-S"]["sku"] = None  # a variant without a SKU
    items["TSHIRT-RED-L"]["sku"] = " TSHIRT-RED-L"  # a SKU a manifest cannot hold
    items["TENT-2P"]["unitCost"] = "129.005"  # three decimals
    work.store.control("PUT", "snapshot", data)
    out = work.root / "inventory.yaml"
    result = work.run("export", "--config", str(CONFIG), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Exported 28 items" in result.stdout
    left_out = [line for line in result.stderr.splitlines() if line.startswith("Left out: ")]
    assert left_out == [
        "Left out: 1 cost values a manifest cannot hold (e.g. TENT-2P)",
        "Left out: 2 items without a SKU a manifest can hold (e.g. "
        f"{ITEM_IDS['TSHIRT-RED-S']}, {ITEM_IDS['TSHIRT-RED-L']})",
    ]
    text = out.read_text()
    assert "TSHIRT-RED-S" not in text and "TSHIRT-RED-L" not in text
    tent = text[text.index("  - sku: TENT-2P\n") :].split("  - sku: ", 2)[1]
    assert "cost" not in tent and "countryCodeOfOrigin: CN" in tent
    _plan_is_empty(work, out)
