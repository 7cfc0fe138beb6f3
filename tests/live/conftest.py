"""Live-reader tests: clients of the session's sandbox, fast bulk settings, a progress recorder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from reconciler.live import BulkSettings
from reconciler.secrets import Secret
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.target import resolve_target
from tests.conftest import Store

# Polls and slot retries in tens of milliseconds: the sandbox finishes small exports at once.
FAST = BulkSettings(wait_seconds=2.0, poll_first=0.02, poll_max=0.1, busy_first=0.05)
VERSIONS = ("2025-01", "2026-01", "2026-04", "2026-10")


class Recorder:
    """A `Progress` that remembers what the reader told it (and can act on an update)."""

    def __init__(self, on_update: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.notes: list[str] = []
        self.updates: list[dict[str, Any]] = []
        self.started: list[tuple[str, int | None]] = []
        self.finished: list[str] = []
        self._on_update = on_update

    def start(self, task: str, total: int | None = None, *, unit: str = "") -> None:
        self.started.append((task, total))

    def update(
        self, task: str, *, advance: int = 0, total: int | None = None, **info: object
    ) -> None:
        entry = {"task": task, "advance": advance, **info}
        self.updates.append(entry)
        if self._on_update is not None:
            self._on_update(entry)

    def finish(self, task: str) -> None:
        self.finished.append(task)

    def note(self, message: str) -> None:
        self.notes.append(message)

    @property
    def statuses(self) -> list[str]:
        """Bulk operation statuses seen, without repeats in a row."""
        out: list[str] = []
        for entry in self.updates:
            status = entry.get("status")
            if isinstance(status, str) and (not out or out[-1] != status):
                out.append(status)
        return out


@pytest.fixture
def connect(store: Store) -> Iterator[Callable[..., ShopifyClient]]:
    """connect(version="2026-10") -> an open client of the sandbox (closed after the test)."""
    opened: list[ShopifyClient] = []

    def make(version: str = "2026-10", token: str | None = None) -> ShopifyClient:
        client = ShopifyClient(resolve_target(store.url, version), Secret(token or store.token))
        opened.append(client.__enter__())
        return client

    yield make
    for client in opened:
        client.close()
