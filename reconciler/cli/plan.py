"""`reconciler plan`: show what apply would change."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .app import main
from .options import (
    all_stores_option,
    allow_options,
    config_option,
    deadline_option,
    filter_options,
    filters_from,
    full_option,
    progress_option,
    read_option,
    store_option,
    store_selection,
    usage_line,
    version_option,
)


@main.command("plan")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@config_option
@all_stores_option
@store_option
@version_option
@deadline_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the plan (JSON) for `reconciler apply`.",
)
@filter_options
@read_option
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 no changes, 2 changes, 1 error.")
@click.option("--no-color", is_flag=True, help="Never colour the text output.")
@full_option
@allow_options
@progress_option
def plan_command(
    paths: tuple[Path, ...],
    config_path: Path | None,
    all_stores: bool,
    store: str | None,
    api_version: str | None,
    output_format: str,
    out: Path | None,
    sku: tuple[str, ...],
    exclude_sku: tuple[str, ...],
    location: tuple[str, ...],
    read: str | None,
    detailed_exitcode: bool,
    no_color: bool,
    full: bool,
    allow_rules: tuple[str, ...],
    justification: str | None,
    show_progress: bool,
) -> None:
    """Read the manifests and the store; show what apply would change. Changes nothing.

    Paths of several stores (`stores/*`, or --all-stores) plan each store with its own
    reconciler.yaml, shop, token and history, then summarise: one exit code, the worst.

    A plan that breaks a guard-rail of reconciler.yaml is refused (exit 1) unless each rule it
    breaks is overridden with --allow RULE and a --justification, both recorded in the plan."""
    from reconciler import commands
    from reconciler.errors import EXIT_CHANGES, EXIT_OK
    from reconciler.outputs import check_writable_file
    from reconciler.plan.guardrails import Allowance
    from reconciler.plan.planfile import dumps
    from reconciler.plan.render import render, use_color

    from .display import progress_display
    from .multistore import plan_stores

    allow = Allowance(allow_rules, justification or "")
    selection = store_selection(paths, config_path, all_stores, store)
    if out is not None:
        if selection.several:
            raise click.UsageError("--out saves one store's plan: plan each store on its own")
        check_writable_file(out, "--out")  # before reading the store, not after

    def plan_for(paths: list[Path], config: Path | None) -> commands.Planned:
        with progress_display(show_progress) as progress:
            return commands.plan(
                paths,
                config_path=config,
                store=store,
                api_version=api_version,
                filters=filters_from(sku, exclude_sku, location),
                allow=allow,
                progress=progress,
                read=read,
            )

    color = output_format == "text" and not no_color and use_color(sys.stdout)
    if selection.several:
        sys.exit(
            plan_stores(
                selection.several,
                lambda s: plan_for(list(s.paths), s.config),
                output_format=output_format,
                color=color,
                full=full,
                detailed_exitcode=detailed_exitcode,
            )
        )
    planned = plan_for(selection.paths, selection.config)
    for rule in planned.unused_allowances:
        click.echo(f"Note: --allow {rule}: no change breaks this rule.", err=True)
    text = render(planned.plan, output_format, color=color, full=full)  # type: ignore[arg-type]
    click.echo(text, nl=False)
    if out is not None:
        out.write_text(dumps(planned.plan), encoding="utf-8")
        click.echo(f"Saved plan {planned.plan.plan_id} to {out}", err=True)
    if output_format != "text":  # the text plan ends with it
        click.echo(usage_line(planned.usage, f"Read the store through {planned.read}"), err=True)
    if detailed_exitcode and not planned.plan.empty:
        sys.exit(EXIT_CHANGES)
    sys.exit(EXIT_OK)


# -- apply -------------------------------------------------------------------------------------
