"""The apply journal: append-only JSON lines, on disk before each call and after each answer.

A crash (or a kill) at any point leaves a journal that says exactly which batches were sent,
which were answered and how. ``reconciler apply --resume JOURNAL`` reads it back: answered
batches are done, a batch sent but never answered is resolved (re-sent under the same
idempotency key from 2026-01, or decided by re-reading the store on 2025-01), the rest runs.
The journal holds the whole plan, so resuming needs nothing else. It never holds a token.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.errors import ConfigError
from reconciler.plan.planfile import Plan
from reconciler.secrets import redact

from .batches import build_batches
from .settle import derived_from, expectations

DEFAULT_DIRECTORY = Path(".reconciler") / "journal"


class Journal:
    """Writes records as one JSON line each, flushed and fsynced before returning.

    Thread-safe: the workers of a concurrent apply journal their own batches; a lock keeps
    each record one whole line.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("a", encoding="utf-8")
        self._lock = threading.Lock()

    def write(self, event: str, **fields: Any) -> None:
        line = redact(json.dumps({"event": event, **fields}, sort_keys=True))
        with self._lock:
            self._file.write(line + "\n")  # no secret reaches the disk (secrets.py)
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()


RESULT_STATUSES = frozenset({"applied", "failed", "not_attempted"})


KINDS = frozenset({"update_item", "activate", "move", "set", "deactivate"})


@dataclass
class JournalState:
    """What a journal says happened so far."""

    plan: dict[str, Any]
    results: dict[int, dict[str, Any]] = field(default_factory=dict)  # action id → result
    # sent, never answered: each call's last ``send`` record, checked (action_ids as ints; the
    # key it last went out under; sent_at, seconds since the epoch, and expect, each level's
    # values before and after the call (settle.py), None in journals older than them)
    in_flight: list[dict[str, Any]] = field(default_factory=list)
    finished: bool = False


class _NotAJournal(ValueError):
    pass


def read(path: Path) -> JournalState:
    """Replay a journal file; a torn last line (crash mid-write) is ignored. Anything that is
    not a journal this version wrote is refused with where (ConfigError), never a crash."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read journal {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a reconciler apply journal (not UTF-8 text)") from None
    lines = text.splitlines()
    records: list[tuple[int, Any]] = []
    for number, line in enumerate(lines, start=1):
        try:
            records.append((number, json.loads(line)))
        except RecursionError:
            raise ConfigError(
                f"{path}:{number}: not a journal record (nested too deeply)"
            ) from None
        except ValueError:
            if number != len(lines):
                raise ConfigError(f"{path}:{number}: the journal is corrupt") from None
    if not records or not _is_plan_record(records[0][1]):
        raise ConfigError(f"{path}: not a reconciler apply journal")
    state = JournalState(plan=records[0][1]["plan"])
    sent: dict[str, dict[str, Any]] = {}
    for number, record in records[1:]:
        try:
            _replay(record, state, sent)
        except (_NotAJournal, KeyError, TypeError, ValueError) as exc:
            detail = f": {exc}" if isinstance(exc, _NotAJournal) else ""
            raise ConfigError(f"{path}:{number}: not a journal record{detail}") from None
    # A batch is in flight while some of its actions have no decided result (a later run
    # may have settled it under another label).
    state.in_flight = [
        record
        for record in sent.values()
        if any(i not in state.results for i in record["action_ids"])
    ]
    return state


def check_ids(state: JournalState, actions: int, path: Path) -> None:
    """Every action id the journal names belongs to its plan (1..actions)."""
    named = {*state.results, *(i for record in state.in_flight for i in record["action_ids"])}
    wrong = sorted(i for i in named if i > actions)
    if wrong:
        raise ConfigError(
            f"{path}: not a journal of its plan: action {wrong[0]} of a plan of {actions}"
        )


def check_in_flight(state: JournalState, plan: Plan, path: Path) -> None:
    """Each call the journal left in flight is one its plan makes, with the expectations its
    plan gives: resuming re-sends it as journaled and settles it by them, so an edited journal
    must not send anything the plan does not, nor decide a call against other values."""
    for record in state.in_flight:
        ids = sorted(record["action_ids"])
        rebuilt = build_batches(
            [(i, plan.actions[i - 1]) for i in ids],
            plan_id=plan.plan_id,
            api_version=plan.api_version,
            reference_uri=plan.reference_document_uri,
        )
        key = record["idempotency_key"]
        expect = record["expect"]
        planned = [e.as_json() for e in expectations([plan.actions[i - 1] for i in ids])]
        same = (
            len(rebuilt) == 1
            and rebuilt[0].kind.value == record["kind"]
            and rebuilt[0].document == record["document"]
            and list(rebuilt[0].action_ids) == record["action_ids"]
            and _canonical(rebuilt[0].variables) == _canonical(record["variables"])
            and (
                (key is None) == (rebuilt[0].idempotency_key is None)
                and (key is None or derived_from(key, str(rebuilt[0].idempotency_key)))
            )
            and (expect is None or _canonical(expect) == _canonical(planned))
        )
        if not same:
            raise ConfigError(
                f"{path}: call {record['batch']} in flight is not what its plan sends for "
                f"actions {', '.join(map(str, ids[:5]))} (was the journal edited?); nothing was sent"
            )


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _is_plan_record(record: Any) -> bool:
    return (
        isinstance(record, dict)
        and record.get("event") == "plan"
        and isinstance(record.get("plan"), dict)
    )


def _replay(record: Any, state: JournalState, sent: dict[str, dict[str, Any]]) -> None:
    if not isinstance(record, dict) or not isinstance(record.get("event"), str):
        raise _NotAJournal("no event")
    event = record["event"]
    if event == "send":
        sent[_text(record["batch"])] = _in_flight(record)
    elif event == "result":
        actions = record["actions"]
        if not isinstance(actions, dict):
            raise _NotAJournal("actions is not an object")
        results = {_action_id(k): _result(v) for k, v in actions.items()}
        if any(r.get("code") == "OUTCOME_UNKNOWN" for r in results.values()):
            return  # still in flight: resuming re-sends it under the same key
        sent.pop(_text(record["batch"]), None)
        state.results.update(results)
    elif event == "finish":
        state.finished = True


def _in_flight(record: dict[str, Any]) -> dict[str, Any]:
    """A ``send`` record, checked: what resuming needs from it is there and well typed."""
    ids = record["action_ids"]
    if not isinstance(ids, list) or not ids:
        raise _NotAJournal("action_ids is not a list of action ids")
    key = record.get("idempotency_key")
    sent_at = record.get("sent_at")
    expect = record.get("expect")
    if sent_at is not None and (type(sent_at) not in (int, float) or sent_at != sent_at):
        raise _NotAJournal("sent_at is not a time")
    if expect is not None and not (
        isinstance(expect, list) and all(isinstance(e, dict) for e in expect)
    ):
        raise _NotAJournal("expect is not a list of levels")
    if record["kind"] not in KINDS or not isinstance(record["variables"], dict):
        raise _NotAJournal("a call of no known kind")
    return {
        **record,
        "batch": _text(record["batch"]),
        "document": _text(record["document"]),
        "action_ids": [_action_id(i) for i in ids],
        "idempotency_key": None if key is None else _text(key),
        "sent_at": None if sent_at is None else float(sent_at),
        "expect": expect,
    }


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise _NotAJournal(f"{value!r} is not a name")
    return value


def _action_id(value: Any) -> int:
    number = value if type(value) is int else int(_text(value)) if str(value).isdigit() else 0
    if number < 1:
        raise _NotAJournal(f"{value!r} is not an action id")
    return number


def _result(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or value.get("status") not in RESULT_STATUSES:
        raise _NotAJournal("a result without a known status")
    for name in ("message", "code", "adjustment_group"):
        if value.get(name) is not None and not isinstance(value[name], str):
            raise _NotAJournal(f"a result's {name} is not text")
    return value
