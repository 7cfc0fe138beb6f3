"""Several connections of one run in parallel (`ShopifyClient.fork`) share one cost bucket
estimate and one `Usage`: from a drained bucket they wait for points instead of being
throttled, and every call and point is counted once."""

from __future__ import annotations

import threading

from reconciler.secrets import Secret
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.target import resolve_target
from tests.apply.conftest import ITEM
from tests.conftest import Store


def test_forks_share_pacing_and_usage_from_a_drained_bucket(store: Store) -> None:
    store.control("POST", "throttle", {"plan": "standard", "currentlyAvailable": 0})
    store.control("DELETE", "stats")
    workers, reads = 4, 4
    with ShopifyClient(resolve_target(store.url, "2026-10"), Secret(store.token)) as client:
        forks = [client.fork() for _ in range(workers)]
        errors: list[BaseException] = []

        def work(fork: ShopifyClient) -> None:
            try:
                with fork:
                    for _ in range(reads):
                        fork.query("items_by_id", {"ids": list(ITEM.values()), "levels": 25})
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(f,)) for f in forks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        usage = client.usage
    stats = store.control("GET", "stats")
    assert usage.calls == workers * reads == stats["byOperation"]["nodes"] - stats["throttled"]
    assert usage.actual_cost == stats["actualCost"]
    # (how long the pacer waits depends on the machine's speed; tests/unit/test_pacing.py
    # checks its arithmetic with a fake clock)
    assert usage.throttled == stats["throttled"] <= 1, "only the first probe may be throttled"
