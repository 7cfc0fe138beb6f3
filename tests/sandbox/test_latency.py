"""Per-request latency (``/__sandbox/latency``, ``sandbox serve --mutation-latency-ms``).

Mutations and queries wait their own latency; concurrent requests wait together, holding no
lock (a sale and a read go through while mutations wait); reset restores the start setting.
No test here depends on the machine being fast: latencies are checked as lower bounds, and
"in parallel" is seen in the count of requests waiting at the same time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from reconciler.sandbox import Sandbox
from reconciler.sandbox.latency import Latency, LatencyError, Setting
from tests.conftest import Store, demo_snapshot
from tests.sandbox.test_cli_serve import serve

VERSION = "2026-10"
MUTATION = (
    'mutation { inventoryDeactivate(inventoryLevelId: "gid://shopify/InventoryLevel/1'
    '?inventory_item_id=1") { userErrors { message } } }'
)
QUERY = "{ shop { name } }"
RED_S = "gid://shopify/InventoryItem/43729030"
EAST = "gid://shopify/Location/68509171945"


def _timed(call: Callable[[], requests.Response]) -> float:
    started = time.perf_counter()
    response = call()
    assert response.status_code == 200, response.text
    return time.perf_counter() - started


def _wait_until(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_mutations_and_queries_wait_their_own_latency(store: Store) -> None:
    assert store.control("GET", "latency") == {"query_ms": 0, "mutation_ms": 0, "waiting": 0}
    set_to = store.control("POST", "latency", {"mutation_ms": 300, "query_ms": 0})
    assert set_to == {"query_ms": 0, "mutation_ms": 300, "waiting": 0}
    assert _timed(lambda: store.post(VERSION, MUTATION)) >= 0.3
    store.control("POST", "latency", {"query_ms": 250})  # mutation_ms keeps its 300
    assert store.control("GET", "latency")["mutation_ms"] == 300
    assert _timed(lambda: store.post(VERSION, QUERY)) >= 0.25


def test_a_request_refused_before_it_runs_does_not_wait(store: Store) -> None:
    store.control("POST", "latency", {"mutation_ms": 60_000, "query_ms": 60_000})
    bad_token = store.post(VERSION, QUERY, token="wrong")
    assert bad_token.status_code == 401
    invalid = store.post(VERSION, "{ shop { nope } }")
    assert invalid.json()["errors"][0]["extensions"]["code"] == "undefinedField"
    assert store.control("GET", "latency")["waiting"] == 0


def test_concurrent_requests_wait_together_and_hold_no_lock(store: Store) -> None:
    """Four mutations wait at once while a read, a sale and the control plane go through."""
    store.control("POST", "latency", {"mutation_ms": 60_000})
    answers: list[requests.Response] = []

    def mutate() -> None:
        with requests.Session() as http:
            answers.append(
                http.post(
                    store.graphql_url(VERSION),
                    json={"query": MUTATION},
                    headers={"X-Shopify-Access-Token": store.token},
                    timeout=120,
                )
            )

    threads = [threading.Thread(target=mutate) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        _wait_until(lambda: store.control("GET", "latency")["waiting"] == 4, "4 waiting mutations")
        # the store is not locked by the waiting requests
        read = store.gql(VERSION, QUERY)
        assert read["data"] == {"shop": {"name": "Northwind Outfitters"}}
        sale = {"inventoryItemId": RED_S, "locationId": EAST, "quantity": 1}
        assert store.control("POST", "sale", sale)["ok"] is True
        assert store.control("GET", "health")["ok"] is True
        assert not answers
    finally:
        store.control("POST", "latency", {"mutation_ms": 0})  # lets them go on at once
        for thread in threads:
            thread.join(timeout=60)
    assert [a.status_code for a in answers] == [200] * 4
    assert all("errors" not in a.json() for a in answers)
    assert store.control("GET", "latency")["waiting"] == 0


def test_reset_restores_the_start_latency(store: Store) -> None:
    store.control("POST", "latency", {"mutation_ms": 1234, "query_ms": 5})
    store.control("POST", "reset")
    assert store.control("GET", "latency") == {"query_ms": 0, "mutation_ms": 0, "waiting": 0}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"mutation_ms": -1}, "mutation_ms must be between 0 and 60000 milliseconds, got -1"),
        ({"query_ms": 60_001}, "query_ms must be between 0 and 60000 milliseconds, got 60001"),
        ({"query_ms": 10**30}, "query_ms must be between 0 and 60000 milliseconds"),
        ({"mutation_ms": "300"}, "mutation_ms must be a whole number of milliseconds, got '300'"),
        ({"mutation_ms": 0.5}, "mutation_ms must be a whole number of milliseconds, got 0.5"),
        ({"mutation_ms": True}, "mutation_ms must be a whole number of milliseconds, got True"),
        ({"latency": 3}, "unknown field(s) latency; expected query_ms and/or mutation_ms"),
        ([300], "expected a JSON object in the request body"),
    ],
)
def test_bad_latency_settings_are_400(store: Store, body: Any, message: str) -> None:
    response = store.http.post(f"{store.url}/__sandbox/latency", json=body, timeout=30)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert store.control("GET", "latency") == {"query_ms": 0, "mutation_ms": 0, "waiting": 0}


def test_a_waiting_request_follows_a_shorter_setting() -> None:
    latency = Latency(Setting(mutation_ms=60_000))
    done = threading.Event()
    thread = threading.Thread(target=lambda: (latency.wait("mutation"), done.set()))
    thread.start()
    _wait_until(lambda: latency.as_dict()["waiting"] == 1, "the waiter")
    latency.wait("query")  # queries do not wait
    assert not done.is_set()
    latency.update({"mutation_ms": 0})
    thread.join(timeout=60)
    assert done.is_set() and latency.as_dict()["waiting"] == 0
    latency.reset()
    assert latency.setting == Setting(mutation_ms=60_000)
    with pytest.raises(LatencyError):
        latency.update({"query_ms": -5})


def test_the_sandbox_class_and_serve_take_a_start_latency() -> None:
    with Sandbox(demo_snapshot(), latency=Setting(query_ms=7, mutation_ms=300)) as sandbox:
        got = requests.get(f"{sandbox.url}/__sandbox/latency", timeout=30).json()
        assert got == {"query_ms": 7, "mutation_ms": 300, "waiting": 0}
    served = serve("--mutation-latency-ms", "300", "--query-latency-ms", "20")
    try:
        got = requests.get(f"{served.url}/__sandbox/latency", timeout=30).json()
        assert got == {"query_ms": 20, "mutation_ms": 300, "waiting": 0}
        requests.post(f"{served.url}/__sandbox/latency", json={"mutation_ms": 0}, timeout=30)
        requests.post(f"{served.url}/__sandbox/reset", timeout=30)
        again = requests.get(f"{served.url}/__sandbox/latency", timeout=30).json()
        assert again["mutation_ms"] == 300  # reset goes back to what serve started with
    finally:
        code, out = served.stop()
    assert code == 0
    assert "latency: 300 ms per mutation, 20 ms per query" in out


def test_concurrent_requests_are_all_counted(store: Store) -> None:
    """/__sandbox/stats counts every call of concurrent clients (benchmarks assert on it)."""
    store.control("POST", "latency", {"query_ms": 20})  # keep several requests in flight
    failures: list[int] = []

    def read(count: int) -> None:
        with requests.Session() as http:
            for _ in range(count):
                response = http.post(
                    store.graphql_url(VERSION),
                    json={"query": QUERY},
                    headers={"X-Shopify-Access-Token": store.token},
                    timeout=120,
                )
                if response.status_code != 200:
                    failures.append(response.status_code)

    threads = [threading.Thread(target=read, args=(15,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures
    stats = store.control("GET", "stats")
    assert stats["requests"] == 120
    assert stats["byOperation"] == {"shop": 120}
    assert stats["statuses"] == {"200": 120}
    assert sum(stats["executions"].values()) == 120
