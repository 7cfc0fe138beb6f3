"""`reconciler drift`: does the store still match the manifests, and if not, who changed it?

    manifests (validated, ownership applied)  ┐
    locations + iter_items (bulk or paged)    ┴→ differences (the planner's actions)
        → timestamps of what differs → classify (with the history file) → report

Read-only: nothing is written to the store or to the history.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from pathlib import Path

from reconciler import history as histories
from reconciler.commands import connection, load_manifests
from reconciler.live import ReadReport, iter_items, read_locations
from reconciler.live.ahead import read_settings
from reconciler.manifest.config import Config
from reconciler.manifest.ownership import location_names
from reconciler.model import LiveItem, LiveLocation, LiveState
from reconciler.plan.build import Filters, select
from reconciler.progress import SILENT, Progress
from reconciler.shopify.usage import Usage

from . import timestamps
from .classify import LastWrites, classify, since
from .differences import differences
from .report import DriftReport


def check(
    paths: list[Path],
    *,
    config_path: Path | None = None,
    store: str | None = None,
    api_version: str | None = None,
    filters: Filters | None = None,
    since_last_apply: bool = False,
    history_path: Path | None = None,
    read: str | None = None,
    progress: Progress = SILENT,
) -> DriftReport:
    """Compare the store with the manifests under `paths`; classify every difference."""
    filters = filters or Filters()
    desired, config = load_manifests(paths, config_path)
    desired = select(desired, filters)
    settings = read_settings(read, config)
    conn = connection(store, api_version, config, progress)
    usage, report = Usage(), ReadReport()
    with conn.client(usage) as client:
        locations = read_locations(client)
        items = iter_items(
            client,
            sku_globs=filters.skus,
            location_ids=_location_ids(filters, locations, config),
            read=settings,
            progress=progress,
            report=report,
        )
        live = _state(conn.target.name, conn.target.api_version, locations, items)
        found = differences(desired, live, filters, config.ownership)
        wanted = [d for d in found if d.kind != "item" or since_last_apply]
        times = timestamps.read(client, wanted)
    path = history_path or config.history or histories.DEFAULT_PATH
    writes = LastWrites.from_history(histories.read(path), conn.target.name)
    findings = [classify(d, times, writes) for d in found]
    if since_last_apply:
        findings = since(findings, writes.last_apply)
    return DriftReport(
        conn.target.name,
        conn.target.api_version,
        findings,
        compared=len({(i.sku, i.id) for i in desired.items}),
        read=report,
        usage=usage,
        since=writes.last_apply if since_last_apply else None,
        since_asked=since_last_apply,
    )


def _location_ids(
    filters: Filters, locations: tuple[LiveLocation, ...], config: Config
) -> frozenset[str] | None:
    """--location globs (names or aliases) → the ids the reader keeps; None: every location."""
    if not filters.locations:
        return None
    return frozenset(
        loc.id
        for loc in locations
        if any(
            fnmatch.fnmatchcase(n, g)
            for n in location_names(loc.name, config.location_aliases)
            for g in filters.locations
        )
    )


def _state(
    store: str, version: str, locations: tuple[LiveLocation, ...], items: Iterable[LiveItem]
) -> LiveState:
    by_id = {item.id: item for item in items}
    skus: dict[str, list[str]] = {}
    for item in by_id.values():  # the reader yields items in id order
        if item.sku is not None:
            skus.setdefault(item.sku, []).append(item.id)
    return LiveState(store, version, locations, by_id, {k: tuple(v) for k, v in skus.items()})
