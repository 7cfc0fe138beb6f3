"""Back-off, Retry-After, points to wait for, and the run's deadline: pure rules."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.errors import ConfigError
from reconciler.shopify import deadline as deadlines
from reconciler.shopify.deadline import Deadline, DeadlineExceeded, parse_duration
from reconciler.shopify.retry import RetryPolicy, parse_retry_after, points_wait

POLICY = RetryPolicy()


@given(
    requested=st.integers(0, 5000),
    available=st.floats(0, 4000),
    rate=st.sampled_from([50.0, 100.0, 200.0, 1000.0, 2000.0]),
    in_a_row=st.integers(1, 40),
    seed=st.integers(0, 2**32),
)
def test_a_throttled_wait_covers_the_points_and_the_growing_floor_plus_at_most_20_percent(
    requested: int, available: float, rate: float, in_a_row: int, seed: int
) -> None:
    cost = {
        "requestedQueryCost": requested,
        "throttleStatus": {"currentlyAvailable": available, "restoreRate": rate},
    }
    needed = max(0.0, (requested - available) / rate)
    floor = min(POLICY.max_backoff, POLICY.min_backoff * 2 ** (in_a_row - 1))
    wait = POLICY.throttle_wait(cost, in_a_row, random.Random(seed))
    assert max(needed, floor) <= wait <= max(needed, floor) * 1.2


def test_points_wait_reads_throttle_status_and_tolerates_nonsense() -> None:
    cost = {
        "requestedQueryCost": 352,
        "throttleStatus": {"currentlyAvailable": 2, "restoreRate": 50},
    }
    assert points_wait(cost) == 7.0
    assert points_wait({}) == 0.0
    assert points_wait({"requestedQueryCost": "x", "throttleStatus": {"restoreRate": 1}}) == 0.0


@given(attempt=st.integers(1, 50), seed=st.integers(0, 2**32))
def test_backoff_doubles_from_the_minimum_and_is_capped(attempt: int, seed: int) -> None:
    base = min(60.0, 1.0 * 2 ** (attempt - 1))
    assert base <= POLICY.backoff(attempt, random.Random(seed)) <= base * 1.2


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 1.5 ", 1.5),
        ("Wed, 02 Dec 2026 10:00:30 GMT", 30.0),
        ("Wed, 02 Dec 2026 09:59:00 GMT", 0.0),  # in the past: now
        ("soon", None),
        ("-3", None),
        ("inf", None),
        (None, None),
    ],
)
def test_retry_after_is_seconds_or_an_http_date(header: str | None, seconds: float | None) -> None:
    now = datetime(2026, 12, 2, 10, 0, 0, tzinfo=UTC)
    assert parse_retry_after(header, now) == seconds


def test_a_429_without_retry_after_backs_off_and_with_it_waits_what_it_says() -> None:
    rng = random.Random(1)
    assert 1.0 <= POLICY.retry_after_wait(None, 1, rng) <= 1.2
    assert 8.0 <= POLICY.retry_after_wait(None, 4, rng) <= 9.6
    assert 42.0 <= POLICY.retry_after_wait("42", 1, rng) <= 42 * 1.2


def test_the_minimum_backoff_can_be_set_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RECONCILER_MIN_BACKOFF", "0.25")
    assert RetryPolicy.from_environment().min_backoff == 0.25
    monkeypatch.setenv("RECONCILER_MIN_BACKOFF", "zero")
    with pytest.raises(ConfigError, match="RECONCILER_MIN_BACKOFF"):
        RetryPolicy.from_environment()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("900", 900), ("90s", 90), ("15m", 900), ("1h", 3600), ("1h30m", 5400), ("1.5h", 5400)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text, "--deadline") == seconds


@pytest.mark.parametrize("text", ["", "soon", "0", "-5m", "1d", "m", "15 minutes"])
def test_durations_that_are_not(text: str) -> None:
    with pytest.raises(ConfigError, match="--deadline"):
        parse_duration(text, "--deadline")


def test_a_deadline_refuses_waits_it_cannot_fit_and_clips_timeouts() -> None:
    now = [0.0]
    deadline = Deadline(100, "--deadline", clock=lambda: now[0])
    deadline.allow_wait(99, "throttled")
    assert deadline.clip(30) == 30
    now[0] = 90
    assert deadline.clip(30) == 10
    with pytest.raises(DeadlineExceeded, match=r"waiting 20 s would pass the run's deadline"):
        deadline.allow_wait(20, "throttled")
    now[0] = 100
    with pytest.raises(DeadlineExceeded, match="has passed; raise it with --deadline"):
        deadline.check("Locations")


def test_the_run_deadline_comes_from_flag_then_environment_then_config() -> None:
    try:
        deadlines.start_run("20m", "RECONCILER_DEADLINE")
        assert deadlines.for_run("5m").seconds == 1200  # the environment beats the config
        deadlines.end_run()
        deadlines.start_run(None, "RECONCILER_DEADLINE")
        first = deadlines.for_run("5m")
        assert (first.seconds, first.source) == (300, "reconciler.yaml")
        assert deadlines.for_run() is first  # shared by every client of the run
        deadlines.end_run()
        deadlines.start_run("20m", "RECONCILER_DEADLINE")
        deadlines.set_for_run("45m", "--deadline")
        assert deadlines.for_run("5m").seconds == 2700
    finally:
        deadlines.end_run()
    assert deadlines.for_run().seconds == deadlines.DEFAULT_SECONDS  # library calls
