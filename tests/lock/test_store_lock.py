"""One apply at a time per store, over HTTP: the lock is a shop metafield in the sandbox.

Holders run as real processes (`python -m reconciler apply`), as two CI jobs would, and are
held inside the store by a latency fault on the stale-check read (which comes right after the
lock is taken), so a killed holder leaves no write in flight.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.apply import lock
from reconciler.apply.lock import Owner, StoreLock
from reconciler.errors import ConfigError
from reconciler.secrets import Secret
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.deadline import Deadline, DeadlineExceeded
from reconciler.shopify.target import resolve_target
from tests.apply.conftest import MANIFEST, Workspace
from tests.conftest import Store

OTHER_PLAN = MANIFEST.replace("{available: 10, damaged: 2}", "{available: 7, damaged: 5}")


@pytest.fixture
def ws(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """2025-01: moves have no compare-and-set there, so only the lock prevents double moves."""
    monkeypatch.chdir(tmp_path)
    workspace = Workspace(tmp_path, store, "2025-01")
    workspace.write("inventory.yaml", MANIFEST)
    workspace.write("other.yaml", OTHER_PLAN)
    assert workspace.run("plan", "inventory.yaml", "--out", "plan.json").exit_code == 0
    assert workspace.run("plan", "other.yaml", "--out", "other.json").exit_code == 0
    yield workspace


def _client(store: Store, token: str | None = None) -> ShopifyClient:
    return ShopifyClient(resolve_target(store.url, "2025-01"), Secret(token or store.token))


def _observed(store: Store) -> lock.Observed:
    with _client(store) as client:
        return lock.read(client)


def _hold_in_stale_check(store: Store, seconds: float) -> None:
    store.control("POST", "faults", {"kind": "latency", "operation": "nodes", "seconds": seconds})


def _start_apply(ws: Workspace, plan: str, ttl: float) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SHOPIFY_STORE": ws.store.url,
        "SHOPIFY_ACCESS_TOKEN": ws.store.token,
        "SHOPIFY_API_VERSION": ws.version,
        "RECONCILER_LOCK_TTL": str(ttl),
        "NO_COLOR": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", "apply", plan],
        cwd=ws.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _wait_until_held(store: Store, child: subprocess.Popen[bytes]) -> lock.Observed:
    limit = time.monotonic() + 90
    while time.monotonic() < limit:
        seen = _observed(store)
        if seen.record is not None and seen.record.owner.pid == child.pid and seen.live:
            return seen
        assert child.poll() is None, child.communicate()[0].decode()
        time.sleep(0.1)
    child.kill()
    child.communicate()
    pytest.fail("the first apply never took the lock")


def _moves_of_damaged(ws: Workspace) -> list[dict[str, Any]]:
    return [
        g
        for g in ws.groups()
        if any(c["name"] == "damaged" and c["delta"] != 0 for c in g["changes"])
    ]


def test_a_second_apply_of_the_same_plan_is_refused_while_the_first_holds_the_lock(
    ws: Workspace,
) -> None:
    ttl = 2.0
    _hold_in_stale_check(ws.store, 10.0)  # much longer than the ttl: renewals must keep it
    first = _start_apply(ws, "plan.json", ttl)
    held = _wait_until_held(ws.store, first)
    time.sleep(ttl + 0.5)  # past the first ttl: only renewals keep the lock live
    second = ws.run("apply", "plan.json")
    output, _ = first.communicate(timeout=120)
    assert first.returncode == 0, output.decode()
    assert second.exit_code == 1
    assert "the store is locked by another apply" in second.output
    assert f"lock {held.lock_id}" in second.output and f"(pid {first.pid})" in second.output
    assert f"reconciler force-unlock {held.lock_id}" in second.output
    east = ws.quantities("TSHIRT-RED-M", "East Warehouse")
    assert (east["available"], east["damaged"]) == (10, 2)
    assert len(_moves_of_damaged(ws)) == 1, "stock was moved more than once"
    after = _observed(ws.store)
    assert after.record is not None and after.record.state == "released"
    assert after.record.renewals >= 1


def test_a_different_plan_is_refused_while_another_apply_holds_the_lock(ws: Workspace) -> None:
    _hold_in_stale_check(ws.store, 8.0)
    first = _start_apply(ws, "plan.json", 30)
    held = _wait_until_held(ws.store, first)
    second = ws.run("apply", "other.json")
    first.communicate(timeout=120)
    assert first.returncode == 0
    assert second.exit_code == 1 and f"lock {held.lock_id}" in second.output
    east = ws.quantities("TSHIRT-RED-M", "East Warehouse")
    assert (east["available"], east["damaged"]) == (10, 2)  # the first plan's targets
    assert len(_moves_of_damaged(ws)) == 1


def test_a_killed_holders_lock_expires_and_the_store_is_free_again(ws: Workspace) -> None:
    ttl = 5.0
    _hold_in_stale_check(ws.store, 30.0)  # killed long before: no write is ever in flight
    first = _start_apply(ws, "plan.json", ttl)
    held = _wait_until_held(ws.store, first)
    refused = ws.run("apply", "other.json")  # the holder is alive and renewing: refused
    assert refused.exit_code == 1 and f"lock {held.lock_id}" in refused.output
    first.send_signal(signal.SIGKILL)
    first.communicate()  # reaped, pipes closed
    limit = time.monotonic() + ttl + 30
    while _observed(ws.store).live:
        assert time.monotonic() < limit, "the dead holder's lock never expired"
        time.sleep(0.25)
    applied = ws.run("apply", "other.json")
    assert applied.exit_code == 0, applied.output
    east = ws.quantities("TSHIRT-RED-M", "East Warehouse")
    assert (east["available"], east["damaged"]) == (7, 5)
    assert len(_moves_of_damaged(ws)) == 1


def test_resume_takes_over_the_lock_its_journal_names(ws: Workspace) -> None:
    """The journal names the lock; its holder provably died here, so no wait for expiry."""
    ws.store.control(
        "POST", "faults", {"kind": "latency", "operation": "inventoryItemUpdate", "seconds": 3.0}
    )
    first = _start_apply(ws, "plan.json", 300)
    journal_dir = ws.root / ".reconciler" / "journal"
    limit = time.monotonic() + 90
    while (
        not list(journal_dir.glob("*.jsonl"))
        or '"send"' not in next(journal_dir.glob("*.jsonl")).read_text()
    ):
        assert time.monotonic() < limit and first.poll() is None
        time.sleep(0.05)
    journal = next(journal_dir.glob("*.jsonl"))
    first.send_signal(signal.SIGKILL)
    first.communicate()  # reaped, pipes closed
    assert lock.recorded_in(journal) == _observed(ws.store).lock_id
    time.sleep(3.5)  # let the abandoned item update finish in the store
    resumed = ws.run("apply", "--resume", str(journal))
    assert resumed.exit_code == 0, resumed.output
    assert "took over the store lock" in resumed.output
    assert len(_moves_of_damaged(ws)) == 1


def test_force_unlock_releases_a_foreign_lock_and_its_holder_stops_writing(
    ws: Workspace,
) -> None:
    ws.store.control("POST", "tokens", {"token": "ci-app-token", "app": "CI app"})
    foreign = Owner(actor="ci-bot", host="runner-7", pid=4242, ci_run="https://ci.example/r/9")
    with _client(ws.store, "ci-app-token") as holder_client:
        holder = StoreLock(holder_client, foreign, ttl=300)
        record = holder.acquire()
        refused = ws.run("apply", "plan.json")
        assert refused.exit_code == 1
        for part in ("ci-bot", "https://ci.example/r/9", "host runner-7 (pid 4242)", record.id):
            assert part in refused.output
        mine = ws.run("unlock")
        assert mine.exit_code == 1 and "only releases your own lock" in mine.output
        wrong = ws.run("force-unlock", "0123456789abcdef")
        assert wrong.exit_code == 1 and f"locked by lock {record.id}" in wrong.output
        forced = ws.run("force-unlock", record.id)
        assert forced.exit_code == 0, forced.output
        assert f"Released lock {record.id}" in forced.output and "ci-bot" in forced.output
        holder.renew()
        assert holder.lost is not None
        calls = ws.store.control("GET", "stats")["requests"]
        with pytest.raises(lock.LockLost):
            holder.guard("InventorySetQuantities")
        assert ws.store.control("GET", "stats")["requests"] == calls
    applied = ws.run("apply", "plan.json")
    assert applied.exit_code == 0, applied.output


def test_unlock_releases_your_own_lock_and_says_when_there_is_none(ws: Workspace) -> None:
    with _client(ws.store) as client:
        StoreLock(client, Owner.here(), ttl=300).acquire()
    released = ws.run("unlock")
    assert released.exit_code == 0 and "Released lock" in released.output
    again = ws.run("unlock")
    assert again.exit_code == 1 and "the store is not locked" in again.output
    with pytest.raises(ConfigError, match="not locked"), _client(ws.store) as client:
        lock.force_unlock(client, "0123456789abcdef", Owner.here())


def test_an_empty_plan_takes_no_lock(ws: Workspace) -> None:
    assert ws.run("apply", "plan.json").exit_code == 0
    assert ws.run("plan", "inventory.yaml", "--out", "again.json").exit_code == 0
    before = _observed(ws.store)
    assert ws.run("apply", "again.json").exit_code == 0
    assert _observed(ws.store).digest == before.digest


def test_the_lock_record_is_json_naming_its_holder(ws: Workspace) -> None:
    with _client(ws.store) as client:
        taken = StoreLock(client, Owner.here(plan_id="abc", commit="f" * 40), ttl=60)
        taken.acquire()
        raw = lock.read(client).raw
    data = json.loads(raw or "{}")
    assert data["state"] == "held" and data["ttl_seconds"] == 60
    assert data["owner"]["plan_id"] == "abc" and data["owner"]["commit"] == "f" * 40
    assert data["owner"]["pid"] == os.getpid()


def test_a_run_past_its_deadline_still_releases_its_lock(ws: Workspace) -> None:
    now = [0.0]
    client = ShopifyClient(
        resolve_target(ws.store.url, "2025-01"),
        Secret(ws.store.token),
        deadline=Deadline(60.0, "the test", clock=lambda: now[0]),
    )
    with client, lock.held(client, Owner.here(), ttl=300):
        now[0] = 61.0  # the run's deadline passes while it holds the lock
        with pytest.raises(DeadlineExceeded):
            client.query("locations", {"after": None})
    after = _observed(ws.store)
    assert after.record is not None and after.record.state == "released"
