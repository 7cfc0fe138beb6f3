"""Shared fixtures: one sandbox store per test session, reset to the demo snapshot per test."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from reconciler.sandbox import DEFAULT_TOKEN, Sandbox

# Back-off starts at 1 s against a real shop; against the local sandbox that only slows the
# suite. Tests of the back-off itself pass their own RetryPolicy.
os.environ.setdefault("RECONCILER_MIN_BACKOFF", "0.05")
# A move without compare-and-set whose outcome is unknown is re-read for 35 s before it may be
# sent again (apply/settle.py). The sandbox holds a call at most a few seconds in the tests
# (their injected latencies), so 10 s keeps the margin and saves minutes of waiting.
os.environ.setdefault("RECONCILER_SETTLE_WINDOW", "10")

# Who applied is the CI identity when the process runs in CI (history.actor), else the git user.
# The suite runs in CI too; tests that want a CI identity set these variables themselves.
for _ci_identity in ("CI", "GITHUB_ACTIONS", "GITLAB_CI"):
    os.environ.pop(_ci_identity, None)

ROOT = Path(__file__).resolve().parent.parent
DEMO_SNAPSHOT = ROOT / "examples" / "demo-store" / "store.json"

# The suite's calendar. Which API versions Shopify supports depends on the date (12 months
# each), so the suite fixes its date, and it serves the versions retired by then (2025-01,
# 2025-10) as themselves because tests exercise their behaviour (compareQuantity, no
# @idempotent). Every sandbox a test starts takes it: `Sandbox(snapshot, **CALENDAR)`, or
# `reconciler sandbox serve *SERVE_CALENDAR`. Tests of the calendar itself change it with
# `POST /__sandbox/calendar` (reset restores this) or start a sandbox with their own date.
TODAY = "2026-12-02"
CALENDAR: dict[str, Any] = {"today": TODAY, "serve_retired": ("all",)}
SERVE_CALENDAR = ("--today", TODAY, "--serve-retired", "all")


def demo_snapshot() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEMO_SNAPSHOT.read_text())
    return data


class Store:
    """A running sandbox as tests see it: its URLs and its control plane over HTTP."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.url = sandbox.url
        self.token = DEFAULT_TOKEN
        self.http = requests.Session()

    def graphql_url(self, version: str) -> str:
        return f"{self.url}/admin/api/{version}/graphql.json"

    def post(
        self,
        version: str,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> requests.Response:
        headers = {"X-Shopify-Access-Token": token if token is not None else self.token}
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return self.http.post(self.graphql_url(version), json=body, headers=headers, timeout=60)

    def gql(
        self, version: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """POST and return the decoded body (asserting HTTP 200)."""
        response = self.post(version, query, variables)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def control(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, f"{self.url}/__sandbox/{path}", json=body, timeout=120)
        assert response.status_code == 200, response.text
        return response.json()


# A store's history defaults to reconciler-history.jsonl next to its reconciler.yaml: a test that
# applies with `--config examples/reconciler.yaml` must pass `--history` (into its tmp_path), or
# it writes into the checkout, where the next test using that config would read it.
EXAMPLES_HISTORY = ROOT / "examples" / "reconciler-history.jsonl"


@pytest.fixture(autouse=True)
def _no_history_in_the_checkout() -> Iterator[None]:
    yield
    if EXAMPLES_HISTORY.exists():
        EXAMPLES_HISTORY.unlink()
        pytest.fail(
            "this test wrote examples/reconciler-history.jsonl (an apply with --config "
            "examples/reconciler.yaml): pass --history into the test's own directory"
        )


@pytest.fixture(scope="session")
def _sandbox() -> Iterator[Sandbox]:
    with Sandbox(demo_snapshot(), **CALENDAR) as sandbox:
        yield sandbox


@pytest.fixture
def store(_sandbox: Sandbox) -> Iterator[Store]:
    """The sandbox, reset to the demo snapshot with no faults and a full bucket."""
    handle = Store(_sandbox)
    handle.control("POST", "reset")
    handle.control("DELETE", "stats")
    yield handle
    handle.http.close()
