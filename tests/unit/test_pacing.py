"""The shared cost-bucket estimate: reservations for requests in flight, probes, fair waits."""

from __future__ import annotations

import threading

from reconciler.shopify.pacing import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _status(available: float, maximum: float = 2000, rate: float = 100) -> dict:
    return {
        "requestedQueryCost": 10,
        "actualQueryCost": 10,
        "throttleStatus": {
            "maximumAvailable": maximum,
            "currentlyAvailable": available,
            "restoreRate": rate,
        },
    }


def test_first_request_is_a_probe_and_costs_are_learnt() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    ticket = pacer.admit("Set", clock.sleep)
    assert ticket.probe and ticket.reserved == 0
    pacer.observe("Set", _status(100))
    pacer.release(ticket)
    second = pacer.admit("Set", clock.sleep)
    assert not second.probe and second.reserved == 10
    assert clock.now == 0


def test_reservations_in_flight_are_subtracted_until_answered() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    pacer.observe("Set", _status(30))
    tickets = [pacer.admit("Set", clock.sleep) for _ in range(3)]  # 30 points: three fit
    assert clock.now == 0
    fourth = pacer.admit("Set", clock.sleep)  # must wait for 10 more points at 100/s
    assert abs(clock.now - 0.1) < 1e-9
    for ticket in (*tickets, fourth):
        pacer.release(ticket)


def test_an_answer_replaces_the_estimate_and_gives_back_the_reservation() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    pacer.observe("Set", _status(10))
    ticket = pacer.admit("Set", clock.sleep)
    pacer.observe("Set", _status(0))  # the store charged it
    pacer.release(ticket)
    pacer.admit("Set", clock.sleep)
    assert abs(clock.now - 0.1) < 1e-9  # 10 points from empty, not 20


def test_the_estimate_never_exceeds_the_bucket() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    pacer.observe("Read", {**_status(2000), "requestedQueryCost": 1000})
    clock.now = 1000.0  # long idle: the bucket is full, not 102,000 points
    first = pacer.admit("Read", clock.sleep)
    pacer.observe("Read", {**_status(1000), "requestedQueryCost": 1000})
    pacer.release(first)
    second = pacer.admit("Read", clock.sleep)
    pacer.observe("Read", {**_status(0), "requestedQueryCost": 1000})
    pacer.release(second)
    assert clock.now == 1000.0
    pacer.admit("Read", clock.sleep)  # the bucket is empty now: 1000 points take 10 s
    assert abs(clock.now - 1010.0) < 1e-9


def test_a_full_bucket_held_by_requests_in_flight_waits_for_their_answers() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    pacer.observe("Read", {**_status(2000), "requestedQueryCost": 1000})
    held = [pacer.admit("Read", clock.sleep) for _ in range(2)]
    admitted = threading.Event()
    worker = threading.Thread(target=lambda: (pacer.admit("Read", clock.sleep), admitted.set()))
    worker.start()
    assert not admitted.wait(0.2)
    pacer.release(held[0])
    assert admitted.wait(5)
    worker.join()
    assert clock.now == 0.0  # waited for an answer, not for points that cannot come


def test_while_nothing_is_known_one_probe_at_a_time() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    first = pacer.admit("Set", clock.sleep)
    admitted = threading.Event()

    def second() -> None:
        pacer.admit("Set", clock.sleep)
        admitted.set()

    worker = threading.Thread(target=second)
    worker.start()
    assert not admitted.wait(0.2), "a second probe went out before the first was answered"
    pacer.observe("Set", _status(500))
    pacer.release(first)
    assert admitted.wait(5)
    worker.join()
