"""Files a command will write, checked before it does any work (and before any store call).

A plan that took minutes to read must not be lost because ``--out`` names a directory that
does not exist: such paths are refused up front with a clear message and exit 1.
"""

from __future__ import annotations

import os
from pathlib import Path

from reconciler.errors import ConfigError


def check_writable_file(path: Path, option: str) -> None:
    """Refuse `path` unless a file can be created or replaced there."""
    if path.is_dir():
        raise ConfigError(f"{option} {path}: is a directory; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        raise ConfigError(f"{option} {path}: directory {parent} does not exist")
    if not parent.is_dir():
        raise ConfigError(f"{option} {path}: {parent} is not a directory")
    target = path if path.exists() else parent
    if not os.access(target, os.W_OK):
        raise ConfigError(f"{option} {path}: not writable")
