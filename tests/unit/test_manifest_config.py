"""reconciler.yaml: found, read, checked; its aliases feed the manifests."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import ConfigError
from reconciler.manifest import Config, check_paths, find_config, load_config, read_config


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_full_config_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "reconciler.yaml",
        "store: shop.myshopify.com\napiVersion: 2026-04\nhistory: history/audit.jsonl\n"
        "locations:\n  aliases:\n    east: East Warehouse\n",
    )
    assert load_config(path) == Config(
        path=path.as_posix(),
        store="shop.myshopify.com",
        api_version="2026-04",
        history=tmp_path / "history" / "audit.jsonl",  # relative to the config file
        location_aliases={"east": "East Warehouse"},
    )


def test_empty_config_means_nothing_configured(tmp_path: Path) -> None:
    path = write(tmp_path / "reconciler.yaml", "# nothing yet\n")
    assert load_config(path) == Config(path=path.as_posix())


def test_no_config_at_all_is_fine() -> None:
    assert read_config(None) == (Config(), [])


def test_find_config_prefers_the_named_file_then_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_config(None) is None
    write(tmp_path / "reconciler.yaml", "{}\n")
    assert find_config(None) == Path("reconciler.yaml")
    assert find_config(Path("other.yaml")) == Path("other.yaml")


def test_default_config_aliases_apply_without_an_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "reconciler.yaml", "locations: {aliases: {east: East Warehouse}}\n")
    manifest = write(
        tmp_path / "m.yaml", "items:\n  - sku: X\n    levels: {east: {available: 1}}\n"
    )
    check = check_paths([manifest])
    assert check.state is not None
    assert check.state.items[0].levels[0].location == "East Warehouse"


def test_the_config_in_a_manifest_directory_is_not_read_as_a_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "reconciler.yaml", "apiVersion: 2026-04\n")
    write(tmp_path / "m.yaml", "items: []\n")
    check = check_paths([tmp_path])
    assert check.problems == []
    assert check.files == ((tmp_path / "m.yaml").as_posix(),)


def test_missing_named_config_is_a_problem(tmp_path: Path) -> None:
    _, problems = read_config(tmp_path / "nope.yaml")
    assert [str(p) for p in problems] == [
        f"{(tmp_path / 'nope.yaml').as_posix()}: config file not found"
    ]


def test_config_problems_raise_config_error_listing_them(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", "apiVersion: 2026-13\nstore: 3\nlocations: []\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    name = path.as_posix()
    assert str(caught.value) == (
        "2 problems in the config file:\n"
        f'  {name}:1: apiVersion: "2026-13" is not a Shopify API version: versions are '
        "quarterly, YYYY-01, -04, -07 or -10 (e.g. 2026-04)\n"
        f"  {name}:3: locations: expected a mapping (key: value lines), got a list"
    )


def test_a_config_problem_makes_validation_fail(tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", "locations: {aliases: {a: X, A: Y}}\n")
    manifest = write(tmp_path / "m.yaml", "items: []\n")
    check = check_paths([manifest], config)
    assert [p.message for p in check.problems] == [
        'alias differs from "a" (line 1) only by case; keep one of them'
    ]
    assert check.state is None
