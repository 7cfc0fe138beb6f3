"""Shopify's API version calendar: which versions are supported on a given day, and what serves
a request for a version that is not.

Shopify releases a stable version every quarter, on the first day of January, April, July and
October, and supports each one for 12 months (facts §12, https://shopify.dev/docs/api/usage/versioning).
A request naming a version that has left support is answered by the oldest supported version
("falls forward"), and so is a URL without a version; ``X-Shopify-API-Version`` says which one
answered. On 2026-12-02 the supported versions are 2026-01, 2026-04, 2026-07 and 2026-10, so
2025-01 and 2025-10 fall forward to 2026-01.

The sandbox computes this from its *date*: the system clock's UTC date unless a date is set
(``Sandbox(today=…)``, ``reconciler sandbox serve --today``, ``POST /__sandbox/calendar``).
Choices where Shopify is silent or the sandbox is coarser, pinned in tests/sandbox/test_calendar.py:

* Days, not hours: a version is released at the start of its first day (Shopify: 17:00 UTC)
  and leaves support at the start of the same day a year later.
* A version released after the sandbox's date does not exist yet: 404, like a malformed one
  (Shopify's release candidates are not carried).
* A supported version the sandbox carries no schema for is served by the next version it
  carries (e.g. 2025-04 on 2025-06-01 by 2025-10), or by its newest one when the date is past
  everything it carries; the header says which.

``serve_retired`` names retired versions the sandbox still serves as themselves. Shopify never
does this — a shop cannot be pinned to a version that left support, a request for it is answered
by the oldest supported version for every app — so it exists for one purpose: tests of a retired
version's behaviour (the project's 2025-01 compare-and-set path, say). Rehearsing against a
real shop means rehearsing on a supported version.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from .versions import LATEST_VERSION, VERSIONS

SUPPORT_MONTHS = 12
_VERSION_RE = re.compile(r"^(\d{4})-(01|04|07|10)$")


def release_date(version: str) -> date:
    """The day a stable version is released: ``2026-04`` → 2026-04-01."""
    year, month = version.split("-")
    return date(int(year), int(month), 1)


def end_of_support(version: str) -> date:
    """The first day a stable version is no longer supported (12 months after its release)."""
    released = release_date(version)
    return date(released.year + SUPPORT_MONTHS // 12, released.month, 1)


def is_supported(version: str, on: date) -> bool:
    return release_date(version) <= on < end_of_support(version)


def parse_day(value: Any) -> date:
    """A ``YYYY-MM-DD`` text (or a date) as a date; ValueError with the expected form."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}")


def check_versions(values: Iterable[str]) -> frozenset[str]:
    """Versions named by a caller, each one the sandbox carries (``all`` means every one)."""
    chosen: set[str] = set()
    for value in values:
        if value == "all":
            chosen.update(VERSIONS)
        elif value in VERSIONS:
            chosen.add(value)
        else:
            raise ValueError(
                f"unknown API version {value!r}; the sandbox carries {', '.join(VERSIONS)}"
            )
    return frozenset(chosen)


@dataclass(frozen=True, slots=True)
class Calendar:
    """The sandbox's date and what it makes of a requested version."""

    today: date | None = None  # None: the system clock's UTC date, read at each request
    serve_retired: frozenset[str] = frozenset()

    def day(self) -> date:
        return self.today if self.today is not None else datetime.now(UTC).date()

    def supported(self) -> tuple[str, ...]:
        """Carried versions in Shopify's support window on the sandbox's date, oldest first."""
        on = self.day()
        return tuple(v for v in VERSIONS if is_supported(v, on))

    def served(self) -> tuple[str, ...]:
        """Carried versions answered as themselves: the supported ones and `serve_retired`."""
        on = self.day()
        return tuple(
            v
            for v in VERSIONS
            if release_date(v) <= on and (is_supported(v, on) or v in self.serve_retired)
        )

    def _released(self) -> list[str]:
        on = self.day()
        return [v for v in VERSIONS if release_date(v) <= on]

    def oldest_supported(self) -> str | None:
        """The carried version that answers unsupported versions and version-less URLs.

        The oldest version Shopify supports may be one the sandbox does not carry: the next
        carried one stands in for it, or the newest carried one once the date is past them all.
        """
        on = self.day()
        released = self._released()
        return next(
            (v for v in released if end_of_support(v) > on), released[-1] if released else None
        )

    def resolve(self, requested: str) -> str | None:
        """The carried version that answers a request for `requested`; None means 404.

        ``""`` (no version in the URL) and retired versions get the oldest supported one;
        ``unstable`` the newest carried one; a version not released yet, or not a version
        at all, nothing.
        """
        if requested == "":
            return self.oldest_supported()
        if requested == "unstable":
            return LATEST_VERSION
        if not _VERSION_RE.match(requested):
            return None
        on = self.day()
        if release_date(requested) > on:
            return None  # not released yet
        if requested in self.serve_retired:
            return requested
        if not is_supported(requested, on):
            return self.oldest_supported()
        released = self._released()
        return next((v for v in released if v >= requested), released[-1] if released else None)

    def as_dict(self) -> dict[str, Any]:
        """What the control plane reports: the date, and how each carried version is served."""
        return {
            "today": self.day().isoformat(),
            "clock": self.today is None,
            "supported": list(self.supported()),
            "serveRetired": sorted(self.serve_retired),
            "served": {v: self.resolve(v) for v in VERSIONS},
            "versionless": self.oldest_supported(),
        }


class CalendarSetting:
    """The sandbox's calendar, changeable through the control plane and restored by reset."""

    def __init__(self, initial: Calendar) -> None:
        self.initial = initial
        self.current = initial
        self._lock = threading.Lock()

    def update(self, spec: dict[str, Any]) -> Calendar:
        """Apply ``{"today": "YYYY-MM-DD" | null, "serveRetired": [...]}``; omitted keys stay."""
        unknown = sorted(set(spec) - {"today", "serveRetired"})
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown)}; expected today, serveRetired")
        with self._lock:
            today = self.current.today
            if "today" in spec:
                today = None if spec["today"] is None else parse_day(spec["today"])
            retired = self.current.serve_retired
            if "serveRetired" in spec:
                names = spec["serveRetired"]
                if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                    raise ValueError('serveRetired must be a list of versions, e.g. ["2025-01"]')
                retired = check_versions(names)
            self.current = Calendar(today, retired)
            return self.current

    def restore(self) -> None:
        with self._lock:
            self.current = self.initial
