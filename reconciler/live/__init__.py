"""Read what the store has: the items the manifests mention, or the whole store.

Two paths give the same `LiveState` (a property test holds them equal):

* **paged** (`paged`): locations, then items by SKU through the search index (100 per call,
  exact matches kept) and pinned items by id; about 2 cost points per item of 10 levels, so a
  big read is bound by the shop's throttle.
* **bulk** (`bulk`, `jsonl`): one ``bulkOperationRunQuery`` over every item, polled to its
  end, its JSONL result streamed line by line and joined (levels and HS codes to their items)
  while unwanted items are dropped; a few dozen cost points at any size.

`reader` chooses: ``auto`` (default) reads in bulk above ``bulk_threshold`` items (1,000;
``read.bulkThreshold`` in reconciler.yaml) and falls back to paged reads, saying so, when
no bulk result can be had (the app's bulk slots stay busy, a run fails or expires twice);
``bulk`` and ``paged`` force a path. Modules, one concept each: `records` (JSON → model, both
paths), `selection` (what a read keeps), `paged`, `bulk` (one operation: start, poll, states,
cancel), `jsonl` (download and join), `reader` (the choice and the fallback), `ahead` (a
plan's bulk query started before its manifests are read, so the export and the parsing
overlap).

Public API (other stages import only these names from ``reconciler.live``):

* ``read_live(client, desired, read="auto", progress=..., report=...) -> LiveState``: exactly
  the manifests' SKUs (exact, case-sensitive) and pinned ids, with every location.
* ``iter_items(client, sku_globs=(), location_ids=None, read="auto", ...) -> Iterator[LiveItem]``:
  the whole store (or the SKUs matching globs; with `location_ids`, only those levels and the
  items stocked there), in id order, for export and drift. ``auto`` reads in bulk here.
* ``read_items_by_id(client, ids) -> dict[id, LiveItem]``: apply's stale check and drift.
* ``start_bulk(client, settings) -> Started | None``: the bulk query started ahead (no
  waiting for a slot), for ``read_live(..., started=...)`` to read later; ``Started.cancel()``
  when it will not be read (`ahead.read_ahead` does this for plans).
* ``read_locations(client)``, ``search_term(sku)``; ``ReadSettings`` / ``ReadMode``,
  ``ReadReport`` (the path taken, and why a fallback happened), ``BulkUnavailable``.

Every read reports to a `Progress` as task ``"read"`` (items, calls, cost points, the bulk
operation's status and object count) and notes a fallback.
"""

from __future__ import annotations

from .bulk import BulkSettings, BulkUnavailable
from .paged import read_items_by_id, read_locations, search_term
from .reader import (
    DEFAULT_BULK_THRESHOLD,
    READ_MODES,
    ReadMode,
    ReadReport,
    ReadSettings,
    Started,
    iter_items,
    read_live,
    start_bulk,
)

__all__ = [
    "DEFAULT_BULK_THRESHOLD",
    "READ_MODES",
    "BulkSettings",
    "BulkUnavailable",
    "ReadMode",
    "ReadReport",
    "ReadSettings",
    "Started",
    "iter_items",
    "read_items_by_id",
    "read_live",
    "read_locations",
    "search_term",
    "start_bulk",
]
