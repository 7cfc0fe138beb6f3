"""`make demo`: the main job against the embedded sandbox store, no credentials needed.

Starts a sandbox on examples/demo-store/store.json and walks the pipeline against it.
"""

from __future__ import annotations

import json
from pathlib import Path

import requests

from reconciler.sandbox import DEFAULT_TOKEN, LATEST_VERSION, Sandbox
from reconciler.sandbox import snapshot as snapshots

ROOT = Path(__file__).resolve().parent.parent
DEMO_STORE = ROOT / "examples" / "demo-store" / "store.json"

QUERY = """
query DemoInventory {
  locations(first: 10) { nodes { id name } }
  inventoryItems(first: 5, query: "sku:JACKET-RAIN-*") {
    nodes {
      sku
      unitCost { amount currencyCode }
      inventoryLevels(first: 5) {
        nodes {
          location { name }
          quantities(names: ["available", "committed", "on_hand"]) { name quantity }
        }
      }
    }
  }
}
"""


def main() -> None:
    with Sandbox(snapshots.read(DEMO_STORE)) as sandbox:
        print(f"Sandbox store running at {sandbox.url} (API {LATEST_VERSION})")
        response = requests.post(
            sandbox.graphql_url(LATEST_VERSION),
            json={"query": QUERY},
            headers={"X-Shopify-Access-Token": DEFAULT_TOKEN},
            timeout=60,
        )
        body = response.json()
        print(json.dumps(body["data"], indent=2))
        print("cost:", json.dumps(body["extensions"]["cost"]))


if __name__ == "__main__":
    main()
