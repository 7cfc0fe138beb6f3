"""The sandbox under hostile input: every bad request gets an answer, never a hang or a drop.

Requests are written byte by byte on a raw socket (the framing itself is under test) and each
must come back as an HTTP response with a JSON error: 400 (or 408/413/429, as a server would)
and a message naming the problem. Before these were fixed (issue 8): variables nested 100,000
deep answered 500; ``Content-Length: abc`` dropped the connection and ``-1`` waited forever; a
control-plane sale of 10^30 units and ``"scopes": 5`` dropped the connection; ``generate``
accepted 10^10 levels and ate memory; an injected 429 had no ``Retry-After``.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from reconciler.sandbox import Sandbox
from reconciler.sandbox.request_body import API_BODY_LIMIT, MAX_JSON_DEPTH, depth
from tests.conftest import Store, demo_snapshot

API = "/admin/api/2026-10/graphql.json"
TOKEN = "X-Shopify-Access-Token: sandbox-token\r\n"
RED_S = "gid://shopify/InventoryItem/43729030"
EAST = "gid://shopify/Location/68509171945"
SHOP = b'{"query": "{ shop { name } }"}'


@dataclass
class Raw:
    status: int
    headers: dict[str, str]
    body: bytes
    closed: bool  # the server closed the connection after answering

    def json(self) -> Any:
        return json.loads(self.body)


def _exchange(store: Store | Sandbox, request: bytes, timeout: float = 60) -> Raw:
    """Send raw bytes and read one response (by its Content-Length); then ask again on the
    same connection to learn whether the server closed it. A silent or dropped connection
    fails the test."""
    host, port = store.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, f"connection dropped without an answer after {data!r}"
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers["content-length"])
        while len(body) < length:
            chunk = sock.recv(65536)
            assert chunk, "connection dropped in the middle of the answer"
            body += chunk
        return Raw(status, headers, body[:length], _closed(sock))


def _closed(sock: socket.socket) -> bool:
    """Whether the server closed the connection: a second request gets no answer."""
    try:
        sock.sendall(b"GET /__sandbox/health HTTP/1.1\r\nHost: sandbox\r\n\r\n")
        return not sock.recv(1)
    except (BrokenPipeError, ConnectionResetError):
        return True


def _post(path: str, body: bytes, extra: str = "") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: sandbox\r\n{TOKEN}Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n{extra}\r\n"
    ).encode() + body


# -- framing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "-1", "+5", "1e3", " ", "5, 7", "99999999999999999999"])
def test_a_malformed_content_length_is_400_and_closes(store: Store, value: str) -> None:
    request = f"POST {API} HTTP/1.1\r\nHost: sandbox\r\n{TOKEN}Content-Length: {value}\r\n\r\n{{}}"
    answer = _exchange(store, request.encode())
    assert answer.status == 400
    assert answer.json()["errors"].startswith("invalid Content-Length header")
    assert answer.closed


def test_two_different_content_lengths_are_400(store: Store) -> None:
    request = _post(API, SHOP, f"Content-Length: {len(SHOP) + 1}\r\n")
    answer = _exchange(store, request)
    assert (answer.status, answer.closed) == (400, True)


def test_a_chunked_body_is_read(store: Store) -> None:
    chunks = SHOP[:10], SHOP[10:]
    body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
    request = (
        f"POST {API} HTTP/1.1\r\nHost: sandbox\r\n{TOKEN}Transfer-Encoding: chunked\r\n\r\n"
    ).encode() + body
    answer = _exchange(store, request)
    assert answer.status == 200
    assert answer.json()["data"] == {"shop": {"name": "Northwind Outfitters"}}
    assert not answer.closed  # framing was clear: the connection stays usable


@pytest.mark.parametrize(
    ("headers", "body", "message"),
    [
        ("Transfer-Encoding: chunked\r\n", b"zz\r\n{}\r\n0\r\n\r\n", "malformed chunked body"),
        ("Transfer-Encoding: gzip\r\n", b"", "unsupported Transfer-Encoding gzip"),
        (
            "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
            b"0\r\n\r\n",
            "Content-Length and Transfer-Encoding together",
        ),
    ],
)
def test_bad_transfer_encodings_are_400(
    store: Store, headers: str, body: bytes, message: str
) -> None:
    request = f"POST {API} HTTP/1.1\r\nHost: sandbox\r\n{TOKEN}{headers}\r\n".encode() + body
    answer = _exchange(store, request)
    assert (answer.status, answer.json(), answer.closed) == (400, {"errors": message}, True)


def test_a_body_over_the_limit_is_413_without_reading_it(store: Store) -> None:
    size = API_BODY_LIMIT + 1
    request = f"POST {API} HTTP/1.1\r\nHost: sandbox\r\n{TOKEN}Content-Length: {size}\r\n\r\n"
    answer = _exchange(store, request.encode())
    assert answer.status == 413
    assert answer.json() == {
        "errors": f"request body too large ({size} bytes; the sandbox accepts at most "
        f"{API_BODY_LIMIT} bytes)"
    }
    assert answer.closed


def test_a_control_body_may_be_larger(store: Store) -> None:
    request = (
        f"POST /__sandbox/faults HTTP/1.1\r\nHost: sandbox\r\nContent-Length: {10**12}\r\n\r\n"
    )
    answer = _exchange(store, request.encode())
    assert answer.status == 413 and "error" in answer.json()


@pytest.fixture(scope="module")
def impatient() -> Iterator[Sandbox]:
    """A sandbox that waits only one second for a silent client."""
    with Sandbox(demo_snapshot(), read_timeout=1.0) as sandbox:
        yield sandbox


def test_a_body_that_never_comes_is_408(impatient: Sandbox) -> None:
    request = f"POST {API} HTTP/1.1\r\nHost: sandbox\r\n{TOKEN}Content-Length: 100\r\n\r\n{{"
    answer = _exchange(impatient, request.encode())
    assert answer.status == 408
    assert answer.json() == {"errors": "the request body did not arrive in time"}
    assert answer.closed


def test_an_idle_connection_is_closed_after_the_read_timeout(impatient: Sandbox) -> None:
    host, port = impatient.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        assert sock.recv(1) == b""  # closed by the server, not left open forever


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"PATCH /admin/api/2026-10/graphql.json HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n", 431),
    ],
)
def test_http_level_refusals_are_json(store: Store, request_bytes: bytes, status: int) -> None:
    answer = _exchange(store, request_bytes)
    assert answer.status == status
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    assert isinstance(answer.json()["errors"], str) and answer.json()["errors"]


# -- JSON -------------------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH, 1_000, 100_000])
def test_variables_nested_too_deep_are_400(store: Store, levels: int) -> None:
    nested = "[" * levels + "]" * levels
    body = f'{{"query": "query($x: [ID!]) {{ shop {{ name }} }}", "variables": {{"x": {nested}}}}}'
    answer = _exchange(store, _post(API, body.encode()))
    assert answer.status == 400
    assert answer.json() == {
        "errors": f"the request body is nested deeper than {MAX_JSON_DEPTH} levels"
    }


def test_json_nested_to_the_limit_is_accepted(store: Store) -> None:
    nested = "[" * (MAX_JSON_DEPTH - 2) + "]" * (MAX_JSON_DEPTH - 2)  # body and variables: 2
    body = f'{{"query": "query($x: JSON) {{ shop {{ name }} }}", "variables": {{"x": {nested}}}}}'
    answer = _exchange(store, _post(API, body.encode()))
    assert answer.status == 200
    assert answer.json()["errors"][0]["extensions"]["code"] == "variableNotUsed"


def test_depth_counts_arrays_and_objects() -> None:
    assert depth(1) == 0
    assert depth([]) == 1
    assert depth({"a": [1, {"b": []}]}) == 4
    nested: list[Any] = []
    for _ in range(4999):
        nested = [nested]
    assert depth(nested) == 5000  # counted without recursion


def test_too_many_tokens_are_refused_before_validation(store: Store) -> None:
    query = "{ " + " ".join(f"a{i}: shop {{ name }}" for i in range(3000)) + " }"
    response = store.post("2026-10", query)
    assert response.status_code == 200
    # GraphQL-Ruby's words for its max_query_string_tokens, at the token past the limit
    assert response.json() == {
        "errors": [
            {
                "message": "This query is too large to execute.",
                "locations": [{"line": 1, "column": 51_391}],
                "extensions": {"code": "PARSE_ERROR"},
            }
        ]
    }


# -- the control plane ------------------------------------------------------------------------


def _control(store: Store, path: str, body: Any) -> Raw:
    return _exchange(store, _post(f"/__sandbox/{path}", json.dumps(body).encode()))


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        (
            "sale",
            {"inventoryItemId": RED_S, "locationId": EAST, "quantity": 10**30},
            "quantity must be between 1 and 1,000,000,000, got 1,000,000,000,000,000,000,000,"
            "000,000",
        ),
        (
            "sale",
            {"inventoryItemId": RED_S, "locationId": EAST, "quantity": 0},
            "quantity must be between 1 and 1,000,000,000, got 0",
        ),
        (
            "sale",
            {"inventoryItemId": RED_S, "locationId": EAST, "quantity": "5"},
            "quantity must be an integer, got '5'",
        ),
        (
            "sale",
            {"inventoryItemId": 5, "locationId": EAST},
            "inventoryItemId must be a non-empty string, got 5",
        ),
        (
            "sale",
            {"inventoryItemId": RED_S, "locationId": EAST, "fulfil": "yes"},
            "fulfil must be true or false, got 'yes'",
        ),
        ("tokens", {"token": "t2", "scopes": 5}, "scopes must be a list of access scope names"),
        (
            "tokens",
            {"token": "t2", "scopes": ["read_inventory", 7]},
            "scopes must be access scope names like read_inventory, got 7",
        ),
        ("tokens", {"token": 12}, "token must be a non-empty string, got 12"),
        ("tokens", {"scopes": ["read_inventory"]}, "token is required"),
        ("tokens", {"token": "t", "app": ["x"]}, "app must be a non-empty string"),
        ("throttle", {"currentlyAvailable": -1}, "currentlyAvailable must be between 0 and 2000"),
        ("throttle", {"currentlyAvailable": 1e300}, "currentlyAvailable must be between 0 and"),
        ("throttle", {"plan": "gold"}, "plan must be one of standard, advanced, plus, enterprise"),
        ("throttle", {"restoreRate": 5}, "unknown field(s) restoreRate"),
        ("generate", {"items": 10**10, "locations": 1}, "items must be at most"),
        (
            "generate",
            {"items": 100_000, "locations": 100},
            "items x locations must be at most 5,000,000 levels, got 100,000 x 100 = 10,000,000",
        ),
        ("generate", {"items": "many"}, "items must be an integer"),
        ("faults", {"kind": "latency", "seconds": 10**9}, "seconds must be between 0 and 600"),
        ("faults", {"kind": "latency", "seconds": "x"}, "seconds must be a number, got 'x'"),
        ("faults", {"kind": "http_error", "status": 5}, "status must be between 400 and 599"),
        ("faults", {"kind": "http_error", "times": -2}, "times must be between -1 and 1,000,000"),
        ("faults", {"kind": "http_error", "sekonds": 1}, "unknown field(s) sekonds"),
        ("faults", {"kind": "lose_response", "status": 200}, "status must be 0 or 400 to 599"),
        ("faults", {"kind": "latency", "phase": "after"}, "phase must be one of before, during"),
        ("faults", {"kind": "http_error", "retryAfter": -1}, "retryAfter must be between 0 and"),
    ],
)
def test_bad_control_plane_input_is_400_and_changes_nothing(
    store: Store, path: str, body: dict[str, Any], message: str
) -> None:
    before = store.control("GET", "snapshot")
    answer = _control(store, path, body)
    assert answer.status == 400, answer.body
    assert message in answer.json()["error"]
    assert not answer.closed
    assert store.control("GET", "snapshot") == before
    assert store.control("GET", "faults") == {"faults": []}


def test_a_sale_that_would_overflow_a_level_is_refused(store: Store) -> None:
    sale = {"inventoryItemId": RED_S, "locationId": EAST, "quantity": 1_000_000_000}
    assert store.control("POST", "sale", sale)["ok"] is True
    assert store.control("POST", "sale", sale)["ok"] is True
    answer = _control(store, "sale", sale)
    assert answer.status == 400
    assert "would take this level beyond ±2,000,000,000" in answer.json()["error"]


@pytest.mark.parametrize("raw", [b'{"currentlyAvailable": NaN}', b"[" * 200 + b"]" * 200])
def test_control_json_must_be_plain_json(store: Store, raw: bytes) -> None:
    answer = _exchange(store, _post("/__sandbox/throttle", raw))
    assert answer.status == 400
    assert answer.json()["error"].startswith("the request body is not valid JSON")


def test_good_control_input_still_works(store: Store) -> None:
    token = {"token": "t-limited", "scopes": ["read_inventory"], "app": "Limited"}
    assert store.control("POST", "tokens", token)["scopes"] == ["read_inventory"]
    status = store.control("POST", "throttle", {"plan": "plus", "currentlyAvailable": 10_000})
    assert status["throttleStatus"]["maximumAvailable"] == 20000.0
    store.control("POST", "throttle", {"plan": "standard"})
    sale = {"inventoryItemId": RED_S, "locationId": EAST, "quantity": 2, "fulfil": True}
    assert store.control("POST", "sale", sale)["ok"] is True


# -- the injected 429 -------------------------------------------------------------------------


def test_an_injected_429_is_shopify_s(store: Store) -> None:
    store.control("POST", "faults", {"kind": "http_error", "status": 429})
    answer = _exchange(store, _post(API, SHOP))
    assert answer.status == 429
    assert answer.headers["retry-after"] == "2.0"
    assert answer.json() == {
        "errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume "
        "uninterrupted service."
    }
    after = _exchange(store, _post(API, SHOP))
    assert after.status == 200  # the rule fired once


@pytest.mark.parametrize(("retry_after", "header"), [(0.5, "0.5"), (7, "7.0"), (None, None)])
def test_the_429_retry_after_is_configurable(
    store: Store, retry_after: float | None, header: str | None
) -> None:
    store.control(
        "POST", "faults", {"kind": "http_error", "status": 429, "retryAfter": retry_after}
    )
    response = requests.post(
        store.graphql_url("2026-10"), data=SHOP, headers={"X-Shopify-Access-Token": store.token}
    )
    assert response.status_code == 429
    assert response.headers.get("Retry-After") == header


def test_other_injected_errors_keep_their_body_and_may_carry_retry_after(store: Store) -> None:
    store.control("POST", "faults", {"kind": "http_error", "status": 503, "retryAfter": 1})
    answer = _exchange(store, _post(API, SHOP))
    assert (answer.status, answer.headers["retry-after"]) == (503, "1.0")
    assert answer.json() == {"errors": "Injected HTTP 503"}
