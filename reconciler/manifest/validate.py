"""Checking typed manifests: the JSON Schema, then the rules a schema cannot express.

Per document: every schema error (explained by ``explain.py``), then value checks: a region
against its country's list, on_hand against the parts declared with it, one level per location
once aliases are applied. Across documents: each SKU and each ``id`` pin declared once.
Every check runs on every file, so one run reports everything.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.errors import Problem
from reconciler.model import UNAVAILABLE

from . import codes, explain, schema
from .resolve import Resolved


def check_manifest(doc: Resolved, aliases: Mapping[str, str]) -> list[Problem]:
    found = list(doc.problems)
    for error in schema.validator(schema.MANIFEST).iter_errors(doc.value):
        found.extend(explain.problems(error, doc))
    found.extend(_value_checks(doc, aliases))
    return found


def _items(doc: Resolved) -> Iterator[tuple[int, dict[str, Any]]]:
    value = doc.value
    items = value.get("items") if isinstance(value, dict) else None
    if isinstance(items, list):
        for position, item in enumerate(items):
            if isinstance(item, dict):
                yield position, item


def _levels(item: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    levels = item.get("levels")
    if isinstance(levels, dict):
        for name, level in levels.items():
            if isinstance(level, dict):
                yield name, level


def _value_checks(doc: Resolved, aliases: Mapping[str, str]) -> Iterator[Problem]:
    for position, item in _items(doc):
        here = ("items", position)
        problem = _province(item)
        if problem:
            yield doc.problem((*here, "provinceCodeOfOrigin"), problem)
        first_key: dict[str, str] = {}
        for key, level in _levels(item):
            at = (*here, "levels", key)
            location = aliases.get(key, key)
            if location in first_key:
                earlier = first_key[location]
                line = doc.spot((*here, "levels", earlier)).line
                yield doc.problem(
                    at,
                    f'this is "{location}" again (declared as "{earlier}" at line {line}); '
                    "declare each location once per item",
                )
            else:
                first_key[location] = key
            problem = _on_hand(level)
            if problem:
                yield doc.problem((*at, "on_hand"), problem)


def _province(item: dict[str, Any]) -> str | None:
    country, province = item.get("countryCodeOfOrigin"), item.get("provinceCodeOfOrigin")
    if not isinstance(country, str) or not isinstance(province, str):
        return None
    known = codes.PROVINCE_CODES.get(country)
    if known is None or province in known or not codes.PROVINCE_RE.match(province):
        return None
    examples = " or ".join(sorted(known)[:2]) if country != "US" else "OR or NY"
    return (
        f'"{province}" is not {codes.PROVINCE_KIND[country]} code '
        f"(countryCodeOfOrigin is {country}); use one such as {examples}"
    )


def _on_hand(level: dict[str, Any]) -> str | None:
    """on_hand = available + committed + unavailable states, and committed is never negative."""
    on_hand, available = level.get("on_hand"), level.get("available")
    if not isinstance(on_hand, int) or not isinstance(available, int):
        return None
    if isinstance(on_hand, bool) or isinstance(available, bool):
        return None
    parts: dict[str, int] = {"available": available}
    parts.update({name: level[name] for name in UNAVAILABLE if _is_int(level.get(name))})
    total = sum(parts.values())
    if on_hand >= total:
        return None
    spelled = " + ".join(f"{name} {value}" for name, value in parts.items())
    return (
        f"{on_hand} is less than {spelled} = {total}; on_hand counts available, committed and "
        "the unavailable states, so it can't be smaller; fix one of them, or declare only "
        "available or only on_hand"
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- across documents -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Declared:
    doc: Resolved
    position: int
    sku: str
    pin: str | None

    def where(self, other: Resolved) -> str:
        spot = self.doc.spot(("items", self.position))
        place = f"line {spot.line}" if self.doc is other else f"{self.doc.file}:{spot.line}"
        return f"{place} ({spot.address})"


def check_identities(docs: list[Resolved]) -> dict[str, list[Problem]]:
    """Each SKU once, unless every entry pins a different id; each id once. By file name."""
    found: dict[str, list[Problem]] = {}
    by_sku: dict[str, list[_Declared]] = {}
    by_pin: dict[str, _Declared] = {}
    for doc in docs:
        for position, item in _items(doc):
            sku, pin = item.get("sku"), item.get("id")
            if not isinstance(sku, str) or not sku:
                continue
            declared = _Declared(doc, position, sku, pin if isinstance(pin, str) else None)
            if declared.pin is not None:
                first = by_pin.get(declared.pin)
                if first is not None:
                    found.setdefault(doc.file, []).append(
                        doc.problem(
                            ("items", position, "id"),
                            f"id {declared.pin} is already declared at {first.where(doc)}; "
                            "declare each item once",
                        )
                    )
                    continue
                by_pin[declared.pin] = declared
            earlier = by_sku.setdefault(sku, [])
            clash = next(
                (e for e in earlier if e.pin is None or declared.pin is None),
                None,
            )
            if clash is not None:
                found.setdefault(doc.file, []).append(
                    doc.problem(
                        ("items", position, "sku"),
                        f'SKU "{sku}" is already declared at {clash.where(doc)}; declare each '
                        "item once (if several items in the store share this SKU, pin each "
                        "entry with its own `id:`)",
                    )
                )
                continue
            earlier.append(declared)
    return found
