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
runs it in the foreground. The HTTP layer (framing, limits, JSON errors) is `http_server`;
control-plane input is checked field by field by `control_input`.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable, Iterable
from datetime import date
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
from .http_server import READ_TIMEOUT, MethodNotAllowed, Server, address
from .latency import Latency, Setting
from .quantities import ADJUST_LIMIT, SET_LIMIT, record_sale
from .schema import warm_up
from .state import State
from .totals import DEFAULT_LAG

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "sandbox-token"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
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
        self.state.total_lag.lag = DEFAULT_LAG
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
        if route == ("GET", "/__sandbox/total-inventory"):
            return 200, self.state.total_lag.status()
        if route == ("POST", "/__sandbox/total-inventory"):
            return 200, self._total_inventory(_object(body))
        if route == ("GET", "/__sandbox/latency"):
            return 200, self.engine.latency.as_dict()
        if route == ("POST", "/__sandbox/latency"):
            self.engine.latency.update(_object(body))
            return 200, self.engine.latency.as_dict()
        if route == ("GET", "/__sandbox/history"):
            return 200, {"adjustmentGroups": self._history()}
        raise LookupError(path)  # pragma: no cover - _ROUTES and the branches above agree

    def _total_inventory(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Set how long Product.totalInventory lags (`lag`: seconds, or null for "until
        flushed") and/or let every total catch up now (`flush: true`)."""
        checks.only(spec, ("lag", "flush"))
        lag = self.state.total_lag
        if "lag" in spec:
            value = spec["lag"]
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float) or value < 0
            ):
                raise ControlError("lag must be a number of seconds >= 0, or null")
            lag.lag = None if value is None else float(value)
        if checks.boolean(spec, "flush", False):
            lag.flush()
        return {"ok": True, **lag.status()}

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
    "/__sandbox/total-inventory": ("GET", "POST"),
    "/__sandbox/executor": ("GET", "POST"),
}


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ControlError("expected a JSON object in the request body")
    return body


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
        self._server = Server((host, port), self.app, read_timeout)
        self._thread: threading.Thread | None = None
        warm_up(calendar.served())

    @property
    def url(self) -> str:
        return address(self._server)

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
