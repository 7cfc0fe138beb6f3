"""`reconciler history` and `history verify`: the audit trail."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .app import main
from .options import config_option


@main.group("history", invoke_without_command=True)
@click.option(
    "--file",
    "history_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="History file (default: config `history`, else reconciler-history.jsonl next to "
    "reconciler.yaml).",
)
@config_option
@click.option("--sku", multiple=True, help="Only changes to SKUs matching this glob.")
@click.option("--location", multiple=True, help="Only changes at locations matching this glob.")
@click.option("--since", help="Entries finished at or after this ISO date/time.")
@click.option("--until", help="Entries finished at or before this ISO date/time.")
@click.option(
    "--plan-id",
    help="Only this plan: its id (a prefix is enough) or the referenceDocumentUri Shopify shows.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)
@click.pass_context
def history_command(
    ctx: click.Context,
    history_file: Path | None,
    config_path: Path | None,
    sku: tuple[str, ...],
    location: tuple[str, ...],
    since: str | None,
    until: str | None,
    plan_id: str | None,
    output_format: str,
) -> None:
    """List applies recorded in the history file (filters combine)."""
    from reconciler import history
    from reconciler.manifest.config import find_config, load_config

    path = history_file or load_config(find_config(config_path)).history or history.DEFAULT_PATH
    ctx.obj = path
    if ctx.invoked_subcommand is not None:
        return
    query = history.Query(sku, location, since, until, plan_id)
    query.window()  # an unparseable date is refused before anything is read
    entries = history.select(history.read(path), query)
    if output_format == "json":
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
    elif output_format == "markdown":
        click.echo(history.render_markdown(entries), nl=False)
    else:
        click.echo(history.render_text(entries), nl=False)


@history_command.command("verify")
@click.pass_obj
def history_verify(path: Path) -> None:
    """Check the hash chain: any edited, removed or reordered entry is reported."""
    from reconciler import history

    problems = history.verify(path)
    if problems:
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"History {path} FAILED verification: {len(problems)} problem(s).", err=True)
        sys.exit(1)
    count = len(history.read(path))
    click.echo(
        f"History {path} is intact: {count} entr{'y' if count == 1 else 'ies'}, hash chain verified."
    )
