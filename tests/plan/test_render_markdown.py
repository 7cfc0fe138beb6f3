"""The Markdown renderer: structure, escaping, and the 60,000-character ceiling."""

from __future__ import annotations

import re
import time

import pytest

from reconciler.errors import Problem
from reconciler.plan.actions import Activate, AttributeChange, SetQuantity, UpdateItem
from reconciler.plan.render import MAX_CHARS, render
from reconciler.plan.render.markdown import render_markdown

from .sample_plans import (
    EAST,
    FOOTWEAR,
    big_plan,
    empty_plan,
    every_kind_plan,
    item,
    level,
    plan_of,
    small_plan,
    src,
)

S = src(FOOTWEAR, 5)
NOTE = re.compile(r"^> \*\*([\d,]+) of ([\d,]+) changes are not shown\*\*", re.MULTILINE)


def test_summary_comes_first() -> None:
    plan = small_plan()
    lines = render_markdown(plan).splitlines()
    assert lines[0] == f"**{plan.summary_line()}**"
    assert lines[2] == (
        "Store <code>acme-outdoor.myshopify.com</code> · Admin API <code>2026-10</code> · "
        f"plan <code>{plan.plan_id}</code> · commit <code>3f9c2e1</code>"
    )
    assert lines[4:11] == [
        "| change | count | mutation |",
        "|:--|--:|:--|",
        "| items to update | 1 | `inventoryItemUpdate` |",
        "| activations | 1 | `inventoryActivate` |",
        "| moves | 1 | `inventoryMoveQuantities` |",
        "| quantities to set | 3 | `inventorySetQuantities` |",
        "| deactivations | 1 | `inventoryDeactivate` |",
    ]


def test_details_are_grouped_by_location_then_sku_after_item_attributes() -> None:
    text = render_markdown(small_plan())
    headings = re.findall(r"^#### (.*)$", text, re.MULTILINE)
    assert headings == [
        "Item attributes",
        "<code>East Warehouse</code>",
        "<code>Portland Store</code>",
        "Warnings",
    ]
    summaries = re.findall(r"<summary>(.*)</summary>", text)
    assert summaries == [
        "<code>TSHIRT-RED-M</code> · cost, harmonizedSystemCode",
        "<code>BOOT-HIKE-44</code> · deactivate",
        "<code>TSHIRT-RED-M</code> · damaged 0 → 2, available 3 → 10",
        "<code>BOOT-HIKE-44</code> · activate, available 0 → 4",
        "<code>TSHIRT-RED-M</code> · on_hand 2 → 5",
    ]
    assert text.count("<details>") == text.count("</details>") == 5


def test_a_level_section_in_full() -> None:
    plan = plan_of(
        [
            Activate(level(("A-1", "gid://shopify/InventoryItem/5"), EAST), True, S),
            SetQuantity(
                level(("A-1", "gid://shopify/InventoryItem/5"), EAST),
                "available",
                4,
                4,
                9,
                "restock",
                src(FOOTWEAR, 9),
            ),
        ]
    )
    section = render_markdown(plan).split("#### <code>East Warehouse</code>\n\n", 1)[1]
    assert section == (
        "<details><summary><code>A-1</code> · reactivate, available 4 → 9</summary>\n"
        "\n"
        "item <code>gid://shopify/InventoryItem/5</code> · reason <code>restock</code> · "
        "declared at <code>inventory/footwear.yaml:5</code>, <code>inventory/footwear.yaml:9</code>\n"
        "\n"
        "| quantity | before | after | mutation |\n"
        "|:--|--:|--:|:--|\n"
        "| *level* | inactive | active | `inventoryActivate` (inactive level, quantities kept) |\n"
        "| available | 4 | 9 | `inventorySetQuantities` (compare 4) |\n"
        "\n"
        "</details>\n"
    )


def test_names_cannot_break_tables_open_tags_or_mention_anyone() -> None:
    sku = ("A|B<img src=x>`@team`_*x*_", "gid://shopify/InventoryItem/9")
    location = ("gid://shopify/Location/9", "Store #12 | <b>$5$</b>")
    plan = plan_of(
        [
            SetQuantity(level(sku, location), "available", 1, 1, 2, "correction", S),
            UpdateItem(item(sku), (AttributeChange("harmonizedSystemCode", "1|2", "<3>"),), S),
        ]
    )
    text = render_markdown(plan)
    assert "<img" not in text and "<b>" not in text and "`@team`" not in text
    escaped_sku = "<code>A&#124;B&lt;img src=x&gt;&#96;@team&#96;&#95;&#42;x&#42;&#95;</code>"
    assert f"<summary>{escaped_sku} · available 1 → 2</summary>" in text
    assert "#### <code>Store #12 &#124; &lt;b&gt;&#36;5&#36;&lt;/b&gt;</code>" in text
    assert '| harmonizedSystemCode | <code>"1&#124;2"</code> | <code>"&lt;3&gt;"</code> |' in text
    # Every table row still has exactly its columns.
    for line in text.splitlines():
        if line.startswith("| harmonizedSystemCode"):
            assert line.count("|") == 4
        if line.startswith("| available"):
            assert line.count("|") == 5


def test_an_empty_plan_is_the_summary_alone() -> None:
    plan = empty_plan()
    assert render_markdown(plan) == (
        "**No changes. The store matches the manifests.**\n"
        "\n"
        "Store <code>acme-outdoor.myshopify.com</code> · Admin API <code>2026-10</code> · "
        f"plan <code>{plan.plan_id}</code>\n"
    )


def test_filters_are_called_out() -> None:
    text = render_markdown(every_kind_plan())
    assert (
        "Filtered with <code>--sku 'CAP-&#42;' --sku 'SCARF-&#42;' --location 'Lagerhaus &#42;' "
        "--location '東京倉庫'</code>: only part of the manifests was planned." in text
    )


def test_a_plan_that_fits_has_no_truncation_note() -> None:
    for plan in (small_plan(), every_kind_plan(), empty_plan()):
        assert NOTE.search(render_markdown(plan)) is None


def _check_truncated(text: str, plan_size: int, limit: int) -> int:
    """Asserts the shape of a truncated comment; returns how many changes it hides."""
    assert len(text) <= limit
    match = NOTE.search(text)
    assert match is not None, text[-500:]
    hidden, total = (int(g.replace(",", "")) for g in match.groups())
    assert total == plan_size
    assert text.endswith(match.group(0) + text[match.end() :])
    assert text.rstrip().endswith("`reconciler plan --out plan.json`.")
    assert text.count("<details>") == text.count("</details>")
    before_note = text[: match.start()]
    details = before_note.split("#### Warnings")[0]
    # cut after a whole section, or (a limit below the summary) before the first one
    assert details.endswith("</details>\n\n") or "<details>" not in details, details[-200:]
    return hidden


def test_50000_actions_are_cut_at_a_section_boundary_below_60000_characters() -> None:
    plan = big_plan()
    text = render_markdown(plan, full=True)
    assert MAX_CHARS == 60_000
    assert 55_000 < len(text) <= 60_000
    hidden = _check_truncated(text, 50_000, 60_000)
    # big_plan's item updates change one attribute each, so one table row is one action.
    details = text[text.index("<details>") :]
    shown = sum(
        1
        for line in details.splitlines()
        if line.startswith("| ") and ("`inventory" in line or line.startswith("| cost |"))
    )
    assert hidden == 50_000 - shown
    assert 0 < shown < 1_000
    assert text.rstrip().endswith("`reconciler plan --out plan.json`.")


def test_a_limit_below_the_summary_still_holds_and_ends_with_the_note() -> None:
    text = render_markdown(small_plan(), max_chars=600)
    assert len(text) <= 600
    assert text.startswith("**Plan: ")
    assert NOTE.search(text) is not None
    assert text.endswith("`reconciler plan --out plan.json`.\n")


@pytest.mark.parametrize("limit", range(1_400, 4_400, 111))  # the head (with money) is ~1,100
def test_any_limit_is_respected_at_a_section_boundary(limit: int) -> None:
    plan = small_plan()
    full = render_markdown(plan)
    text = render_markdown(plan, max_chars=limit)
    if len(full) <= limit:
        assert text == full
        return
    hidden = _check_truncated(text, len(plan.actions), limit)
    assert 0 < hidden <= len(plan.actions)
    # What is shown is a prefix of the full comment's sections, cut after a </details>.
    body = text[: NOTE.search(text).start()].split("#### Warnings")[0]  # type: ignore[union-attr]
    assert full.startswith(body.rstrip("\n"))
    # The warnings survive the cut.
    assert "#### Warnings" in text


def test_warnings_survive_truncation() -> None:
    plan = small_plan()
    text = render_markdown(plan, max_chars=2_000)
    assert NOTE.search(text) is not None
    assert "- <code>inventory/apparel.yaml:11</code>: TSHIRT-RED-M at Portland Store" in text


def test_thousands_of_warnings_are_cut_too() -> None:
    warnings = tuple(Problem(f"warning number {n}", "big.yaml", n + 1) for n in range(5_000))
    plan = plan_of(
        [
            SetQuantity(
                level(("A", "gid://shopify/InventoryItem/1"), EAST),
                "available",
                0,
                0,
                1,
                "correction",
                S,
            )
        ],
        warnings=warnings,
    )
    text = render_markdown(plan)
    assert len(text) <= MAX_CHARS
    match = re.search(r"^- … ([\d,]+) more warnings are in the JSON plan\.$", text, re.MULTILINE)
    assert match is not None
    shown = text.count("- <code>big.yaml:")
    assert shown + int(match.group(1).replace(",", "")) == 5_000


def test_render_markdown_is_what_render_returns() -> None:
    assert render(small_plan(), "markdown") == render_markdown(small_plan())


@pytest.mark.slow
def test_markdown_at_50000_actions_is_fast() -> None:
    """Under 2 s of CPU, best of 3 (see the text renderer's speed test)."""
    plan = big_plan()
    timings = []
    for _ in range(3):
        start = time.process_time()
        render_markdown(plan, full=True)
        timings.append(time.process_time() - start)
    assert min(timings) < 2.0, timings
