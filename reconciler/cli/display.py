"""Progress on stderr for long runs: what the live reader and apply report through `Progress`.

Three ways to show it, chosen by `progress_display`:

- stderr is a terminal: a live rich display (one bar per task: done/total, rate, ETA, and the
  task's figures — calls, cost points, bulk operation status, batches), removed when the run
  ends so the terminal keeps only the plan or report;
- stderr is not a terminal and ``--progress`` was given: plain lines a CI log can keep, at most
  one per task every few seconds (plus the first and the last);
- otherwise: no progress at all.

Notes (a fallback to paged reads, a lost answer re-sent) are printed on stderr in every mode:
they explain what happened, not how far along it is. Nothing is ever written to stdout, so JSON
and Markdown output stay byte-identical with or without progress (rich's redirection of
stdout is turned off for that reason).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichBars
from rich.text import Text

from reconciler.progress import NotesTo, Progress

LINE_INTERVAL = 5.0  # seconds between two plain lines of one task


def describe(info: dict[str, object]) -> str:
    """A task's figures as one short phrase: ``calls 12 · cost points 1,400 · status RUNNING``."""
    parts = []
    for key, value in info.items():
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int):
            shown = f"{value:,}"
        elif isinstance(value, float):
            shown = f"{value:,.1f}"
        else:
            shown = str(value)
        parts.append(f"{key.replace('_', ' ')} {shown}")
    return " · ".join(parts)


def duration(seconds: float) -> str:
    """``42s``, ``3m 05s``, ``1h 02m``."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


# -- plain lines (--progress without a terminal) --------------------------------------------


@dataclass
class _Task:
    unit: str
    total: int | None
    started: float
    completed: int = 0
    info: dict[str, object] = field(default_factory=dict)
    last_line: float | None = None


class LineProgress:
    """Line-based progress for logs: ``[read] 1,200/10,000 items (12%) · 340 items/s · ETA 26s``."""

    def __init__(
        self,
        stream: IO[str],
        *,
        interval: float = LINE_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.interval = interval
        self.clock = clock
        self.tasks: dict[str, _Task] = {}
        self.lock = threading.Lock()

    def start(self, task: str, total: int | None = None, *, unit: str = "") -> None:
        with self.lock:
            state = self.tasks[task] = _Task(unit, total, self.clock())
            self._line(task, state, "started")

    def update(
        self,
        task: str,
        *,
        advance: int = 0,
        total: int | None = None,
        **info: object,
    ) -> None:
        with self.lock:
            state = self.tasks.get(task)
            if state is None:
                state = self.tasks[task] = _Task("", None, self.clock())
            state.completed += advance
            if total is not None:
                state.total = total
            state.info.update(info)
            now = self.clock()
            if state.last_line is None or now - state.last_line >= self.interval:
                self._line(task, state)

    def finish(self, task: str) -> None:
        with self.lock:
            state = self.tasks.pop(task, None)
            if state is not None:
                self._line(task, state, f"done in {duration(self.clock() - state.started)}")

    def note(self, message: str) -> None:
        with self.lock:
            self._write(message)

    def _line(self, task: str, state: _Task, event: str | None = None) -> None:
        now = self.clock()
        state.last_line = now
        unit = f" {state.unit}" if state.unit else ""
        if state.total:
            percent = min(100, state.completed * 100 // state.total)
            parts = [f"{state.completed:,}/{state.total:,}{unit} ({percent}%)"]
        else:
            parts = [f"{state.completed:,}{unit}"]
        elapsed = now - state.started
        if event is None and elapsed > 0 and state.completed:
            rate = state.completed / elapsed
            parts.append(f"{rate:,.0f}{unit}/s")
            if state.total and state.total > state.completed:
                parts.append(f"ETA {duration((state.total - state.completed) / rate)}")
        if state.info:
            parts.append(describe(state.info))
        if event is not None:
            parts.append(event)
        self._write(f"[{task}] " + " · ".join(p for p in parts if p))

    def _write(self, line: str) -> None:
        _write_line(self.stream, line)


# -- a live display on a terminal ----------------------------------------------------------------


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        unit = task.fields.get("unit", "")
        return Text(f"{speed:,.0f} {unit}/s" if speed else "", style="progress.data.speed")


class RichProgress:
    """A live rich display on stderr (a terminal), one bar per task. It is live only while a
    task runs, so a run that reports nothing writes nothing, and a prompt between two stages
    is never redrawn over."""

    def __init__(self, stream: IO[str]) -> None:
        self.console = Console(file=stream, force_terminal=True, highlight=False)
        self.bars = RichBars(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}"),
            _Rate(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[info]}", markup=False),
            console=self.console,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.ids: dict[str, TaskID] = {}
        self.info: dict[str, dict[str, object]] = {}
        self.lock = threading.Lock()

    def __enter__(self) -> RichProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            for task_id in self.ids.values():
                self.bars.remove_task(task_id)
            self.ids.clear()
            self.bars.stop()

    def _add(self, task: str, total: int | None, unit: str) -> None:
        if not self.ids:
            self.bars.start()
        self.ids[task] = self.bars.add_task(task, total=total, unit=unit, info="")
        self.info[task] = {}

    def start(self, task: str, total: int | None = None, *, unit: str = "") -> None:
        with self.lock:
            if task in self.ids:
                self.bars.remove_task(self.ids.pop(task))
            self._add(task, total, unit)

    def update(
        self,
        task: str,
        *,
        advance: int = 0,
        total: int | None = None,
        **info: object,
    ) -> None:
        with self.lock:
            if task not in self.ids:
                self._add(task, None, "")
            fields: dict[str, Any] = {}
            if info:
                self.info[task].update(info)
                fields["info"] = describe(self.info[task])
            self.bars.update(self.ids[task], advance=advance, total=total, **fields)

    def finish(self, task: str) -> None:
        with self.lock:
            task_id = self.ids.pop(task, None)
            self.info.pop(task, None)
            if task_id is not None:
                self.bars.remove_task(task_id)
            if not self.ids:
                self.bars.stop()

    def note(self, message: str) -> None:
        self.console.print(message, markup=False, highlight=False)


# -- choosing ----------------------------------------------------------------------------------


def _write_line(stream: IO[str], line: str) -> None:
    stream.write(line + "\n")
    stream.flush()


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


@contextmanager
def progress_display(forced: bool = False, stream: IO[str] | None = None) -> Iterator[Progress]:
    """The display for this run: live on a terminal, lines with `forced` (``--progress``),
    otherwise notes only. Stops (and clears a live display) on exit."""
    stream = stream if stream is not None else sys.stderr
    if _is_terminal(stream):
        with RichProgress(stream) as live:
            yield live
    elif forced:
        yield LineProgress(stream)
    else:
        yield NotesTo(lambda message: _write_line(stream, message))
