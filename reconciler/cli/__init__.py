"""The `reconciler` command: a thin click layer over the library.

Each command parses options, calls one library function, picks an output format and maps the
outcome to an exit code. No behaviour lives here. One module per command; importing them
registers them on `main`.
"""

from . import (  # noqa: F401  (registers the commands)
    apply,
    csv_export,
    csv_import,
    drift,
    explain,
    export,
    history,
    lock,
    plan,
    sandbox,
    validate,
)
from .app import main

__all__ = ["main"]
