"""Plan renderers: the same `Plan` as terminal text, a pull-request comment, or the JSON file.

    render(plan, "text", color=use_color(sys.stdout))
    render(plan, "markdown")      # at most 60,000 characters, for a PR comment
    render(plan, "json")          # exactly what `reconciler plan --out` writes

Every renderer reads the plan (its actions, and the money, guard-rail and usage sections) and
nothing else, so what a reviewer reads is what apply runs. Text and Markdown summarise plans of
more than `SUMMARY_THRESHOLD` actions unless `full`; JSON is always complete. Each returns a
string ending in a newline.
"""

from __future__ import annotations

from typing import Literal

from reconciler.plan import planfile
from reconciler.plan.planfile import Plan

from .markdown import MAX_CHARS, render_markdown
from .summary import SUMMARY_THRESHOLD
from .text import render_text, use_color

Format = Literal["text", "markdown", "json"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "json")

__all__ = [
    "FORMATS",
    "MAX_CHARS",
    "SUMMARY_THRESHOLD",
    "Format",
    "render",
    "render_markdown",
    "render_text",
    "use_color",
]


def render(plan: Plan, fmt: Format, *, color: bool = False, full: bool = False) -> str:
    """`plan` in format `fmt`; `color` (ANSI) applies to text only and is off by default;
    `full` shows every change of a large plan in text and Markdown."""
    if fmt == "text":
        return render_text(plan, color=color, full=full)
    if fmt == "markdown":
        return render_markdown(plan, full=full)
    if fmt == "json":
        return planfile.dumps(plan)
    raise ValueError(f"unknown plan format {fmt!r}; use one of {', '.join(FORMATS)}")
