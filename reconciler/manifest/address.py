"""Readable addresses for places in a document: ``items[3].levels["East Warehouse"].available``.

Field names (declared by the schema) read as ``.name``; data keys such as location names and
country codes always read as ``["key"]`` so that an alias and a location name look alike; list
entries read as ``[index]`` counted from 0.
"""

from __future__ import annotations

import json
import re

Pointer = tuple[str | int, ...]

_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def field(parent: str, name: str) -> str:
    if not _IDENTIFIER.match(name):
        return key(parent, name)
    return f"{parent}.{name}" if parent else name


def key(parent: str, name: str) -> str:
    return f"{parent}[{json.dumps(name, ensure_ascii=False)}]"


def index(parent: str, position: int) -> str:
    return f"{parent}[{position}]"
