"""GraphQL object adapters: thin views over state rows, named after Shopify's types and fields.

graphql-core's default resolver reads an attribute named like the field and calls it with the
field's arguments when it is a method, so each class here mirrors one Shopify type and its
camelCase field names. Reading a field the sandbox does not implement raises a clear error
instead of silently answering null.
"""

# ruff: noqa: N802, N803 - names mirror Shopify's GraphQL fields and arguments

from __future__ import annotations

import re
from typing import Any

from . import ids
from .context import RequestContext
from .pagination import Key, ListSource, Page, Source, paginate, window
from .places import country_name, province_name
from .search import Compiled, Fields, Matcher, matcher
from .state import (
    ALL_NAMES,
    ON_HAND_COMPONENTS,
    STORED_NAMES,
    AdjustmentGroup,
    Change,
    Item,
    Level,
    Location,
)

DISPLAY_NAMES = {
    "available": "Available",
    "committed": "Committed",
    "damaged": "Damaged",
    "incoming": "Incoming",
    "on_hand": "On hand",
    "quality_control": "Quality control",
    "reserved": "Reserved",
    "safety_stock": "Safety stock",
}


class NotInSandbox(Exception):
    """A field exists in Shopify's schema but the sandbox does not serve it.

    Said plainly, whatever the token's scopes: an ACCESS_DENIED naming a scope would send the
    user looking for a permission that would change nothing (issue 11)."""

    def __init__(self, type_name: str, field_name: str) -> None:
        super().__init__(
            f"The sandbox does not emulate {type_name}.{field_name} (Shopify serves it; "
            "SANDBOX_COVERAGE.md lists what the sandbox serves)."
        )


def serves(root: Any, field_name: str) -> bool:
    """Whether `root` (an adapter, or any other parent value) answers `field_name` itself."""
    if not isinstance(root, Adapter):
        return True
    return hasattr(type(root), field_name)


class Adapter:
    """Base: unknown camelCase fields raise NotInSandbox rather than resolving to null."""

    __slots__ = ("ctx",)
    graphql_type = "?"

    def __init__(self, ctx: RequestContext) -> None:
        self.ctx = ctx

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or not name[:1].islower():
            raise AttributeError(name)
        raise NotInSandbox(self.graphql_type, name)


# -- connections ----------------------------------------------------------------------------


class Edge:
    __slots__ = ("cursor", "node")

    def __init__(self, cursor: str, node: Any) -> None:
        self.cursor = cursor
        self.node = node


class Connection:
    """Any ``XConnection``: edges, nodes and pageInfo over one page."""

    __slots__ = ("page",)

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def edges(self) -> list[Edge]:
        return [Edge(c, n) for c, n in zip(self.page.cursors, self.page.nodes, strict=True)]

    @property
    def nodes(self) -> list[Any]:
        return self.page.nodes

    @property
    def pageInfo(self) -> dict[str, Any]:
        cursors = self.page.cursors
        return {
            "hasNextPage": self.page.has_next,
            "hasPreviousPage": self.page.has_previous,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        }


def connection(source: Source, args: dict[str, Any]) -> Connection:
    return Connection(paginate(source, window(args)))


def list_connection(rows: list[tuple[Key, Any]], args: dict[str, Any]) -> Connection:
    return connection(ListSource(rows), args)


def record_search(
    ctx: RequestContext, info: Any, query: str | None, found: Compiled | Matcher
) -> None:
    """Report a query's warnings in ``extensions.search`` as Shopify does (captures §3.1).

    Only queries with warnings are reported; the path is the connection's response path
    (aliases, e.g. ``["inventoryItem", "invalidLocationFilter"]``).
    """
    if not found.warnings:
        return
    ctx.search.append(
        {
            "path": list(info.path.as_list()),
            "query": query,
            "parsed": found.parsed,
            "warnings": [w.as_dict() for w in found.warnings],
        }
    )


# InventoryLevel connections: "created_at, id, inventory_group_id, inventory_item_id,
# updated_at" (facts §2.3); `location_id` is not one of them (captures §3.2).
LEVEL_SEARCH = Fields(
    {
        "created_at": "created_at",
        "updated_at": "updated_at",
        "id": "id",
        "inventory_group_id": "inventory_item_id",
        "inventory_item_id": "inventory_item_id",
    },
    ids=frozenset({"id", "inventory_group_id", "inventory_item_id"}),
)


def level_values(level: Level, level_base: int) -> dict[str, Any]:
    return {
        "created_at": level.created_at,
        "updated_at": level.updated_at,
        "id": level_base,
        "inventory_item_id": level.item_id,
    }


# -- inventory items ------------------------------------------------------------------------


class InventoryItem(Adapter):
    __slots__ = ("item",)
    graphql_type = "InventoryItem"

    def __init__(self, ctx: RequestContext, item: Item) -> None:
        super().__init__(ctx)
        self.item = item

    @property
    def id(self) -> str:
        return ids.gid("InventoryItem", self.item.id)

    @property
    def legacyResourceId(self) -> str:
        return str(self.item.id)

    @property
    def sku(self) -> str | None:
        return self.item.sku

    @property
    def tracked(self) -> bool:
        return self.item.tracked

    @property
    def trackedEditable(self) -> dict[str, Any]:
        return {"locked": False, "reason": None}

    @property
    def unitCost(self) -> dict[str, Any] | None:
        if self.item.cost is None:
            return None
        return {"amount": self.item.cost, "currencyCode": self.ctx.shop.currency}

    @property
    def countryCodeOfOrigin(self) -> str | None:
        return self.item.country_code

    @property
    def provinceCodeOfOrigin(self) -> str | None:
        return self.item.province_code

    @property
    def harmonizedSystemCode(self) -> str | None:
        return self.item.hs_code

    def countryHarmonizedSystemCodes(self, info: Any, **args: Any) -> Connection:
        codes = self.ctx.state.country_hs_codes(self.item.id)
        rows = [
            ((i, i), {"countryCode": country, "harmonizedSystemCode": code})
            for i, (country, code) in enumerate(codes)
        ]
        return list_connection(rows, args)

    @property
    def measurement(self) -> dict[str, Any]:
        return {
            "id": ids.gid("InventoryItemMeasurement", self.item.id),
            "weight": {"value": self.item.weight_value, "unit": self.item.weight_unit},
        }

    @property
    def requiresShipping(self) -> bool:
        return self.item.requires_shipping

    @property
    def duplicateSkuCount(self) -> int:
        return self.ctx.state.duplicate_sku_count(self.item)

    def _visible(self, level: Level, include_inactive: bool) -> bool:
        if level.is_active:
            return True
        return include_inactive and self.ctx.rules.inactive_levels

    def inventoryLevel(
        self, info: Any, locationId: str, includeInactive: bool = False
    ) -> InventoryLevel | None:
        number = ids.parse(locationId, "Location")
        level = self.ctx.state.level(self.item.id, number) if number is not None else None
        if level is None or not self._visible(level, includeInactive):
            return None
        return InventoryLevel(self.ctx, level)

    def inventoryLevels(self, info: Any, **args: Any) -> Connection:
        include = bool(args.get("includeInactive"))
        query = args.get("query")
        found = matcher(query, LEVEL_SEARCH)
        record_search(self.ctx, info, query, found)
        rows = []
        for lv in self.ctx.state.levels_of_item(self.item.id, include_inactive=True):
            location = self.ctx.location(lv.location_id)
            if location is None or not self._visible(lv, include):
                continue
            if found.test(level_values(lv, location.level_base)):
                rows.append(((lv.stocked, lv.location_id), InventoryLevel(self.ctx, lv)))
        return list_connection(rows, args)

    @property
    def locationsCount(self) -> dict[str, Any]:
        count = len(self.ctx.state.levels_of_item(self.item.id, include_inactive=False))
        return {"count": count, "precision": "EXACT"}

    @property
    def inventoryHistoryUrl(self) -> str:
        return f"https://{self.ctx.shop.domain}/admin/products/inventory/{self.item.id}/inventory_history"

    @property
    def createdAt(self) -> str:
        return self.item.created_at

    @property
    def updatedAt(self) -> str:
        return self.item.updated_at

    @property
    def variant(self) -> ProductVariant:
        return ProductVariant(self.ctx, self.item)

    def variants(self, info: Any, **args: Any) -> Connection:
        return list_connection([((self.item.variant_id, self.item.variant_id), self.variant)], args)


# -- levels and quantities ------------------------------------------------------------------


class InventoryLevel(Adapter):
    __slots__ = ("level",)
    graphql_type = "InventoryLevel"

    def __init__(self, ctx: RequestContext, level: Level) -> None:
        super().__init__(ctx)
        self.level = level

    def _location(self) -> Location:
        location = self.ctx.location(self.level.location_id)
        assert location is not None
        return location

    @property
    def id(self) -> str:
        return ids.level_gid(self._location().level_base, self.level.item_id)

    @property
    def isActive(self) -> bool:
        return self.level.is_active

    @property
    def canDeactivate(self) -> bool:
        others = self.ctx.state.levels_of_item(self.level.item_id, include_inactive=False)
        return self.level.is_active and len(others) > 1

    @property
    def deactivationAlert(self) -> str | None:
        return None

    @property
    def item(self) -> InventoryItem:
        item = self.ctx.item(self.level.item_id)
        assert item is not None
        return InventoryItem(self.ctx, item)

    @property
    def location(self) -> LocationNode:
        return LocationNode(self.ctx, self._location())

    def quantities(self, info: Any, names: list[str]) -> list[InventoryQuantity]:
        """Rows in the order asked (facts §8.4); updatedAt is never set for on_hand.

        A name that is no quantity name gives no row and no error: ``names`` is a plain
        ``[String!]`` whose description lists no refusal (a sandbox choice, README).
        """
        base = self._location().level_base
        return [
            InventoryQuantity(self.ctx, self.level, base, name)
            for name in names
            if name in DISPLAY_NAMES
        ]

    @property
    def createdAt(self) -> str:
        return self.level.created_at

    @property
    def updatedAt(self) -> str:
        return self.level.updated_at

    def scheduledChanges(self, info: Any, **args: Any) -> Connection:
        return list_connection([], args)


class InventoryQuantity(Adapter):
    """One named quantity of a level; a Node: ``InventoryQuantity/<n>?inventory_item_id=…&name=…``."""

    __slots__ = ("base", "level", "quantity_name")
    graphql_type = "InventoryQuantity"

    def __init__(self, ctx: RequestContext, level: Level, base: int, name: str) -> None:
        super().__init__(ctx)
        self.level, self.base, self.quantity_name = level, base, name

    @property
    def id(self) -> str:
        return ids.quantity_gid(self.base, self.level.item_id, self.quantity_name)

    @property
    def name(self) -> str:
        return self.quantity_name

    @property
    def quantity(self) -> int:
        return self.level.quantity(self.quantity_name)

    @property
    def updatedAt(self) -> str | None:
        if self.quantity_name == "on_hand":
            return None
        return self.level.updated.get(self.quantity_name)


def names_in_use(ctx: RequestContext) -> set[str]:
    """Quantity names the shop has ever used: set at some level, or stamped by a write.

    ``isInUse`` is shop-dependent (captures §3.5: available/committed/on_hand/reserved true,
    the rest false on the recorded shop).
    """
    checks = ", ".join(f"MAX({n} != 0 OR {n}_updated_at IS NOT NULL)" for n in STORED_NAMES)
    with ctx.state.reading() as conn:
        row = conn.execute(f"SELECT {checks} FROM levels").fetchone()  # noqa: S608
    used = {name for name, flag in zip(STORED_NAMES, row or (), strict=False) if flag}
    if used & set(ON_HAND_COMPONENTS):
        used.add("on_hand")
    return used


def inventory_properties(ctx: RequestContext | None = None) -> dict[str, Any]:
    """The eight quantity names and how they nest (captured, facts §3.1)."""
    in_use = names_in_use(ctx) if ctx is not None else set(ALL_NAMES)
    names = []
    for name in ALL_NAMES:
        names.append(
            {
                "name": name,
                "displayName": DISPLAY_NAMES[name],
                "isInUse": name in in_use,
                "belongsTo": ["on_hand"] if name in ON_HAND_COMPONENTS else [],
                "comprises": list(ON_HAND_COMPONENTS) if name == "on_hand" else [],
            }
        )
    return {"quantityNames": names}


# -- locations ------------------------------------------------------------------------------


class LocationNode(Adapter):
    __slots__ = ("loc",)
    graphql_type = "Location"

    def __init__(self, ctx: RequestContext, loc: Location) -> None:
        super().__init__(ctx)
        self.loc = loc

    @property
    def id(self) -> str:
        return ids.gid("Location", self.loc.id)

    @property
    def legacyResourceId(self) -> str:
        return str(self.loc.id)

    @property
    def name(self) -> str:
        return self.loc.name

    @property
    def isActive(self) -> bool:
        return self.loc.is_active

    # Capabilities, not states (captures location-catalog-overlay-lifecycle, 810 readings, and
    # location-activate-deactivate-lifecycle): a merchant location can be activated whether
    # or not it is active; every location but the primary can be deactivated, active or not.
    @property
    def activatable(self) -> bool:
        return True

    @property
    def deactivatable(self) -> bool:
        return not self.isPrimary

    @property
    def deletable(self) -> bool:
        return not self.loc.is_active

    @property
    def deactivatedAt(self) -> str | None:
        return self.loc.deactivated_at

    @property
    def fulfillsOnlineOrders(self) -> bool:
        return self.loc.fulfills_online_orders

    @property
    def hasActiveInventory(self) -> bool:
        return bool(self.ctx.state.levels_of_location(self.loc.id, False, 0, 1, False))

    @property
    def hasUnfulfilledOrders(self) -> bool:
        return False

    @property
    def isFulfillmentService(self) -> bool:
        return False

    @property
    def fulfillmentService(self) -> None:
        return None

    @property
    def shipsInventory(self) -> bool:
        return self.isPrimary  # same captures: true for the primary location only

    @property
    def isPrimary(self) -> bool:
        active = [loc.id for loc in self.ctx.locations().values() if loc.is_active]
        return bool(active) and self.loc.id == min(active)

    @property
    def addressVerified(self) -> bool:
        return bool(self.loc.address1)

    @property
    def address(self) -> dict[str, Any]:
        loc = self.loc
        # names beside the codes; formatted as recorded: ["1 Test St", "Boston MA 02110",
        # "United States"] (docs/shopify-captures.md §3.3)
        country = country_name(loc.country_code)
        town = " ".join(x for x in (loc.city, loc.province_code, loc.zip) if x)
        return {
            "address1": loc.address1,
            "address2": None,
            "city": loc.city,
            "country": country,
            "countryCode": loc.country_code,
            "formatted": [x for x in (loc.address1, town, country) if x],
            "latitude": None,
            "longitude": None,
            "phone": None,
            "province": province_name(loc.country_code, loc.province_code),
            "provinceCode": loc.province_code,
            "zip": loc.zip,
        }

    def inventoryLevel(
        self, info: Any, inventoryItemId: str, includeInactive: bool = False
    ) -> InventoryLevel | None:
        item = self.ctx.item(ids.parse(inventoryItemId, "InventoryItem") or 0)
        if item is None:
            return None
        return InventoryItem(self.ctx, item).inventoryLevel(
            info, self.id, includeInactive=includeInactive
        )

    def inventoryLevels(self, info: Any, **args: Any) -> Connection:
        include = bool(args.get("includeInactive")) and self.ctx.rules.inactive_levels
        query = args.get("query")
        found = matcher(query, LEVEL_SEARCH)
        record_search(self.ctx, info, query, found)
        return connection(_LocationLevels(self.ctx, self.loc, include, found), args)

    @property
    def createdAt(self) -> str:
        return self.loc.created_at

    @property
    def updatedAt(self) -> str:
        return self.loc.updated_at

    @property
    def localPickupSettingsV2(self) -> None:
        return None

    @property
    def suggestedAddresses(self) -> list[Any]:
        return []


class _LocationLevels:
    """A location's levels come from SQL: a location can stock a hundred thousand items."""

    def __init__(
        self, ctx: RequestContext, location: Location, include_inactive: bool, found: Matcher
    ) -> None:
        self.ctx, self.location, self.include, self.found = ctx, location, include_inactive, found

    def fetch(
        self, after: Key | None, before: Key | None, descending: bool, limit: int
    ) -> list[tuple[Key, Any]]:
        start = after[1] if after else (2**62 if descending else 0)
        rows: list[tuple[Key, Any]] = []
        while len(rows) < limit:
            levels = self.ctx.state.levels_of_location(
                self.location.id, self.include, start, limit, descending
            )
            for lv in levels:
                if before is not None and (
                    lv.item_id <= before[1] if descending else lv.item_id >= before[1]
                ):
                    return rows
                if self.found.test(level_values(lv, self.location.level_base)):
                    rows.append(((lv.item_id, lv.item_id), InventoryLevel(self.ctx, lv)))
                    if len(rows) >= limit:
                        return rows
            if len(levels) < limit:
                break
            start = levels[-1].item_id
        return rows

    def exists(self, beyond: Key, descending: bool) -> bool:
        return bool(self.fetch(beyond, None, descending, 1))


# -- variants and products ------------------------------------------------------------------


class ProductVariant(Adapter):
    __slots__ = ("item",)
    graphql_type = "ProductVariant"

    def __init__(self, ctx: RequestContext, item: Item) -> None:
        super().__init__(ctx)
        self.item = item

    @property
    def id(self) -> str:
        return ids.gid("ProductVariant", self.item.variant_id)

    @property
    def legacyResourceId(self) -> str:
        return str(self.item.variant_id)

    @property
    def sku(self) -> str | None:
        return self.item.sku

    @property
    def title(self) -> str:
        return self.item.variant_title

    @property
    def displayName(self) -> str:
        return f"{self.item.product_title} - {self.item.variant_title}"

    @property
    def selectedOptions(self) -> list[dict[str, str]]:
        """The variant's option values, from its title (``Red / M``). A store keeps option
        names; the sandbox does not, so a product's options are named ``Option1``...; a
        variant of a product without options is Shopify's ``Title: Default Title``."""
        title = self.item.variant_title
        if title == "Default Title":
            return [{"name": "Title", "value": title}]
        values = title.split(" / ")[:3]
        return [{"name": f"Option{n}", "value": v} for n, v in enumerate(values, start=1)]

    @property
    def barcode(self) -> None:
        return None

    @property
    def inventoryItem(self) -> InventoryItem:
        return InventoryItem(self.ctx, self.item)

    @property
    def inventoryQuantity(self) -> int:
        levels = self.ctx.state.levels_of_item(self.item.id, include_inactive=False)
        return sum(lv.quantities["available"] for lv in levels)

    @property
    def sellableOnlineQuantity(self) -> int:
        return self.inventoryQuantity

    @property
    def inventoryPolicy(self) -> str:
        return "DENY"

    @property
    def requiresComponents(self) -> bool:
        return False

    @property
    def product(self) -> Product:
        return Product(self.ctx, self.item)

    @property
    def createdAt(self) -> str:
        return self.item.created_at

    @property
    def updatedAt(self) -> str:
        return self.item.updated_at


class Product(Adapter):
    __slots__ = ("item",)
    graphql_type = "Product"

    def __init__(self, ctx: RequestContext, item: Item) -> None:
        super().__init__(ctx)
        self.item = item

    @property
    def id(self) -> str:
        return ids.gid("Product", self.item.product_id)

    @property
    def title(self) -> str:
        return self.item.product_title

    @property
    def handle(self) -> str:
        """Made from the title as Shopify makes a new product's handle (lower case, runs of
        anything but letters and digits as one ``-``)."""
        return re.sub(r"[^a-z0-9]+", "-", self.item.product_title.lower()).strip("-")

    @property
    def tracksInventory(self) -> bool:
        return self.item.tracked

    @property
    def totalInventory(self) -> int:
        """Lags behind the levels like Shopify's (totals.py)."""
        live = ProductVariant(self.ctx, self.item).inventoryQuantity
        return self.ctx.state.total_lag.read(self.item.id, live)

    @property
    def status(self) -> str:
        return "ACTIVE"


# -- history --------------------------------------------------------------------------------


class InventoryAdjustmentGroup(Adapter):
    __slots__ = ("group",)
    graphql_type = "InventoryAdjustmentGroup"

    def __init__(self, ctx: RequestContext, group: AdjustmentGroup) -> None:
        super().__init__(ctx)
        self.group = group

    @property
    def id(self) -> str:
        return ids.gid("InventoryAdjustmentGroup", self.group.id)

    @property
    def createdAt(self) -> str:
        return self.group.created_at

    @property
    def reason(self) -> str:
        return self.group.reason

    @property
    def referenceDocumentUri(self) -> str | None:
        return self.group.reference_document_uri

    @property
    def app(self) -> dict[str, Any] | None:
        if not self.group.app_title:
            return None
        handle = self.group.app_title.lower().replace(" ", "-")
        return {
            "id": ids.gid("App", self.ctx.token.app_id),
            "title": self.group.app_title,
            "handle": handle,
            "apiKey": handle,
        }

    @property
    def staffMember(self) -> None:
        return None

    def changes(
        self,
        info: Any,
        inventoryItemIds: list[str] | None = None,
        locationIds: list[str] | None = None,
        quantityNames: list[str] | None = None,
    ) -> list[InventoryChange]:
        items = {ids.parse(g, "InventoryItem") for g in inventoryItemIds or []}
        locations = {ids.parse(g, "Location") for g in locationIds or []}
        out = []
        for change in self.group.changes:
            if inventoryItemIds is not None and change.item_id not in items:
                continue
            if locationIds is not None and change.location_id not in locations:
                continue
            if quantityNames is not None and change.name not in quantityNames:
                continue
            out.append(InventoryChange(self.ctx, change))
        return out


class InventoryChange(Adapter):
    __slots__ = ("change",)
    graphql_type = "InventoryChange"

    def __init__(self, ctx: RequestContext, change: Change) -> None:
        super().__init__(ctx)
        self.change = change

    @property
    def name(self) -> str:
        return self.change.name

    @property
    def delta(self) -> int:
        return self.change.delta

    @property
    def quantityAfterChange(self) -> int | None:
        return None  # null in every recorded Shopify response (facts §3.3)

    @property
    def ledgerDocumentUri(self) -> str | None:
        return self.change.ledger_document_uri

    @property
    def item(self) -> InventoryItem | None:
        item = self.ctx.item(self.change.item_id)
        return InventoryItem(self.ctx, item) if item else None

    @property
    def location(self) -> LocationNode | None:
        loc = self.ctx.location(self.change.location_id)
        return LocationNode(self.ctx, loc) if loc else None


# -- the shop ------------------------------------------------------------------------------


class ShopNode(Adapter):
    __slots__ = ()
    graphql_type = "Shop"

    @property
    def id(self) -> str:
        return ids.gid("Shop", 1)

    @property
    def name(self) -> str:
        return self.ctx.shop.name

    @property
    def myshopifyDomain(self) -> str:
        return self.ctx.shop.domain

    @property
    def currencyCode(self) -> str:
        return self.ctx.shop.currency

    @property
    def ianaTimezone(self) -> str:
        return "Etc/UTC"

    @property
    def timezoneAbbreviation(self) -> str:
        return "UTC"

    def metafield(self, info: Any, key: str, namespace: str | None = None) -> Any:
        from .metafields import shop_metafield  # metafields builds on these adapters

        return shop_metafield(self.ctx, key, namespace)

    @property
    def primaryDomain(self) -> dict[str, Any]:
        return {
            "id": ids.gid("Domain", 1),
            "host": self.ctx.shop.domain,
            "url": f"https://{self.ctx.shop.domain}",
        }
