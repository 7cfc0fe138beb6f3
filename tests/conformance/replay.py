"""Replay recorded Shopify request/response pairs against a sandbox over HTTP and compare.

A record file (``records/<shop>/<version>/<domain>/<name>.json``, written by
scripts/conformance_derive.py) is one capture *scenario*: the store state it assumes (``seed``,
a sandbox snapshot) and its records in the order they were sent to Shopify. A scenario is
replayed on a store reset to its seed, record after record, so each request meets the state
the one before it left, as on Shopify. A scenario may also name control-plane requests sent
after the reset (``control``: e.g. bulk operations held RUNNING, as the capture shop's were
while it polled them); each says why in the record file.

A response matches when it equals the recorded one after the normalisation below: nothing
else is ignored (key order aside: JSON objects compare as mappings).

Normalisation (applied the same way to the recorded and the sandbox response):

- **Minted ids**: gids of objects a request creates (`MINTED`: adjustment groups, bulk
  operations) become ``<Type#n>``, numbered by first appearance in the scenario, also inside
  messages ("... already in progress: gid://shopify/BulkOperation/7749099028786."); the record
  still has to name the same object where Shopify named the same object. A minted id sent
  back in a later request's variables is translated to the sandbox's id for that object.
- **Inventory level ids**: ``InventoryLevel``/``InventoryQuantity`` gids carry a number per
  location (Shopify's ``levelBases`` of the record file); the sandbox's number for the same
  location is translated to Shopify's, and back in variables.
- **Instants**: DateTime strings (``2026-05-07T03:32:15Z``) become ``<DateTime>``; the format
  is still checked (a sandbox instant in another format does not match).
- **Cursors**: ``cursor``/``startCursor``/``endCursor`` values become ``<cursor#n>`` (opaque
  on Shopify), translated back in later variables like minted ids.
- **Bucket level**: ``throttleStatus.currentlyAvailable`` depends on everything the capture
  shop answered before; it becomes ``<currentlyAvailable>``. Requested and actual cost,
  ``maximumAvailable`` and ``restoreRate`` are compared exactly.
- **Numbers**: the captures were written by Node's ``JSON.stringify``, which writes ``2000.0``
  as ``2000``; numbers compare by value, booleans only with booleans.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from reconciler.sandbox.snapshot import LEVEL_BASE_OFFSET

RECORDS = Path(__file__).resolve().parent / "records"
MINTED = ("InventoryAdjustmentGroup", "BulkOperation")
_MINTED_GID = re.compile(r"gid://shopify/(" + "|".join(MINTED) + r")/\d+\b")
_LEVEL_GID = re.compile(r"gid://shopify/(InventoryLevel|InventoryQuantity)/(\d+)")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_CURSOR_KEYS = ("cursor", "startCursor", "endCursor")
MAX_DIFFERENCES = 8


@dataclass(frozen=True)
class Record:
    scenario: str  # the record file, relative to RECORDS (the capture's shop/version/path)
    id: str  # JSON path of the pair in the capture file
    operation: str  # root field(s) of the request, comma-separated
    version: str
    query: str
    variables: dict[str, Any]
    response: dict[str, Any]
    http_status: int | None = None  # when the capture kept it

    @property
    def key(self) -> str:
        return f"{self.scenario}#{self.id}"


@dataclass
class Scenario:
    name: str
    source: dict[str, str]
    version: str
    seed: dict[str, Any]
    level_bases: dict[str, int]
    records: list[Record]
    excluded: list[dict[str, str]]
    control: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    record: Record
    expected: Any
    actual: Any
    differences: tuple[str, ...]

    @property
    def matches(self) -> bool:
        return not self.differences


def load(directory: Path = RECORDS) -> list[Scenario]:
    scenarios = []
    for path in sorted(directory.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        name = path.relative_to(directory).as_posix()
        version = data["apiVersion"]
        records = [
            Record(
                name,
                r["id"],
                r["operation"],
                version,
                r["query"],
                r["variables"],
                r["response"],
                r.get("httpStatus"),
            )
            for r in data["records"]
        ]
        scenarios.append(
            Scenario(
                name,
                data["source"],
                version,
                data["seed"],
                data.get("levelBases", {}),
                records,
                data.get("excluded", []),
                data.get("control", []),
            )
        )
    return scenarios


@dataclass
class _Side:
    """Placeholders handed out for one side (recorded or sandbox) of a scenario."""

    names: dict[str, str] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)

    def placeholder(self, kind: str, value: str) -> str:
        if value not in self.names:
            self.counters[kind] = self.counters.get(kind, 0) + 1
            self.names[value] = f"<{kind}#{self.counters[kind]}>"
        return self.names[value]


def normalise(value: Any, side: _Side, key: str = "") -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "currentlyAvailable" and isinstance(v, int | float):
                out[k] = "<currentlyAvailable>"
            else:
                out[k] = normalise(v, side, k)
        return out
    if isinstance(value, list):
        return [normalise(v, side, key) for v in value]
    if isinstance(value, str):
        if key in _CURSOR_KEYS:
            return side.placeholder("cursor", value)
        if "gid://shopify/" in value:
            value = _MINTED_GID.sub(lambda m: side.placeholder(m.group(1), m.group(0)), value)
        if _DATETIME.match(value):
            return "<DateTime>"
    return value


def _translate_levels(value: Any, bases: dict[int, int]) -> Any:
    """Rewrite InventoryLevel/InventoryQuantity numbers with `bases` (old -> new)."""
    if isinstance(value, dict):
        return {k: _translate_levels(v, bases) for k, v in value.items()}
    if isinstance(value, list):
        return [_translate_levels(v, bases) for v in value]
    if isinstance(value, str) and "gid://shopify/Inventory" in value:
        return _LEVEL_GID.sub(
            lambda m: f"gid://shopify/{m.group(1)}/{bases.get(int(m.group(2)), m.group(2))}",
            value,
        )
    return value


def _substitute(value: Any, known: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _substitute(v, known) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, known) for v in value]
    if isinstance(value, str):
        return known.get(value, value)
    return value


def differences(expected: Any, actual: Any, path: str = "$") -> Iterator[str]:
    """Where two JSON values differ (strictly: a boolean never equals a number)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in expected:
            if key not in actual:
                yield f"{path}.{key}: missing from the sandbox's answer"
            else:
                yield from differences(expected[key], actual[key], f"{path}.{key}")
        for key in actual:
            if key not in expected:
                yield f"{path}.{key}: not in Shopify's answer ({_short(actual[key])})"
        return
    if isinstance(expected, list) and isinstance(actual, list):
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            yield from differences(e, a, f"{path}[{i}]")
        if len(expected) != len(actual):
            yield f"{path}: {len(expected)} entries recorded, the sandbox gave {len(actual)}"
        return
    if _same_scalar(expected, actual):
        return
    yield f"{path}: Shopify {_short(expected)}, sandbox {_short(actual)}"


def _same_scalar(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return expected == actual
    return type(expected) is type(actual) and expected == actual


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "..."


def replay(
    scenario: Scenario, url: str, token: str, session: requests.Session | None = None
) -> list[Outcome]:
    """Reset the sandbox at `url` to the scenario's seed and send its records in order."""
    http = session or requests.Session()
    reset = http.post(f"{url}/__sandbox/reset", json=scenario.seed, timeout=60)
    if reset.status_code != 200:
        raise RuntimeError(f"{scenario.name}: the sandbox refused the seed: {reset.text}")
    for step in scenario.control:
        done = http.request(
            step["method"], f"{url}/__sandbox/{step['path']}", json=step.get("body"), timeout=60
        )
        if done.status_code != 200:
            raise RuntimeError(f"{scenario.name}: control step {step} refused: {done.text}")
    to_sandbox: dict[int, int] = {}
    to_shopify: dict[int, int] = {}
    for location, base in scenario.level_bases.items():
        number = int(location.rsplit("/", 1)[1])
        to_sandbox[base] = LEVEL_BASE_OFFSET + number
        to_shopify[LEVEL_BASE_OFFSET + number] = base
    recorded, sandbox = _Side(), _Side()
    known: dict[str, str] = {}  # recorded minted value -> the sandbox's
    outcomes = []
    for record in scenario.records:
        variables = _substitute(_translate_levels(record.variables, to_sandbox), known)
        answer = http.post(
            f"{url}/admin/api/{record.version}/graphql.json",
            json={"query": record.query, "variables": variables},
            headers={"X-Shopify-Access-Token": token},
            timeout=60,
        )
        try:
            body: Any = answer.json()
        except ValueError:
            body = {"httpStatus": answer.status_code, "body": answer.text[:500]}
        expected = normalise(record.response, recorded)
        actual = normalise(_translate_levels(body, to_shopify), sandbox)
        by_name = {name: value for value, name in sandbox.names.items()}
        for value, name in recorded.names.items():
            if name in by_name:
                known[value] = by_name[name]
        found = tuple(differences(expected, actual))
        if record.http_status is not None and record.http_status != answer.status_code:
            found += (f"HTTP status: Shopify {record.http_status}, sandbox {answer.status_code}",)
        outcomes.append(Outcome(record, expected, actual, found[:MAX_DIFFERENCES]))
    return outcomes


def replay_all(url: str, token: str, scenarios: list[Scenario] | None = None) -> list[Outcome]:
    with requests.Session() as http:
        out: list[Outcome] = []
        for scenario in scenarios if scenarios is not None else load():
            out.extend(replay(scenario, url, token, http))
        return out
