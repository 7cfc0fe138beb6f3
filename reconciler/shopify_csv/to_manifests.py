"""Rows of Shopify's inventory CSV → the manifest entries that say the same (`csv import`).

Shopify's import changes only what the editable columns say, and so do these entries
(docs/shopify-csv.md):

* ``On hand (new)`` a number → ``on_hand: N`` at that location; ``not stocked`` →
  ``{stocked: false}``; empty → no change: the level is kept as ``{stocked: true}`` when the row
  does not say ``not stocked``, left out when it does;
* ``HS Code`` and ``COO`` → the item's ``harmonizedSystemCode`` and ``countryCodeOfOrigin``;
  empty → not managed (no change);
* the ``(not editable)`` columns and ``On hand (current)`` change nothing (Shopify's import
  ignores them; ``On hand (current)`` is its guard against stock that moved since the export,
  which the plan's compare-and-set takes over). With ``current=True`` (``--current``) a row with
  an empty ``On hand (new)`` declares ``available`` from ``Available (not editable)`` instead,
  so an untouched export becomes manifests of the store as it was, like `reconciler export`;
* ``Bin name`` is left out (manifests hold no bins), and counted.

Items are identified by SKU: rows without one are left out and counted; one SKU on two variants
is refused (a manifest would need the item id, which the CSV does not carry). Location names
become their alias from reconciler.yaml (unless ``location_names``); ownership and ignore rules
apply as for `reconciler export`: attributes others own are left out, ignored SKUs and
locations skipped, and ``on_hand`` where others own ``available`` refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import Problem
from reconciler.export.declare import Skipped
from reconciler.export.manifest_writer import ManifestItem, ManifestLevel
from reconciler.manifest import codes
from reconciler.manifest.config import Config
from reconciler.manifest.ownership import MANIFESTS, location_names

from . import format as fmt
from .format import Cell
from .sheet import NotStocked, Row

_SKU = re.compile(r"^\S(.*\S)?$")
LIMIT = 1_000_000_000  # Shopify's bound for a quantity it sets


@dataclass(frozen=True)
class ImportOptions:
    current: bool = False  # empty `On hand (new)`: declare `available` from the Available column
    location_names: bool = False  # write location names even where an alias exists


@dataclass
class _Item:
    sku: str
    first: Row
    attributes: dict[str, Any] = field(default_factory=dict)
    attribute_lines: dict[str, int] = field(default_factory=dict)
    levels: dict[str, ManifestLevel] = field(default_factory=dict)
    level_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Declared:
    """What the rows declare (entries sorted by SKU), every problem, and what was left out."""

    items: list[ManifestItem]
    problems: list[Problem]
    skipped: Skipped
    rows: int = 0


def manifest_items(
    rows: list[Row], file: str, config: Config, options: ImportOptions = ImportOptions()
) -> Declared:
    """The entries the rows declare, sorted by SKU, and every problem found (see module)."""
    reader = _Reader(file, config, options)
    for row in rows:
        reader.row(row)
    items = [
        ManifestItem(item.sku, None, item.attributes, tuple(item.levels.values()))
        for item in sorted(reader.items.values(), key=lambda item: item.sku)
    ]
    return Declared(items, reader.problems, reader.skipped, len(rows))


class _Reader:
    def __init__(self, file: str, config: Config, options: ImportOptions) -> None:
        self.file = file
        self.aliases = config.location_aliases
        self.ownership = config.ownership
        self.options = options
        self.items: dict[str, _Item] = {}
        self.problems: list[Problem] = []
        self.skipped = Skipped()

    def problem(self, message: str, cell: Cell) -> None:
        self.problems.append(Problem(message, self.file, cell.line, column=cell.column))

    def row(self, row: Row) -> None:
        sku = row.text(fmt.SKU)
        where = f"line {row.line}"
        if not sku:
            self.skipped.add("rows without a SKU (manifests identify items by SKU)", where)
            return
        if not _SKU.match(sku):
            self.skipped.add("rows whose SKU a manifest cannot hold (spaces at an end, a line "
                             "break)", where)  # fmt: skip
            return
        if self.ownership.ignores_sku(sku):
            self.skipped.add("rows of SKUs reconciler.yaml ignores", sku)
            return
        item = self.items.get(sku)
        if item is None:
            item = self.items[sku] = _Item(sku, row)
        elif row.variant != item.first.variant:
            self.problem(
                f"SKU {sku} is also the SKU of {item.first.variant} (line {item.first.line}), "
                f"a different variant from {row.variant}: manifests tell items apart by SKU "
                "(give each variant its own SKU, or use `reconciler export`, which pins shared "
                "SKUs by id)",
                row.cell(fmt.SKU),
            )
            return
        self._attribute(item, row, fmt.HS_CODE, "harmonizedSystemCode")
        self._attribute(item, row, fmt.COO, "countryCodeOfOrigin")
        if row.text(fmt.BIN_NAME).strip():
            self.skipped.add("bin names (manifests hold no bins; Shopify keeps them)", where)
        self._level(item, row)

    def _attribute(self, item: _Item, row: Row, column: str, name: str) -> None:
        cell = row.cell(column)
        value = cell.text.strip()
        if not value:
            return
        if name == "harmonizedSystemCode" and not codes.HS_CODE_RE.match(value):
            self.problem(
                f"HS Code `{cell.text}`: write the code's 6 to 13 digits, without dots or spaces",
                cell,
            )
            return
        if name == "countryCodeOfOrigin" and value not in codes.COUNTRY_CODES:
            hint = codes.COUNTRY_HINTS.get(value.upper(), "")
            self.problem(
                f"COO `{cell.text}`: write the country of origin as Shopify's two capital "
                f"letters (ISO 3166-1, e.g. PT, CN, US){f'; {hint}' if hint else ''}",
                cell,
            )
            return
        if not self.ownership.owns_attribute(name):
            self.skipped.add(f"{column} values reconciler.yaml gives to others", item.sku)
            return
        if name in item.attributes and item.attributes[name] != value:
            self.problem(
                f"{column} `{value}` differs from `{item.attributes[name]}` on line "
                f"{item.attribute_lines[name]} for the same SKU {item.sku}: an item has one "
                f"{column}",
                cell,
            )
            return
        item.attributes[name] = value
        item.attribute_lines.setdefault(name, row.line)

    def _level(self, item: _Item, row: Row) -> None:
        location = row.text(fmt.LOCATION)
        names = location_names(location, self.aliases)
        if self.ownership.ignores_location(names):
            self.skipped.add("rows at locations reconciler.yaml ignores", location)
            return
        alias = next((a for a, n in self.aliases.items() if n == names[0]), None)
        key = alias if alias and not self.options.location_names else names[0]
        if key in item.levels:
            self.problem(
                f"SKU {item.sku} at {location} appears twice (also on line "
                f"{item.level_lines[key]}): one row per variant and location",
                row.cell(fmt.LOCATION),
            )
            return
        level = self._declared(row, names, key)
        if level is not None:
            item.levels[key] = level
            item.level_lines[key] = row.line

    def _declared(self, row: Row, names: tuple[str, ...], key: str) -> ManifestLevel | None:
        new = row.quantities[fmt.ON_HAND_NEW]
        if isinstance(new, NotStocked):
            return ManifestLevel(key, {}, stocked=False)
        if isinstance(new, int):
            cell = row.cell(fmt.ON_HAND_NEW)
            if not 0 <= new <= LIMIT:
                self.problem(
                    f"On hand (new) is {new}: on hand is between 0 and {LIMIT:,} (Shopify "
                    "refuses a negative on hand through its API)",
                    cell,
                )
                return None
            for quantity in ("on_hand", "available"):
                owner = self.ownership.quantity_owner(names, quantity)
                if owner == MANIFESTS:
                    continue
                rule = self.ownership.quantity_rules(names)[quantity]
                why = (
                    "it belongs to"
                    if quantity == "on_hand"
                    else "it would move `available`, which belongs to"
                )
                self.problem(
                    f"On hand (new) at {names[0]}: {why} {owner} ({rule.where}); Shopify sets "
                    "on hand by moving the difference through available; leave On hand (new) "
                    "empty there",
                    cell,
                )
                return None
            return ManifestLevel(key, {"on_hand": new})
        if any(isinstance(value, NotStocked) for value in row.quantities.values()):
            return None  # not stocked there, and no change: nothing to declare
        available = row.quantities[fmt.AVAILABLE]
        owned = self.ownership.owned_quantities(names)
        if self.options.current and isinstance(available, int) and "available" in owned:
            if not -LIMIT <= available <= LIMIT:
                self.problem(
                    f"Available is {available}: Shopify's bounds are ±{LIMIT:,}",
                    row.cell(fmt.AVAILABLE),
                )
                return None
            return ManifestLevel(key, {"available": available})
        return ManifestLevel(key, {})
