"""Validated documents → `DesiredState`, the value the planner diffs against the live store.

Runs only on documents that passed every check, so it converts without re-checking: costs and
weights become exact `Decimal`s, quantities `int`s, location aliases are replaced by the names
they stand for, and every item, attribute, level and quantity knows the file, line and address
it was declared at, so a plan can say where each desired value came from.

A million levels pass through here, so the per-level work is kept small: location names and
quantity names are shared strings, and a level's address is its item's plus a cached key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from reconciler.model import (
    ATTRIBUTES,
    DECLARABLE,
    DesiredItem,
    DesiredLevel,
    DesiredState,
    ManifestFile,
    Source,
    Weight,
)

from . import address, codes
from .resolve import Resolved


class Builder:
    """Collects the items of each valid document, in order, then the state."""

    def __init__(self, aliases: Mapping[str, str]) -> None:
        self.aliases = dict(aliases)
        self.items: list[DesiredItem] = []
        self.files: list[ManifestFile] = []
        self._names: dict[str, str] = {}  # one string per location name
        self._keys: dict[str, str] = {}  # level key → its address suffix

    def add(self, doc: Resolved) -> None:
        self.files.append(ManifestFile(doc.file, doc.sha256))
        self.items.extend(self._items(doc))

    def state(self) -> DesiredState:
        return DesiredState(tuple(self.items), tuple(self.files), self.aliases)

    def _items(self, doc: Resolved) -> Iterator[DesiredItem]:
        file_reason = doc.value.get("reason") or codes.DEFAULT_REASON
        lines = doc.lines
        for position, item in enumerate(doc.value.get("items") or ()):
            here: tuple[str | int, ...] = ("items", position)
            where = address.index("items", position)
            attributes: dict[str, Any] = {}
            attribute_sources: dict[str, Source] = {}
            for name in ATTRIBUTES:
                if name in item:
                    attributes[name] = attribute(name, item[name])
                    attribute_sources[name] = Source(
                        doc.file, lines[(*here, name)], address.field(where, name)
                    )
            levels = self._levels(doc, here, where, item.get("levels") or {})
            yield DesiredItem(
                sku=item["sku"],
                id=item.get("id"),
                attributes=attributes,
                levels=levels,
                reason=item.get("reason") or file_reason,
                source=Source(doc.file, lines[here], where),
                attribute_sources=attribute_sources,
            )

    def _levels(
        self, doc: Resolved, item: tuple[str | int, ...], item_where: str, levels: dict[str, Any]
    ) -> tuple[DesiredLevel, ...]:
        """An item's levels; the loop that runs a million times, so its lookups are hoisted."""
        lines, file, names, keys, aliases = (
            doc.lines,
            doc.file,
            self._names,
            self._keys,
            self.aliases,
        )
        under = (*item, "levels")
        built = []
        for key, level in levels.items():
            here = under + (key,)
            line = lines[here]
            quantities: dict[str, int] = {}
            quantity_lines: list[int] = []
            moved = False  # a quantity on another line than the level's key
            for name, value in level.items():
                canonical = _QUANTITY_NAMES.get(name)
                if canonical is not None:
                    quantities[canonical] = value
                    quantity_line = lines[here + (name,)]
                    quantity_lines.append(quantity_line)
                    moved = moved or quantity_line != line
            suffix = keys.get(key)
            if suffix is None:
                suffix = keys[key] = address.key(address.field("", "levels"), key)
            location = aliases.get(key, key)
            built.append(
                DesiredLevel(
                    names.setdefault(location, location),
                    level.get("stocked", True),
                    quantities,
                    file,
                    line,
                    f"{item_where}.{suffix}",
                    tuple(quantity_lines) if moved else (),
                    level.get("reason"),
                )
            )
        return tuple(built)


_QUANTITY_NAMES = {name: name for name in DECLARABLE}  # one shared string per name


def build(docs: list[Resolved], aliases: Mapping[str, str]) -> DesiredState:
    builder = Builder(aliases)
    for doc in docs:
        builder.add(doc)
    return builder.state()


def attribute(name: str, value: Any) -> Any:
    """A validated attribute value in the form the model uses (see model.LiveItem.attribute)."""
    if name == "cost":
        return None if value is None else Decimal(str(value))
    if name == "weight":
        return Weight(Decimal(str(value["value"])), value["unit"])
    if name == "countryHarmonizedSystemCodes":
        return {country: str(code) for country, code in sorted(value.items())}
    if name == "harmonizedSystemCode" and value is not None:
        return str(value)
    return value
