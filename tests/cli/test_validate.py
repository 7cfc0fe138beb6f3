"""`reconciler validate`: wiring, output formats, exit codes, and bad input without tracebacks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def run(*arguments: str) -> Result:
    return CliRunner().invoke(main, ["validate", *arguments])


@pytest.fixture(autouse=True)
def _in_empty_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_examples_are_valid() -> None:
    result = run(str(EXAMPLES / "manifests"), "--config", str(EXAMPLES / "reconciler.yaml"))
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "valid: 2 files, 30 items, 70 levels\n",
        "",
    )


def test_the_examples_are_valid_when_named_file_by_file_as_pre_commit_does() -> None:
    files = sorted(str(p) for p in (EXAMPLES / "manifests").glob("*.yaml"))
    result = run(*files, str(EXAMPLES / "reconciler.yaml"))
    assert (result.exit_code, result.stdout) == (0, "valid: 2 files, 30 items, 70 levels\n")


def test_json_output_when_valid(tmp_path: Path) -> None:
    manifest = write(tmp_path / "m.yaml", "items:\n  - sku: X\n    levels: {A: {available: 1}}\n")
    result = run(str(manifest), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "valid": True,
        "files": 1,
        "items": 1,
        "levels": 1,
        "problems": [],
    }


def test_json_output_when_invalid(tmp_path: Path) -> None:
    manifest = write(tmp_path / "m.yaml", "items:\n  - sku: X\n    cost: -1\n")
    result = run(str(manifest), "--format", "json")
    assert result.exit_code == 1
    assert result.stderr == ""
    assert json.loads(result.stdout) == {
        "valid": False,
        "files": 1,
        "problems": [
            {
                "file": manifest.as_posix(),
                "line": 3,
                "path": "items[0].cost",
                "message": "-1 is negative; a cost must be 0 or more (Shopify refuses negative costs)",
            }
        ],
    }


def test_problems_from_every_file_are_reported_in_one_run(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "items:\n  - sku: X\n    tracked: maybe\n")
    write(tmp_path / "b" / "c.yml", "items:\n  - sku: Y\n    levels: {A: {avaliable: 1}}\n")
    result = run(str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{tmp_path.as_posix()}/a.yaml:3: items[0].tracked: expected true or false, got maybe",
        f'{tmp_path.as_posix()}/b/c.yml:3: items[0].levels["A"].avaliable: unknown key; '
        "did you mean `available`?",
    ]
    assert result.stderr == "2 problems in 2 files\n"


def test_missing_path_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == f"{(tmp_path / 'nope').as_posix()}: no such file or directory\n"


def test_missing_config_is_a_problem(tmp_path: Path) -> None:
    manifest = write(tmp_path / "m.yaml", "items: []\n")
    result = run(str(manifest), "--config", "missing.yaml")
    assert (result.exit_code, result.stdout) == (1, "missing.yaml: config file not found\n")


def test_directory_without_manifests(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    result = run(str(tmp_path / "d"))
    assert result.exit_code == 1
    assert result.stdout == (
        f"{(tmp_path / 'd').as_posix()}: no *.yaml or *.yml files in directory "
        f"{(tmp_path / 'd').as_posix()}\n"
    )


def test_reconciler_yaml_in_the_working_directory_is_used(tmp_path: Path) -> None:
    write(tmp_path / "reconciler.yaml", "locations: {aliases: {east: East Warehouse}}\n")
    write(tmp_path / "m.yaml", "items:\n  - sku: X\n    levels:\n      east: {available: 1}\n")
    write(
        tmp_path / "n.yaml", "items:\n  - sku: Y\n    levels:\n      East Warehouse: {damaged: 1}\n"
    )
    result = run(".")
    assert (result.exit_code, result.stdout) == (0, "valid: 2 files, 2 items, 2 levels\n")
    write(
        tmp_path / "o.yaml",
        "items:\n  - sku: Z\n    levels:\n      east: {available: 1}\n"
        "      East Warehouse: {available: 2}\n",
    )
    result = run("o.yaml")
    assert result.stdout == (
        'o.yaml:5: items[0].levels["East Warehouse"]: this is "East Warehouse" again '
        '(declared as "east" at line 4); declare each location once per item\n'
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path) -> None:
    manifest = write(tmp_path / "m.yaml", "items: []\n")
    manifest.chmod(0)
    result = run(str(manifest))
    assert result.exit_code == 1
    assert result.stdout == f"{manifest.as_posix()}: cannot read file: Permission denied\n"


def test_no_path_is_a_usage_error() -> None:
    """Exit 1, not click's 2: 2 means "changes" for plan --detailed-exitcode."""
    result = run()
    assert result.exit_code == 1
    assert "Missing argument 'PATHS...'" in result.stderr


def test_a_thousand_items_validate(tmp_path: Path) -> None:
    # How fast is benchmarks/manifest_bench.py's job (its smoke run is in the suite); a
    # wall-clock bound here only flakes on a loaded machine.
    rows = ["items:"]
    for n in range(1000):
        rows += [
            f"  - sku: SKU-{n:04}",
            '    cost: "8.40"',
            "    countryCodeOfOrigin: PT",
            "    levels:",
            "      East Warehouse: {available: 5, damaged: 1}",
            "      West Warehouse: {on_hand: 9}",
        ]
    manifest = write(tmp_path / "big.yaml", "\n".join(rows) + "\n")
    result = run(str(manifest))
    assert result.stdout == "valid: 1 file, 1000 items, 2000 levels\n"
