"""Fault injection: make the network and the shop misbehave on purpose, on cue.

Rules are added through the control plane (``POST /__sandbox/faults``) and match requests by
the root fields they call. Kinds:

* ``http_error`` – answer with an HTTP status (e.g. 502/503) before doing anything; a 429 is
  Shopify's, with its message and ``Retry-After: 2.0`` (``retryAfter`` sets the seconds,
  ``null`` leaves the header out);
* ``throttle`` – answer THROTTLED whatever the bucket holds;
* ``latency`` – sleep ``seconds`` before the request (``phase: before``) or, for a mutation,
  between claiming its idempotency key (if any) and applying (``phase: during``): a second
  request with the same key meanwhile gets IDEMPOTENCY_CONCURRENT_REQUEST;
* ``lose_response`` – apply the request fully, then drop the connection without answering
  (or answer ``status`` with an empty body): the client cannot know it succeeded;
* ``sale`` – an order takes ``quantity`` units of an item at a location (available →
  committed) just before the matching request runs: the race a reconciler must survive;
* ``internal_error`` – the store breaks in the middle of a mutation, after claiming its
  idempotency key and before applying anything: the client gets INTERNAL_SERVER_ERROR, nothing
  changes, and a retry with the same key gets IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED.

Each rule fires ``times`` times (-1: forever) after skipping its first ``skip`` matches. Every
field is checked when the rule is added: unknown fields, wrong types and numbers out of range
(``seconds`` up to 600, counts up to 1,000,000, HTTP error statuses 400-599) are refused.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from . import control_input as checks
from . import ids
from .quantities import SET_LIMIT, record_sale
from .response import Response
from .state import State

KINDS = ("http_error", "throttle", "latency", "lose_response", "sale", "internal_error")
PHASES = ("before", "during")
# What Shopify answers with a 429 (recorded on its REST Admin API; docs/shopify-captures.md §7).
THROTTLED_429 = (
    "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted "
    "service."
)
SHOPIFY_RETRY_AFTER = 2.0


class FaultError(checks.ControlError):
    """A fault rule the control plane cannot accept."""


class InjectedFailure(RuntimeError):
    """The ``internal_error`` fault: the store broke while applying a mutation."""


@dataclass
class Rule:
    id: int
    kind: str
    operation: str = "*"
    times: int = 1
    skip: int = 0
    status: int = 503
    seconds: float = 0.0
    phase: str = "before"
    inventory_item_id: str | None = None
    location_id: str | None = None
    quantity: int = 1
    retry_after: float | None = None
    fired: int = 0
    seen: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


FIELDS = (
    "kind",
    "operation",
    "times",
    "skip",
    "status",
    "seconds",
    "phase",
    "inventoryItemId",
    "locationId",
    "quantity",
    "retryAfter",
)
MAX_COUNT = 1_000_000
MAX_SECONDS = 600.0
MAX_RETRY_AFTER = 3600.0


def rule_from_json(rule_id: int, data: dict[str, Any]) -> Rule:
    """A rule from its control-plane JSON; every field typed and bounded (FaultError if not)."""
    kind = data.get("kind")
    if kind not in KINDS:
        raise FaultError(f"kind must be one of {', '.join(KINDS)}")
    try:
        checks.only(data, FIELDS)
        if kind == "http_error":
            status = checks.integer(data, "status", 503, 400, 599)
        else:  # lose_response: 0 drops the connection, else the status sent with no body
            status = checks.integer(data, "status", 0, 0, 599)
            if 0 < status < 400:
                raise checks.ControlError(f"status must be 0 or 400 to 599, got {status}")
        rule = Rule(
            id=rule_id,
            kind=str(kind),
            operation=checks.text(data, "operation", "*", max_length=200),
            times=checks.integer(data, "times", 1, -1, MAX_COUNT),
            skip=checks.integer(data, "skip", 0, 0, MAX_COUNT),
            status=status,
            seconds=checks.number(data, "seconds", 0.0, 0.0, MAX_SECONDS),
            phase=checks.choice(data, "phase", "before", PHASES),
            inventory_item_id=checks.optional_text(data, "inventoryItemId", 200),
            location_id=checks.optional_text(data, "locationId", 200),
            quantity=checks.integer(data, "quantity", 1, 1, SET_LIMIT),
            retry_after=checks.optional_number(
                data,
                "retryAfter",
                SHOPIFY_RETRY_AFTER if status == 429 else None,
                0.0,
                MAX_RETRY_AFTER,
            ),
        )
    except checks.ControlError as exc:
        raise FaultError(str(exc)) from exc
    if kind == "sale" and not (rule.inventory_item_id and rule.location_id):
        raise FaultError("a sale needs inventoryItemId and locationId")
    return rule


def http_error(rule: Rule) -> Response:
    """The answer of an injected HTTP error. A 429 is Shopify's: its throttle message and
    ``Retry-After`` in seconds written as a float (docs/shopify-captures.md §7)."""
    headers = {} if rule.retry_after is None else {"Retry-After": str(float(rule.retry_after))}
    message = THROTTLED_429 if rule.status == 429 else f"Injected HTTP {rule.status}"
    return Response(rule.status, {"errors": message}, headers)


class Faults:
    def __init__(self) -> None:
        self.rules: list[Rule] = []
        self.lock = threading.Lock()
        self.next_id = 1

    def add(self, data: dict[str, Any]) -> Rule:
        with self.lock:
            rule = rule_from_json(self.next_id, data)
            self.next_id += 1
            self.rules.append(rule)
            return rule

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()

    def listing(self) -> list[dict[str, Any]]:
        with self.lock:
            return [r.as_dict() for r in self.rules]

    def _fire(self, kind: str, names: list[str], phase: str | None = None) -> list[Rule]:
        """Rules of this kind that fire for a request calling `names` (counts them)."""
        fired = []
        with self.lock:
            for rule in self.rules:
                if rule.kind != kind or (phase is not None and rule.phase != phase):
                    continue
                if rule.operation != "*" and rule.operation not in names:
                    continue
                if rule.times != -1 and rule.fired >= rule.times:
                    continue
                rule.seen += 1
                if rule.seen <= rule.skip:
                    continue
                rule.fired += 1
                fired.append(rule)
        return fired

    def before(self, names: list[str]) -> Response | None:
        """Latency and HTTP errors that happen before the store does anything."""
        for rule in self._fire("latency", names, "before"):
            time.sleep(rule.seconds)
        for rule in self._fire("http_error", names):
            return http_error(rule)
        return None

    def throttled(self, names: list[str]) -> bool:
        return bool(self._fire("throttle", names))

    def during(self, operation: str) -> None:
        """Between claiming an idempotency key (if any) and applying the mutation."""
        for rule in self._fire("latency", [operation], "during"):
            time.sleep(rule.seconds)
        if self._fire("internal_error", [operation]):
            raise InjectedFailure(f"injected internal error in {operation}")

    def sales(self, names: list[str], state: State) -> None:
        for rule in self._fire("sale", names):
            item = ids.parse(rule.inventory_item_id or "", "InventoryItem")
            location = ids.parse(rule.location_id or "", "Location")
            if item is not None and location is not None:
                try:
                    record_sale(state, item, location, rule.quantity)
                except LookupError:
                    continue  # nothing stocked there: no order can take it

    def after(self, names: list[str]) -> Response | None:
        """The request was applied; maybe its answer never reaches the client."""
        for rule in self._fire("lose_response", names):
            return Response(rule.status or 502, None, drop=rule.status == 0)
        return None
