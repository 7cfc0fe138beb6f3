"""Desired × live → actions. Pure: it reads a `LiveState` value and never touches the network.

Only what the manifests declare is managed: undeclared items, levels, attributes and quantity
names are never changed. Every problem (unknown SKU or location, shared SKU without a pin,
untracked item with quantities, arithmetic that does not add up, an unstock that Shopify would
refuse) is collected with the manifest line it comes from, and all are reported at once.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from reconciler.errors import PlanError, Problem
from reconciler.manifest import codes
from reconciler.model import (
    ATTRIBUTES,
    ON_HAND_COMPONENTS,
    DesiredItem,
    DesiredLevel,
    DesiredState,
    LiveItem,
    LiveLevel,
    LiveLocation,
    LiveState,
    Source,
    Weight,
)

from .actions import (
    Action,
    Activate,
    AttributeChange,
    Deactivate,
    Move,
    SetQuantity,
    Target,
    UpdateItem,
    sort_key,
)
from .quantities import LevelPlan, QuantityConflict, reads, simulate, solve


@dataclass(frozen=True, slots=True)
class Filters:
    """--sku / --exclude-sku / --location globs that narrow a plan."""

    skus: tuple[str, ...] = ()
    exclude_skus: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()

    def wants_sku(self, sku: str) -> bool:
        if self.skus and not any(fnmatch.fnmatchcase(sku, g) for g in self.skus):
            return False
        return not any(fnmatch.fnmatchcase(sku, g) for g in self.exclude_skus)

    def wants_location(self, name: str) -> bool:
        return not self.locations or any(fnmatch.fnmatchcase(name, g) for g in self.locations)

    def as_json(self) -> dict[str, list[str]]:
        return {
            "sku": list(self.skus),
            "exclude_sku": list(self.exclude_skus),
            "location": list(self.locations),
        }


@dataclass
class Observed:
    """The live values a plan was made from, per touched level and item (for stale checks)."""

    levels: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Built:
    actions: tuple[Action, ...]
    observed: Observed
    warnings: tuple[Problem, ...]


def select(desired: DesiredState, filters: Filters) -> DesiredState:
    """The part of the desired state the filters keep (applied before reading the store)."""
    items = tuple(i for i in desired.items if filters.wants_sku(i.sku))
    return DesiredState(items, desired.files, desired.location_aliases)


# -- attribute comparison ----------------------------------------------------------------------


def attribute_json(name: str, value: Any) -> Any:
    """A JSON-ready form of an attribute value (cost as a decimal string, weight as a dict)."""
    if value is None:
        return None
    if name == "cost":
        amount = Decimal(value)
        cents = amount.quantize(Decimal("0.01"))
        return format(cents if cents == amount else amount, "f")
    if name == "weight":
        assert isinstance(value, Weight)
        return {"value": format(value.value.normalize(), "f"), "unit": value.unit}
    if name == "countryHarmonizedSystemCodes":
        return dict(sorted(value.items()))
    return value


def _same(name: str, desired: Any, live: Any) -> bool:
    if desired is None or live is None:  # `null` in a manifest: the attribute must be unset
        return desired is None and live is None
    if name == "cost":
        return live is not None and Decimal(desired) == Decimal(live)
    if name == "weight":
        return (
            isinstance(live, Weight)
            and isinstance(desired, Weight)
            and desired.unit == live.unit
            and Decimal(desired.value) == Decimal(live.value)
        )
    if name == "countryHarmonizedSystemCodes":
        return dict(desired) == dict(live or {})
    return bool(desired == live)


def attribute_changes(
    item: DesiredItem, live: LiveItem, names: Iterable[str]
) -> tuple[AttributeChange, ...]:
    """The changes that take `live` to `item` on the attributes `names` (all declared)."""
    changes = []
    for name in names:
        wanted, current = item.attributes[name], live.attribute(name)
        if not _same(name, wanted, current):
            changes.append(
                AttributeChange(name, attribute_json(name, current), attribute_json(name, wanted))
            )
    return tuple(changes)


# -- what the plan may change ------------------------------------------------------------------


class Managed:
    """What the plan may change: today exactly what the manifests declare.

    The planner asks this, and nothing else, which attributes of an item and which quantities of
    a level it manages; a rule that narrows them (say, which names the manifests own at which
    locations) is a subclass overriding one method.
    """

    def attributes(self, item: DesiredItem) -> tuple[str, ...]:
        """The item's managed attribute names, in the order plans show them."""
        return tuple(name for name in ATTRIBUTES if name in item.attributes)

    def quantities(self, level: DesiredLevel, location: LiveLocation) -> Mapping[str, int]:
        """The level's managed quantities (name → declared value) at `location`."""
        return level.quantities


DECLARED = Managed()


# -- the planner -------------------------------------------------------------------------------


class _Planner:
    def __init__(
        self,
        desired: DesiredState,
        live: LiveState,
        filters: Filters,
        inactive_levels_visible: bool,
        managed: Managed,
    ) -> None:
        self.desired = desired
        self.live = live
        self.filters = filters
        self.managed = managed
        self.inactive_visible = inactive_levels_visible
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.actions: list[Action] = []
        self.observed = Observed()
        # Per location key as written (a name or an alias), worked out once, not per level:
        self._locations: dict[str, LiveLocation | str] = {}  # the location, or why not
        self._wanted: dict[str, bool] = {}  # whether --location keeps it
        # An item split across entries by location (one file per location) declares
        # `tracked` in one entry at most; its other entries follow it.
        self._tracking = {
            (i.sku, i.id): i.attributes["tracked"]
            for i in desired.items
            if "tracked" in i.attributes
        }
        self._planned: dict[str, LiveItem] = {}  # items with levels planned, for the last check

    def problem(self, source: Source, message: str) -> None:
        self.problems.append(Problem(message, source.file, source.line, source.path))

    def warn(self, source: Source, message: str) -> None:
        self.warnings.append(Problem(message, source.file, source.line, source.path))

    # items

    def resolve_item(self, item: DesiredItem) -> LiveItem | None:
        if item.id is not None:
            found = self.live.items.get(item.id)
            if found is None:
                self.problem(item.source, f"inventory item {item.id} (pinned by id) was not found")
                return None
            if found.sku != item.sku:
                self.problem(
                    item.source,
                    f"inventory item {item.id} has SKU {found.sku!r}, not {item.sku!r}",
                )
                return None
            return found
        ids = self.live.skus.get(item.sku, ())
        if not ids:
            self.problem(item.source, f"SKU {item.sku!r} was not found in the store")
            return None
        if len(ids) > 1:
            self.problem(
                item.source,
                f"SKU {item.sku!r} is shared by {len(ids)} inventory items ({', '.join(ids)}); "
                "add `id:` to say which one this entry manages",
            )
            return None
        return self.live.items[ids[0]]

    def resolve_location(self, level: DesiredLevel) -> LiveLocation | None:
        found = self._locations.get(level.location)
        if found is None:
            found = self._locations[level.location] = self._find_location(level.location)
        if isinstance(found, str):
            self.problem(level.source, found)
            return None
        return found

    def _find_location(self, key: str) -> LiveLocation | str:
        """The active location a level key names, or the problem with it."""
        name = self.desired.location_aliases.get(key, key)
        found = self.live.location_by_name(name)
        if found is None:
            known = ", ".join(sorted(loc.name for loc in self.live.locations if loc.is_active))
            alias = f" (alias of {name!r})" if name != key else ""
            return f"location {key!r}{alias} does not exist in the store; locations: {known}"
        if not found.is_active:
            return f"location {found.name!r} is deactivated in the store"
        return found

    def plan_item(self, item: DesiredItem) -> None:
        live = self.resolve_item(item)
        if live is None:
            return
        self._check_province(item, live)
        levels = item.levels
        if self.filters.locations:
            levels = tuple(lv for lv in levels if self._wanted_level(lv))
        declares_quantities = any(lv.quantities for lv in levels)
        will_track = self._tracking.get((item.sku, item.id), live.tracked)
        if declares_quantities and not will_track:
            if live.tracked:  # the manifest itself says `tracked: false`
                message = (
                    f"{item.sku} is declared `tracked: false`, so its quantities cannot be "
                    "managed; remove its quantities or `tracked: false`"
                )
            else:
                message = (
                    f"{item.sku} is not tracked in the store, so its quantities cannot be "
                    "managed; add `tracked: true` to this item to turn tracking on"
                )
            self.problem(item.source, message)
            return
        changes: tuple[AttributeChange, ...] = ()
        if not self.filters.locations:
            changes = attribute_changes(item, live, self.managed.attributes(item))
        elif declares_quantities and not live.tracked:
            # --location leaves item attributes out, but the selected levels' quantities need
            # tracking on first, so that one change stays in the plan.
            managed = self.managed.attributes(item)
            changes = attribute_changes(item, live, [n for n in managed if n == "tracked"])
        if changes:
            target = Target(item.sku, live.id)
            self.actions.append(UpdateItem(target, changes, item.source))
            self.observed.items[live.id] = {
                c.field: attribute_json(c.field, live.attribute(c.field)) for c in changes
            }
        for level in levels:
            self.plan_level(item, live, level)
        self._planned[live.id] = live

    def _check_last_location(self, live: LiveItem, planned: Sequence[Action]) -> None:
        """Shopify keeps every item stocked somewhere: count the plan's own activations and
        deactivations of this item, not just the live levels (activations run first)."""
        deactivations = [a for a in planned if isinstance(a, Deactivate)]
        if not deactivations:
            return
        activations = sum(1 for a in planned if isinstance(a, Activate))
        active = sum(1 for lv in live.levels.values() if lv.is_active)
        if active + activations - len(deactivations) >= 1:
            return
        last = deactivations[-1]
        where = f"cannot unstock {live.sku} from {last.target.location_name}"
        others = [d.target.location_name or "" for d in deactivations[:-1]]
        if others:
            reason = (
                f"this plan also unstocks it from {', '.join(others)}, which would leave it "
                "stocked nowhere"
            )
        else:
            reason = "it is the item's only location"
        self.problem(
            last.source,
            f"{where}: {reason} (Shopify keeps every item stocked at one location at least)",
        )

    def _check_province(self, item: DesiredItem, live: LiveItem) -> None:
        """A declared region must belong to the item's country: the manifest's when it
        declares one (validate checks that pair), else the store's."""
        province = item.attributes.get("provinceCodeOfOrigin")
        if "countryCodeOfOrigin" in item.attributes or not isinstance(province, str):
            return
        country = live.country_code_of_origin
        problem = codes.province_problem(country, province, f"the store's country is {country}")
        if problem:
            self.problem(item.attribute_sources.get("provinceCodeOfOrigin", item.source), problem)

    def _wanted_level(self, level: DesiredLevel) -> bool:
        """--location globs match the location's name or any alias of it."""
        wanted = self._wanted.get(level.location)
        if wanted is None:
            aliases = self.desired.location_aliases
            name = aliases.get(level.location, level.location)
            names = {level.location, name, *(a for a, target in aliases.items() if target == name)}
            wanted = any(self.filters.wants_location(n) for n in sorted(names))
            self._wanted[level.location] = wanted
        return wanted

    # levels

    def plan_level(self, item: DesiredItem, live: LiveItem, level: DesiredLevel) -> None:
        location = self.resolve_location(level)
        if location is None:
            return
        current = live.levels.get(location.id)
        active = current is not None and current.is_active
        if not level.stocked:
            target = Target(item.sku, live.id, location.id, location.name)
            self.plan_unstock(live, level, target, current if active else None)
            return
        if current is not None and not active and not self.inactive_visible:
            current = None  # before 2026-04 an inactive level is gone: activation starts at 0
        if not active:
            target = Target(item.sku, live.id, location.id, location.name)
            self.actions.append(Activate(target, current is not None, level.source))
        declared = self.managed.quantities(level, location)
        if not declared:
            return
        basis = _NOTHING_HELD if current is None else _read(current, reads(declared))
        try:
            planned = solve(basis, declared)
        except QuantityConflict as exc:
            self.problem(level.source, f"{item.sku} at {location.name}: {exc}")
            return
        if planned.empty:
            return
        if current is not None:
            basis = current.quantities  # all of them, for the plan's record and the warnings
        target = Target(item.sku, live.id, location.id, location.name)
        self.observed.levels[(live.id, location.id)] = dict(sorted(basis.items()))
        reason = level.reason or item.reason
        for move in planned.moves:
            self.actions.append(
                Move(
                    target,
                    move.from_name,
                    move.to_name,
                    move.quantity,
                    move.from_before,
                    move.to_before,
                    reason,
                    level.source,
                )
            )
        if planned.set is not None:
            name = planned.set.name
            self.actions.append(
                SetQuantity(
                    target,
                    name,
                    planned.set.live,
                    planned.set.compare,
                    planned.set.after,
                    reason,
                    level.quantity_sources.get(name, level.source),
                )
            )
        self._warn_negative(level, declared, target, basis, planned)

    def _warn_negative(
        self,
        level: DesiredLevel,
        declared: Mapping[str, int],
        target: Target,
        basis: Mapping[str, int],
        planned: LevelPlan,
    ) -> None:
        """Warn when the plan, not the manifest, drives available below zero."""
        if "available" in declared:
            return  # declared: the manifest says what available is
        where = f"{target.sku} at {target.location_name}"
        if planned.set is not None and planned.set.name == "on_hand":
            after = planned.set.after
            held = sum(
                declared.get(n, int(basis.get(n, 0)))
                for n in ON_HAND_COMPONENTS
                if n != "available"
            )
            if after < held:
                self.warn(
                    level.source,
                    f"{where}: on_hand {after} is less than committed and unavailable units "
                    f"({held}); available will be {after - held}",
                )
            return
        available = simulate(basis, planned)["available"]
        if available < 0 and available < int(basis.get("available", 0)):
            moved = ", ".join(m.to_name for m in planned.moves if m.from_name == "available")
            self.warn(
                level.source,
                f"{where}: moving units from available to {moved} leaves available at "
                f"{available}; declare available or on_hand to say what it should be",
            )

    def plan_unstock(
        self, live: LiveItem, level: DesiredLevel, target: Target, current: LiveLevel | None
    ) -> None:
        if current is None:
            return  # already not stocked there
        held = {
            name: current.quantity(name)
            for name in (*ON_HAND_COMPONENTS, "incoming")
            if current.quantity(name)
        }
        where = f"cannot unstock {live.sku} from {target.location_name}"
        if held:
            listing = ", ".join(f"{name} {value}" for name, value in held.items())
            self.problem(level.source, f"{where}: the level still holds stock ({listing})")
            return
        self.observed.levels[(live.id, current.location_id)] = dict(
            sorted(current.quantities.items())
        )
        self.actions.append(Deactivate(target, current.level_id, level.source))

    def run(self) -> Built:
        for item in self.desired.items:
            if self.filters.wants_sku(item.sku):
                self.plan_item(item)
        stocking: dict[str, list[Action]] = {}
        for action in self.actions:
            if isinstance(action, Activate | Deactivate):
                stocking.setdefault(action.target.item_id, []).append(action)
        for item_id, planned in stocking.items():
            self._check_last_location(self._planned[item_id], planned)
        if self.problems:
            raise PlanError(sorted(self.problems, key=_problem_order))
        ordered = tuple(sorted(self.actions, key=sort_key))
        return Built(ordered, self.observed, tuple(self.warnings))


_NOTHING_HELD: Mapping[str, int] = MappingProxyType(
    dict.fromkeys((*ON_HAND_COMPONENTS, "incoming", "on_hand"), 0)
)  # the quantities a level starts from when it is (re)created empty


def _read(level: LiveLevel, names: tuple[str, ...] | None) -> Mapping[str, int]:
    if names is None:
        return level.quantities
    return {name: level.quantity(name) for name in names}


def _problem_order(problem: Problem) -> tuple[str, int, str]:
    return (problem.file or "", problem.line or 0, problem.message)


def build_actions(
    desired: DesiredState,
    live: LiveState,
    filters: Filters | None = None,
    inactive_levels_visible: bool | None = None,
    managed: Managed = DECLARED,
) -> Built:
    """Plan `desired` against `live`; raises PlanError listing every problem found."""
    if inactive_levels_visible is None:
        inactive_levels_visible = live.api_version >= "2026-04"
    planner = _Planner(desired, live, filters or Filters(), inactive_levels_visible, managed)
    return planner.run()


def declared_skus(items: Iterable[DesiredItem]) -> Sequence[str]:
    return sorted({i.sku for i in items})
