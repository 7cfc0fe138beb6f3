"""Progress on stderr (reconciler/cli/display.py): live on a terminal, plain rate-limited lines
with --progress, nothing otherwise; never on stdout. Terminals are real ptys."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator

import pytest

from reconciler.cli.display import (
    LineProgress,
    RichProgress,
    describe,
    duration,
    progress_display,
)

from .terminal import Terminal


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_lines_are_rate_limited_and_say_rate_eta_and_figures() -> None:
    out, clock = io.StringIO(), Clock()
    progress = LineProgress(out, interval=5.0, clock=clock)
    progress.start("read", 10_000, unit="items")
    clock.now += 1
    progress.update("read", advance=1_000, calls=4, cost_points=1_400, status="RUNNING")
    for _ in range(50):  # many updates within the interval print nothing
        clock.now += 0.05
        progress.update("read", advance=10)
    clock.now += 3.5  # 7 s after the first line
    progress.update("read", advance=500)
    progress.note("falling back to paged reads")
    clock.now += 2
    progress.finish("read")
    lines = out.getvalue().splitlines()
    assert lines == [
        "[read] 0/10,000 items (0%) · started",
        "[read] 2,000/10,000 items (20%) · 286 items/s · ETA 28s · calls 4 · cost points 1,400 "
        "· status RUNNING",
        "falling back to paged reads",
        "[read] 2,000/10,000 items (20%) · calls 4 · cost points 1,400 · status RUNNING "
        "· done in 9s",
    ]


def test_a_task_of_unknown_size_and_one_that_was_never_started() -> None:
    out, clock = io.StringIO(), Clock()
    progress = LineProgress(out, clock=clock)
    progress.update("apply", advance=250, batches=1)
    progress.start("read")
    assert out.getvalue().splitlines() == ["[apply] 250 · batches 1", "[read] 0 · started"]


def test_figures_and_durations_read_naturally() -> None:
    assert describe({"calls": 1200, "rate": 12.345, "status": "RUNNING", "skip": None}) == (
        "calls 1,200 · rate 12.3 · status RUNNING"
    )
    assert [duration(s) for s in (0.4, 42, 185, 3_725)] == ["0s", "42s", "3m 05s", "1h 02m"]


def test_not_a_terminal_gives_notes_only_and_progress_gives_lines() -> None:
    out = io.StringIO()
    with progress_display(False, out) as quiet:
        quiet.start("read", 10)
        quiet.update("read", advance=5, calls=1)
        quiet.finish("read")
        quiet.note("the answer was lost and nothing was applied: sending again")
    assert out.getvalue() == "the answer was lost and nothing was applied: sending again\n"
    with progress_display(True, io.StringIO()) as lines:
        assert isinstance(lines, LineProgress)


@pytest.fixture
def terminal() -> Iterator[tuple[io.TextIOWrapper, Terminal]]:
    """A real pty: its slave side as a text stream, and the terminal reading the master side."""
    tty = Terminal()
    stream = io.TextIOWrapper(os.fdopen(tty.slave, "wb", buffering=0), encoding="utf-8")
    yield stream, tty
    if not stream.closed:
        stream.close()
    tty.close()


def test_a_terminal_gets_a_live_display_that_is_cleared_at_the_end(
    terminal: tuple[io.TextIOWrapper, Terminal],
) -> None:
    stream, tty = terminal
    with progress_display(False, stream) as progress:
        assert isinstance(progress, RichProgress)
        progress.start("apply", 1_000, unit="changes")
        progress.update("apply", advance=250, batches=1)
        progress.note("a note above the bars")
        progress.bars.refresh()
        progress.finish("apply")
    stream.flush()
    stream.close()
    output = tty.wait_for(b"a note above the bars")
    assert b"apply" in output and b"250/1000" in output and b"batches 1" in output
    assert b"\x1b[" in output  # drawn with terminal control codes


def test_a_terminal_run_that_reports_nothing_writes_nothing(
    terminal: tuple[io.TextIOWrapper, Terminal],
) -> None:
    stream, tty = terminal
    with progress_display(False, stream) as progress:
        assert isinstance(progress, RichProgress)
    stream.write("end\n")
    stream.flush()
    assert tty.wait_for(b"end").replace(b"\r", b"") == b"end\n"
