"""Run a plan's actions against the store, batch by batch, and say exactly what happened.

Every call is journaled before it is sent and after it is answered. A call applies whole or
not at all (Shopify's rule), so one failing row means the rest of that call did not apply:
those rows are reported "not applied" and, with ``continue_on_error``, re-sent without the
failing rows (a new batch, hence a new idempotency key). A failure stops its level: later
changes to the same level (or item) are not attempted. By default the first failed call stops
the apply: nothing new is sent, calls already in flight finish and are recorded, everything
else is "not attempted".

Several calls may be in flight at once (`concurrency`, default 8): `schedule` decides which
(never two on one level or item, per-level order kept), each on its own connection, all paced
by one cost bucket. Each call's journal records and outcome are its own, as with one at a time.

An answer that never arrives is resolved without guessing: a batch with an idempotency key
(2026-01+) or with absolute effect is re-sent as is (Shopify replays the first result); an
unkeyed quantity batch (2025-01, 2025-10) is decided by re-reading the store against the
before and after values the journal recorded for it (settle.py: applied, not applied, or a
conflict, reported and failed). A move without compare-and-set is only sent again once it can
no longer land late. When Shopify says the attempt under a key failed on its side, the store
is re-read and, if nothing applied, the batch goes out under a fresh key, journaled first.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import partial
from typing import Any

from reconciler.errors import TransientStoreError
from reconciler.live import read_items_by_id
from reconciler.model import LiveItem
from reconciler.plan.actions import MUTATIONS, Action, Kind, Move, SetQuantity
from reconciler.plan.planfile import Plan
from reconciler.progress import SILENT, Progress
from reconciler.shopify.client import OutcomeUnknown, Response, ShopifyClient

from . import settle
from .batches import Batch, build_batches, has_compare_and_set, row_index
from .journal import Journal
from .reads import ReadBehind
from .schedule import DEFAULT_CONCURRENCY, Schedule, Workers, footprint
from .settle import Expectation, Verdict

RESOLVE_ATTEMPTS = 3
UNKNOWN = "OUTCOME_UNKNOWN"
STALE_CODES = frozenset({"CHANGE_FROM_QUANTITY_STALE", "COMPARE_QUANTITY_STALE"})
CONCURRENT = "IDEMPOTENCY_CONCURRENT_REQUEST"  # the first attempt under the key still runs
PREVIOUS_FAILED = "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"  # Shopify: retry with a new key
CONFLICT = "CONFLICT"


class Status(StrEnum):
    APPLIED = "applied"
    FAILED = "failed"
    NOT_ATTEMPTED = "not_attempted"


@dataclass
class ActionResult:
    status: Status
    message: str | None = None
    code: str | None = None
    adjustment_group: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status.value}
        if self.message:
            out["message"] = self.message
        if self.code:
            out["code"] = self.code
        if self.adjustment_group:
            out["adjustment_group"] = self.adjustment_group
        return out

    @staticmethod
    def from_json(data: dict[str, Any]) -> ActionResult:
        return ActionResult(
            Status(data["status"]),
            data.get("message"),
            data.get("code"),
            data.get("adjustment_group"),
        )


@dataclass
class ApplyOutcome:
    results: dict[int, ActionResult] = field(default_factory=dict)
    calls: int = 0
    stopped: bool = False

    def ids(self, status: Status) -> list[int]:
        return sorted(i for i, r in self.results.items() if r.status is status)


_STOPPED = ActionResult(Status.NOT_ATTEMPTED, "not attempted: the apply stopped after a failure")


def _level_key(action: Action) -> tuple[str, str | None]:
    return (action.target.item_id, action.target.location_id)


def journaled_batch(record: dict[str, Any]) -> Batch:
    """The batch a journal's ``send`` record says went out, exactly as it was sent."""
    return Batch(
        Kind(record["kind"]),
        record["document"],
        tuple(int(i) for i in record["action_ids"]),
        record["variables"],
        record.get("idempotency_key"),
    )


class Executor:
    def __init__(
        self,
        plan: Plan,
        client: ShopifyClient,
        journal: Journal,
        *,
        continue_on_error: bool = False,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: Callable[[str], None] = lambda _: None,
        display: Progress = SILENT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        settle_window: float = settle.SETTLE_WINDOW,
    ) -> None:
        self.plan = plan
        self.journal = journal
        self.continue_on_error = continue_on_error
        self.concurrency = max(1, concurrency)
        self._progress = progress
        self.display = display  # the "apply" task: changes answered, calls, calls in flight
        self.sleep = sleep
        self.clock = clock  # wall clock: the journal's sent_at outlives the process
        self.settle_window = settle_window
        self.outcome = ApplyOutcome()
        self._client = client
        self._workers: Workers[dict[int, ActionResult]] | None = None
        self.behind = ReadBehind((), ())
        self._lock = threading.Lock()  # the counters workers share (labels, calls, notes)
        self._failed_levels: set[tuple[str, str | None]] = set()
        self._failed_items: set[str] = set()
        self._sequence = 0
        self._run_id = uuid.uuid4().hex[:8]  # batch labels stay unique across resumes

    @property
    def client(self) -> ShopifyClient:
        """The connection of the call being handled (each worker has its own)."""
        return self._workers.connection() if self._workers is not None else self._client

    def progress(self, message: str) -> None:
        with self._lock:
            self._progress(message)

    def action(self, action_id: int) -> Action:
        return self.plan.actions[action_id - 1]

    # -- the loop --------------------------------------------------------------------------

    def settle_in_flight(self, records: Sequence[dict[str, Any]]) -> list[Batch]:
        """Batches a crashed run sent but never saw answered (as journaled): which still need
        sending, exactly as they were sent.

        Re-sending is safe for keyed or absolute batches (Shopify replays the first result, and
        only the same variables under the same key do: the key it last went out under, a fresh
        one after a failed attempt); an unkeyed quantity batch is decided by re-reading the
        levels the journal recorded for it, waiting while a move without compare-and-set may
        still land. Several may have been in flight: they touch different levels
        (`schedule`), so each is settled on its own.
        """
        still: list[Batch] = []
        for record in records:
            batch = journaled_batch(record)
            if batch.idempotent:
                still.append(batch)
                continue
            sent_at = record.get("sent_at")
            expect = self._recorded(record.get("expect"), batch)
            decided = self._resolve_unknown(
                batch, expect, self.clock() if sent_at is None else sent_at
            )
            if decided is None:
                still.append(batch)
                continue
            self.journal.write(
                "result",
                batch=f"{self._run_id}-settled",
                actions={str(i): r.as_json() for i, r in decided.items()},
            )
            self._take(decided)  # a conflict stops its levels (and the apply), as in `run`
        return still

    def _recorded(self, expect: Any, batch: Batch) -> list[Expectation]:
        """The expectations journaled with a call (the plan's own values if there are none)."""
        if expect is not None:
            try:
                return [Expectation.from_json(e) for e in expect]
            except (KeyError, TypeError, ValueError, AttributeError):
                pass  # a hand-edited journal: the plan's own values decide
        return self._expectations(batch)

    def _expectations(self, batch: Batch) -> list[Expectation]:
        return settle.expectations([self.action(i) for i in batch.action_ids])

    def run(
        self,
        action_ids: Sequence[int],
        *,
        first: Sequence[Batch] = (),
        read_behind: Iterable[str] = (),
    ) -> ApplyOutcome:
        """Send `first` (batches a resumed run re-sends as they were) and the batches of
        `action_ids`, up to `concurrency` calls at a time, in the order `schedule` allows.

        Items in `read_behind` are re-read (drift) as soon as every call touching them is
        answered, in connections no batch is ready for (`self.behind` holds what was read).
        """
        batches = [*first, *self._batches(action_ids)]
        prints = [footprint(map(self.action, b.action_ids)) for b in batches]
        schedule = Schedule(prints)
        self.behind = ReadBehind(read_behind, (p.items for p in prints))
        queued: dict[int, deque[Batch]] = {}
        error: Exception | None = None
        self.display.start("apply", sum(len(b.action_ids) for b in batches), unit="changes")
        pool: Workers[dict[int, ActionResult]] = Workers(self._client, self.concurrency)

        def finish(index: int) -> None:
            schedule.finish(index)
            self.behind.settled(prints[index].items)

        with pool:
            self._workers = pool
            try:
                while True:
                    while error is None and pool.free:
                        index = None if self.outcome.stopped else schedule.next_ready()
                        if index is not None:
                            queued[index] = deque([batches[index]])
                            if not self._submit(pool, index, queued[index]):
                                finish(index)
                            continue
                        last = schedule.done or self.outcome.stopped
                        chunk = self.behind.next_chunk(last)
                        if chunk is None:
                            break
                        pool.submit(-1, partial(self._read_behind, chunk))
                    if not pool.busy:
                        break  # done, or stopped with nothing in flight
                    index, future = pool.next_answer()
                    try:
                        results = future.result()
                    except Exception as exc:  # raised once the calls in flight are answered
                        error = error or exc
                        if index >= 0:
                            finish(index)
                        continue
                    if index < 0:
                        continue  # a drift read
                    queued[index].extendleft(reversed(self._take(results)))
                    self.display.update(
                        "apply",
                        advance=sum(r.status is not Status.NOT_ATTEMPTED for r in results.values()),
                        calls=self.outcome.calls,
                        in_flight=pool.busy,
                    )
                    if error is not None or not self._submit(pool, index, queued[index]):
                        finish(index)
            finally:
                self._workers = None
                self.display.finish("apply")
        for index in schedule.never_started():
            queued[index] = deque([batches[index]])
        for left in queued.values():
            for batch in left:
                self._set(batch.action_ids, _STOPPED)
        if error is not None:
            raise error
        return self.outcome

    def _read_behind(self, chunk: list[str]) -> dict[int, ActionResult]:
        self.behind.read_chunk(self.client, chunk)
        return {}

    def _submit(
        self, pool: Workers[dict[int, ActionResult]], index: int, left: deque[Batch]
    ) -> bool:
        """Send the next batch of `left` that still has something to do; False when none."""
        while left and not self.outcome.stopped:
            batch = left.popleft()
            keep = [i for i in batch.action_ids if not self._blocked(i)]
            self._set(
                [i for i in batch.action_ids if i not in keep],
                ActionResult(
                    Status.NOT_ATTEMPTED,
                    "not attempted: an earlier change to the same level failed",
                ),
            )
            if not keep:
                continue
            if len(keep) != len(batch.action_ids):
                batch = self._batches(keep)[0]
            pool.submit(index, partial(self._send, batch))
            return True
        return False

    def _take(self, results: dict[int, ActionResult]) -> list[Batch]:
        """Record one call's results; the batches to send in its place (continue_on_error)."""
        self._set_each(results)
        failed = [i for i, r in results.items() if r.status is Status.FAILED]
        if not failed:
            return []
        for i in failed:
            action = self.action(i)
            self._failed_levels.add(_level_key(action))
            if action.target.location_id is None:
                self._failed_items.add(action.target.item_id)
        if not self.continue_on_error:
            self.outcome.stopped = True
            return []
        retry = [i for i, r in results.items() if r.status is Status.NOT_ATTEMPTED]
        return self._batches(retry) if retry else []

    def _batches(self, action_ids: Sequence[int]) -> list[Batch]:
        return build_batches(
            [(i, self.action(i)) for i in sorted(action_ids)],
            plan_id=self.plan.plan_id,
            api_version=self.plan.api_version,
            reference_uri=self.plan.reference_document_uri,
        )

    def _blocked(self, action_id: int) -> bool:
        action = self.action(action_id)
        return (
            _level_key(action) in self._failed_levels or action.target.item_id in self._failed_items
        )

    def _set(self, ids: Sequence[int], result: ActionResult) -> None:
        for i in ids:
            self.outcome.results[i] = result

    def _set_each(self, results: dict[int, ActionResult]) -> None:
        self.outcome.results.update(results)

    # -- one call ------------------------------------------------------------------------------

    def _send(self, batch: Batch) -> dict[int, ActionResult]:
        with self._lock:
            self._sequence += 1
            label = f"{self._run_id}-{self._sequence}"
        mutation = MUTATIONS[batch.kind]
        expect = self._expectations(batch)
        sent_at = self._journal_send(label, batch, expect)
        self.progress(f"{mutation}: {len(batch.action_ids)} change(s)")
        results = self._call(batch, mutation, label, expect, sent_at)
        self.journal.write(
            "result", batch=label, actions={str(i): r.as_json() for i, r in results.items()}
        )
        return results

    def _journal_send(self, label: str, batch: Batch, expect: list[Expectation]) -> float:
        """On disk before the call leaves: what it carries and what its levels read before and
        after it (settle.py). Sent again under a fresh key: the same label, a new record."""
        sent_at = self.clock()
        self.journal.write(
            "send",
            batch=label,
            kind=batch.kind.value,
            document=batch.document,
            action_ids=list(batch.action_ids),
            variables=batch.variables,
            idempotency_key=batch.idempotency_key,
            sent_at=sent_at,
            expect=[e.as_json() for e in expect],
        )
        return sent_at

    def _call(
        self,
        batch: Batch,
        mutation: str,
        label: str,
        expect: list[Expectation],
        sent_at: float,
    ) -> dict[int, ActionResult]:
        attempt = resent = rekeyed = 0
        while True:
            attempt += 1
            try:
                self._count_call()
                response = self.client.mutate(
                    batch.document, batch.send_variables(), idempotent=batch.idempotent
                )
            except OutcomeUnknown as exc:
                if batch.idempotent:
                    self.outcome.stopped = True
                    return {
                        i: ActionResult(
                            Status.FAILED,
                            f"outcome unknown ({exc}); `reconciler apply --resume` re-sends it "
                            "safely",
                            UNKNOWN,
                        )
                        for i in batch.action_ids
                    }
                decided = self._resolve_unknown(batch, expect, sent_at)
                if decided is not None:
                    return decided
                resent += 1
                if resent >= RESOLVE_ATTEMPTS:
                    return self._all(
                        batch, Status.FAILED, "gave up: the store's answer stayed unknown"
                    )
                sent_at = self._journal_send(label, batch, expect)
                continue  # nothing applied: send again
            except TransientStoreError as exc:
                self.outcome.stopped = True
                return self._all(batch, Status.NOT_ATTEMPTED, f"not sent: {exc}")
            results = self._parse(batch, mutation, response)
            codes = {r.code for r in results.values()}
            if CONCURRENT in codes and self.clock() < sent_at + self.settle_window:
                self.sleep(min(1.0 * attempt, 5.0))  # the first attempt is still running
                continue
            if PREVIOUS_FAILED in codes and batch.idempotency_key and rekeyed < RESOLVE_ATTEMPTS:
                rekeyed += 1
                decided = self._after_failed_attempt(batch, expect)
                if decided is not None:
                    return decided
                batch = replace(batch, idempotency_key=settle.fresh_key(batch.idempotency_key))
                sent_at = self._journal_send(label, batch, expect)
                continue
            return results

    def _after_failed_attempt(
        self, batch: Batch, expect: list[Expectation]
    ) -> dict[int, ActionResult] | None:
        """The store says the attempt under this key failed: re-read. Applied after all, or
        changed by someone else, decides the batch; None: nothing applied, use a new key."""
        if not expect:
            return None  # an activation: absolute, nothing to compare
        live = self._read([self.action(i) for i in batch.action_ids])
        found = settle.verdict(expect, live)
        if found is Verdict.APPLIED:
            return self._all(batch, Status.APPLIED, "applied (confirmed by re-reading the store)")
        if found is Verdict.CONFLICT:
            return self._conflict(batch, expect, live, "the store's attempt under its key failed")
        self.progress("the store's attempt failed and nothing was applied: a new idempotency key")
        return None

    def _count_call(self) -> None:
        with self._lock:
            self.outcome.calls += 1

    def _all(self, batch: Batch, status: Status, message: str) -> dict[int, ActionResult]:
        return {i: ActionResult(status, message) for i in batch.action_ids}

    def _parse(self, batch: Batch, mutation: str, response: Response) -> dict[int, ActionResult]:
        payload = response.data.get(mutation)
        if payload is None:
            errors = response.errors or [{"message": "no answer for the mutation"}]
            code = str((errors[0].get("extensions") or {}).get("code") or "") or None
            message = "; ".join(str(e.get("message")) for e in errors)
            return {i: ActionResult(Status.FAILED, message, code) for i in batch.action_ids}
        user_errors = payload.get("userErrors") or []
        if not user_errors:
            group = (payload.get("inventoryAdjustmentGroup") or {}).get("id")
            return {
                i: ActionResult(Status.APPLIED, adjustment_group=group) for i in batch.action_ids
            }
        by_action: dict[int, list[dict[str, Any]]] = {}
        for error in user_errors:
            index = row_index(error.get("field"))
            targets = batch.action_ids if index is None else batch.action_ids[index : index + 1]
            for i in targets:
                by_action.setdefault(i, []).append(error)
        results: dict[int, ActionResult] = {}
        stale = [
            i for i, errs in by_action.items() if any(e.get("code") in STALE_CODES for e in errs)
        ]
        live = self._read([self.action(i) for i in stale]) if stale else {}
        for i in batch.action_ids:
            errs = by_action.get(i)
            if not errs:
                results[i] = ActionResult(
                    Status.NOT_ATTEMPTED,
                    "not applied: another row of the same call failed (Shopify applies a call whole or not at all)",
                )
                continue
            code = errs[0].get("code")
            message = "; ".join(str(e.get("message")) for e in errs)
            if code in STALE_CODES:
                message = self._stale_message(self.action(i), live) + f" ({message})"
            results[i] = ActionResult(Status.FAILED, message, code)
        return results

    # -- reading back ----------------------------------------------------------------------------

    def _read(self, actions: Sequence[Action]) -> dict[str, LiveItem]:
        return read_items_by_id(self.client, sorted({a.target.item_id for a in actions}))

    def _stale_message(self, action: Action, live: dict[str, LiveItem]) -> str:
        item = live.get(action.target.item_id)
        level = item.levels.get(action.target.location_id or "") if item else None
        where = f"{action.target.sku} at {action.target.location_name}"
        if isinstance(action, SetQuantity):
            now = level.quantity(action.name) if level else 0
            return (
                f"{where}: {action.name} is {now} in the store, the plan expected {action.compare}"
            )
        if isinstance(action, Move):
            now_from = level.quantity(action.from_name) if level else 0
            now_to = level.quantity(action.to_name) if level else 0
            return (
                f"{where}: {action.from_name}/{action.to_name} are {now_from}/{now_to} in the "
                f"store, the plan expected {action.from_before}/{action.to_before}"
            )
        return f"{where}: changed since the plan was made"

    def _resolve_unknown(
        self, batch: Batch, expect: list[Expectation], sent_at: float
    ) -> dict[int, ActionResult] | None:
        """An unkeyed quantity batch whose answer was lost: decide it from the store.

        None means nothing applied and it may be sent again: at once when its rows carry
        compare-and-set; a move without it only once `settle_window` has passed since it was
        sent (until then the store may still apply it, and a second one would move twice).
        """
        actions = [self.action(i) for i in batch.action_ids]
        late = not has_compare_and_set(batch.kind, self.plan.api_version)
        waiting = False
        while True:
            live = self._read(actions)
            found = settle.verdict(expect, live)
            if found is Verdict.APPLIED:
                return self._all(
                    batch,
                    Status.APPLIED,
                    "applied (confirmed by re-reading the store after the answer was lost)",
                )
            if found is Verdict.CONFLICT:
                return self._conflict(batch, expect, live, "the answer was lost")
            left = sent_at + self.settle_window - self.clock()
            if not late or left <= 0:
                self.progress("the answer was lost and nothing was applied: sending again")
                return None
            if not waiting:
                waiting = True
                self.progress(
                    f"a {MUTATIONS[batch.kind]} call without compare-and-set may still land: "
                    f"re-reading its levels for up to {left:.0f} s before sending it again"
                )
            self.sleep(min(settle.POLL, left))

    def _conflict(
        self,
        batch: Batch,
        expect: list[Expectation],
        live: dict[str, LiveItem],
        why: str,
    ) -> dict[int, ActionResult]:
        names = {
            f"{a.target.item_id} {a.target.location_id}": f"{a.target.sku} at "
            f"{a.target.location_name}"
            for a in (self.action(i) for i in batch.action_ids)
        }
        return {
            i: ActionResult(
                Status.FAILED,
                f"{why} and the store holds neither the old nor the new values (someone else "
                f"changed these levels; nothing was sent again): "
                f"{settle.conflict_text(expect, live, names)}; re-plan",
                CONFLICT,
            )
            for i in batch.action_ids
        }


def kinds(plan: Plan) -> dict[Kind, int]:
    counts: dict[Kind, int] = {}
    for action in plan.actions:
        counts[action.kind] = counts.get(action.kind, 0) + 1
    return counts
