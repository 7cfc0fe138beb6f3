"""What an apply did, for people (text) and machines (JSON).

Both end with the money the applied changes put at stake (valued as the plan valued them, from
the unit costs saved in the plan; failed and unattempted changes are not counted) and what the
apply cost in GraphQL calls, cost points and throttle waits.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from reconciler.plan.actions import MUTATIONS
from reconciler.plan.money import MoneySummary, summarise, summary_json
from reconciler.plan.render._common import printable, usage_phrase
from reconciler.plan.render.text import money_block

from .execute import Status

if TYPE_CHECKING:
    from reconciler.commands import Applied

_COLORS = {"applied": "\x1b[32m", "failed": "\x1b[31m", "not_attempted": "\x1b[33m"}
_RESET = "\x1b[0m"


def applied_money(applied: Applied) -> MoneySummary | None:
    """The money at stake in the changes that were applied (None for plans without money)."""
    plan = applied.plan
    if plan.money is None:
        return None
    done = [
        plan.actions[i - 1]
        for i, result in applied.outcome.results.items()
        if result.status is Status.APPLIED
    ]
    return summarise(done, plan.money)


def applied_json(applied: Applied) -> dict[str, Any]:
    plan = applied.plan
    money = applied_money(applied)
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
        "money": None
        if money is None
        else {"currency": money.currency.code, **summary_json(money)},
        "guardrails": None if plan.guardrails is None else plan.guardrails.as_json(),
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
    money = applied_money(applied)
    if money is not None and not money.empty:
        lines.append("")
        lines.extend(money_block(money, None, title="Money at stake in the applied changes"))
        lines.pop()  # the block's trailing blank line
    if plan.guardrails is not None:
        for override in plan.guardrails.overrides:
            lines.append(
                f"Guard-rail {override.rule} overridden ({override.violations} change(s)): "
                f"{printable(override.justification)}"
            )
    lines.append(usage_phrase(applied.usage.as_json(), "Apply used"))
    return "\n".join(lines) + "\n"
