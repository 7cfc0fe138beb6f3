"""Drift classification as pure logic: the rules in reconciler/drift/classify.py, with
hypothesis over stamps, values and what the history says reconciler wrote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from reconciler.drift.classify import LastWrites, Written, classify, since
from reconciler.drift.differences import Difference
from reconciler.drift.timestamps import Times

T0 = datetime(2026, 12, 1, tzinfo=UTC)
LEVEL, ITEM, LOCATION = "gid://shopify/InventoryLevel/1", "gid://shopify/InventoryItem/1", "L1"
NAMES = ("available", "on_hand", "damaged", "quality_control", "reserved", "safety_stock")
stamps = st.one_of(st.none(), st.integers(0, 10_000).map(lambda s: T0 + timedelta(seconds=s)))


def _quantity(name: str, declared: int, live: int) -> Difference:
    return Difference("quantity", "SKU-1", name, declared, live, ITEM, "East", LOCATION, LEVEL)


def _times(name: str, stamp: datetime | None, committed: datetime | None) -> Times:
    times = Times()
    if name != "on_hand":
        times.quantities[(LEVEL, name)] = stamp
    else:
        times.quantities[(LEVEL, "available")] = stamp
    times.quantities[(LEVEL, "committed")] = committed
    return times


@given(
    name=st.sampled_from(NAMES),
    declared=st.integers(-5, 50),
    live=st.integers(-5, 50),
    stamp=stamps,
    committed=stamps,
    written=st.one_of(st.none(), st.tuples(st.integers(-5, 50), stamps.filter(bool))),
)
def test_quantity_rules(
    name: str,
    declared: int,
    live: int,
    stamp: datetime | None,
    committed: datetime | None,
    written: tuple[int, datetime] | None,
) -> None:
    writes = LastWrites()
    if written is not None:
        writes.values[(ITEM, LOCATION, name)] = Written(written[0], written[1])
    times = _times(name, stamp, committed)
    finding = classify(_quantity(name, declared, live), times, writes)
    stamp = times.quantity(LEVEL, name)  # on_hand: the latest of its parts, committed included
    ours = written is not None and (
        written[0] == live or (stamp is not None and stamp < written[1])
    )
    if ours or stamp is None:
        assert (finding.category, finding.when) == ("unapplied", None)
    elif name in ("available", "on_hand") and committed is not None and committed >= stamp:
        assert (finding.category, finding.when) == ("sales", committed)
        assert finding.expected
    else:
        assert (finding.category, finding.when) == ("foreign", stamp)
        assert not finding.expected


@given(stamp=stamps, written_value=st.one_of(st.none(), st.sampled_from(["8.40", "9.99"])))
def test_attribute_rules(stamp: datetime | None, written_value: str | None) -> None:
    difference = Difference("attribute", "SKU-1", "cost", "8.40", "9.99", ITEM)
    times = Times(items_updated={ITEM: stamp})
    writes = LastWrites()
    if written_value is not None:
        writes.values[(ITEM, "", "cost")] = Written(written_value, T0 + timedelta(seconds=5_000))
    finding = classify(difference, times, writes)
    by_us = written_value == "9.99" or (
        written_value is not None and stamp is not None and stamp < T0 + timedelta(seconds=5_000)
    )
    if by_us or stamp is None:
        assert finding.category == "unapplied"
    else:
        assert (finding.category, finding.when) == ("attribute", stamp)


def test_items_and_levels_appear_and_disappear() -> None:
    created = T0 + timedelta(hours=1)
    times = Times(items_created={ITEM: created})
    gone = Difference("item", "SKU-1", "item", True, None)
    new = Difference("item", "SKU-2", "item", None, True, ITEM)
    unstocked = Difference("stocked", "SKU-1", "stocked", True, False, ITEM, "East", LOCATION)
    extra = Difference("stocked", "SKU-1", "stocked", None, True, ITEM, "East", LOCATION, LEVEL)
    found = [classify(d, times, LastWrites()) for d in (gone, new, unstocked, extra)]
    assert [(f.category, f.when) for f in found] == [
        ("disappeared", None),
        ("appeared", created),
        ("disappeared", None),
        ("appeared", None),
    ]
    # reconciler itself deactivated it: the manifests changed since, not the store
    writes = LastWrites({(ITEM, LOCATION, "stocked"): Written(False, T0)})
    assert classify(unstocked, times, writes).category == "unapplied"


@given(
    moments=st.lists(stamps, max_size=12),
    cut=stamps,
)
def test_since_keeps_later_changes_and_every_disappearance(
    moments: list[datetime | None], cut: datetime | None
) -> None:
    findings = [
        classify(_quantity("damaged", 1, 2), _times("damaged", moment, None), LastWrites())
        for moment in moments
    ]
    findings.append(classify(Difference("item", "S", "item", True, None), Times(), LastWrites()))
    kept = since(findings, cut)
    if cut is None:
        assert kept == findings
    else:
        assert kept == [
            f for f in findings if f.category == "disappeared" or (f.when and f.when > cut)
        ]


def test_last_writes_from_history() -> None:
    entries = [
        {"store": "other.myshopify.com", "finished_at": "2026-12-01T10:00:00Z", "actions": [
            {"status": "applied", "kind": "set", "name": "available", "after": 99,
             "item_id": ITEM, "location_id": LOCATION}]},
        {"store": "shop.myshopify.com", "finished_at": "2026-12-01T09:00:00Z", "actions": [
            {"status": "applied", "kind": "move", "from": "available", "to": "damaged",
             "from_before": 10, "to_before": 1, "quantity": 2, "item_id": ITEM, "location_id": LOCATION},
            {"status": "failed", "kind": "set", "name": "on_hand", "after": 50,
             "item_id": ITEM, "location_id": LOCATION},
            {"status": "applied", "kind": "update_item", "item_id": ITEM,
             "changes": [{"field": "cost", "after": "9.10"}]}]},
        {"store": "shop.myshopify.com", "finished_at": "not a time", "actions": []},
    ]  # fmt: skip
    writes = LastWrites.from_history(entries, "shop.myshopify.com")
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert writes.last_apply == at
    assert writes.values == {
        (ITEM, LOCATION, "available"): Written(8, at),
        (ITEM, LOCATION, "damaged"): Written(3, at),
        (ITEM, "", "cost"): Written("9.10", at),
    }


def test_an_order_in_the_second_the_apply_finished_is_a_sale() -> None:
    """Stamps and finished_at are to the second: an order right after an apply shares its
    second, and is the store's movement, not the apply's value (this flaked in CI as
    "not applied")."""
    writes = LastWrites()
    writes.values[(ITEM, LOCATION, "available")] = Written(28, T0)
    finding = classify(_quantity("available", 28, 27), _times("available", T0, T0), writes)
    assert (finding.category, finding.when) == ("sales", T0)
