"""Multi-store tests: a repository with two stores (stores/eu, stores/us), each its own sandbox
over HTTP with its own token; reconciler runs in the repository's root."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.sandbox import Sandbox
from tests.conftest import CALENDAR, Store, demo_snapshot

EU_TOKEN = "shpat_eu0123456789abcdef0123456789"
US_TOKEN = "shpat_us9876543210fedcba9876543210"
VERSION = "2026-10"
ALIASES = (
    "locations:\n  aliases: {east: East Warehouse, west: West Warehouse, pdx: Portland Store}\n"
)


@pytest.fixture(scope="session")
def _two_sandboxes() -> Iterator[tuple[Sandbox, Sandbox]]:
    with (
        Sandbox(demo_snapshot(), token=EU_TOKEN, **CALENDAR) as eu,
        Sandbox(demo_snapshot(), token=US_TOKEN, **CALENDAR) as us,
    ):
        yield eu, us


class Repo:
    """An inventory repository holding two stores; runs reconciler in its root."""

    def __init__(self, root: Path, eu: Store, us: Store) -> None:
        self.root = root
        self.eu, self.us = eu, us
        (root / ".git").mkdir()  # the repository's root: store discovery stops here
        self.config("eu", f"store: {eu.url}\napiVersion: '{VERSION}'\n{ALIASES}")
        self.config("us", f"store: {us.url}\napiVersion: '{VERSION}'\ntokenEnv: US_INVENTORY_TOKEN\n{ALIASES}")  # fmt: skip
        self.env: dict[str, str | None] = {
            "SHOPIFY_ACCESS_TOKEN_EU": EU_TOKEN,
            "US_INVENTORY_TOKEN": US_TOKEN,
            "SHOPIFY_ACCESS_TOKEN": None,
            "SHOPIFY_STORE": None,
            "SHOPIFY_API_VERSION": None,
            "NO_COLOR": "1",
        }
        self.outputs: list[str] = []  # everything any run printed, for the secrets check

    def config(self, name: str, text: str) -> Path:
        path = self.root / "stores" / name / "reconciler.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def manifest(self, name: str) -> Path:
        return self.root / "stores" / name / "inventory.yaml"

    def run(self, *args: str, **env: str | None) -> Result:
        result = CliRunner().invoke(
            main, list(args), env={**self.env, **env}, catch_exceptions=False
        )
        self.outputs.extend([result.stdout, result.stderr])
        return result

    def export(self, name: str) -> None:
        """`reconciler export --out stores/<name>/inventory.yaml`: the store's own config."""
        result = self.run("export", "--out", f"stores/{name}/inventory.yaml")
        assert result.exit_code == 0, result.output

    def edit(self, name: str, sku: str, old: str, new: str) -> None:
        """Replace `old` with `new` in the entry of `sku` in the store's manifest."""
        path = self.manifest(name)
        text = path.read_text()
        start = text.index(f"  - sku: {sku}\n")
        end = text.find("  - sku: ", start + 1)
        end = len(text) if end < 0 else end
        assert text[start:end].count(old) == 1, (sku, old, text[start:end])
        path.write_text(text[:start] + text[start:end].replace(old, new) + text[end:])

    def json(self, *args: str, **env: str | None) -> tuple[int, dict[str, Any]]:
        result = self.run(*args, "--format", "json", **env)
        return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def repo(
    _two_sandboxes: tuple[Sandbox, Sandbox], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Repo]:
    eu, us = (Store(sandbox) for sandbox in _two_sandboxes)
    for store in (eu, us):
        store.token = store.sandbox.token
        store.control("POST", "reset")
        store.control("DELETE", "stats")
    monkeypatch.chdir(tmp_path)
    yield Repo(tmp_path, eu, us)
    for store in (eu, us):
        store.http.close()
