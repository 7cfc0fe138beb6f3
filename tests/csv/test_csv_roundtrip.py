"""Manifests → CSV → manifests gives the same manifests (hypothesis), for everything the CSV can
carry: on_hand (On hand (new)), stocked: false (`not stocked`), available (Available, read back
with --current), a level with nothing declared, HS code and country of origin; what it cannot
carry is counted, never silently dropped."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.export.manifest_writer import ManifestItem, ManifestLevel, render
from reconciler.manifest.codes import COUNTRY_CODES
from reconciler.manifest.config import load_config
from reconciler.shopify_csv import format as fmt
from reconciler.shopify_csv import run
from reconciler.shopify_csv.sheet import read_rows
from reconciler.shopify_csv.to_manifests import ImportOptions, manifest_items
from tests.export.test_writer_roundtrip import TEXT

LEVELS = st.one_of(
    st.just(({}, True)),
    st.integers(-(10**9), 10**9).map(lambda n: ({"available": n}, True)),
    st.integers(0, 10**9).map(lambda n: ({"on_hand": n}, True)),
    st.just(({}, False)),
)
HS = st.text("0123456789", min_size=6, max_size=13)
COUNTRY = st.sampled_from(sorted(COUNTRY_CODES - {"US", "CA", "AU"}))


@st.composite
def manifests(draw: st.DrawFn) -> list[ManifestItem]:
    locations = draw(st.lists(TEXT, min_size=1, max_size=3, unique=True))
    items = []
    for sku in sorted(draw(st.lists(TEXT, min_size=1, max_size=5, unique=True))):
        attributes: dict[str, str] = {}
        if draw(st.booleans()):
            attributes["countryCodeOfOrigin"] = draw(COUNTRY)
        if draw(st.booleans()):
            attributes["harmonizedSystemCode"] = draw(HS)
        levels = []
        for key in sorted(
            draw(st.lists(st.sampled_from(locations), unique=True, min_size=1, max_size=3))
        ):
            quantities, stocked = draw(LEVELS)
            levels.append(ManifestLevel(key, quantities, stocked))
        items.append(ManifestItem(sku, None, attributes, tuple(levels)))
    return items


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests())
def test_manifests_to_csv_to_manifests_is_identity(items: list[ManifestItem]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "inventory.yaml"
        source.write_text(render(items), encoding="utf-8")
        exported = run.export_from_manifests([source], None)
        assert not exported.skipped.counts  # everything here is carried
        text = exported.text
        records = fmt.parse(text, "f.csv")
        rows, problems = read_rows(records, "f.csv")
        assert not problems
        back = manifest_items(rows, "f.csv", load_config(None), ImportOptions(current=True))
        assert not back.problems
        assert back.items == items
        assert render(back.items) == render(items)  # and so the same YAML, byte for byte


def test_what_the_csv_cannot_carry_is_counted(tmp_path: Path) -> None:
    source = tmp_path / "inventory.yaml"
    source.write_text(
        "items:\n"
        "  - sku: A\n"
        "    id: gid://shopify/InventoryItem/1\n"
        "    tracked: true\n"
        '    cost: "2.50"\n'
        "    levels:\n"
        "      East: {available: 3, on_hand: 5, damaged: 1}\n"
        "  - sku: B\n"
        '    harmonizedSystemCode: "610910"\n'
    )
    exported = run.export_from_manifests([source], None)
    assert sorted(exported.skipped.counts) == [
        "available where on_hand is declared too (Shopify's import sets on hand; available follows)",
        "cost values (the CSV has no column for them)",
        "damaged values (the CSV has only the sum of the unavailable states, which its import ignores)",
        "items that declare no level (the CSV has a row per location)",
        "pinned item ids (the CSV names variants, not items)",
        "tracked values (the CSV has no column for them)",
    ]
    assert exported.text.splitlines()[1] == ",,,,,,,,A,,,East,,,,,3,,5"
