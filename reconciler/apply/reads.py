"""Apply's reads of the items a plan touches (stale check, drift), several queries at a time.

A plan of 100,000 changes touches some 20,000 items: 80 ``nodes`` queries of 250 ids. One at a
time, each waits out the store's latency; here up to `concurrency` go out together, each on its
own connection (`ShopifyClient.fork`), all paced by the one cost bucket the forks share. The
result is the same as `live.read_items_by_id` over all the ids.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from reconciler.live import read_items_by_id
from reconciler.live.paged import IDS_PER_QUERY
from reconciler.model import LiveItem
from reconciler.shopify.client import ShopifyClient


def read_items(
    client: ShopifyClient, ids: Iterable[str], concurrency: int = 1
) -> dict[str, LiveItem]:
    """The live items with these ids (absent ones left out, in id order), read `concurrency`
    queries at a time; the first failure is raised once the queries in flight have ended."""
    wanted = sorted(set(ids))
    chunks = [wanted[at : at + IDS_PER_QUERY] for at in range(0, len(wanted), IDS_PER_QUERY)]
    size = min(concurrency, len(chunks))
    if size <= 1:
        return read_items_by_id(client, wanted)
    todo: queue.SimpleQueue[list[str]] = queue.SimpleQueue()
    for chunk in chunks:
        todo.put(chunk)
    failed = threading.Event()
    forks = [client.fork() for _ in range(size)]
    try:
        with ThreadPoolExecutor(size, thread_name_prefix="apply-read") as pool:
            futures = [pool.submit(_read_until_done, fork, todo, failed) for fork in forks]
            parts = [future.result() for future in futures]
    finally:
        for fork in forks:
            fork.close()
    found = {item_id: item for part in parts for item_id, item in part.items()}
    return {item_id: found[item_id] for item_id in wanted if item_id in found}


def _read_until_done(
    client: ShopifyClient, todo: queue.SimpleQueue[list[str]], failed: threading.Event
) -> dict[str, LiveItem]:
    """Take chunks until none is left (or another connection failed)."""
    items: dict[str, LiveItem] = {}
    while not failed.is_set():
        try:
            chunk = todo.get_nowait()
        except queue.Empty:
            break
        try:
            items.update(read_items_by_id(client, chunk))
        except BaseException:
            failed.set()
            raise
    return items


class ReadBehind:
    """The drift re-read, done while the apply still runs: an item is re-read once every call
    touching it has been answered (or dropped), 250 ids per query, in the connections the
    mutations leave free. Its queries overlap the calls still in flight instead of following
    them all; what is left when the apply ends (`unread`) is read then.
    """

    def __init__(self, item_ids: Iterable[str], touched: Iterable[Iterable[str]]) -> None:
        self.wanted = set(item_ids)
        self._calls_left: dict[str, int] = {}
        for items in touched:
            for item in items:
                self._calls_left[item] = self._calls_left.get(item, 0) + 1
        self._ready = sorted(i for i in self.wanted if not self._calls_left.get(i))
        self._lock = threading.Lock()
        self.items: dict[str, LiveItem] = {}
        self.read: set[str] = set()

    def settled(self, items: Iterable[str]) -> None:
        """A call touching `items` was answered or dropped."""
        for item in items:
            self._calls_left[item] -= 1
            if not self._calls_left[item] and item in self.wanted:
                self._ready.append(item)

    def next_chunk(self, last: bool) -> list[str] | None:
        """Ids for one query: a full one, or (`last`: nothing more will settle) the rest."""
        if len(self._ready) >= IDS_PER_QUERY or (last and self._ready):
            chunk, self._ready = self._ready[:IDS_PER_QUERY], self._ready[IDS_PER_QUERY:]
            return chunk
        return None

    def read_chunk(self, client: ShopifyClient, chunk: list[str]) -> None:
        found = read_items_by_id(client, chunk)
        with self._lock:
            self.items.update(found)
            self.read.update(chunk)

    def unread(self) -> list[str]:
        return sorted(self.wanted - self.read)
