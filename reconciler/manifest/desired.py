"""Validated documents → `DesiredState`, the value the planner diffs against the live store.

Runs only on documents that passed every check, so it converts without re-checking: costs and
weights become exact `Decimal`s, quantities `int`s, location aliases are replaced by the names
they stand for, and every item, attribute, level and quantity carries the `Source` (file, line,
address) it was declared at, so a plan can say where each desired value came from.
"""

from __future__ import annotations

from collections.abc import Mapping
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

from . import codes
from .address import Pointer
from .resolve import Resolved


def build(docs: list[Resolved], aliases: Mapping[str, str]) -> DesiredState:
    items: list[DesiredItem] = []
    for doc in docs:
        file_reason = doc.value.get("reason") or codes.DEFAULT_REASON
        for position, item in enumerate(doc.value.get("items") or ()):
            items.append(_item(doc, ("items", position), item, file_reason, aliases))
    return DesiredState(
        items=tuple(items),
        files=tuple(ManifestFile(doc.file, doc.sha256) for doc in docs),
        location_aliases=dict(aliases),
    )


def _source(doc: Resolved, pointer: Pointer) -> Source:
    spot = doc.spots[pointer]
    return Source(doc.file, spot.line, spot.address or "$")


def _item(
    doc: Resolved,
    here: Pointer,
    item: dict[str, Any],
    file_reason: str,
    aliases: Mapping[str, str],
) -> DesiredItem:
    attributes: dict[str, Any] = {}
    attribute_sources: dict[str, Source] = {}
    for name in ATTRIBUTES:
        if name in item:
            attributes[name] = attribute(name, item[name])
            attribute_sources[name] = _source(doc, (*here, name))
    levels = tuple(
        _level(doc, (*here, "levels", key), key, level, aliases)
        for key, level in (item.get("levels") or {}).items()
    )
    return DesiredItem(
        sku=item["sku"],
        id=item.get("id"),
        attributes=attributes,
        levels=levels,
        reason=item.get("reason") or file_reason,
        source=_source(doc, here),
        attribute_sources=attribute_sources,
    )


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


def _level(
    doc: Resolved,
    here: Pointer,
    key: str,
    level: dict[str, Any],
    aliases: Mapping[str, str],
) -> DesiredLevel:
    quantities = {name: int(level[name]) for name in DECLARABLE if name in level}
    return DesiredLevel(
        location=aliases.get(key, key),
        stocked=level.get("stocked", True),
        quantities=quantities,
        source=_source(doc, here),
        quantity_sources={name: _source(doc, (*here, name)) for name in quantities},
        reason=level.get("reason"),
    )
