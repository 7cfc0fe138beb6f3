"""One bulk query operation on Shopify, from ``bulkOperationRunQuery`` to a result URL.

Shopify runs the query in the background and writes every node as a JSONL line to a file; we
start it, poll its status with backing-off intervals, and hand back the URL. What each outcome
means for the reader (facts §10.1; schema descriptions):

=========================  ==============================================================
CREATED, RUNNING           keep polling (progress shows the status and ``objectCount``)
CANCELING                  keep polling: it ends CANCELED
COMPLETED                  the ``url``; null when the query had no results (no items)
FAILED ACCESS_DENIED       the token lacks a scope: `AuthenticationError` (paged reads
                           would fail the same way)
FAILED TIMEOUT,            the run broke off; the partial data at ``partialDataUrl`` is never
INTERNAL_SERVER_ERROR      used (a plan from part of the store would be wrong):
                           `BulkUnavailable`, worth running once more
EXPIRED                    the result URL expired: `BulkUnavailable`, worth running again
CANCELED (not by us)       another client cancelled it: `BulkUnavailable`
userError INVALID          Shopify refused our query: a bug, `ResponseError`
OPERATION_IN_PROGRESS,     the app's bulk query slots are taken (1 per app before 2026-01, 5
LIMIT_REACHED              from 2026-01) or its limit is reached: retried with backoff for at
                           most ``wait_seconds``, then `BulkUnavailable`
no answer (timeout, 5xx)   the operation may have started: the app's running operation of
                           exactly this query is taken up (``bulkOperations`` from 2026-01,
                           ``currentBulkOperation`` before); else tried again like a busy slot
=========================  ==============================================================

Polling uses ``bulkOperation(id:)`` from 2026-01 and ``currentBulkOperation`` before (the
only way there; with one query per app at a time it is ours unless another client of the
same app started one after ours ended, which is `BulkUnavailable` too).

Ctrl-C while the operation runs sends ``bulkOperationCancel`` before the interrupt goes on
(the CLI then exits 130), so no export keeps running for nobody. A Ctrl-C that lands while
``bulkOperationRunQuery`` itself is in flight is held until its answer names the operation,
which is then cancelled the same way (a second Ctrl-C does not wait).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from reconciler.errors import AuthenticationError, ResponseError, StoreError
from reconciler.progress import SILENT, Progress
from reconciler.shopify.client import OutcomeUnknown, Response, ShopifyClient

ACTIVE = ("CREATED", "RUNNING", "CANCELING")
TERMINAL = ("COMPLETED", "CANCELED", "FAILED", "EXPIRED")
BUSY_CODES = ("OPERATION_IN_PROGRESS", "LIMIT_REACHED")


class BulkUnavailable(StoreError):
    """The bulk path gave no usable result; paged reads can stand in (``--read auto`` does).

    `rerun` says whether running the same bulk query once more may help (a failed or expired
    run), as opposed to waiting longer (busy slots) or someone else's decision (cancelled).
    """

    def __init__(self, message: str, *, rerun: bool) -> None:
        super().__init__(message)
        self.rerun = rerun


@dataclass(frozen=True)
class Operation:
    """A bulk operation as the last poll saw it."""

    id: str
    status: str
    error_code: str | None
    object_count: int
    url: str | None
    partial_data_url: str | None

    @staticmethod
    def of(node: dict[str, Any]) -> Operation:
        return Operation(
            id=node["id"],
            status=node["status"],
            error_code=node.get("errorCode"),
            object_count=int(node.get("objectCount") or 0),
            url=node.get("url"),
            partial_data_url=node.get("partialDataUrl"),
        )


@dataclass(frozen=True)
class BulkSettings:
    wait_seconds: float = 60.0  # how long to wait for a bulk query slot of this app
    poll_first: float = 0.25  # first poll interval; grows 1.5x per poll up to poll_max
    poll_max: float = 2.0  # 1 point a poll: finding the end sooner is worth it
    busy_first: float = 1.0  # first retry interval while the slots are taken; doubles


def concurrency(api_version: str) -> int:
    """Bulk query operations an app may run at once on a shop (facts §10.1)."""
    return 1 if api_version < "2026-01" else 5


class BulkQuery:
    """Runs one bulk query to its end; `run` returns the finished `Operation`."""

    def __init__(
        self,
        client: ShopifyClient,
        settings: BulkSettings | None = None,
        progress: Progress = SILENT,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.settings = settings or BulkSettings()
        self.progress = progress
        self._sleep = sleep
        self._clock = clock
        self._by_id = client.target.api_version >= "2026-01"
        self._started: str | None = None  # set as soon as Shopify names the operation

    def run(self, query: str) -> Operation:
        return self.finish(self.start(query))

    def start(self, query: str) -> str:
        """Start the operation (waiting for a slot as the settings say); its id."""
        self._started = None
        try:
            return self._start(query)
        except KeyboardInterrupt:
            self._cancel_started()
            raise

    def finish(self, operation_id: str) -> Operation:
        """Poll the operation to its end (Ctrl-C cancels it)."""
        try:
            return self._wait(operation_id)
        except KeyboardInterrupt:
            self.cancel(operation_id)
            raise

    def _cancel_started(self) -> None:
        if self._started is not None:
            self.cancel(self._started)

    def cancel(self, operation_id: str) -> None:
        """Ask Shopify to stop the operation (best effort: we are being interrupted)."""
        self.progress.note(f"cancelling bulk operation {operation_id}")
        with contextlib.suppress(StoreError):  # it may have finished meanwhile
            self.client.mutate("bulk_cancel", {"id": operation_id}, idempotent=True)

    # -- start ---------------------------------------------------------------------------------

    def _start(self, query: str) -> str:
        deadline = self._clock() + self.settings.wait_seconds
        delay = self.settings.busy_first
        told = False
        while True:
            try:
                response = self._submit(query)
            except OutcomeUnknown as exc:
                # The answer was lost: the operation may have started; take it up if so.
                adopted = self._adopt(query)
                if adopted is not None:
                    self._started = adopted
                    return adopted
                problem = str(exc)
            else:
                if response.errors:
                    raise ResponseError(
                        "bulkOperationRunQuery failed: "
                        + "; ".join(str(e.get("message")) for e in response.errors),
                        response.errors,
                    )
                payload = response.data["bulkOperationRunQuery"]
                errors = payload.get("userErrors") or []
                if not errors:
                    return str(payload["bulkOperation"]["id"])
                if not {e.get("code") for e in errors} & set(BUSY_CODES):
                    raise ResponseError(
                        "Shopify refused the bulk query: "
                        + "; ".join(str(e.get("message")) for e in errors),
                        errors,
                    )
                problem = "; ".join(str(e.get("message")) for e in errors)
            if self._clock() + delay > deadline:
                raise BulkUnavailable(self._busy(problem), rerun=False)
            if not told:
                self.progress.note(
                    f"waiting up to {self.settings.wait_seconds:g} s for a bulk query slot: "
                    + problem
                )
                told = True
            self.progress.update("read", status="WAITING FOR A BULK SLOT")
            self._sleep(delay)
            delay = min(delay * 2, 10.0)

    def _submit(self, query: str) -> Response:
        """bulkOperationRunQuery with Ctrl-C held until its answer names the operation, so an
        operation it starts is known and can be cancelled (a second Ctrl-C does not wait)."""
        with interrupt_held() as held:
            response = self.client.mutate("bulk_run_query", {"query": query}, idempotent=False)
            payload = (response.data or {}).get("bulkOperationRunQuery") or {}
            self._started = (payload.get("bulkOperation") or {}).get("id")
        if held:
            raise KeyboardInterrupt
        return response

    def _adopt(self, query: str) -> str | None:
        """The app's running operation of exactly this query, if there is one (a lost answer
        may have started it; a concurrent run of the same query is as good to read)."""
        try:
            data = self.client.query("bulk_recent", {}).data
        except StoreError:
            return None
        if self._by_id:
            nodes = data["bulkOperations"]["nodes"]
        else:
            nodes = [data["currentBulkOperation"]] if data["currentBulkOperation"] else []
        for node in nodes:
            if node["status"] in ("CREATED", "RUNNING") and node.get("query") == query:
                return str(node["id"])
        return None

    def _busy(self, problem: str) -> str:
        version = self.client.target.api_version
        slots = concurrency(version)
        return (
            f"no bulk query slot after {self.settings.wait_seconds:g} s ({problem}; API "
            f"{version} allows {slots} bulk quer{'y' if slots == 1 else 'ies'} per app at a time)"
        )

    # -- poll ----------------------------------------------------------------------------------

    def _poll(self, operation_id: str) -> Operation:
        if self._by_id:
            node = self.client.query("bulk_poll", {"id": operation_id}).data["bulkOperation"]
        else:
            node = self.client.query("bulk_poll", {}).data["currentBulkOperation"]
        if node is None or node.get("id") != operation_id:
            raise BulkUnavailable(
                f"bulk operation {operation_id} is no longer the app's current one "
                "(another client of this app started a bulk query)",
                rerun=True,
            )
        return Operation.of(node)

    def _wait(self, operation_id: str) -> Operation:
        interval = self.settings.poll_first
        while True:
            operation = self._poll(operation_id)
            usage = self.client.usage
            self.progress.update(
                "read",
                status=operation.status,
                objects=operation.object_count,
                calls=usage.calls,
                cost=usage.actual_cost,
            )
            if operation.status in TERMINAL:
                return operation
            self._sleep(interval)
            interval = min(interval * 1.5, self.settings.poll_max)


@contextlib.contextmanager
def interrupt_held() -> Iterator[list[int]]:
    """Inside the block a first Ctrl-C (SIGINT) is noted in the yielded list instead of raised;
    a second one raises at once. Only the main thread receives signals: elsewhere, nothing held.
    """
    held: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield held
        return

    def note(signum: int, frame: object) -> None:
        if held:
            raise KeyboardInterrupt
        held.append(signum)

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield held
    finally:
        signal.signal(signal.SIGINT, previous)


def result_url(operation: Operation) -> str | None:
    """The URL of a finished operation's results (None: no results), or why there is none."""
    if operation.status == "COMPLETED":
        return operation.url
    where = f"bulk operation {operation.id}"
    if operation.status == "FAILED" and operation.error_code == "ACCESS_DENIED":
        raise AuthenticationError(
            f"{where} failed with ACCESS_DENIED: the access token lacks a scope the bulk query "
            "needs (read_inventory, read_locations)"
        )
    if operation.status == "FAILED":
        partial = (
            f"; its partial data ({operation.object_count:,} objects) is not used, a plan needs "
            "every item"
            if operation.partial_data_url
            else ""
        )
        raise BulkUnavailable(f"{where} failed with {operation.error_code}{partial}", rerun=True)
    if operation.status == "EXPIRED":
        raise BulkUnavailable(f"the results of {where} expired", rerun=True)
    raise BulkUnavailable(f"{where} was cancelled by another client", rerun=False)
