"""Drift tests: a repository exported from the sandbox, and another app that writes to it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.apply.conftest import ITEM, LOCATION
from tests.conftest import ROOT, Store

ITEM = {**ITEM, "TSHIRT-RED-S": "gid://shopify/InventoryItem/43729030", "TENT-2P": "gid://shopify/InventoryItem/43729052", "MUG-TI-450": "gid://shopify/InventoryItem/43729057"}  # fmt: skip
VERSION = "2026-10"
# Every JSON report a test reads is held to the published schema.
DRIFT_SCHEMA = jsonschema.Draft202012Validator(
    json.loads((ROOT / "schemas" / "drift.schema.json").read_text(encoding="utf-8"))
)
OTHER_APP_TOKEN = "shpat_warehouse_app_0123456789abcdef"
MOVE = """mutation Move($input: InventoryMoveQuantitiesInput!, $key: String!) {
  inventoryMoveQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id createdAt }
    userErrors { field message }
  }
}"""
UPDATE = """mutation Update($id: ID!, $input: InventoryItemInput!) {
  inventoryItemUpdate(id: $id, input: $input) { userErrors { field message } }
}"""


class Repo:
    """A working directory with manifests exported from the sandbox; runs reconciler there."""

    def __init__(self, root: Path, store: Store) -> None:
        self.root = root
        self.store = store
        self.config = root / "reconciler.yaml"
        self.config.write_text(
            "locations:\n  aliases: {east: East Warehouse, west: West Warehouse, pdx: Portland Store}\n"
        )
        self.inventory = root / "inventory.yaml"

    def run(self, *args: str, epoch: int | None = None) -> Result:
        env = {
            "SHOPIFY_STORE": self.store.url,
            "SHOPIFY_ACCESS_TOKEN": self.store.token,
            "SHOPIFY_API_VERSION": VERSION,
            "NO_COLOR": "1",
            "SOURCE_DATE_EPOCH": None if epoch is None else str(epoch),
        }
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    def export(self, *args: str) -> None:
        result = self.run(
            "export", "--config", str(self.config), "--out", str(self.inventory), *args
        )
        assert result.exit_code == 0, result.output

    def drift(self, *args: str) -> Result:
        return self.run("drift", str(self.inventory), "--config", str(self.config), *args)

    def drift_json(self, *args: str) -> tuple[int, dict[str, Any]]:
        result = self.drift("--format", "json", *args)
        assert result.exit_code in (0, 2), result.output
        report = json.loads(result.stdout)
        DRIFT_SCHEMA.validate(report)
        return result.exit_code, report

    def edit(self, sku: str, old: str, new: str) -> None:
        """Replace `old` with `new` in the entry of `sku`."""
        text = self.inventory.read_text()
        start = text.index(f"  - sku: {sku}\n")
        end = text.find("  - sku: ", start + 1)
        end = len(text) if end < 0 else end
        assert text[start:end].count(old) == 1, (sku, old)
        self.inventory.write_text(text[:start] + text[start:end].replace(old, new) + text[end:])


@pytest.fixture
def repo(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    monkeypatch.chdir(tmp_path)
    yield Repo(tmp_path, store)


def sale(store: Store, sku: str, location: str, quantity: int) -> None:
    body = {"inventoryItemId": ITEM[sku], "locationId": LOCATION[location], "quantity": quantity}
    store.control("POST", "sale", body)


def other_app(store: Store, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Another app (a warehouse system) writing through the Admin API with its own token."""
    store.control("POST", "tokens", {"token": OTHER_APP_TOKEN, "app": "Warehouse app"})
    body = store.post(VERSION, query, variables, token=OTHER_APP_TOKEN).json()
    assert "errors" not in body, body
    return body


def foreign_move(store: Store, sku: str, location: str, to: str, quantity: int) -> str:
    """Another app moves units from available to `to`; returns its adjustment group's time."""
    levels = store.gql(
        VERSION,
        "query($id: ID!, $loc: ID!) { inventoryItem(id: $id) { inventoryLevel(locationId: $loc) {"
        ' quantities(names: ["available", "damaged", "reserved"]) { name quantity } } } }',
        {"id": ITEM[sku], "loc": LOCATION[location]},
    )["data"]["inventoryItem"]["inventoryLevel"]["quantities"]
    now = {q["name"]: q["quantity"] for q in levels}
    change = {
        "inventoryItemId": ITEM[sku],
        "quantity": quantity,
        "from": {"locationId": LOCATION[location], "name": "available", "changeFromQuantity": now["available"]},
        "to": {"locationId": LOCATION[location], "name": to, "changeFromQuantity": now[to],
               "ledgerDocumentUri": "gid://warehouse/Bin/7"},
    }  # fmt: skip
    variables = {
        "input": {"reason": "damaged", "referenceDocumentUri": "gid://warehouse/Count/1", "changes": [change]},
        "key": str(uuid.uuid4()),
    }  # fmt: skip
    body = other_app(store, MOVE, variables)
    payload = body["data"]["inventoryMoveQuantities"]
    assert payload["userErrors"] == [], payload
    return str(payload["inventoryAdjustmentGroup"]["createdAt"])
