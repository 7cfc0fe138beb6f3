"""Paged and bulk reads give the identical `LiveState` for the same store (over HTTP).

Hypothesis draws small stores (shared and missing SKUs, case twins, inactive levels, negative
available, HS codes, weights, untracked items), loads each into the sandbox, and reads it both
ways on a drawn API version, for manifests naming a drawn subset of SKUs and pinned ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.live import ReadReport, ReadSettings, iter_items, read_live
from reconciler.model import DesiredItem, DesiredState, Source
from reconciler.shopify.client import ShopifyClient
from tests.conftest import Store, demo_snapshot
from tests.live.conftest import FAST, VERSIONS

LOCATIONS = [
    {"id": f"gid://shopify/Location/{n}", "name": name, "isActive": True}
    for n, name in ((101, "North"), (102, "South"), (103, "Depot"))
]
SKUS = ["TEE-1", "tee-1", "CAP-2", "BAG-3", "BOX.4", None]
NAMES = ("available", "committed", "damaged", "incoming", "quality_control", "reserved")
Connect = Callable[..., ShopifyClient]


@st.composite
def store_snapshots(draw: st.DrawFn) -> dict[str, Any]:
    items = []
    for number in range(1, draw(st.integers(0, 7)) + 1):
        stocked = draw(st.lists(st.sampled_from(LOCATIONS), min_size=1, max_size=3, unique_by=id))
        levels = []
        for position, location in enumerate(stocked):
            quantities = {
                name: draw(st.integers(-20 if name == "available" else 0, 40))
                for name in draw(st.sets(st.sampled_from(NAMES)))
            }
            active = position == 0 or draw(st.booleans())
            levels.append(
                {"locationId": location["id"], "isActive": active, "quantities": quantities}
            )
        items.append(
            {
                "id": f"gid://shopify/InventoryItem/{5000 + number}",
                "sku": draw(st.sampled_from(SKUS)),
                "tracked": draw(st.booleans()),
                "unitCost": draw(st.sampled_from([None, "0", "12.50", "3.1"])),
                "countryCodeOfOrigin": draw(st.sampled_from([None, "PT", "US"])),
                "harmonizedSystemCode": draw(st.sampled_from([None, "610910"])),
                "countryHarmonizedSystemCodes": draw(
                    st.sampled_from(
                        [[], [{"countryCode": "CA", "harmonizedSystemCode": "6109100010"}]]
                    )
                ),
                "measurement": draw(
                    st.sampled_from([{}, {"weight": {"value": 0.5, "unit": "POUNDS"}}])
                ),
                "requiresShipping": draw(st.booleans()),
                "levels": levels,
            }
        )
    return {"shop": demo_snapshot()["shop"], "locations": LOCATIONS, "inventoryItems": items}


def desired(skus: list[str], ids: list[str]) -> DesiredState:
    source = Source("m.yaml", 1)
    entries = [DesiredItem(s, None, {}, (), "correction", source) for s in skus]
    entries += [DesiredItem("PINNED", i, {}, (), "correction", source) for i in ids]
    return DesiredState(tuple(entries), ())


@given(
    snapshot=store_snapshots(),
    version=st.sampled_from(VERSIONS),
    skus=st.lists(st.sampled_from([s for s in SKUS if s]), unique=True),
    pins=st.lists(st.integers(5001, 5009), unique=True, max_size=2),
)
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_paged_and_bulk_reads_give_the_same_live_state(
    store: Store,
    connect: Connect,
    snapshot: dict[str, Any],
    version: str,
    skus: list[str],
    pins: list[int],
) -> None:
    store.control("POST", "reset", snapshot)
    client = connect(version)
    wanted = desired(skus, [f"gid://shopify/InventoryItem/{n}" for n in pins])
    paged_report, bulk_report = ReadReport(), ReadReport()
    paged = read_live(client, wanted, ReadSettings("paged"), report=paged_report)
    bulk = read_live(client, wanted, ReadSettings("bulk", bulk=FAST), report=bulk_report)
    assert (paged_report.path, bulk_report.path) == ("paged", "bulk")
    assert bulk == paged
    every = {item.id for item in iter_items(client, read=ReadSettings("paged"))}
    assert every == {i["id"] for i in snapshot["inventoryItems"]}


def test_iter_items_narrows_by_glob_and_location_the_same_either_way(
    store: Store, connect: Connect
) -> None:
    client = connect()
    east = "gid://shopify/Location/68509171945"
    for globs, locations in [((), None), (("TSHIRT-*",), None), (("*-M", "BOOT-*"), {east})]:
        paged = list(iter_items(client, sku_globs=globs, location_ids=locations, read="paged"))
        bulk = list(
            iter_items(
                client,
                sku_globs=globs,
                location_ids=locations,
                read=ReadSettings("bulk", bulk=FAST),
            )
        )
        assert bulk == paged and paged
        numbers = [int(item.id.rsplit("/", 1)[1]) for item in paged]
        assert numbers == sorted(numbers)
        if locations:
            assert all(set(item.levels) == locations for item in paged)
    assert len(list(iter_items(client, read=ReadSettings("bulk", bulk=FAST)))) == 30


def test_auto_reads_the_whole_store_in_bulk(store: Store, connect: Connect) -> None:
    report = ReadReport()
    items = list(iter_items(connect(), read=ReadSettings("auto", bulk=FAST), report=report))
    assert report.path == "bulk" and len(items) == 30


def test_auto_chooses_by_the_threshold(store: Store, connect: Connect) -> None:
    wanted = desired(["TSHIRT-RED-M", "BOOT-HIKE-44", "BEANIE-ORG"], [])
    for threshold, path in [(3, "paged"), (2, "bulk")]:
        report = ReadReport()
        read_live(connect(), wanted, ReadSettings("auto", threshold, FAST), report=report)
        assert report.path == path
