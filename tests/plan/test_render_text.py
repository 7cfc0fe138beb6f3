"""The text renderer: layout rules, escaping, colour, and speed at 50,000 actions.

Whole outputs are pinned by the golden files (test_render_golden.py); these tests pin the rules
behind them on plans small enough to read in the assertion.
"""

from __future__ import annotations

import io
import time

import pytest

from reconciler.errors import Problem
from reconciler.plan.actions import Activate, Deactivate, Move, SetQuantity
from reconciler.plan.render import render
from reconciler.plan.render._common import display_width
from reconciler.plan.render.text import render_text, use_color

from .sample_plans import (
    BOOT,
    EAST,
    FOOTWEAR,
    TOKYO,
    ZURICH,
    big_plan,
    empty_plan,
    every_kind_plan,
    level,
    plan_of,
    small_plan,
    src,
)

S = src(FOOTWEAR, 5)


def body(text: str) -> str:
    """The action blocks: between the 'will perform' line and the closing summary."""
    start = text.index("reconciler will perform the following actions:\n\n")
    end = text.rindex("\n\nPlan: ")
    return text[start:end].split("\n", 2)[2] + "\n"


def test_activation_with_quantities_and_a_wide_location_name() -> None:
    plan = plan_of(
        [
            Activate(level(BOOT, TOKYO), False, S),
            Move(level(BOOT, TOKYO), "available", "reserved", 2, 0, 0, "received", S),
            SetQuantity(level(BOOT, TOKYO), "available", 0, -2, 12, "received", S),
        ]
    )
    assert body(render_text(plan)) == (
        "  # BOOT-HIKE-44 (gid://shopify/InventoryItem/43729049)\n"
        "  + 東京倉庫              inventoryActivate\n"
        "      reserved   0 -> 2   inventoryMoveQuantities (available -> reserved, 2)\n"
        "      available  0 -> 12  inventorySetQuantities (compare -2)\n"
    )


def test_mutations_share_one_column_per_item_counted_in_terminal_cells() -> None:
    """東京倉庫 is 4 characters but 8 columns wide: the padding counts columns."""
    plan = plan_of(
        [
            Activate(level(BOOT, TOKYO), False, S),
            SetQuantity(level(BOOT, TOKYO), "on_hand", 0, 0, 3, "received", S),
            Deactivate(level(BOOT, EAST), "gid://shopify/InventoryLevel/1", S),
            SetQuantity(level(BOOT, ZURICH), "available", 100, 100, 7, "correction", S),
        ]
    )
    lines = body(render_text(plan)).splitlines()
    starts = [
        display_width(line[: line.index("inventory")]) for line in lines if "inventory" in line
    ]
    assert len(starts) == 4 and len(set(starts)) == 1, lines


def test_a_reactivation_says_the_level_keeps_its_quantities() -> None:
    plan = plan_of([Activate(level(BOOT, EAST), True, S)])
    assert body(render_text(plan)) == (
        "  # BOOT-HIKE-44 (gid://shopify/InventoryItem/43729049)\n"
        "  + East Warehouse  inventoryActivate (inactive level, quantities kept)\n"
    )


def test_a_deactivation_alone_lists_only_the_deactivate_symbol() -> None:
    plan = plan_of([Deactivate(level(BOOT, EAST), "gid://shopify/InventoryLevel/1", S)])
    text = render_text(plan)
    assert "Actions are marked with these symbols:\n  - deactivate" in text
    assert "  + activate" not in text and "  ~ update" not in text
    assert body(text) == (
        "  # BOOT-HIKE-44 (gid://shopify/InventoryItem/43729049)\n"
        "  - East Warehouse  inventoryDeactivate\n"
    )


@pytest.mark.parametrize("make", [small_plan, every_kind_plan, empty_plan])
def test_the_summary_line_is_the_last_line_before_the_usage(make: object) -> None:
    plan = make()  # type: ignore[operator]
    text = render_text(plan)
    assert text.endswith("\n") and not text.endswith("\n\n")
    lines = text.splitlines()
    if plan.usage is None:
        assert lines[-1] == plan.summary_line()
    else:
        assert lines[-2:] == [
            plan.summary_line(),
            "Read the store: 3 GraphQL calls, 214 requested / 113 actual cost points, "
            "no throttle waits.",
        ]


def test_the_header_names_store_api_version_and_plan() -> None:
    plan = small_plan()
    assert render_text(plan).splitlines()[:4] == [
        "Store:        acme-outdoor.myshopify.com",
        "API version:  2026-10",
        f"Plan:         {plan.plan_id}",
        "Commit:       3f9c2e1",
    ]


def test_an_empty_plan_says_so_and_still_shows_warnings() -> None:
    plan = plan_of([], warnings=(Problem("something odd", None, None, None),))
    assert render_text(plan).endswith(
        "\nWarning: something odd\n\nNo changes. The store matches the manifests.\n"
    )


def test_warnings_show_file_and_line_then_message() -> None:
    plan = plan_of([], warnings=(Problem("no line here", "a.yaml"), Problem("x", "b.yaml", 7, "$")))
    lines = render_text(plan).splitlines()
    assert "Warning: a.yaml: no line here" in lines
    assert "Warning: b.yaml:7: x" in lines


def test_control_characters_from_the_store_are_shown_not_sent() -> None:
    sku = ("EVIL\x1b[2J\u202eSKU", "gid://shopify/InventoryItem/1")
    location = ("gid://shopify/Location/1", "Back\nroom")
    plan = plan_of([Activate(level(sku, location), False, S)])
    text = render_text(plan)
    assert "\x1b" not in text and "\u202e" not in text
    assert "  # EVIL\\x1b[2J\\u202eSKU (gid://shopify/InventoryItem/1)\n" in text
    assert "  + Back\\x0aroom  inventoryActivate\n" in text


def test_no_escape_codes_without_colour() -> None:
    assert "\x1b" not in render_text(small_plan())
    assert "\x1b" not in render(small_plan(), "text")


def test_colour_marks_each_symbol_in_its_colour() -> None:
    text = render_text(small_plan(), color=True)
    assert "  \x1b[32m+\x1b[0m Portland Store" in text
    assert "  \x1b[31m-\x1b[0m East Warehouse" in text
    assert "  \x1b[33m~\x1b[0m East Warehouse" in text
    # Colour adds codes and nothing else.
    plain = text
    for code in ("\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[1m", "\x1b[0m"):
        plain = plain.replace(code, "")
    assert plain == render_text(small_plan())


class _Tty(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("tty", "no_color", "expected"),
    [
        (True, None, True),
        (True, "", True),  # set but empty does not disable (no-color.org)
        (True, "1", False),
        (True, "0", False),  # any non-empty value disables
        (False, None, False),
        (False, "", False),
    ],
)
def test_use_color(
    monkeypatch: pytest.MonkeyPatch, tty: bool, no_color: str | None, expected: bool
) -> None:
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    assert use_color(_Tty(tty)) is expected


def test_use_color_on_a_closed_stream_is_false(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    stream = io.StringIO()
    stream.close()
    assert use_color(stream) is False


@pytest.mark.slow
def test_text_at_50000_actions_is_fast_and_complete() -> None:
    """Under 2 s of CPU (best of 3): CPU time, so a busy CI machine measures the renderer and
    not its neighbours."""
    plan = big_plan()
    assert len(plan.actions) == 50_000
    timings = []
    for _ in range(3):
        start = time.process_time()
        text = render_text(plan, full=True)
        timings.append(time.process_time() - start)
    assert min(timings) < 2.0, timings
    lines = text.splitlines()
    assert lines[-2] == plan.summary_line()
    # every action is on a line of its own: one mutation name each
    assert sum(line.count("inventory") for line in lines) == 50_000
