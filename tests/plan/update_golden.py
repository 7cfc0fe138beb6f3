"""The golden outputs of the plan renderers, and the one explicit way to rewrite them.

    .venv/bin/python -m tests.plan.update_golden      # then review `git diff tests/plan/golden`

Tests only ever read these files; nothing rewrites them as a side effect of running tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reconciler.plan.render import render
from reconciler.plan.render.markdown import render_markdown

from .sample_plans import big_plan, empty_plan, every_kind_plan, small_plan

GOLDEN = Path(__file__).resolve().parent / "golden"

CASES: dict[str, Callable[[], str]] = {
    "small.txt": lambda: render(small_plan(), "text"),
    "small.color.txt": lambda: render(small_plan(), "text", color=True),
    "every_kind.txt": lambda: render(every_kind_plan(), "text"),
    "empty.txt": lambda: render(empty_plan(), "text"),
    "small.md": lambda: render(small_plan(), "markdown"),
    "every_kind.md": lambda: render(every_kind_plan(), "markdown"),
    "empty.md": lambda: render(empty_plan(), "markdown"),
    "small.truncated.md": lambda: render_markdown(small_plan(), max_chars=2500),
    # one action past the summary threshold
    "summarised.txt": lambda: render(big_plan(1_001), "text"),
    "summarised.md": lambda: render(big_plan(1_001), "markdown"),
}


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name, produce in CASES.items():
        path = GOLDEN / name
        new = produce()
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if new != old:
            path.write_text(new, encoding="utf-8", newline="\n")
            print(
                f"updated {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}"
            )


if __name__ == "__main__":
    main()
