"""``@idempotent(key:)``: a retried mutation is applied once and answered with the first result.

Per app (token) and key, Shopify remembers the operation and its parameters (facts §7):
the same key with the same parameters returns the original result without applying again; with
other parameters it is refused (IDEMPOTENCY_KEY_PARAMETER_MISMATCH); while the first attempt is
still running a retry gets IDEMPOTENCY_CONCURRENT_REQUEST; after an attempt that broke while
applying (an internal error, or a process that died), IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED. An
attempt answered with userErrors changed nothing and releases its key. The claim is committed
before the mutation runs, and the result is stored in the mutation's own transaction, so a
crash in between leaves an attempt that later counts as failed, never a half-applied one.
UNVERIFIED: the retention window (24 h per a secondary source); configurable here.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from . import user_errors as msg
from .state import State
from .user_errors import UserError

DEFAULT_RETENTION_SECONDS = 24 * 3600
# An attempt still "in progress" after this long died with its process: it failed.
ABANDONED_AFTER_SECONDS = 120


@dataclass(frozen=True, slots=True)
class Claim:
    """The answer to "may this request run?": yes (both None), replay, or a refusal."""

    replay: dict[str, Any] | None = None
    refusal: UserError | None = None


def fingerprint(operation: str, arguments: dict[str, Any]) -> str:
    canonical = json.dumps([operation, arguments], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def claim(
    state: State,
    scope: str,
    key: str,
    operation: str,
    print_: str,
    retention: float = DEFAULT_RETENTION_SECONDS,
) -> Claim:
    now = time.time()
    with state.transaction() as conn:
        row = conn.execute(
            "SELECT operation, fingerprint, status, result, created_at FROM idempotency "
            "WHERE scope = ? AND key = ?",
            (scope, key),
        ).fetchone()
        if row is not None and now - row[4] > retention:
            row = None  # expired: the key is new again
        if row is None:
            conn.execute(
                "INSERT OR REPLACE INTO idempotency "
                "(scope, key, operation, fingerprint, status, result, created_at) "
                "VALUES (?, ?, ?, ?, 'in_progress', NULL, ?)",
                (scope, key, operation, print_, now),
            )
            return Claim()
        stored_operation, stored_print, status, result, created_at = row
        if stored_operation != operation or stored_print != print_:
            return Claim(
                refusal=UserError(
                    None, msg.IDEMPOTENCY_MISMATCH, "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
                )
            )
        if status == "in_progress" and now - created_at > ABANDONED_AFTER_SECONDS:
            status = "failed"
        if status == "in_progress":
            return Claim(
                refusal=UserError(
                    None, msg.IDEMPOTENCY_CONCURRENT, "IDEMPOTENCY_CONCURRENT_REQUEST"
                )
            )
        if status == "failed":
            return Claim(
                refusal=UserError(
                    None, msg.IDEMPOTENCY_PREVIOUS_FAILED, "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"
                )
            )
        return Claim(replay=json.loads(result))


def complete(state: State, scope: str, key: str, result: dict[str, Any]) -> None:
    """Store the outcome; call inside the mutation's transaction so both land or neither."""
    with state.transaction() as conn:
        conn.execute(
            "UPDATE idempotency SET status = 'done', result = ? WHERE scope = ? AND key = ?",
            (json.dumps(result), scope, key),
        )


def release(state: State, scope: str, key: str) -> None:
    """Forget the claim: a request refused at validation (userErrors) does not use its key up.

    Shopify keeps a key only for an attempt that did something or broke while doing it; a
    refused request can be corrected and sent again under the same key (third-party live
    notes, docs/shopify-captures.md §4). Call inside the mutation's transaction.
    """
    with state.transaction() as conn:
        conn.execute("DELETE FROM idempotency WHERE scope = ? AND key = ?", (scope, key))


def fail(state: State, scope: str, key: str) -> None:
    with state.transaction() as conn:
        conn.execute(
            "UPDATE idempotency SET status = 'failed' WHERE scope = ? AND key = ?", (scope, key)
        )
