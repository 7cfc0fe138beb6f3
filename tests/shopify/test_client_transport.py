"""The client against misbehaving stores over real HTTP: redirects, echoed secrets, throttling,
429s, silence, and the run's deadline. Sleeps are recorded (and a clock advanced) instead of
waited, so the waits themselves are what is checked."""

from __future__ import annotations

import json
import random
import threading
import time
from typing import Any

import pytest

from reconciler.errors import ConfigError, ResponseError
from reconciler.progress import NotesTo
from reconciler.secrets import Secret
from reconciler.shopify.client import OutcomeUnknown, RedirectRefused, ShopifyClient
from reconciler.shopify.deadline import Deadline, DeadlineExceeded
from reconciler.shopify.retry import RetryPolicy
from reconciler.shopify.target import resolve_target
from reconciler.shopify.usage import Usage
from tests.conftest import Store
from tests.shopify.hostile import Reply, Seen, graphql_answer, serve, silent_store

TOKEN = "plain-looking-token-2f9c"  # nothing like shpat_: caught by value, not by shape
LOCATIONS = {"locations": {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}}


class Clock:
    """Fake time: `sleep` records the wait and moves `now` on."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.waits: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.t += seconds


def _client(
    url: str,
    clock: Clock | None = None,
    *,
    policy: RetryPolicy | None = None,
    deadline: float = 100_000.0,
    notes: list[str] | None = None,
    version: str = "2026-10",
    usage: Usage | None = None,
    token: str = TOKEN,
) -> ShopifyClient:
    clock = clock or Clock()
    return ShopifyClient(
        resolve_target(url, version),
        Secret(token),
        policy=policy or RetryPolicy(),
        deadline=Deadline(deadline, "the test", clock=clock.now),
        sleep=clock.sleep,
        clock=clock.now,
        rng=random.Random(7),
        progress=NotesTo((notes if notes is not None else []).append),
        usage=usage,
    )


def _throttled(requested: int, available: int, rate: float) -> Reply:
    body = {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": None,
                "throttleStatus": {
                    "maximumAvailable": 2000.0,
                    "currentlyAvailable": available,
                    "restoreRate": rate,
                },
            }
        },
    }
    return 200, {"X-Shopify-API-Version": "2026-10"}, json.dumps(body).encode()


def _sequence(*replies: Reply) -> Any:
    queue = list(replies)

    def handler(seen: Seen) -> Reply:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler


# -- redirects ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_an_error_naming_its_target_and_the_token_never_follows(
    status: int,
) -> None:
    with serve(lambda seen: graphql_answer(LOCATIONS)) as elsewhere:
        target = f"{elsewhere.url}/steal?from=store"
        redirect = (status, {"Location": target}, b"")
        with (
            serve(lambda seen: redirect) as store,
            _client(store.url) as client,
            pytest.raises(RedirectRefused) as refused,
        ):
            client.query("locations", {"first": 10, "after": None})
        assert elsewhere.seen == []  # nothing, token or not, reached the redirect's target
    assert f"HTTP {status}" in str(refused.value) and target in str(refused.value)
    assert "never follows redirects" in str(refused.value)
    assert store.seen[0].headers["X-Shopify-Access-Token"] == TOKEN
    assert len(store.seen) == 1  # a redirect is not retried either


def test_a_token_in_a_redirects_location_is_not_repeated() -> None:
    location = f"https://evil.example/?t={TOKEN}&u=" + TOKEN.replace("-", "%2D")
    with (
        serve(lambda seen: (307, {"Location": location}, b"")) as store,
        _client(store.url) as client,
        pytest.raises(RedirectRefused) as refused,
    ):
        client.query("locations", {"first": 10, "after": None})
    assert TOKEN not in str(refused.value) and "%2D" not in str(refused.value)
    assert "https://evil.example/?t=[REDACTED]" in str(refused.value)


# -- secrets a store echoes back ---------------------------------------------------------------


def test_a_token_echoed_as_the_api_version_is_neither_followed_nor_printed() -> None:
    with (
        serve(lambda seen: graphql_answer(LOCATIONS, version=TOKEN)) as store,
        _client(store.url) as client,
        pytest.raises(ResponseError) as caught,
    ):
        client.query("locations", {"first": 10, "after": None})
    assert "unexpected X-Shopify-API-Version header" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_a_token_echoed_in_error_messages_is_scrubbed_in_every_encoding() -> None:
    echoed = [TOKEN, json.dumps(TOKEN)[1:-1], TOKEN.replace("-", "%2d"), TOKEN.upper()]

    def handler(seen: Seen) -> Reply:
        errors = [{"message": "bad token: " + " / ".join(echoed), "extensions": {}}]
        return 200, {"X-Shopify-API-Version": "2026-10"}, json.dumps({"errors": errors}).encode()

    with (
        serve(handler) as store,
        _client(store.url) as client,
        pytest.raises(ResponseError) as caught,
    ):
        client.query("locations", {"first": 10, "after": None})
    message = str(caught.value)
    assert message.count("[REDACTED]") == 4 and TOKEN not in message and "%2d" not in message


# -- THROTTLED -------------------------------------------------------------------------------


def test_throttled_waits_for_exactly_the_points_it_needs_plus_jitter() -> None:
    replies = _sequence(_throttled(350, 50, 100.0), graphql_answer(LOCATIONS))
    clock, notes = Clock(), []
    with serve(replies) as store, _client(store.url, clock, notes=notes) as client:
        client.query("locations", {"first": 10, "after": None})
    assert len(clock.waits) == 1
    assert 3.0 <= clock.waits[0] <= 3.0 * 1.2  # (350 - 50) / 100, up to 20 % jitter
    assert (
        "throttled" in notes[0]
        and "needs 350 points, 50/2000 available, restoring 100/s" in notes[0]
    )
    assert "left before the deadline" in notes[0]


def test_thirty_throttled_answers_in_a_row_back_off_properly_then_succeed(store: Store) -> None:
    """Was: 8 attempts 0.05 s apart, 2.1 s in all, then failure."""
    store.control("POST", "faults", {"kind": "throttle", "operation": "*", "times": 30})
    clock, usage = Clock(), Usage()
    with _client(store.url, clock, usage=usage, token=store.token) as client:
        client.query("locations", {"first": 10, "after": None})
    assert usage.throttled == 30 and len(clock.waits) == 30
    floors = [min(60.0, 2.0**k) for k in range(30)]
    assert all(
        floor <= wait <= floor * 1.2 for floor, wait in zip(floors, clock.waits, strict=True)
    )
    assert sum(clock.waits) > 1400  # vs 2.1 s before


def test_throttling_stops_at_the_deadline_with_a_clear_message(store: Store) -> None:
    store.control("POST", "faults", {"kind": "throttle", "operation": "*", "times": -1})
    clock = Clock()
    with (
        _client(store.url, clock, deadline=60, token=store.token) as client,
        pytest.raises(DeadlineExceeded) as late,
    ):
        client.query("locations", {"first": 10, "after": None})
    assert clock.t - 1000.0 <= 60
    assert "would pass the run's deadline (1m00s, from the test)" in str(late.value)


# -- HTTP 429 ----------------------------------------------------------------------------------


def test_429_without_retry_after_backs_off_exponentially() -> None:
    refused: Reply = (429, {}, b'{"errors":"Exceeded 2 calls per second for api client."}')
    replies = _sequence(refused, refused, refused, graphql_answer(LOCATIONS))
    clock = Clock()
    with serve(replies) as store, _client(store.url, clock) as client:
        client.query("locations", {"first": 10, "after": None})
    assert [round(w) for w in clock.waits] in ([1, 2, 4], [1, 2, 5], [1, 3, 4], [1, 3, 5])
    assert all(base <= w <= base * 1.2 for base, w in zip([1, 2, 4], clock.waits, strict=True))


@pytest.mark.parametrize("header", ["7", "Wed, 21 Oct 2099 07:28:07 GMT"])
def test_429_waits_what_retry_after_says(header: str) -> None:
    replies = _sequence((429, {"Retry-After": header}, b"{}"), graphql_answer(LOCATIONS))
    clock = Clock()
    deadline = 10**10
    with serve(replies) as store, _client(store.url, clock, deadline=deadline) as client:
        client.query("locations", {"first": 10, "after": None})
    if header == "7":
        assert 7 <= clock.waits[0] <= 7 * 1.2
    else:
        assert clock.waits[0] > 365 * 24 * 3600  # a date far ahead: honoured, not guessed


def test_a_retry_after_beyond_the_deadline_fails_now_saying_so() -> None:
    replies = _sequence((429, {"Retry-After": "600"}, b"{}"))
    with (
        serve(replies) as store,
        _client(store.url, deadline=120) as client,
        pytest.raises(DeadlineExceeded, match="Retry-After: 600.*waiting 1[0-9]m"),
    ):
        client.query("locations", {"first": 10, "after": None})


# -- a store that never answers ----------------------------------------------------------------


def test_a_store_that_never_answers_is_given_up_on_after_three_read_timeouts() -> None:
    """Was: 8 x 30 s = 279 s with no message."""
    policy = RetryPolicy(connect_timeout=2, read_timeout=0.3, min_backoff=0.01)
    notes: list[str] = []
    with silent_store() as url, _client(url, policy=policy, notes=notes) as client:
        started = time.monotonic()
        with pytest.raises(OutcomeUnknown, match=r"within 0\.3 s \(3 time\(s\)\); giving up"):
            client.query("locations", {"first": 10, "after": None})
        elapsed = time.monotonic() - started
        with pytest.raises(OutcomeUnknown, match="giving up"):
            client.mutate("deactivate", {"inventoryLevelId": "x"}, idempotent=False)
    assert len(notes) == 2 and all("trying Locations again" in n for n in notes)
    assert elapsed < 30  # three 0.3 s timeouts, not minutes
    assert RetryPolicy().read_timeout * RetryPolicy().max_timeouts <= 90


def test_request_timeouts_are_clipped_to_the_deadline() -> None:
    with silent_store() as url:
        client = ShopifyClient(
            resolve_target(url, "2026-10"),
            Secret(TOKEN),
            deadline=Deadline(1.0, "the test"),
            policy=RetryPolicy(min_backoff=0.01),
        )
        started = time.monotonic()
        with client, pytest.raises((DeadlineExceeded, OutcomeUnknown)):
            client.query("locations", {"first": 10, "after": None})
    assert time.monotonic() - started < 15  # not the 30 s read timeout


# -- versions, workers -------------------------------------------------------------------------


def test_a_different_served_version_names_it(store: Store) -> None:
    with (
        serve(lambda seen: graphql_answer(LOCATIONS, version="2026-01")) as hostile,
        _client(hostile.url) as client,
        pytest.raises(ConfigError, match="2026-01"),
    ):
        client.query("locations", {"first": 10, "after": None})


def test_forked_workers_share_usage_and_the_bucket_safely(store: Store) -> None:
    usage = Usage()
    client = ShopifyClient(resolve_target(store.url, "2026-10"), Secret(store.token), usage=usage)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with client.fork() as worker:
                for _ in range(5):
                    worker.query("locations", {"first": 10, "after": None})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    served = store.control("GET", "stats")
    assert usage.calls == 20 == served["byOperation"]["locations"]
    assert usage.actual_cost == served["actualCost"]
