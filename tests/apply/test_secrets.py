"""The access token never appears in output, plans, journals, history, logs or errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import main
from reconciler.secrets import Secret, redact
from tests.apply.conftest import MANIFEST
from tests.conftest import Store

TOKEN = "shpat_" + "7f3a" * 8  # shaped like a real Admin API token; valid only in the sandbox


def _everything_written(root: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("version", ["2025-01", "2026-10"])
def test_a_full_run_never_writes_the_token(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    monkeypatch.chdir(tmp_path)
    store.control("POST", "tokens", {"token": TOKEN})
    env = {
        "SHOPIFY_STORE": store.url,
        "SHOPIFY_ACCESS_TOKEN": TOKEN,
        "SHOPIFY_API_VERSION": version,
    }
    (tmp_path / "inventory.yaml").write_text(MANIFEST)
    runner = CliRunner()
    outputs = []
    for args in (
        ["plan", "inventory.yaml", "--out", "plan.json"],
        ["plan", "inventory.yaml", "--format", "json"],
        ["plan", "inventory.yaml", "--format", "markdown"],
        ["apply", "plan.json", "--format", "json"],
        ["history", "--format", "json"],
        ["history", "verify"],
    ):
        result = runner.invoke(main, args, env=env)
        outputs.append(result.output)
        assert result.exit_code == 0, result.output
    assert TOKEN not in "\n".join(outputs)
    assert TOKEN not in _everything_written(tmp_path)
    assert json.loads((tmp_path / "plan.json").read_text())["plan_id"]


def test_a_refused_token_is_not_echoed(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inventory.yaml").write_text(MANIFEST)
    env = {"SHOPIFY_STORE": store.url, "SHOPIFY_ACCESS_TOKEN": TOKEN}
    result = CliRunner().invoke(main, ["plan", "inventory.yaml"], env=env)
    assert result.exit_code == 1
    assert "the access token was refused" in result.output
    assert TOKEN not in result.output
    assert TOKEN not in _everything_written(tmp_path)


def test_secret_and_redact() -> None:
    secret = Secret("my-private-token-123")
    assert "my-private" not in repr(secret) and "my-private" not in str(secret)
    assert (
        redact("failed with my-private-token-123 in it", secret) == "failed with [REDACTED] in it"
    )
    assert redact(f"header {TOKEN}") == "header [REDACTED]"
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(secret)
