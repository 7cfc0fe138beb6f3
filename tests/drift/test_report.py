"""The drift report's Markdown stays within a comment's limit, alarms first, and says how many
rows it leaves out (pure logic: findings built by hand)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.drift.classify import Finding
from reconciler.drift.differences import Difference
from reconciler.drift.report import DriftReport, render_markdown
from reconciler.plan.render.markdown import MAX_CHARS

WHEN = datetime(2026, 12, 2, 4, 17, tzinfo=UTC)


def _report(foreign: int, sales: int) -> DriftReport:
    findings = [
        Finding(
            "foreign",
            Difference(
                "quantity",
                f"SKU-{n:06d}",
                "damaged",
                0,
                2,
                f"gid://i/{n}",
                "East Warehouse",
                "gid://l/1",
                f"gid://lv/{n}",
                f"inventory/east.yaml:{n + 5}",
            ),
            WHEN,
        )  # fmt: skip
        for n in range(foreign)
    ]
    findings += [
        Finding(
            "sales",
            Difference(
                "quantity",
                f"SALE-{n:06d}",
                "available",
                10,
                9,
                f"gid://i/s{n}",
                "Portland Store",
                "gid://l/2",
                f"gid://lv/s{n}",
                f"inventory/pdx.yaml:{n + 5}",
            ),
            WHEN,
        )  # fmt: skip
        for n in range(sales)
    ]
    return DriftReport("shop.myshopify.com", "2026-10", findings, compared=foreign + sales)


def _rows(text: str, prefix: str) -> int:
    return sum(1 for line in text.splitlines() if line.startswith(f"| {prefix}"))


def _left_out(text: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"\.\.\. and ([\d,]+) more", text)]


def test_a_small_report_shows_every_row() -> None:
    text = render_markdown(_report(3, 4))
    assert (_rows(text, "SKU-"), _rows(text, "SALE-"), _left_out(text)) == (3, 4, [])
    assert text.startswith("### :red_circle: shop.myshopify.com: DRIFT: 3 foreign changes;")


def test_a_huge_report_fits_a_comment_alarms_first() -> None:
    text = render_markdown(_report(3_000, 50_000))
    assert len(text) <= MAX_CHARS
    assert text.index("**Changed in the store") < text.index("<details>")
    foreign, sales = _rows(text, "SKU-"), _rows(text, "SALE-")
    assert foreign > 0 and _left_out(text)[0] == 3_000 - foreign
    assert sales + sum(_left_out(text)[1:]) == 50_000 and sales == 0
    assert text.rstrip().endswith("cost points._") and text.count("</details>") == 1


@settings(max_examples=40, deadline=None)
@given(
    foreign=st.integers(0, 400),
    sales=st.integers(0, 400),
    limit=st.integers(1_500, 30_000),
)
def test_every_row_is_shown_or_counted_within_the_limit(
    foreign: int, sales: int, limit: int
) -> None:
    text = render_markdown(_report(foreign, sales), max_chars=limit)
    assert len(text) <= limit
    shown = _rows(text, "SKU-") + _rows(text, "SALE-")
    assert shown + sum(_left_out(text)) == foreign + sales
