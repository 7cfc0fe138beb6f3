"""`make demo`: the whole pipeline against the embedded sandbox store, no credentials needed.

Starts a sandbox on examples/demo-store/store.json, then runs the real commands a team would
run, each as its own process: validate, plan (text, then saved as JSON), apply the saved plan,
plan again (empty), and read and verify the history. Journal and history go to a temporary
directory so the repository stays clean.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from reconciler.sandbox import DEFAULT_TOKEN, LATEST_VERSION, Sandbox
from reconciler.sandbox import snapshot as snapshots

ROOT = Path(__file__).resolve().parent.parent
DEMO_STORE = ROOT / "examples" / "demo-store" / "store.json"
MANIFESTS = ROOT / "examples" / "manifests"
CONFIG = ROOT / "examples" / "reconciler.yaml"


def _run(args: list[str], env: dict[str, str], cwd: Path, expect: tuple[int, ...] = (0,)) -> None:
    shown = " ".join(shlex.quote(a) for a in args)
    print(f"\n$ reconciler {shown}", flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", *args], env=env, cwd=cwd, check=False
    )
    if done.returncode not in expect:
        print(f"(exit {done.returncode}, expected {expect})", flush=True)
        raise SystemExit(1)


def main() -> None:
    with Sandbox(snapshots.read(DEMO_STORE)) as sandbox, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(
            f"Sandbox store (Northwind Outfitters) running at {sandbox.url}, API {LATEST_VERSION}."
        )
        print(
            "The same commands work against a real shop with SHOPIFY_STORE=my-shop.myshopify.com."
        )
        env = {
            **os.environ,
            "SHOPIFY_STORE": sandbox.url,
            "SHOPIFY_ACCESS_TOKEN": DEFAULT_TOKEN,
            "SHOPIFY_API_VERSION": LATEST_VERSION,
        }
        manifests, config = str(MANIFESTS), str(CONFIG)
        plan_file = str(work / "plan.json")
        _run(["validate", manifests, "--config", config], env, work)
        _run(["plan", manifests, "--config", config, "--out", plan_file], env, work)
        _run(["apply", plan_file, "--config", config], env, work)
        _run(["plan", manifests, "--config", config, "--detailed-exitcode"], env, work)
        _run(["history"], env, work)
        _run(["history", "verify"], env, work)
        tampered = _tamper(work / "reconciler-history.jsonl")
        print(f"\n# Change one byte of a copy of the history ({tampered.name}) and verify it:")
        _run(["history", "--file", str(tampered), "verify"], env, work, expect=(1,))
        print(
            "\nDone: validated, planned, applied, re-planned (no changes), verified the history,"
            " and caught a one-byte edit."
        )


def _tamper(history: Path) -> Path:
    """A copy of the history with one digit of one quantity changed."""
    data = bytearray(history.read_bytes())
    position = data.index(b'"after":') + len(b'"after":')
    while not chr(data[position]).isdigit():
        position += 1
    data[position] = ord("9") if data[position] != ord("9") else ord("8")
    copy = history.with_name("tampered-history.jsonl")
    copy.write_bytes(bytes(data))
    return copy


if __name__ == "__main__":
    main()
