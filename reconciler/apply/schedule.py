"""Which mutation calls may be in flight together, and who sends them.

Apply's batches come in one order (`batches.build_batches`: item updates, activations, moves,
sets, deactivations). Two batches *conflict* when they touch a common inventory level, or when
one changes a whole item (an item update) and the other touches that item at all. A batch may
go out once every earlier batch it conflicts with has been answered, so:

* per level, changes happen in the order of the sequential apply (an item's update and a
  level's activation before its quantities, moves before the set of the same level);
* no two calls in flight ever touch the same level, or an item being updated;
* batches on disjoint levels go out together, as many as the concurrency allows and the shop's
  cost bucket admits (the forked clients share one `Pacer`, which paces them from
  ``throttleStatus``).

`Schedule` is the pure bookkeeping (which batch may go next); `Workers` is the pool of threads,
each with its own HTTP connection (`ShopifyClient.fork`), that sends them.
"""

from __future__ import annotations

import heapq
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

from reconciler.plan.actions import Action
from reconciler.shopify.client import ShopifyClient

DEFAULT_CONCURRENCY = 8  # at ~300 ms per mutation, 4 in flight left the bucket unused (71%)
MAX_CONCURRENCY = 32
T = TypeVar("T")

Level = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Footprint:
    """What one call touches: levels, every item with a touched level, items changed whole."""

    levels: frozenset[Level]
    items: frozenset[str]
    whole: frozenset[str]


def footprint(actions: Iterable[Action]) -> Footprint:
    levels: set[Level] = set()
    items: set[str] = set()
    whole: set[str] = set()
    for action in actions:
        item, location = action.target.item_id, action.target.location_id
        items.add(item)
        if location is None:
            whole.add(item)
        else:
            levels.add((item, location))
    return Footprint(frozenset(levels), frozenset(items), frozenset(whole))


def conflicts(a: Footprint, b: Footprint) -> bool:
    """True when the two calls must not be in flight together."""
    return bool(a.levels & b.levels or a.whole & b.items or b.whole & a.items)


def dependencies(footprints: Sequence[Footprint]) -> list[frozenset[int]]:
    """For each batch, the earlier batches it waits for.

    Enough to order every conflicting pair: a batch waits for the last earlier batch on each of
    its levels and for the last update of each of its items; an update waits for every batch
    on its item since the item's previous update. (Earlier ones on the same level were waited
    for by those, so waiting for the last is waiting for all.)
    """
    last_on_level: dict[Level, int] = {}
    last_update: dict[str, int] = {}
    since_update: dict[str, set[int]] = {}
    out: list[frozenset[int]] = []
    for index, print_ in enumerate(footprints):
        waits = {last_on_level[level] for level in print_.levels if level in last_on_level}
        waits.update(last_update[item] for item in print_.items if item in last_update)
        for item in print_.whole:
            waits.update(since_update.pop(item, ()))
            last_update[item] = index
        for level in print_.levels:
            last_on_level[level] = index
            since_update.setdefault(level[0], set()).add(index)
        waits.discard(index)
        out.append(frozenset(waits))
    return out


class Schedule:
    """Which batches (by index in apply order) may go now: ready ones come out in order."""

    def __init__(self, footprints: Sequence[Footprint]) -> None:
        waits = dependencies(footprints)
        self._waiting = [len(w) for w in waits]
        self._dependents: list[list[int]] = [[] for _ in waits]
        for index, earlier in enumerate(waits):
            for before in earlier:
                self._dependents[before].append(index)
        self._ready = [i for i, count in enumerate(self._waiting) if count == 0]
        heapq.heapify(self._ready)
        self._started: set[int] = set()
        self._finished = 0

    def __len__(self) -> int:
        return len(self._waiting)

    def next_ready(self) -> int | None:
        """The first batch in apply order that conflicts with nothing unanswered, if any."""
        if not self._ready:
            return None
        index = heapq.heappop(self._ready)
        self._started.add(index)
        return index

    def finish(self, index: int) -> None:
        """Batch `index` is answered (or dropped): the batches waiting only for it may go."""
        self._finished += 1
        for later in self._dependents[index]:
            self._waiting[later] -= 1
            if self._waiting[later] == 0:
                heapq.heappush(self._ready, later)

    @property
    def done(self) -> bool:
        return self._finished == len(self._waiting)

    def never_started(self) -> list[int]:
        return [i for i in range(len(self._waiting)) if i not in self._started]


class Workers(Generic[T]):
    """Up to `size` calls in flight, each on a connection of its own (forks of one client).

    `submit` hands a job to a free connection; `next_answer` waits for any job to end. The
    connection a job runs on is `connection()` while it runs (thread-local), so the per-batch
    code reads and writes through the same connection it sent on.
    """

    def __init__(self, client: ShopifyClient, size: int) -> None:
        self.size = size
        self._main = client
        self._local = threading.local()
        # one connection per call in flight; a single one is the client itself
        self._forks = [client.fork() for _ in range(size)] if size > 1 else [client]
        self._free: queue.SimpleQueue[ShopifyClient] = queue.SimpleQueue()
        for fork in self._forks:
            self._free.put(fork)
        self._pool = ThreadPoolExecutor(size, thread_name_prefix="apply")
        self._running: dict[Future[T], int] = {}

    def connection(self) -> ShopifyClient:
        return getattr(self._local, "client", None) or self._main

    @property
    def busy(self) -> int:
        return len(self._running)

    @property
    def free(self) -> bool:
        return len(self._running) < self.size

    def submit(self, tag: int, job: Callable[[], T]) -> None:
        self._running[self._pool.submit(self._on_connection, job)] = tag

    def _on_connection(self, job: Callable[[], T]) -> T:
        client = self._free.get()
        self._local.client = client
        try:
            return job()
        finally:
            self._local.client = None
            self._free.put(client)

    def next_answer(self) -> tuple[int, Future[T]]:
        """Wait until a job ends; its tag and its (finished) future."""
        done, _ = wait(self._running, return_when=FIRST_COMPLETED)
        future = min(done, key=lambda f: self._running[f])
        return self._running.pop(future), future

    def drain(self) -> Iterator[tuple[int, Future[T]]]:
        """Every job still in flight, as each ends (nothing new goes out meanwhile)."""
        while self._running:
            yield self.next_answer()

    def __enter__(self) -> Workers[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True)  # calls in flight finish (and are journaled)
        for fork in self._forks:
            if fork is not self._main:
                fork.close()
