"""`reconciler drift`: the store against the manifests, each difference classified (read-only)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .app import main
from .options import (
    all_stores_option,
    config_option,
    deadline_option,
    filter_options,
    filters_from,
    progress_option,
    read_option,
    store_option,
    store_selection,
    usage_line,
    version_option,
)


@main.command("drift")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@config_option
@all_stores_option
@store_option
@version_option
@deadline_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json", "summary"]),
    default="text",
    show_default=True,
    help="summary: one line, for a chat message.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report as JSON (e.g. a CI artifact next to the Markdown).",
)
@click.option(
    "--since-last-apply",
    is_flag=True,
    help="Only what the store changed after the last apply in the history file.",
)
@click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="History file (default: config `history`, else reconciler-history.jsonl next to "
    "reconciler.yaml).",
)
@filter_options
@read_option
@progress_option
def drift_command(
    paths: tuple[Path, ...],
    config_path: Path | None,
    all_stores: bool,
    store: str | None,
    api_version: str | None,
    output_format: str,
    out: Path | None,
    since_last_apply: bool,
    history_path: Path | None,
    sku: tuple[str, ...],
    exclude_sku: tuple[str, ...],
    location: tuple[str, ...],
    read: str | None,
    show_progress: bool,
) -> None:
    """Compare the store with the manifests; say what changed and who changed it.

    Exit 0 in sync (orders moving stock is expected: summarised, not an alarm), 2 drift,
    1 error. Changes nothing. Paths of several stores (`stores/*`, or --all-stores) check each
    with its own reconciler.yaml, shop, token and history: one exit code, the worst.
    """
    from reconciler.drift.report import RENDERERS, DriftReport
    from reconciler.drift.run import check
    from reconciler.outputs import check_writable_file

    from .display import progress_display
    from .multistore import drift_stores

    selection = store_selection(paths, config_path, all_stores, store)
    if selection.several and history_path is not None:
        raise click.UsageError("--history names one store's history: each store reads its own")
    if out is not None:
        check_writable_file(out, "--out")  # before reading the store, not after

    def check_for(paths: list[Path], config: Path | None) -> DriftReport:
        with progress_display(show_progress) as progress:
            return check(
                paths,
                config_path=config,
                store=store,
                api_version=api_version,
                filters=filters_from(sku, exclude_sku, location),
                since_last_apply=since_last_apply,
                history_path=history_path,
                read=read,
                progress=progress,
            )

    if selection.several:
        check_one = lambda s: check_for(list(s.paths), s.config)  # noqa: E731
        sys.exit(drift_stores(selection.several, check_one, output_format=output_format, out=out))
    report = check_for(selection.paths, selection.config)
    if out is not None:
        out.write_text(RENDERERS["json"](report), encoding="utf-8")
    click.echo(RENDERERS[output_format](report), nl=False)
    click.echo(usage_line(report.usage, f"Read the store with {report.read}"), err=True)
    sys.exit(report.exit_code)
