"""Pausing CPython's cycle collector while a stage builds a large value.

Reading manifests or a bulk result makes millions of small containers and no reference cycles;
the cycle collector would scan the growing value again and again (a quarter to a third of the
time at a million levels). Reference counting still frees everything as before.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
