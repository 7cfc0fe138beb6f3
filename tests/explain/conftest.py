"""A temporary git repository of manifests, applied to the sandbox over HTTP."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.apply.conftest import Workspace, workspace  # noqa: F401  (a folder without git)
from tests.conftest import Store

# Commits get fixed authors and dates; no global or system git configuration leaks in.
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


class Repo(Workspace):
    """A workspace that is also a git repository with its own history of commits."""

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            ["git", *args],
            cwd=self.root,
            env={**os.environ, **GIT_ENV, **(env or {})},
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def init(self) -> None:
        self.git("init", "--quiet", "--initial-branch=main")
        self.git("config", "user.name", "CI Bot")
        self.git("config", "user.email", "ci@example.com")

    def commit(
        self,
        message: str,
        files: dict[str, str],
        *,
        author: tuple[str, str] = ("Dana Reyes", "dana@example.com"),
        date: str = "2026-11-01T10:00:00+00:00",
    ) -> str:
        """Write `files`, commit them as `author` at `date`; returns the full commit id."""
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        self.git("add", "--", *files)
        name, email = author
        self.git(
            "commit",
            "--quiet",
            "-m",
            message,
            env={
                "GIT_AUTHOR_NAME": name,
                "GIT_AUTHOR_EMAIL": email,
                "GIT_AUTHOR_DATE": date,
                "GIT_COMMITTER_NAME": name,
                "GIT_COMMITTER_EMAIL": email,
                "GIT_COMMITTER_DATE": date,
            },
        )
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def repo(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    """An empty git repository (the working directory) and the sandbox at API 2026-10."""
    root = tmp_path / "inventory-repo"
    root.mkdir()
    monkeypatch.chdir(root)
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    handle = Repo(root, store, "2026-10")
    handle.init()
    yield handle
