"""A bulk result URL's signature is a credential: scrubbed from logs and messages too."""

from __future__ import annotations

import io
import logging

import pytest

from reconciler.live.bulk import BulkUnavailable
from reconciler.live.jsonl import result_lines
from reconciler.secrets import install_log_redaction
from reconciler.shopify.target import resolve_target
from tests.shopify.hostile import serve

SIGNATURE = "X-Goog-Signature=9f2c41d07be35a6e81c0d4f2a3b5c6d7e8f90a1b2c3d4e5f"


def test_the_signature_of_a_result_url_reaches_no_log_or_message() -> None:
    install_log_redaction()
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    urllib3 = logging.getLogger("urllib3")
    urllib3.addHandler(handler)
    previous = urllib3.level
    urllib3.setLevel(logging.DEBUG)
    try:
        with serve(lambda seen: (410, {}, b"gone")) as storage:
            url = f"{storage.url}/results/op.jsonl?{SIGNATURE}&X-Goog-Expires=604800"
            target = resolve_target(storage.url, "2026-10")
            with pytest.raises(BulkUnavailable) as expired:
                list(result_lines(url, target))
    finally:
        urllib3.removeHandler(handler)
        urllib3.setLevel(previous)
    assert storage.seen[0].path.endswith(SIGNATURE + "&X-Goog-Expires=604800")  # it was sent
    assert "/results/op.jsonl" in buffer.getvalue()  # urllib3 logged the request line
    assert "9f2c41d07be35a6e" not in buffer.getvalue() + str(expired.value)
