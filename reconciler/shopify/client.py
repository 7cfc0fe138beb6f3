"""ShopifyClient: gql over requests, with Shopify's rules for retries, throttling and versions.

What is safe to retry depends on whether the store may have acted:

* THROTTLED and HTTP 429 mean the request was not executed: retried until the run's deadline,
  after waiting what the cost bucket (or ``Retry-After``) says (`retry.RetryPolicy`).
* HTTP 5xx, timeouts and dropped connections leave the outcome unknown. Reads are retried.
  A mutation is retried only when the caller says it is idempotent (it carries an
  ``@idempotent`` key, 2026-01+); otherwise `OutcomeUnknown` is raised and the caller
  re-reads before deciding (2025-01).
* A redirect is never followed: the token would go with it, to wherever it points (and over
  plain http). It is an error naming where it pointed.

The client also paces itself from ``extensions.cost.throttleStatus`` so a long run stays
under the bucket instead of bouncing off it, checks that the store served the API version
asked for, tells `progress` whenever it waits, never passes the run's `Deadline`, and counts
calls and cost points in `usage`. `fork` gives a worker its own HTTP session sharing the
usage, the bucket estimate and the deadline (all thread-safe). The access token lives in a
`Secret` and is scrubbed from every message.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
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
from reconciler.progress import SILENT, Progress
from reconciler.secrets import Secret, redact

from .deadline import Deadline, describe
from .documents import Document, document
from .pacing import Pacer
from .retry import RetryPolicy
from .target import StoreTarget
from .usage import Usage

log = logging.getLogger(__name__)
_VERSION_NAME = re.compile(r"\d{4}-\d{2}|unstable")


class OutcomeUnknown(TransientStoreError):
    """A mutation may or may not have been applied (5xx, timeout, lost connection)."""


class _NotExecuted(TransientStoreError):
    """The store refused to run the request (THROTTLED, 429): retrying is always safe."""

    def __init__(self, message: str, wait: float) -> None:
        super().__init__(message, wait)
        self.wait = wait


class RedirectRefused(StoreError):
    """The store answered with a redirect; following it would hand the token to its target."""


class _HTTPStatusError(TransportServerError):
    def __init__(self, message: str, code: int, headers: Any) -> None:
        super().__init__(message, code)
        self.headers = headers


class _Transport(RequestsHTTPTransport):
    """Raises on HTTP >= 300 (redirects included) even when the body is JSON."""

    def _prepare_result(self, response: requests.Response) -> ExecutionResult:
        self.response_headers = response.headers
        if response.status_code >= 300:
            raise _HTTPStatusError(
                f"HTTP {response.status_code}", response.status_code, response.headers
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
    served_at: datetime | None = None  # the store's clock (HTTP Date), for lock expiry


class ShopifyClient:
    """One connection to one store and API version; use as a context manager."""

    def __init__(
        self,
        target: StoreTarget,
        token: Secret,
        *,
        policy: RetryPolicy | None = None,
        deadline: Deadline | None = None,
        usage: Usage | None = None,
        progress: Progress = SILENT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        if not token:
            raise ConfigError("no access token: set SHOPIFY_ACCESS_TOKEN")
        self.target = target
        self.usage = usage or Usage()
        self.policy = policy or RetryPolicy.from_environment()
        self.deadline = deadline or Deadline()
        self.progress = progress
        # Called with the operation before every mutation is sent; raising stops it unsent
        # (the store lock uses it to stop writing once it has lost the lock).
        self.guard: Callable[[str], None] | None = None
        self._token = token
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._pacer = pacer or Pacer(clock)
        self._throttled_in_a_row = 0
        self._transport = _Transport(
            url=target.endpoint,
            headers={
                "X-Shopify-Access-Token": token.reveal(),
                "User-Agent": f"reconciler/{__version__}",
            },
            retries=0,
        )
        self._client = Client(transport=self._transport, fetch_schema_from_transport=False)
        self._session: Any = None

    def fork(self) -> ShopifyClient:
        """Another client for a worker thread: its own HTTP session, the same store, token,
        deadline, usage and cost-bucket estimate (so workers pace together)."""
        twin = ShopifyClient(
            self.target,
            self._token,
            policy=self.policy,
            deadline=self.deadline,
            usage=self.usage,
            progress=self.progress,
            sleep=self._sleep,
            clock=self._clock,
            rng=random.Random(self._rng.random()),
            pacer=self._pacer,
        )
        twin.guard = self.guard
        return twin

    def __enter__(self) -> ShopifyClient:
        self._session = self._client.connect_sync()  # type: ignore[no-untyped-call]
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._session is not None:
            self._client.close_sync()  # type: ignore[no-untyped-call]
            self._session = None

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
        doc = self.document(name)
        if self.guard is not None:
            self.guard(doc.operation)
        return self._run(doc, variables, retry_unknown=idempotent)

    # -- sending -------------------------------------------------------------------------------

    def _run(self, doc: Document, variables: dict[str, Any], *, retry_unknown: bool) -> Response:
        attempt = unknown = timeouts = 0
        while True:
            attempt += 1
            self.deadline.check(f"{doc.operation} to {self.target.name}")
            try:
                response = self._paced_send(doc, variables)
                self._throttled_in_a_row = 0
                return response
            except _NotExecuted as exc:
                self.usage.count_throttled()
                self._retry_wait(exc.wait, f"{exc}; retrying {doc.operation}", attempt)
            except _TimedOut as exc:
                timeouts += 1
                if not retry_unknown or timeouts >= self.policy.max_timeouts:
                    raise OutcomeUnknown(f"{exc} ({timeouts} time(s)); giving up") from None
                wait = self.policy.backoff(timeouts, self._rng)
                self._retry_wait(wait, f"{exc}; trying {doc.operation} again", attempt)
            except OutcomeUnknown as exc:
                unknown += 1
                if not retry_unknown or unknown >= self.policy.max_attempts:
                    raise
                wait = self.policy.backoff(unknown, self._rng)
                self._retry_wait(wait, f"{exc}; retrying", attempt)
            self.usage.count_retry()

    def _paced_send(self, doc: Document, variables: dict[str, Any]) -> Response:
        """Send once the shared cost bucket should hold this operation's cost."""
        ticket = self._pacer.admit(doc.operation, lambda seconds: self._pace(doc, seconds))
        try:
            return self._send(doc, variables)
        finally:
            self._pacer.release(ticket)

    def _send(self, doc: Document, variables: dict[str, Any]) -> Response:
        if self._session is None:
            self._session = self._client.connect_sync()  # type: ignore[no-untyped-call]
        timeout = (
            self.deadline.clip(self.policy.connect_timeout),
            self.deadline.clip(self.policy.read_timeout),
        )
        try:
            request = GraphQLRequest(
                doc.node, variable_values=variables, operation_name=doc.operation
            )
            result = self._session.execute(
                request,
                get_execution_result=True,
                extra_args={"timeout": timeout, "allow_redirects": False},
            )
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
            cause = exc.__cause__ if exc.__cause__ is not None else exc
            if isinstance(cause, requests.ReadTimeout):
                raise _TimedOut(
                    f"no answer from {self.target.name} to {doc.operation} within "
                    f"{describe(timeout[1])}"
                ) from None
            raise OutcomeUnknown(
                f"no answer from {self.target.name} for {doc.operation}: "
                + redact(str(exc), self._token)
            ) from None
        self._check_version(doc)
        cost = (extensions or {}).get("cost") or {}
        self._pacer.observe(doc.operation, cost)
        codes = {str((e.get("extensions") or {}).get("code")) for e in errors}
        if "THROTTLED" in codes:
            self._throttled_in_a_row += 1
            raise _NotExecuted(
                f"{self.target.name} throttled {doc.operation} ({_bucket_text(cost)})",
                self.policy.throttle_wait(cost, self._throttled_in_a_row, self._rng),
            )
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
            data or {},
            errors,
            cost.get("requestedQueryCost"),
            cost.get("actualQueryCost"),
            self._served_at(),
        )

    def _http_error(self, exc: _HTTPStatusError, doc: Document) -> NoReturn:
        code = exc.code or 0
        where = f"{self.target.name} answered HTTP {code} to {doc.operation}"
        if 300 <= code < 400:
            location = redact(str(exc.headers.get("Location") or "nowhere (no Location header)"))
            raise RedirectRefused(
                f"{where}, a redirect to {location[:300]}: reconciler never follows redirects "
                "(the access token would be sent wherever it points); point SHOPIFY_STORE at "
                "the shop's own my-shop.myshopify.com domain (or the sandbox's URL)"
            ) from None
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
            self._throttled_in_a_row += 1
            header = exc.headers.get("Retry-After")
            wait = self.policy.retry_after_wait(header, self._throttled_in_a_row, self._rng)
            said = f"Retry-After: {header.strip()[:40]}" if header else "no Retry-After"
            raise _NotExecuted(f"{where} ({said})", wait) from None
        if code in (402, 423):
            raise StoreError(f"{where}: the shop is frozen or locked") from None
        if code >= 500:
            raise OutcomeUnknown(where) from None
        raise StoreError(where) from None

    def _check_version(self, doc: Document) -> None:
        headers: Any = self._transport.response_headers or {}
        served = headers.get("X-Shopify-API-Version")
        if served and served != self.target.api_version:
            if not _VERSION_NAME.fullmatch(served):
                raise ResponseError(
                    f"{self.target.name} answered {doc.operation} with an unexpected "
                    "X-Shopify-API-Version header (not a version name); is SHOPIFY_STORE a "
                    "Shopify store?"
                )
            raise ConfigError(
                f"{self.target.name} served API version {served} instead of "
                f"{self.target.api_version} (Shopify falls forward when a version is no longer "
                f"supported): choose --api-version {served} or newer"
            )

    def _served_at(self) -> datetime | None:
        headers: Any = self._transport.response_headers or {}
        try:
            return parsedate_to_datetime(headers.get("Date") or "")
        except (TypeError, ValueError, IndexError):
            return None

    # -- waiting -----------------------------------------------------------------------------

    def _pace(self, doc: Document, seconds: float) -> None:
        """The pacer's wait for the bucket to refill: said out loud when it is long."""
        if seconds >= 5:
            self.progress.note(
                f"pacing under {self.target.name}'s cost bucket: waiting {describe(seconds)} "
                f"before {doc.operation} ({describe(self.deadline.remaining())} left before "
                "the deadline)"
            )
        self._wait(seconds, f"pacing {doc.operation}")

    def _retry_wait(self, seconds: float, why: str, attempt: int) -> None:
        self.progress.note(
            f"{why} in {describe(seconds)} (attempt {attempt + 1}; "
            f"{describe(self.deadline.remaining())} left before the deadline)"
        )
        self._wait(seconds, why)

    def _wait(self, seconds: float, why: str) -> None:
        self.deadline.allow_wait(seconds, why)
        self.usage.count_wait(seconds)
        self._sleep(seconds)

    def _describe(self, errors: list[dict[str, Any]]) -> str:
        messages = [str(e.get("message", e)) for e in errors[:3]]
        more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
        return redact("; ".join(messages) + more, self._token)


class _TimedOut(TransientStoreError):
    """No answer within the read timeout: the outcome is unknown, and waiting longer is costly."""


def _bucket_text(cost: dict[str, Any]) -> str:
    status = cost.get("throttleStatus") or {}

    def number(value: Any) -> str:
        return f"{value:g}" if isinstance(value, int | float) else "?"

    return (
        f"needs {number(cost.get('requestedQueryCost'))} points, "
        f"{number(status.get('currentlyAvailable'))}/{number(status.get('maximumAvailable'))} "
        f"available, restoring {number(status.get('restoreRate'))}/s"
    )
