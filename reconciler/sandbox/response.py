"""An HTTP answer of the Admin API endpoint, before it is written to the socket."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# json.dumps' own output (same separators and escaping), without the circular-reference check
# a response built from plain dicts and lists never needs (a large read is 500 KB of JSON).
_encode = json.JSONEncoder(check_circular=False).encode


@dataclass
class Response:
    status: int
    body: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)
    # Set by the "lose the response" fault: the work is done, the answer never leaves.
    drop: bool = False

    def encoded(self) -> bytes:
        return b"" if self.body is None else _encode(self.body).encode()
