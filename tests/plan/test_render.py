"""`render()`: one entry point, three formats, all from the same plan."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.plan import planfile
from reconciler.plan.render import FORMATS, render, render_markdown, render_text

from .sample_plans import every_kind_plan, small_plan


def test_json_is_the_plan_file() -> None:
    plan = small_plan()
    assert render(plan, "json") == planfile.dumps(plan)
    assert planfile.loads(render(plan, "json")) == plan


def test_text_and_markdown_are_their_renderers() -> None:
    plan = every_kind_plan()
    assert render(plan, "text") == render_text(plan)
    assert render(plan, "text", color=True) == render_text(plan, color=True)
    assert render(plan, "markdown") == render_markdown(plan)


def test_colour_only_touches_text() -> None:
    plan = small_plan()
    assert render(plan, "markdown", color=True) == render(plan, "markdown")
    assert render(plan, "json", color=True) == render(plan, "json")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_ends_in_one_newline(fmt: Any) -> None:
    out = render(small_plan(), fmt)
    assert out.endswith("\n") and not out.endswith("\n\n")


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(
        ValueError, match="unknown plan format 'yaml'; use one of text, markdown, json"
    ):
        render(small_plan(), "yaml")  # type: ignore[arg-type]
