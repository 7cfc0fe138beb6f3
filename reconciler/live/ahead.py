"""Reading ahead: the plan's bulk query starts before the manifests are read.

A plan reads the manifests (CPU time here) and then the store (a bulk query: time spent by
Shopify, there). One after the other they add up; started first, the bulk query runs while
the manifests are parsed and checked, and is read once they are. The query is started ahead
only when the plan is going to read in bulk anyway: ``--read bulk``, or ``auto`` with more
manifest items than the threshold, counted roughly from the ``sku:`` keys in the files (the
count decides only whether to start early, never what is read: the reader keeps exactly the
items the validated manifests name). Anything that keeps the read from happening (invalid
manifests, another store named by the config after all, Ctrl-C) cancels the early operation.
Any problem on the way ahead (no token, a config error, no free bulk slot) just means no
read-ahead: the plan then reports it, or reads, as it would have anyway.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from reconciler.errors import ConfigError, StoreError
from reconciler.manifest import load
from reconciler.manifest.config import Config, find_config, read_config
from reconciler.progress import SILENT, Progress
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.target import StoreTarget
from reconciler.shopify.usage import Usage

from .bulk import BulkSettings
from .reader import DEFAULT_BULK_THRESHOLD, READ_MODES, ReadMode, ReadSettings, Started, start_bulk


class Connection(Protocol):
    """What `commands.Connection` offers (a target, and clients of it)."""

    @property
    def target(self) -> StoreTarget: ...

    def client(self, usage: Usage | None = None) -> ShopifyClient: ...


def read_settings(read: str | None, config: Config) -> ReadSettings:
    """--read, else the config's ``read`` section, else the reader's defaults."""
    mode = read or config.read_mode or "auto"
    if mode not in READ_MODES:
        raise ConfigError(f"--read must be one of {', '.join(READ_MODES)}, not {mode!r}")
    wait = config.bulk_wait_seconds
    return ReadSettings(
        mode=cast(ReadMode, mode),
        bulk_threshold=(
            DEFAULT_BULK_THRESHOLD if config.bulk_threshold is None else config.bulk_threshold
        ),
        bulk=BulkSettings() if wait is None else BulkSettings(wait_seconds=float(wait)),
    )


def estimated_items(paths: list[Path]) -> int:
    """Roughly how many items the manifests under `paths` declare: their ``sku:`` keys."""
    total = 0
    for path in load.discover(paths).manifests:
        with contextlib.suppress(OSError):
            total += path.read_bytes().count(b"sku:")
    return total


@dataclass
class ReadAhead:
    """The early connection and bulk query, if any."""

    connection: Connection | None = None
    client: ShopifyClient | None = None
    started: Started | None = None

    def _same(self, connection: Connection) -> bool:
        return self.connection is not None and self.connection.target == connection.target

    def client_for(
        self, connection: Connection, usage: Usage
    ) -> AbstractContextManager[ShopifyClient]:
        """The early client when it talks to the same store, else a new one."""
        if self.client is not None and self._same(connection):
            return nullcontext(self.client)
        return connection.client(usage)

    def started_for(self, connection: Connection) -> Started | None:
        """The early bulk query when it runs on the same store (else it is cancelled)."""
        if self.started is not None and not self._same(connection):
            self.started.cancel()
            return None
        return self.started


def _begin(
    paths: list[Path],
    config_path: Path | None,
    read: str | None,
    usage: Usage,
    connect: Callable[[Config], Connection],
    progress: Progress,
) -> ReadAhead:
    config, problems = read_config(find_config(config_path))
    if problems:
        return ReadAhead()
    try:
        settings = read_settings(read, config)
        if settings.mode == "paged" or (
            settings.mode == "auto" and estimated_items(paths) <= settings.bulk_threshold
        ):
            return ReadAhead()
        connection = connect(config)
    except ConfigError:
        return ReadAhead()
    client = connection.client(usage)
    client.__enter__()
    try:
        started = start_bulk(client, settings.bulk, progress)
    except StoreError:
        client.close()
        return ReadAhead()
    return ReadAhead(connection, client, started)


@contextlib.contextmanager
def read_ahead(
    paths: list[Path],
    config_path: Path | None,
    read: str | None,
    usage: Usage,
    connect: Callable[[Config], Connection],
    progress: Progress = SILENT,
) -> Iterator[ReadAhead]:
    """Start the plan's bulk query if the plan will read in bulk; cancel it if it is not read."""
    ahead = ReadAhead()
    try:
        ahead = _begin(paths, config_path, read, usage, connect, progress)
        yield ahead
    except BaseException:
        if ahead.started is not None:
            ahead.started.cancel()
        raise
    finally:
        if ahead.client is not None:
            ahead.client.close()
