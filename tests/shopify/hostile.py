"""A store that misbehaves on purpose, over real HTTP on 127.0.0.1, for transport tests.

Each test gives it a handler: a function from the request (method, path, headers, body) to
(status, headers, body). It records every request it receives, with its headers, so a test
can tell exactly what the client sent where (e.g. whether a token followed a redirect).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Hostile:
    url: str
    seen: list[Seen] = field(default_factory=list)


def graphql_answer(data: dict[str, Any], version: str = "2026-10", **headers: str) -> Reply:
    """A well-formed GraphQL answer (cost included) with extra response headers."""
    body = {
        "data": data,
        "extensions": {
            "cost": {
                "requestedQueryCost": 2,
                "actualQueryCost": 2,
                "throttleStatus": {
                    "maximumAvailable": 2000.0,
                    "currentlyAvailable": 1998,
                    "restoreRate": 100.0,
                },
            }
        },
    }
    return 200, {"X-Shopify-API-Version": version, **headers}, json.dumps(body).encode()


@contextmanager
def serve(handler: Callable[[Seen], Reply]) -> Iterator[Hostile]:
    record = Hostile("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            self._answer()

        def do_GET(self) -> None:  # noqa: N802
            self._answer()

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(self.command, self.path, dict(self.headers), self.rfile.read(length))
            record.seen.append(seen)
            status, headers, body = handler(seen)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def silent_store() -> Iterator[str]:
    """Accepts connections and never answers (reads the request, then waits forever)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    stop = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()
