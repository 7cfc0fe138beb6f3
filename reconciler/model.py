"""Values shared by every stage of the pipeline: quantity names, desired state, live state.

Everything here is immutable data with no I/O: manifests produce `DesiredState`, the live
reader produces `LiveState`, and the planner turns the pair into actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

# -- quantity names (Shopify's eight; facts §3.1) ---------------------------------------------

ON_HAND_COMPONENTS: tuple[str, ...] = (
    "available",
    "committed",
    "damaged",
    "quality_control",
    "reserved",
    "safety_stock",
)
# States that count in on_hand but cannot be sold; reached from `available` by moves.
UNAVAILABLE: tuple[str, ...] = ("damaged", "quality_control", "reserved", "safety_stock")
ALL_QUANTITY_NAMES: tuple[str, ...] = (
    "available",
    "committed",
    "damaged",
    "incoming",
    "on_hand",
    "quality_control",
    "reserved",
    "safety_stock",
)
# What a manifest may declare per level. committed (orders) and incoming (transfers) are
# owned by Shopify's own flows and cannot be written through the API.
DECLARABLE: tuple[str, ...] = (
    "available",
    "on_hand",
    "damaged",
    "quality_control",
    "reserved",
    "safety_stock",
)
ANCHORS: tuple[str, ...] = ("available", "on_hand")

# Item attributes a manifest may declare, in the order plans show them.
ATTRIBUTES: tuple[str, ...] = (
    "tracked",
    "cost",
    "countryCodeOfOrigin",
    "provinceCodeOfOrigin",
    "harmonizedSystemCode",
    "countryHarmonizedSystemCodes",
    "weight",
    "requiresShipping",
)

WEIGHT_UNITS: tuple[str, ...] = ("KILOGRAMS", "GRAMS", "POUNDS", "OUNCES")


@dataclass(frozen=True, slots=True)
class Weight:
    value: Decimal
    unit: str

    def as_json(self) -> dict[str, Any]:
        return {"value": float(self.value), "unit": self.unit}

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"


# -- where a desired value came from -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """A place in a manifest: file, 1-based line, and a JSON-path-like address."""

    file: str
    line: int
    path: str = "$"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


# -- desired state (from manifests) ------------------------------------------------------------


class DesiredLevel(NamedTuple):
    """What one item should be at one location; only declared names are managed.

    A plan holds a million of these, so it is a named tuple (immutable, and made three times
    faster than a frozen dataclass), and where it was declared is kept as plain fields (the
    file name is shared; `quantity_lines` is empty when every quantity sits on the level's own
    line, as in `East: {available: 5}`): `Source`s are made only when asked for.
    """

    location: str  # exact location name (aliases already resolved)
    stocked: bool  # False: the item must not be stocked here
    quantities: Mapping[str, int]
    file: str
    line: int
    path: str  # e.g. items[3].levels["East Warehouse"]
    quantity_lines: tuple[int, ...] = ()  # per declared quantity, in order; () = all on `line`
    reason: str | None = None  # overrides the item's / file's reason

    @property
    def source(self) -> Source:
        return Source(self.file, self.line, self.path)

    @property
    def quantity_sources(self) -> dict[str, Source]:
        lines = self.quantity_lines or (self.line,) * len(self.quantities)
        return {
            name: Source(self.file, line, f"{self.path}.{name}")
            for name, line in zip(self.quantities, lines, strict=True)
        }

    @classmethod
    def at(
        cls,
        source: Source,
        location: str,
        quantities: Mapping[str, int],
        stocked: bool = True,
        reason: str | None = None,
    ) -> DesiredLevel:
        """A level declared at `source`, its quantities on the same line (tests, tools)."""
        return cls(location, stocked, quantities, source.file, source.line, source.path, (), reason)


@dataclass(frozen=True, slots=True)
class DesiredItem:
    sku: str
    id: str | None  # gid pin, for SKUs shared by several items
    attributes: Mapping[str, Any]  # declared attributes only; see ATTRIBUTES for the names
    levels: tuple[DesiredLevel, ...]
    reason: str  # Shopify reason for quantity changes (file default unless overridden)
    source: Source
    attribute_sources: Mapping[str, Source] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ManifestFile:
    path: str
    sha256: str


@dataclass(frozen=True, slots=True)
class DesiredState:
    items: tuple[DesiredItem, ...]
    files: tuple[ManifestFile, ...]
    location_aliases: Mapping[str, str] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """One hash over every manifest file's hash: names the exact inputs of a plan."""
        import hashlib

        joined = "\n".join(f"{f.path} {f.sha256}" for f in sorted(self.files, key=lambda f: f.path))
        return hashlib.sha256(joined.encode()).hexdigest()


# -- live state (from the store) ---------------------------------------------------------------
#
# A plan of a big store holds a million levels, so these are lean: slots everywhere, a level's
# eight quantities as one tuple (not a dict per level), locations found by dict.

_QUANTITY_INDEX: dict[str, int] = {name: i for i, name in enumerate(ALL_QUANTITY_NAMES)}
_ZEROS: tuple[int, ...] = (0,) * len(ALL_QUANTITY_NAMES)


@dataclass(frozen=True, slots=True)
class LiveLocation:
    id: str
    name: str
    is_active: bool = True


@dataclass(frozen=True, slots=True, init=False)
class LiveLevel:
    """One item at one location: all eight quantity names, on_hand included.

    Built from a mapping of names (``LiveLevel(loc, level, True, {"available": 3})``; missing
    names are 0), or from `counts`, the values in ALL_QUANTITY_NAMES order; `quantities` wins
    when both are given, so ``dataclasses.replace(level, quantities=...)`` works.
    """

    location_id: str
    level_id: str
    is_active: bool
    counts: tuple[int, ...]  # in ALL_QUANTITY_NAMES order

    def __init__(
        self,
        location_id: str,
        level_id: str,
        is_active: bool,
        quantities: Mapping[str, int] | None = None,
        *,
        counts: tuple[int, ...] | None = None,
    ) -> None:
        if quantities is not None or counts is None:
            values = list(_ZEROS)
            for name, value in (quantities or {}).items():
                values[_QUANTITY_INDEX[name]] = int(value)
            counts = tuple(values)
        object.__setattr__(self, "location_id", location_id)
        object.__setattr__(self, "level_id", level_id)
        object.__setattr__(self, "is_active", is_active)
        object.__setattr__(self, "counts", counts)

    @property
    def quantities(self) -> dict[str, int]:
        """All eight names and their values (a new dict each time)."""
        return dict(zip(ALL_QUANTITY_NAMES, self.counts, strict=True))

    def quantity(self, name: str) -> int:
        index = _QUANTITY_INDEX.get(name)
        return 0 if index is None else self.counts[index]


@dataclass(frozen=True, slots=True)
class LiveItem:
    id: str
    sku: str | None
    tracked: bool
    cost: Decimal | None
    country_code_of_origin: str | None
    province_code_of_origin: str | None
    harmonized_system_code: str | None
    country_harmonized_system_codes: Mapping[str, str]
    weight: Weight | None
    requires_shipping: bool
    duplicate_sku_count: int
    levels: Mapping[str, LiveLevel]  # by location id; inactive levels only from 2026-04

    def attribute(self, name: str) -> Any:
        """The live value of a manifest attribute name (see ATTRIBUTES)."""
        return {
            "tracked": self.tracked,
            "cost": self.cost,
            "countryCodeOfOrigin": self.country_code_of_origin,
            "provinceCodeOfOrigin": self.province_code_of_origin,
            "harmonizedSystemCode": self.harmonized_system_code,
            "countryHarmonizedSystemCodes": dict(self.country_harmonized_system_codes),
            "weight": self.weight,
            "requiresShipping": self.requires_shipping,
        }[name]


@dataclass(frozen=True, slots=True)
class LiveState:
    """The part of the store the manifests mention, as read at one moment."""

    store: str
    api_version: str
    locations: tuple[LiveLocation, ...]
    items: Mapping[str, LiveItem]  # by item id
    skus: Mapping[str, tuple[str, ...]]  # exact SKU -> item ids carrying it
    _by_name: dict[str, LiveLocation] = field(init=False, repr=False, compare=False)
    _by_id: dict[str, LiveLocation] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, LiveLocation] = {}
        for location in self.locations:
            by_name.setdefault(location.name, location)  # the first of equal names, as before
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_by_id", {location.id: location for location in self.locations})

    def location_by_name(self, name: str) -> LiveLocation | None:
        return self._by_name.get(name)

    def location(self, location_id: str) -> LiveLocation | None:
        return self._by_id.get(location_id)
