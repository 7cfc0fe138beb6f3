"""One apply at a time per store: a lock kept in the store itself, as a shop metafield.

Why in the store: CI jobs on different machines share nothing but the shop, and on API
versions without compare-and-set on moves (2025-01, 2025-10) two applies at once move stock
twice. The lock is the shop metafield ``reconciler.apply_lock`` (JSON: lock id, owner, ttl),
taken and renewed with ``metafieldsSet`` and ``compareDigest``, Shopify's compare-and-set for
metafields: ``compareDigest: null`` creates it only if absent; the digest read last replaces it
only if nobody wrote in between (else ``STALE_OBJECT``; ``INVALID_COMPARE_DIGEST`` if it was
deleted meanwhile). Two racing writers cannot both win.

Why shop-owned (a merchant namespace) and not app-owned (``$app``): every apply to the store
must see the lock, whichever app's token it holds (one custom app per CI pipeline or per
person is common). An app-reserved metafield without a definition is private to its app:
another app would read nothing and apply anyway. The cost: any app or staff member can edit
the metafield; it is a lock between cooperating appliers, not a security boundary, and a
merchant can see in the admin who holds it. Scope: ``metafieldsSet`` "requires the same access
level needed to mutate the owner resource", and the Shop needs none, so no scope beyond
reconciler's own (UNVERIFIED on a token with only the inventory scopes; the sandbox serves it
so).

Expiry: a killed job cannot block the store forever. A lock is live while the store's clock
(the HTTP ``Date`` of the read) is before its ``updatedAt`` plus its ttl; both times come from
Shopify, so clock skew between CI machines does not matter. The holder renews it every
ttl/3 from a background thread (its own HTTP session); if it cannot (someone forced the lock,
or the store is unreachable for a whole ttl), it marks the lock lost and the client sends no
further mutation. Release is a compare-and-set write of a ``released`` record, never a
delete: ``metafieldsDelete`` has no compareDigest and could remove a lock another apply took
in between.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from reconciler import __version__
from reconciler.errors import ConfigError, ReconcilerError, StoreError, TransientStoreError
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.deadline import Deadline, describe

NAMESPACE = "reconciler"
KEY = "apply_lock"
DEFAULT_TTL = 300.0
RELEASE_GRACE = 30.0  # seconds a release may take, even past the run's deadline
TTL_ENVIRONMENT = "RECONCILER_LOCK_TTL"
_WRITE = "store_lock_write"
_READ = "store_lock_read"
_RACES = ("STALE_OBJECT", "INVALID_COMPARE_DIGEST")


class LockHeld(ReconcilerError):
    """Another apply holds the store lock (the message names it and how to force it)."""


class LockLost(TransientStoreError):
    """This apply no longer holds the lock: the mutation was not sent."""


def _process_space() -> str | None:
    """Where a pid is meaningful (Linux): the boot id and the pid namespace's inode."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        return f"{boot}:{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:
        return None


def ttl_from_environment() -> float:
    value = os.environ.get(TTL_ENVIRONMENT)
    if not value:
        return DEFAULT_TTL
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 1 <= seconds <= 86400:
        raise ConfigError(f"{TTL_ENVIRONMENT}={value!r}: give seconds between 1 and 86400")
    return seconds


@dataclass(frozen=True)
class Owner:
    """Who holds the lock: enough for a person to find the job and decide."""

    actor: str
    host: str
    pid: int
    ci_run: str | None = None
    commit: str | None = None
    plan_id: str | None = None
    tool: str = f"reconciler {__version__}"
    process_space: str | None = None  # kernel boot + pid namespace: where `pid` means something

    @classmethod
    def here(cls, *, plan_id: str | None = None, commit: str | None = None) -> Owner:
        from reconciler.history import actor

        who = actor()
        return cls(
            actor=who.get("name", "unknown"),
            host=socket.gethostname(),
            pid=os.getpid(),
            ci_run=who.get("run") or None,
            commit=commit,
            plan_id=plan_id,
            process_space=_process_space(),
        )

    def provably_gone(self) -> bool:
        """True only when the holder ran here (same machine, boot and pid namespace) and its
        process no longer exists: a killed apply on this machine."""
        if (self.host, self.process_space) != (socket.gethostname(), _process_space()):
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except (PermissionError, OverflowError, ValueError):
            return False
        return False

    def same_person_and_machine(self, other: Owner) -> bool:
        return (self.actor, self.host) == (other.actor, other.host)

    def describe(self) -> str:
        parts = [self.actor]
        if self.ci_run:
            parts.append(f"CI run {self.ci_run}")
        parts.append(f"host {self.host} (pid {self.pid})")
        if self.commit:
            parts.append(f"commit {self.commit[:12]}")
        if self.plan_id:
            parts.append(f"plan {self.plan_id}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Record:
    """The metafield's value: a held or released lock."""

    id: str
    state: str  # "held" | "released"
    owner: Owner
    ttl_seconds: float
    acquired_at: str
    renewals: int = 0
    renewed_at: str | None = None
    released_by: str | None = None

    def value(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def parse(cls, text: str) -> Record | None:
        """The record in a metafield value; None when it is not one (edited by hand?)."""
        try:
            data = json.loads(text)
            owner = Owner(**_known(Owner, data["owner"]))
            return cls(**{**_known(cls, data), "owner": owner})
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def _known(kind: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Only the fields `kind` has: a newer reconciler may write more."""
    names = {f.name for f in fields(kind)}
    return {k: v for k, v in data.items() if k in names}


@dataclass
class Observed:
    """The lock as read: its record (None if absent or unreadable), digest and timing."""

    shop_id: str
    record: Record | None
    digest: str | None
    raw: str | None
    updated_at: datetime | None
    now: datetime

    @property
    def exists(self) -> bool:
        return self.digest is not None

    @property
    def lock_id(self) -> str | None:
        if self.record is not None:
            return self.record.id
        return self.digest[:16] if self.digest else None

    def expires_in(self) -> float:
        """Seconds until a held lock lapses (≤ 0: lapsed), on the store's clock."""
        if not self.exists or (self.record is not None and self.record.state == "released"):
            return 0.0
        ttl = self.record.ttl_seconds if self.record else DEFAULT_TTL
        updated = self.updated_at or self.now
        return (updated + timedelta(seconds=ttl) - self.now).total_seconds()

    @property
    def live(self) -> bool:
        return self.expires_in() > 0

    def held_message(self, action: str = "apply") -> str:
        lock_id = self.lock_id
        holder = (
            self.record.owner.describe()
            if self.record
            else "an unreadable lock record (edited by hand?)"
        )
        since = self.record.acquired_at if self.record else "?"
        return (
            f"cannot {action}: the store is locked by another apply: lock {lock_id}, held by "
            f"{holder}, since {since}; it expires in {describe(self.expires_in())} unless its "
            "holder renews it. Wait for that apply to finish; if it is dead (a killed job), "
            f"wait for the lock to expire or run `reconciler force-unlock {lock_id}`."
        )


def _taken_over(seen: Observed, takeover: str | None) -> bool:
    return (
        takeover is not None
        and seen.lock_id == takeover
        and seen.record is not None
        and seen.record.owner.provably_gone()
    )


def read(client: ShopifyClient) -> Observed:
    response = client.query(_READ, {"namespace": NAMESPACE, "key": KEY})
    shop = response.data.get("shop") or {}
    found = shop.get("metafield")
    now = response.served_at or datetime.now(UTC)
    if not found:
        return Observed(str(shop.get("id") or ""), None, None, None, None, now)
    updated = _parse_time(found.get("updatedAt"))
    raw = str(found.get("value") or "")
    return Observed(
        str(shop.get("id") or ""),
        Record.parse(raw),
        str(found.get("compareDigest")),
        raw,
        updated,
        now,
    )


def _parse_time(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def _now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write(client: ShopifyClient, shop_id: str, record: Record, digest: str | None) -> str | None:
    """Compare-and-set the lock; its new digest, or None when another writer got there first."""
    response = client.mutate(
        _WRITE,
        {
            "metafields": [
                {
                    "ownerId": shop_id,
                    "namespace": NAMESPACE,
                    "key": KEY,
                    "type": "json",
                    "value": record.value(),
                    "compareDigest": digest,
                }
            ]
        },
        # A lost answer is safe to re-send: if the first write applied, the same value
        # "changes nothing" and is accepted; if another writer came between, it is refused.
        idempotent=True,
    )
    payload = response.data.get("metafieldsSet") or {}
    errors = payload.get("userErrors") or []
    if any(e.get("code") in _RACES for e in errors):
        return None
    if errors or not payload.get("metafields"):
        detail = "; ".join(str(e.get("message")) for e in errors) or str(response.errors)
        raise StoreError(f"could not write the store lock ({NAMESPACE}.{KEY}): {detail}")
    return str(payload["metafields"][0]["compareDigest"])


class StoreLock:
    """The lock held by this apply: acquire, keep renewed, release."""

    def __init__(self, client: ShopifyClient, owner: Owner, ttl: float = DEFAULT_TTL) -> None:
        self.client = client
        self.owner = owner
        self.ttl = ttl
        self.record: Record | None = None
        self.lost: str | None = None
        self._digest: str | None = None
        self._shop_id = ""
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self._renewed_at = time.monotonic()

    def acquire(self, attempts: int = 5, *, takeover: str | None = None) -> Record:
        """Take the lock, or raise LockHeld naming its holder. Races are retried.

        `takeover`: the lock id an interrupted apply recorded in its journal; resuming may
        take that lock over at once if its holder provably died on this machine (else it
        waits for expiry like anyone else: a process elsewhere may still be running).
        """
        for _ in range(attempts):
            seen = read(self.client)
            if seen.live and not _taken_over(seen, takeover):
                message = seen.held_message()
                if takeover is not None and seen.lock_id == takeover:
                    message += (
                        " (It is the interrupted apply's own lock; its process may still be "
                        "running on another machine.)"
                    )
                raise LockHeld(message)
            record = Record(
                id=uuid.uuid4().hex[:16],
                state="held",
                owner=self.owner,
                ttl_seconds=self.ttl,
                acquired_at=_now_text(),
            )
            digest = write(self.client, seen.shop_id, record, seen.digest)
            if digest is not None:
                self.record, self._digest, self._shop_id = record, digest, seen.shop_id
                self._renewed_at = time.monotonic()
                if seen.live:
                    self.client.progress.note(
                        f"took over the store lock {seen.lock_id} of the interrupted apply "
                        "(its process is gone)"
                    )
                return record
        raise LockHeld(read(self.client).held_message())

    def renew(self, client: ShopifyClient | None = None) -> None:
        """Push the expiry out by a ttl; a refusal means the lock was taken from us."""
        with self._mutex:
            if self.record is None or self.lost:
                return
            renewed = replace(
                self.record, renewals=self.record.renewals + 1, renewed_at=_now_text()
            )
            digest = write(client or self.client, self._shop_id, renewed, self._digest)
            if digest is None:
                self.lost = "another apply or `reconciler force-unlock` took the store lock"
                return
            self.record, self._digest = renewed, digest
            self._renewed_at = time.monotonic()

    def release(self) -> None:
        """Mark the lock released (compare-and-set: never releases a lock someone else took)."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        with self._mutex:
            if self.record is None or self.lost:
                return
            # Its own short deadline: a run stopped by its deadline must still free the store
            # rather than block it for a whole ttl.
            cleanup = self.client.fork()
            cleanup.deadline, cleanup.guard = Deadline(RELEASE_GRACE, "releasing the lock"), None
            with cleanup:
                write(cleanup, self._shop_id, replace(self.record, state="released"), self._digest)
            self.record = None

    def guard(self, operation: str) -> None:
        """The client calls this before every mutation: no writes without the lock."""
        if operation == "StoreLockWrite":
            return
        if self.lost is None and time.monotonic() - self._renewed_at > self.ttl:
            self.lost = f"the store lock could not be renewed for {describe(self.ttl)}"
        if self.lost:
            raise LockLost(f"{operation} not sent: {self.lost}; nothing more will be written")

    def keep_renewed(self) -> None:
        """Renew every ttl/3 from a thread with its own HTTP session until released."""
        renewer = self.client.fork()
        renewer.guard = None

        def loop() -> None:
            with renewer:
                while not self._stop.wait(self.ttl / 3) and not self.lost:
                    try:
                        self.renew(renewer)
                    except ReconcilerError:
                        continue  # unreachable for now: `guard` notices after a whole ttl

        self._renewer = threading.Thread(target=loop, name="store-lock-renewer", daemon=True)
        self._renewer.start()


@contextmanager
def held(
    client: ShopifyClient,
    owner: Owner,
    ttl: float | None = None,
    *,
    takeover: str | None = None,
) -> Iterator[StoreLock]:
    """Hold the store lock for the block: acquired, renewed, and released at the end."""
    lock = StoreLock(client, owner, ttl if ttl is not None else ttl_from_environment())
    lock.acquire(takeover=takeover)
    previous = client.guard
    client.guard = lock.guard
    lock.keep_renewed()
    try:
        yield lock
    finally:
        client.guard = previous
        try:
            lock.release()
        except ReconcilerError as exc:
            client.progress.note(f"could not release the store lock: {exc}")


def force_unlock(client: ShopifyClient, lock_id: str, by: Owner) -> Observed:
    """Release the lock with this id whoever holds it (compare-and-set on what was read)."""
    seen = read(client)
    if not seen.exists or (seen.record is not None and seen.record.state == "released"):
        raise ConfigError(f"the store is not locked (no lock {lock_id} to release)")
    if seen.lock_id != lock_id:
        raise ConfigError(
            f"lock {lock_id} is not the store's lock: the store is locked by lock "
            f"{seen.lock_id} ({seen.record.owner.describe() if seen.record else 'unreadable'})"
            "; check the id and run again"
        )
    _release_observed(client, seen, by)
    return seen


def unlock(client: ShopifyClient, by: Owner) -> Observed:
    """Release a lock this person took on this machine (e.g. after Ctrl-C or a crash)."""
    seen = read(client)
    if not seen.exists or (seen.record is not None and seen.record.state == "released"):
        raise ConfigError("the store is not locked")
    if seen.record is None or not seen.record.owner.same_person_and_machine(by):
        raise LockHeld(
            seen.held_message("unlock")
            + " `reconciler unlock` only releases your own lock (same user and machine)."
        )
    _release_observed(client, seen, by)
    return seen


def _release_observed(client: ShopifyClient, seen: Observed, by: Owner) -> None:
    record = seen.record or Record(
        id=seen.lock_id or "unknown",
        state="held",
        owner=by,
        ttl_seconds=DEFAULT_TTL,
        acquired_at=_now_text(),
    )
    released = replace(record, state="released", released_by=by.describe())
    if write(client, seen.shop_id, released, seen.digest) is None:
        raise ConfigError("the store lock changed while releasing it; look again and retry")


def recorded_in(journal: Path) -> str | None:
    """The id of the last lock an apply recorded in its journal (``"lock"`` events)."""
    found = None
    try:
        lines = journal.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for line in lines:
        if '"lock"' not in line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("event") == "lock":
            found = str(record.get("lock_id"))
    return found
