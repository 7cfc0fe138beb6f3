"""Fault trials: apply under kill -9, lost answers, concurrent applies and sales, then count.

Each trial makes a fresh synthetic store in the sandbox (items x locations, every level
declared with a damaged write-off and a new available: one move and one set per level), plans
it with the real CLI in its own process, injects one fault and applies (and resumes, after a
kill), then checks the store's own inventory history and quantities:

* doubled: a level and quantity name changed by this plan's adjustments more times than the
  plan changes it (a move or set applied twice);
* lost: a sale made during the apply that the final store no longer shows (its committed unit
  undone, or available overwritten to the plan's target on top of it);
* crashes: any reconciler process that exits other than 0 or 1, or prints a traceback;
* wrong: an apply that said it succeeded but left a level off its target.

    python scripts/fault_trials.py                 # make faults: 2025-01 and 2026-10, full
    python scripts/fault_trials.py --rounds 1      # one trial of each kind per version

Kinds: ``kill`` (kill -9 while the store holds a move or a set, then ``--resume``), ``lost``
(the store applies a call and drops the answer), ``concurrent`` (two applies of the same plan
at once), ``sales`` (orders take units just before the calls that write their levels).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ("2025-01", "2026-10")
KINDS = ("kill", "lost", "concurrent", "sales")
TOKEN = "sandbox-token"
LATENCY = 1.5  # seconds the store holds the call a kill lands in
OPERATIONS = ("inventoryMoveQuantities", "inventorySetQuantities")


@dataclass
class Totals:
    trials: int = 0
    faults: int = 0  # faults injected (kills, lost answers, second applies, sales)
    kills: int = 0
    sales: int = 0
    sales_survived: int = 0
    lost: int = 0
    doubled: int = 0
    crashes: int = 0
    wrong: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.doubled or self.crashes or self.wrong)

    def line(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.by_kind.items()))
        return (
            f"{self.trials} trials ({kinds}): {self.faults} faults injected "
            f"({self.kills} kill -9), {self.sales_survived}/{self.sales} sales survived, "
            f"{self.lost} lost, {self.doubled} doubled, {self.crashes} crashes, "
            f"{self.wrong} wrong"
        )


class Sandbox:
    """The control plane of a running sandbox (``reconciler sandbox serve``)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.http = requests.Session()

    def control(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, f"{self.url}/__sandbox/{path}", json=body, timeout=300)
        response.raise_for_status()
        return response.json()


@dataclass
class Trial:
    sandbox: Sandbox
    version: str
    root: Path
    rng: random.Random
    items: int
    locations: int
    targets: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    before: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    plan: dict[str, Any] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SHOPIFY_STORE": self.sandbox.url,
            "SHOPIFY_ACCESS_TOKEN": TOKEN,
            "SHOPIFY_API_VERSION": self.version,
            "NO_COLOR": "1",
            "RECONCILER_MIN_BACKOFF": "0.05",
            "PYTHONPATH": str(ROOT),
        }

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "reconciler", *args]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=600,
        )

    def start(self, *args: str, capture: bool = True) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args),
            cwd=self.root,
            env=self.env(),
            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            text=True,
        )

    # -- setting up ----------------------------------------------------------------------------

    def prepare(self, seed: int) -> None:
        """A fresh store, manifests that change every level, and a saved plan."""
        self.sandbox.control("POST", "reset")
        self.sandbox.control("DELETE", "faults")
        self.sandbox.control(
            "POST", "generate", {"items": self.items, "locations": self.locations, "seed": seed}
        )
        self.before = self.levels()
        by_sku: dict[str, list[str]] = {}
        for key, quantities in sorted(self.before.items()):
            sku, name = self.names[key]
            damaged = quantities.get("damaged", 0) + 1 + self.rng.randrange(3)
            available = quantities.get("available", 0) + 7 + self.rng.randrange(20)
            self.targets[key] = {"available": available, "damaged": damaged}
            by_sku.setdefault(sku, []).append(
                f"      {name}: {{available: {available}, damaged: {damaged}}}"
            )
        lines = ["reason: correction", "items:"]
        for sku, levels in sorted(by_sku.items()):
            lines += [f"  - sku: {sku}", "    levels:", *levels]
        (self.root / "inventory.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        done = self.run("plan", "inventory.yaml", "--out", "plan.json")
        if done.returncode != 0:
            raise RuntimeError(f"plan failed: {done.stdout}{done.stderr}")
        self.plan = json.loads((self.root / "plan.json").read_text(encoding="utf-8"))
        self.sandbox.control("DELETE", "stats")

    def levels(self) -> dict[tuple[str, str], dict[str, int]]:
        snapshot = self.sandbox.control("GET", "snapshot")
        names = {loc["id"]: loc["name"] for loc in snapshot["locations"]}
        out: dict[tuple[str, str], dict[str, int]] = {}
        self.names: dict[tuple[str, str], tuple[str, str]] = {}
        for item in snapshot["inventoryItems"]:
            for level in item["levels"]:
                key = (item["id"], level["locationId"])
                out[key] = dict(level["quantities"])
                self.names[key] = (item["sku"], names[level["locationId"]])
        return out

    # -- checking ------------------------------------------------------------------------------

    def changes(self) -> Counter[tuple[str, str, str]]:
        """How often this plan's adjustments changed each (item, location, name)."""
        counted: Counter[tuple[str, str, str]] = Counter()
        plan_id = self.plan["plan_id"]
        for group in self.sandbox.control("GET", "history")["adjustmentGroups"]:
            if plan_id not in (group.get("referenceDocumentUri") or ""):
                continue
            for change in group["changes"]:
                counted[(change["inventoryItemId"], change["locationId"], change["name"])] += 1
        return counted

    def expected_changes(self) -> Counter[tuple[str, str, str]]:
        expected: Counter[tuple[str, str, str]] = Counter()
        for action in self.plan["actions"]:
            where = (action["item_id"], action.get("location_id", ""))
            if action["kind"] == "move":
                expected[(*where, action["from"])] += 1
                expected[(*where, action["to"])] += 1
            elif action["kind"] == "set":
                expected[(*where, action["name"])] += 1
        return expected

    def check(
        self, totals: Totals, succeeded: bool, sold: dict[tuple[str, str], int], label: str
    ) -> None:
        expected = self.expected_changes()
        for key, count in self.changes().items():
            if key in expected and count > expected[key]:
                totals.doubled += 1
                totals.problems.append(f"{label}: {key} changed {count}x, planned {expected[key]}x")
        after = self.levels()
        for key, units in sold.items():
            totals.sales += units
            now, then = after[key], self.before[key]
            committed_kept = now.get("committed", 0) == then.get("committed", 0) + units
            overwritten = now.get("available", 0) == self.targets[key]["available"]
            if committed_kept and not overwritten:
                totals.sales_survived += units
            else:
                totals.lost += units
                totals.problems.append(f"{label}: sale of {units} at {key} lost: {now}")
        if succeeded:
            for key, target in self.targets.items():
                now = after[key]
                if any(now.get(n, 0) != v for n, v in target.items()):
                    totals.wrong += 1
                    totals.problems.append(f"{label}: {key} is {now}, target {target}")


def _crashed(totals: Totals, label: str, done: subprocess.CompletedProcess[str] | Any) -> bool:
    output = (done.stdout or "") + (getattr(done, "stderr", "") or "")
    if done.returncode not in (0, 1) or "Traceback" in output or "Unexpected error" in output:
        totals.crashes += 1
        totals.problems.append(f"{label}: exit {done.returncode}: {output[-800:]}")
        return True
    return False


# -- the four kinds --------------------------------------------------------------------------


def kill_trial(trial: Trial, totals: Totals, label: str) -> None:
    operation = trial.rng.choice(OPERATIONS)
    trial.sandbox.control(
        "POST", "faults", {"kind": "latency", "operation": operation, "seconds": LATENCY}
    )
    child = trial.start("apply", "plan.json", "--auto-approve", capture=False)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if trial.sandbox.control("GET", "stats")["byOperation"].get(operation):
            break
        time.sleep(0.02)
    killed_at = time.monotonic()
    if child.poll() is None:
        child.send_signal(signal.SIGKILL)
        totals.kills += 1
        totals.faults += 1
    child.wait()
    journals = sorted((trial.root / ".reconciler" / "journal").glob("*.jsonl"))
    if not journals:
        totals.problems.append(f"{label}: the killed apply left no journal")
        totals.wrong += 1
        return
    trial.sandbox.control("DELETE", "faults")
    done = trial.run("apply", "--resume", str(journals[0]))
    time.sleep(max(0.0, killed_at + LATENCY + 1.0 - time.monotonic()))  # a late call lands
    if not _crashed(totals, label, done):
        trial.check(totals, done.returncode == 0, {}, label)


def lost_trial(trial: Trial, totals: Totals, label: str) -> None:
    operation = trial.rng.choice(OPERATIONS)
    trial.sandbox.control("POST", "faults", {"kind": "lose_response", "operation": operation})
    totals.faults += 1
    done = trial.run("apply", "plan.json", "--auto-approve")
    if not _crashed(totals, label, done):
        trial.check(totals, done.returncode == 0, {}, label)


def concurrent_trial(trial: Trial, totals: Totals, label: str) -> None:
    first = trial.start("apply", "plan.json", "--auto-approve")
    second = trial.start("apply", "plan.json", "--auto-approve")
    totals.faults += 1
    outputs = [p.communicate(timeout=600)[0] for p in (first, second)]
    codes = [p.returncode for p in (first, second)]
    for code, output in zip(codes, outputs, strict=True):
        _crashed(totals, label, subprocess.CompletedProcess([], code, output, ""))
    trial.check(totals, 0 in codes, {}, label)


def sales_trial(trial: Trial, totals: Totals, label: str) -> None:
    sold: dict[tuple[str, str], int] = {}
    keys = sorted(trial.targets)
    for key in trial.rng.sample(keys, min(len(keys), 1 + trial.rng.randrange(4))):
        units = 1 + trial.rng.randrange(2)
        if trial.before[key].get("available", 0) < units:
            continue
        trial.sandbox.control(
            "POST",
            "faults",
            {
                "kind": "sale",
                "operation": trial.rng.choice(OPERATIONS),
                "inventoryItemId": key[0],
                "locationId": key[1],
                "quantity": units,
            },
        )
        sold[key] = units
        totals.faults += 1
    done = trial.run("apply", "plan.json", "--auto-approve", "--continue-on-error")
    if not _crashed(totals, label, done):
        trial.check(totals, done.returncode == 0 and not sold, sold, label)


TRIALS = {
    "kill": kill_trial,
    "lost": lost_trial,
    "concurrent": concurrent_trial,
    "sales": sales_trial,
}


def run(
    url: str,
    *,
    versions: Sequence[str] = VERSIONS,
    kinds: Sequence[str] = KINDS,
    rounds: int = 1,
    items: int = 20,
    locations: int = 3,
    seed: int = 1,
    progress: bool = False,
) -> Totals:
    """`rounds` trials of each kind on each version against the sandbox at `url`."""
    sandbox = Sandbox(url)
    totals = Totals()
    rng = random.Random(seed)
    for round_ in range(rounds):
        for version in versions:
            for kind in kinds:
                with tempfile.TemporaryDirectory() as scratch:
                    trial = Trial(sandbox, version, Path(scratch), rng, items, locations)
                    trial.prepare(seed=rng.randrange(1_000_000))
                    label = f"{kind} #{round_ + 1} on {version}"
                    TRIALS[kind](trial, totals, label)
                    totals.trials += 1
                    totals.by_kind[kind] += 1
                    if progress:
                        print(f"{label}: {totals.line()}", flush=True)
    sandbox.control("DELETE", "faults")
    sandbox.control("POST", "reset")
    sandbox.http.close()
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=6, help="trials of each kind per version")
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--locations", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--version", action="append", help="API version (repeatable)")
    parser.add_argument("--store", help="a running sandbox's URL (default: start one)")
    args = parser.parse_args(argv)
    versions = tuple(args.version or VERSIONS)

    def trials(url: str) -> Totals:
        return run(
            url,
            versions=versions,
            rounds=args.rounds,
            items=args.items,
            locations=args.locations,
            seed=args.seed,
            progress=True,
        )

    print(
        f"Fault trials: {args.rounds} round(s) of {', '.join(KINDS)} on {', '.join(versions)}; "
        f"{args.items} items x {args.locations} locations, every level changed",
        flush=True,
    )
    if args.store:
        totals = trials(args.store)
    else:
        sys.path.insert(0, str(ROOT))
        from reconciler.sandbox import Sandbox as Server

        with Server(today="2026-12-02", serve_retired=("all",)) as server:
            totals = trials(server.url)
    print(f"\nTotals: {totals.line()}")
    for problem in totals.problems[:40]:
        print(f"  {problem}")
    return 0 if totals.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
