"""`reconciler csv import`: manifests from Shopify's inventory CSV."""

from __future__ import annotations

from pathlib import Path

import click

from .csv_group import csv_group
from .options import config_option, layout_option


@csv_group.command("import")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("inventory"),
    show_default=True,
    help="Directory for the manifests (or a .yaml file with --layout one).",
)
@layout_option
@click.option(
    "--current",
    is_flag=True,
    help="Where On hand (new) is empty, declare `available` from Available (not editable): "
    "manifests of the store as exported, not only of the edits.",
)
@click.option("--location-names", is_flag=True, help="Key levels by location name, never by alias.")
@click.option(
    "--schema",
    default=None,
    help="The $schema the yaml-language-server line points to (a URL or a relative path).",
)
@config_option
def csv_import(
    source: Path,
    out: Path,
    layout: str,
    current: bool,
    location_names: bool,
    schema: str | None,
    config_path: Path | None,
) -> None:
    """Write manifests that declare what SOURCE, Shopify's inventory CSV, asks for.

    As Shopify's import reads it: On hand (new) sets on hand (empty: no change; `not stocked`:
    not stocked there), HS Code and COO set the item's; the (not editable) columns change
    nothing. Offline: the store is never contacted. A CSV with problems writes nothing and
    exits 1 with each problem as file:line:column.
    """
    from reconciler import stores
    from reconciler.export.manifest_writer import DEFAULT_SCHEMA
    from reconciler.manifest.config import find_config, load_config
    from reconciler.shopify_csv import run

    if config_path is None:  # importing into a store's directory uses its config
        config_path = stores.config_above(out)
    config = load_config(find_config(config_path))
    imported = run.import_csv(
        run.CsvImport(
            source=source,
            out=out,
            layout=layout,  # type: ignore[arg-type]
            current=current,
            location_names=location_names,
            schema=schema or DEFAULT_SCHEMA,
        ),
        config,
    )
    for file in imported.files:
        if file.status != "unchanged":
            count = f" ({file.items:,} items)" if file.status == "written" else ""
            click.echo(f"{file.status:<8} {file.path}{count}")
    click.echo(
        f"Imported {imported.rows:,} rows of {source} as {imported.items:,} items, "
        f"{imported.levels:,} levels."
    )
    if imported.levels:
        click.echo(f"Levels: {imported.breakdown()}.")
    for line in imported.skipped.lines():
        click.echo(f"Left out: {line}", err=True)
