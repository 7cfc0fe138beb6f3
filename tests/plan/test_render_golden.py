"""Every renderer's output for the sample plans, compared byte for byte with tests/plan/golden.

When a change to the output is intended: `.venv/bin/python -m tests.plan.update_golden`, then
review `git diff tests/plan/golden` like code.
"""

from __future__ import annotations

import difflib

import pytest

from .update_golden import CASES, GOLDEN


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_matches_golden(name: str) -> None:
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    actual = CASES[name]()
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                f"golden/{name}",
                "rendered",
            )
        )
        pytest.fail(
            f"{name} differs from its golden file:\n{diff}\n"
            "If intended: .venv/bin/python -m tests.plan.update_golden, then review the diff."
        )


def test_every_golden_file_has_a_case() -> None:
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(CASES)
