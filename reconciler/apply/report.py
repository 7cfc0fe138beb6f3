"""What an apply did, for people (text) and machines (JSON)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from reconciler.plan.actions import MUTATIONS

from .execute import Status

if TYPE_CHECKING:
    from reconciler.commands import Applied

_COLORS = {"applied": "\x1b[32m", "failed": "\x1b[31m", "not_attempted": "\x1b[33m"}
_RESET = "\x1b[0m"


def applied_json(applied: Applied) -> dict[str, Any]:
    plan = applied.plan
    return {
        "plan_id": plan.plan_id,
        "store": plan.store,
        "api_version": plan.api_version,
        "outcome": applied.outcome_name,
        "summary": {
            "applied": applied.count(Status.APPLIED),
            "failed": applied.count(Status.FAILED),
            "not_attempted": applied.count(Status.NOT_ATTEMPTED),
        },
        "results": [
            {
                "id": i,
                "kind": plan.actions[i - 1].kind.value,
                "sku": plan.actions[i - 1].target.sku,
                "location": plan.actions[i - 1].target.location_name,
                **result.as_json(),
            }
            for i, result in sorted(applied.outcome.results.items())
        ],
        "drift": [d.as_json() for d in applied.drift],
        "journal": str(applied.journal),
        "history": None
        if applied.history_entry is None
        else {"seq": applied.history_entry["seq"], "hash": applied.history_entry["hash"]},
        "usage": applied.usage.as_json(),
    }


def render_applied(applied: Applied, fmt: str, *, color: bool = False) -> str:
    if fmt == "json":
        return json.dumps(applied_json(applied), indent=2, ensure_ascii=False) + "\n"
    plan = applied.plan
    lines = []

    def paint(status: str, text: str) -> str:
        return f"{_COLORS[status]}{text}{_RESET}" if color else text

    problems = [
        (i, r) for i, r in sorted(applied.outcome.results.items()) if r.status is not Status.APPLIED
    ]
    for i, result in problems:
        action = plan.actions[i - 1]
        where = action.target.sku + (
            f" at {action.target.location_name}" if action.target.location_name else ""
        )
        lines.append(
            paint(result.status.value, f"  {result.status.value.replace('_', ' ')}: ")
            + f"#{i} {MUTATIONS[action.kind]} {where}: {result.message or ''}"
        )
    if problems:
        lines.append("")
    lines.append(
        f"Apply {'complete' if applied.succeeded else 'incomplete'}: "
        f"{applied.count(Status.APPLIED)} applied, {applied.count(Status.FAILED)} failed, "
        f"{applied.count(Status.NOT_ATTEMPTED)} not attempted (plan {plan.plan_id})."
    )
    if applied.drift:
        lines.append(f"Drift: {len(applied.drift)} value(s) are not at their planned target:")
        lines.extend(f"  {d}" for d in applied.drift)
    else:
        lines.append("No drift: every planned value is in place.")
    if applied.history_entry is not None:
        lines.append(
            f"Recorded as history entry #{applied.history_entry['seq']} (journal {applied.journal})."
        )
    return "\n".join(lines) + "\n"
