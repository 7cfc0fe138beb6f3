"""SANDBOX_COVERAGE.md is what scripts/sandbox_coverage.py writes today (it cannot go stale)."""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from reconciler.sandbox.schema import served_mutations, served_queries

ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def coverage_script() -> ModuleType:
    path = ROOT / "scripts" / "sandbox_coverage.py"
    spec = importlib.util.spec_from_file_location("sandbox_coverage", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["sandbox_coverage"] = module
    spec.loader.exec_module(module)
    return module


def test_committed_coverage_report_is_current() -> None:
    expected = coverage_script().render()
    committed = (ROOT / "SANDBOX_COVERAGE.md").read_text(encoding="utf-8")
    assert committed == expected, "SANDBOX_COVERAGE.md is stale: run `make coverage`"


def test_report_checks_exactly_the_served_inventory_fields() -> None:
    text = coverage_script().render()
    section = text.split("## 2026-10\n", 1)[1]
    checked = {line.split("`")[1] for line in section.splitlines() if line.startswith("- [x]")}
    unchecked = {line.split("`")[1] for line in section.splitlines() if line.startswith("- [ ]")}
    served = set(served_queries()) | set(served_mutations())
    assert checked == served
    assert not unchecked & served
    assert "bulkOperationRunQuery" in checked
    assert "inventoryShipmentCreate" in unchecked
    assert "- [x] `currentBulkOperation` (deprecated)" in section
    assert "| 2025-01 | 10 / 13 |" in text  # no bulkOperation(s) roots in 2025-01
