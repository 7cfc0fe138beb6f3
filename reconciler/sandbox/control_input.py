"""Control-plane input: every field named, typed and bounded, or a 400 that says which.

The control plane (``/__sandbox/...``) is driven by tests, demos and people with curl; a wrong
type or an absurd number must be refused with a message naming the field and the accepted
range, before anything changes, instead of a crash deep inside (a sale of 10^30 units once
overflowed SQLite and dropped the connection; ``"scopes": 5`` raised a TypeError).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any


class ControlError(ValueError):
    """A control-plane request the sandbox refuses (HTTP 400)."""


_MISSING: Any = object()
_SCOPE = re.compile(r"^[a-z][a-z_]{0,99}$")


def only(spec: dict[str, Any], allowed: Iterable[str]) -> None:
    """Refuse fields the route does not know (a typo would otherwise be silently ignored)."""
    names = list(allowed)
    unknown = sorted(set(spec) - set(names))
    if unknown:
        raise ControlError(f"unknown field(s) {', '.join(unknown)}; expected {', '.join(names)}")


def integer(spec: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = spec.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ControlError(f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ControlError(f"{name} must be between {low:,} and {high:,}, got {value:,}")
    return value


def number(spec: dict[str, Any], name: str, default: float, low: float, high: float) -> float:
    value = spec.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(f"{name} must be a number, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ControlError(f"{name} must be a finite number, got {value!r}")
    if not low <= value <= high:
        raise ControlError(f"{name} must be between {low:g} and {high:g}, got {value:g}")
    return float(value)


def optional_number(
    spec: dict[str, Any], name: str, default: float | None, low: float, high: float
) -> float | None:
    if spec.get(name, default) is None:
        return None
    return number(spec, name, 0.0 if default is None else default, low, high)


def text(spec: dict[str, Any], name: str, default: str | None = None, max_length: int = 255) -> str:
    """A non-empty string field (required when `default` is None)."""
    value = spec.get(name, _MISSING if default is None else default)
    if value is _MISSING:
        raise ControlError(f"{name} is required")
    if not isinstance(value, str) or not value:
        raise ControlError(f"{name} must be a non-empty string, got {value!r}")
    if len(value) > max_length:
        raise ControlError(f"{name} must be at most {max_length} characters, got {len(value):,}")
    return value


def optional_text(spec: dict[str, Any], name: str, max_length: int = 255) -> str | None:
    if spec.get(name) is None:
        return None
    return text(spec, name, max_length=max_length)


def boolean(spec: dict[str, Any], name: str, default: bool) -> bool:
    value = spec.get(name, default)
    if not isinstance(value, bool):
        raise ControlError(f"{name} must be true or false, got {value!r}")
    return value


def choice(spec: dict[str, Any], name: str, default: str, allowed: Iterable[str]) -> str:
    options = list(allowed)
    value = spec.get(name, default)
    if value not in options:
        raise ControlError(f"{name} must be one of {', '.join(options)}, got {value!r}")
    return str(value)


def scopes(spec: dict[str, Any], name: str = "scopes") -> list[str] | None:
    """A list of access scope names (``read_inventory``, ...), or None when not given."""
    value = spec.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > 100:
        raise ControlError(f"{name} must be a list of access scope names, got {value!r}"[:300])
    for scope in value:
        if not isinstance(scope, str) or not _SCOPE.match(scope):
            raise ControlError(
                f"{name} must be access scope names like read_inventory, got {scope!r}"[:300]
            )
    return list(value)
