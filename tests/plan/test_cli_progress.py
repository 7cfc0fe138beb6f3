"""Progress never reaches stdout: `reconciler plan` / `apply` as real processes against the
sandbox, with stderr a pipe, a real terminal (pty) and a pipe with --progress. JSON and
Markdown on stdout are byte-identical in every mode."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Store

from .terminal import Terminal

MANIFEST = """\
items:
  - sku: TSHIRT-RED-M
    levels:
      East Warehouse: {available: 13}
  - sku: TENT-2P
    levels:
      West Warehouse: {damaged: 2, reason: damaged}
"""


def run(store: Store, cwd: Path, args: list[str], *, terminal: bool) -> tuple[int, bytes, bytes]:
    """Run reconciler with stdout piped and stderr a pipe or a pty; (exit, stdout, stderr)."""
    env = {
        **os.environ,
        "SHOPIFY_STORE": store.url,
        "SHOPIFY_ACCESS_TOKEN": store.token,
        "SHOPIFY_API_VERSION": "2026-10",
        "SOURCE_DATE_EPOCH": "1795000000",
    }
    env.pop("NO_COLOR", None)
    if not terminal:
        done = subprocess.run(
            [sys.executable, "-m", "reconciler", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )
        return done.returncode, done.stdout, done.stderr
    tty = Terminal()
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=tty.slave,
    )
    os.close(tty.slave)
    stdout, _ = process.communicate(timeout=120)
    tty.close()
    return process.returncode, stdout, tty.received


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "inventory.yaml").write_text(MANIFEST, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_stdout_is_byte_identical_with_and_without_progress(
    store: Store, workdir: Path, fmt: str
) -> None:
    args = ["plan", "inventory.yaml", "--format", fmt]
    quiet = run(store, workdir, args, terminal=False)
    live = run(store, workdir, args, terminal=True)
    lines = run(store, workdir, [*args, "--progress"], terminal=False) if fmt == "json" else live
    assert quiet[0] == live[0] == lines[0] == 0, (quiet, live, lines)
    assert quiet[1] == live[1] == lines[1]
    assert quiet[1].startswith(b"{" if fmt == "json" else b"**Plan: ")
    # without a terminal or --progress, stderr carries only the usage line; with --progress,
    # the reader's task as plain lines
    assert quiet[2].decode().splitlines() == [quiet[2].decode().splitlines()[0]]
    assert quiet[2].startswith(b"Read the store through paged reads: ")
    if fmt == "json":
        shown = lines[2].decode()
        assert "[read] 0/2 items (0%) · started" in shown, shown
        assert re.search(r"^\[read\] 2/2 items \(100%\) .*done in \d+s$", shown, re.M), shown


def test_apply_output_is_the_same_with_a_terminal_on_stderr(store: Store, workdir: Path) -> None:
    plan = ["plan", "inventory.yaml", "--out", "plan.json"]
    assert run(store, workdir, plan, terminal=False)[0] == 0
    code, stdout, stderr = run(
        store, workdir, ["apply", "plan.json", "--format", "json"], terminal=True
    )
    assert code == 0, stderr
    assert stdout.startswith(b"{") and b'"outcome": "applied"' in stdout
    assert b"\x1b[" not in stdout


def test_a_terminal_shows_the_read_live_and_a_pipe_does_not(store: Store, workdir: Path) -> None:
    """With each query slowed down (the sandbox's latency setting), the read lasts long enough
    for the live display to draw: the task, its count and unit reach the terminal."""
    store.control("POST", "latency", {"query_ms": 400, "mutation_ms": 0})
    try:
        args = ["plan", "inventory.yaml", "--format", "json"]
        code, stdout, stderr = run(store, workdir, args, terminal=True)
        piped = run(store, workdir, args, terminal=False)
    finally:
        store.control("POST", "latency", {"query_ms": 0, "mutation_ms": 0})
    assert code == 0, stderr
    assert b"read" in stderr and b"items" in stderr and b"\x1b[" in stderr
    assert b"[read]" not in piped[2] and b"\x1b[" not in piped[2]
    assert stdout == piped[1]
