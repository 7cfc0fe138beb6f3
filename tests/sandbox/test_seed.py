"""The seed document (inventoryItemUpdate, 2025-01) replays byte-for-byte in `data`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Store

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed-inventory-item-update.json"


def test_seed_inventory_item_update_returns_the_documented_response(store: Store) -> None:
    seed = json.loads(SEED.read_text())
    body = store.gql("2025-01", seed["query"], seed["variables"])
    assert body["data"] == seed["response"]["data"]
    assert "errors" not in body
