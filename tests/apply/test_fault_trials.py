"""`make faults` in small: one trial of each fault kind against the session's sandbox, half on
2025-01 (no compare-and-set on moves, no idempotency keys) and half on 2026-10, each checked
for doubled changes, lost sales, crashes and wrong end states (scripts/fault_trials.py)."""

from __future__ import annotations

from scripts import fault_trials
from tests.conftest import Store


def test_one_trial_of_each_fault_kind(store: Store) -> None:
    totals = fault_trials.Totals()
    for version, kinds in (("2025-01", ("kill", "sales")), ("2026-10", ("lost", "concurrent"))):
        part = fault_trials.run(
            store.url, versions=(version,), kinds=kinds, rounds=1, items=6, locations=2
        )
        for name in ("trials", "faults", "kills", "sales", "sales_survived"):
            setattr(totals, name, getattr(totals, name) + getattr(part, name))
        for name in ("lost", "doubled", "crashes", "wrong"):
            setattr(totals, name, getattr(totals, name) + getattr(part, name))
        totals.problems += part.problems
    assert totals.ok, totals.problems
    assert totals.trials == 4 and totals.kills == 1
    assert totals.sales >= 1 and totals.sales_survived == totals.sales
