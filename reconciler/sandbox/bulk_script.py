"""What the control plane asks of the next bulk operations: the outcomes Shopify can produce
but a healthy local store never would (for tests and demos).

``POST /__sandbox/bulk`` takes any of these keys (each optional; ``null`` clears one):

``hold``          ``"CREATED" | "RUNNING"``: keep new operations at that status until released
``fail``          ``{"errorCode", "afterObjects": 0, "times": 1}``: the next operations fail
                  with that code (ACCESS_DENIED, INTERNAL_SERVER_ERROR, TIMEOUT) after writing
                  `afterObjects` objects; what they wrote is at ``partialDataUrl``
``expire``        N: the next N operations end EXPIRED (the status Shopify gives an operation
                  whose result URL has expired) instead of COMPLETED
``expireUrl``     N: the next N completed operations get a result URL that answers as an
                  expired signed URL does (HTTP 400, ``ExpiredToken``), as if it ran out
                  between the poll and the download
``limitReached``  N: the next N ``bulkOperationRunQuery`` calls answer LIMIT_REACHED (only
                  on versions whose enum has it, 2026-01+; older versions are not counted)

``GET /__sandbox/bulk`` shows what is pending and every result download so far, with whether
it carried credentials (an access token, ``Authorization`` or a cookie): Shopify's result
URLs are on another host, so a client must never send them its token.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

ERROR_CODES = ("ACCESS_DENIED", "INTERNAL_SERVER_ERROR", "TIMEOUT")
HOLD_STAGES = ("CREATED", "RUNNING")
KEYS = ("hold", "fail", "expire", "expireUrl", "limitReached")
CREDENTIAL_HEADERS = ("x-shopify-access-token", "authorization", "cookie")


class ScriptError(ValueError):
    """A control-plane request the script cannot take (answered 400)."""


@dataclass(frozen=True)
class Failure:
    error_code: str
    after_objects: int


def _count(value: Any, key: str) -> int:
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ScriptError(f"{key} must be a non-negative integer or null")
    return value


def _failure(spec: Any) -> tuple[Failure, int]:
    if not isinstance(spec, dict):
        raise ScriptError('fail must be {"errorCode", "afterObjects", "times"} or null')
    unknown = sorted(set(spec) - {"errorCode", "afterObjects", "times"})
    if unknown:
        raise ScriptError(f"unknown fail field(s) {', '.join(unknown)}")
    code = spec.get("errorCode")
    if code not in ERROR_CODES:
        raise ScriptError(f"fail.errorCode must be one of {', '.join(ERROR_CODES)}")
    after = _count(spec.get("afterObjects", 0), "fail.afterObjects")
    return Failure(code, after), _count(spec.get("times", 1), "fail.times")


class BulkScript:
    """Pending scripted outcomes, taken one per operation, and the download log."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.failures: deque[Failure] = deque()
        self.expire = 0
        self.expire_url = 0
        self.limit_reached = 0
        self.downloads: list[dict[str, Any]] = []

    def configure(self, spec: dict[str, Any]) -> None:
        """Apply a control request (its keys other than ``hold``, which the runner keeps)."""
        unknown = sorted(set(spec) - set(KEYS))
        if unknown or not spec:
            found = f"unknown field(s) {', '.join(unknown)}; " if unknown else ""
            raise ScriptError(f"{found}expected one or more of {', '.join(KEYS)}")
        hold = spec.get("hold")
        if hold is not None and hold not in HOLD_STAGES:
            raise ScriptError(f"hold must be one of {', '.join(HOLD_STAGES)} or null")
        failures: deque[Failure] | None = None
        if "fail" in spec:
            failures = deque()
            if spec["fail"] is not None:
                failure, times = _failure(spec["fail"])
                failures.extend([failure] * times)
        counts = {
            k: _count(spec[k], k) for k in ("expire", "expireUrl", "limitReached") if k in spec
        }
        with self._lock:
            if failures is not None:
                self.failures = failures
            self.expire = counts.get("expire", self.expire)
            self.expire_url = counts.get("expireUrl", self.expire_url)
            self.limit_reached = counts.get("limitReached", self.limit_reached)

    def take_failure(self) -> Failure | None:
        with self._lock:
            return self.failures.popleft() if self.failures else None

    def take_limit_reached(self) -> bool:
        with self._lock:
            if self.limit_reached:
                self.limit_reached -= 1
                return True
            return False

    def take_expire(self) -> bool:
        with self._lock:
            if self.expire:
                self.expire -= 1
                return True
            return False

    def take_expire_url(self) -> bool:
        with self._lock:
            if self.expire_url:
                self.expire_url -= 1
                return True
            return False

    def record_download(self, gid: str, status: int, headers: dict[str, str]) -> None:
        names = {name.lower() for name in headers}
        with self._lock:
            self.downloads.append(
                {
                    "operation": gid,
                    "status": status,
                    "credentials": sorted(n for n in CREDENTIAL_HEADERS if n in names),
                }
            )

    def clear(self) -> None:
        with self._lock:
            self.failures.clear()
            self.expire = self.expire_url = self.limit_reached = 0
            self.downloads.clear()

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "fail": [
                    {"errorCode": f.error_code, "afterObjects": f.after_objects}
                    for f in self.failures
                ],
                "expire": self.expire,
                "expireUrl": self.expire_url,
                "limitReached": self.limit_reached,
                "downloads": list(self.downloads),
            }
