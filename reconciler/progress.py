"""How long-running stages report progress, without knowing who (if anyone) is watching.

The live reader and apply call these methods; the CLI decides what to show: a live display on
a terminal, nothing when output is piped (unless ``--progress``), never anything mixed into
JSON or Markdown on stdout. Stages take a `Progress` and default to `SILENT`.

Tasks are named by the stage (``"read"``, ``"apply"``); ``info`` carries the figures a display
may show next to the bar (calls, cost points, bulk operation status, changes per second).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Progress(Protocol):
    def start(self, task: str, total: int | None = None, *, unit: str = "") -> None:
        """A task begins; `total` is None when its size is not known yet."""

    def update(
        self,
        task: str,
        *,
        advance: int = 0,
        total: int | None = None,
        **info: object,
    ) -> None:
        """Some of `task` is done (`advance` units); `total` may become known; `info` to show."""

    def finish(self, task: str) -> None:
        """The task ended (successfully or not)."""

    def note(self, message: str) -> None:
        """A one-line message worth telling a person (e.g. "falling back to paged reads")."""


class Silent:
    """Shows nothing: the default for library calls, tests and non-terminal output."""

    def start(self, task: str, total: int | None = None, *, unit: str = "") -> None:
        return None

    def update(
        self,
        task: str,
        *,
        advance: int = 0,
        total: int | None = None,
        **info: object,
    ) -> None:
        return None

    def finish(self, task: str) -> None:
        return None

    def note(self, message: str) -> None:
        return None


SILENT: Progress = Silent()


class NotesTo(Silent):
    """Shows only the notes, each through `emit` (e.g. one line on stderr); no bars."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self.emit = emit

    def note(self, message: str) -> None:
        self.emit(message)
