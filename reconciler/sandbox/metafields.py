"""Shop metafields: ``metafieldsSet`` (with ``compareDigest``), ``metafieldsDelete`` and
``shop { metafield(namespace:, key:) }`` — what a store-side lock needs, as Shopify serves it.

Behaviour copied from responses recorded on a real shop (API 2025-01, in the public fixtures
of github.com/airhorns/shopify-draft-proxy, ``fixtures/conformance/.../metafields`` and
``.../products/metafields-set-*``; summarised in docs/shopify-captures.md):

* ``compareDigest`` is an opaque 64-hex token that changes with every write. A stale one:
  ``STALE_OBJECT`` "The resource has been updated since it was loaded. Try again with an
  updated `compareDigest` value." at ``["metafields", "<i>"]``, ``elementIndex: null``,
  ``metafields: []``. A string digest for a metafield that does not exist:
  ``INVALID_COMPARE_DIGEST`` "Invalid `compareDigest` value.". ``compareDigest: null``
  creates only when absent. A write that changes nothing (same type and value) succeeds
  whatever digest it carries, and leaves the digest as it was.
* More than 25 inputs: ``metafields: null`` and ``LESS_THAN_OR_EQUAL_TO`` "Exceeded the
  maximum metafields input limit of 25." at ``["metafields"]``. A new metafield without
  ``type``: ``BLANK`` "Type can't be blank". Namespace 3-255 and key 2-64 characters
  (``TOO_SHORT`` / ``TOO_LONG`` with Rails' wording); ``shopify_standard``, ``protected`` and
  ``shopify-l10n-fields`` are reserved (code null). Value checks per type with Shopify's
  messages. A missing owner: ``INVALID_VALUE`` "Owner does not exist." at ``ownerId``.
* The whole call is validated first and applied in one transaction: one bad input, nothing
  written. ``metafieldsDelete`` answers null (not an error) for a metafield that is absent.
* No namespace means the app's reserved namespace (``app--<app id>``); ``$app`` and
  ``$app:suffix`` expand to it. Cost: a mutation, 10 points.

Sandbox choices (UNVERIFIED, pinned by tests/sandbox/test_metafields.py):

* Only the shop (``gid://shopify/Shop/1``) owns metafields here; another owner type answers
  NOT_IMPLEMENTED_IN_SANDBOX rather than pretending.
* ``compareDigest: null`` on an existing metafield is ``STALE_OBJECT`` (it is no longer
  absent); the digest is SHA-256 over the metafield's id, a write counter, type and value.
* App-reserved metafields without a definition are private to their app (Shopify's docs:
  "If you create a metafield ... without a definition under your own reserved namespace ...
  then it will be private to your app"): another app reads null, and writing or deleting
  there is ``APP_NOT_AUTHORIZED``.
* Scopes: Shopify's docs say metafieldsSet "requires the same access level needed to mutate
  the owner resource", and the Shop needs no access scope (its schema annotations name
  none), so any token may read and write shop metafields.
* Supported types: single_line_text_field, multi_line_text_field, json, number_integer,
  boolean; others are ``INVALID_TYPE`` with a message saying the sandbox does not serve them.
"""

# ruff: noqa: N802, N803 - names mirror Shopify's GraphQL fields and arguments

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError

from . import ids
from .context import Info, RequestContext
from .nodes import Adapter, ShopNode
from .state import now_iso

SHOP_ID = ids.gid("Shop", 1)
MAX_INPUTS = 25
RESERVED_NAMESPACES = frozenset({"shopify_standard", "protected", "shopify-l10n-fields"})
SERVED_TYPES = frozenset(
    {"single_line_text_field", "multi_line_text_field", "json", "number_integer", "boolean"}
)
STALE = (
    "The resource has been updated since it was loaded. Try again with an updated "
    "`compareDigest` value."
)
INVALID_DIGEST = "Invalid `compareDigest` value."
_PREFIX = "metafield|"
_COUNTER = "counter:metafield"
_FIRST_ID = 30_000_000_000_000


@dataclass(frozen=True, slots=True)
class Stored:
    """One metafield as the sandbox keeps it (JSON in the state's ``meta`` table)."""

    id: int
    owner: str
    namespace: str
    key: str
    type: str
    value: str
    digest: str
    created_at: str
    updated_at: str
    writes: int

    def as_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "owner": self.owner,
                "namespace": self.namespace,
                "key": self.key,
                "type": self.type,
                "value": self.value,
                "digest": self.digest,
                "createdAt": self.created_at,
                "updatedAt": self.updated_at,
                "writes": self.writes,
            }
        )


def _from_json(text: str) -> Stored:
    data = json.loads(text)
    return Stored(
        data["id"],
        data["owner"],
        data["namespace"],
        data["key"],
        data["type"],
        data["value"],
        data["digest"],
        data["createdAt"],
        data["updatedAt"],
        data["writes"],
    )


def _slot(owner: str, namespace: str, key: str) -> str:
    return f"{_PREFIX}{owner}|{namespace}|{key}"


def _digest(number: int, writes: int, type_: str, value: str) -> str:
    return hashlib.sha256(f"{number}:{writes}:{type_}:{value}".encode()).hexdigest()


def _app_namespace(ctx: RequestContext) -> str:
    return f"app--{ctx.token.app_id}"


def _namespace(ctx: RequestContext, given: str | None) -> str:
    """No namespace or ``$app[:suffix]``: the app's reserved namespace."""
    if given is None or given == "$app":
        return _app_namespace(ctx)
    if given.startswith("$app:"):
        return f"{_app_namespace(ctx)}--{given[5:]}"
    return given


def _foreign_app(ctx: RequestContext, namespace: str) -> bool:
    """Another app's reserved namespace (private to it without a definition)."""
    mine = _app_namespace(ctx)
    return namespace.startswith("app--") and not (
        namespace == mine or namespace.startswith(mine + "--")
    )


def read(ctx: RequestContext, owner: str, namespace: str, key: str) -> Stored | None:
    with ctx.state.reading() as conn:
        row = conn.execute(
            "SELECT value FROM meta WHERE key = ?", (_slot(owner, namespace, key),)
        ).fetchone()
    return _from_json(row[0]) if row else None


# -- GraphQL objects -------------------------------------------------------------------------


class Metafield(Adapter):
    __slots__ = ("stored",)
    graphql_type = "Metafield"

    def __init__(self, ctx: RequestContext, stored: Stored) -> None:
        super().__init__(ctx)
        self.stored = stored

    @property
    def id(self) -> str:
        return ids.gid("Metafield", self.stored.id)

    @property
    def legacyResourceId(self) -> str:
        return str(self.stored.id)

    @property
    def namespace(self) -> str:
        return self.stored.namespace

    @property
    def key(self) -> str:
        return self.stored.key

    @property
    def type(self) -> str:
        return self.stored.type

    @property
    def value(self) -> str:
        return self.stored.value

    @property
    def jsonValue(self) -> Any:
        if self.stored.type == "json":
            return json.loads(self.stored.value)
        if self.stored.type == "number_integer":
            return int(self.stored.value)
        if self.stored.type == "boolean":
            return self.stored.value == "true"
        return self.stored.value

    @property
    def compareDigest(self) -> str:
        return self.stored.digest

    @property
    def createdAt(self) -> str:
        return self.stored.created_at

    @property
    def updatedAt(self) -> str:
        return self.stored.updated_at

    @property
    def ownerType(self) -> str:
        return "SHOP"

    @property
    def owner(self) -> ShopNode:
        return ShopNode(self.ctx)

    @property
    def description(self) -> None:
        return None

    @property
    def definition(self) -> None:
        return None


def shop_metafield(ctx: RequestContext, key: str, namespace: str | None) -> Metafield | None:
    """``Shop.metafield``; another app's private metafield reads as null."""
    resolved = _namespace(ctx, namespace)
    if _foreign_app(ctx, resolved):
        return None
    found = read(ctx, SHOP_ID, resolved, key)
    return Metafield(ctx, found) if found else None


# -- metafieldsSet ---------------------------------------------------------------------------


def _error(
    field: list[str], message: str, code: str | None, element: int | None = None
) -> dict[str, Any]:
    return {"field": field, "message": message, "code": code, "elementIndex": element}


def _value_problem(type_: str, value: str) -> str | None:
    if type_ in ("single_line_text_field", "multi_line_text_field") and not value.strip():
        return "Value can't be blank."
    if type_ == "single_line_text_field" and "\n" in value:
        return "Value must be a single line text string."
    if type_ == "number_integer" and not re.fullmatch(r"[+-]?\d+", value.strip()):
        return "Value must be an integer."
    if type_ == "boolean" and value not in ("true", "false"):
        return "Value must be true or false."
    if type_ == "json":
        try:
            json.loads(value)
        except ValueError as exc:
            return f"Value is invalid JSON: {exc}."
    return None


def _check(
    ctx: RequestContext, index: int, given: dict[str, Any], namespace: str, current: Stored | None
) -> dict[str, Any] | None:
    """The first problem with one input (Shopify reports one per input), or None."""
    at = ["metafields", str(index)]
    key = str(given["key"])
    if given["ownerId"] != SHOP_ID:
        return _error([*at, "ownerId"], "Owner does not exist.", "INVALID_VALUE")
    if len(namespace) < 3:
        return _error(
            [*at, "namespace"], "Namespace is too short (minimum is 3 characters)", "TOO_SHORT"
        )
    if len(namespace) > 255:
        return _error(
            [*at, "namespace"], "Namespace is too long (maximum is 255 characters)", "TOO_LONG"
        )
    if namespace in RESERVED_NAMESPACES:
        return _error([*at, "namespace"], f"Namespace {namespace} is a reserved namespace", None)
    if len(key) < 2:
        return _error([*at, "key"], "Key is too short (minimum is 2 characters)", "TOO_SHORT")
    if len(key) > 64:
        return _error([*at, "key"], "Key is too long (maximum is 64 characters)", "TOO_LONG")
    if _foreign_app(ctx, namespace):
        return _error(
            [*at, "namespace"],
            "ApiPermission metafields can only be created or updated by the app owner.",
            "APP_NOT_AUTHORIZED",
        )
    type_ = given.get("type") or (current.type if current else None)
    if not type_:
        return _error([*at, "type"], "Type can't be blank", "BLANK")
    if type_ not in SERVED_TYPES:
        return _error(
            [*at, "type"],
            f"The sandbox does not serve metafield type {type_!r}; it serves "
            + ", ".join(sorted(SERVED_TYPES)),
            "INVALID_TYPE",
        )
    problem = _value_problem(type_, str(given["value"]))
    if problem:
        return _error([*at, "value"], problem, "INVALID_VALUE")
    if current is not None and current.type == type_ and current.value == given["value"]:
        return None  # changes nothing: accepted whatever digest it carries (recorded)
    if "compareDigest" in given:
        digest = given["compareDigest"]
        if digest is not None and current is None:
            return _error(at, INVALID_DIGEST, "INVALID_COMPARE_DIGEST")
        if current is not None and digest != current.digest:
            return _error(at, STALE, "STALE_OBJECT")
    return None


def _write(conn: Any, given: dict[str, Any], namespace: str, current: Stored | None) -> Stored:
    type_ = given.get("type") or (current.type if current else "")
    value = str(given["value"])
    if current is not None and current.type == type_ and current.value == value:
        return current
    now = now_iso()
    if current is None:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (_COUNTER,)).fetchone()
        number = int(row[0]) + 1 if row else _FIRST_ID
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (_COUNTER, str(number))
        )
        created, writes = now, 1
    else:
        number, created, writes = current.id, current.created_at, current.writes + 1
    stored = Stored(
        number,
        SHOP_ID,
        namespace,
        str(given["key"]),
        type_,
        value,
        _digest(number, writes, type_, value),
        created,
        now,
        writes,
    )
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        (_slot(SHOP_ID, namespace, stored.key), stored.as_json()),
    )
    return stored


class _Refused(Exception):
    """Rolls the call's transaction back: one bad input, nothing written."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("refused")
        self.errors = errors


def _shop_only(owner: str) -> None:
    if ids.type_of(owner) != "Shop":
        raise GraphQLError(
            "The sandbox serves metafields on the shop only (ownerId gid://shopify/Shop/1); "
            "see SANDBOX_COVERAGE.md.",
            extensions={"code": "NOT_IMPLEMENTED_IN_SANDBOX"},
        )


def metafieldsSet(root: Any, info: Info, metafields: list[dict[str, Any]]) -> dict[str, Any]:
    ctx: RequestContext = info.context
    if len(metafields) > MAX_INPUTS:
        return {
            "metafields": None,
            "userErrors": [
                _error(
                    ["metafields"],
                    f"Exceeded the maximum metafields input limit of {MAX_INPUTS}.",
                    "LESS_THAN_OR_EQUAL_TO",
                )
            ],
        }
    for given in metafields:
        _shop_only(given["ownerId"])
    try:
        with ctx.state.transaction() as conn:
            results, errors = [], []
            for index, given in enumerate(metafields):
                namespace = _namespace(ctx, given.get("namespace"))
                current = read(ctx, given["ownerId"], namespace, str(given["key"]))
                problem = _check(ctx, index, given, namespace, current)
                if problem:
                    errors.append(problem)
                elif not errors:
                    results.append(_write(conn, given, namespace, current))
            if errors:
                raise _Refused(errors)
    except _Refused as refused:
        return {"metafields": [], "userErrors": refused.errors}
    return {"metafields": [Metafield(ctx, s) for s in results], "userErrors": []}


def metafieldsDelete(root: Any, info: Info, metafields: list[dict[str, Any]]) -> dict[str, Any]:
    """Absent metafields answer null in their place (recorded); nothing else is an error."""
    ctx: RequestContext = info.context
    targets = []
    for index, given in enumerate(metafields):
        _shop_only(given["ownerId"])
        namespace = _namespace(ctx, given.get("namespace"))
        if _foreign_app(ctx, namespace):
            message = "ApiPermission metafields can only be deleted by the app owner."
            return {
                "deletedMetafields": None,
                "userErrors": [{"field": ["metafields", str(index)], "message": message}],
            }
        targets.append((given["ownerId"], namespace, str(given["key"])))
    deleted: list[dict[str, str] | None] = []
    with ctx.state.transaction() as conn:
        for owner, namespace, key in targets:
            gone = conn.execute(
                "DELETE FROM meta WHERE key = ?", (_slot(owner, namespace, key),)
            ).rowcount
            deleted.append({"ownerId": owner, "namespace": namespace, "key": key} if gone else None)
    return {"deletedMetafields": deleted, "userErrors": []}


MUTATIONS = {"metafieldsDelete": metafieldsDelete, "metafieldsSet": metafieldsSet}
