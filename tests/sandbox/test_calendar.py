"""Shopify's version calendar: 12 months of support, fall-forward, the sandbox's settable date.

On 2026-12-02 Shopify supports 2026-01, 2026-04, 2026-07 and 2026-10; 2025-01 and 2025-10 are
answered by 2026-01 (facts §12; ../shared/shopify-admin-schema/README.md). The suite's store
serves retired versions as themselves (tests/conftest.py CALENDAR); the tests here turn that
off through the control plane, which `reset` restores.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from reconciler.cli import main
from reconciler.sandbox import VERSIONS, Sandbox
from reconciler.sandbox.calendar import (
    Calendar,
    CalendarSetting,
    end_of_support,
    is_supported,
    release_date,
)
from tests.conftest import DEMO_SNAPSHOT, SERVE_CALENDAR, TODAY, Store, demo_snapshot

SHOP = "{ shop { name } }"
DEC_2026 = date(2026, 12, 2)


def served_by(store: Store, version: str) -> str | None:
    """The X-Shopify-API-Version answering a request for `version` (None: 404)."""
    path = f"/admin/api/{version}/graphql.json" if version else "/admin/api/graphql.json"
    response = store.http.post(
        f"{store.url}{path}",
        json={"query": SHOP},
        headers={"X-Shopify-Access-Token": store.token},
        timeout=60,
    )
    if response.status_code == 404:
        assert response.json() == {"errors": "Not Found"}
        return None
    assert response.status_code == 200, response.text
    return response.headers["X-Shopify-API-Version"]


# -- the calendar itself ---------------------------------------------------------------------


def test_a_version_is_supported_for_twelve_months_from_its_release() -> None:
    assert release_date("2025-10") == date(2025, 10, 1)
    assert end_of_support("2025-10") == date(2026, 10, 1)
    assert not is_supported("2025-10", date(2025, 9, 30))
    assert is_supported("2025-10", date(2025, 10, 1))
    assert is_supported("2025-10", date(2026, 9, 30))
    assert not is_supported("2025-10", date(2026, 10, 1))


def test_on_2026_12_02_four_versions_are_supported_and_2025_falls_forward() -> None:
    calendar = Calendar(DEC_2026)
    assert calendar.supported() == ("2026-01", "2026-04", "2026-07", "2026-10")
    assert calendar.resolve("2025-01") == "2026-01"
    assert calendar.resolve("2025-10") == "2026-01"
    assert calendar.resolve("2024-04") == "2026-01"
    assert calendar.resolve("") == "2026-01"  # no version in the URL
    assert calendar.resolve("2026-07") == "2026-07"
    assert calendar.resolve("unstable") == "2026-10"
    assert calendar.resolve("2027-01") is None  # not released yet
    assert calendar.resolve("2026-05") is None  # not a version


def test_serve_retired_keeps_a_retired_version_itself_and_changes_nothing_else() -> None:
    calendar = Calendar(DEC_2026, frozenset({"2025-01"}))
    assert calendar.resolve("2025-01") == "2025-01"
    assert calendar.resolve("2025-10") == "2026-01"
    assert calendar.resolve("") == "2026-01"  # still the oldest *supported* one
    assert calendar.supported() == ("2026-01", "2026-04", "2026-07", "2026-10")
    assert calendar.served() == ("2025-01", "2026-01", "2026-04", "2026-07", "2026-10")


def test_earlier_and_later_dates() -> None:
    june_2025 = Calendar(date(2025, 6, 1))
    assert june_2025.resolve("2025-01") == "2025-01"
    # 2025-04 is supported on 2025-06-01 but not carried; 2025-10 is not released yet, so
    # nothing carried is newer and released: the newest released carried version answers.
    assert june_2025.resolve("2025-04") == "2025-01"
    assert june_2025.resolve("2025-10") is None
    assert june_2025.resolve("") == "2025-01"  # 2024-07 is the oldest supported; not carried
    february_2027 = Calendar(date(2027, 2, 1))
    assert february_2027.resolve("2026-01") == "2026-04"
    assert february_2027.resolve("2027-01") == "2026-10"  # released, newer than any carried
    past_everything = Calendar(date(2029, 1, 1))
    assert past_everything.resolve("") == "2026-10"


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)))
def test_every_answer_is_a_served_version_and_retired_ones_go_to_the_oldest(day: date) -> None:
    calendar = Calendar(day)
    for version in VERSIONS:
        answer = calendar.resolve(version)
        if release_date(version) > day:
            assert answer is None
            continue
        assert answer is not None and answer in VERSIONS and answer >= version
        if is_supported(version, day):
            assert answer == version
        else:
            assert answer == calendar.oldest_supported()
    oldest = calendar.oldest_supported()
    if calendar.supported():
        assert oldest == calendar.supported()[0]


def test_the_clock_is_read_at_each_request() -> None:
    calendar = Calendar()
    today = date.today()
    assert calendar.day() in (today - timedelta(days=1), today, today + timedelta(days=1))
    assert calendar.as_dict()["clock"] is True


def test_the_setting_is_validated_and_restored() -> None:
    setting = CalendarSetting(Calendar(DEC_2026))
    assert setting.update({"serveRetired": ["all"]}).served() == VERSIONS
    assert setting.update({"today": "2025-06-01"}).today == date(2025, 6, 1)
    assert setting.current.serve_retired == frozenset(VERSIONS)  # omitted keys stay
    bad_specs: list[dict[str, object]] = [
        {"today": "June"},
        {"serveRetired": ["2025-04"]},
        {"serveRetired": "2025-01"},
        {"x": 1},
    ]
    for bad in bad_specs:
        with pytest.raises(ValueError):
            setting.update(bad)
    setting.restore()
    assert setting.current == Calendar(DEC_2026)


# -- over HTTP: the suite's store, then Shopify's calendar through the control plane -----------


def test_the_suite_store_serves_every_version_as_itself(store: Store) -> None:
    for version in VERSIONS:
        assert served_by(store, version) == version
    assert store.control("GET", "calendar") == {
        "today": TODAY,
        "clock": False,
        "supported": ["2026-01", "2026-04", "2026-07", "2026-10"],
        "serveRetired": list(VERSIONS),
        "served": {v: v for v in VERSIONS},
        "versionless": "2026-01",
    }


def test_without_serve_retired_2025_versions_fall_forward_until_reset(store: Store) -> None:
    calendar = store.control("POST", "calendar", {"serveRetired": []})
    assert calendar["served"]["2025-01"] == calendar["served"]["2025-10"] == "2026-01"
    assert served_by(store, "2025-01") == "2026-01"
    assert served_by(store, "2025-10") == "2026-01"
    assert served_by(store, "2026-07") == "2026-07"
    assert store.control("GET", "health")["versions"] == [
        "2026-01",
        "2026-04",
        "2026-07",
        "2026-10",
    ]
    store.control("POST", "reset")
    assert served_by(store, "2025-01") == "2025-01"


def test_moving_the_date_moves_the_support_window(store: Store) -> None:
    store.control("POST", "calendar", {"today": "2027-01-15", "serveRetired": []})
    assert served_by(store, "2026-01") == "2026-04"  # 2026-01 left support on 2027-01-01
    assert served_by(store, "") == "2026-04"
    store.control("POST", "calendar", {"today": "2025-06-01"})
    assert served_by(store, "2025-01") == "2025-01"
    assert served_by(store, "2026-10") is None  # not released on that day
    store.control("POST", "calendar", {"today": None})  # back to the clock
    assert store.control("GET", "calendar")["clock"] is True


def test_a_bad_calendar_request_is_400_and_changes_nothing(store: Store) -> None:
    response = store.http.post(
        f"{store.url}/__sandbox/calendar", json={"today": "2026-13-01"}, timeout=30
    )
    assert response.status_code == 400
    assert response.json() == {"error": "expected a date as YYYY-MM-DD, got '2026-13-01'"}
    assert store.control("GET", "calendar")["today"] == TODAY


def test_a_retired_version_answers_with_the_oldest_supported_ones_rules(store: Store) -> None:
    """Falling forward changes behaviour, not just the header: 2026-01 knows @idempotent."""
    probe = """mutation P($key: String!) {
      inventoryDeactivate(inventoryLevelId: "gid://shopify/InventoryLevel/1?inventory_item_id=1")
        @idempotent(key: $key) { userErrors { message } } }"""
    refused = store.gql("2025-10", probe, {"key": "k"})
    assert [e["extensions"]["code"] for e in refused["errors"]] == [
        "undefinedDirective",
        "variableNotUsed",
    ]
    store.control("POST", "calendar", {"serveRetired": []})
    accepted = store.gql("2025-10", probe, {"key": "k"})
    assert "errors" not in accepted


def test_the_client_stops_when_the_store_falls_forward(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project pinned to a retired version gets a clear error, never another version."""
    store.control("POST", "calendar", {"serveRetired": []})
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inventory.yaml").write_text(
        "items:\n  - sku: TSHIRT-RED-M\n    levels:\n      East Warehouse: {available: 3}\n"
    )
    env = {
        "SHOPIFY_STORE": store.url,
        "SHOPIFY_ACCESS_TOKEN": store.token,
        "SHOPIFY_API_VERSION": "2025-01",
        "NO_COLOR": "1",
    }
    result = CliRunner().invoke(main, ["plan", "inventory.yaml"], env=env)
    assert result.exit_code == 1
    assert "served API version 2026-01 instead of 2025-01" in result.output


def test_a_sandbox_started_on_a_date(tmp_path: Path) -> None:
    with Sandbox(demo_snapshot(), today="2026-12-02") as sandbox:
        store = Store(sandbox)
        assert served_by(store, "2025-01") == "2026-01"
        assert store.control("GET", "calendar")["today"] == "2026-12-02"
    with pytest.raises(ValueError, match="unknown API version '2025-04'"):
        Sandbox(today="2026-12-02", serve_retired=["2025-04"])


def test_sandbox_serve_takes_the_date_and_retired_versions() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "sandbox", "serve", "--port", "0"]
        + ["--snapshot", str(DEMO_SNAPSHOT), "--today", "2026-12-02", "--serve-retired", "2025-10"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split(" on ", 1)[1].strip()
        lines = [process.stdout.readline() for _ in range(4)]
        assert lines[-1].strip() == (
            "API versions on 2026-12-02: 2025-10, 2026-01, 2026-04, 2026-07, 2026-10 "
            "(others fall forward to 2026-01)"
        )
        calendar = requests.get(f"{url}/__sandbox/calendar", timeout=30).json()
        assert calendar["served"]["2025-10"] == "2025-10"
        assert calendar["served"]["2025-01"] == "2026-01"
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
    assert SERVE_CALENDAR == ("--today", TODAY, "--serve-retired", "all")


def test_sandbox_serve_refuses_a_bad_date() -> None:
    result = CliRunner().invoke(main, ["sandbox", "serve", "--port", "0", "--today", "tomorrow"])
    assert result.exit_code == 1
    assert "expected a date as YYYY-MM-DD, got 'tomorrow'" in result.output
