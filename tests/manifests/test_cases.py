"""Example manifests as tests: positive/ must validate, negative/ must print exactly what they say.

A negative case is a file, or a directory of files (with an optional reconciler.yaml passed as
--config). Each file starts with one `# expect: LINE: PATH: MESSAGE` comment per problem it must
produce, written as `reconciler validate` prints it without the leading `FILE:`; `{case}` stands
for the case's own path. Adding a regression is adding a file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import main

HERE = Path(__file__).resolve().parent
POSITIVE = sorted((HERE / "positive").iterdir())
NEGATIVE = sorted((HERE / "negative").iterdir())
EXPECT = b"# expect: "


def _files(case: Path) -> list[Path]:
    """The case's files in the order validate reports them: config first, then sorted."""
    if case.is_file():
        return [case]
    config = [case / "reconciler.yaml"] if (case / "reconciler.yaml").is_file() else []
    manifests = sorted(p for p in case.rglob("*.y*ml") if p.name != "reconciler.yaml")
    return config + manifests


def _arguments(case: Path) -> list[str]:
    arguments = ["validate", str(case)]
    if case.is_dir() and (case / "reconciler.yaml").is_file():
        arguments += ["--config", str(case / "reconciler.yaml")]
    return arguments


def _expected(case: Path) -> list[str]:
    lines = []
    for file in _files(case):
        for raw in file.read_bytes().splitlines():
            if raw.startswith(EXPECT):
                text = raw[len(EXPECT) :].decode("utf-8").replace("{case}", str(case))
                lines.append(f"{file}:{text}")
    return lines


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./reconciler.yaml of the checkout's can leak in


def test_there_are_enough_cases() -> None:
    assert len(NEGATIVE) >= 35
    assert all(_expected(case) for case in NEGATIVE), "every negative case states its messages"


@pytest.mark.parametrize("case", NEGATIVE, ids=lambda p: p.stem)
def test_negative_case_prints_exactly_its_expected_problems(case: Path) -> None:
    expected = _expected(case)
    result = CliRunner().invoke(main, _arguments(case))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == expected
    files = {line.split(":", 1)[0] for line in expected}
    count, plural = len(expected), "" if len(expected) == 1 else "s"
    where = f"{len(files)} file{'' if len(files) == 1 else 's'}"
    assert result.stderr == f"{count} problem{plural} in {where}\n"


@pytest.mark.parametrize("case", NEGATIVE, ids=lambda p: p.stem)
def test_negative_case_as_json_carries_the_same_problems(case: Path) -> None:
    result = CliRunner().invoke(main, [*_arguments(case), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["valid"] is False
    printed = [
        f"{p['file']}:{p['line']}: " + (f"{p['path']}: " if p["path"] else "") + p["message"]
        for p in document["problems"]
    ]
    assert printed == _expected(case)


@pytest.mark.parametrize("case", POSITIVE, ids=lambda p: p.stem)
def test_positive_case_is_valid(case: Path) -> None:
    result = CliRunner().invoke(main, _arguments(case))
    assert result.stdout.startswith("valid: "), result.stdout
    assert result.exit_code == 0
    assert result.stderr == ""
