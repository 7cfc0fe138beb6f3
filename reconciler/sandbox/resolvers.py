"""Root fields: one thin function per Shopify query or mutation the sandbox serves.

Resolvers translate arguments and results; the rules live in `quantities`, `activation`,
`items` and `bulk`. `QUERIES` and `MUTATIONS` are the registry that `schema.bind` attaches to
each version's schema and that scripts/sandbox_coverage.py reports against Shopify's schema.
"""

# ruff: noqa: N802, N803 - names mirror Shopify's GraphQL fields and arguments

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from graphql import GraphQLError
from graphql.execution.values import get_directive_values

from . import activation, idempotency, ids, items, metafields, quantities
from .context import Info, RequestContext
from .nodes import (
    Connection,
    InventoryAdjustmentGroup,
    InventoryItem,
    InventoryLevel,
    InventoryQuantity,
    LocationNode,
    Product,
    ProductVariant,
    ShopNode,
    connection,
    inventory_properties,
    list_connection,
    record_search,
)
from .pagination import Key
from .quantities import Caller, FieldArgumentsError, Outcome
from .search import Compiled, Fields, compile_sql, matcher
from .state import ALL_NAMES, Item, Location
from .user_errors import UserError
from .versions import IDEMPOTENT_MUTATIONS

Resolver = Callable[..., Any]
MAX_INPUT_ARRAY = 250


def _ctx(info: Info) -> RequestContext:
    return info.context


# -- queries --------------------------------------------------------------------------------


class _ItemRows:
    """inventoryItems / productVariants: SQL over items, filtered by a search query."""

    def __init__(self, ctx: RequestContext, where: str, params: list[Any], id_column: str) -> None:
        self.ctx, self.where, self.params, self.id_column = ctx, where, params, id_column

    def _wrap(self, item: Item) -> tuple[Key, Any]:
        key_id = item.id if self.id_column == "id" else item.variant_id
        node = (
            InventoryItem(self.ctx, item)
            if self.id_column == "id"
            else ProductVariant(self.ctx, item)
        )
        return (key_id, key_id), node

    def fetch(
        self, after: Key | None, before: Key | None, descending: bool, limit: int
    ) -> list[tuple[Key, Any]]:
        clauses, params = [f"({self.where})"], list(self.params)
        op_after, op_before = ("<", ">") if descending else (">", "<")
        if after is not None:
            clauses.append(f"{self.id_column} {op_after} ?")
            params.append(after[1])
        if before is not None:
            clauses.append(f"{self.id_column} {op_before} ?")
            params.append(before[1])
        rows = self.ctx.state.items_where(
            " AND ".join(clauses), params, descending, limit, order_column=self.id_column
        )
        return [self._wrap(item) for item in rows]

    def exists(self, beyond: Key, descending: bool) -> bool:
        return bool(self.fetch(beyond, None, descending, 1))


def _search(ctx: RequestContext, info: Info, query: str | None, fields: Fields) -> Compiled:
    compiled = compile_sql(query, fields)
    record_search(ctx, info, query, compiled)
    return compiled


# inventoryItems: "created_at, id, sku, updated_at" (facts §8.1) — no field-less search.
ITEM_SEARCH_FIELDS = Fields(
    {"sku": "sku", "id": "id", "created_at": "created_at", "updated_at": "updated_at"}
)
VARIANT_SEARCH_FIELDS = Fields(
    {
        "default": "sku",
        "sku": "sku",
        "id": "variant_id",
        "product_id": "product_id",
        "product_ids": "product_id",
        "inventory_item_id": "id",
        "title": "variant_title",
        "updated_at": "updated_at",
        "created_at": "created_at",
    },
    ids=frozenset({"id", "product_id", "product_ids", "inventory_item_id"}),
)


def inventoryItems(root: Any, info: Info, **args: Any) -> Connection:
    ctx = _ctx(info)
    found = _search(ctx, info, args.get("query"), ITEM_SEARCH_FIELDS)
    return connection(_ItemRows(ctx, found.where, found.params, "id"), args)


def productVariants(root: Any, info: Info, **args: Any) -> Connection:
    ctx = _ctx(info)
    found = _search(ctx, info, args.get("query"), VARIANT_SEARCH_FIELDS)
    return connection(_ItemRows(ctx, found.where, found.params, "variant_id"), args)


def inventoryItem(root: Any, info: Info, id: str) -> InventoryItem | None:
    ctx = _ctx(info)
    item = ctx.item(ids.parse(id, "InventoryItem") or 0)
    return InventoryItem(ctx, item) if item else None


def productVariant(root: Any, info: Info, id: str) -> ProductVariant | None:
    ctx = _ctx(info)
    number = ids.parse(id, "ProductVariant")
    item = ctx.state.item_by_variant(number) if number is not None else None
    return ProductVariant(ctx, item) if item else None


def _level_by_id(ctx: RequestContext, gid: str) -> InventoryLevel | None:
    """Inactive levels are readable by id from 2026-04 (captured lifecycle)."""
    parsed = ids.parse_level(gid)
    if parsed is None:
        return None
    location = ctx.location_by_level_base(parsed[0])
    level = ctx.state.level(parsed[1], location.id) if location else None
    if level is None or (not level.is_active and not ctx.rules.inactive_levels):
        return None
    return InventoryLevel(ctx, level)


def inventoryLevel(root: Any, info: Info, id: str) -> InventoryLevel | None:
    return _level_by_id(_ctx(info), id)


# locations(query:): "active, address1, address2, city, country, created_at, geolocated, id,
# legacy, location_id, name, pickup_in_store, province, zip, default" (facts §8.1).
LOCATION_SEARCH = Fields(
    {
        "default": "name",
        "active": "active",
        "address1": "address1",
        "address2": "address2",
        "city": "city",
        "country": "country",
        "created_at": "created_at",
        "geolocated": "geolocated",
        "id": "id",
        "legacy": "legacy",
        "location_id": "id",
        "name": "name",
        "pickup_in_store": "pickup_in_store",
        "province": "province",
        "zip": "zip",
    },
    ids=frozenset({"id", "location_id"}),
)


def _location_values(loc: Location) -> dict[str, Any]:
    return {
        "active": loc.is_active,
        "address1": loc.address1,
        "address2": None,
        "city": loc.city,
        "country": loc.country_code,
        "created_at": loc.created_at,
        "geolocated": False,
        "id": loc.id,
        "legacy": False,
        "name": loc.name,
        "pickup_in_store": "disabled",
        "province": loc.province_code,
        "zip": loc.zip,
    }


def _matching_locations(ctx: RequestContext, info: Info, args: dict[str, Any]) -> list[Location]:
    """Active locations (all with includeInactive) matching the query; legacy ones need
    includeLegacy, and the sandbox has no fulfillment-service locations."""
    query = args.get("query")
    found = matcher(query, LOCATION_SEARCH)
    record_search(ctx, info, query, found)
    return [
        loc
        for loc in ctx.locations().values()
        if (loc.is_active or args.get("includeInactive")) and found.test(_location_values(loc))
    ]


def locations(root: Any, info: Info, **args: Any) -> Connection:
    """Sorted by NAME unless asked otherwise; cursors carry the sort value (captures §3.3)."""
    ctx = _ctx(info)
    sort_key = args.get("sortKey") or "NAME"
    rows = [
        ((loc.name if sort_key != "ID" else loc.id, loc.id), LocationNode(ctx, loc))
        for loc in _matching_locations(ctx, info, args)
    ]
    return list_connection(rows, args)


def location(root: Any, info: Info, id: str | None = None) -> LocationNode | None:
    """No id: the shop's primary location (the sandbox's first active one)."""
    ctx = _ctx(info)
    if id is None:
        active = sorted(loc.id for loc in ctx.locations().values() if loc.is_active)
        return LocationNode(ctx, ctx.locations()[active[0]]) if active else None
    found = ctx.location(ids.parse(id, "Location") or 0)
    return LocationNode(ctx, found) if found else None


def locationsCount(root: Any, info: Info, **args: Any) -> dict[str, Any]:
    """Count of locations matching `query`, capped at `limit` (2026-01+; null = no cap)."""
    ctx = _ctx(info)
    count = len(_matching_locations(ctx, info, args))
    limit = args.get("limit", 10000) if "limit" in args else 10000
    if limit is not None and count > limit:
        return {"count": limit, "precision": "AT_LEAST"}
    return {"count": count, "precision": "EXACT"}


def inventoryProperties(root: Any, info: Info) -> dict[str, Any]:
    return inventory_properties(_ctx(info))


def shop(root: Any, info: Info) -> ShopNode:
    return ShopNode(_ctx(info))


def _node(ctx: RequestContext, gid: str) -> Any:
    """Any Node by global id; unknown or unsupported ids are null (Relay, captures §3.4)."""
    kind = ids.type_of(gid)
    if kind == "InventoryLevel":
        return _level_by_id(ctx, gid)
    if kind == "InventoryQuantity":
        return _quantity_by_id(ctx, gid)
    number = ids.parse(gid, kind or "")
    if number is None:
        return None
    if kind == "InventoryItem":
        item = ctx.item(number)
        return InventoryItem(ctx, item) if item else None
    if kind == "Location":
        loc = ctx.location(number)
        return LocationNode(ctx, loc) if loc else None
    if kind == "ProductVariant":
        item = ctx.state.item_by_variant(number)
        return ProductVariant(ctx, item) if item else None
    if kind == "Product":
        found = ctx.state.items_where("product_id = ?", [number], False, 1)
        return Product(ctx, found[0]) if found else None
    if kind == "InventoryAdjustmentGroup":
        group = ctx.state.adjustment_group(number)
        return InventoryAdjustmentGroup(ctx, group) if group else None
    if kind == "BulkOperation" and ctx.bulk is not None:
        return ctx.bulk.node(ctx, number)
    return None


def _quantity_by_id(ctx: RequestContext, gid: str) -> InventoryQuantity | None:
    """``InventoryQuantity/<level number>?inventory_item_id=<item>&name=<name>``."""
    match = re.match(r"^gid://shopify/InventoryQuantity/(\d+)\?(.+)$", gid)
    if match is None:
        return None
    params = parse_qs(match.group(2))
    try:
        item_id = int(params["inventory_item_id"][0])
        name = params["name"][0]
    except (KeyError, ValueError):
        return None
    level = _level_by_id(ctx, ids.level_gid(int(match.group(1)), item_id))
    if level is None or name not in ALL_NAMES:
        return None
    return InventoryQuantity(ctx, level.level, int(match.group(1)), name)


def node(root: Any, info: Info, id: str) -> Any:
    return _node(_ctx(info), id)


def nodes(root: Any, info: Info, ids: list[str]) -> list[Any]:
    """In request order, null in place of unknown ids; not charged per id (captures Q11)."""
    _input_cap(info, "ids", ids)
    ctx = _ctx(info)
    return [_node(ctx, gid) for gid in ids]


def product(root: Any, info: Info, id: str) -> Product | None:
    ctx = _ctx(info)
    number = ids.parse(id, "Product")
    found = ctx.state.items_where("product_id = ?", [number], False, 1) if number else []
    return Product(ctx, found[0]) if found else None


# -- mutations ------------------------------------------------------------------------------


def _input_cap(info: Info, argument: str, values: list[Any], *inner: str) -> None:
    """Input arrays over 250 elements fail before anything runs (facts §5)."""
    if len(values) > MAX_INPUT_ARRAY:
        raise GraphQLError(
            f"The input array size of {len(values)} is greater than the maximum allowed of "
            f"{MAX_INPUT_ARRAY}.",
            extensions={"code": "MAX_INPUT_SIZE_EXCEEDED"},
            original_error=InputTooLarge([info.field_name, argument, *inner]),
        )


class InputTooLarge(Exception):
    """Carries the argument path Shopify reports for MAX_INPUT_SIZE_EXCEEDED."""

    def __init__(self, path: list[str]) -> None:
        super().__init__("input too large")
        self.path = path


def _idempotency_key(info: Info) -> str | None:
    directive = info.schema.get_directive("idempotent")
    if directive is None:
        return None
    values = get_directive_values(directive, info.field_nodes[0], info.variable_values)
    return None if values is None else str(values["key"])


def _caller(ctx: RequestContext) -> Caller:
    return Caller(ctx.rules, ctx.token.app_title)


def _guarded(
    info: Info,
    arguments: dict[str, Any],
    perform: Callable[[], dict[str, Any]],
    refusal_payload: Callable[[UserError], dict[str, Any]],
) -> dict[str, Any]:
    """Run a mutation under Shopify's idempotency contract; returns the stored outcome.

    Order of refusals (captures §2.5/§2.6): the resolver's own argument checks (the 250 cap,
    a missing changeFromQuantity) run before this, so INVALID_FIELD_ARGUMENTS wins over the
    missing-directive BAD_REQUEST. UNVERIFIED: the empty-key message (Shopify's directive
    description: "cannot be an empty string or whitespace only"). A key of any length is
    accepted: neither that description nor Shopify's idempotency guides name a limit (a
    sandbox choice, README; the request body's own bound still applies).
    """
    ctx = _ctx(info)
    operation = info.field_name
    key = _idempotency_key(info)
    faults = getattr(ctx, "faults", None)
    if key is None:
        if operation in IDEMPOTENT_MUTATIONS and ctx.rules.idempotency == "required":
            raise GraphQLError(
                "The @idempotent directive is required for this mutation but was not provided.",
                extensions={"code": "BAD_REQUEST"},
            )
        if faults is not None:
            faults.during(operation)
        return perform()
    if not key.strip():
        raise GraphQLError(
            "The idempotency key cannot be an empty string or whitespace only.",
            extensions={"code": "BAD_REQUEST"},
        )
    scope = ctx.token.fingerprint
    claim = idempotency.claim(
        ctx.state, scope, key, operation, idempotency.fingerprint(operation, arguments)
    )
    if claim.refusal is not None:
        return refusal_payload(claim.refusal)
    if claim.replay is not None:
        return claim.replay
    try:
        if faults is not None:
            faults.during(operation)
        with ctx.state.transaction():
            outcome = perform()
            if outcome["errors"]:
                # Refused with userErrors: nothing changed, the key is not used up.
                idempotency.release(ctx.state, scope, key)
            else:
                idempotency.complete(ctx.state, scope, key, outcome)
    except Exception:
        idempotency.fail(ctx.state, scope, key)
        raise
    return outcome


def _errors(errors: list[UserError]) -> list[dict[str, Any]]:
    return [e.as_dict() for e in errors]


def _group_payload(ctx: RequestContext, stored: dict[str, Any]) -> dict[str, Any]:
    group_id = stored.get("group_id")
    group = ctx.state.adjustment_group(group_id) if group_id is not None else None
    return {
        "inventoryAdjustmentGroup": InventoryAdjustmentGroup(ctx, group) if group else None,
        "userErrors": stored["errors"],
    }


def _quantity_mutation(
    info: Info,
    input: dict[str, Any],
    rows_key: str,
    run: Callable[[Any, Caller, dict[str, Any]], Outcome],
) -> dict[str, Any]:
    ctx = _ctx(info)
    _input_cap(info, "input", input.get(rows_key) or [], rows_key)
    caller = _caller(ctx)
    try:
        quantities.check_change_from(caller, info.field_name, input)
    except FieldArgumentsError as exc:
        raise GraphQLError(str(exc), extensions={"code": "INVALID_FIELD_ARGUMENTS"}) from exc

    def perform() -> dict[str, Any]:
        outcome = run(ctx.state, caller, input)
        return {"group_id": outcome.group_id, "errors": _errors(outcome.errors)}

    stored = _guarded(
        info,
        {"input": input},
        perform,
        lambda refusal: {"group_id": None, "errors": _errors([refusal])},
    )
    ctx.forget_items()
    return _group_payload(ctx, stored)


def inventorySetQuantities(root: Any, info: Info, input: dict[str, Any]) -> Any:
    return _quantity_mutation(info, input, "quantities", quantities.set_quantities)


def inventoryAdjustQuantities(root: Any, info: Info, input: dict[str, Any]) -> Any:
    return _quantity_mutation(info, input, "changes", quantities.adjust_quantities)


def inventoryMoveQuantities(root: Any, info: Info, input: dict[str, Any]) -> Any:
    return _quantity_mutation(info, input, "changes", quantities.move_quantities)


def inventorySetOnHandQuantities(root: Any, info: Info, input: dict[str, Any]) -> Any:
    return _quantity_mutation(info, input, "setQuantities", quantities.set_on_hand_quantities)


def inventoryActivate(root: Any, info: Info, **args: Any) -> dict[str, Any]:
    ctx = _ctx(info)

    def perform() -> dict[str, Any]:
        outcome = activation.activate(
            ctx.state,
            _caller(ctx),
            args["inventoryItemId"],
            args["locationId"],
            args.get("available"),
            args.get("onHand"),
        )
        return {"level": outcome.level, "errors": _errors(outcome.errors)}

    stored = _guarded(
        info,
        args,
        perform,
        lambda refusal: {"level": None, "errors": _errors([refusal])},
    )
    ctx.forget_items()
    level = ctx.state.level(*stored["level"]) if stored["level"] else None
    return {
        "inventoryLevel": InventoryLevel(ctx, level) if level else None,
        "userErrors": stored["errors"],
    }


def inventoryDeactivate(root: Any, info: Info, inventoryLevelId: str) -> Any:
    ctx = _ctx(info)
    errors = activation.deactivate(ctx.state, _caller(ctx), inventoryLevelId)
    ctx.forget_items()
    return {"userErrors": _errors(errors)}


def inventoryBulkToggleActivation(
    root: Any,
    info: Info,
    inventoryItemId: str,
    inventoryItemUpdates: list[dict[str, Any]],
) -> dict[str, Any]:
    ctx = _ctx(info)
    _input_cap(info, "inventoryItemUpdates", inventoryItemUpdates)
    outcome = activation.bulk_toggle(ctx.state, _caller(ctx), inventoryItemId, inventoryItemUpdates)
    ctx.forget_items()
    if outcome.errors:
        return {
            "inventoryItem": None,
            "inventoryLevels": None,
            "userErrors": _errors(outcome.errors),
        }
    item = ctx.item(outcome.item_id or 0)
    levels = [ctx.state.level(*pair) for pair in outcome.levels or []]
    return {
        "inventoryItem": InventoryItem(ctx, item) if item else None,
        "inventoryLevels": [InventoryLevel(ctx, lv) for lv in levels if lv is not None],
        "userErrors": [],
    }


def inventoryItemUpdate(root: Any, info: Info, id: str, input: dict[str, Any]) -> dict[str, Any]:
    ctx = _ctx(info)
    codes = input.get("countryHarmonizedSystemCodes") or []
    _input_cap(info, "input", codes, "countryHarmonizedSystemCodes")
    outcome = items.update_item(ctx.state, id, input)
    ctx.forget_items()
    item = ctx.item(outcome.item_id) if outcome.item_id is not None else None
    return {
        "inventoryItem": InventoryItem(ctx, item) if item else None,
        "userErrors": _errors(outcome.errors),
    }


QUERIES: dict[str, Resolver] = {
    "inventoryItem": inventoryItem,
    "inventoryItems": inventoryItems,
    "inventoryLevel": inventoryLevel,
    "inventoryProperties": inventoryProperties,
    "location": location,
    "locations": locations,
    "locationsCount": locationsCount,
    "node": node,
    "nodes": nodes,
    "product": product,
    "productVariant": productVariant,
    "productVariants": productVariants,
    "shop": shop,
}
MUTATIONS: dict[str, Resolver] = {
    "inventoryActivate": inventoryActivate,
    "inventoryAdjustQuantities": inventoryAdjustQuantities,
    "inventoryBulkToggleActivation": inventoryBulkToggleActivation,
    "inventoryDeactivate": inventoryDeactivate,
    "inventoryItemUpdate": inventoryItemUpdate,
    "inventoryMoveQuantities": inventoryMoveQuantities,
    "inventorySetOnHandQuantities": inventorySetOnHandQuantities,
    "inventorySetQuantities": inventorySetQuantities,
    **metafields.MUTATIONS,
}
