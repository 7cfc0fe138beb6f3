"""Every folder under tests/cases/ planned through the real CLI against the sandbox over HTTP.

See tests/cases/runner.py for the folder layout and the only two normalisations (the sandbox's
random port and the plan id that hashes it). Regenerate with `python -m tests.cases.update_golden`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Store

from .runner import Case, apply_and_replan, discover, run_case

CASES = discover()


def test_enough_cases_are_discovered() -> None:
    assert len(CASES) >= 25, [c.name for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case, store: Store, tmp_path: Path) -> None:
    produced = run_case(case, store, tmp_path)
    for fmt, code in produced.exit_codes.items():
        assert code == case.expect_exit, f"--format {fmt} exited {code}:\n{produced.outputs[fmt]}"
    if case.refused:
        assert produced.stdout_on_refusal == "", "a refused plan must print nothing on stdout"
    else:
        assert produced.json_twice_identical, "planning twice gave different JSON bytes"
    for fmt, path in case.expected_files().items():
        expected = path.read_text(encoding="utf-8")
        assert produced.outputs[fmt] == expected, f"{path.name} differs (see update_golden)"
    stray = {p.name for p in case.folder.glob("expected.*")} - {
        p.name for p in case.expected_files().values()
    }
    assert not stray, f"{case.name}: golden files for formats this case does not produce: {stray}"


CHANGING = [c for c in CASES if c.expect_exit == 2]


@pytest.mark.parametrize("case", CHANGING, ids=[c.name for c in CHANGING])
def test_case_applies_and_leaves_nothing_to_do(case: Case, store: Store, tmp_path: Path) -> None:
    """The golden plan, applied to the sandbox, succeeds; planning again finds no changes."""
    applied, output, replanned, text = apply_and_replan(case, store, tmp_path)
    assert applied == 0, output
    assert replanned == 0, text
