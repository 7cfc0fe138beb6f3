"""`reconciler unlock` and `reconciler force-unlock LOCK_ID`: release the store lock by hand.

The lock (apply/lock.py) is released by the apply that holds it, and expires on its own when
that apply dies; these commands are for when waiting is not an option.
"""

from __future__ import annotations

from pathlib import Path

import click

from .app import main
from .options import config_option, deadline_option, store_option, version_option


def _release(
    config_path: Path | None, store: str | None, api_version: str | None, lock_id: str | None
) -> None:
    from reconciler import commands
    from reconciler.apply import lock
    from reconciler.manifest.config import find_config, load_config

    config = load_config(find_config(config_path))
    conn = commands.connection(store, api_version, config)
    me = lock.Owner.here()
    with conn.client() as client:
        if lock_id is None:
            seen = lock.unlock(client, me)
        else:
            seen = lock.force_unlock(client, lock_id, me)
    holder = seen.record.owner.describe() if seen.record else "an unreadable lock record"
    since = seen.record.acquired_at if seen.record else "?"
    click.echo(
        f"Released lock {seen.lock_id} of {conn.target.name} (held by {holder}, since {since})."
    )


@main.command("unlock")
@config_option
@store_option
@version_option
@deadline_option
def unlock_command(config_path: Path | None, store: str | None, api_version: str | None) -> None:
    """Release the store lock if you took it (same user and machine), e.g. after Ctrl-C.

    Exit 0 released; 1 not locked, or locked by someone else (the message names them and the
    lock id for `reconciler force-unlock`).
    """
    _release(config_path, store, api_version, None)


@main.command("force-unlock")
@click.argument("lock_id")
@config_option
@store_option
@version_option
@deadline_option
def force_unlock_command(
    lock_id: str, config_path: Path | None, store: str | None, api_version: str | None
) -> None:
    """Release the store lock LOCK_ID whoever holds it: only when that apply is dead.

    The id is in the message of the apply that was refused. Exit 0 released; 1 not locked,
    or locked under another id (nothing is released then).
    """
    _release(config_path, store, api_version, lock_id)
