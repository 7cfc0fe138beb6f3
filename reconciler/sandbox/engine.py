"""One Admin API request, start to finish, the way Shopify answers it.

auth → version → JSON body → parse → validate → variables → cost limit → bucket → execute →
actual cost → response. Each step that can fail answers with Shopify's status code and error
envelope for that failure (docs/shopify-captures.md §2.9): static failures carry no ``data``
and no cost; resolver-level failures carry ``data`` and cost; THROTTLED carries cost with a
null actual cost.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    VariableNode,
    execute,
)
from graphql.execution.values import VariableValues, get_variable_values

from . import access, fast_reads
from .calendar import Calendar, CalendarSetting
from .context import RequestContext, Shop, Token
from .cost import MAX_QUERY_COST, Bucket, ThrottleStatus, actual_cost, requested_cost
from .document_cache import DocumentCache, Prepared
from .faults import Faults
from .graphql_errors import located
from .latency import Latency
from .nodes import NotInSandbox
from .pagination import ConnectionArgumentError
from .request_body import TooDeep, decode_json
from .resolvers import InputTooLarge
from .response import Response
from .schema import is_served, schema_for
from .state import State
from .variables import variable_errors
from .versions import RULES

log = logging.getLogger(__name__)

UNAUTHORIZED = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}
MAX_COST_MESSAGE = (
    "Query cost is {cost}, which exceeds the single query max cost limit (1000).\n\n"
    "See https://shopify.dev/docs/api/usage/rate-limits for more information on how the\n"
    "cost of a query is calculated.\n\n"
    "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
    "See https://shopify.dev/docs/api/usage/bulk-operations/queries for usage details.\n"
)
RATE_LIMITS_DOC = "https://shopify.dev/api/usage/rate-limits"
INTERNAL_ERROR_MESSAGE = (
    "Internal error. Looks like something went wrong on our end.\n"
    "Request ID: {request_id} (include this in support requests)."
)


def new_request_id() -> str:
    """Shopify's request ids: a UUID and the Unix time (``580249b0-…-1724771017``)."""
    return f"{uuid.uuid4()}-{int(time.time())}"


def _cause(error: GraphQLError) -> BaseException | None:
    """The exception a resolver raised, under graphql-core's GraphQLError wrappers."""
    cause: BaseException | None = error.original_error
    while isinstance(cause, GraphQLError) and cause.original_error is not None:
        cause = cause.original_error
    return cause


def _is_internal(error: GraphQLError) -> bool:
    """A resolver crashed (a sandbox bug or an injected failure), not a Shopify-shaped error."""
    cause = _cause(error)
    if cause is None or isinstance(cause, GraphQLError):
        return False
    if isinstance(cause, ConnectionArgumentError | InputTooLarge | NotInSandbox):
        return False
    return not error.extensions


@dataclass
class Stats:
    """What clients asked of the store: calls, cost points, refusals (for tests, benchmarks).

    Requests run on many threads at once (concurrent applies): every count goes through
    `add`, under one lock, so none is lost.
    """

    requests: int = 0
    by_operation: dict[str, int] = field(default_factory=dict)
    requested_cost: int = 0
    actual_cost: int = 0
    throttled: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    # How executed requests were answered: fast (fast_reads), fastFallback, graphqlCore.
    executions: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, counter: str, amount: int = 1, key: str | None = None) -> None:
        """Add to a counter (`key`: the entry of a per-name counter such as ``statuses``)."""
        with self._lock:
            if key is None:
                setattr(self, counter, getattr(self, counter) + amount)
            else:
                table: dict[str, int] = getattr(self, counter)
                table[key] = table.get(key, 0) + amount

    def count_execution(self, how: str) -> None:
        self.add("executions", key=how)

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return self._snapshot()

    def _snapshot(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "byOperation": dict(sorted(self.by_operation.items())),
            "requestedCost": self.requested_cost,
            "actualCost": self.actual_cost,
            "throttled": self.throttled,
            "statuses": dict(sorted(self.statuses.items())),
            "executions": dict(sorted(self.executions.items())),
            # CPU seconds the sandbox process has used so far (benchmarks take differences:
            # unlike wall time, it does not grow when other processes share the machine).
            "processCpuSeconds": round(time.process_time(), 6),
        }


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        return next((o for o in operations if o.name and o.name.value == name), None)
    return operations[0] if len(operations) == 1 else None


def _read_plan(
    schema: Any, prepared: Prepared, operation: OperationDefinitionNode
) -> fast_reads.ReadPlan | None:
    """The operation's fast read plan, compiled once per cached document."""
    key = ("read", id(operation))
    if key not in prepared.derived:
        document = prepared.document
        assert document is not None
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        prepared.derived[key] = fast_reads.compile_read(schema, fragments, operation)
    plan: fast_reads.ReadPlan | None = prepared.derived[key]
    return plan


def _root_names(operation: OperationDefinitionNode) -> list[str]:
    return [s.name.value for s in operation.selection_set.selections if isinstance(s, FieldNode)]


class Engine:
    """Serves the Admin GraphQL endpoint of one sandbox store."""

    def __init__(
        self,
        state: State,
        tokens: dict[str, Token],
        shop: Shop,
        faults: Faults,
        bulk: Any,
        plan: str = "standard",
        calendar: CalendarSetting | None = None,
        latency: Latency | None = None,
    ) -> None:
        self.state = state
        self.tokens = tokens
        self.shop = shop
        self.faults = faults
        self.bulk = bulk
        self.plan = plan
        self.calendar = calendar or CalendarSetting(Calendar())
        self.buckets: dict[str, Bucket] = {}
        self.latency = latency or Latency()
        self.stats = Stats()
        self.documents = DocumentCache()
        # Answer reads with `fast_reads` where it can (tests turn it off to compare).
        self.fast_reads = True

    def bucket(self, token: Token) -> Bucket:
        key = token.fingerprint
        found = self.buckets.get(key)
        if found is None:  # one bucket per app, even when its first requests arrive together
            found = self.buckets.setdefault(key, Bucket(self.plan))
        return found

    def set_plan(self, plan: str) -> None:
        self.plan = plan
        self.buckets.clear()

    # -- the request -------------------------------------------------------------------------

    def handle(
        self, url_version: str, token_value: str | None, raw_body: bytes, base_url: str
    ) -> Response:
        self.stats.add("requests")
        response = self._handle(url_version, token_value, raw_body, base_url)
        status = str(response.status)
        self.stats.add("statuses", key=status)
        return response

    def _handle(
        self, url_version: str, token_value: str | None, raw_body: bytes, base_url: str
    ) -> Response:
        version = self.calendar.current.resolve(url_version)
        if version is None:
            return Response(404, {"errors": "Not Found"})
        # `unstable` is served by the newest schema but still announced as `unstable`.
        served = "unstable" if url_version == "unstable" else version
        headers = {"X-Shopify-API-Version": served, "X-Request-Id": new_request_id()}
        token = self.tokens.get(token_value or "")
        if token is None:
            return Response(401, UNAUTHORIZED, headers)
        try:
            body = decode_json(raw_body or b"{}")
        except TooDeep as exc:
            return Response(400, {"errors": str(exc)}, headers)
        except ValueError:
            body = None  # Rails answers unparseable JSON as a missing query
        # Rails' `params.require(:query)`: a blank query is as missing as no query.
        query = body.get("query") if isinstance(body, dict) else None
        if not isinstance(query, str) or not query.strip():
            return Response(
                400, {"errors": {"query": "Required parameter missing or invalid"}}, headers
            )
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            variables = {}
        return self._graphql(
            version, token, body["query"], variables, body.get("operationName"), headers, base_url
        )

    def _graphql(
        self,
        version: str,
        token: Token,
        query: str,
        variables: dict[str, Any],
        operation_name: str | None,
        headers: dict[str, str],
        base_url: str,
    ) -> Response:
        schema = schema_for(version)
        prepared = self.documents.prepare(version, schema, query)
        if prepared.errors:
            return Response(200, {"errors": prepared.errors}, headers)
        document = prepared.document
        assert document is not None
        operation = _operation(document, operation_name)
        if operation is None:
            message = (
                f'No operation named "{operation_name}"'
                if operation_name
                else "An operation name is required"
            )
            return Response(200, {"errors": [{"message": message}]}, headers)
        errors = variable_errors(schema, operation, variables)
        if errors:
            return Response(200, {"errors": errors}, headers)
        names = _root_names(operation)
        for name in names:
            self.stats.add("by_operation", key=name)
        injected = self.faults.before(names)
        if injected is not None:
            injected.headers.update(headers)
            return injected
        # Cost reads page sizes from variables, defaults included (`$n: Int = 10`).
        coerced = get_variable_values(schema, operation.variable_definitions or (), variables)
        sizes: dict[str, Any] = getattr(coerced, "coerced", None) or variables
        requested = requested_cost(schema, document, operation, sizes)
        self.stats.add("requested_cost", requested)
        if requested > MAX_QUERY_COST:
            return Response(
                200,
                {
                    "errors": [
                        {
                            "message": MAX_COST_MESSAGE.format(cost=requested),
                            "extensions": {
                                "code": "MAX_COST_EXCEEDED",
                                "cost": requested,
                                "maxCost": MAX_QUERY_COST,
                                "documentation": RATE_LIMITS_DOC,
                            },
                        }
                    ]
                },
                headers,
            )
        bucket = self.bucket(token)
        if self.faults.throttled(names) or not bucket.admit(requested):
            self.stats.add("throttled")
            cost = {
                "requestedQueryCost": requested,
                "actualQueryCost": None,
                "throttleStatus": bucket.status().as_dict(),
            }
            body = {
                "errors": [
                    {
                        "message": "Throttled",
                        "extensions": {"code": "THROTTLED", "documentation": RATE_LIMITS_DOC},
                    }
                ],
                "extensions": {"cost": cost},
            }
            return Response(200, body, headers)
        self.latency.wait(operation.operation.value)  # admitted: now as slow as Shopify
        self.faults.sales(names, self.state)
        result, ctx = self._execute(
            schema, prepared, operation, variables, coerced, token, version, base_url
        )
        if result.data is None:  # the whole answer failed: charge the floor of the request
            floor = 10 * len(names) if operation.operation.value == "mutation" else 2
            actual = min(requested, floor)
        else:
            # A field refused for lack of scope is still charged (captures: a denied
            # staffMember kept actual == requested).
            denied = {
                tuple(error.path or ())
                for error in result.errors or ()
                if (error.extensions or {}).get("code") == "ACCESS_DENIED"
            }
            actual = min(
                requested,
                actual_cost(schema, document, operation, sizes, result.data, denied),
            )
        status = bucket.settle(requested, actual)
        self.stats.add("actual_cost", actual)
        response = self._response(result, document, requested, actual, status, ctx, headers)
        after = self.faults.after(names)
        if after is not None:
            return after
        return response

    def _context(self, version: str, token: Token, base_url: str) -> RequestContext:
        ctx = RequestContext(self.state, RULES[version], token, self.shop, base_url, self.bulk)
        ctx.faults = self.faults  # type: ignore[attr-defined]
        return ctx

    def _execute(
        self,
        schema: Any,
        prepared: Prepared,
        operation: OperationDefinitionNode,
        variables: dict[str, Any],
        coerced: Any,
        token: Token,
        version: str,
        base_url: str,
    ) -> tuple[ExecutionResult, RequestContext]:
        """Run the operation: the fast read path when it can answer, else graphql-core."""
        document = prepared.document
        assert document is not None
        if self.fast_reads and isinstance(coerced, VariableValues):
            plan = _read_plan(schema, prepared, operation)
            if plan is not None:
                ctx = self._context(version, token, base_url)
                data = fast_reads.run(plan, ctx, coerced, version, token.scopes)
                if data is not None:
                    self.stats.count_execution("fast")
                    return ExecutionResult(data, None), ctx
                self.stats.count_execution("fastFallback")
        self.stats.count_execution("graphqlCore")
        ctx = self._context(version, token, base_url)

        def check_access(next_: Any, root: Any, info: Any, **args: Any) -> Any:
            if is_served(info, root):
                access.check(info, token.scopes, version)
            return next_(root, info, **args)

        name = operation.name.value if operation.name else None
        result = execute(
            schema,
            document,
            context_value=ctx,
            variable_values=variables,
            operation_name=name,
            middleware=[check_access],
        )
        assert isinstance(result, ExecutionResult)
        return result, ctx

    def _response(
        self,
        result: ExecutionResult,
        document: DocumentNode,
        requested: int,
        actual: int,
        status: ThrottleStatus,
        ctx: RequestContext,
        headers: dict[str, str],
    ) -> Response:
        errors = list(result.errors or ())
        crashed = [e for e in errors if _is_internal(e)]
        if crashed:
            # Shopify answers a crash with one error and nothing else: no data, no cost.
            for error in crashed:
                cause = _cause(error)
                assert cause is not None
                log.error("sandbox resolver failed: %s", "".join(traceback.format_exception(cause)))
            request_id = headers.get("X-Request-Id") or new_request_id()
            body_error = {
                "message": INTERNAL_ERROR_MESSAGE.format(request_id=request_id),
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
            }
            return Response(200, {"errors": [body_error]}, headers)
        body: dict[str, Any] = {}
        data: Any = result.data
        drop_data = False
        if errors:
            formatted = []
            for error in errors:
                shaped, whole_data_null, no_data = self._resolver_error(error, document)
                formatted.append(shaped)
                if whole_data_null:
                    data = None
                drop_data = drop_data or no_data
            body["errors"] = formatted
        if drop_data:
            return Response(200, body, headers)
        body["data"] = data
        extensions: dict[str, Any] = {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": status.as_dict(),
            }
        }
        if ctx.search:
            extensions["search"] = ctx.search
        body["extensions"] = extensions
        return Response(200, body, headers)

    def _resolver_error(
        self, error: GraphQLError, document: DocumentNode
    ) -> tuple[dict[str, Any], bool, bool]:
        """(Shopify-shaped error, whether data becomes null, whether data is left out)."""
        original = _cause(error)
        path = list(error.path or [])
        shaped: dict[str, Any] = {"message": error.message}
        locations = [{"line": loc.line, "column": loc.column} for loc in error.locations or []]
        if isinstance(original, ConnectionArgumentError):
            shaped["message"] = str(original)
            shaped["locations"] = locations
            shaped["extensions"] = {"code": "BAD_REQUEST"}
            shaped["path"] = path
            return shaped, True, False
        if isinstance(original, InputTooLarge):
            shaped["locations"] = locations
            shaped["path"] = [path[0] if path else original.path[0], *original.path[1:]]
            shaped["extensions"] = {"code": "MAX_INPUT_SIZE_EXCEEDED"}
            return shaped, False, True
        extensions = dict(error.extensions or {})
        if isinstance(original, NotInSandbox):
            shaped["message"] = str(original)
            extensions = {"code": "NOT_IMPLEMENTED_IN_SANDBOX"}
        if extensions.get("code") == "INVALID_FIELD_ARGUMENTS" and error.nodes:
            locations.extend(_variable_locations(error.nodes[0], document))
        if locations:
            shaped["locations"] = locations
        shaped["extensions"] = extensions
        shaped["path"] = path
        return shaped, False, False


def _variable_locations(field: Any, document: DocumentNode) -> list[dict[str, int]]:
    """INVALID_FIELD_ARGUMENTS also points at the variable definition of the argument."""
    used = {
        arg.value.name.value
        for arg in getattr(field, "arguments", ()) or ()
        if isinstance(arg.value, VariableNode)
    }
    out: list[dict[str, int]] = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for variable in definition.variable_definitions or ():
                if variable.variable.name.value in used:
                    out.extend(located(variable) or [])
    return out
