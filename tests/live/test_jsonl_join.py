"""Joining a bulk result's lines back into items (pure: no network).

Children come after their parent but not necessarily directly after; Shopify escapes ``/`` as
``\\/``; children of items the selection does not want are dropped without being parsed.
"""

from __future__ import annotations

import json
import random
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.live.bulk import BulkUnavailable
from reconciler.live.jsonl import join, split_lines
from reconciler.live.selection import Selection
from reconciler.model import ALL_QUANTITY_NAMES, LiveItem, LiveLevel, Weight

LOCATIONS = [f"gid://shopify/Location/{n}" for n in (11, 12, 13)]


def item_line(number: int, sku: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/InventoryItem/{number}",
        "sku": sku,
        "tracked": True,
        "unitCost": {"amount": "1.50"},
        "countryCodeOfOrigin": None,
        "provinceCodeOfOrigin": None,
        "harmonizedSystemCode": None,
        "measurement": {"weight": {"value": 0.25, "unit": "KILOGRAMS"}},
        "requiresShipping": True,
        "duplicateSkuCount": 0,
        **extra,
    }


def level_line(item: int, location: str, values: list[int]) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/InventoryLevel/{item}{location[-2:]}?inventory_item_id={item}",
        "isActive": True,
        "location": {"id": location},
        "quantities": [
            {"name": n, "quantity": v} for n, v in zip(ALL_QUANTITY_NAMES, values, strict=True)
        ],
        "__parentId": f"gid://shopify/InventoryItem/{item}",
    }


def code_line(item: int, country: str | None, code: str) -> dict[str, Any]:
    return {
        "countryCode": country,
        "harmonizedSystemCode": code,
        "__parentId": f"gid://shopify/InventoryItem/{item}",
    }


def encode(record: dict[str, Any]) -> str:
    """As Shopify writes it: compact, every "/" escaped."""
    return json.dumps(record, separators=(",", ":")).replace("/", "\\/")


def expected(
    number: int, sku: str | None, levels: dict[str, list[int]], codes: dict[str, str]
) -> LiveItem:
    return LiveItem(
        id=f"gid://shopify/InventoryItem/{number}",
        sku=sku,
        tracked=True,
        cost=Decimal("1.50"),
        country_code_of_origin=None,
        province_code_of_origin=None,
        harmonized_system_code=None,
        country_harmonized_system_codes=codes,
        weight=Weight(Decimal("0.25"), "KILOGRAMS"),
        requires_shipping=True,
        duplicate_sku_count=0,
        levels={
            loc: LiveLevel(
                loc,
                f"gid://shopify/InventoryLevel/{number}{loc[-2:]}?inventory_item_id={number}",
                True,
                counts=tuple(values),
            )
            for loc, values in levels.items()
        },
    )


def test_children_join_their_parent_wherever_they_come() -> None:
    lines = [
        encode(item_line(1, "A")),
        encode(item_line(2, "B")),
        encode(level_line(1, LOCATIONS[0], [1, 2, 3, 4, 5, 6, 7, 8])),
        encode(code_line(2, "CA", "6109100010")),
        encode(item_line(3, "C")),
        encode(level_line(2, LOCATIONS[1], [0] * 8)),
        encode(code_line(1, None, "610910")),  # a global code: not a country entry
        encode(level_line(1, LOCATIONS[2], [-3, 0, 0, 0, 0, 0, 0, 0])),
    ]
    items = join(lines, Selection.store())
    assert items == {
        "gid://shopify/InventoryItem/1": expected(
            1,
            "A",
            {LOCATIONS[0]: [1, 2, 3, 4, 5, 6, 7, 8], LOCATIONS[2]: [-3, 0, 0, 0, 0, 0, 0, 0]},
            {},
        ),
        "gid://shopify/InventoryItem/2": expected(
            2, "B", {LOCATIONS[1]: [0] * 8}, {"CA": "6109100010"}
        ),
        "gid://shopify/InventoryItem/3": expected(3, "C", {}, {}),
    }


def test_children_of_unwanted_items_are_dropped_unparsed() -> None:
    lines = [
        encode(item_line(1, "KEEP")),
        encode(item_line(2, "DROP")),
        '{"this is": not json, "__parentId":"gid:\\/\\/shopify\\/InventoryItem\\/2"}',
        encode(level_line(1, LOCATIONS[0], [5] * 8)),
    ]
    items = join(lines, Selection.of(skus=["KEEP"]))
    assert list(items) == ["gid://shopify/InventoryItem/1"]
    assert items["gid://shopify/InventoryItem/1"].levels[LOCATIONS[0]].quantity("on_hand") == 5


def test_a_malformed_line_of_a_wanted_item_is_a_broken_download() -> None:
    lines = [encode(item_line(1, "A")), '{"id":"gid:\\/\\/x","quantities":[{"na', "{}"]
    lines[1] += ',"__parentId":"gid:\\/\\/shopify\\/InventoryItem\\/1"'
    with pytest.raises(BulkUnavailable, match="malformed line") as raised:
        join(lines, Selection.store())
    assert raised.value.rerun


@given(st.lists(st.text(min_size=1), max_size=5), st.data())
@settings(max_examples=80, deadline=None)
def test_lines_survive_any_chunking(texts: list[str], data: st.DataObject) -> None:
    raw = "\n".join(texts).encode()  # multi-byte characters may be cut between chunks
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=6)))
    chunks = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
    *whole, tail = "\n".join(texts).split("\n")
    expected = [line for line in whole if line] + ([tail] if tail.strip() else [])
    assert list(split_lines(chunks)) == expected


def test_skus_are_exact_and_ids_pin_items() -> None:
    lines = [
        encode(item_line(1, "tee")),
        encode(item_line(2, "TEE")),
        encode(item_line(3, "TEE")),
        encode(item_line(4, None)),
    ]
    assert sorted(join(lines, Selection.of(skus=["TEE"]))) == [
        "gid://shopify/InventoryItem/2",
        "gid://shopify/InventoryItem/3",
    ]
    pinned = Selection.of(ids=["gid://shopify/InventoryItem/4"])
    assert list(join(lines, pinned)) == ["gid://shopify/InventoryItem/4"]


def test_globs_and_locations_narrow_items_and_levels() -> None:
    lines = [
        encode(item_line(1, "TEE-RED")),
        encode(item_line(2, "TEE-BLUE")),
        encode(item_line(3, "CAP-RED")),
        encode(level_line(1, LOCATIONS[0], [1] * 8)),
        encode(level_line(1, LOCATIONS[1], [2] * 8)),
        encode(level_line(2, LOCATIONS[1], [3] * 8)),
        encode(level_line(3, LOCATIONS[0], [4] * 8)),
    ]
    chosen = Selection.of(sku_globs=["TEE-*"], location_ids=[LOCATIONS[0]])
    items = join(lines, chosen)
    assert list(items) == ["gid://shopify/InventoryItem/1"]  # item 2 is not stocked there
    assert list(items["gid://shopify/InventoryItem/1"].levels) == [LOCATIONS[0]]
    assert sorted(join(lines, Selection.of(sku_globs=["*-RED"]))) == [
        "gid://shopify/InventoryItem/1",
        "gid://shopify/InventoryItem/3",
    ]


def test_progress_is_reported_every_10000_lines() -> None:
    lines = [encode(item_line(n, f"S{n}")) for n in range(1, 25_001)]
    seen: list[tuple[int, int]] = []
    join(lines, Selection.of(skus=["S1", "S2"]), lambda count, kept: seen.append((count, kept)))
    assert seen == [(10_000, 2), (20_000, 2), (25_000, 2)]


@st.composite
def stores(
    draw: st.DrawFn,
) -> tuple[list[tuple[int, str, dict[str, list[int]], dict[str, str]]], int]:
    count = draw(st.integers(0, 6))
    items = []
    for number in range(1, count + 1):
        levels = {
            loc: draw(st.lists(st.integers(-50, 50), min_size=8, max_size=8))
            for loc in draw(st.lists(st.sampled_from(LOCATIONS), unique=True))
        }
        codes = draw(st.dictionaries(st.sampled_from(["CA", "US", "GB"]), st.just("6109100010")))
        items.append((number, draw(st.sampled_from(["A", "B", "C"])), levels, codes))
    return items, draw(st.integers(0, 2**32))


@given(stores(), st.sets(st.sampled_from(["A", "B", "C"])))
@settings(max_examples=60, deadline=None)
def test_any_order_of_children_after_their_parent_gives_the_same_items(
    store: tuple[list[tuple[int, str, dict[str, list[int]], dict[str, str]]], int],
    wanted: set[str],
) -> None:
    items, seed = store
    shuffle = random.Random(seed)
    lines = [encode(item_line(number, sku)) for number, sku, _, _ in items]
    for number, sku, levels, codes in items:
        children = [encode(level_line(number, loc, values)) for loc, values in levels.items()]
        children += [encode(code_line(number, country, code)) for country, code in codes.items()]
        for child in children:  # anywhere after the parent, among other items and children
            parent = lines.index(encode(item_line(number, sku)))
            lines.insert(shuffle.randint(parent + 1, len(lines)), child)
    got = join(lines, Selection.of(skus=wanted))
    assert got == {
        f"gid://shopify/InventoryItem/{number}": expected(number, sku, levels, codes)
        for number, sku, levels, codes in items
        if sku in wanted
    }
