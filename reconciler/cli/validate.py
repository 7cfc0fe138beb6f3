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
    "--store-config",
    "config_path",
    type=click.Path(path_type=Path),
    help="The store's reconciler.yaml (or its directory). Default: the nearest reconciler.yaml "
    "at or above the paths given, else ./reconciler.yaml if present.",
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
    Paths of several stores (`stores/`) are checked each with its own reconciler.yaml.
    """
    from reconciler import stores
    from reconciler.manifest import check_paths, report

    selection = stores.select(paths, config_path, False)
    runs: list[tuple[str | None, tuple[Path, ...], Path | None]] = [
        (s.name, s.paths, s.config) for s in selection.several
    ] or [(None, tuple(selection.paths), selection.config)]
    checks = [(name, check_paths(list(p), config)) for name, p, config in runs]
    valid = all(check.valid for _, check in checks)
    if output_format == "json":
        document = (
            report.as_json(checks[0][1])
            if len(checks) == 1
            else {"valid": valid, "stores": {name: report.as_json(c) for name, c in checks}}
        )
        click.echo(json.dumps(document, indent=2))
        sys.exit(0 if valid else 1)
    for name, check in checks:
        prefix = f"store {name}: " if name is not None else ""
        if check.valid:
            click.echo(prefix + report.summary(check))
        else:
            for line in report.lines(check):
                click.echo(line)
            click.echo(prefix + report.summary(check), err=True)
    sys.exit(0 if valid else 1)
