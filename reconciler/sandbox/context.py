"""Everything a resolver may need about the request it serves, with per-request caches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

from graphql import GraphQLResolveInfo

from .state import Item, Location, State
from .versions import VersionRules

ALL_SCOPES = frozenset({"read_inventory", "write_inventory", "read_locations", "read_products"})


@dataclass(frozen=True, slots=True)
class Token:
    """An access token of one app, with the scopes the merchant granted it."""

    value: str
    scopes: frozenset[str] = ALL_SCOPES
    app_title: str = "reconciler-sandbox"
    app_id: int = 1

    @property
    def fingerprint(self) -> str:
        """Identifies the app in state (idempotency keys, bulk operations) without the secret."""
        import hashlib

        return hashlib.sha256(self.value.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Shop:
    name: str = "Reconciler Sandbox"
    domain: str = "sandbox.myshopify.com"
    currency: str = "USD"


@dataclass
class RequestContext:
    state: State
    rules: VersionRules
    token: Token
    shop: Shop
    base_url: str
    bulk: Any = None  # BulkRunner; typed loosely to keep modules independent
    search: list[dict[str, Any]] = field(default_factory=list)
    _locations: dict[int, Location] | None = None
    _items: dict[int, Item] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.rules.name

    def locations(self) -> dict[int, Location]:
        """All locations, read once per request (a shop has few; levels refer to them a lot)."""
        if self._locations is None:
            self._locations = {loc.id: loc for loc in self.state.locations()}
        return self._locations

    def location(self, location_id: int) -> Location | None:
        return self.locations().get(location_id)

    def location_by_level_base(self, level_base: int) -> Location | None:
        for location in self.locations().values():
            if location.level_base == level_base:
                return location
        return None

    def item(self, item_id: int) -> Item | None:
        if item_id not in self._items:
            item = self.state.item(item_id)
            if item is None:
                return None
            self._items[item_id] = item
        return self._items[item_id]

    def forget_items(self) -> None:
        """Mutations change rows: drop cached reads so payloads show the new state."""
        self._items.clear()
        self._locations = None


Info: TypeAlias = "GraphQLResolveInfo[RequestContext]"
