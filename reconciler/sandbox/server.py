"""The sandbox over real HTTP: Shopify's URL layout plus a control plane for tests.

``POST /admin/api/{version}/graphql.json`` with ``X-Shopify-Access-Token`` is the Admin API.
Everything under ``/__sandbox/`` is the control plane (never part of Shopify's URL space):

=========================  ===================================================================
``GET  /__sandbox/health``   versions served, counts of locations/items/levels
``POST /__sandbox/reset``    back to the snapshot the sandbox started with (empty without one),
                             or to the snapshot in the body
``GET  /__sandbox/snapshot`` export the store; ``PUT`` replaces it with a snapshot (JSON body)
``POST /__sandbox/generate`` replace the store with ``{"items": N, "locations": M, "seed": S}``
``POST /__sandbox/bulk``     ``{"hold": "CREATED" | "RUNNING" | null}`` keeps new bulk operations
                             at that status until released; ``fail``, ``expire``, ``expireUrl``,
                             ``limitReached`` script outcomes (see `bulk_script`); ``GET`` shows
                             them and every result download
``GET|POST|DELETE /__sandbox/faults``  list, add or clear fault rules (see `faults`)
``POST /__sandbox/sale``     ``{"inventoryItemId", "locationId", "quantity", "fulfil"}``
``GET|DELETE /__sandbox/stats``  calls and cost points served so far, or reset them
``POST /__sandbox/throttle`` ``{"plan": "plus"}`` and/or ``{"currentlyAvailable": 0}``
``POST /__sandbox/tokens``   ``{"token", "scopes": [...], "app": "name"}`` adds an app token
``GET  /__sandbox/history``  every inventory adjustment group (Shopify's inventory history)
``GET|POST /__sandbox/calendar``  the sandbox's date and how each API version is served;
                             ``{"today": "2026-12-02" | null, "serveRetired": ["2025-01"]}``
                             (see `calendar`)
``GET|POST /__sandbox/latency``  ``{"mutation_ms": 300, "query_ms": 0}``: how long each executed
                             mutation / query waits before it runs (see `latency`)
``GET|POST /__sandbox/executor``  ``{"fastReads": false}`` answers every query with graphql-core
                             instead of the fast read path (`fast_reads`), e.g. to compare them
``GET  /__sandbox/bulk/<id>.jsonl``  a bulk operation's result file (no token, like
                             Shopify's signed storage URLs)
=========================  ===================================================================

Control-plane failures answer JSON ``{"error": "..."}``: 400 for a bad request (an invalid
snapshot adds ``"problems"``, one ``<JSON path>: <reason>`` each), 404 for an unknown route,
405 for a known route with the wrong method.

Persistence: with ``db=<file>`` the store lives in that SQLite file (bulk results next to it, in
``<file>.bulk/``) and a restart without a snapshot carries on with it: quantities, history,
idempotency keys and finished bulk operations survive; operations left unfinished by the
previous process are FAILED. A restart *with* a snapshot replaces the file's contents with
the snapshot.

`Sandbox` runs the server in a thread (tests, ``make demo``); ``reconciler sandbox serve``
runs it in the foreground.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import control_input as checks
from . import ids, snapshot
from .bulk import BulkRunner
from .calendar import Calendar, CalendarSetting, check_versions, parse_day
from .context import ALL_SCOPES, Shop, Token
from .control_input import ControlError
from .cost import PLANS
from .engine import Engine
from .faults import Faults
from .latency import Latency, Setting
from .quantities import ADJUST_LIMIT, SET_LIMIT, record_sale
from .request_body import API_BODY_LIMIT, CONTROL_BODY_LIMIT, BadRequest, decode_json, read_body
from .response import Response
from .schema import warm_up
from .snapshot import SnapshotError
from .state import State

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "sandbox-token"
# The version segment is optional: without it Shopify serves the oldest supported version.
_API_PATH = re.compile(r"^/admin/api/(?:([^/]+)/)?graphql\.json$")
_BULK_PATH = re.compile(r"^/__sandbox/bulk/(\d+)\.jsonl$")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
READ_TIMEOUT = 60.0  # seconds a connection may stay silent (idle, or mid-body) before it closes
# Synthetic stores: a million levels take about 200 MiB; 5 million is the most served.
MAX_GENERATED_ITEMS = 2_000_000
MAX_GENERATED_LEVELS = 5_000_000


class SandboxApp:
    """The store plus its HTTP-independent request handling (testable without sockets)."""

    def __init__(
        self,
        db: str | None = None,
        snapshot_data: dict[str, Any] | None = None,
        token: str = DEFAULT_TOKEN,
        plan: str = "standard",
        calendar: Calendar | None = None,
        data_dir: Path | None = None,
        latency: Setting | None = None,
    ) -> None:
        if plan not in PLANS:
            raise ValueError(f"plan must be one of {', '.join(PLANS)}")
        if snapshot_data is not None:
            snapshot.validate(snapshot_data)  # before the db file is touched
        self.state = State(db)
        persistent = db is not None and db != ":memory:"
        if data_dir is None and not persistent:
            data_dir = Path(tempfile.mkdtemp(prefix="reconciler-sandbox-"))
        self.data_dir = data_dir
        self.initial = snapshot_data
        self.token = token
        self.tokens = {token: Token(token, ALL_SCOPES)}
        self.faults = Faults()
        bulk_dir = data_dir / "bulk" if data_dir is not None else Path(f"{db}.bulk")
        self.bulk = BulkRunner(self.state, bulk_dir)
        if snapshot_data is not None:
            snapshot.load(self.state, snapshot_data, validated=True)
        self.calendar = CalendarSetting(calendar or Calendar())
        self.engine = Engine(
            self.state,
            self.tokens,
            self._shop(),
            self.faults,
            self.bulk,
            plan,
            self.calendar,
            Latency(latency),
        )

    def _shop(self) -> Shop:
        default = Shop()
        return Shop(
            name=self.state.get_meta("shop:name", default.name) or default.name,
            domain=self.state.get_meta("shop:domain", default.domain) or default.domain,
            currency=self.state.get_meta("shop:currency", default.currency) or default.currency,
        )

    def _replace(self, fill: Callable[[], None]) -> None:
        """Stop bulk work, replace the store's contents, forget the old bulk files."""
        self.bulk.stop_all()
        fill()
        self.bulk.discard_files()
        self.engine.shop = self._shop()

    def load(self, data: dict[str, Any]) -> None:
        """Replace the store with a snapshot; an invalid one changes nothing."""
        snapshot.validate(data)
        self._replace(lambda: snapshot.load(self.state, data, validated=True))

    def generate(self, items: int, locations: int, seed: int) -> None:
        snapshot.check_generate_spec(items, locations, seed)
        if items > MAX_GENERATED_ITEMS:
            raise ControlError(f"items must be at most {MAX_GENERATED_ITEMS:,}, got {items:,}")
        if items * locations > MAX_GENERATED_LEVELS:
            raise ControlError(
                f"items x locations must be at most {MAX_GENERATED_LEVELS:,} levels, got "
                f"{items:,} x {locations:,} = {items * locations:,}"
            )
        self._replace(lambda: snapshot.load_generated(self.state, items, locations, seed))

    def reset(self, data: dict[str, Any] | None = None) -> None:
        """Back to `data`, else the start snapshot, else an empty store; faults, buckets,
        app tokens added through the control plane and the latency too."""
        data = data if data is not None else self.initial
        if data is None:
            self._replace(self.state.wipe)
        else:
            self.load(data)
        self.faults.clear()
        self.calendar.restore()
        self.engine.buckets.clear()
        self.engine.latency.reset()
        self.engine.fast_reads = True
        for value in [v for v in self.tokens if v != self.token]:
            del self.tokens[value]

    # -- control plane -------------------------------------------------------------------------

    def control(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        """Answer one control-plane request: (HTTP status, JSON body).

        Raises LookupError for an unknown route, `MethodNotAllowed` for a known route with the
        wrong method, and ControlError/ValueError (incl. SnapshotError) for a bad request.
        """
        routes = _ROUTES.get(path)
        if routes is None:
            raise LookupError(path)
        if method not in routes:
            raise MethodNotAllowed(method, path, routes)
        route = (method, path)
        if route == ("GET", "/__sandbox/health"):
            return 200, {
                "ok": True,
                "versions": list(self.calendar.current.served()),
                "persistent": self.state.path != ":memory:",
                **self.state.counts(),
            }
        if route == ("POST", "/__sandbox/reset"):
            if body is not None and not isinstance(body, dict):
                raise ControlError("expected a JSON object (a store snapshot) or no body")
            self.reset(body or None)
            return 200, {"ok": True, **self.state.counts()}
        if route == ("GET", "/__sandbox/snapshot"):
            return 200, snapshot.export(self.state)
        if route in (("PUT", "/__sandbox/snapshot"), ("POST", "/__sandbox/snapshot")):
            self.load(_object(body))
            return 200, {"ok": True, **self.state.counts()}
        if route == ("POST", "/__sandbox/generate"):
            spec = _object(body)
            unknown = sorted(set(spec) - {"items", "locations", "seed"})
            if unknown:
                raise ControlError(
                    f"unknown field(s) {', '.join(unknown)}; expected items, locations, seed"
                )
            self.generate(spec.get("items", 100), spec.get("locations", 3), spec.get("seed", 1))
            return 200, {"ok": True, **self.state.counts()}
        if route == ("POST", "/__sandbox/bulk"):
            return 200, self.bulk.control(_object(body))
        if route == ("GET", "/__sandbox/bulk"):
            return 200, self.bulk.describe()
        if route == ("GET", "/__sandbox/faults"):
            return 200, {"faults": self.faults.listing()}
        if route == ("POST", "/__sandbox/faults"):
            rules = body if isinstance(body, list) else [_object(body)]
            return 200, {"faults": [self.faults.add(r).as_dict() for r in rules]}
        if route == ("DELETE", "/__sandbox/faults"):
            self.faults.clear()
            return 200, {"faults": []}
        if route == ("POST", "/__sandbox/sale"):
            return 200, self._sale(_object(body))
        if route == ("GET", "/__sandbox/stats"):
            return 200, self.engine.stats.as_dict()
        if route == ("DELETE", "/__sandbox/stats"):
            self.engine.stats = type(self.engine.stats)()
            return 200, self.engine.stats.as_dict()
        if route == ("POST", "/__sandbox/throttle"):
            return 200, self._throttle(_object(body))
        if route == ("POST", "/__sandbox/tokens"):
            spec = _object(body)
            checks.only(spec, ("token", "scopes", "app"))
            value = checks.text(spec, "token")
            scopes = frozenset(checks.scopes(spec) or ALL_SCOPES)
            app = checks.text(spec, "app", "reconciler-sandbox")
            self.tokens[value] = Token(value, scopes, app, len(self.tokens) + 1)
            return 200, {"ok": True, "scopes": sorted(scopes)}
        if route == ("GET", "/__sandbox/calendar"):
            return 200, self.calendar.current.as_dict()
        if route == ("POST", "/__sandbox/calendar"):
            return 200, self.calendar.update(_object(body)).as_dict()
        if route == ("POST", "/__sandbox/executor"):
            spec = _object(body)
            checks.only(spec, ("fastReads",))
            self.engine.fast_reads = checks.boolean(spec, "fastReads", self.engine.fast_reads)
        if route in (("GET", "/__sandbox/executor"), ("POST", "/__sandbox/executor")):
            return 200, {"fastReads": self.engine.fast_reads}
        if route == ("GET", "/__sandbox/latency"):
            return 200, self.engine.latency.as_dict()
        if route == ("POST", "/__sandbox/latency"):
            self.engine.latency.update(_object(body))
            return 200, self.engine.latency.as_dict()
        if route == ("GET", "/__sandbox/history"):
            return 200, {"adjustmentGroups": self._history()}
        raise LookupError(path)  # pragma: no cover - _ROUTES and the branches above agree

    def _sale(self, spec: dict[str, Any]) -> dict[str, Any]:
        checks.only(spec, ("inventoryItemId", "locationId", "quantity", "fulfil"))
        item = ids.parse(checks.text(spec, "inventoryItemId", max_length=200), "InventoryItem")
        location = ids.parse(checks.text(spec, "locationId", max_length=200), "Location")
        if item is None or location is None:
            raise ControlError("inventoryItemId and locationId must be Shopify GIDs")
        quantity = checks.integer(spec, "quantity", 1, 1, SET_LIMIT)
        fulfil = checks.boolean(spec, "fulfil", False)
        level = self.state.level(item, location)
        if level is not None:
            after = level.quantities["available"] - quantity
            if after < -ADJUST_LIMIT or level.quantities["committed"] + quantity > ADJUST_LIMIT:
                raise ControlError(
                    f"a sale of {quantity:,} would take this level beyond "
                    f"±{ADJUST_LIMIT:,} (available {level.quantities['available']:,}, "
                    f"committed {level.quantities['committed']:,})"
                )
        try:
            group = record_sale(self.state, item, location, quantity, fulfil)
        except LookupError as exc:
            raise ControlError(str(exc)) from exc
        return {"ok": True, "adjustmentGroupId": ids.gid("InventoryAdjustmentGroup", group)}

    def _throttle(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Checked whole before anything changes: the plan, then the level in its bucket."""
        checks.only(spec, ("plan", "currentlyAvailable"))
        plan = checks.choice(spec, "plan", self.engine.plan, PLANS)
        level = None
        if "currentlyAvailable" in spec:
            level = checks.number(spec, "currentlyAvailable", 0, 0, PLANS[plan][0])
        if "plan" in spec:
            self.engine.set_plan(plan)
        for token in self.tokens.values():
            bucket = self.engine.bucket(token)
            if level is not None:
                bucket.drain(level)
        any_token = next(iter(self.tokens.values()))
        return {"throttleStatus": self.engine.bucket(any_token).status().as_dict()}

    def _history(self) -> list[dict[str, Any]]:
        with self.state.reading() as conn:
            group_ids = [r[0] for r in conn.execute("SELECT id FROM adjustment_groups ORDER BY id")]
        out = []
        for group_id in group_ids:
            group = self.state.adjustment_group(group_id)
            assert group is not None
            out.append(
                {
                    "id": ids.gid("InventoryAdjustmentGroup", group.id),
                    "createdAt": group.created_at,
                    "reason": group.reason,
                    "referenceDocumentUri": group.reference_document_uri,
                    "app": group.app_title,
                    "changes": [
                        {
                            "inventoryItemId": ids.gid("InventoryItem", c.item_id),
                            "locationId": ids.gid("Location", c.location_id),
                            "name": c.name,
                            "delta": c.delta,
                            "ledgerDocumentUri": c.ledger_document_uri,
                        }
                        for c in group.changes
                    ],
                }
            )
        return out

    def close(self) -> None:
        self.bulk.stop_all(timeout=5)
        self.state.close()


_ROUTES: dict[str, tuple[str, ...]] = {
    "/__sandbox/health": ("GET",),
    "/__sandbox/reset": ("POST",),
    "/__sandbox/snapshot": ("GET", "PUT", "POST"),
    "/__sandbox/generate": ("POST",),
    "/__sandbox/bulk": ("GET", "POST"),
    "/__sandbox/faults": ("GET", "POST", "DELETE"),
    "/__sandbox/sale": ("POST",),
    "/__sandbox/stats": ("GET", "DELETE"),
    "/__sandbox/throttle": ("POST",),
    "/__sandbox/tokens": ("POST",),
    "/__sandbox/history": ("GET",),
    "/__sandbox/calendar": ("GET", "POST"),
    "/__sandbox/latency": ("GET", "POST"),
    "/__sandbox/executor": ("GET", "POST"),
}


class MethodNotAllowed(Exception):
    def __init__(self, method: str, path: str, allowed: tuple[str, ...]) -> None:
        super().__init__(f"{path} does not accept {method}; use {' or '.join(allowed)}")
        self.allowed = allowed


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ControlError("expected a JSON object in the request body")
    return body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK (40-200 ms per request on Linux keep-alive connections).
    disable_nagle_algorithm = True
    server: _Server

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
        return _address(self.server)

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


def _address(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    if isinstance(host, bytes):
        host = host.decode()
    return f"http://{host}:{port}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 resets connections when a client opens many at once.
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], app: SandboxApp, read_timeout: float = READ_TIMEOUT
    ) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self.read_timeout = read_timeout


class Sandbox:
    """A sandbox store served on a background thread: ``with Sandbox(snapshot) as sb: sb.url``."""

    def __init__(
        self,
        snapshot_data: dict[str, Any] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        db: str | None = None,
        token: str = DEFAULT_TOKEN,
        plan: str = "standard",
        today: date | str | None = None,
        serve_retired: Iterable[str] = (),
        allow_remote: bool = False,
        latency: Setting | None = None,
        read_timeout: float = READ_TIMEOUT,
    ) -> None:
        if host not in LOOPBACK and not allow_remote:
            raise ValueError(
                f"refusing to listen on {host}: the sandbox serves loopback only "
                "(pass allow_remote to override)"
            )
        calendar = Calendar(
            parse_day(today) if today is not None else None, check_versions(serve_retired)
        )
        self.app = SandboxApp(db, snapshot_data, token, plan, calendar, latency=latency)
        self.token = token
        self._server = _Server((host, port), self.app, read_timeout)
        self._thread: threading.Thread | None = None
        warm_up(calendar.served())

    @property
    def url(self) -> str:
        return _address(self._server)

    def graphql_url(self, version: str) -> str:
        return f"{self.url}/admin/api/{version}/graphql.json"

    def start(self) -> Sandbox:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="sandbox-http", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.app.close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = ["DEFAULT_TOKEN", "Sandbox", "SandboxApp"]
