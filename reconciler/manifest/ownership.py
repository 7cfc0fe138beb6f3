"""Who owns which field, and what reconciler leaves alone entirely: `ownership` and `ignore`
in reconciler.yaml.

    ownership:
      - owner: sales                 # any name; `manifests` is reconciler's own
        locations: ["* Store"]       # globs on location names or aliases; default: everywhere
        quantities: [available]
      - owner: manifests
        quantities: [damaged, safety_stock]
      - owner: erp
        attributes: [cost]
    ignore:
      skus: ["GIFT-*"]               # never exported, never reported by drift
      locations: ["Pop-up *"]

For a quantity name at a location, the first rule that names it for that location decides; for
an attribute, the first rule that names it. Whatever no rule names belongs to the manifests, so
a config without `ownership` changes nothing. What the manifests do not own they may not
declare: validate refuses it with the manifest's line, so the planner never compares it (drift
never reports it) and the plan never writes it. `on_hand` is refused where others own
`available`, because Shopify sets on_hand by moving the difference through available. Moving
units into an unavailable state the manifests own (damaged, ...) takes them from available
wherever that belongs: that is the only way Shopify offers. A manifest entry for an ignored
SKU, or a level at an ignored location, is refused the same way: ignored means never read and
never written.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import Problem
from reconciler.model import ATTRIBUTES, DECLARABLE

MANIFESTS = "manifests"


@dataclass(frozen=True, slots=True)
class Rule:
    owner: str
    locations: tuple[str, ...]  # () = every location
    quantities: frozenset[str]
    attributes: frozenset[str]
    where: str  # "reconciler.yaml:12", for messages

    def covers(self, names: tuple[str, ...]) -> bool:
        """Whether the rule applies at a location known by any of `names` (name, aliases)."""
        if not self.locations:
            return True
        return any(fnmatch.fnmatchcase(n, g) for n in names for g in self.locations)


@dataclass(frozen=True)
class Ownership:
    """The rules, in order, and the ignore lists; `Ownership()` is the default (all ours)."""

    rules: tuple[Rule, ...] = ()
    ignore_skus: tuple[str, ...] = ()
    ignore_locations: tuple[str, ...] = ()
    # "reconciler.yaml:14", for messages only: two configs with the same rules are equal
    ignore_where: str = field(default="reconciler.yaml", compare=False)
    _at: dict[tuple[str, ...], dict[str, Rule]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def default(self) -> bool:
        return not self.rules and not self.ignore_skus and not self.ignore_locations

    def quantity_rules(self, names: tuple[str, ...]) -> dict[str, Rule]:
        """The deciding rule of each quantity name some rule names at the location known by
        `names` (its name first, then its aliases); names left out belong to the manifests."""
        found = self._at.get(names)
        if found is None:
            found = {}
            for rule in self.rules:
                if rule.quantities and rule.covers(names):
                    for quantity in rule.quantities:
                        found.setdefault(quantity, rule)
            self._at[names] = found
        return found

    def quantity_owner(self, names: tuple[str, ...], quantity: str) -> str:
        rule = self.quantity_rules(names).get(quantity)
        return rule.owner if rule else MANIFESTS

    def owned_quantities(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The declarable names the manifests own there, in DECLARABLE order."""
        rules = self.quantity_rules(names)
        return tuple(q for q in DECLARABLE if rules.get(q) is None or rules[q].owner == MANIFESTS)

    def explicit_quantities(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The names a rule gives to the manifests there in so many words (export writes
        them even when 0, so that any change to them is drift)."""
        rules = self.quantity_rules(names)
        return tuple(q for q in DECLARABLE if q in rules and rules[q].owner == MANIFESTS)

    def attribute_rule(self, name: str) -> Rule | None:
        return next((r for r in self.rules if name in r.attributes), None)

    def owns_attribute(self, name: str) -> bool:
        rule = self.attribute_rule(name)
        return rule is None or rule.owner == MANIFESTS

    def ignores_sku(self, sku: str | None) -> bool:
        return sku is not None and any(fnmatch.fnmatchcase(sku, g) for g in self.ignore_skus)

    def ignores_location(self, names: tuple[str, ...]) -> bool:
        return any(fnmatch.fnmatchcase(n, g) for n in names for g in self.ignore_locations)


def location_names(location: str, aliases: Mapping[str, str]) -> tuple[str, ...]:
    """A location's exact name, then every alias of it (sorted): what globs may match."""
    name = aliases.get(location, location)
    return (name, *sorted(a for a, target in aliases.items() if target == name))


# -- reading it from reconciler.yaml --------------------------------------------------------


def from_config(value: Any, file: str, lines: Mapping[tuple[str | int, ...], int]) -> Ownership:
    """The rules of a config value that passed its schema (problems come from `problems`)."""
    if not isinstance(value, dict):
        return Ownership()
    rules = []
    for position, rule in enumerate(value.get("ownership") or ()):
        line = lines.get(("ownership", position), 0)
        rules.append(
            Rule(
                owner=rule["owner"],
                locations=tuple(rule.get("locations") or ()),
                quantities=frozenset(rule.get("quantities") or ()),
                attributes=frozenset(rule.get("attributes") or ()),
                where=f"{file}:{line}",
            )
        )
    ignore = value.get("ignore") or {}
    return Ownership(
        tuple(rules),
        tuple(ignore.get("skus") or ()),
        tuple(ignore.get("locations") or ()),
        f"{file}:{lines.get(('ignore',), 0)}",
    )


def config_problems(value: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """What the schema cannot say about the rules, as (pointer, message)."""
    rules = value.get("ownership") if isinstance(value, dict) else None
    if not isinstance(rules, list):
        return
    for position, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        here = ("ownership", position)
        if not rule.get("quantities") and not rule.get("attributes"):
            yield here, "a rule must name `quantities` or `attributes` (or both)"
        if rule.get("locations") == []:
            yield (*here, "locations"), "name at least one location glob, or leave `locations` out"
        if rule.get("attributes") and rule.get("locations"):
            yield (
                (*here, "locations"),
                "attributes belong to the item, not to a location: put them in a rule "
                "without `locations`",
            )


# -- the manifest check (validate) ----------------------------------------------------------

Pointer = tuple[str | int, ...]


def manifest_problems(
    doc: Any, ownership: Ownership, aliases: Mapping[str, str]
) -> Iterator[Problem]:
    """Every field a manifest declares that others own, and every SKU and location it declares
    that `ignore` leaves alone, at its line (`doc` is a manifest.resolve.Resolved; read
    defensively: it may carry schema errors)."""
    if ownership.default:
        return
    value = doc.value
    items = value.get("items") if isinstance(value, dict) else None
    if not isinstance(items, list):
        return
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        here: Pointer = ("items", position)
        sku = item.get("sku")
        if isinstance(sku, str) and ownership.ignores_sku(sku):
            yield doc.problem(
                (*here, "sku"),
                f"{sku} is ignored ({ownership.ignore_where}: `ignore.skus`): reconciler never "
                "reads or writes it; remove this entry, or the ignore rule",
            )
            continue
        for name in ATTRIBUTES:
            rule = ownership.attribute_rule(name)
            if name in item and rule is not None and rule.owner != MANIFESTS:
                yield doc.problem(
                    (*here, name),
                    f"`{name}` belongs to {rule.owner} ({rule.where}), not to the manifests; "
                    "remove it here, or change the ownership rule",
                )
        levels = item.get("levels")
        if not isinstance(levels, dict):
            continue
        for key, level in levels.items():
            if isinstance(level, dict):
                yield from _level_problems(
                    doc, (*here, "levels", key), key, level, ownership, aliases
                )


def _level_problems(
    doc: Any,
    at: Pointer,
    key: str,
    level: dict[str, Any],
    ownership: Ownership,
    aliases: Mapping[str, str],
) -> Iterator[Problem]:
    names = location_names(key, aliases)
    if ownership.ignores_location(names):
        yield doc.problem(
            at,
            f"{names[0]} is ignored ({ownership.ignore_where}: `ignore.locations`): reconciler "
            "never reads or writes it; remove this level, or the ignore rule",
        )
        return
    rules = ownership.quantity_rules(names)
    for quantity in DECLARABLE:
        if quantity not in level:
            continue
        rule = rules.get(quantity)
        if rule is not None and rule.owner != MANIFESTS:
            yield doc.problem(
                (*at, quantity),
                f"`{quantity}` at {names[0]} belongs to {rule.owner} ({rule.where}), not to "
                "the manifests; remove it here, or change the ownership rule",
            )
        elif quantity == "on_hand":
            available = rules.get("available")
            if available is not None and available.owner != MANIFESTS:
                yield doc.problem(
                    (*at, quantity),
                    f"`on_hand` at {names[0]} would write `available`, which belongs to "
                    f"{available.owner} ({available.where}): Shopify sets on_hand by moving "
                    "the difference through available; declare only the unavailable states here",
                )
