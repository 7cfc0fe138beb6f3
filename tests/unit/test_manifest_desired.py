"""Validated manifests → DesiredState: values, Sources, aliases, reasons, digests."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.manifest import load_desired
from reconciler.model import Source, Weight

ROOT = Path(__file__).resolve().parents[2]
FULL = ROOT / "tests" / "manifests" / "positive" / "full_format.yaml"
WITH_CONFIG = ROOT / "tests" / "manifests" / "positive" / "with_config"


@pytest.fixture(autouse=True)
def _no_stray_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_full_format_becomes_the_model() -> None:
    state = load_desired([FULL])
    first = state.items[0]
    assert first.sku == "TSHIRT-RED-M"
    assert first.id is None
    assert first.reason == "received"
    assert dict(first.attributes) == {
        "tracked": True,
        "cost": Decimal("145.89"),
        "countryCodeOfOrigin": "US",
        "provinceCodeOfOrigin": "OR",
        "harmonizedSystemCode": "621710",
        "countryHarmonizedSystemCodes": {"CA": "6217109510"},
        "weight": Weight(Decimal("0.2"), "KILOGRAMS"),
        "requiresShipping": True,
    }
    assert list(first.attributes) == [  # the order plans show them in (model.ATTRIBUTES)
        "tracked",
        "cost",
        "countryCodeOfOrigin",
        "provinceCodeOfOrigin",
        "harmonizedSystemCode",
        "countryHarmonizedSystemCodes",
        "weight",
        "requiresShipping",
    ]
    east, store2, old = first.levels
    assert (east.location, east.stocked, dict(east.quantities)) == (
        "East Warehouse",
        True,
        {"available": 10, "damaged": 2},
    )
    assert (store2.location, dict(store2.quantities)) == ("Store 2", {"on_hand": 5})
    assert (old.location, old.stocked, dict(old.quantities)) == ("Old Store", False, {})


def test_pinned_items_share_a_sku_and_keep_their_ids_and_reasons() -> None:
    state = load_desired([FULL])
    pinned = [item for item in state.items if item.sku == "SHARED-SKU"]
    assert [item.id for item in pinned] == [
        "gid://shopify/InventoryItem/101",
        "gid://shopify/InventoryItem/102",
    ]
    assert [item.reason for item in pinned] == ["correction", "correction"]  # the file's reason
    oversold = pinned[0].levels[0]
    assert oversold.quantities == {"available": -3}
    assert oversold.reason == "cycle_count_available"
    stocked_only = pinned[1].levels[0]
    assert (stocked_only.stocked, dict(stocked_only.quantities)) == (True, {})


def test_sources_point_at_the_declaring_line_and_address() -> None:
    state = load_desired([FULL])
    item = state.items[0]
    name = FULL.as_posix()
    assert item.source == Source(name, 5, "items[0]")
    assert item.attribute_sources["cost"] == Source(name, 6, "items[0].cost")
    assert item.attribute_sources["weight"] == Source(name, 12, "items[0].weight")
    east = item.levels[0]
    assert east.source == Source(name, 16, 'items[0].levels["East Warehouse"]')
    assert east.quantity_sources == {
        "available": Source(name, 17, 'items[0].levels["East Warehouse"].available'),
        "damaged": Source(name, 18, 'items[0].levels["East Warehouse"].damaged'),
    }
    assert str(east.source) == f"{name}:16"


def test_undeclared_reason_defaults_to_correction(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("items:\n  - sku: X\n")
    assert load_desired([path]).items[0].reason == "correction"


def test_directory_with_config_resolves_aliases_across_files() -> None:
    state = load_desired([WITH_CONFIG], WITH_CONFIG / "reconciler.yaml")
    assert [f.path for f in state.files] == [
        (WITH_CONFIG / "apparel.yaml").as_posix(),
        (WITH_CONFIG / "gear" / "tents.yml").as_posix(),
    ]
    assert [item.sku for item in state.items] == ["TSHIRT-RED-M", "TENT-2P"]
    tshirt, tent = state.items
    assert [level.location for level in tshirt.levels] == ["East Warehouse", "West Warehouse"]
    assert tshirt.levels[0].source.path == 'items[0].levels["east"]'  # as written
    assert tshirt.reason == "cycle_count_available"
    assert (tent.levels[0].location, tent.levels[0].reason) == ("Portland Store", "received")
    assert state.location_aliases == {
        "east": "East Warehouse",
        "west": "West Warehouse",
        "pdx": "Portland Store",
    }


def test_file_hashes_and_digest_are_stable_and_content_bound(tmp_path: Path) -> None:
    copy = tmp_path / "with_config"
    shutil.copytree(WITH_CONFIG, copy)
    first = load_desired([copy], copy / "reconciler.yaml")
    again = load_desired([copy], copy / "reconciler.yaml")
    assert first.digest == again.digest
    assert first.files == again.files
    assert all(len(f.sha256) == 64 for f in first.files)

    tents = copy / "gear" / "tents.yml"
    tents.write_text(tents.read_text().replace("available: 2", "available: 3"))
    changed = load_desired([copy], copy / "reconciler.yaml")
    assert changed.digest != first.digest
    assert changed.files[0] == first.files[0]
    assert changed.files[1] != first.files[1]


def test_explicit_nulls_declare_unset_attributes() -> None:
    path = ROOT / "tests" / "manifests" / "positive" / "clearing_attributes.yaml"
    (item,) = load_desired([path]).items
    assert dict(item.attributes) == {
        "cost": None,
        "countryCodeOfOrigin": None,
        "provinceCodeOfOrigin": None,
        "harmonizedSystemCode": None,
        "countryHarmonizedSystemCodes": {},
    }


def test_yaml_pitfalls_example_reads_as_meant() -> None:
    path = ROOT / "tests" / "manifests" / "positive" / "yaml_pitfalls.yaml"
    dated, numbered = load_desired([path]).items
    assert dated.sku == "2024-01-05"
    assert dict(dated.attributes) == {
        "cost": Decimal("10.1"),
        "countryCodeOfOrigin": "NO",
        "harmonizedSystemCode": "0621710",
    }
    assert numbered.sku == "00123"
    assert numbered.attributes["cost"] == Decimal("8")
    assert numbered.attributes["tracked"] is False
    assert [level.location for level in numbered.levels] == ["on", "yes"]


def test_country_hs_codes_are_sorted_by_country(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        'items:\n  - sku: X\n    countryHarmonizedSystemCodes: {US: "6109100010", CA: 6109100000}\n'
    )
    codes = load_desired([path]).items[0].attributes["countryHarmonizedSystemCodes"]
    assert list(codes.items()) == [("CA", "6109100000"), ("US", "6109100010")]
