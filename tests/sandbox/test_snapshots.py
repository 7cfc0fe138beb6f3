"""Store snapshots and the control plane, over real HTTP.

Loading replaces the store; an invalid snapshot is refused whole, with every problem listed as
``<JSON path>: <reason>``, and leaves the store as it was. Export → load is the identity.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from reconciler.sandbox import VERSIONS, SnapshotError
from reconciler.sandbox import snapshot as snapshots
from reconciler.sandbox.state import State
from tests.conftest import DEMO_SNAPSHOT, Store, demo_snapshot

STORED = (
    "available",
    "committed",
    "damaged",
    "incoming",
    "quality_control",
    "reserved",
    "safety_stock",
)


def number(gid: str) -> int:
    return int(gid.rsplit("/", 1)[-1])


def expected_export(data: dict[str, Any]) -> dict[str, Any]:
    """What exporting a loaded snapshot must give: the snapshot with every default spelled out."""
    out: dict[str, Any] = {}
    if data.get("shop"):
        out["shop"] = data["shop"]
    out["locations"] = []
    for loc in sorted(data["locations"], key=lambda x: number(x["id"])):
        entry = {
            "id": loc["id"],
            "name": loc["name"],
            "isActive": loc.get("isActive", True),
            "fulfillsOnlineOrders": loc.get("fulfillsOnlineOrders", True),
        }
        if loc.get("address"):
            entry["address"] = {
                k: loc["address"].get(k)
                for k in ("address1", "city", "provinceCode", "countryCode", "zip")
            }
        out["locations"].append(entry)
    out["inventoryItems"] = []
    for item in sorted(data["inventoryItems"], key=lambda x: number(x["id"])):
        n = number(item["id"])
        variant = item.get("variant") or {}
        product = variant.get("product") or {}
        cost = item.get("unitCost")
        out["inventoryItems"].append(
            {
                "id": item["id"],
                "sku": item.get("sku"),
                "tracked": item.get("tracked", True),
                "unitCost": None if cost is None else Decimal(str(cost)),
                "countryCodeOfOrigin": item.get("countryCodeOfOrigin"),
                "provinceCodeOfOrigin": item.get("provinceCodeOfOrigin"),
                "harmonizedSystemCode": item.get("harmonizedSystemCode"),
                "countryHarmonizedSystemCodes": [
                    {
                        "countryCode": c.get("countryCode"),
                        "harmonizedSystemCode": c["harmonizedSystemCode"],
                    }
                    for c in item.get("countryHarmonizedSystemCodes", [])
                ],
                "measurement": {
                    "weight": (item.get("measurement") or {}).get("weight")
                    or {"value": 0.0, "unit": "KILOGRAMS"}
                },
                "requiresShipping": item.get("requiresShipping", True),
                "variant": {
                    "id": variant.get("id", f"gid://shopify/ProductVariant/{n + 1_000_000_000}"),
                    "title": variant.get("title", "Default Title"),
                    "product": {
                        "id": product.get("id", f"gid://shopify/Product/{n + 2_000_000_000}"),
                        "title": product.get("title") or item.get("sku") or f"Product {n}",
                    },
                },
                "levels": [
                    {
                        "locationId": level["locationId"],
                        "isActive": level.get("isActive", True),
                        "quantities": {
                            name: level.get("quantities", {}).get(name, 0)
                            for name in STORED
                            if level.get("quantities", {}).get(name) or name == "available"
                        },
                    }
                    for level in sorted(
                        item.get("levels", []), key=lambda lv: number(lv["locationId"])
                    )
                ],
            }
        )
    return out


def comparable(exported: dict[str, Any]) -> dict[str, Any]:
    """Decimal strings compare by value ("8.40" == "8.4")."""
    out = copy.deepcopy(exported)
    for item in out["inventoryItems"]:
        if item["unitCost"] is not None:
            item["unitCost"] = Decimal(item["unitCost"])
    return out


def test_export_of_the_demo_store_is_the_demo_snapshot_with_defaults(store: Store) -> None:
    exported = store.control("GET", "snapshot")
    assert comparable(exported) == expected_export(demo_snapshot())


def test_export_then_load_round_trips(store: Store) -> None:
    store.control(
        "POST",
        "sale",
        {
            "inventoryItemId": "gid://shopify/InventoryItem/43729030",
            "locationId": "gid://shopify/Location/68509171945",
            "quantity": 2,
        },
    )
    first = store.control("GET", "snapshot")
    assert store.control("PUT", "snapshot", first)["items"] == 30
    second = store.control("GET", "snapshot")
    assert second == first
    level = first["inventoryItems"][0]["levels"][0]
    assert level == {
        "locationId": "gid://shopify/Location/68509171945",
        "isActive": True,
        "quantities": {"available": 13, "committed": 2, "incoming": 48},
    }


def test_yaml_and_json_files_load_the_same_store(tmp_path: Path) -> None:
    data = demo_snapshot()
    as_yaml = tmp_path / "store.yaml"
    as_yaml.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    from_yaml = snapshots.read(as_yaml)
    from_json = snapshots.read(DEMO_SNAPSHOT)
    assert from_yaml == from_json == data
    state_yaml, state_json = State(None), State(None)
    snapshots.load(state_yaml, from_yaml)
    snapshots.load(state_json, from_json)
    assert snapshots.export(state_yaml) == snapshots.export(state_json)
    assert state_yaml.counts() == {
        "locations": 3,
        "items": 30,
        "levels": 71,
        "adjustment_groups": 0,
    }


def test_unreadable_files_are_refused_with_the_reason(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"locations": [', encoding="utf-8")
    with pytest.raises(SnapshotError) as caught:
        snapshots.read(broken)
    assert caught.value.problems == [
        "$: not valid JSON: Expecting value: line 1 column 16 (char 15)"
    ]
    assert str(caught.value).startswith(
        f"{broken}: invalid store snapshot (1 problem):\n  $: not valid JSON"
    )
    listed = tmp_path / "list.yml"
    listed.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(SnapshotError) as caught:
        snapshots.read(listed)
    assert caught.value.problems == ["$: the top level must be an object"]


def bad_snapshot() -> dict[str, Any]:
    data = demo_snapshot()
    data["locations"].append(dict(data["locations"][0]))  # duplicate id
    data["locations"][1]["nickname"] = "WW"  # unknown property
    del data["locations"][2]["name"]  # missing name
    items = data["inventoryItems"]
    items[1]["id"] = items[0]["id"]  # duplicate item id
    items[2]["levels"][0]["locationId"] = "gid://shopify/Location/404"  # unknown location
    items[3]["levels"][0]["quantities"]["available"] = "12"  # not an integer
    items[4]["levels"].append(dict(items[4]["levels"][0]))  # second level at the same location
    items[5]["unitCost"] = "cheap"
    items[6]["id"] = "gid://shopify/Product/1"
    return data


BAD_SNAPSHOT_PROBLEMS = [
    "$.locations[1]: Additional properties are not allowed ('nickname' was unexpected)",
    "$.locations[2]: 'name' is a required property",
    "$.locations[3].id: duplicate location id gid://shopify/Location/68509171945 (also at "
    "$.locations[0])",
    "$.inventoryItems[1].id: duplicate inventory item id gid://shopify/InventoryItem/43729030 "
    "(also at $.inventoryItems[0])",
    "$.inventoryItems[2].levels[0].locationId: gid://shopify/Location/404 is not a location of "
    "this snapshot",
    "$.inventoryItems[3].levels[0].quantities.available: '12' is not of type 'integer'",
    "$.inventoryItems[4].levels[2].locationId: the item already has a level at "
    "gid://shopify/Location/68509171945 (levels[0])",
    "$.inventoryItems[5].unitCost: 'cheap' is not valid: a non-negative decimal as a string "
    '("12.50") or a number, or {"amount", "currencyCode"}',
    "$.inventoryItems[6].id: 'gid://shopify/Product/1' is not valid: an InventoryItem gid, "
    "gid://shopify/InventoryItem/<number>",
]


def test_an_invalid_snapshot_lists_every_problem_and_changes_nothing(store: Store) -> None:
    store.control(
        "POST",
        "sale",
        {
            "inventoryItemId": "gid://shopify/InventoryItem/43729030",
            "locationId": "gid://shopify/Location/68509171945",
            "quantity": 1,
        },
    )
    before = store.control("GET", "snapshot")
    history = store.control("GET", "history")
    response = store.http.put(f"{store.url}/__sandbox/snapshot", json=bad_snapshot(), timeout=30)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid store snapshot", "problems": BAD_SNAPSHOT_PROBLEMS}
    assert store.control("GET", "snapshot") == before
    assert store.control("GET", "history") == history
    assert len(history["adjustmentGroups"]) == 1


def test_snapshot_error_message_names_the_source_and_counts_problems() -> None:
    with pytest.raises(SnapshotError) as caught:
        snapshots.validate(bad_snapshot(), "stores/bad.json")
    message = str(caught.value)
    assert message.splitlines()[0] == "stores/bad.json: invalid store snapshot (9 problems):"
    assert message.splitlines()[1:] == [f"  {p}" for p in BAD_SNAPSHOT_PROBLEMS]


def test_ids_beyond_sqlite_integers_are_refused() -> None:
    data = demo_snapshot()
    data["inventoryItems"][0]["id"] = "gid://shopify/InventoryItem/99999999999999999999"
    with pytest.raises(SnapshotError) as caught:
        snapshots.validate(data)
    assert caught.value.problems == [
        "$.inventoryItems[0].id: gid://shopify/InventoryItem/99999999999999999999 has a number "
        "above 9223372036854775807"
    ]


def test_a_load_failing_in_the_database_rolls_back_to_the_previous_store() -> None:
    state = State(None)
    snapshots.load(state, demo_snapshot())
    before = snapshots.export(state)
    data = demo_snapshot()
    # Skip validation so that SQLite itself refuses the 30th item, after the wipe and the
    # first 29 inserts: the transaction must leave the previous store whole.
    data["inventoryItems"][29]["id"] = "gid://shopify/InventoryItem/99999999999999999999"
    with pytest.raises(OverflowError):
        snapshots.load(state, data, validated=True)
    assert snapshots.export(state) == before


def test_generate_makes_a_deterministic_store(store: Store) -> None:
    counts = store.control("POST", "generate", {"items": 25, "locations": 3, "seed": 9})
    assert counts == {"ok": True, "locations": 3, "items": 25, "levels": 75, "adjustment_groups": 0}
    exported = store.control("GET", "snapshot")
    reference = State(None)
    snapshots.load(reference, snapshots.generate(25, 3, 9))  # the validated, dict-based path
    assert exported == snapshots.export(reference)
    assert exported["inventoryItems"][0]["sku"] == "SKU-0000000"
    assert [loc["name"] for loc in exported["locations"]] == [
        "Location 01",
        "Location 02",
        "Location 03",
    ]
    store.control("POST", "generate", {"items": 25, "locations": 3, "seed": 9})
    assert store.control("GET", "snapshot") == exported
    store.control("POST", "generate", {"items": 25, "locations": 3, "seed": 10})
    assert store.control("GET", "snapshot") != exported


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"items": -1}, "items must be at least 0, got -1"),
        ({"items": "many"}, "items must be an integer, got 'many'"),
        ({"locations": 0}, "locations must be at least 1, got 0"),
        ({"seed": 1.5}, "seed must be an integer, got 1.5"),
        ({"item": 3}, "unknown field(s) item; expected items, locations, seed"),
        ([1, 2], "expected a JSON object in the request body"),
    ],
)
def test_generate_refuses_bad_specs(store: Store, body: Any, message: str) -> None:
    response = store.http.post(f"{store.url}/__sandbox/generate", json=body, timeout=30)
    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert store.control("GET", "health")["items"] == 30


def test_reset_returns_to_the_start_snapshot_or_to_the_body(store: Store) -> None:
    store.control("POST", "generate", {"items": 2, "locations": 1, "seed": 1})
    assert store.control("POST", "reset") == {
        "ok": True,
        "locations": 3,
        "items": 30,
        "levels": 71,
        "adjustment_groups": 0,
    }
    assert comparable(store.control("GET", "snapshot")) == expected_export(demo_snapshot())
    small = {
        "locations": [{"id": "gid://shopify/Location/1", "name": "Only"}],
        "inventoryItems": [],
    }
    assert store.control("POST", "reset", small)["locations"] == 1
    assert store.control("GET", "snapshot") == {
        "locations": [
            {
                "id": "gid://shopify/Location/1",
                "name": "Only",
                "isActive": True,
                "fulfillsOnlineOrders": True,
            }
        ],
        "inventoryItems": [],
    }


def test_shop_settings_of_a_snapshot_are_served(store: Store) -> None:
    body = store.gql("2026-10", "{ shop { name myshopifyDomain currencyCode } }")
    assert body["data"]["shop"] == {
        "name": "Northwind Outfitters",
        "myshopifyDomain": "northwind-outfitters.myshopify.com",
        "currencyCode": "USD",
    }


# -- control plane errors ----------------------------------------------------------------------


def test_unknown_control_route_is_404_json(store: Store) -> None:
    response = requests.get(f"{store.url}/__sandbox/nope", timeout=30)
    assert response.status_code == 404
    assert response.json() == {"error": "no control route GET /__sandbox/nope"}


def test_wrong_method_is_405_with_allow(store: Store) -> None:
    response = requests.delete(f"{store.url}/__sandbox/reset", timeout=30)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.json() == {"error": "/__sandbox/reset does not accept DELETE; use POST"}


def test_body_that_is_not_json_is_400(store: Store) -> None:
    response = requests.put(
        f"{store.url}/__sandbox/snapshot",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "the request body is not valid JSON: Expecting property name enclosed in double "
        "quotes: line 1 column 2 (char 1)"
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"hold": "DONE"}, "hold must be one of CREATED, RUNNING or null"),
        ({}, "expected one or more of hold, fail, expire, expireUrl, limitReached"),
    ],
)
def test_bad_bulk_hold_is_400(store: Store, body: Any, message: str) -> None:
    response = requests.post(f"{store.url}/__sandbox/bulk", json=body, timeout=30)
    assert response.status_code == 400
    assert response.json() == {"error": message}


def test_health_reports_counts_and_persistence(store: Store) -> None:
    health = store.control("GET", "health")
    assert health == {
        "ok": True,
        "versions": list(VERSIONS),
        "persistent": False,
        "locations": 3,
        "items": 30,
        "levels": 71,
        "adjustment_groups": 0,
    }
    assert json.loads(json.dumps(health)) == health
