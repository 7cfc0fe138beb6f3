"""The `reconciler` command: a thin click layer over the library.

Each command parses options, calls one library function, picks an output format and maps the
outcome to an exit code. No behaviour lives here.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from reconciler import __version__


class _Boundary(click.Group):
    """The one crash boundary: known errors print a clear message and exit with their code.

    Usage errors exit 1, not click's 2: exit 2 means "the plan has changes"
    (``--detailed-exitcode``), and CI must never mistake a typo for that.
    """

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> Any:
        extra.pop("standalone_mode", None)
        try:
            return super().main(args, prog_name, standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(1)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)

    def invoke(self, ctx: click.Context) -> object:
        from reconciler.errors import EXIT_CRASH, EXIT_INTERRUPTED, ReconcilerError
        from reconciler.shopify.secrets import redact

        try:
            return super().invoke(ctx)
        except ReconcilerError as exc:
            click.echo(f"Error: {redact(str(exc))}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            log = _crash_log(exc)
            click.echo(
                f"Unexpected error: {type(exc).__name__}: {redact(str(exc))}\n"
                f"This is a bug in reconciler; the details are in {log}.",
                err=True,
            )
            sys.exit(EXIT_CRASH)


def _crash_log(exc: BaseException) -> Path:
    import traceback

    from reconciler.shopify.secrets import redact

    path = Path(".reconciler") / "crash.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(traceback.format_exception(exc))
    path.write_text(f"reconciler {__version__}\n{redact(text)}", encoding="utf-8")
    return path


@click.group(cls=_Boundary, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
def main() -> None:
    """Inventory-as-code for Shopify: validate, plan, apply, audit."""


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


@main.group()
def sandbox() -> None:
    """A local Shopify Admin GraphQL store for inventory (no credentials needed)."""


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8787, show_default=True, type=int, help="0 picks a free port.")
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    help="SQLite file; the store survives restarts (bulk results go to <db>.bulk/).",
)
@click.option(
    "--snapshot",
    "snapshot_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Store snapshot (JSON or YAML) to start from; with --db it replaces the file's store.",
)
@click.option("--token", default="sandbox-token", show_default=True, help="Access token to accept.")
@click.option(
    "--plan",
    type=click.Choice(["standard", "advanced", "plus", "enterprise"]),
    default="standard",
    show_default=True,
    help="Shop plan: sets the cost bucket size and restore rate.",
)
@click.option("--allow-remote", is_flag=True, help="Allow listening on a non-loopback address.")
def sandbox_serve(
    host: str,
    port: int,
    db: str | None,
    snapshot_path: Path | None,
    token: str,
    plan: str,
    allow_remote: bool,
) -> None:
    """Serve a sandbox store until interrupted (Ctrl-C or SIGTERM).

    The first line printed is "Sandbox store listening on <url>". Without --snapshot and
    --db the store starts empty; with --db alone it carries on with the file's store.
    """
    import signal

    from reconciler.sandbox import Sandbox, SnapshotError
    from reconciler.sandbox import snapshot as snapshots
    from reconciler.sandbox.server import LOOPBACK

    if host not in LOOPBACK and not allow_remote:
        click.echo(
            f"Error: refusing to listen on {host}: the sandbox has no real authentication and "
            "serves loopback only; pass --allow-remote to listen on other interfaces.",
            err=True,
        )
        sys.exit(1)
    try:
        data = snapshots.read(snapshot_path) if snapshot_path else None
        if data is not None and snapshot_path is not None:
            snapshots.validate(data, str(snapshot_path))
        server = Sandbox(
            data, host=host, port=port, db=db, token=token, plan=plan, allow_remote=allow_remote
        )
    except (SnapshotError, ValueError, OSError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Sandbox store listening on {server.url}")
    click.echo(f"  SHOPIFY_STORE={server.url}")
    click.echo("  SHOPIFY_ACCESS_TOKEN=<the --token value>")
    click.echo(f"  Admin API: {server.url}/admin/api/<version>/graphql.json")
    origin = f"snapshot {snapshot_path}" if snapshot_path else f"db {db}" if db else "empty"
    click.echo(f"  store: {origin} {json.dumps(server.app.state.counts())}")

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.app.close()


# -- plan --------------------------------------------------------------------------------------

_store_option = click.option(
    "--store", help="Shop domain (my-shop.myshopify.com) or a sandbox URL; or SHOPIFY_STORE."
)
_version_option = click.option(
    "--api-version",
    help="Admin API version (2025-01, 2026-01, 2026-04, 2026-10); or SHOPIFY_API_VERSION.",
)
_config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="Config file (default: ./reconciler.yaml if present).",
)


def _filters(sku: tuple[str, ...], exclude_sku: tuple[str, ...], location: tuple[str, ...]) -> Any:
    from reconciler.plan.build import Filters

    return Filters(tuple(sku), tuple(exclude_sku), tuple(location))


def _usage_line(usage: Any, verb: str) -> str:
    return (
        f"{verb}: {usage.calls} GraphQL calls, {usage.requested_cost} requested / "
        f"{usage.actual_cost} actual cost points"
        + (f", throttled {usage.throttled}x" if usage.throttled else "")
    )


@main.command("plan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_config_option
@_store_option
@_version_option
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
@click.option("--sku", multiple=True, help="Only SKUs matching this glob (repeatable).")
@click.option(
    "--exclude-sku", multiple=True, help="Leave out SKUs matching this glob (repeatable)."
)
@click.option(
    "--location", multiple=True, help="Only levels at locations matching this glob (repeatable)."
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 no changes, 2 changes, 1 error.")
@click.option("--no-color", is_flag=True, help="Never colour the text output.")
def plan_command(
    paths: tuple[Path, ...],
    config_path: Path | None,
    store: str | None,
    api_version: str | None,
    output_format: str,
    out: Path | None,
    sku: tuple[str, ...],
    exclude_sku: tuple[str, ...],
    location: tuple[str, ...],
    detailed_exitcode: bool,
    no_color: bool,
) -> None:
    """Read the manifests and the store; show what apply would change. Changes nothing."""
    from reconciler import commands
    from reconciler.errors import EXIT_CHANGES, EXIT_OK
    from reconciler.plan.planfile import dumps
    from reconciler.plan.render import render, use_color

    planned = commands.plan(
        list(paths),
        config_path=config_path,
        store=store,
        api_version=api_version,
        filters=_filters(sku, exclude_sku, location),
    )
    color = output_format == "text" and not no_color and use_color(sys.stdout)
    click.echo(render(planned.plan, output_format, color=color), nl=False)  # type: ignore[arg-type]
    if out is not None:
        out.write_text(dumps(planned.plan), encoding="utf-8")
        click.echo(f"Saved plan {planned.plan.plan_id} to {out}", err=True)
    click.echo(_usage_line(planned.usage, "Read the store"), err=True)
    if detailed_exitcode and not planned.plan.empty:
        sys.exit(EXIT_CHANGES)
    sys.exit(EXIT_OK)


# -- apply -------------------------------------------------------------------------------------


@main.command("apply")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_config_option
@_store_option
@_version_option
@click.option("--auto-approve", is_flag=True, help="Apply without asking (CI).")
@click.option("--continue-on-error", is_flag=True, help="Go on after a failed batch.")
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
    help="History file (default: config `history`, else reconciler-history.jsonl).",
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
def apply_command(
    paths: tuple[Path, ...],
    config_path: Path | None,
    store: str | None,
    api_version: str | None,
    auto_approve: bool,
    continue_on_error: bool,
    replan: bool,
    resume_journal: Path | None,
    history_path: Path | None,
    journal_dir: Path,
    output_format: str,
    detailed_exitcode: bool,
    no_color: bool,
) -> None:
    """Apply a saved plan (plan.json), or plan PATH... and apply after confirmation."""
    from reconciler import commands
    from reconciler.apply.report import render_applied
    from reconciler.errors import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, StalePlanError
    from reconciler.manifest.config import find_config, load_config
    from reconciler.plan.planfile import loads
    from reconciler.plan.render import render, use_color

    config = load_config(find_config(config_path))
    color = output_format == "text" and not no_color and use_color(sys.stdout)
    settings = commands.ApplySettings(
        store=store,
        api_version=api_version,
        config=config,
        continue_on_error=continue_on_error,
        replan=replan,
        journal_dir=journal_dir,
        history_path=history_path,
        progress=lambda message: click.echo(f"  {message}", err=True),
    )
    if resume_journal is not None:
        applied = commands.resume(resume_journal, settings)
    else:
        if not paths:
            raise click.UsageError(
                "give a saved plan (plan.json), manifest paths, or --resume JOURNAL"
            )
        saved = len(paths) == 1 and paths[0].suffix == ".json" and paths[0].is_file()
        if saved:
            plan_ = loads(paths[0].read_text(encoding="utf-8"), origin=str(paths[0]))
            try:
                applied = commands.apply(plan_, settings)
            except StalePlanError:
                if not replan:
                    raise
                click.echo("The saved plan is stale; planning again.", err=True)
                manifests = [Path(f.path) for f in plan_.manifest_files]
                fresh = commands.plan(
                    manifests,
                    config_path=config_path,
                    store=store,
                    api_version=plan_.api_version,
                    filters=plan_.filters,
                )
                plan_ = fresh.plan
                click.echo(render(plan_, "text", color=color), nl=False, err=True)
                _confirm(plan_, auto_approve)
                applied = commands.apply(plan_, settings)
        else:
            fresh = commands.plan(
                list(paths), config_path=config_path, store=store, api_version=api_version
            )
            plan_ = fresh.plan
            click.echo(render(plan_, "text", color=color), nl=False)
            if plan_.empty:
                sys.exit(EXIT_OK)
            _confirm(plan_, auto_approve)
            applied = commands.apply(plan_, settings)
    click.echo(render_applied(applied, output_format, color=color), nl=False)
    click.echo(_usage_line(applied.usage, "Apply used"), err=True)
    if not applied.succeeded:
        sys.exit(EXIT_ERROR)
    if detailed_exitcode and applied.drift:
        sys.exit(EXIT_CHANGES)
    sys.exit(EXIT_OK)


def _confirm(plan_: Any, auto_approve: bool) -> None:
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


@main.group("history", invoke_without_command=True)
@click.option(
    "--file",
    "history_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="History file (default: config `history`, else reconciler-history.jsonl).",
)
@_config_option
@click.option("--sku", multiple=True, help="Only changes to SKUs matching this glob.")
@click.option("--location", multiple=True, help="Only changes at locations matching this glob.")
@click.option("--since", help="Entries finished at or after this ISO date/time.")
@click.option("--until", help="Entries finished at or before this ISO date/time.")
@click.option("--plan-id", help="Only this plan (a prefix is enough).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)
@click.pass_context
def history_command(
    ctx: click.Context,
    history_file: Path | None,
    config_path: Path | None,
    sku: tuple[str, ...],
    location: tuple[str, ...],
    since: str | None,
    until: str | None,
    plan_id: str | None,
    output_format: str,
) -> None:
    """List applies recorded in the history file (filters combine)."""
    from reconciler import history
    from reconciler.manifest.config import find_config, load_config

    path = history_file or load_config(find_config(config_path)).history or history.DEFAULT_PATH
    ctx.obj = path
    if ctx.invoked_subcommand is not None:
        return
    entries = history.select(
        history.read(path), history.Query(sku, location, since, until, plan_id)
    )
    if output_format == "json":
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
    elif output_format == "markdown":
        click.echo(history.render_markdown(entries), nl=False)
    else:
        click.echo(history.render_text(entries), nl=False)


@history_command.command("verify")
@click.pass_obj
def history_verify(path: Path) -> None:
    """Check the hash chain: any edited, removed or reordered entry is reported."""
    from reconciler import history

    problems = history.verify(path)
    if problems:
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"History {path} FAILED verification: {len(problems)} problem(s).", err=True)
        sys.exit(1)
    count = len(history.read(path))
    click.echo(
        f"History {path} is intact: {count} entr{'y' if count == 1 else 'ies'}, hash chain verified."
    )
