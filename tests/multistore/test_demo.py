"""`make demo` runs end to end: every step exits as the demo says it should (it stops at the
first that does not), and the recap at its end lists each command with its exit code."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

STEPS = [
    (0, "reconciler validate manifests/"),
    (0, "reconciler plan manifests/ --out plan.json"),
    (0, "reconciler apply plan.json"),
    (0, "reconciler plan manifests/ --detailed-exitcode"),
    (0, "reconciler history verify"),
    (1, "reconciler history --file tampered-history.jsonl verify"),
    (0, "reconciler export --out inventory.yaml"),
    (0, "reconciler plan inventory.yaml --detailed-exitcode"),  # the first plan is empty
    (0, "reconciler apply inventory.yaml --auto-approve"),
    (0, "reconciler drift inventory.yaml"),  # in sync
    (0, "reconciler drift inventory.yaml"),  # after a sale: expected, summarised
    (2, "reconciler drift inventory.yaml"),  # after another app's change to damaged: alarm
    (2, "reconciler drift inventory.yaml --format summary"),
    (0, "reconciler history"),
]


def test_the_demo_runs_every_step_with_the_exit_codes_it_shows() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPIFY_")}
    done = subprocess.run(
        [sys.executable, "-m", "reconciler.demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    recap = out[out.index("Every step, and its exit code:\n") :].splitlines()[1 : len(STEPS) + 1]
    assert [(int(line.split(None, 1)[0]), line.split(None, 1)[1]) for line in recap] == STEPS
    assert "  TENT-2P at West Warehouse: available 38 -> 36 (-2)\n" in out  # the sale
    assert "Changed in the store, not by reconciler (alarm):\n  TSHIRT-RED-S at West Warehouse: damaged is 3, declared 1" in out  # fmt: skip
    assert ": DRIFT: 1 foreign change; 1 level moved by orders (available -2)\n" in out
    assert "No changes. The store matches the manifests." in out
    assert "\n#2  " in out  # both applies are in the history
