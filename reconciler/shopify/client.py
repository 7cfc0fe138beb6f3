"""ShopifyClient: gql over requests, with Shopify's rules for retries, throttling and versions.

What is safe to retry depends on whether the store may have acted:

* THROTTLED and HTTP 429 mean the request was not executed: always retried, after waiting
  what the cost bucket (or ``Retry-After``) says.
* HTTP 5xx, timeouts and dropped connections leave the outcome unknown. Reads are retried.
  A mutation is retried only when the caller says it is idempotent (it carries an
  ``@idempotent`` key, 2026-01+); otherwise `OutcomeUnknown` is raised and the caller
  re-reads before deciding (2025-01).

The client also paces itself from ``extensions.cost.throttleStatus`` so a long run stays
under the bucket instead of bouncing off it (`pacing.Pacer`), checks that the store served the
API version asked for, and counts calls and cost points in `usage`. `fork()` gives another
worker thread its own HTTP session sharing the pacer and the usage, so several requests can
be in flight without overdrawing the bucket. The access token lives in a `Secret` and is
scrubbed from every error message.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

import requests
from gql import Client, GraphQLRequest
from gql.transport.exceptions import (
    TransportConnectionFailed,
    TransportProtocolError,
    TransportQueryError,
    TransportServerError,
)
from gql.transport.requests import RequestsHTTPTransport
from graphql import ExecutionResult

from reconciler import __version__
from reconciler.errors import (
    AuthenticationError,
    ConfigError,
    ResponseError,
    StoreError,
    TransientStoreError,
)

from .documents import Document, document
from .pacing import Pacer
from .secrets import Secret, redact
from .target import StoreTarget
from .usage import Usage

log = logging.getLogger(__name__)


class OutcomeUnknown(TransientStoreError):
    """A mutation may or may not have been applied (5xx, timeout, lost connection)."""


class _NotExecuted(TransientStoreError):
    """The store refused to run the request (THROTTLED, 429): retrying is always safe."""


class _HTTPStatusError(TransportServerError):
    def __init__(self, message: str, code: int, retry_after: float | None) -> None:
        super().__init__(message, code)
        self.retry_after = retry_after


class _Transport(RequestsHTTPTransport):
    """Raises on HTTP >= 400 even when the body is JSON, keeping status and Retry-After."""

    def _prepare_result(self, response: requests.Response) -> ExecutionResult:
        self.response_headers = response.headers
        if response.status_code >= 400:
            retry_after = response.headers.get("Retry-After")
            raise _HTTPStatusError(
                f"HTTP {response.status_code}",
                response.status_code,
                float(retry_after)
                if retry_after and retry_after.replace(".", "").isdigit()
                else None,
            )
        result: ExecutionResult = super()._prepare_result(response)
        return result


@dataclass
class Response:
    """A GraphQL answer: data (possibly partial), errors, and the cost it took."""

    data: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)
    requested_cost: int | None = None
    actual_cost: int | None = None


class ShopifyClient:
    """One connection to one store and API version; use as a context manager."""

    def __init__(
        self,
        target: StoreTarget,
        token: Secret,
        *,
        timeout: float = 30.0,
        max_attempts: int = 8,
        usage: Usage | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        pacer: Pacer | None = None,
    ) -> None:
        if not token:
            raise ConfigError("no access token: set SHOPIFY_ACCESS_TOKEN")
        self.target = target
        self.usage = usage or Usage()
        self._token = token
        self._max_attempts = max_attempts
        self._sleep = sleep
        self._clock = clock
        self._timeout = timeout
        self._pacer = pacer or Pacer(clock)
        self._transport = _Transport(
            url=target.endpoint,
            headers={
                "X-Shopify-Access-Token": token.reveal(),
                "User-Agent": f"reconciler/{__version__}",
            },
            timeout=int(math.ceil(timeout)),
            retries=0,
        )
        self._client = Client(transport=self._transport, fetch_schema_from_transport=False)
        self._session: Any = None

    def __enter__(self) -> ShopifyClient:
        self._session = self._client.connect_sync()  # type: ignore[no-untyped-call]
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._session is not None:
            self._client.close_sync()  # type: ignore[no-untyped-call]
            self._session = None

    def fork(self) -> ShopifyClient:
        """Another connection to the same store for another thread: its own HTTP session,
        the same pacing (cost bucket estimate) and the same `usage`. Close it when done."""
        return ShopifyClient(
            self.target,
            self._token,
            timeout=self._timeout,
            max_attempts=self._max_attempts,
            usage=self.usage,
            sleep=self._sleep,
            clock=self._clock,
            pacer=self._pacer,
        )

    # -- public API --------------------------------------------------------------------------

    def document(self, name: str) -> Document:
        return document(name, self.target.api_version)

    def query(self, name: str, variables: dict[str, Any]) -> Response:
        """Run a read; retried on every transient failure."""
        response = self._run(self.document(name), variables, retry_unknown=True)
        if response.errors:
            raise ResponseError(self._describe(response.errors), response.errors)
        return response

    def mutate(self, name: str, variables: dict[str, Any], *, idempotent: bool) -> Response:
        """Run a mutation; retried after an unknown outcome only if `idempotent`.

        The answer may carry top-level errors alongside data (e.g. ACCESS_DENIED on one
        sub-field while the mutation applied); the caller decides what they mean.
        """
        return self._run(self.document(name), variables, retry_unknown=idempotent)

    # -- sending -------------------------------------------------------------------------------

    def _run(self, doc: Document, variables: dict[str, Any], *, retry_unknown: bool) -> Response:
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._paced_send(doc, variables)
            except _NotExecuted as exc:
                self.usage.count_throttled()
                if attempt >= self._max_attempts:
                    raise TransientStoreError(f"gave up after {attempt} attempts: {exc}") from exc
                self._wait(exc.retry_after or self._backoff(attempt))
            except OutcomeUnknown:
                if not retry_unknown or attempt >= self._max_attempts:
                    raise
                self._wait(self._backoff(attempt))
            self.usage.count_retry()

    def _paced_send(self, doc: Document, variables: dict[str, Any]) -> Response:
        """Send once the shared cost bucket should hold this operation's cost."""
        ticket = self._pacer.admit(doc.operation, self._wait)
        try:
            return self._send(doc, variables)
        finally:
            self._pacer.release(ticket)

    def _send(self, doc: Document, variables: dict[str, Any]) -> Response:
        if self._session is None:
            self._session = self._client.connect_sync()  # type: ignore[no-untyped-call]
        try:
            request = GraphQLRequest(
                doc.node, variable_values=variables, operation_name=doc.operation
            )
            result = self._session.execute(request, get_execution_result=True)
            data, errors, extensions = result.data, [], result.extensions
        except TransportQueryError as exc:
            data = exc.data
            errors = list(exc.errors or [])
            extensions = exc.extensions
        except _HTTPStatusError as exc:
            self._http_error(exc, doc)
        except (
            TransportConnectionFailed,
            TransportProtocolError,
            requests.RequestException,
        ) as exc:
            raise OutcomeUnknown(
                f"no answer from {self.target.name} for {doc.operation}: "
                + redact(str(exc), self._token)
            ) from None
        self._check_version(doc)
        cost = (extensions or {}).get("cost") or {}
        self._pacer.observe(doc.operation, cost)
        codes = {str((e.get("extensions") or {}).get("code")) for e in errors}
        if "THROTTLED" in codes:
            raise _NotExecuted("throttled", self._throttle_wait(cost))
        if "MAX_COST_EXCEEDED" in codes:
            raise ResponseError(
                f"{doc.operation} asked for more than Shopify's single-query cost limit", errors
            )
        if "ACCESS_DENIED" in codes:
            raise AuthenticationError(
                f"the access token lacks a scope for {doc.operation}: " + self._describe(errors)
            )
        if "INTERNAL_SERVER_ERROR" in codes and not data:
            raise OutcomeUnknown(f"{self.target.name} failed internally: {self._describe(errors)}")
        self.usage.record(
            doc.operation, cost.get("requestedQueryCost"), cost.get("actualQueryCost")
        )
        return Response(
            data or {}, errors, cost.get("requestedQueryCost"), cost.get("actualQueryCost")
        )

    def _http_error(self, exc: _HTTPStatusError, doc: Document) -> NoReturn:
        code = exc.code or 0
        where = f"{self.target.name} answered HTTP {code} to {doc.operation}"
        if code in (401, 403):
            raise AuthenticationError(
                f"{where}: the access token was refused (check SHOPIFY_ACCESS_TOKEN and the "
                "app's scopes: read_inventory, write_inventory, read_locations)"
            ) from None
        if code == 404:
            raise ConfigError(
                f"{where}: no such store or API version ({self.target.endpoint})"
            ) from None
        if code == 429:
            raise _NotExecuted(where, exc.retry_after or 1.0) from None
        if code in (402, 423):
            raise StoreError(f"{where}: the shop is frozen or locked") from None
        if code >= 500:
            raise OutcomeUnknown(where) from None
        raise StoreError(where) from None

    def _check_version(self, doc: Document) -> None:
        headers: Any = self._transport.response_headers or {}
        served = headers.get("X-Shopify-API-Version")
        if served and served != self.target.api_version:
            raise ConfigError(
                f"{self.target.name} served API version {served} instead of "
                f"{self.target.api_version} (Shopify falls forward when a version is no longer "
                f"supported): choose --api-version {served} or newer"
            )

    # -- pacing ------------------------------------------------------------------------------

    def _throttle_wait(self, cost: dict[str, Any]) -> float:
        status = cost.get("throttleStatus") or {}
        rate = float(status.get("restoreRate") or 50.0)
        missing = float(cost.get("requestedQueryCost") or rate) - float(
            status.get("currentlyAvailable") or 0
        )
        return max(0.05, missing / rate)

    def _backoff(self, attempt: int) -> float:
        return float(min(30.0, 0.25 * 2 ** (attempt - 1)) * (1 + random.random() * 0.25))

    def _wait(self, seconds: float) -> None:
        self.usage.count_wait(seconds)
        self._sleep(seconds)

    def _describe(self, errors: list[dict[str, Any]]) -> str:
        messages = [str(e.get("message", e)) for e in errors[:3]]
        more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
        return redact("; ".join(messages) + more, self._token)
