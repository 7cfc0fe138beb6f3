"""`reconciler explain`: one SKU's timeline across git, the history file and Shopify."""

from __future__ import annotations

from pathlib import Path

import click

from .app import main
from .options import config_option, store_option, usage_line, version_option


@main.command("explain")
@click.argument("sku")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--location", help="Only this location (its name, an alias from reconciler.yaml, or a glob)."
)
@config_option
@store_option
@version_option
@click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="History file (default: config `history`, else reconciler-history.jsonl next to "
    "reconciler.yaml).",
)
@click.option("--offline", is_flag=True, help="Do not read Shopify's adjustment groups.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
def explain_command(
    sku: str,
    paths: tuple[Path, ...],
    location: str | None,
    config_path: Path | None,
    store: str | None,
    api_version: str | None,
    history_path: Path | None,
    offline: bool,
    output_format: str,
) -> None:
    """Why SKU is what it is: the commits that changed its declared values (PATH...: the
    manifests, default .), the applies that wrote it, and Shopify's adjustment groups for
    those writes. Reads only; exit 0, or 1 on bad input."""
    from reconciler import explain, history, stores
    from reconciler.manifest.config import find_config, load_config

    selection = stores.select(paths, config_path, False)  # the store the paths belong to
    if selection.several:
        raise click.UsageError("explain reads one store: name the paths of one store")
    config_file = find_config(selection.config)
    config = load_config(config_file)
    sources = explain.Sources(
        paths=paths or (Path("."),),
        config_path=config_file,
        config=config,
        history_path=history_path or config.history or history.DEFAULT_PATH,
        store=store,
        api_version=api_version,
        offline=offline,
    )
    timeline = explain.explain(sku, sources, location)
    click.echo(explain.render(timeline, output_format), nl=False)
    if timeline.usage.calls:
        click.echo(usage_line(timeline.usage, "Read the store"), err=True)
