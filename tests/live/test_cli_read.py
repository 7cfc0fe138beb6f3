"""`reconciler plan --read` and the ``read`` section of reconciler.yaml, over HTTP; Ctrl-C during
a bulk read cancels the operation in the store and exits 130."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.conftest import ROOT, Store

MANIFESTS = str(ROOT / "examples" / "manifests")
EXAMPLE_CONFIG = ROOT / "examples" / "reconciler.yaml"


def env(store: Store, version: str = "2026-10") -> dict[str, str]:
    return {
        "SHOPIFY_STORE": store.url,
        "SHOPIFY_ACCESS_TOKEN": store.token,
        "SHOPIFY_API_VERSION": version,
        "NO_COLOR": "1",
        "SOURCE_DATE_EPOCH": "1795000000",
    }


def config(tmp_path: Path, read: str = "") -> str:
    """The example config (location aliases) with `read` appended."""
    path = tmp_path / "reconciler.yaml"
    path.write_text(EXAMPLE_CONFIG.read_text() + read)
    return str(path)


def plan(store: Store, *args: str) -> Result:
    if "--config" not in args:
        args = (*args, "--config", str(EXAMPLE_CONFIG))
    return CliRunner().invoke(
        main, ["plan", MANIFESTS, *args], env=env(store), catch_exceptions=False
    )


def bulk_runs(store: Store) -> int:
    return int(store.control("GET", "stats")["byOperation"].get("bulkOperationRunQuery", 0))


@pytest.mark.parametrize(
    ("args", "path", "runs"),
    [
        ((), "paged reads", 0),  # auto: 30 items, below the threshold of 1,000
        (("--read", "auto"), "paged reads", 0),
        (("--read", "paged"), "paged reads", 0),
        (("--read", "bulk"), "a bulk query", 1),
    ],
)
def test_every_read_mode_plans_the_same(
    store: Store, args: tuple[str, ...], path: str, runs: int
) -> None:
    baseline = plan(store, "--read", "paged", "--format", "json")
    store.control("DELETE", "stats")
    result = plan(store, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    planned, expected = json.loads(result.stdout), json.loads(baseline.stdout)
    assert planned.pop("usage")["read"] == path  # what the read cost differs by path
    expected.pop("usage")
    assert planned == expected
    assert f"Read the store through {path}: " in result.stderr
    assert bulk_runs(store) == runs


def test_the_config_chooses_the_read_and_the_flag_wins(store: Store, tmp_path: Path) -> None:
    result = plan(store, "--config", config(tmp_path, "read:\n  bulkThreshold: 10\n"))
    assert result.exit_code == 0, result.output  # 30 items > 10: bulk
    # the text plan's last line says how the store was read
    assert "through a bulk query" in result.stdout and bulk_runs(store) == 1
    forced = config(tmp_path, "read:\n  mode: bulk\n  bulkWaitSeconds: 5\n")
    assert "through a bulk query" in plan(store, "--config", forced).stdout
    assert "through paged reads" in plan(store, "--config", forced, "--read", "paged").stdout
    assert bulk_runs(store) == 2


def test_a_bad_read_section_is_refused_with_its_line(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "reconciler.yaml"
    path.write_text("store: x.myshopify.com\nread:\n  mode: fast\n  bulkThreshold: -1\n")
    result = plan(store, "--config", str(path))
    assert result.exit_code == 1
    assert "reconciler.yaml:3: read.mode" in result.stderr
    assert "reconciler.yaml:4: read.bulkThreshold" in result.stderr
    assert store.control("GET", "stats")["requests"] == 0


def test_an_unavailable_bulk_read_falls_back_and_the_output_says_so(
    store: Store, tmp_path: Path
) -> None:
    store.control("POST", "bulk", {"fail": {"errorCode": "TIMEOUT", "times": 2}})
    result = plan(store, "--config", config(tmp_path, "read:\n  bulkThreshold: 0\n"))
    assert result.exit_code == 0, result.output
    assert "through paged reads (bulk unavailable: bulk operation gid://" in result.stdout


def test_ctrl_c_during_a_bulk_read_cancels_it_and_exits_130(store: Store) -> None:
    store.control("POST", "bulk", {"hold": "RUNNING"})
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "plan", MANIFESTS, "--read", "bulk"]
        + ["--config", str(EXAMPLE_CONFIG)],
        env={**os.environ, **env(store), "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        query = "{ bulkOperations(first: 1) { nodes { id status } } }"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            nodes = store.gql("2026-10", query)["data"]["bulkOperations"]["nodes"]
            if nodes and nodes[0]["status"] == "RUNNING":
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the plan never started a bulk query")
        gid = nodes[0]["id"]
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert "Interrupted." in stderr
    poll = "query($id: ID!) { bulkOperation(id: $id) { status } }"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = store.gql("2026-10", poll, {"id": gid})["data"]["bulkOperation"]["status"]
        if status == "CANCELED":
            break
        time.sleep(0.05)
    assert status == "CANCELED"
    assert store.control("GET", "stats")["byOperation"]["bulkOperationCancel"] == 1
