"""Apply tests: a working directory, the environment pointing at the sandbox, CLI helpers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.conftest import Store

ITEM = {
    "TSHIRT-RED-M": "gid://shopify/InventoryItem/43729031",
    "BOOT-HIKE-44": "gid://shopify/InventoryItem/43729049",
    "BEANIE-ORG": "gid://shopify/InventoryItem/43729044",
}
LOCATION = {
    "East Warehouse": "gid://shopify/Location/68509171945",
    "West Warehouse": "gid://shopify/Location/68509204713",
    "Portland Store": "gid://shopify/Location/68509237481",
}

MANIFEST = """\
reason: correction
items:
  - sku: TSHIRT-RED-M
    cost: "9.10"
    levels:
      East Warehouse: {available: 10, damaged: 2}
      Portland Store: {on_hand: 5}
  - sku: BOOT-HIKE-44
    levels:
      Portland Store: {available: 4}
"""


class Workspace:
    """A temporary repo-like directory with manifests, talking to the sandbox."""

    def __init__(self, root: Path, store: Store, version: str) -> None:
        self.root = root
        self.store = store
        self.version = version
        self.runner = CliRunner()

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.write_text(text, encoding="utf-8")
        return path

    def run(self, *args: str, input: str | None = None) -> Result:
        env = {
            "SHOPIFY_STORE": self.store.url,
            "SHOPIFY_ACCESS_TOKEN": self.store.token,
            "SHOPIFY_API_VERSION": self.version,
            "NO_COLOR": "1",
            "SOURCE_DATE_EPOCH": "1795000000",
        }
        return self.runner.invoke(main, list(args), env=env, input=input, catch_exceptions=False)

    def quantities(self, sku: str, location: str) -> dict[str, int]:
        query = """query($id: ID!, $loc: ID!) { inventoryItem(id: $id) { inventoryLevel(locationId: $loc) {
          quantities(names: ["available","committed","damaged","on_hand","reserved"]) { name quantity } } } }"""
        body = self.store.gql("2026-10", query, {"id": ITEM[sku], "loc": LOCATION[location]})
        level = body["data"]["inventoryItem"]["inventoryLevel"]
        return {q["name"]: q["quantity"] for q in level["quantities"]} if level else {}

    def groups(self) -> list[dict[str, Any]]:
        """Shopify's inventory history (adjustment groups) in the sandbox."""
        groups: list[dict[str, Any]] = self.store.control("GET", "history")["adjustmentGroups"]
        return [g for g in groups if g["app"] != "Online Store"]

    def history(self) -> list[dict[str, Any]]:
        path = self.root / "reconciler-history.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(params=["2025-01", "2026-10"])
def workspace(
    request: pytest.FixtureRequest, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Workspace]:
    monkeypatch.chdir(tmp_path)
    yield Workspace(tmp_path, store, request.param)
