"""Concurrent apply over HTTP against the sandbox: several calls in flight, never two on one
level or item, per-level order kept, lost answers and kill -9 with several in flight, and the
same result as one call at a time.

The store: 12 generated items at 2 locations. The manifest gives items 0-9 each its own reason,
so every item's changes are batches of their own: at Location 01 a move (1 available → damaged)
and then a set (available back to its value), at Location 02 a set, and for items 0 and 1 an
item update (cost) first. That is 2 + 10 move + 10 set calls, 20 of them on disjoint levels.
The sandbox holds each mutation for a while (its latency), so calls overlap when they may.

What was in flight together is seen by a recording proxy between the client and the sandbox
(plain HTTP forwarding, nothing answered by the proxy itself): it numbers every request's
arrival and answer, so overlaps are exact, not timed.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.conftest import Store

REASONS = (
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_created",
    "other",
    "promotion",
    "quality_control",
    "received",
    "restock",
    "shrinkage",
)
MUTATIONS = ("ItemUpdate", "MoveQuantities", "SetQuantities")
VERSIONS = ("2025-01", "2026-10")


# -- the recording proxy -------------------------------------------------------------------


@dataclass
class Call:
    operation: str
    variables: dict[str, Any]
    sent: int  # proxy sequence number when the request arrived
    answered: int  # ... and when its answer went back (or the connection was dropped)
    lost: bool = False  # the sandbox dropped the connection (a lost answer)

    def touches(self) -> set[tuple[str, str | None]]:
        """(item, location) per level row; (item, None) for an item update."""
        data = self.variables.get("input") or {}
        if self.operation == "SetQuantities":
            return {(r["inventoryItemId"], r["locationId"]) for r in data["quantities"]}
        if self.operation == "MoveQuantities":
            return {(r["inventoryItemId"], r["from"]["locationId"]) for r in data["changes"]}
        if self.operation == "ItemUpdate":
            return {(self.variables["id"], None)}
        return set()

    def overlaps(self, other: Call) -> bool:
        return self.sent < other.answered and other.sent < self.answered


def _most_in_flight(calls: list[Call]) -> int:
    events = sorted([(c.sent, 1) for c in calls] + [(c.answered, -1) for c in calls])
    return max(itertools.accumulate(step for _, step in events))


def _share(a: Call, b: Call) -> bool:
    for item, location in a.touches():
        for other_item, other_location in b.touches():
            if item == other_item and (location is None or other_location is None):
                return True
            if (item, location) == (other_item, other_location):
                return True
    return False


class Recorder:
    """An HTTP proxy on loopback in front of the sandbox that records every GraphQL call."""

    HEADERS = ("Content-Type", "X-Shopify-API-Version", "Date", "Retry-After")

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._ticks = itertools.count()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with recorder._lock:
                    sent = next(recorder._ticks)
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")
                }
                try:
                    answer = requests.post(
                        recorder.upstream + self.path, data=body, headers=headers, timeout=120
                    )
                except requests.RequestException:
                    answer = None
                with recorder._lock:
                    request = json.loads(body)
                    recorder.calls.append(
                        Call(
                            request.get("operationName") or "",
                            request.get("variables") or {},
                            sent,
                            next(recorder._ticks),
                            lost=answer is None,
                        )
                    )
                if answer is None:
                    self.close_connection = True  # the sandbox dropped it: so do we
                    return
                self.send_response(answer.status_code)
                for name in Recorder.HEADERS:
                    if name in answer.headers:
                        self.send_header(name, answer.headers[name])
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def mutations(self) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.operation in MUTATIONS]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder(store: Store) -> Iterator[Recorder]:
    proxy = Recorder(store.url)
    yield proxy
    proxy.close()


# -- the store and the plan ----------------------------------------------------------------


def _generate(store: Store, latency_ms: int = 300) -> dict[str, Any]:
    store.control("POST", "generate", {"items": 12, "locations": 2, "seed": 5})
    store.control("POST", "latency", {"mutation_ms": latency_ms})
    store.control("DELETE", "stats")
    snapshot: dict[str, Any] = store.control("GET", "snapshot")
    return snapshot


def _manifest(snapshot: dict[str, Any]) -> str:
    names = {loc["id"]: loc["name"] for loc in snapshot["locations"]}
    items = []
    for index, item in enumerate(snapshot["inventoryItems"][: len(REASONS)]):
        levels = {names[level["locationId"]]: level["quantities"] for level in item["levels"]}
        first, second = levels["Location 01"], levels["Location 02"]
        entry: dict[str, Any] = {
            "sku": item["sku"],
            "reason": REASONS[index],
            "levels": {
                "Location 01": {
                    "available": first.get("available", 0),
                    "damaged": first.get("damaged", 0) + 1,
                },
                "Location 02": {"available": second.get("available", 0) + 3},
            },
        }
        if index < 2:
            entry["cost"] = "1.50"
        items.append(entry)
    return yaml.safe_dump({"items": items}, sort_keys=False)


def _cli(root: Path, url: str, version: str, *args: str) -> Result:
    env = {
        "SHOPIFY_STORE": url,
        "SHOPIFY_ACCESS_TOKEN": "sandbox-token",
        "SHOPIFY_API_VERSION": version,
        "NO_COLOR": "1",
        "SOURCE_DATE_EPOCH": "1795000000",
    }
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _plan(root: Path, url: str, version: str, snapshot: dict[str, Any]) -> dict[str, Any]:
    (root / "inventory.yaml").write_text(_manifest(snapshot), encoding="utf-8")
    result = _cli(root, url, version, "plan", "inventory.yaml", "--out", "plan.json")
    assert result.exit_code == 2 or result.exit_code == 0, result.output
    plan: dict[str, Any] = json.loads((root / "plan.json").read_text())
    kinds = [a["kind"] for a in plan["actions"]]
    assert (kinds.count("update_item"), kinds.count("move"), kinds.count("set")) == (2, 10, 20)
    return plan


def _levels(store: Store) -> dict[tuple[str, str], dict[str, int]]:
    snapshot = store.control("GET", "snapshot")
    return {
        (item["id"], level["locationId"]): level["quantities"]
        for item in snapshot["inventoryItems"]
        for level in item["levels"]
    }


def _groups_per_level(store: Store) -> dict[tuple[str, str], int]:
    """How many adjustment groups (one per applied mutation) changed each level."""
    counts: dict[tuple[str, str], int] = {}
    for group in store.control("GET", "history")["adjustmentGroups"]:
        if group["app"] == "Online Store":
            continue
        for level in {(c["inventoryItemId"], c["locationId"]) for c in group["changes"]}:
            counts[level] = counts.get(level, 0) + 1
    return counts


def _once_each(plan: dict[str, Any]) -> dict[tuple[str, str], int]:
    """The groups per level when every move and set of the plan applied exactly once (each
    of them is a call of its own here)."""
    counts: dict[tuple[str, str], int] = {}
    for action in plan["actions"]:
        if action["kind"] in ("move", "set"):
            level = (action["item_id"], action["location_id"])
            counts[level] = counts.get(level, 0) + 1
    return counts


def _statuses(root: Path) -> dict[int, tuple[str, str | None]]:
    report = json.loads((root / "apply.json").read_text())
    return {r["id"]: (r["status"], r.get("message")) for r in report["results"]}


def _apply(root: Path, url: str, version: str, *args: str) -> Result:
    result = _cli(root, url, version, "apply", "plan.json", "--format", "json", *args)
    (root / "apply.json").write_text(result.stdout, encoding="utf-8")
    return result


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_calls_overlap_but_never_on_one_level_and_keep_each_levels_order(
    store: Store, recorder: Recorder, work: Path, version: str
) -> None:
    plan = _plan(work, recorder.url, version, _generate(store))
    recorder.clear()
    result = _apply(work, recorder.url, version, "--concurrency", "4", "--progress")
    assert result.exit_code == 0, result.output
    # progress on stderr (never in the JSON on stdout): changes answered, then done
    assert "[apply] 0/32 changes (0%) · started" in result.stderr
    assert "[apply] 32/32 changes (100%)" in result.stderr and "done in" in result.stderr
    calls = recorder.mutations()
    assert sorted(c.operation for c in calls) == sorted(
        ["ItemUpdate"] * 2 + ["MoveQuantities"] * 10 + ["SetQuantities"] * 10
    )
    # several in flight at once (the sandbox holds each mutation 300 ms) ...
    assert 2 <= _most_in_flight(calls) <= 4
    # ... but never two on one level, nor on an item being updated
    for a, b in itertools.combinations(calls, 2):
        if a.overlaps(b):
            assert not _share(a, b), (a, b)
    # per level: the item's update, then its move, then its set
    for item, location in {(i, loc) for c in calls for i, loc in c.touches() if loc}:
        order = [
            c
            for c in sorted(calls, key=lambda c: c.sent)
            if (item, location) in c.touches() or (item, None) in c.touches()
        ]
        names = [c.operation for c in order]
        assert names == sorted(names, key=MUTATIONS.index), names
        for earlier, later in itertools.pairwise(order):
            assert earlier.answered < later.sent
    assert _groups_per_level(store) == _once_each(plan)


@pytest.mark.parametrize("version", VERSIONS)
def test_results_are_those_of_one_call_at_a_time(store: Store, work: Path, version: str) -> None:
    snapshot = _generate(store, latency_ms=50)
    _plan(work, store.url, version, snapshot)
    outcomes = {}
    for concurrency in ("1", "4"):
        store.control("PUT", "snapshot", snapshot)
        result = _apply(work, store.url, version, "--concurrency", concurrency)
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        outcomes[concurrency] = (
            _statuses(work),
            _levels(store),
            _groups_per_level(store),
            report["drift"],
            report["usage"]["byOperation"],
        )
    assert outcomes["1"] == outcomes["4"]


def test_config_sets_the_concurrency_and_the_flag_overrides_it(
    store: Store, recorder: Recorder, work: Path
) -> None:
    snapshot = _generate(store)
    _plan(work, recorder.url, "2026-10", snapshot)
    (work / "reconciler.yaml").write_text("apply:\n  concurrency: 1\n", encoding="utf-8")
    for flag, most in (((), 1), (("--concurrency", "2"), 2)):
        store.control("PUT", "snapshot", snapshot)
        recorder.clear()
        result = _apply(work, recorder.url, "2026-10", *flag)
        assert result.exit_code == 0, result.output
        assert _most_in_flight(recorder.mutations()) == most, flag
    (work / "reconciler.yaml").write_text("apply:\n  concurrency: 0\n", encoding="utf-8")
    result = _apply(work, recorder.url, "2026-10")
    assert result.exit_code == 1
    assert "reconciler.yaml:2" in result.output and "concurrency" in result.output


@pytest.mark.parametrize("version", VERSIONS)
def test_lost_answers_with_several_in_flight_apply_once(
    store: Store, recorder: Recorder, work: Path, version: str
) -> None:
    plan = _plan(work, recorder.url, version, _generate(store))
    recorder.clear()
    # the first set goes out alone (the bucket's cost of a set is not known yet); the answers
    # of the next three are lost, while other sets are in flight
    store.control(
        "POST",
        "faults",
        {"kind": "lose_response", "operation": "inventorySetQuantities", "skip": 1, "times": 3},
    )
    result = _apply(work, recorder.url, version, "--concurrency", "4")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["summary"] == {"applied": 32, "failed": 0, "not_attempted": 0}
    assert report["drift"] == []
    calls = recorder.mutations()
    lost = [c for c in calls if c.lost]
    assert len(lost) == 3
    assert any(c.overlaps(other) for c in lost for other in calls if other is not c)
    assert _groups_per_level(store) == _once_each(plan)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_failure_stops_new_sends_and_calls_in_flight_are_recorded(
    store: Store, work: Path, version: str
) -> None:
    snapshot = _generate(store)
    plan = _plan(work, store.url, version, snapshot)
    item = snapshot["inventoryItems"][2]["id"]
    store.control(
        "POST",
        "faults",
        {
            "kind": "sale",
            "operation": "inventorySetQuantities",
            "inventoryItemId": item,
            "locationId": "gid://shopify/Location/1001",
            "quantity": 1,
        },
    )
    result = _apply(work, store.url, version, "--concurrency", "4")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    statuses = {r["id"]: r["status"] for r in report["results"]}
    failed = [i for i, s in statuses.items() if s == "failed"]
    assert [plan["actions"][i - 1]["item_id"] for i in failed] == [item]
    assert report["summary"]["not_attempted"] >= 2  # the failed call's other row, and more
    # what the report calls applied is in the store, once; nothing else is
    applied: dict[tuple[str, str], int] = {}
    for action in plan["actions"]:
        if action["kind"] in ("move", "set") and statuses[action["id"]] == "applied":
            level = (action["item_id"], action["location_id"])
            applied[level] = applied.get(level, 0) + 1
    assert _groups_per_level(store) == applied
    # every call that went out (in flight when the failure came back included) has its answer
    # in the journal
    from reconciler.apply import journal

    assert journal.read(Path(report["journal"])).in_flight == []
    sent = store.control("GET", "stats")["byOperation"]["inventorySetQuantities"]
    set_results = {statuses[a["id"]] for a in plan["actions"] if a["kind"] == "set"}
    assert "not_attempted" in set_results and sent < 10


@pytest.mark.parametrize("version", VERSIONS)
def test_continue_on_error_gives_the_results_of_one_call_at_a_time(
    store: Store, work: Path, version: str
) -> None:
    snapshot = _generate(store, latency_ms=50)
    _plan(work, store.url, version, snapshot)
    item = snapshot["inventoryItems"][2]["id"]
    outcomes = []
    for concurrency in ("1", "4"):
        store.control("PUT", "snapshot", snapshot)
        store.control(
            "POST",
            "faults",
            {
                "kind": "sale",
                "operation": "inventorySetQuantities",
                "inventoryItemId": item,
                "locationId": "gid://shopify/Location/1001",
                "quantity": 1,
            },
        )
        result = _apply(
            work, store.url, version, "--concurrency", concurrency, "--continue-on-error"
        )
        assert result.exit_code == 1, result.output
        report = json.loads(result.stdout)
        assert report["summary"] == {"applied": 31, "failed": 1, "not_attempted": 0}
        outcomes.append((_statuses(work), _levels(store), _groups_per_level(store)))
    assert outcomes[0] == outcomes[1]


def _in_flight(journal: Path) -> list[dict[str, Any]]:
    """The journal's send records without an answer yet."""
    sent: dict[str, dict[str, Any]] = {}
    for line in journal.read_text().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line being written
        if record["event"] == "send":
            sent[record["batch"]] = record
        elif record["event"] == "result":
            sent.pop(record["batch"], None)
    return list(sent.values())


@pytest.mark.parametrize("version", VERSIONS)
def test_kill_9_with_several_in_flight_then_resume_applies_nothing_twice(
    store: Store, work: Path, version: str
) -> None:
    snapshot = _generate(store, latency_ms=3000)
    plan = _plan(work, store.url, version, snapshot)
    env = {
        **os.environ,
        "SHOPIFY_STORE": store.url,
        "SHOPIFY_ACCESS_TOKEN": store.token,
        "SHOPIFY_API_VERSION": version,
        "NO_COLOR": "1",
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "apply", "plan.json", "--concurrency", "4"],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    journal = work / ".reconciler" / "journal" / f"{plan['plan_id']}.jsonl"
    deadline = time.monotonic() + 120

    def several_in_the_server() -> bool:
        """3+ calls journaled as sent and unanswered, all of them arrived in the sandbox (a
        call journaled but still waiting for the bucket would never land, and a 2025-01 move
        is then settled only after its settle window)."""
        if not journal.exists():
            return False
        sent = len(_in_flight(journal))
        waiting = store.control("GET", "latency")["waiting"]
        return sent >= 3 and waiting >= sent == len(_in_flight(journal))

    while not several_in_the_server():
        if time.monotonic() > deadline or child.poll() is not None:
            child.kill()
            pytest.fail("the apply never had several calls in flight")
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    in_flight = _in_flight(journal)
    assert len(in_flight) >= 3
    # The calls the killed client left in the server finish now (a resume racing a request
    # still in the server is another test's subject).
    store.control("POST", "latency", {"mutation_ms": 0})
    settle = time.monotonic() + 30
    while store.control("GET", "latency")["waiting"]:
        assert time.monotonic() < settle
        time.sleep(0.05)
    time.sleep(0.5)
    result = _cli(work, store.url, version, "apply", "--resume", str(journal), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["summary"] == {"applied": 32, "failed": 0, "not_attempted": 0}
    assert _groups_per_level(store) == _once_each(plan)
    again = _cli(work, store.url, version, "plan", "inventory.yaml", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    if version >= "2026-01":
        # batches left in flight went out again exactly as they had (same key, same rows)
        sends: dict[str, list[Any]] = {}
        for line in journal.read_text().splitlines():
            record = json.loads(line)
            if record["event"] == "send" and record["idempotency_key"]:
                sends.setdefault(record["idempotency_key"], []).append(record["variables"])
        resent = [v for v in sends.values() if len(v) > 1]
        assert resent
        assert len(resent) == len([r for r in in_flight if r["idempotency_key"]])
        assert all(all(v == group[0] for v in group) for group in resent)


def test_drift_reads_follow_each_items_last_call_while_others_are_in_flight(
    store: Store, recorder: Recorder, work: Path
) -> None:
    store.control("POST", "generate", {"items": 600, "locations": 1, "seed": 3})
    snapshot = store.control("GET", "snapshot")
    lines = ["items:"]
    for item in snapshot["inventoryItems"]:
        available = item["levels"][0]["quantities"].get("available", 0)
        lines += [
            f"  - sku: {item['sku']}",
            "    levels:",
            f"      Location 01: {{available: {available + 1}}}",
        ]
    (work / "inventory.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _cli(work, recorder.url, "2026-10", "plan", "inventory.yaml", "--out", "plan.json")
    assert result.exit_code in (0, 2), result.output
    store.control("POST", "latency", {"mutation_ms": 300})
    recorder.clear()
    result = _apply(work, recorder.url, "2026-10", "--concurrency", "4")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["summary"]["applied"] == 600 and report["drift"] == []
    sets = [c for c in recorder.calls if c.operation == "SetQuantities"]
    assert len(sets) == 3
    reads = [c for c in recorder.calls if c.operation == "ItemsById"]
    stale_check, drift = reads[:3], reads[3:]
    assert all(r.answered < min(s.sent for s in sets) for r in stale_check)
    assert sorted(i for r in drift for i in r.variables["ids"]) == sorted(
        i["id"] for i in snapshot["inventoryItems"]
    )
    for read in drift:
        # an item is re-read only once the call setting it was answered
        ids = set(read.variables["ids"])
        setting = [s for s in sets if ids & {item for item, _ in s.touches()}]
        assert setting and all(s.answered < read.sent for s in setting)
    # ... and the first re-read went out while a set was still in flight
    assert any(read.overlaps(s) for read in drift for s in sets)
