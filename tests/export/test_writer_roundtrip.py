"""The manifest writer and the manifest loader agree: whatever a store holds, export → load
gives a desired state equal to the live state's declarable part (hypothesis), in every layout,
and the text is the same bytes every time."""

from __future__ import annotations

import string
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.export.declare import Declaring, Skipped, declare
from reconciler.export.layout import split
from reconciler.export.manifest_writer import render
from reconciler.manifest import check_paths
from reconciler.manifest.codes import COUNTRY_CODES
from reconciler.model import (
    UNAVAILABLE,
    WEIGHT_UNITS,
    DesiredItem,
    LiveItem,
    LiveLevel,
    LiveLocation,
    Weight,
)

# Text a SKU or a location name may be: anything printable or not, quotes, colons, hashes,
# YAML words, digits only, non-ASCII; no leading or trailing space (a manifest refuses those).
WORDS = st.sampled_from(["yes", "No", "null", "~", "true", "0123", "1e3", "- a", "a: b", "#x"])
TEXT = (
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12) | WORDS
).filter(lambda t: t == t.strip() and "\n" not in t and "\r" not in t and t != "")
COUNTRIES = sorted(COUNTRY_CODES - {"US", "CA", "AU"})  # regions are checked for those three


@st.composite
def stores(draw: st.DrawFn) -> tuple[list[LiveLocation], list[LiveItem]]:
    names = draw(st.lists(TEXT, min_size=1, max_size=4, unique=True))
    locations = [LiveLocation(f"gid://shopify/Location/{i + 1}", n) for i, n in enumerate(names)]
    skus = draw(st.lists(TEXT, min_size=1, max_size=5, unique=True))
    items = []
    for number, sku in enumerate(skus, start=1):
        tracked = draw(st.booleans())
        levels = {}
        for location in draw(st.lists(st.sampled_from(locations), unique=True, max_size=3)):
            counts = {
                "available": draw(st.integers(-5, 10**9)),
                "committed": draw(st.integers(0, 9)),
            }
            for state in UNAVAILABLE:
                counts[state] = draw(st.sampled_from([0, 0, 1, 7]))
            levels[location.id] = LiveLevel(location.id, f"L{number}", True, counts)
        cost = draw(st.none() | st.decimals(0, 10**6, places=2).map(Decimal))
        hs = draw(st.none() | st.text(string.digits, min_size=6, max_size=13))
        codes = draw(
            st.dictionaries(
                st.sampled_from(COUNTRIES),
                st.text(string.digits, min_size=6, max_size=13),
                max_size=2,
            )
        )
        weight = draw(
            st.none()
            | st.builds(Weight, st.decimals(0, 1000, places=3), st.sampled_from(WEIGHT_UNITS))
        )
        country = draw(st.none() | st.sampled_from(COUNTRIES))
        province = draw(
            st.none() | st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=3)
        )
        items.append(
            LiveItem(
                f"gid://shopify/InventoryItem/{number}", sku, tracked, cost, country, province,
                hs, codes, weight, draw(st.booleans()), 0, levels,
            )
        )  # fmt: skip
    return locations, items


def declarable(item: LiveItem, locations: dict[str, LiveLocation]) -> dict[str, Any]:
    """What an exported manifest declares for `item` (see reconciler/export/declare.py)."""
    names = ("tracked", "cost", "countryCodeOfOrigin", "provinceCodeOfOrigin",
             "harmonizedSystemCode", "countryHarmonizedSystemCodes", "weight", "requiresShipping")  # fmt: skip
    attributes = {n: item.attribute(n) for n in names if item.attribute(n) not in (None, {})}
    levels = {}
    for level in item.levels.values():
        quantities = {}
        if item.tracked:
            quantities["available"] = level.quantity("available")
            quantities.update({s: level.quantity(s) for s in UNAVAILABLE if level.quantity(s)})
        levels[locations[level.location_id].name] = (True, quantities)
    return {"attributes": attributes, "levels": levels}


def loaded(items: tuple[DesiredItem, ...]) -> dict[str, dict[str, Any]]:
    """Desired items by SKU, entries of a split item merged."""
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        merged = out.setdefault(item.sku, {"attributes": {}, "levels": {}})
        merged["attributes"].update(item.attributes)
        for level in item.levels:
            merged["levels"][level.location] = (level.stocked, dict(level.quantities))
    return out


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stores(), st.sampled_from(["one", "location", "sku-prefix"]), st.booleans())
def test_export_then_load_gives_the_declarable_part(
    store: tuple[list[LiveLocation], list[LiveItem]], layout: str, use_aliases: bool
) -> None:
    locations, items = store
    aliases = {f"loc{i}": loc.name for i, loc in enumerate(locations)} if use_aliases else {}
    how = Declaring({loc.id: loc for loc in locations}, aliases)
    entries = [declare(item, how, Skipped()) for item in items]
    assert all(entries)
    files = split([e for e in entries if e], layout)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = root / "reconciler.yaml"
        config.write_text(
            "locations:\n  aliases:\n"
            + "".join(f"    {a}: {render_name(n)}\n" for a, n in aliases.items())
            if aliases
            else "{}\n",
            encoding="utf-8",
        )
        (root / "m").mkdir()
        for name, file_entries in files.items():
            text = render(file_entries)
            assert text == render(file_entries)
            (root / "m" / name).write_text(text, encoding="utf-8")
        check = check_paths([root / "m"], config)
    assert check.problems == []
    assert check.state is not None
    by_id = {loc.id: loc for loc in locations}
    assert loaded(check.state.items) == {item.sku: declarable(item, by_id) for item in items}


def render_name(name: str) -> str:
    from reconciler.export.manifest_writer import quoted

    return quoted(name)
