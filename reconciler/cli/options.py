"""Options and helpers shared by several commands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from reconciler.stores import Selection

store_option = click.option(
    "--store", help="Shop domain (my-shop.myshopify.com) or a sandbox URL; or SHOPIFY_STORE."
)
version_option = click.option(
    "--api-version",
    help="Admin API version (2025-01, 2026-01, 2026-04, 2026-10); or SHOPIFY_API_VERSION.",
)


def _set_deadline(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        from reconciler.shopify import deadline

        deadline.set_for_run(value, "--deadline")


deadline_option = click.option(
    "--deadline",
    callback=_set_deadline,
    expose_value=False,
    metavar="DURATION",
    help="Stop (clearly) rather than wait or retry past this, e.g. 30m or 1h30m; or "
    "RECONCILER_DEADLINE, or `deadline:` in reconciler.yaml. Default 1h.",
)
read_option = click.option(
    "--read",
    type=click.Choice(["auto", "bulk", "paged"]),
    default=None,
    help="How to read the store: a bulk query, paged queries, or auto (bulk above "
    "read.bulkThreshold items, else paged; the default).",
)
config_option = click.option(
    "--config",
    "--store-config",
    "config_path",
    type=click.Path(path_type=Path),
    help="The store's reconciler.yaml (or its directory). Default: the nearest reconciler.yaml "
    "at or above the paths given, else ./reconciler.yaml if present.",
)
all_stores_option = click.option(
    "--all-stores",
    is_flag=True,
    help="Every store of the repository: each stores/<name>/ with its own reconciler.yaml.",
)


def store_selection(
    paths: tuple[Path, ...], config_path: Path | None, every_store: bool, store: str | None
) -> Selection:
    """The store of a run over one (its config and paths), or the stores of a run over several,
    each with its own config, shop, token and history (reconciler/stores.py)."""
    from reconciler import stores

    if not paths and not every_store:
        raise click.UsageError("give manifest paths, or --all-stores")
    selection = stores.select(paths, config_path, every_store)
    if selection.several:
        stores.check_shared_settings(store)
    return selection


def filter_options(command: Any) -> Any:
    """--sku, --exclude-sku and --location globs (repeatable): the slice of the manifests a
    command looks at; `filters_from` turns them into the planner's Filters."""
    command = click.option(
        "--location",
        multiple=True,
        help="Only levels at locations matching this glob (repeatable).",
    )(command)
    command = click.option(
        "--exclude-sku", multiple=True, help="Leave out SKUs matching this glob (repeatable)."
    )(command)
    return click.option("--sku", multiple=True, help="Only SKUs matching this glob (repeatable).")(
        command
    )


def filters_from(
    sku: tuple[str, ...], exclude_sku: tuple[str, ...], location: tuple[str, ...]
) -> Any:
    from reconciler.plan.build import Filters

    return Filters(tuple(sku), tuple(exclude_sku), tuple(location))


def usage_line(usage: Any, verb: str) -> str:
    """What a run cost (a `Usage`), as the text plan's last line says it."""
    from reconciler.plan.render._common import usage_phrase

    return str(usage_phrase(usage.as_json(), verb))


layout_option = click.option(  # how manifests written from the store are split into files
    "--layout",
    type=click.Choice(["one", "location", "sku-prefix"]),
    default="one",
    show_default=True,
    help="One file; items.yaml plus one file per location; or one file per SKU prefix.",
)
full_option = click.option(
    "--full",
    is_flag=True,
    help="Show every change: text and Markdown summarise plans of more than 1,000 changes.",
)
progress_option = click.option(
    "--progress",
    "show_progress",
    is_flag=True,
    help="Show progress on stderr even when it is not a terminal (plain lines).",
)


def allow_options(command: Any) -> Any:
    """--allow RULE (repeatable) and --justification TEXT: override guard-rails for one plan."""
    command = click.option(
        "--justification",
        metavar="TEXT",
        help="Why the --allow overrides are needed (recorded in the plan and the history).",
    )(command)
    return click.option(
        "--allow",
        "allow_rules",
        multiple=True,
        metavar="RULE",
        help="Let this plan break guard-rail RULE (repeatable; needs --justification).",
    )(command)


def confirm(plan_: Any, auto_approve: bool) -> None:
    from reconciler.errors import ConfigError

    if plan_.empty or auto_approve:
        return
    if not sys.stdin.isatty():
        raise ConfigError(
            "refusing to apply without confirmation: stdin is not a terminal; review the plan "
            "and pass --auto-approve (CI), or apply a saved plan file"
        )
    answer = click.prompt(
        "Do you want to perform these actions? Only 'yes' will be accepted",
        default="",
        show_default=False,
    )
    if answer.strip() != "yes":
        click.echo("Apply cancelled.", err=True)
        sys.exit(1)


# -- history -----------------------------------------------------------------------------------
