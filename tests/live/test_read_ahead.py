"""A plan that will read in bulk starts its bulk query before reading the manifests (over HTTP):
one query, used once they are read, counted in the plan's usage; cancelled when the plan stops
before reading it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reconciler import commands
from reconciler.errors import ConfigError, ManifestError
from reconciler.live.ahead import estimated_items
from tests.conftest import ROOT, Store

MANIFESTS = ROOT / "examples" / "manifests"
CONFIG = ROOT / "examples" / "reconciler.yaml"


@pytest.fixture
def env(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("SHOPIFY_STORE", store.url)
    monkeypatch.setenv("SHOPIFY_ACCESS_TOKEN", store.token)
    monkeypatch.setenv("SHOPIFY_API_VERSION", "2026-10")
    return store


def statuses(store: Store) -> list[str]:
    query = "{ bulkOperations(first: 10) { nodes { status } } }"
    return [n["status"] for n in store.gql("2026-10", query)["data"]["bulkOperations"]["nodes"]]


def config(tmp_path: Path, read: str) -> Path:
    path = tmp_path / "reconciler.yaml"
    path.write_text(CONFIG.read_text() + read)
    return path


def test_a_bulk_plan_uses_the_query_it_started_ahead(env: Store) -> None:
    planned = commands.plan([MANIFESTS], config_path=CONFIG, read="bulk")
    served = env.control("GET", "stats")
    assert planned.read.path == "bulk"
    assert statuses(env) == ["COMPLETED"]  # one query: the early one was read
    assert planned.usage.calls == served["requests"]
    assert planned.usage.by_operation["BulkRunQuery"] == 1


def test_auto_reads_ahead_only_above_the_threshold(env: Store, tmp_path: Path) -> None:
    below = commands.plan([MANIFESTS], config_path=CONFIG)  # 30 items, threshold 1,000
    assert below.read.path == "paged" and statuses(env) == []
    above = commands.plan([MANIFESTS], config_path=config(tmp_path, "read:\n  bulkThreshold: 5\n"))
    assert above.read.path == "bulk" and statuses(env) == ["COMPLETED"]


def test_invalid_manifests_cancel_the_query_started_ahead(env: Store, tmp_path: Path) -> None:
    env.control("POST", "bulk", {"hold": "RUNNING"})
    broken = tmp_path / "manifests"
    shutil.copytree(MANIFESTS, broken)
    (broken / "broken.yaml").write_text(
        "items:\n  - sku: X\n    levels: {East Warehouse: {avaliable: 1}}\n"
    )
    with pytest.raises(ManifestError):
        commands.plan([broken], config_path=CONFIG, read="bulk")
    env.control("POST", "bulk", {"hold": None})
    assert statuses(env)[0] in ("CANCELING", "CANCELED")
    assert env.control("GET", "stats")["byOperation"]["bulkOperationCancel"] == 1


def test_without_a_token_nothing_is_started_and_the_error_is_the_usual_one(
    env: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHOPIFY_ACCESS_TOKEN")
    with pytest.raises(ConfigError, match="no access token"):
        commands.plan([MANIFESTS], config_path=CONFIG, read="bulk")
    assert env.control("GET", "stats")["requests"] == 0


def test_items_are_estimated_from_their_sku_keys(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("items:\n  - sku: A\n  - {sku: B}\n")
    (tmp_path / "deeper").mkdir()
    (tmp_path / "deeper" / "b.yml").write_text("items:\n  - sku: C\n    levels: {}\n")
    (tmp_path / "notes.txt").write_text("sku: not a manifest\n")
    assert estimated_items([tmp_path]) == 3
    assert estimated_items([tmp_path / "missing"]) == 0
