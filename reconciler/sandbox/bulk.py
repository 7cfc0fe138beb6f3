"""Bulk query operations: ``bulkOperationRunQuery`` runs in the background and writes JSONL.

As on Shopify (facts §10.1, captures §3.14):

* the query is checked up front (`bulk_query`), every problem a userError with
  ``field: ["query"]`` and code ``INVALID`` in Shopify's words;
* an operation goes CREATED → RUNNING → COMPLETED, or CANCELING → CANCELED when cancelled,
  or FAILED with an ``errorCode``; counts and sizes are strings (``UnsignedInt64``);
* an app runs at most ``bulk_query_concurrency`` query operations at once (1 before 2026-01,
  5 after); one more is OPERATION_IN_PROGRESS listing the running ids;
* the export (`bulk_export`) writes one JSON line per node, children after their parent with
  ``"__parentId"``; the file is served (``GET /__sandbox/bulk/<id>.jsonl``) without an access
  token, like Shopify's signed storage URLs;
* an operation that exported nothing has a null ``url`` (Shopify staff: "with no data to
  provide, we would default to null"), and a failed one a null ``partialDataUrl`` unless it
  wrote something (schema: "Returns null when there's no data available");
* a token without the scopes a selected field needs fails the operation with ACCESS_DENIED
  before anything is written.

Choices where Shopify is silent (pinned by tests/sandbox/test_bulk_outcomes.py): an EXPIRED
operation keeps ``completedAt`` and ``fileSize`` and has a null ``url``; its file, and any URL
scripted to expire, answers HTTP 400 with Google Cloud Storage's ``ExpiredToken`` XML;
LIMIT_REACHED has ``field: null`` and the enum description as its message. The outcomes a
healthy local store never produces (failures with partial data, expiry, LIMIT_REACHED) are
scripted through the control plane (`bulk_script`).
"""

# ruff: noqa: N802, N803 - names mirror Shopify's GraphQL fields and arguments

from __future__ import annotations

import gc
import json
import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import GraphQLEnumType, GraphQLError, GraphQLSchema

from . import access, ids
from .bulk_export import Cancelled, Executor, Failed, QueryRoot
from .bulk_query import QueryPlan, compile_query
from .bulk_script import HOLD_STAGES, BulkScript, Failure
from .context import Info, RequestContext
from .nodes import Connection, list_connection
from .pagination import ConnectionArgumentError
from .search import parse as parse_search
from .state import State, now_iso
from .user_errors import UserError, path

log = logging.getLogger(__name__)


ACTIVE_STATUSES = ("CREATED", "RUNNING", "CANCELING")
TERMINAL_STATUSES = ("COMPLETED", "CANCELED", "FAILED", "EXPIRED")

_COLUMNS = (
    "id, scope, type, status, query, api_version, error_code, created_at, completed_at, "
    "object_count, root_object_count, file_size, path"
)

# Messages as Shopify words them (captures §3.14; the `nodes` variant is UNVERIFIED).
IN_PROGRESS = "A bulk query operation for this app and shop is already in progress: {ids}."
# The enum's description (2026-01+); the message text itself is UNVERIFIED.
LIMIT_REACHED = "Bulk operations limit reached. Please try again later."
CANCEL_UNKNOWN = "Bulk operation does not exist"
CANCEL_FINISHED = "A bulk operation cannot be canceled when it is {status}"
# bulkOperations(query:) filters (captures §2.6, §3.1)
FILTER_STATUSES = ("canceled", "canceling", "completed", "created", "failed", "running")
FILTER_TYPES = ("query", "mutation")
BAD_TIMESTAMP = "Invalid timestamp for query filter `{field}`."


# An expired signed storage URL (Google Cloud Storage's XML error; the status, 400, is
# UNVERIFIED for Shopify's bucket: clients should treat any 4xx from a result URL as expired).
EXPIRED_URL_BODY = (
    b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>ExpiredToken</Code>"
    b"<Message>Invalid argument.</Message><Details>The provided token has expired.</Details>"
    b"</Error>"
)


@dataclass(frozen=True)
class _Fate:
    """What the control plane scripted for one operation when it was submitted."""

    failure: Failure | None = None
    expire: bool = False
    expire_url: bool = False


@dataclass(frozen=True)
class Download:
    """The answer to a result-file GET: a file to stream, or a small body."""

    status: int
    content_type: str
    file: Path | None = None
    body: bytes = b""


def _denied(plan: QueryPlan, ctx: RequestContext) -> bool:
    """Whether the token lacks a scope for any selected field (the operation fails whole)."""
    scopes = ctx.token.scopes
    return any(access.denial(ctx.version, *position, scopes) for position in plan.positions)


@dataclass
class BulkRecord:
    id: int
    scope: str
    type: str
    status: str
    query: str
    api_version: str
    error_code: str | None
    created_at: str
    completed_at: str | None
    object_count: int
    root_object_count: int
    file_size: int | None
    path: str | None


class BulkOperation:
    """Adapter for the BulkOperation type."""

    graphql_type = "BulkOperation"

    def __init__(self, record: BulkRecord, base_url: str) -> None:
        self.record = record
        self.base_url = base_url

    @property
    def id(self) -> str:
        return ids.gid("BulkOperation", self.record.id)

    @property
    def status(self) -> str:
        return self.record.status

    @property
    def type(self) -> str:
        return self.record.type

    @property
    def errorCode(self) -> str | None:
        return self.record.error_code

    @property
    def createdAt(self) -> str:
        return self.record.created_at

    @property
    def completedAt(self) -> str | None:
        return self.record.completed_at

    @property
    def objectCount(self) -> str:
        return str(self.record.object_count)

    @property
    def rootObjectCount(self) -> str:
        return str(self.record.root_object_count)

    @property
    def fileSize(self) -> str | None:
        return None if self.record.file_size is None else str(self.record.file_size)

    def _file_url(self) -> str:
        return f"{self.base_url}/__sandbox/bulk/{self.record.id}.jsonl"

    @property
    def url(self) -> str | None:
        # A cancelled operation keeps the url of what it wrote (captures §3.14).
        if self.record.path is None or self.record.status not in ("COMPLETED", "CANCELED"):
            return None
        return self._file_url()

    @property
    def partialDataUrl(self) -> str | None:
        if self.record.path is None or self.record.status != "FAILED":
            return None
        return self._file_url()

    @property
    def query(self) -> str:
        return self.record.query


class BulkRunner:
    """Owns the bulk operations of one store: rows in state, files on disk, worker threads."""

    def __init__(self, state: State, directory: Path) -> None:
        self.state = state
        self.directory = directory
        self.cancel_flags: dict[int, threading.Event] = {}
        self.threads: list[threading.Thread] = []
        self._submit_lock = threading.Lock()
        self._hold = threading.Condition()
        self.hold_stage: str | None = None
        self._stopping = False
        self.script = BulkScript()
        self._fates: dict[int, _Fate] = {}
        self.expired_urls: set[int] = set()
        self._recover()

    def _recover(self) -> None:
        """Operations a previous process left unfinished cannot resume: they failed."""
        stamp = now_iso()
        with self.state.transaction() as conn:
            conn.execute(
                "UPDATE bulk_operations SET status = 'CANCELED' WHERE status = 'CANCELING'"
            )
            conn.execute(
                "UPDATE bulk_operations SET status = 'FAILED', error_code = "
                "'INTERNAL_SERVER_ERROR', completed_at = ? WHERE status IN ('CREATED', 'RUNNING')",
                (stamp,),
            )

    # -- records ---------------------------------------------------------------------------

    def get(self, operation_id: int) -> BulkRecord | None:
        with self.state.reading() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM bulk_operations WHERE id = ?",  # noqa: S608
                (operation_id,),
            ).fetchone()
        return BulkRecord(*row) if row else None

    def for_app(self, scope: str) -> list[BulkRecord]:
        """The app's operations, newest first."""
        with self.state.reading() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM bulk_operations WHERE scope = ? ORDER BY id DESC",  # noqa: S608
                (scope,),
            ).fetchall()
        return [BulkRecord(*r) for r in rows]

    def node(self, ctx: RequestContext, operation_id: int) -> BulkOperation | None:
        record = self.get(operation_id)
        if record is None or record.scope != ctx.token.fingerprint:
            return None
        return BulkOperation(record, ctx.base_url)

    def _update(self, operation_id: int, **columns: Any) -> None:
        assignments = ", ".join(f"{k} = ?" for k in columns)
        with self.state.transaction() as conn:
            conn.execute(
                f"UPDATE bulk_operations SET {assignments} WHERE id = ?",  # noqa: S608
                (*columns.values(), operation_id),
            )

    # -- lifecycle -------------------------------------------------------------------------

    def submit(
        self, ctx: RequestContext, schema: GraphQLSchema, query: str, plan: QueryPlan
    ) -> BulkRecord | list[int]:
        """Start an operation, or return the ids of the operations that block it."""
        with self._submit_lock:
            running = [
                r.id
                for r in self.for_app(ctx.token.fingerprint)
                if r.type == "QUERY" and r.status in ACTIVE_STATUSES
            ]
            if len(running) >= ctx.rules.bulk_query_concurrency:
                return sorted(running)
            operation_id = self.state.next_id("bulk_operation")
            with self.state.transaction() as conn:
                conn.execute(
                    "INSERT INTO bulk_operations (id, scope, type, status, query, api_version, "
                    "created_at) VALUES (?, ?, 'QUERY', 'CREATED', ?, ?, ?)",
                    (operation_id, ctx.token.fingerprint, query, ctx.version, now_iso()),
                )
        self._fates[operation_id] = _Fate(
            self.script.take_failure(), self.script.take_expire(), self.script.take_expire_url()
        )
        record = self.get(operation_id)
        assert record is not None
        cancelled = threading.Event()
        self.cancel_flags[operation_id] = cancelled
        worker_ctx = RequestContext(ctx.state, ctx.rules, ctx.token, ctx.shop, ctx.base_url, self)
        thread = threading.Thread(
            target=self._run,
            args=(worker_ctx, schema, plan, operation_id, cancelled),
            name=f"bulk-{operation_id}",
            daemon=True,
        )
        self.threads = [t for t in self.threads if t.is_alive()] + [thread]
        thread.start()
        return record

    def cancel(self, record: BulkRecord) -> BulkRecord:
        """CANCELING now, CANCELED once the worker has stopped (it keeps what it wrote)."""
        with self.state.transaction() as conn:
            conn.execute(
                "UPDATE bulk_operations SET status = 'CANCELING' "
                "WHERE id = ? AND status IN ('CREATED', 'RUNNING')",
                (record.id,),
            )
        flag = self.cancel_flags.get(record.id)
        if flag is not None:
            flag.set()
        with self._hold:
            self._hold.notify_all()
        updated = self.get(record.id)
        assert updated is not None
        return updated

    def hold(self, stage: str | None) -> None:
        """Keep new operations at `stage` (CREATED or RUNNING) until released (for tests)."""
        if stage is not None and stage not in HOLD_STAGES:
            raise ValueError(f"hold must be one of {', '.join(HOLD_STAGES)} or null")
        with self._hold:
            self.hold_stage = stage
            self._hold.notify_all()

    def _wait_while_held(self, stage: str, cancelled: threading.Event) -> None:
        with self._hold:
            while self.hold_stage == stage and not cancelled.is_set():
                self._hold.wait(0.5)

    def _run(
        self,
        ctx: RequestContext,
        schema: GraphQLSchema,
        plan: QueryPlan,
        operation_id: int,
        cancelled: threading.Event,
    ) -> None:
        target = self.directory / f"{operation_id}.jsonl"
        fate = self._fates.pop(operation_id, _Fate())
        # The schemas and the store are long-lived; moved out of the cycle collector's way,
        # its passes stop scanning them for every few thousand objects the export makes
        # (40% of an export's time otherwise). The export itself makes no reference cycles.
        gc.freeze()
        executor: Executor | None = None
        error_code: str | None = None
        try:
            self._wait_while_held("CREATED", cancelled)
            if not cancelled.is_set():
                self._update(operation_id, status="RUNNING")
                self._wait_while_held("RUNNING", cancelled)
            if _denied(plan, ctx):
                raise Failed("ACCESS_DENIED")  # before anything is written, as for a normal query
            self.directory.mkdir(parents=True, exist_ok=True)
            failure = fate.failure
            with target.open("w", encoding="utf-8") as out:
                executor = Executor(
                    out,
                    cancelled,
                    lambda objects, roots: self._update(
                        operation_id, object_count=objects, root_object_count=roots
                    ),
                    ctx,
                    failure=(failure.after_objects, failure.error_code) if failure else None,
                )
                try:
                    executor.run(plan, QueryRoot(ctx, schema))
                finally:
                    executor.flush()
        except Cancelled:
            pass
        except Failed as exc:
            error_code = exc.error_code
        except Exception:  # noqa: BLE001 - any failure is reported as Shopify reports it
            log.exception("bulk operation %s failed", operation_id)
            error_code = "INTERNAL_SERVER_ERROR"
        finally:
            self._finish(operation_id, executor, target, error_code, fate)
            self.cancel_flags.pop(operation_id, None)

    def _finish(
        self,
        operation_id: int,
        executor: Executor | None,
        target: Path,
        error_code: str | None,
        fate: _Fate,
    ) -> None:
        """The terminal status, decided against the stored one (a cancel may have raced)."""
        objects = executor.objects if executor else 0
        columns: dict[str, Any] = {
            "object_count": objects,
            "root_object_count": executor.roots if executor else 0,
        }
        with self.state.transaction() as conn:
            row = conn.execute(
                "SELECT status FROM bulk_operations WHERE id = ?", (operation_id,)
            ).fetchone()
            if row is None:  # the store was reset meanwhile
                return
            if self._stopping and row[0] != "CANCELING":
                return  # shut down, not cancelled: the next start marks it FAILED
            if error_code is not None:
                columns |= {"status": "FAILED", "error_code": error_code, "completed_at": now_iso()}
            elif row[0] == "CANCELING":
                # Captured: CANCELED keeps completedAt and fileSize null but has a url (the
                # sandbox keeps it even when nothing was written yet).
                columns["status"] = "CANCELED"
            else:
                columns |= {"status": "EXPIRED" if fate.expire else "COMPLETED"}
                columns["completed_at"] = now_iso()
                if fate.expire_url:
                    self.expired_urls.add(operation_id)
            if objects == 0 and columns.get("status") != "CANCELED":
                target.unlink(missing_ok=True)  # no data: url / partialDataUrl are null
            columns["path"] = str(target) if target.exists() else None
            if "completed_at" in columns and columns["status"] != "FAILED":
                columns["file_size"] = target.stat().st_size if columns["path"] else None
            assignments = ", ".join(f"{k} = ?" for k in columns)
            conn.execute(
                f"UPDATE bulk_operations SET {assignments} WHERE id = ?",  # noqa: S608
                (*columns.values(), operation_id),
            )

    # -- result files ------------------------------------------------------------------------

    def download(self, operation_id: int, headers: dict[str, str]) -> Download:
        """What ``GET`` of an operation's result URL answers (logged with its credentials)."""
        record = self.get(operation_id)
        gid = ids.gid("BulkOperation", operation_id)
        file = Path(record.path) if record is not None and record.path else None
        if record is not None and (record.status == "EXPIRED" or operation_id in self.expired_urls):
            answer = Download(400, "application/xml; charset=UTF-8", body=EXPIRED_URL_BODY)
        elif file is None or not file.exists():
            message = f"no result file for bulk operation {operation_id}"
            answer = Download(404, "application/json", body=json.dumps({"error": message}).encode())
        else:
            answer = Download(200, "application/jsonl", file=file)
        self.script.record_download(gid, answer.status, headers)
        return answer

    # -- control plane -----------------------------------------------------------------------

    def control(self, spec: dict[str, Any]) -> dict[str, Any]:
        """``POST /__sandbox/bulk``: hold new operations and script outcomes (`bulk_script`)."""
        self.script.configure(spec)
        if "hold" in spec:
            self.hold(spec["hold"])
        return self.describe()

    def describe(self) -> dict[str, Any]:
        return {"hold": self.hold_stage, **self.script.describe()}

    def wait(self, timeout: float | None = None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in list(self.threads):
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(remaining)

    def stop_all(self, timeout: float = 30) -> None:
        """Stop every worker and wait for it (before a reset, a load or a shutdown).

        Stopped operations keep their status: a reset deletes them anyway, and after a
        shutdown the next start marks them FAILED, as they never finished. Scripted outcomes
        and the download log are forgotten.
        """
        self._stopping = True
        try:
            for flag in list(self.cancel_flags.values()):
                flag.set()
            self.hold(None)
            self.wait(timeout)
        finally:
            self._stopping = False
            self.script.clear()
            self._fates.clear()
            self.expired_urls.clear()

    def discard_files(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


# -- resolvers -------------------------------------------------------------------------------


def _runner(info: Info) -> BulkRunner:
    runner = info.context.bulk
    assert isinstance(runner, BulkRunner)
    return runner


def bulkOperationRunQuery(root: Any, info: Info, query: str, **args: Any) -> dict[str, Any]:
    ctx = info.context
    runner = _runner(info)
    from .schema import schema_for

    schema = schema_for(ctx.version)
    plan = compile_query(schema, query)
    if plan.problems:
        errors = [UserError(path("query"), text, "INVALID").as_dict() for text in plan.problems]
        return {"bulkOperation": None, "userErrors": errors}
    codes = schema.get_type("BulkOperationUserErrorCode")
    if (
        isinstance(codes, GraphQLEnumType)
        and "LIMIT_REACHED" in codes.values
        and runner.script.take_limit_reached()
    ):
        error = UserError(None, LIMIT_REACHED, "LIMIT_REACHED")
        return {"bulkOperation": None, "userErrors": [error.as_dict()]}
    started = runner.submit(ctx, schema, query, plan)
    if isinstance(started, list):
        gids = ", ".join(ids.gid("BulkOperation", n) for n in started)
        error = UserError(None, IN_PROGRESS.format(ids=gids), "OPERATION_IN_PROGRESS")
        return {"bulkOperation": None, "userErrors": [error.as_dict()]}
    return {"bulkOperation": BulkOperation(started, ctx.base_url), "userErrors": []}


def _generic(error: UserError) -> dict[str, Any]:
    """BulkOperationCancelPayload.userErrors is the generic UserError: no code."""
    return {
        "field": list(error.field) if error.field is not None else None,
        "message": error.message,
    }


def bulkOperationCancel(root: Any, info: Info, id: str) -> dict[str, Any]:
    ctx = info.context
    runner = _runner(info)
    number = ids.parse(id, "BulkOperation")
    record = runner.get(number) if number is not None else None
    if record is None or record.scope != ctx.token.fingerprint:
        error = UserError(path("id"), CANCEL_UNKNOWN)
        return {"bulkOperation": None, "userErrors": [_generic(error)]}
    if record.status in TERMINAL_STATUSES or record.status == "CANCELING":
        error = UserError(None, CANCEL_FINISHED.format(status=record.status.lower()))
        return {
            "bulkOperation": BulkOperation(record, ctx.base_url),
            "userErrors": [_generic(error)],
        }
    return {"bulkOperation": BulkOperation(runner.cancel(record), ctx.base_url), "userErrors": []}


def bulkOperation(root: Any, info: Info, id: str) -> BulkOperation | None:
    """Another type's gid is RESOURCE_NOT_FOUND; an unknown BulkOperation is null (§2.8)."""
    number = ids.parse(id, "BulkOperation")
    if number is None:
        raise GraphQLError(f"Invalid id: {id}", extensions={"code": "RESOURCE_NOT_FOUND"})
    return _runner(info).node(info.context, number)


def currentBulkOperation(root: Any, info: Info, type: str = "QUERY") -> BulkOperation | None:
    """The app's most recent operation of the type, finished or not (HWN)."""
    ctx = info.context
    for record in _runner(info).for_app(ctx.token.fingerprint):
        if record.type == type:
            return BulkOperation(record, ctx.base_url)
    return None


def _filter(ctx: RequestContext, info: Info, query: str | None) -> Callable[[BulkRecord], bool]:
    """bulkOperations(query:): status, operation_type, created_at and id terms, ANDed."""
    if not query:
        return lambda record: True
    node = parse_search(query)
    terms = []
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if current.term is not None:
            terms.append(current.term)
        stack.extend(current.children)
    checks: list[Callable[[BulkRecord], bool]] = []
    warnings: list[dict[str, str]] = []
    for term in reversed(terms):
        name = (term.field or "").lower()
        value = term.value
        if name in ("status", "operation_type"):
            allowed = FILTER_STATUSES if name == "status" else FILTER_TYPES
            if value.lower() not in allowed:
                warnings.append(
                    {
                        "field": name,
                        "message": f"Input `{value}` is not an accepted value.",
                        "code": "invalid_value",
                    }
                )
                checks.append(lambda record: False)
                continue
            attribute = "status" if name == "status" else "type"
            expected = value.upper()
            checks.append(_equals(attribute, expected, term.negated))
        elif name == "created_at":
            stamp = _timestamp(value)
            if stamp is None:
                raise ConnectionArgumentError(BAD_TIMESTAMP.format(field=name))
            checks.append(_compare_created(term.comparator, stamp))
        elif name == "id":
            number = ids.parse(value, "BulkOperation") if value.startswith("gid:") else None
            if number is None and value.isdigit():
                number = int(value)
            checks.append(_equals("id", number, term.negated))
        else:
            warnings.append(
                {
                    "field": term.field or value,
                    "message": "Invalid search field for this query.",
                    "code": "invalid_field",
                }
            )
    if warnings:
        ctx.search.append({"path": [info.path.key], "query": query, "warnings": warnings})
    return lambda record: all(check(record) for check in checks)


def _equals(attribute: str, expected: Any, negated: bool) -> Callable[[BulkRecord], bool]:
    def check(record: BulkRecord) -> bool:
        return bool(getattr(record, attribute) == expected) != negated

    return check


def _timestamp(value: str) -> str | None:
    from datetime import datetime

    text = value.strip("'\"")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
    from datetime import UTC

    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _compare_created(comparator: str, stamp: str) -> Callable[[BulkRecord], bool]:
    if comparator == "<":
        return lambda record: record.created_at < stamp
    if comparator == "<=":
        return lambda record: record.created_at <= stamp
    if comparator == ">":
        return lambda record: record.created_at > stamp
    if comparator == ">=":
        return lambda record: record.created_at >= stamp
    return lambda record: record.created_at[: len(stamp)] == stamp


def bulkOperations(root: Any, info: Info, **args: Any) -> Connection:
    """The app's operations, newest first for sortKey CREATED_AT (``reverse`` flips)."""
    ctx = info.context
    keep = _filter(ctx, info, args.get("query"))
    records = [r for r in _runner(info).for_app(ctx.token.fingerprint) if keep(r)]
    if args.get("sortKey") == "COMPLETED_AT":
        records.sort(key=lambda r: (r.completed_at or "", r.id), reverse=True)
    rows = [
        ((position, record.id), BulkOperation(record, ctx.base_url))
        for position, record in enumerate(records)
    ]
    return list_connection(rows, args)


QUERIES = {
    "bulkOperation": bulkOperation,
    "bulkOperations": bulkOperations,
    "currentBulkOperation": currentBulkOperation,
}
MUTATIONS = {
    "bulkOperationCancel": bulkOperationCancel,
    "bulkOperationRunQuery": bulkOperationRunQuery,
}
