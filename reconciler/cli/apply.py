"""`reconciler apply`: apply a saved plan, fresh manifests, or resume a journal."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .app import main
from .options import (
    allow_options,
    config_option,
    confirm,
    deadline_option,
    full_option,
    progress_option,
    store_option,
    version_option,
)

if TYPE_CHECKING:
    from reconciler.plan.planfile import Plan

T = TypeVar("T")


@main.command("apply")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@config_option
@store_option
@version_option
@deadline_option
@click.option("--auto-approve", is_flag=True, help="Apply without asking (CI).")
@click.option("--continue-on-error", is_flag=True, help="Go on after a failed batch.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 32),
    help="Mutation calls in flight at once (never two on one level); default: config "
    "`apply.concurrency`, else 8. 1 sends one at a time.",
)
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
    help="History file (default: config `history`, else reconciler-history.jsonl next to "
    "reconciler.yaml).",
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
@full_option
@allow_options
@progress_option
def apply_command(
    paths: tuple[Path, ...],
    config_path: Path | None,
    store: str | None,
    api_version: str | None,
    auto_approve: bool,
    continue_on_error: bool,
    concurrency: int | None,
    replan: bool,
    resume_journal: Path | None,
    history_path: Path | None,
    journal_dir: Path,
    output_format: str,
    detailed_exitcode: bool,
    no_color: bool,
    full: bool,
    allow_rules: tuple[str, ...],
    justification: str | None,
    show_progress: bool,
) -> None:
    """Apply a saved plan (plan.json), or plan PATH... and apply after confirmation."""
    from reconciler import commands, stores
    from reconciler.apply.report import render_applied
    from reconciler.errors import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, StalePlanError
    from reconciler.manifest.config import find_config, load_config
    from reconciler.plan.guardrails import Allowance
    from reconciler.plan.planfile import load as load_plan
    from reconciler.plan.render import render, use_color

    from .display import progress_display

    allow = Allowance(allow_rules, justification or "")
    saved = len(paths) == 1 and paths[0].suffix == ".json" and paths[0].is_file()
    saved_plan = load_plan(paths[0]) if saved else None
    if config_path is None and resume_journal is None:  # the store the manifests belong to
        named = [Path(f.path) for f in saved_plan.manifest_files] if saved_plan else list(paths)
        selection = stores.select(named, None, False)
        if selection.several:
            raise click.UsageError("apply applies one store's plan: apply each store on its own")
        config_path = selection.config
    config = load_config(find_config(config_path))
    color = output_format == "text" and not no_color and use_color(sys.stdout)
    settings = commands.ApplySettings(
        store=store,
        api_version=api_version,
        config=config,
        continue_on_error=continue_on_error,
        concurrency=concurrency,
        replan=replan,
        journal_dir=journal_dir,
        history_path=history_path,
    )

    def with_progress(run: Callable[[commands.ApplySettings], T]) -> T:
        """Run one long stage with progress on stderr (never around a prompt)."""
        with progress_display(show_progress) as progress:
            return run(replace(settings, progress=progress))

    def plan(paths: list[Path], **options: Any) -> Plan:
        planned = with_progress(
            lambda s: commands.plan(
                paths, config_path=config_path, store=store, progress=s.progress, **options
            )
        )
        return planned.plan

    if resume_journal is not None:
        applied = with_progress(lambda s: commands.resume(resume_journal, s))
    else:
        if not paths:
            raise click.UsageError(
                "give a saved plan (plan.json), manifest paths, or --resume JOURNAL"
            )
        if saved_plan is not None:
            plan_ = saved_plan
            try:
                applied = with_progress(lambda s: commands.apply(plan_, s))
            except StalePlanError:
                if not replan:
                    raise
                click.echo("The saved plan is stale; planning again.", err=True)
                plan_ = plan(
                    [Path(f.path) for f in plan_.manifest_files],
                    api_version=plan_.api_version,
                    filters=plan_.filters,
                    allow=Allowance.carried(plan_.guardrails),
                )
                click.echo(render(plan_, "text", color=color, full=full), nl=False, err=True)
                confirm(plan_, auto_approve)
                applied = with_progress(lambda s: commands.apply(plan_, s))
        else:
            plan_ = plan(list(paths), api_version=api_version, allow=allow)
            click.echo(render(plan_, "text", color=color, full=full), nl=False)
            if plan_.empty:
                sys.exit(EXIT_OK)
            confirm(plan_, auto_approve)
            applied = with_progress(lambda s: commands.apply(plan_, s))
    click.echo(render_applied(applied, output_format, color=color), nl=False)
    if not applied.succeeded:
        sys.exit(EXIT_ERROR)
    if detailed_exitcode and applied.drift:
        sys.exit(EXIT_CHANGES)
    sys.exit(EXIT_OK)
