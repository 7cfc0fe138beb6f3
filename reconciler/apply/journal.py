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
from reconciler.secrets import redact

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


@dataclass
class JournalState:
    """What a journal says happened so far."""

    plan: dict[str, Any]
    results: dict[int, dict[str, Any]] = field(default_factory=dict)  # action id → result
    in_flight: list[dict[str, Any]] = field(default_factory=list)  # sent, never answered
    finished: bool = False


def read(path: Path) -> JournalState:
    """Replay a journal file; a torn last line (crash mid-write) is ignored."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read journal {path}: {exc.strerror}") from None
    records = []
    for number, line in enumerate(lines, start=1):
        try:
            records.append(json.loads(line))
        except ValueError:
            if number != len(lines):
                raise ConfigError(f"{path}:{number}: the journal is corrupt") from None
    if not records or records[0].get("event") != "plan":
        raise ConfigError(f"{path}: not a reconciler apply journal")
    state = JournalState(plan=records[0]["plan"])
    sent: dict[str, dict[str, Any]] = {}
    for record in records[1:]:
        event = record.get("event")
        if event == "send":
            sent[record["batch"]] = record
        elif event == "result":
            unknown = any(r.get("code") == "OUTCOME_UNKNOWN" for r in record["actions"].values())
            if unknown:
                continue  # still in flight: resuming re-sends it under the same key
            sent.pop(record["batch"], None)
            for action_id, result in record["actions"].items():
                state.results[int(action_id)] = result
        elif event == "finish":
            state.finished = True
    # A batch is in flight while some of its actions have no decided result (a later run
    # may have settled it under another label).
    state.in_flight = [
        record
        for record in sent.values()
        if any(int(i) not in state.results for i in record["action_ids"])
    ]
    return state
