"""Recorded Shopify responses replayed against the sandbox over HTTP (see replay.py).

One test per record: a record that matches must keep matching; a record listed in
known_mismatches.py must still differ (a listed record that starts to match fails, so the
list stays honest). The generated report and fidelity counts must be current.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
import requests

from reconciler.sandbox import Sandbox
from tests.conformance import replay
from tests.conformance.known_mismatches import KNOWN

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = replay.load()
RECORDS = [record for scenario in SCENARIOS for record in scenario.records]
MATCHING = [r.key for r in RECORDS if r.key not in KNOWN]


@functools.cache
def report_script() -> ModuleType:
    path = ROOT / "scripts" / "conformance_report.py"
    spec = importlib.util.spec_from_file_location("conformance_report", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["conformance_report"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def outcomes(_sandbox: Sandbox) -> dict[str, replay.Outcome]:
    """Every scenario replayed once on the session's sandbox, which is then reset for others."""
    results = replay.replay_all(_sandbox.url, _sandbox.token, SCENARIOS)
    requests.post(f"{_sandbox.url}/__sandbox/reset", timeout=60).raise_for_status()
    return {o.record.key: o for o in results}


@pytest.mark.parametrize("key", MATCHING)
def test_recorded_response_matches(outcomes: dict[str, replay.Outcome], key: str) -> None:
    outcome = outcomes[key]
    assert outcome.matches, "\n".join(
        [f"{key} no longer matches Shopify's recorded response:", *outcome.differences]
    )


@pytest.mark.parametrize("key", sorted(KNOWN))
def test_known_mismatch_still_differs(outcomes: dict[str, replay.Outcome], key: str) -> None:
    assert key in outcomes, f"{key} is listed in known_mismatches.py but is no record"
    assert not outcomes[key].matches, (
        f"{key} now matches Shopify: remove it from tests/conformance/known_mismatches.py "
        "and run `make coverage`"
    )


def test_report_and_fidelity_counts_are_current(outcomes: dict[str, replay.Outcome]) -> None:
    script = report_script()
    results = list(outcomes.values())
    assert (ROOT / "docs" / "conformance.md").read_text() == script.render(SCENARIOS, results), (
        "docs/conformance.md is stale: run `make coverage`"
    )
    assert (ROOT / "tests" / "conformance" / "fidelity.json").read_text() == (
        script.fidelity_json(results)
    ), "tests/conformance/fidelity.json is stale: run `make coverage`"
    readme = (ROOT / "README.md").read_text()
    assert f"<!-- conformance -->{script.headline(results)}<!-- /conformance -->" in readme, (
        "README.md's conformance count is stale: run `make coverage`"
    )


def test_every_record_names_its_source() -> None:
    assert RECORDS, "no records found"
    for scenario in SCENARIOS:
        source = scenario.source
        assert source["repository"] == "airhorns/shopify-draft-proxy"
        assert source["path"].startswith("fixtures/conformance/")
        assert len(source["commit"]) == 40
        assert source["licence"].startswith("Apache-2.0")
        for entry in scenario.excluded:
            assert entry["reason"], f"{scenario.name}#{entry['id']} is left out with no reason"
    assert len({r.key for r in RECORDS}) == len(RECORDS)


def test_a_changed_answer_is_caught(_sandbox: Sandbox) -> None:
    """The comparison is not vacuous: one altered quantity in a recording is a mismatch."""
    scenario = next(s for s in SCENARIOS if any(r.key in MATCHING for r in s.records))
    altered = copy.deepcopy(scenario)
    record = altered.records[0]
    text = json.dumps(record.response).replace('"requestedQueryCost": ', '"requestedQueryCost": 1')
    altered.records[0] = replay.Record(
        record.scenario,
        record.id,
        record.operation,
        record.version,
        record.query,
        record.variables,
        json.loads(text),
    )
    try:
        found = replay.replay(altered, _sandbox.url, _sandbox.token)
    finally:
        requests.post(f"{_sandbox.url}/__sandbox/reset", timeout=60).raise_for_status()
    assert not found[0].matches
    assert any("requestedQueryCost" in d for d in found[0].differences)


def test_normalisation_is_explicit_and_strict() -> None:
    side = replay._Side()
    recorded = {
        "id": "gid://shopify/InventoryAdjustmentGroup/987",
        "createdAt": "2026-05-07T03:32:15Z",
        "cursor": "eyJsYXN0X2lkIjoxfQ==",
        "throttleStatus": {"currentlyAvailable": 1990, "maximumAvailable": 2000},
        "tracked": True,
    }
    assert replay.normalise(recorded, side) == {
        "id": "<InventoryAdjustmentGroup#1>",
        "createdAt": "<DateTime>",
        "cursor": "<cursor#1>",
        "throttleStatus": {"currentlyAvailable": "<currentlyAvailable>", "maximumAvailable": 2000},
        "tracked": True,
    }
    # An instant in another format is not normalised away; a boolean never equals a number.
    assert replay.normalise("2026-05-07T03:32:15.123Z", side) == "2026-05-07T03:32:15.123Z"
    assert list(replay.differences({"tracked": True}, {"tracked": 1}))
    assert not list(replay.differences({"maximumAvailable": 2000}, {"maximumAvailable": 2000.0}))
