"""`reconciler export`: manifests (and/or a sandbox snapshot) from the live store."""

from __future__ import annotations

from pathlib import Path

import click

from .app import main
from .options import (
    config_option,
    deadline_option,
    layout_option,
    progress_option,
    read_option,
    store_option,
    usage_line,
    version_option,
)


@main.command("export")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Directory for the manifests (or a .yaml file with --layout one).",
)
@layout_option
@click.option(
    "--snapshot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also (or only) write a store snapshot the sandbox loads, to rehearse offline.",
)
@click.option("--sku", multiple=True, help="Only SKUs matching this glob (repeatable).")
@click.option(
    "--location",
    multiple=True,
    help="Only levels at locations matching this glob, by name or alias (repeatable).",
)
@click.option(
    "--where",
    multiple=True,
    metavar="FIELD=GLOB",
    help="Only items whose field matches, e.g. countryCodeOfOrigin=PT or tracked=true "
    "(repeatable: one field's globs are alternatives, several fields must all match).",
)
@click.option("--location-names", is_flag=True, help="Key levels by location name, never by alias.")
@click.option(
    "--schema",
    default=None,
    help="The $schema the yaml-language-server line points to (a URL or a relative path).",
)
@config_option
@store_option
@version_option
@deadline_option
@read_option
@progress_option
def export_command(
    out: Path | None,
    layout: str,
    snapshot: Path | None,
    sku: tuple[str, ...],
    location: tuple[str, ...],
    where: tuple[str, ...],
    location_names: bool,
    schema: str | None,
    config_path: Path | None,
    store: str | None,
    api_version: str | None,
    read: str | None,
    show_progress: bool,
) -> None:
    """Write manifests that declare what the store has; the first plan after is empty.

    Changes nothing in the store. Re-exporting an unchanged store rewrites nothing.
    """
    from reconciler import stores
    from reconciler.export import run
    from reconciler.export.manifest_writer import DEFAULT_SCHEMA
    from reconciler.manifest.config import find_config, load_config

    from .display import progress_display

    options = run.ExportOptions(
        out=out,
        snapshot=snapshot,
        layout=layout,  # type: ignore[arg-type]
        skus=sku,
        locations=location,
        where=run.parse_where(where),
        location_names=location_names,
        schema=schema or DEFAULT_SCHEMA,
        read=read,
    )
    run.check_outputs(options)
    if config_path is None and out is not None:  # exporting into a store uses its config
        config_path = stores.config_above(out)
    config = load_config(find_config(config_path))
    with progress_display(show_progress) as progress:
        exported = run.export(
            options, config=config, store=store, api_version=api_version, progress=progress
        )
    for file in exported.files:
        if file.status != "unchanged":
            count = f" ({file.items:,} items)" if file.status == "written" else ""
            click.echo(f"{file.status:<8} {file.path}{count}")
    if exported.files:
        unchanged = sum(1 for f in exported.files if f.status == "unchanged")
        click.echo(
            f"Exported {exported.items:,} items, {exported.levels:,} levels from "
            f"{exported.store} into {len(exported.files) - unchanged - _removed(exported)} "
            f"changed and {unchanged} unchanged file(s)."
        )
    for line in exported.skipped.lines():
        click.echo(f"Left out: {line}", err=True)
    if exported.snapshot is not None:
        click.echo(f"Wrote the store snapshot {exported.snapshot}")
    click.echo(usage_line(exported.usage, f"Read the store with {exported.read}"), err=True)


def _removed(exported: object) -> int:
    return sum(1 for f in getattr(exported, "files", ()) if f.status == "removed")
