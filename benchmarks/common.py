"""What the plan and apply benchmarks share: a sandbox server process, manifests, counters.

The sandbox runs as its own process (``reconciler sandbox serve --port 0``), so the client
being measured (our `reconciler.commands`) and the server do not share an interpreter or its
GIL; every GraphQL request crosses loopback HTTP. Calls and cost points are read twice: from
the client's `Usage` and from the server's ``/__sandbox/stats``, which also counts requests
the client never saw answered (throttled ones).
"""

from __future__ import annotations

import contextlib
import math
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

VERSION = "2026-10"
TOKEN = "sandbox-token"
VERSIONS = ("2025-01", "2026-01", "2026-04", "2026-10")
STANDARD_BUCKET = 2000.0  # standard plan: bucket size (points) and restore rate (points/s)
STANDARD_RESTORE = 100.0


class Store:
    """A sandbox store reached over HTTP: its URL and its control plane (``/__sandbox/``)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.http = requests.Session()

    def control(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, f"{self.url}/__sandbox/{path}", json=body, timeout=600)
        response.raise_for_status()
        return response.json()

    def generate(self, items: int, locations: int, seed: int = 1) -> dict[str, Any]:
        """Replace the store with a synthetic one (deterministic per seed; ids are stable)."""
        body = {"items": items, "locations": locations, "seed": seed}
        return dict(self.control("POST", "generate", body))

    def snapshot(self) -> dict[str, Any]:
        return dict(self.control("GET", "snapshot"))

    def throttle(self, plan: str, available: float | None = None) -> dict[str, Any]:
        """Set the shop's plan (every bucket starts full again); optionally drain to `available`."""
        body: dict[str, Any] = {"plan": plan}
        if available is not None:
            body["currentlyAvailable"] = available
        return dict(self.control("POST", "throttle", body))

    def reset_stats(self) -> None:
        self.control("DELETE", "stats")

    def stats(self) -> dict[str, Any]:
        return dict(self.control("GET", "stats"))

    def close(self) -> None:
        self.http.close()


class SandboxProcess(Store):
    """`reconciler sandbox serve` in a subprocess; its URL is the first line it prints."""

    def __init__(self, plan: str = "standard") -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reconciler", "sandbox", "serve", "--port", "0"]
            + ["--plan", plan],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        watchdog = threading.Timer(120, self.process.kill)
        watchdog.start()
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        watchdog.cancel()
        prefix = "Sandbox store listening on "
        if not line.startswith(prefix):
            self.process.kill()
            raise RuntimeError(f"sandbox did not start: {line!r}")
        super().__init__(line[len(prefix) :].strip())
        self.warm_up()

    def warm_up(self) -> None:
        """Build every version's schema now, so no measured call pays for it."""
        for version in VERSIONS:
            response = self.http.post(
                f"{self.url}/admin/api/{version}/graphql.json",
                json={"query": "{ shop { name } }"},
                headers={"X-Shopify-Access-Token": TOKEN},
                timeout=600,
            )
            response.raise_for_status()

    def stop(self) -> None:
        self.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def store_env(url: str, version: str = VERSION) -> Iterator[None]:
    """SHOPIFY_STORE / SHOPIFY_ACCESS_TOKEN / SHOPIFY_API_VERSION pointing at the sandbox."""
    keys = ("SHOPIFY_STORE", "SHOPIFY_ACCESS_TOKEN", "SHOPIFY_API_VERSION")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update(
        {"SHOPIFY_STORE": url, "SHOPIFY_ACCESS_TOKEN": TOKEN, "SHOPIFY_API_VERSION": version}
    )
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# -- manifests ------------------------------------------------------------------------------

Level = dict[str, int]
# (item index, snapshot item, {location name: live quantities}) -> manifest entry or None
ItemRule = Callable[[int, dict[str, Any], dict[str, Level]], dict[str, Any] | None]


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def _entry_yaml(entry: dict[str, Any]) -> str:
    lines = [f"  - sku: {_scalar(entry['sku'])}"]
    if "cost" in entry:
        lines.append(f"    cost: {_scalar(entry['cost'])}")
    lines.append("    levels:")
    for location, quantities in entry["levels"].items():
        inner = ", ".join(f"{name}: {value}" for name, value in quantities.items())
        lines.append(f"      {_scalar(location)}: {{{inner}}}")
    return "\n".join(lines)


def write_manifests(
    snapshot: dict[str, Any], rule: ItemRule, directory: Path, per_file: int = 1000
) -> tuple[list[Path], int]:
    """Manifests (YAML, `per_file` items each) from a store snapshot; returns (files, items)."""
    names = {loc["id"]: loc["name"] for loc in snapshot["locations"]}
    entries: list[str] = []
    for index, item in enumerate(snapshot["inventoryItems"]):
        levels = {
            names[level["locationId"]]: {
                k: int(v) for k, v in level["quantities"].items() if isinstance(v, int)
            }
            for level in item["levels"]
        }
        entry = rule(index, item, levels)
        if entry is not None:
            entries.append(_entry_yaml(entry))
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for number, start in enumerate(range(0, len(entries), per_file)):
        path = directory / f"items-{number:03d}.yaml"
        path.write_text(
            "reason: correction\nitems:\n" + "\n".join(entries[start : start + per_file]) + "\n"
        )
        files.append(path)
    return files, len(entries)


@contextlib.contextmanager
def workdir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        yield Path(tmp)


# -- reporting ------------------------------------------------------------------------------


def loadavg() -> float:
    """The machine's 1-minute load average (the machine is shared: it is printed with timings)."""
    return os.getloadavg()[0]


def throttle_floor(actual_cost: float, bucket_at_start: float, restore_rate: float) -> float:
    """The fastest any client could spend `actual_cost` points: max(0, (A - B0) / r).

    In T seconds a bucket that starts with B0 points and restores r points/s can hand out at
    most B0 + r*T points, and every point a call is finally charged (its actual cost) must
    have come out of it; so T >= (A - B0) / r. The per-call admission test (requested cost
    must be available) only makes the true minimum larger.
    """
    return max(0.0, (actual_cost - bucket_at_start) / restore_rate)


def calls_for(changes: int, per_call: int = 250) -> int:
    """Mutation calls for `changes` quantity rows at Shopify's 250-row input cap."""
    return math.ceil(changes / per_call)


@dataclass(frozen=True)
class SummaryRow:
    """One line of the README's performance table."""

    measured: str
    ours: str
    naive: str
    ratio: str


@dataclass
class Report:
    """What a benchmark prints (Markdown) and what it adds to the combined summary."""

    title: str
    markdown: str
    summary: list[SummaryRow]
    ok: bool = True


def table(header: list[str], rows: list[list[str]], align: str | None = None) -> str:
    """A Markdown table; `align` is one character per column, 'l' or 'r' (default: l then r)."""
    align = align or "l" + "r" * (len(header) - 1)
    marks = ["---" if a == "l" else "---:" for a in align]
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(marks) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


def times(naive: float, ours: float) -> str:
    """How many times more the naive way takes (calls, points, seconds)."""
    if ours <= 0:
        return "—"
    return f"{naive / ours:,.1f}×" if naive / ours < 100 else f"{naive / ours:,.0f}×"


def seconds(value: float) -> str:
    return f"{value:,.2f} s" if value < 10 else f"{value:,.1f} s"


def mib(kib: float) -> str:
    return f"{kib / 1024:,.0f} MiB"


def machine() -> str:
    return f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
