"""Redaction by value: every encoding of every known secret, whatever its shape."""

from __future__ import annotations

import base64
import gc
import html
import io
import json
import logging
import urllib.parse

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.errors import ConfigError
from reconciler.secrets import (
    MARK,
    RedactingStream,
    Secret,
    credentials_in,
    install_log_redaction,
    known,
    redact,
    scrub,
    url_credentials,
)

ENCODERS = {
    "raw": lambda v: v,
    "quote": lambda v: urllib.parse.quote(v, safe=""),
    "quote-path": lambda v: urllib.parse.quote(v),
    "quote_plus": urllib.parse.quote_plus,
    "quote-twice": lambda v: urllib.parse.quote(urllib.parse.quote(v, safe=""), safe=""),
    "quote-lower": lambda v: urllib.parse.quote(v, safe="").lower(),
    "every-char-percent": lambda v: "".join(f"%{b:02X}" for b in v.encode()),
    "json": lambda v: json.dumps(v)[1:-1],
    "json-ascii-off": lambda v: json.dumps(v, ensure_ascii=False)[1:-1],
    "json-every-char": lambda v: "".join(f"\\u{ord(c):04x}" for c in v),
    "repr": lambda v: repr(v)[1:-1],
    "html": html.escape,
    "html-decimal": lambda v: "".join(f"&#{ord(c)};" for c in v),
    "base64": lambda v: base64.b64encode(v.encode()).decode(),
    "base64-url": lambda v: base64.urlsafe_b64encode(v.encode()).decode().rstrip("="),
    "upper": str.upper,
}

tokens = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=8, max_size=48
)


@settings(max_examples=60, deadline=None)
@given(token=tokens, prefix=st.text(max_size=20), suffix=st.text(max_size=20))
def test_a_known_secret_is_scrubbed_in_every_encoding(token: str, prefix: str, suffix: str) -> None:
    secret = Secret(token)
    for name, encode in ENCODERS.items():
        text = f"{prefix} {encode(token)} {suffix}"
        scrubbed = redact(text)
        assert encode(token) not in scrubbed, name
        assert token not in scrubbed, name
    del secret


def test_shape_is_irrelevant_and_shpat_tokens_are_caught_even_unregistered() -> None:
    with known("correct horse battery staple"):
        assert redact("pw=correct+horse+battery+staple") == f"pw={MARK}"
    # built at run time: no token-shaped literal in the repository (leak scanners flag them)
    shaped = "shpat_" + "0123456789abcdef" + "0123"
    assert redact(f"header {shaped}") == f"header {MARK}"


def test_a_secret_stops_being_scrubbed_once_its_last_holder_is_gone() -> None:
    secret = Secret("short-lived-value")
    assert redact("a short-lived-value b") == f"a {MARK} b"
    del secret
    gc.collect()
    assert redact("a short-lived-value b") == "a short-lived-value b"


def test_values_too_short_to_be_secrets_are_left_alone() -> None:
    with known("abc"):
        assert redact("abc abc") == "abc abc"


def test_scrub_walks_json_values_and_keys() -> None:
    with known("s3cr3t-token-value"):
        value = {"a": ["x s3cr3t-token-value", 3, None], "s3cr3t-token-value": True}
        assert scrub(value) == {"a": [f"x {MARK}", 3, None], MARK: True}


def test_url_credentials_are_found_raw_and_decoded() -> None:
    found = set(url_credentials("https://alice:p%40ss%2Fword@shop.example/x"))
    assert {"p%40ss%2Fword", "p@ss/word", "alice:p%40ss%2Fword", "alice:p@ss/word"} <= found
    assert url_credentials("https://shop.example/") == []
    assert "hunter22" in credentials_in("--store http://bob:hunter22@127.0.0.1:1 --x")


def test_the_redacting_stream_sees_a_secret_split_across_writes() -> None:
    inner = io.StringIO()
    stream = RedactingStream(inner)
    with known("split-across-writes"):
        stream.write("before split-acr")
        stream.write("oss-writes after\nnext ")
        stream.write("line")
        stream.flush()
    assert inner.getvalue() == f"before {MARK} after\nnext line"


def test_log_records_are_redacted_as_they_are_made_whatever_the_handler() -> None:
    install_log_redaction()
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    logger = logging.getLogger("tests.secrets")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with known("logged-token-value"):
            logger.warning("token %s in args", "logged-token-value")
            try:
                raise ValueError("boom logged-token-value")
            except ValueError:
                logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert "logged-token-value" not in buffer.getvalue()
    assert buffer.getvalue().count(MARK) >= 2  # the message, the exception (and its source line)


def test_error_messages_are_redacted_when_shown() -> None:
    with known("in-an-error-message"):
        assert str(ConfigError("refused in-an-error-message")) == f"refused {MARK}"
