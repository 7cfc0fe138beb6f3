"""Large plans stay readable: text and Markdown summarise past SUMMARY_THRESHOLD actions
(`--full` prints everything), Markdown stays under the PR comment limit, JSON stays complete.

Sizes 1, the threshold, the threshold + 1 and 100,000; render time is CPU time (best of 3), so a
busy machine measures the renderer and not its neighbours.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.model import Source
from reconciler.plan.actions import Action, Move, SetQuantity, Target
from reconciler.plan.render import MAX_CHARS, SUMMARY_THRESHOLD, render
from reconciler.plan.render.summary import largest, per_location

from .sample_plans import big_plan, plan_of

SUMMARY = "it is summarised. `--full` prints every change"
MD_SUMMARY = "so this comment summarises them"
SIZES = [1, SUMMARY_THRESHOLD, SUMMARY_THRESHOLD + 1]


def test_the_threshold_is_the_documented_one() -> None:
    assert SUMMARY_THRESHOLD == 1_000
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "more than 1,000 changes" in readme


@pytest.mark.parametrize("size", SIZES)
def test_up_to_the_threshold_everything_is_shown_and_past_it_a_summary(size: int) -> None:
    plan = big_plan(size)
    assert len(plan.actions) == size
    text, full_text = render(plan, "text"), render(plan, "text", full=True)
    markdown = render(plan, "markdown")
    if size <= SUMMARY_THRESHOLD:
        assert text == full_text
        assert SUMMARY not in text and MD_SUMMARY not in markdown
        assert markdown == render(plan, "markdown", full=True)
    else:
        assert text != full_text
        assert SUMMARY in text and MD_SUMMARY in markdown
        assert "Changes per location:" in text and "#### Changes per location" in markdown
        assert "Largest changes (of 1,001):" in text
        assert "Money at stake (USD" in text and "**Money at stake** (USD" in markdown
        assert "<details>" not in markdown
    # --full is complete: one line per quantity change, activation and deactivation
    lines = full_text.splitlines()
    assert sum(line.count(" inventory") for line in lines) == size
    assert len(markdown) <= MAX_CHARS


def test_the_summary_counts_every_action_once() -> None:
    plan = big_plan(SUMMARY_THRESHOLD + 1)
    rows = per_location(plan)
    assert sum(sum(row.counts.values()) for row in rows) == len(plan.actions)
    text = render(plan, "text")
    row = next(line for line in text.splitlines() if line.startswith("  Store 03 "))
    counts = [int(c) if c != "-" else 0 for c in row.split()[2:]]
    store = next(r for r in rows if r.name == "Store 03")
    assert counts == list(store.counts.values())


def test_the_largest_changes_are_the_most_valuable_then_the_most_units() -> None:
    source = Source("a.yaml", 1)
    where = ("gid://shopify/Location/1", "East")

    def target(n: int) -> Target:
        return Target(f"S{n}", f"gid://shopify/InventoryItem/{n}", *where)

    actions: list[Action] = [
        SetQuantity(target(1), "available", 0, 0, 10, "received", source),  # $10 x 10 = $100
        SetQuantity(target(2), "available", 0, 0, 500, "received", source),  # no cost, 500 units
        Move(target(3), "available", "damaged", 3, 5, 0, "damaged", source),  # $50 x 3 = $150
        SetQuantity(target(4), "available", 0, 0, 5, "received", source),  # $1 x 5 = $5
    ]
    costs = {
        "gid://shopify/InventoryItem/1": Decimal(10),
        "gid://shopify/InventoryItem/2": None,
        "gid://shopify/InventoryItem/3": Decimal(50),
        "gid://shopify/InventoryItem/4": Decimal(1),
    }
    plan = plan_of(actions, costs=costs)
    ranked = [(c.action.target.sku, c.value) for c in largest(plan, 3)]
    assert ranked == [("S3", Decimal(150)), ("S1", Decimal(100)), ("S4", Decimal(5))]
    without_costs = plan_of(actions)
    assert [c.action.target.sku for c in largest(without_costs, 2)] == ["S2", "S1"]


def test_a_summary_with_thousands_of_locations_stays_under_the_comment_limit() -> None:
    source = Source("a.yaml", 1)
    actions: list[Action] = [
        SetQuantity(
            Target(
                f"SKU-{n}",
                f"gid://shopify/InventoryItem/{n}",
                f"gid://shopify/Location/{n}",
                f"A rather long location name, number {n:05d}",
            ),
            "available",
            0,
            0,
            n,
            "received",
            source,
        )
        for n in range(1, 3_001)
    ]
    plan = plan_of(actions, costs={a.target.item_id: None for a in actions})
    markdown = render(plan, "markdown")
    assert len(markdown) <= MAX_CHARS
    match = re.search(r"… and ([\d,]+) more locations, in the JSON plan\.", markdown)
    assert match is not None
    table = markdown.split("#### Changes per location")[1].split("####")[0]
    shown = table.count("| <code>A rather long location name")
    assert shown + int(match.group(1).replace(",", "")) == 3_000
    assert markdown.rstrip().endswith("characters allow.")


@pytest.mark.slow
def test_100000_actions_summarise_fast_and_json_stays_complete() -> None:
    plan = big_plan(100_000)

    def cpu(run: Callable[[], str]) -> tuple[float, str]:
        timings, out = [], ""
        for _ in range(3):
            start = time.process_time()
            out = run()
            timings.append(time.process_time() - start)
        return min(timings), out

    text_seconds, text = cpu(lambda: render(plan, "text"))
    markdown_seconds, markdown = cpu(lambda: render(plan, "markdown"))
    assert text_seconds < 1.5, text_seconds
    assert markdown_seconds < 1.5, markdown_seconds
    assert len(text.splitlines()) < 200
    assert len(markdown) <= MAX_CHARS
    assert "This plan has 100,000 changes" in text
    document = json.loads(render(plan, "json"))
    assert len(document["actions"]) == 100_000
    assert len(document["money"]["unit_costs"]) == len(plan.money.unit_costs)  # type: ignore[union-attr]
