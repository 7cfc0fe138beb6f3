"""Plan renderers: the same `Plan` as terminal text, a pull-request comment, or the JSON file.

    render(plan, "text", color=use_color(sys.stdout))
    render(plan, "markdown")      # at most 60,000 characters, for a PR comment
    render(plan, "json")          # exactly what `reconciler plan --out` writes

Every renderer reads the plan's actions and nothing else, so what a reviewer reads is what
apply runs. Each returns a string ending in a newline.
"""

from __future__ import annotations

from typing import Literal

from reconciler.plan import planfile
from reconciler.plan.planfile import Plan

from .markdown import MAX_CHARS, render_markdown
from .text import render_text, use_color

Format = Literal["text", "markdown", "json"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "json")

__all__ = [
    "FORMATS",
    "MAX_CHARS",
    "Format",
    "render",
    "render_markdown",
    "render_text",
    "use_color",
]


def render(plan: Plan, fmt: Format, *, color: bool = False) -> str:
    """`plan` in format `fmt`; `color` (ANSI) applies to text only and is off by default."""
    if fmt == "text":
        return render_text(plan, color=color)
    if fmt == "markdown":
        return render_markdown(plan)
    if fmt == "json":
        return planfile.dumps(plan)
    raise ValueError(f"unknown plan format {fmt!r}; use one of {', '.join(FORMATS)}")
