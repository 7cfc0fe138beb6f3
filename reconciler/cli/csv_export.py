"""`reconciler csv export`: Shopify's inventory CSV from manifests or from the store."""

from __future__ import annotations

from pathlib import Path

import click

from .csv_group import csv_group
from .options import (
    config_option,
    deadline_option,
    progress_option,
    read_option,
    store_option,
    usage_line,
    version_option,
)


@csv_group.command("export")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--from",
    "source",
    type=click.Choice(["manifests", "live"]),
    default="manifests",
    show_default=True,
    help="What the file says: the manifests under PATHS (offline), or the store.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The CSV file to write (default: stdout).",
)
@click.option(
    "--read-store",
    is_flag=True,
    help="With --from manifests: also read the store, to name each variant (Handle, Title, "
    "options), fill its current quantities, and write a declared available as the On hand "
    "(new) that gives it: a file the admin's import applies.",
)
@click.option("--sku", multiple=True, help="With --from live: only SKUs matching this glob.")
@click.option(
    "--location",
    multiple=True,
    help="Only rows at locations matching this glob, by name or alias (repeatable), like the "
    "admin's export of one location.",
)
@config_option
@store_option
@version_option
@deadline_option
@read_option
@progress_option
def csv_export(
    paths: tuple[Path, ...],
    source: str,
    out: Path | None,
    read_store: bool,
    sku: tuple[str, ...],
    location: tuple[str, ...],
    config_path: Path | None,
    store: str | None,
    api_version: str | None,
    read: str | None,
    show_progress: bool,
) -> None:
    """Write Shopify's inventory CSV, as the admin's export writes it, for the admin's import.

    --from live: one row per item and active location with every quantity and On hand (new)
    empty, like Products > Inventory > Export. --from manifests: the manifests' on_hand in On
    hand (new) (`not stocked` where they say stocked: false), HS Code and COO; what the CSV
    cannot carry is counted on stderr. --read-store completes those rows from the store for the
    admin's import.
    """
    from reconciler import stores
    from reconciler.errors import ConfigError
    from reconciler.manifest.config import find_config, load_config
    from reconciler.outputs import check_writable_file
    from reconciler.shopify_csv import run

    from .display import progress_display

    if out is not None:
        check_writable_file(out, "--out")
    if config_path is None and paths:  # the manifests' store: its config (aliases, ownership)
        config_path = stores.config_above(paths[0])
    if source == "manifests":
        if not paths:
            raise ConfigError("give the manifest files or directories to export (or --from live)")
        if sku:
            raise ConfigError("--sku filters the store's items: use it with --from live")
        with progress_display(show_progress) as progress:
            exported = run.export_from_manifests(
                list(paths),
                config_path,
                read_store=read_store,
                store=store,
                api_version=api_version,
                read=read,
                progress=progress,
            )
    else:
        if read_store:
            raise ConfigError(
                "--read-store completes manifests' rows: use it with --from manifests"
            )
        if paths:
            raise ConfigError("--from live reads the store: give no manifest paths")
        config = load_config(find_config(config_path))
        with progress_display(show_progress) as progress:
            exported = run.export_from_live(
                config,
                store=store,
                api_version=api_version,
                read=read,
                skus=sku,
                progress=progress,
            )
    if location:
        aliases = load_config(find_config(config_path)).location_aliases
        exported.text, exported.rows = run.only_locations(exported.text, location, dict(aliases))
    if out is None:
        click.echo(exported.text, nl=False)
    else:
        run.write_text(exported.text, out)
        click.echo(f"Wrote {exported.rows:,} rows to {out}", err=True)
    for line in exported.skipped.lines():
        click.echo(f"Left out: {line}", err=True)
    if exported.usage is not None:
        click.echo(f"Read {exported.store} with {exported.read}.", err=True)
        click.echo(usage_line(exported.usage, "Read the store"), err=True)
