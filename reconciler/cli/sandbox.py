"""`reconciler sandbox serve`: a local Shopify store."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .app import main


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
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    help="The store's date, which decides the supported API versions (default: the clock).",
)
@click.option(
    "--serve-retired",
    "serve_retired",
    multiple=True,
    metavar="VERSION",
    help="Serve a retired API version as itself instead of falling forward (repeatable, or "
    "`all`). For tests of that version only: Shopify never does this.",
)
@click.option(
    "--mutation-latency-ms",
    type=click.IntRange(0, 60_000),
    default=0,
    show_default=True,
    help="Each mutation waits this long before it runs (Shopify: a few hundred ms).",
)
@click.option(
    "--query-latency-ms",
    type=click.IntRange(0, 60_000),
    default=0,
    show_default=True,
    help="Each query waits this long before it runs.",
)
@click.option("--allow-remote", is_flag=True, help="Allow listening on a non-loopback address.")
def sandbox_serve(
    host: str,
    port: int,
    db: str | None,
    snapshot_path: Path | None,
    token: str,
    plan: str,
    today: str | None,
    serve_retired: tuple[str, ...],
    mutation_latency_ms: int,
    query_latency_ms: int,
    allow_remote: bool,
) -> None:
    """Serve a sandbox store until interrupted (Ctrl-C or SIGTERM).

    The first line printed is "Sandbox store listening on <url>". Without --snapshot and
    --db the store starts empty; with --db alone it carries on with the file's store.
    """
    import signal

    from reconciler.sandbox import Sandbox, SnapshotError
    from reconciler.sandbox import snapshot as snapshots
    from reconciler.sandbox.latency import Setting
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
            data,
            host=host,
            port=port,
            db=db,
            token=token,
            plan=plan,
            today=today,
            serve_retired=serve_retired,
            allow_remote=allow_remote,
            latency=Setting(query_ms=query_latency_ms, mutation_ms=mutation_latency_ms),
        )
    except (SnapshotError, ValueError, OSError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Sandbox store listening on {server.url}")
    click.echo(f"  SHOPIFY_STORE={server.url}")
    click.echo("  SHOPIFY_ACCESS_TOKEN=<the --token value>")
    click.echo(f"  Admin API: {server.url}/admin/api/<version>/graphql.json")
    calendar = server.app.calendar.current
    click.echo(
        f"  API versions on {calendar.day().isoformat()}: {', '.join(calendar.served())} "
        f"(others fall forward to {calendar.oldest_supported()})"
    )
    origin = f"snapshot {snapshot_path}" if snapshot_path else f"db {db}" if db else "empty"
    click.echo(f"  store: {origin} {json.dumps(server.app.state.counts())}")
    if mutation_latency_ms or query_latency_ms:
        click.echo(
            f"  latency: {mutation_latency_ms} ms per mutation, {query_latency_ms} ms per query"
        )

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
