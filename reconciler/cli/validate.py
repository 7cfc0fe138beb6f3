"""`reconciler validate`: check manifests offline."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .app import main


@main.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="Config file (default: ./reconciler.yaml if present).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def validate(paths: tuple[Path, ...], config_path: Path | None, output_format: str) -> None:
    """Check manifest files and directories offline; never contacts a store.

    Exit 0 when every file is valid, 1 with every problem as `file:line: path: message`.
    """
    from reconciler.manifest import check_paths, report

    check = check_paths(list(paths), config_path)
    if output_format == "json":
        click.echo(json.dumps(report.as_json(check), indent=2))
    elif check.valid:
        click.echo(report.summary(check))
    else:
        for line in report.lines(check):
            click.echo(line)
        click.echo(report.summary(check), err=True)
    sys.exit(0 if check.valid else 1)
