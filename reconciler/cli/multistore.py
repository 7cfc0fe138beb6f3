"""`plan` and `drift` over several stores in one run (reconciler/stores.py says which).

Each store's own output, under a heading naming the store, then a summary of every store and
one exit code, the worst of them (an error 1 > changes or drift 2 > 0). A store that fails is
reported and the others still run. JSON is one document: every store's plan or drift report
(or its error) and the run's exit code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reconciler import stores
from reconciler.errors import EXIT_CHANGES, EXIT_OK

if TYPE_CHECKING:
    from reconciler.commands import Planned
    from reconciler.drift.report import DriftReport
    from reconciler.stores import Outcome, Store


def _heading(store: Store, output_format: str) -> str:
    if output_format == "markdown":
        return f"## Store `{store.name}` (`{store.config}`)\n\n"
    return f"=== store {store.name} ({store.config}) ===\n"


def _report_error(store: Store, message: str) -> None:
    click.echo(f"Error: store {store.name}: {message}", err=True)


def _summary(
    outcomes: list[Outcome[Any]], output_format: str, line: Callable[[Any], tuple[str, str]]
) -> str:
    """One line per store: its shop and what happened; `line(result)` -> (shop, phrase)."""
    rows: list[tuple[str, str, str]] = []
    for outcome in outcomes:
        if outcome.result is None:
            rows.append((outcome.store.name, "-", f"error: {outcome.error}"))
        else:
            rows.append((outcome.store.name, *line(outcome.result)))
    code = stores.worst(o.exit_code for o in outcomes)
    title = f"{len(outcomes)} stores, exit {code}"
    if output_format == "markdown":
        table = "| store | shop | result |\n|---|---|---|\n" + "".join(
            f"| `{name}` | {shop} | {phrase.splitlines()[0]} |\n" for name, shop, phrase in rows
        )
        return f"## {title}\n\n{table}"
    width = max(len(name) for name, _, _ in rows)
    shop_width = max(len(shop) for _, shop, _ in rows)
    lines = [
        f"  {name:<{width}}  {shop:<{shop_width}}  {phrase.splitlines()[0]}"
        for name, shop, phrase in rows
    ]
    return f"=== {title} ===\n" + "\n".join(lines) + "\n"


def _json(
    outcomes: list[Outcome[Any]],
    key: str,
    as_json: Callable[[Any], Any],
    summary: Callable[[Any], str],
) -> str:
    """One document for the run; its `summary` names every store (one line, as a chat or a CI
    annotation carries it)."""
    said = [
        f"{o.store.name}: {summary(o.result) if o.result is not None else f'error: {o.error}'}"
        for o in outcomes
    ]
    document = {
        "summary": " | ".join(said),
        "stores": [
            {
                "name": o.store.name,
                "config": o.store.config.as_posix(),
                "exit_code": o.exit_code,
                key: None if o.result is None else as_json(o.result),
                "error": o.error,
            }
            for o in outcomes
        ],
        "exit_code": stores.worst(o.exit_code for o in outcomes),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def plan_stores(
    several: list[Store],
    plan_one: Callable[[Store], Planned],
    *,
    output_format: str,
    color: bool,
    full: bool,
    detailed_exitcode: bool,
) -> int:
    """Plan every store; print each plan and the summary; return the run's exit code."""
    from reconciler.plan.planfile import plan_json
    from reconciler.plan.render import render

    from .options import usage_line

    def run(store: Store) -> tuple[Planned, int]:
        planned = plan_one(store)
        changes = detailed_exitcode and not planned.plan.empty
        for rule in planned.unused_allowances:
            click.echo(f"Note: store {store.name}: --allow {rule}: no change breaks it.", err=True)
        if output_format != "json":
            text = render(planned.plan, output_format, color=color, full=full)  # type: ignore[arg-type]
            click.echo(_heading(store, output_format) + text)
        if output_format != "text":  # the text plan ends with it
            click.echo(usage_line(planned.usage, f"{store.name}: read the store"), err=True)
        return planned, EXIT_CHANGES if changes else EXIT_OK

    outcomes = stores.run_each(several, run, _report_error)
    if output_format == "json":
        document = _json(outcomes, "plan", lambda p: plan_json(p.plan), _plan_phrase)
        click.echo(document, nl=False)
    else:
        click.echo(
            _summary(outcomes, output_format, lambda p: (p.plan.store, _plan_phrase(p))),
            nl=False,
        )
    return stores.worst(o.exit_code for o in outcomes)


def drift_stores(
    several: list[Store],
    check_one: Callable[[Store], DriftReport],
    *,
    output_format: str,
    out: Path | None = None,
) -> int:
    """Check every store for drift; print each report and the summary; return the exit code.
    `out`: also write the JSON document there."""
    from reconciler.drift.report import RENDERERS, as_json

    from .options import usage_line

    def run(store: Store) -> tuple[DriftReport, int]:
        report = check_one(store)
        if output_format in ("text", "markdown"):
            click.echo(_heading(store, output_format) + RENDERERS[output_format](report))
        click.echo(usage_line(report.usage, f"{store.name}: read the store"), err=True)
        return report, report.exit_code

    outcomes = stores.run_each(several, run, _report_error)
    document = _json(outcomes, "drift", as_json, _drift_phrase)
    if out is not None:
        out.write_text(document, encoding="utf-8")
    if output_format == "json":
        click.echo(document, nl=False)
    elif output_format == "summary":  # one line per store, for a chat message
        for outcome in outcomes:
            said = outcome.result.summary() if outcome.result else f"error: {outcome.error}"
            click.echo(f"{outcome.store.name}: {said}")
    else:
        click.echo(
            _summary(outcomes, output_format, lambda r: (r.store, _drift_phrase(r))), nl=False
        )
    return stores.worst(o.exit_code for o in outcomes)


def _drift_phrase(report: DriftReport) -> str:
    """The report's summary without its leading shop (the summary table has a column for it)."""
    summary = report.summary()
    return summary.removeprefix(f"{report.store}: ")


def _plan_phrase(planned: Planned) -> str:
    return planned.plan.summary_line()
