"""One overall deadline per run: no wait, retry or request may carry a run past it.

A CI job must end with a clear message, not hang. The deadline is set once per run, from (in
order) ``--deadline``, ``RECONCILER_DEADLINE``, ``deadline:`` in reconciler.yaml, else
`DEFAULT_SECONDS`; every client of the run shares it. A wait that would pass it fails at
once (`DeadlineExceeded`, nothing sent), and each request's timeouts are clipped to what is
left. An apply stopped by the deadline leaves a journal: ``--resume`` finishes it.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable

from reconciler.errors import ConfigError, TransientStoreError

DEFAULT_SECONDS = 3600.0
ENVIRONMENT = "RECONCILER_DEADLINE"
_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?$")


class DeadlineExceeded(TransientStoreError):
    """The run's deadline passed (or a wait would pass it): the request was not sent."""


def parse_duration(text: str, origin: str) -> float:
    """``90``, ``90s``, ``15m``, ``1h30m``, ``2h`` → seconds; anything else is refused."""
    cleaned = str(text).strip().lower().replace(" ", "")
    match = _DURATION.match(cleaned)
    if not cleaned or match is None or not any(match.groups()):
        raise ConfigError(
            f"{origin}: {text!r} is not a duration; write seconds (900) or a duration such as "
            "15m, 1h or 1h30m"
        )
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0 or not math.isfinite(total):
        raise ConfigError(f"{origin}: the deadline must be more than 0 seconds")
    return total


def describe(seconds: float) -> str:
    """A duration as people read it: 45 s, 12m05s, 1h02m."""
    if seconds < 60:
        return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class Deadline:
    """A point in time the run must not pass: `seconds` after `started` (default: now)."""

    def __init__(
        self,
        seconds: float = DEFAULT_SECONDS,
        source: str = "default",
        clock: Callable[[], float] = time.monotonic,
        started: float | None = None,
    ) -> None:
        self.seconds = seconds
        self.source = source
        self._clock = clock
        self.started = clock() if started is None else started

    def remaining(self) -> float:
        return max(0.0, self.started + self.seconds - self._clock())

    def _what(self) -> str:
        return f"the run's deadline ({describe(self.seconds)}, from {self.source})"

    def check(self, doing: str) -> None:
        """Refuse to start `doing` once the deadline has passed."""
        if self.remaining() <= 0:
            raise DeadlineExceeded(
                f"{doing} not sent: {self._what()} has passed; raise it with --deadline, "
                f"{ENVIRONMENT} or `deadline:` in reconciler.yaml"
            )

    def allow_wait(self, seconds: float, why: str) -> None:
        """Refuse a wait that would end after the deadline (better to stop now, clearly)."""
        left = self.remaining()
        if seconds > left:
            raise DeadlineExceeded(
                f"{why}: waiting {describe(seconds)} would pass {self._what()} "
                f"({describe(left)} left); nothing more was sent"
            )

    def clip(self, timeout: float) -> float:
        """A request timeout that ends no later than the deadline (at least 0.1 s)."""
        return max(0.1, min(timeout, self.remaining()))


class _Run:
    """The deadline the CLI set for this run (None outside a CLI run: library calls)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = False
        self.started = 0.0
        self.given: tuple[str, str] | None = None  # (value, where it came from)
        self.deadline: Deadline | None = None


_RUN = _Run()


def start_run(value: str | None, origin: str) -> None:
    """The CLI starts the run's clock; `value` (from RECONCILER_DEADLINE) is read when used."""
    with _RUN.lock:
        _RUN.active, _RUN.started, _RUN.deadline = True, time.monotonic(), None
        _RUN.given = (value, origin) if value else None


def set_for_run(value: str, origin: str) -> None:
    """--deadline: overrides the environment and reconciler.yaml for this run."""
    with _RUN.lock:
        _RUN.given, _RUN.deadline = (value, origin), None


def end_run() -> None:
    with _RUN.lock:
        _RUN.active, _RUN.given, _RUN.deadline = False, None, None


def for_run(configured: str | None = None, origin: str = "reconciler.yaml") -> Deadline:
    """The deadline every client of this run shares: --deadline, else RECONCILER_DEADLINE,
    else reconciler.yaml's `deadline:`, else the default; counted from the start of the run.
    Outside a CLI run (library calls) each call starts a fresh one."""
    with _RUN.lock:
        if _RUN.deadline is not None:
            return _RUN.deadline
        given = _RUN.given or ((configured, origin) if configured else None)
        seconds, source = (
            (parse_duration(*given), given[1]) if given else (DEFAULT_SECONDS, "default")
        )
        started = _RUN.started if _RUN.active else None
        deadline = Deadline(seconds, source, started=started)
        if _RUN.active:
            _RUN.deadline = deadline
        return deadline
