"""``Product.totalInventory`` lags behind the levels, as on Shopify.

Shopify recomputes a product's total in the background: right after a write, reads of
``ProductVariant.inventoryQuantity`` and of the levels are new while ``totalInventory`` still
answers the total from before (docs/shopify-captures.md §3.2; recorded 0 beside a variant's
12 for the whole of a capture). How long the lag lasts is not recorded.

The model: the first write that changes a product's ``available`` sum freezes the total it
had; reads answer that frozen total until `lag` seconds have passed since that write, then
the live sum (and the next write freezes again). ``lag=None`` keeps the old total until
`flush()`; ``lag=0`` follows every write at once. The default, 60 s, is the sandbox's choice
(UNVERIFIED on Shopify). Tests stay deterministic by choosing ``None`` or ``0`` or by
flushing (control plane: ``POST /__sandbox/total-inventory``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

DEFAULT_LAG = 60.0


class TotalInventoryLag:
    """Frozen product totals, by inventory item (the sandbox has one variant per product)."""

    def __init__(
        self, lag: float | None = DEFAULT_LAG, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.lag = lag
        self.clock = clock
        self._frozen: dict[int, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def pending(self, item_id: int) -> bool:
        """Whether the item's total is already frozen (no need to read it again)."""
        return item_id in self._frozen

    def freeze(self, item_id: int, total: int) -> None:
        """Called before a write that may change the item's total: keep the one readers see."""
        if self.lag == 0:
            return
        with self._lock:
            self._frozen.setdefault(item_id, (total, self.clock()))

    def read(self, item_id: int, live: int) -> int:
        """What ``totalInventory`` answers now, given the live sum."""
        with self._lock:
            frozen = self._frozen.get(item_id)
            if frozen is None:
                return live
            total, since = frozen
            if self.lag is not None and self.clock() - since >= self.lag:
                del self._frozen[item_id]
                return live
            return total

    def flush(self) -> None:
        """Every total catches up now."""
        with self._lock:
            self._frozen.clear()

    def status(self) -> dict[str, float | int | None]:
        with self._lock:
            return {"lag": self.lag, "pending": len(self._frozen)}
