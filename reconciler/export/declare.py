"""A live item → the manifest entry that declares it: the declarable part of the live state.

What an exported manifest declares, so that the first plan after an export is empty and a
re-export of an unchanged store is identical:

* the item by its SKU, pinned with `id` when several items share the SKU; items without a SKU
  (or with one a manifest cannot hold: leading or trailing spaces, a line break) are left out
  and counted;
* every attribute the manifests own that Shopify has set (an unset cost, country, region or HS
  code is left out: not managed; ``null`` in a manifest would mean "must stay unset"); a value
  a manifest cannot hold (a cost with more than 2 decimals, an HS code that is not 6-13
  digits) is left out and counted;
* every active level at a location that is active and not ignored, keyed by the location's
  alias (the first in reconciler.yaml) or its name: `available` where the manifests own it,
  then every unavailable state they own that is not 0 — or that an ownership rule gives them in
  so many words, even at 0, so that any change to it is drift. Never `on_hand` (it would
  restate available + committed + the rest, and conflict after the first sale), never
  `committed` or `incoming` (Shopify's own). A level with nothing to declare says
  ``{stocked: true}``; so do an untracked item's levels (Shopify keeps no quantities for it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reconciler.manifest import codes
from reconciler.manifest.ownership import Ownership, location_names
from reconciler.model import ATTRIBUTES, UNAVAILABLE, LiveItem, LiveLocation

from .manifest_writer import ManifestItem, ManifestLevel

_SKU = re.compile(r"^\S(.*\S)?$")
_TWO_PLACES = Decimal("0.01")


@dataclass
class Skipped:
    """What an export left out, and why (counted, with a few examples, for the summary)."""

    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, why: str, example: str) -> None:
        self.counts[why] = self.counts.get(why, 0) + 1
        shown = self.examples.setdefault(why, [])
        if len(shown) < 3:
            shown.append(example)

    def lines(self) -> list[str]:
        return [
            f"{count:,} {why} (e.g. {', '.join(self.examples[why])})"
            for why, count in sorted(self.counts.items())
        ]


@dataclass(frozen=True)
class Declaring:
    """How live items become entries: locations by id, aliases, ownership."""

    locations: Mapping[str, LiveLocation]
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias → location name (config)
    ownership: Ownership = field(default_factory=Ownership)
    use_aliases: bool = True
    _keys: dict[str, tuple[str, tuple[str, ...]] | None] = field(
        default_factory=dict, repr=False, compare=False
    )
    _declared: dict[str, tuple[tuple[str, ...], frozenset[str]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def quantities(
        self, location_id: str, names: tuple[str, ...]
    ) -> tuple[tuple[str, ...], frozenset[str]]:
        """The names the manifests own at a location, and those a rule gives them by name
        (computed once per location, not once per level)."""
        found = self._declared.get(location_id)
        if found is None:
            found = self._declared[location_id] = (
                self.ownership.owned_quantities(names),
                frozenset(self.ownership.explicit_quantities(names)),
            )
        return found

    def location_key(self, location_id: str) -> tuple[str, tuple[str, ...]] | None:
        """The level key to write for a location, and every name it goes by; None when the
        location is unknown, deactivated or ignored."""
        if location_id not in self._keys:
            location = self.locations.get(location_id)
            found: tuple[str, tuple[str, ...]] | None = None
            if location is not None and location.is_active:
                names = location_names(location.name, self.aliases)
                if not self.ownership.ignores_location(names):
                    alias = next((a for a, n in self.aliases.items() if n == location.name), None)
                    found = (alias if self.use_aliases and alias else location.name, names)
            self._keys[location_id] = found
        return self._keys[location_id]


def declare(
    item: LiveItem, how: Declaring, skipped: Skipped, pin: bool = False
) -> ManifestItem | None:
    """The manifest entry declaring `item`, or None when it cannot have one (see module)."""
    sku = item.sku
    if not sku or not _SKU.match(sku):
        skipped.add("items without a SKU a manifest can hold", item.id)
        return None
    if how.ownership.ignores_sku(sku):
        return None
    attributes = {}
    for name in ATTRIBUTES:
        if how.ownership.owns_attribute(name):
            value = _attribute(name, item.attribute(name))
            if value is _CANNOT:
                skipped.add(f"{name} values a manifest cannot hold", sku)
            elif value is not None:
                attributes[name] = value
    levels = []
    for location_id in sorted(item.levels):
        level = item.levels[location_id]
        key = how.location_key(location_id) if level.is_active else None
        if key is None:
            continue
        quantities: dict[str, int] = {}
        if item.tracked:
            owned, explicit = how.quantities(location_id, key[1])
            if "available" in owned:
                quantities["available"] = level.quantity("available")
            for state in UNAVAILABLE:
                value = level.quantity(state)
                if state in owned and (value != 0 or state in explicit):
                    quantities[state] = value
        levels.append(ManifestLevel(key[0], quantities))
    return ManifestItem(sku, item.id if pin else None, attributes, tuple(levels))


class _Cannot:
    pass


_CANNOT: Any = _Cannot()


def _attribute(name: str, value: Any) -> Any:
    """The value to declare: None (unset: leave it out), _CANNOT, or the value."""
    if value is None:
        return None
    if name == "countryHarmonizedSystemCodes":
        if not value:
            return None
        good = all(
            country in codes.COUNTRY_CODES and codes.HS_CODE_RE.match(code)
            for country, code in value.items()
        )
        return dict(sorted(value.items())) if good else _CANNOT
    if name == "cost":
        return value if value >= 0 and value.quantize(_TWO_PLACES) == value else _CANNOT
    if name == "harmonizedSystemCode":
        return value if codes.HS_CODE_RE.match(value) else _CANNOT
    if name == "countryCodeOfOrigin":
        return value if value in codes.COUNTRY_CODES else _CANNOT
    if name == "provinceCodeOfOrigin":
        return value if codes.PROVINCE_RE.match(value) else _CANNOT
    return value
