"""Ctrl-C while ``bulkOperationRunQuery`` itself is in flight: held until the answer names the
operation, which is then cancelled; a second Ctrl-C does not wait. Over HTTP; the interrupt is
a real SIGINT to this process (pytest runs tests in the main thread, which receives signals).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable

import pytest

from reconciler.live.bulk import BulkQuery, interrupt_held
from reconciler.shopify.client import ShopifyClient
from tests.conftest import Store
from tests.live.conftest import FAST


def test_a_first_interrupt_is_held_and_a_second_one_raises() -> None:
    before = signal.getsignal(signal.SIGINT)
    with interrupt_held() as held:
        os.kill(os.getpid(), signal.SIGINT)
        assert held == [signal.SIGINT]
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before


def test_nothing_is_held_outside_the_main_thread() -> None:
    seen: list[list[int]] = []

    def hold() -> None:
        with interrupt_held() as held:
            seen.append(held)

    thread = threading.Thread(target=hold)
    thread.start()
    thread.join()
    assert seen == [[]]


def test_ctrl_c_during_the_run_call_cancels_the_operation_it_started(
    store: Store, connect: Callable[..., ShopifyClient]
) -> None:
    rule = {"kind": "latency", "operation": "bulkOperationRunQuery", "seconds": 3, "times": 1}
    store.control("POST", "faults", rule)
    store.control("POST", "bulk", {"hold": "RUNNING"})

    def interrupt_once_the_call_arrived() -> None:
        deadline = time.monotonic() + 120  # a bound, so a broken client cannot hang the test
        while not store.control("GET", "faults")["faults"][0]["fired"]:
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGINT)  # the client now waits for the answer

    client = connect()
    helper = threading.Thread(target=interrupt_once_the_call_arrived)
    helper.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            BulkQuery(client, FAST).run(client.document("bulk_live_items").text)
    finally:
        helper.join()
    assert "BulkPoll" not in client.usage.by_operation  # interrupted before the first poll
    assert client.usage.by_operation["BulkCancel"] == 1
    store.control("POST", "bulk", {"hold": None})
    query = "{ bulkOperations(first: 5) { nodes { status } } }"
    nodes = store.gql("2026-10", query)["data"]["bulkOperations"]["nodes"]
    assert [n["status"] for n in nodes] in (["CANCELING"], ["CANCELED"])
