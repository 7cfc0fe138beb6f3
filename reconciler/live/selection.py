"""Which items and levels a read keeps: exact SKUs and pinned ids (plans), or SKU globs and
location ids (export, drift). Both readers apply it locally, after Shopify answered, so what is
kept never depends on the search index.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Selection:
    """Keep every item (`every`), or those carrying one of `skus` (exact), matching one of
    `sku_globs` (case-sensitive) or whose id is in `ids`. With `location_ids`, keep only
    levels at those locations, and only items with such a level."""

    skus: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()
    sku_globs: tuple[str, ...] = ()
    location_ids: frozenset[str] | None = None
    every: bool = False

    @staticmethod
    def of(
        skus: Iterable[str] = (),
        ids: Iterable[str] = (),
        sku_globs: Iterable[str] = (),
        location_ids: Iterable[str] | None = None,
    ) -> Selection:
        return Selection(
            frozenset(skus),
            frozenset(ids),
            tuple(sku_globs),
            None if location_ids is None else frozenset(location_ids),
        )

    @staticmethod
    def store(
        sku_globs: Iterable[str] = (), location_ids: Iterable[str] | None = None
    ) -> Selection:
        """The whole store, or the SKUs matching `sku_globs` when there are any."""
        globs = tuple(sku_globs)
        locations = None if location_ids is None else frozenset(location_ids)
        return Selection(sku_globs=globs, location_ids=locations, every=not globs)

    @property
    def size(self) -> int | None:
        """How many items the selection names, when it names them (None: globs, or all)."""
        if self.every or self.sku_globs:
            return None
        return len(self.skus) + len(self.ids)

    def _glob(self) -> re.Pattern[str] | None:
        if not self.sku_globs:
            return None
        return re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in self.sku_globs))

    def item_filter(self) -> ItemFilter:
        return ItemFilter(self, self._glob())

    def wants_level(self, location_id: str) -> bool:
        return self.location_ids is None or location_id in self.location_ids


class ItemFilter:
    """`Selection.wants_item`, with the globs compiled once (it runs once per store item)."""

    __slots__ = ("_glob", "_selection")

    def __init__(self, selection: Selection, glob: re.Pattern[str] | None) -> None:
        self._selection = selection
        self._glob = glob

    def __call__(self, item_id: str, sku: str | None) -> bool:
        chosen = self._selection
        if chosen.every or item_id in chosen.ids:
            return True
        if sku is None:
            return False
        return sku in chosen.skus or (self._glob is not None and self._glob.match(sku) is not None)
