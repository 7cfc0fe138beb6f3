"""Checks that refuse bad options up front: before the store is read, with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.apply.conftest import MANIFEST
from tests.conftest import Store


def _run(store: Store, *args: str, **env: str) -> Result:
    environment = {"SHOPIFY_STORE": store.url, "SHOPIFY_ACCESS_TOKEN": store.token, **env}
    return CliRunner().invoke(main, list(args), env=environment)


@pytest.fixture
def manifests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inventory.yaml").write_text(MANIFEST)
    return tmp_path


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (
            "missing/dir/plan.json",
            "--out missing/dir/plan.json: directory missing/dir does not exist",
        ),
        (".", "Invalid value for '--out': File '.' is a directory."),
    ],
)
def test_plan_out_is_checked_before_the_store_is_read(
    store: Store, manifests: Path, out: str, message: str
) -> None:
    """Was: found only after the store had been read (minutes, for a big catalogue)."""
    result = _run(store, "plan", "inventory.yaml", "--out", out)
    assert result.exit_code == 1
    assert message in result.output
    assert store.control("GET", "stats")["requests"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday-ish"], "--since 'yesterday-ish' is not a date"),
        (["--until", "2026-13-01"], "--until '2026-13-01' is not a date"),
        (["--since", "2026-11-02", "--until", "2026-11-01"], "--since 2026-11-02 is after --until"),
    ],
)
def test_history_refuses_dates_that_are_not(manifests: Path, args: list[str], message: str) -> None:
    """Was: exit 0 with nothing listed, as if no apply had happened."""
    result = CliRunner().invoke(main, ["history", *args])
    assert result.exit_code == 1 and message in result.output


def test_history_accepts_dates_and_times_with_offsets(manifests: Path) -> None:
    for since in ("2026-11-01", "2026-11-01T09:30:00Z", "2026-11-01T09:30:00+02:00"):
        result = CliRunner().invoke(main, ["history", "--since", since])
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "scheme_path", ["http://127.0.0.1:{port}/admin/api", "https://x.myshopify.com/admin"]
)
def test_a_store_url_with_a_path_is_refused_alike_for_http_and_https(
    store: Store, manifests: Path, scheme_path: str
) -> None:
    """Was: the http path silently dropped while https with a path was refused."""
    url = scheme_path.format(port=store.url.rsplit(":", 1)[1])
    result = _run(store, "plan", "inventory.yaml", "--store", url)
    assert result.exit_code == 1
    base = url.split("/admin")[0]
    assert "must be the store's base URL, without a path, query or fragment" in result.output
    assert f"use {base}" in result.output


def test_the_deadline_is_checked_from_flag_environment_and_config(
    store: Store, manifests: Path
) -> None:
    flag = _run(store, "plan", "inventory.yaml", "--deadline", "soon")
    assert flag.exit_code == 1 and "--deadline: 'soon' is not a duration" in flag.output
    env = _run(store, "plan", "inventory.yaml", RECONCILER_DEADLINE="-1")
    assert env.exit_code == 1 and "RECONCILER_DEADLINE: '-1' is not a duration" in env.output
    (manifests / "reconciler.yaml").write_text("deadline: later\n")
    config = _run(store, "plan", "inventory.yaml")
    assert config.exit_code == 1 and "reconciler.yaml:1" in config.output
    (manifests / "reconciler.yaml").write_text("deadline: 10m\n")
    assert _run(store, "plan", "inventory.yaml").exit_code == 0
