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


def file_problem(path: Path) -> str | None:
    """Why a file cannot be created or appended to at `path` (None: it can). Missing
    directories are fine if they can be made: the nearest existing one must be writable."""
    if path.is_dir():
        return "it is a directory; give a file name"
    if path.exists() or path.is_symlink():
        if not path.is_file():
            return "it is not a regular file"
        return None if os.access(path, os.W_OK) else "it is not writable"
    ancestor = path.parent if str(path.parent) else Path(".")
    while not ancestor.exists() and ancestor != ancestor.parent:
        if ancestor.is_symlink():
            return f"{ancestor} is a broken symbolic link"
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"{ancestor} is not a directory"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"directory {ancestor} is not writable"
    return None
