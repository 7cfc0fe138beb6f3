"""The sandbox's HTTP layer: request framing, routing and errors, all answered as JSON.

``POST /admin/api/{version}/graphql.json`` goes to the engine (the Admin API), ``GET
/__sandbox/bulk/<id>.jsonl`` serves bulk results, the rest of ``/__sandbox/`` is the control
plane (`server.SandboxApp.control`). Bodies are read by `request_body` (framing, size and time
bounded); http.server's own refusals (a malformed request line, oversized headers, an unknown
method) and any unexpected failure are JSON answers too, so no request ends in a dropped
connection. The server answers each connection on its own thread.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from .control_input import ControlError
from .request_body import API_BODY_LIMIT, CONTROL_BODY_LIMIT, BadRequest, decode_json, read_body
from .response import Response
from .snapshot import SnapshotError

if TYPE_CHECKING:
    from .server import SandboxApp

log = logging.getLogger(__name__)

# The version segment is optional: without it Shopify serves the oldest supported version.
_API_PATH = re.compile(r"^/admin/api/(?:([^/]+)/)?graphql\.json$")
_BULK_PATH = re.compile(r"^/__sandbox/bulk/(\d+)\.jsonl$")
READ_TIMEOUT = 60.0  # seconds a connection may stay silent (idle, or mid-body) before it closes


class MethodNotAllowed(Exception):
    def __init__(self, method: str, path: str, allowed: tuple[str, ...]) -> None:
        super().__init__(f"{path} does not accept {method}; use {' or '.join(allowed)}")
        self.allowed = allowed


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK (40-200 ms per request on Linux keep-alive connections).
    disable_nagle_algorithm = True
    server: Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s - %s", self.address_string(), format % args)

    def setup(self) -> None:
        # A silent connection (idle keep-alive, or a body that never comes) closes, or is
        # answered 408, after the server's read timeout instead of holding a thread forever.
        self.timeout = self.server.read_timeout  # type: ignore[misc]
        super().setup()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (malformed request line, oversized headers, unknown
        method) as JSON like every other answer, then the connection closes."""
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        body = json.dumps({"errors": message or phrase}).encode()
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # no usable request line: answer in HTTP/1.1
            self.request_version = "HTTP/1.1"
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Connection", "close")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD" and code >= 200 and code not in (204, 304):
                self.wfile.write(body)
        except OSError:
            pass  # the client is gone

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client went away (a killed apply, a timeout): the work is done; nobody to
            # answer. Shopify behaves the same, and the client's retry logic must cope.
            self.close_connection = True

    def _base_url(self) -> str:
        return address(self.server)

    def _dispatch(self, method: str) -> None:
        path = self.path.split("?", 1)[0]
        control = path.startswith("/__sandbox/")
        key = "error" if control else "errors"
        try:
            raw = read_body(
                self.headers, self.rfile, CONTROL_BODY_LIMIT if control else API_BODY_LIMIT
            )
        except BadRequest as exc:
            self.close_connection = exc.close
            headers = {"Connection": "close"} if exc.close else {}
            self._send(exc.status, json.dumps({key: exc.message}).encode(), headers)
            return
        try:
            self._route(method, path, raw)
        except Exception:  # noqa: BLE001 - a bug must answer 500, never drop the connection
            log.exception("sandbox request failed")
            self.close_connection = True
            body = {
                key: "Internal Server Error" if not control else "internal error in the sandbox"
            }
            self._send(500, json.dumps(body).encode(), {"Connection": "close"})

    def _route(self, method: str, path: str, raw: bytes) -> None:
        app = self.server.app
        match = _API_PATH.match(path)
        if match:
            if method != "POST":
                self._send(405, json.dumps({"errors": "Method Not Allowed"}).encode())
                return
            response: Response = app.engine.handle(
                match.group(1) or "",
                self.headers.get("X-Shopify-Access-Token"),
                raw,
                self._base_url(),
            )
            if response.drop:
                self.close_connection = True
                return
            self._send(response.status, response.encoded(), response.headers)
            return
        bulk_match = _BULK_PATH.match(path)
        if bulk_match and method == "GET":
            self._bulk_file(int(bulk_match.group(1)))
            return
        if path.startswith("/__sandbox/"):
            self._control(method, path, raw)
            return
        self._send(404, json.dumps({"errors": "Not Found"}).encode())

    def _bulk_file(self, operation_id: int) -> None:
        answer = self.server.app.bulk.download(operation_id, dict(self.headers.items()))
        size = answer.file.stat().st_size if answer.file else len(answer.body)
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(size))
        if answer.file:
            self.send_header(
                "Content-Disposition", f'attachment; filename="bulk-{operation_id}.jsonl"'
            )
        self.end_headers()
        if answer.file is None:
            self.wfile.write(answer.body)
            return
        with answer.file.open("rb") as data:
            shutil.copyfileobj(data, self.wfile, 1 << 20)

    def _control(self, method: str, path: str, raw: bytes) -> None:
        headers: dict[str, str] = {}
        try:
            try:
                body = decode_json(raw) if raw.strip() else None
            except ValueError as exc:
                raise ControlError(f"the request body is not valid JSON: {exc}") from exc
            status, payload = self.server.app.control(method, path, body)
        except LookupError:
            status, payload = 404, {"error": f"no control route {method} {path}"}
        except MethodNotAllowed as exc:
            status, payload = 405, {"error": str(exc)}
            headers["Allow"] = ", ".join(exc.allowed)
        except SnapshotError as exc:
            status, payload = 400, {"error": "invalid store snapshot", "problems": exc.problems}
        except ValueError as exc:  # ControlError, FaultError, LatencyError, bad values
            status, payload = 400, {"error": str(exc)}
        self._send(status, json.dumps(payload).encode(), headers)

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch("POST")

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")


def address(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    if isinstance(host, bytes):
        host = host.decode()
    return f"http://{host}:{port}"


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 resets connections when a client opens many at once.
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], app: SandboxApp, read_timeout: float = READ_TIMEOUT
    ) -> None:
        super().__init__(address, Handler)
        self.app = app
        self.read_timeout = read_timeout
