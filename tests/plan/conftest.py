"""CLI tests of this folder: a working directory talking to the sandbox on API 2026-10."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.apply.conftest import Workspace
from tests.conftest import Store


@pytest.fixture
def workspace(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.chdir(tmp_path)
    yield Workspace(tmp_path, store, "2026-10")
