"""`reconciler csv export --from live` and `csv import` against the sandbox over HTTP: the file
has Shopify's exact header and rows, importing it gives manifests whose first plan is empty
(as edits, and with --current as the store's state), and an edited On hand (new) plans exactly
that change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.shopify_csv import format as fmt
from tests.apply.conftest import Workspace
from tests.conftest import ROOT, Store

CONFIG = ROOT / "examples" / "reconciler.yaml"
SHOPIFY_HEADER = (
    "Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,"
    "Option3 Value,SKU,HS Code,COO,Location,Bin name,Incoming (not editable),"
    "Unavailable (not editable),Committed (not editable),Available (not editable),"
    "On hand (current),On hand (new)\n"
)


@pytest.fixture
def work(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.chdir(tmp_path)
    yield Workspace(tmp_path, store, "2026-10")


def _live_csv(work: Workspace, *args: str) -> bytes:
    out = work.root / "inventory_export_1.csv"
    result = work.run(
        "csv", "export", "--from", "live", "--config", str(CONFIG), "--out", str(out), *args
    )
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def _plan(work: Workspace, path: Path) -> tuple[int, str]:
    result = work.run("plan", str(path), "--config", str(CONFIG), "--detailed-exitcode")
    return result.exit_code, result.output


def test_the_live_export_is_shopifys_file(work: Workspace) -> None:
    data = _live_csv(work)
    text = data.decode("utf-8")
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data and data.endswith(b"\n")
    assert text.startswith(SHOPIFY_HEADER)
    lines = text.splitlines()
    assert len(lines) == 1 + 30 * 3  # every item at every active location
    # Incoming 48 (a transfer), available 15; On hand (new) empty, for the merchant to fill.
    assert (
        "trail-tee,Trail Tee,Option1,Red,Option2,S,,,TSHIRT-RED-S,610910,PT,East Warehouse,,"
        "48,0,0,15,15," in lines
    )
    # damaged 1 is Unavailable, and counts in On hand.
    assert (
        "headlamp,Headlamp,Option1,300 lm,,,,,HEADLAMP-300,851310,CN,East Warehouse,,0,1,0,3,4,"
        in lines
    )
    not_stocked = [
        line
        for line in lines
        if line.endswith(",not stocked,not stocked,not stocked,not stocked,not stocked,")
    ]
    assert len(not_stocked) == 90 - 71  # the demo store's 71 levels; the rest are not stocked


def test_live_to_csv_to_manifests_plans_nothing(work: Workspace) -> None:
    _live_csv(work)
    for extra in ((), ("--current",)):
        out = work.root / f"inventory{len(extra)}"
        result = work.run(
            "csv",
            "import",
            "inventory_export_1.csv",
            "--out",
            str(out),
            "--config",
            str(CONFIG),
            *extra,
        )
        assert result.exit_code == 0, result.output
        assert "Imported 90 rows of inventory_export_1.csv as 30 items, 71 levels." in result.stdout
        # Untouched: nothing to set; with --current, every tracked level's available.
        assert ("Levels: 71 unchanged." if not extra else " available declared, ") in result.stdout
        code, printed = _plan(work, out)
        assert code == 0 and "No changes." in printed, printed
    text = (work.root / "inventory1" / "inventory.yaml").read_text()
    assert "      east: {available: 15}\n" in text  # --current declares the store's available
    assert "available" not in (work.root / "inventory0" / "inventory.yaml").read_text()


def test_an_edited_on_hand_new_plans_that_change_only(work: Workspace) -> None:
    lines = _live_csv(work).decode().splitlines(keepends=True)
    row = next(
        i for i, line in enumerate(lines) if ",TSHIRT-RED-M,610910,PT,East Warehouse," in line
    )
    on_hand = work.quantities("TSHIRT-RED-M", "East Warehouse")["on_hand"]
    assert lines[row].endswith(f",{on_hand},\n")
    lines[row] = lines[row].replace(f",{on_hand},\n", f",{on_hand},{on_hand + 5}\n")
    (work.root / "edited.csv").write_text("".join(lines))
    result = work.run("csv", "import", "edited.csv", "--out", "inventory", "--config", str(CONFIG))
    assert result.exit_code == 0, result.output
    assert (
        f"      east: {{on_hand: {on_hand + 5}}}\n"
        in (work.root / "inventory" / "inventory.yaml").read_text()
    )
    code, printed = _plan(work, work.root / "inventory")
    assert code == 2, printed
    assert printed.count("TSHIRT-") == 1 and "TSHIRT-RED-M" in printed, printed
    history = str(work.root / "reconciler-history.jsonl")  # not next to examples/reconciler.yaml
    apply = work.run(
        "apply", "inventory", "--config", str(CONFIG), "--history", history, "--auto-approve"
    )
    assert apply.exit_code == 0, apply.output
    assert work.quantities("TSHIRT-RED-M", "East Warehouse")["on_hand"] == on_hand + 5
    code, printed = _plan(work, work.root / "inventory")
    assert code == 0, printed


def test_export_then_import_then_export_gives_the_same_file(work: Workspace) -> None:
    first = _live_csv(work)
    result = work.run("csv", "import", "inventory_export_1.csv", "--current", "--out", "m.yaml",
                      "--location-names", "--config", str(CONFIG))  # fmt: skip
    assert result.exit_code == 0, result.output
    again = work.run("csv", "export", "m.yaml", "--config", str(CONFIG))
    assert again.exit_code == 0, again.output
    # From manifests, the columns the manifests hold: SKU, HS Code, COO, Location, Available.
    exported = {
        (row[8], row[11]): (row[9], row[10], row[16])
        for row in (line.split(",") for line in first.decode().splitlines()[1:])
        if row[16] != fmt.NOT_STOCKED
    }
    back = {
        (row[8], row[11]): (row[9], row[10], row[16])
        for row in (line.split(",") for line in again.stdout.splitlines()[1:])
    }
    assert back == exported


def test_manifests_read_with_the_store_make_a_file_the_admin_import_applies(
    work: Workspace,
) -> None:
    """reconciler export → edit available → csv export --read-store: each row names its variant
    and says the current quantities; importing it (as the admin would) and applying gives the
    manifests' available."""
    result = work.run(
        "export", "--config", str(CONFIG), "--out", "exported.yaml", "--sku", "HOODIE-*"
    )
    assert result.exit_code == 0, result.output
    manifest = work.root / "exported.yaml"
    text = manifest.read_text()
    assert "      east: {available: 40}\n" in text  # HOODIE-NVY-M: committed 1, on hand 41
    manifest.write_text(
        text.replace("      east: {available: 40}\n", "      east: {available: 44}\n", 1)
    )
    exported = work.run("csv", "export", str(manifest), "--read-store", "--config", str(CONFIG))
    assert exported.exit_code == 0, exported.output
    lines = exported.stdout.splitlines()
    assert lines[0] + "\n" == SHOPIFY_HEADER
    assert (
        "basecamp-hoodie,Basecamp Hoodie,Option1,Navy,Option2,M,,,HOODIE-NVY-M,611020,PT,"
        "East Warehouse,,0,0,1,40,41,45" in lines
    )  # available 40 → 44: on hand 41 → 45
    assert (
        "basecamp-hoodie,Basecamp Hoodie,Option1,Navy,Option2,M,,,HOODIE-NVY-M,611020,PT,West Warehouse,,0,0,0,8,8,8"
        in lines
    )
    assert not any(",Portland Store," in line and "HOODIE-NVY-M" in line for line in lines)
    (work.root / "for-admin.csv").write_text(exported.stdout)
    imported = work.run(
        "csv", "import", "for-admin.csv", "--out", "applied", "--config", str(CONFIG)
    )
    assert imported.exit_code == 0, imported.output
    history = str(work.root / "reconciler-history.jsonl")  # not next to examples/reconciler.yaml
    apply = work.run(
        "apply", "applied", "--config", str(CONFIG), "--history", history, "--auto-approve"
    )
    assert apply.exit_code == 0, apply.output
    assert work.quantities("TSHIRT-RED-M", "East Warehouse")  # untouched SKUs still there
    code, printed = _plan(work, manifest)  # the edited manifests now match the store
    assert code == 0 and "No changes." in printed, printed


def test_one_location_like_the_admins_export_of_one_location(work: Workspace) -> None:
    text = _live_csv(work, "--location", "pdx").decode()
    lines = text.splitlines()
    assert text.startswith(SHOPIFY_HEADER) and len(lines) == 1 + 30
    assert all(",Portland Store,," in line for line in lines[1:])
    wrong = work.run(
        "csv", "export", "--from", "live", "--config", str(CONFIG), "--location", "Nowhere"
    )
    assert wrong.exit_code == 1 and "--location Nowhere matches no location" in wrong.stderr


def test_bulk_and_paged_reads_write_the_same_bytes(work: Workspace) -> None:
    assert _live_csv(work, "--read", "paged") == _live_csv(work, "--read", "bulk")
