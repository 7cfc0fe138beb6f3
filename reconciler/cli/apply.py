"""`reconciler apply`: apply a saved plan, fresh manifests, or resume a journal."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .app import main
from .options import (
    config_option,
    confirm,
    deadline_option,
    store_option,
    usage_line,
    version_option,
)


@main.command("apply")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@config_option
@store_option
@version_option
@deadline_option
@click.option("--auto-approve", is_flag=True, help="Apply without asking (CI).")
@click.option("--continue-on-error", is_flag=True, help="Go on after a failed batch.")
@click.option("--replan", is_flag=True, help="If a saved plan is stale, plan again and apply that.")
@click.option(
    "--resume",
    "resume_journal",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Finish an interrupted apply from its journal.",
)
@click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="History file (default: config `history`, else reconciler-history.jsonl).",
)
@click.option(
    "--journal-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".reconciler/journal"),
    show_default=True,
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--detailed-exitcode", is_flag=True, help="After success: exit 0 no drift, 2 drift remains."
)
@click.option("--no-color", is_flag=True)
def apply_command(
    paths: tuple[Path, ...],
    config_path: Path | None,
    store: str | None,
    api_version: str | None,
    auto_approve: bool,
    continue_on_error: bool,
    replan: bool,
    resume_journal: Path | None,
    history_path: Path | None,
    journal_dir: Path,
    output_format: str,
    detailed_exitcode: bool,
    no_color: bool,
) -> None:
    """Apply a saved plan (plan.json), or plan PATH... and apply after confirmation."""
    from reconciler import commands
    from reconciler.apply.report import render_applied
    from reconciler.errors import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, StalePlanError
    from reconciler.manifest.config import find_config, load_config
    from reconciler.plan.planfile import loads
    from reconciler.plan.render import render, use_color

    config = load_config(find_config(config_path))
    color = output_format == "text" and not no_color and use_color(sys.stdout)
    settings = commands.ApplySettings(
        store=store,
        api_version=api_version,
        config=config,
        continue_on_error=continue_on_error,
        replan=replan,
        journal_dir=journal_dir,
        history_path=history_path,
        progress=lambda message: click.echo(f"  {message}", err=True),
    )
    if resume_journal is not None:
        applied = commands.resume(resume_journal, settings)
    else:
        if not paths:
            raise click.UsageError(
                "give a saved plan (plan.json), manifest paths, or --resume JOURNAL"
            )
        saved = len(paths) == 1 and paths[0].suffix == ".json" and paths[0].is_file()
        if saved:
            plan_ = loads(paths[0].read_text(encoding="utf-8"), origin=str(paths[0]))
            try:
                applied = commands.apply(plan_, settings)
            except StalePlanError:
                if not replan:
                    raise
                click.echo("The saved plan is stale; planning again.", err=True)
                manifests = [Path(f.path) for f in plan_.manifest_files]
                fresh = commands.plan(
                    manifests,
                    config_path=config_path,
                    store=store,
                    api_version=plan_.api_version,
                    filters=plan_.filters,
                )
                plan_ = fresh.plan
                click.echo(render(plan_, "text", color=color), nl=False, err=True)
                confirm(plan_, auto_approve)
                applied = commands.apply(plan_, settings)
        else:
            fresh = commands.plan(
                list(paths), config_path=config_path, store=store, api_version=api_version
            )
            plan_ = fresh.plan
            click.echo(render(plan_, "text", color=color), nl=False)
            if plan_.empty:
                sys.exit(EXIT_OK)
            confirm(plan_, auto_approve)
            applied = commands.apply(plan_, settings)
    click.echo(render_applied(applied, output_format, color=color), nl=False)
    click.echo(usage_line(applied.usage, "Apply used"), err=True)
    if not applied.succeeded:
        sys.exit(EXIT_ERROR)
    if detailed_exitcode and applied.drift:
        sys.exit(EXIT_CHANGES)
    sys.exit(EXIT_OK)
