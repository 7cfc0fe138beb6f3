"""Which path reads the store (paged or bulk), and falling back from one to the other.

``--read paged`` always pages through the search index; ``--read bulk`` always runs a bulk
query (and fails with exit 1 when Shopify cannot give one); ``--read auto`` (the default) runs a
bulk query when the manifests name more than ``bulk_threshold`` items, and falls back to paged
reads, saying so, when the bulk path is unavailable: the app's bulk query slots stay taken for
``bulk_wait_seconds``, or a run fails or expires twice. A token without the scopes, or a query
Shopify refuses, is an error on either path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Literal

from reconciler.model import DesiredState, LiveItem, LiveState
from reconciler.progress import SILENT, Progress
from reconciler.shopify.client import ShopifyClient

from . import jsonl, paged, records
from .bulk import BulkQuery, BulkSettings, BulkUnavailable, result_url
from .selection import Selection

ReadMode = Literal["auto", "bulk", "paged"]
READ_MODES: tuple[str, ...] = ("auto", "bulk", "paged")
# Chosen from measured cost points and times (README, "Against a real shop"): up to this many
# items a paged read fits one full standard bucket (about 2 points per item of 10 levels, 2,000
# points) and never waits for the throttle; beyond it paged reads are throttle-bound (50 items/s
# on a standard plan) while a bulk read costs the same few dozen points at any size.
DEFAULT_BULK_THRESHOLD = 1_000
BULK_QUERY = "bulk_live_items"


@dataclass(frozen=True)
class ReadSettings:
    mode: ReadMode = "auto"
    bulk_threshold: int = DEFAULT_BULK_THRESHOLD
    bulk: BulkSettings = BulkSettings()


@dataclass
class ReadReport:
    """How a read went: the path taken and, after a fallback, why."""

    path: str = ""  # "paged" or "bulk"
    fallback: str | None = None  # why the bulk path was left for paged reads

    def __str__(self) -> str:
        if self.fallback:
            return f"paged reads (bulk unavailable: {self.fallback})"
        return "a bulk query" if self.path == "bulk" else "paged reads"


def _settings(read: ReadMode | ReadSettings) -> ReadSettings:
    return read if isinstance(read, ReadSettings) else ReadSettings(mode=read)


def choose(settings: ReadSettings, selection: Selection) -> str:
    """The path to try first: "bulk" or "paged"."""
    if settings.mode != "auto":
        return settings.mode
    size = selection.size
    return "bulk" if size is None or size > settings.bulk_threshold else "paged"


@dataclass
class Started:
    """The reader's bulk query, started ahead of the read (e.g. while manifests are read)."""

    query: BulkQuery
    operation_id: str
    used: bool = False  # read_live took it: nothing to cancel any more

    def cancel(self) -> None:
        if not self.used:
            self.used = True
            self.query.cancel(self.operation_id)


def start_bulk(
    client: ShopifyClient, settings: BulkSettings | None = None, progress: Progress = SILENT
) -> Started | None:
    """Start the reader's bulk query now, without waiting for a slot (None if none is free),
    so Shopify exports while the caller does other work; `read_live(started=...)` reads it."""
    query = BulkQuery(client, replace(settings or BulkSettings(), wait_seconds=0), progress)
    try:
        operation_id = query.start(client.document(BULK_QUERY).text)
    except BulkUnavailable:
        return None
    return Started(query, operation_id)


def bulk_items(
    client: ShopifyClient,
    selection: Selection,
    settings: BulkSettings | None = None,
    progress: Progress = SILENT,
    started: Started | None = None,
) -> dict[str, LiveItem]:
    """The selected items through one bulk query (the one `started` ahead, if any), run once
    more if the first run failed or its results expired."""
    text = client.document(BULK_QUERY).text
    for attempt in (1, 2):
        if attempt == 1 and started is not None:
            started.used = True
            operation = started.query.finish(started.operation_id)
        else:
            operation = BulkQuery(client, settings, progress).run(text)
        try:
            url = result_url(operation)
            if url is None:
                return {}  # Shopify gives no file when the query had no results

            def seen(lines: int, kept: int, total: int = operation.object_count) -> None:
                progress.update("read", status="DOWNLOADING", objects=lines, of_objects=total)

            items = jsonl.join(jsonl.result_lines(url, client.target), selection, seen)
            progress.update("read", advance=len(items))
            return items
        except BulkUnavailable as exc:
            if attempt == 2 or not exc.rerun:
                raise
            progress.note(f"{exc}; running the bulk query once more")
    raise AssertionError("unreachable")  # pragma: no cover


def paged_items(
    client: ShopifyClient, selection: Selection, progress: Progress = SILENT
) -> dict[str, LiveItem]:
    """The selected items through paged reads: by SKU and id when the selection names them,
    else a walk over every item."""
    if selection.size is not None:
        items = paged.read_items_by_sku(client, selection.skus, progress)
        items.update(paged.read_items_by_id(client, selection.ids - items.keys(), progress))
    else:
        items = paged.read_all_items(client, selection.item_filter(), progress)
    if selection.location_ids is None:
        return items
    return {k: v for k, v in ((k, _narrowed(v, selection)) for k, v in items.items()) if v}


def _narrowed(item: LiveItem, selection: Selection) -> LiveItem | None:
    levels = {k: v for k, v in item.levels.items() if selection.wants_level(k)}
    return replace(item, levels=levels) if levels else None


def read_items(
    client: ShopifyClient,
    selection: Selection,
    read: ReadMode | ReadSettings = "auto",
    progress: Progress = SILENT,
    report: ReadReport | None = None,
    started: Started | None = None,
) -> dict[str, LiveItem]:
    """The selected items by id, through the path `read` chooses (see the module docstring);
    a bulk query `started` ahead is used whatever the threshold says (it is running)."""
    settings = _settings(read)
    report = report if report is not None else ReadReport()
    path = choose(settings, selection)
    if started is not None and settings.mode == "paged":
        started.cancel()
        started = None
    elif started is not None:
        path = "bulk"
    progress.start("read", selection.size, unit="items")
    try:
        if path == "bulk":
            try:
                items = bulk_items(client, selection, settings.bulk, progress, started)
                report.path = "bulk"
                return items
            except BulkUnavailable as exc:
                if settings.mode == "bulk":
                    raise BulkUnavailable(
                        f"{exc} (--read bulk; --read auto would fall back to paged reads)",
                        rerun=False,
                    ) from None
                report.fallback = str(exc)
                progress.note(f"bulk read unavailable ({exc}): falling back to paged reads")
        report.path = "paged"
        return paged_items(client, selection, progress)
    finally:
        progress.finish("read")


def read_live(
    client: ShopifyClient,
    desired: DesiredState,
    read: ReadMode | ReadSettings = "auto",
    *,
    progress: Progress = SILENT,
    report: ReadReport | None = None,
    started: Started | None = None,
) -> LiveState:
    """The live state of exactly the SKUs and pinned ids the manifests mention (through the
    bulk query `started` ahead, if any)."""
    locations = paged.read_locations(client)
    selection = Selection.of(
        skus=(i.sku for i in desired.items if i.id is None),
        ids=(i.id for i in desired.items if i.id is not None),
    )
    items = read_items(client, selection, read, progress, report, started)
    return records.state(client.target.name, client.target.api_version, locations, items)


def iter_items(
    client: ShopifyClient,
    *,
    sku_globs: tuple[str, ...] = (),
    location_ids: frozenset[str] | None = None,
    read: ReadMode | ReadSettings = "auto",
    progress: Progress = SILENT,
    report: ReadReport | None = None,
) -> Iterator[LiveItem]:
    """Every item of the store (or those whose SKU matches a glob), in id order; with
    `location_ids`, only levels there and only items stocked there. ``auto`` reads in bulk.

    Items come once the read is complete: a bulk file is streamed, but an item is whole only
    at its end (its levels may come any time after it)."""
    selection = Selection.store(sku_globs, location_ids)
    items = read_items(client, selection, read, progress, report)
    for item_id in sorted(items, key=_numeric_id):
        yield items[item_id]


def _numeric_id(gid: str) -> tuple[int, str]:
    tail = gid.rsplit("/", 1)[-1]
    return (int(tail), gid) if tail.isdigit() else (0, gid)
