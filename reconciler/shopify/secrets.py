"""Access tokens: held in a wrapper that never prints, and scrubbed from any text we emit."""

from __future__ import annotations

import re

_TOKEN_SHAPES = re.compile(r"\bshp(?:at|ca|pa|ss)_[0-9A-Za-z]{8,}\b")


class Secret:
    """A value that must never reach output, logs, plans, history or exceptions."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The raw value, for the one place that needs it: the request header."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")


def redact(text: str, *secrets: Secret | None) -> str:
    """Remove the given secrets, and anything shaped like a Shopify token, from `text`."""
    for secret in secrets:
        if secret:
            raw = secret.reveal()
            if len(raw) >= 4:
                text = text.replace(raw, "[REDACTED]")
    return _TOKEN_SHAPES.sub("[REDACTED]", text)
