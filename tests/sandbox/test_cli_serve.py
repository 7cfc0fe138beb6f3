"""`reconciler sandbox serve`: prints its URL first, serves, stops cleanly, refuses bad input."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from reconciler.cli import main
from tests.conftest import DEMO_SNAPSHOT, SERVE_CALENDAR, demo_snapshot

PREFIX = "Sandbox store listening on "


class Served:
    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        # Read through the text stream that read the first line: `communicate` reads the raw
        # pipe and would miss lines that stream had already buffered.
        watchdog = threading.Timer(30, self.process.kill)
        watchdog.start()
        try:
            assert self.process.stdout is not None
            out = self.process.stdout.read()
            self.process.stdout.close()
            self.process.wait(timeout=30)
        finally:
            watchdog.cancel()
        return self.process.returncode, out


def serve(*args: str) -> Served:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reconciler",
            "sandbox",
            "serve",
            "--port",
            "0",
            *SERVE_CALENDAR,
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # A guard against a hang, not a speed test: startup builds every version's schema, which
    # takes a while on a loaded machine.
    watchdog = threading.Timer(300, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
    finally:
        watchdog.cancel()
    assert first.startswith(PREFIX), first + (process.stdout.read() if process.poll() else "")
    return Served(process, first[len(PREFIX) :].strip())


@pytest.fixture
def served_processes() -> Iterator[list[Served]]:
    started: list[Served] = []
    yield started
    for served in started:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(timeout=30)


def test_serve_prints_the_url_first_and_serves_the_snapshot(served_processes: list[Served]) -> None:
    served = serve("--snapshot", str(DEMO_SNAPSHOT))
    served_processes.append(served)
    assert served.url.startswith("http://127.0.0.1:")
    health = requests.get(f"{served.url}/__sandbox/health", timeout=30).json()
    assert (health["items"], health["levels"], health["locations"]) == (30, 71, 3)
    body = requests.post(
        f"{served.url}/admin/api/2025-01/graphql.json",
        json={"query": "{ locations(first: 5) { nodes { name } } }"},
        headers={"X-Shopify-Access-Token": "sandbox-token"},
        timeout=60,
    ).json()
    assert [n["name"] for n in body["data"]["locations"]["nodes"]] == [
        "East Warehouse",
        "Portland Store",
        "West Warehouse",
    ]
    code, out = served.stop()
    assert code == 0
    assert out.splitlines()[-1] == "stopped"
    assert "  store: snapshot " in out


def test_serve_with_db_keeps_the_store_across_restarts(
    tmp_path: Path, served_processes: list[Served]
) -> None:
    db = tmp_path / "store.sqlite"
    first = serve("--snapshot", str(DEMO_SNAPSHOT), "--db", str(db))
    served_processes.append(first)
    sale = {
        "inventoryItemId": "gid://shopify/InventoryItem/43729030",
        "locationId": "gid://shopify/Location/68509171945",
        "quantity": 5,
    }
    assert requests.post(f"{first.url}/__sandbox/sale", json=sale, timeout=30).status_code == 200
    before = requests.get(f"{first.url}/__sandbox/snapshot", timeout=30).json()
    assert first.stop()[0] == 0
    second = serve("--db", str(db))
    served_processes.append(second)
    after = requests.get(f"{second.url}/__sandbox/snapshot", timeout=30).json()
    assert after == before
    assert after["inventoryItems"][0]["levels"][0]["quantities"]["available"] == 10
    history = requests.get(f"{second.url}/__sandbox/history", timeout=30).json()
    assert len(history["adjustmentGroups"]) == 1
    assert second.stop()[0] == 0


def test_a_bad_snapshot_exits_1_with_every_problem(tmp_path: Path) -> None:
    data = demo_snapshot()
    data["locations"].append(data["locations"][0])
    data["inventoryItems"][0]["levels"][0]["locationId"] = "gid://shopify/Location/7"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["sandbox", "serve", "--port", "0", "--snapshot", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: invalid store snapshot (2 problems):\n"
        "  $.locations[3].id: duplicate location id gid://shopify/Location/68509171945 "
        "(also at $.locations[0])\n"
        "  $.inventoryItems[0].levels[0].locationId: gid://shopify/Location/7 is not a location "
        "of this snapshot\n"
    )
    assert result.stdout == ""


def test_a_snapshot_that_is_not_json_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{", encoding="utf-8")
    result = CliRunner().invoke(main, ["sandbox", "serve", "--port", "0", "--snapshot", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {path}: invalid store snapshot (1 problem):\n  $: not valid JSON: Expecting "
    )


def test_a_non_loopback_host_is_refused_without_allow_remote() -> None:
    result = CliRunner().invoke(main, ["sandbox", "serve", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: refusing to listen on 0.0.0.0: the sandbox has no real authentication and "
        "serves loopback only; pass --allow-remote to listen on other interfaces.\n"
    )
    assert result.stdout == ""
