"""An item split across entries by location (export's one-file-per-location layout): valid
when every entry but one declares only levels and no location twice, and planned exactly as
the same item declared in one entry."""

from __future__ import annotations

from pathlib import Path

from reconciler.manifest import check_paths
from reconciler.model import LiveItem, LiveLevel, LiveLocation, LiveState
from reconciler.plan.build import build_actions
from reconciler.plan.planfile import action_json

EAST, WEST = "gid://shopify/Location/1", "gid://shopify/Location/2"
ITEM = "gid://shopify/InventoryItem/7"


def _live() -> LiveState:
    item = LiveItem(
        ITEM, "TEE", False, None, None, None, None, {}, None, True, 0,
        {EAST: LiveLevel(EAST, "L1", True, {"available": 1}), WEST: LiveLevel(WEST, "L2", True, {"available": 2})},
    )  # fmt: skip
    locations = (LiveLocation(EAST, "East"), LiveLocation(WEST, "West"))
    return LiveState("s", "2026-10", locations, {ITEM: item}, {"TEE": (ITEM,)})


def _files(tmp_path: Path, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = check_paths([tmp_path], None)
    return [str(p).replace(f"{tmp_path}/", "") for p in result.problems]


def _plan(tmp_path: Path) -> list[dict[str, object]]:
    state = check_paths([tmp_path], None).state
    assert state is not None
    built = build_actions(state, _live())
    return [{k: v for k, v in action_json(a).items() if k != "source"} for a in built.actions]


def test_split_by_location_plans_like_one_entry(tmp_path: Path) -> None:
    split = tmp_path / "split"
    split.mkdir()
    assert _files(split, {
        "items.yaml": "items:\n  - sku: TEE\n    tracked: true\n    cost: '3.00'\n",
        "east.yaml": "items:\n  - sku: TEE\n    levels: {East: {available: 5}}\n",
        "west.yaml": "items:\n  - sku: TEE\n    reason: received\n    levels: {West: {damaged: 1}}\n",
    }) == []  # fmt: skip
    whole = tmp_path / "whole"
    whole.mkdir()
    assert _files(whole, {
        "all.yaml": "items:\n  - sku: TEE\n    tracked: true\n    cost: '3.00'\n    levels:\n"
        "      East: {available: 5}\n      West: {damaged: 1, reason: received}\n",
    }) == []  # fmt: skip
    # tracked: true in items.yaml turns tracking on for the levels the other files declare
    assert _plan(split) == _plan(whole)
    assert [a["kind"] for a in _plan(split)] == ["update_item", "move", "set"]


def test_a_location_twice_or_attributes_twice_are_refused(tmp_path: Path) -> None:
    assert _files(tmp_path, {
        "a.yaml": "items:\n  - sku: TEE\n    cost: '3.00'\n    levels: {East: {available: 5}}\n",
        "b.yaml": "items:\n  - sku: TEE\n    levels: {West: {available: 1}, East: {damaged: 1}}\n",
        "c.yaml": "items:\n  - sku: TEE\n    tracked: true\n",
        "d.yaml": "items:\n  - sku: TEE\n",
    }) == [
        'b.yaml:2: items[0].sku: SKU "TEE" declares "East" again (also at a.yaml:2 '
        "(items[0])); an item may be split across entries by location, each location in one "
        "of them",
        'c.yaml:2: items[0].sku: SKU "TEE" is already declared at a.yaml:2 (items[0]); declare '
        "each item once (if several items in the store share this SKU, pin each entry with "
        "its own `id:`)",
        'd.yaml:2: items[0].sku: SKU "TEE" is already declared at a.yaml:2 (items[0]); declare '
        "each item once (if several items in the store share this SKU, pin each entry with "
        "its own `id:`)",
    ]  # fmt: skip
