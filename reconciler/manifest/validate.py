"""Checking typed manifests: the JSON Schema, then the rules a schema cannot express.

Per document: every schema error (explained by ``explain.py``), then value checks: a region
against its country's list, on_hand against the parts declared with it, one level per location
once aliases are applied. Across documents: each SKU and each ``id`` pin declared once.
Every check runs on every file, so one run reports everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError

from reconciler.errors import Problem
from reconciler.model import DECLARABLE, UNAVAILABLE

from . import address, codes, explain, schema
from .address import Pointer
from .resolve import Resolved


def check_manifest(doc: Resolved, aliases: Mapping[str, str]) -> list[Problem] | None:
    """Everything wrong with one document: reading it, the schema, then the values.

    None when a message would quote a value as written and `doc` (read in one pass) did not
    keep it: the caller reads the file through the node tree and asks again.
    """
    found = list(doc.problems)
    for error in schema_errors(doc.value):
        if error.validator == "type" and doc.spot(tuple(error.absolute_path)).node is None:
            return None
        found.extend(explain.problems(error, doc))
    found.extend(value_checks(doc, aliases))
    return found


def schema_errors(value: Any) -> list[ValidationError]:
    """jsonschema's errors for a manifest, in its own order, with each item checked on its
    own: the compiled schema passes the valid ones, so a typo in one item of 100,000 costs
    one item's jsonschema walk, not the document's."""
    checker = schema.validator(schema.MANIFEST)
    part = schema.entries(schema.MANIFEST, "items")
    items = value.get("items") if isinstance(value, dict) else None
    if part is None or not isinstance(items, list):
        return list(checker.iter_errors(value))
    # The document without its items gives every error outside them, and gives them first, as
    # jsonschema does (the document's own keywords, then `items`, its last property).
    errors = list(checker.iter_errors({**value, "items": []}))
    for position, item in enumerate(items):
        if part.accepts is not None and part.accepts(item):
            continue
        for error in part.check.iter_errors(item):
            error.path.extendleft((position, "items"))  # extendleft reverses: items, position
            errors.append(error)
    return errors


def value_checks(doc: Resolved, aliases: Mapping[str, str]) -> list[Problem]:
    """The rules the schema cannot express, on a document whatever its schema errors."""
    return list(_value_checks(doc, aliases))


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
        here: Pointer = ("items", position)
        for check in ITEM_CHECKS:
            yield from check(doc, here, item, aliases)


ItemCheck = Callable[[Resolved, Pointer, dict[str, Any], Mapping[str, str]], Iterator[Problem]]


def _province(
    doc: Resolved, here: Pointer, item: dict[str, Any], aliases: Mapping[str, str]
) -> Iterator[Problem]:
    """A region must belong to the declared country (full lists for US, CA, AU)."""
    country = item.get("countryCodeOfOrigin")
    problem = codes.province_problem(
        country, item.get("provinceCodeOfOrigin"), f"countryCodeOfOrigin is {country}"
    )
    if problem:
        yield doc.problem((*here, "provinceCodeOfOrigin"), problem)


def _each_level(
    doc: Resolved, here: Pointer, item: dict[str, Any], aliases: Mapping[str, str]
) -> Iterator[Problem]:
    """Each location once per item once aliases are applied; on_hand no less than its parts."""
    first_key: dict[str, str] = {}
    for key, level in _levels(item):
        at = (*here, "levels", key)
        location = aliases.get(key, key)
        if location in first_key:
            earlier = first_key[location]
            line = doc.lines[(*here, "levels", earlier)]
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


def _untracked_quantities(
    doc: Resolved, here: Pointer, item: dict[str, Any], aliases: Mapping[str, str]
) -> Iterator[Problem]:
    """`tracked: false` and declared quantities contradict each other (Shopify keeps no
    quantities for an untracked item), so the plan would have to refuse them anyway."""
    if item.get("tracked") is not False:
        return
    for key, level in _levels(item):
        if any(name in level for name in DECLARABLE):
            line = doc.lines[(*here, "levels", key)]
            yield doc.problem(
                (*here, "tracked"),
                f'an untracked item has no quantities to manage, but "{key}" (line {line}) '
                "declares some; remove the quantities, or `tracked: false`",
            )
            return


# Independent checks per item, in the order their problems are listed; a new rule is one more
# function here.
ITEM_CHECKS: tuple[ItemCheck, ...] = (_province, _each_level, _untracked_quantities)


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
    file: str
    position: int
    line: int
    pin: str | None
    locations: frozenset[str]  # after aliases
    levels_only: bool  # declares nothing but levels (and their reason): may be a split entry

    def where(self, file: str) -> str:
        place = f"line {self.line}" if self.file == file else f"{self.file}:{self.line}"
        return f"{place} ({address.index('items', self.position)})"


_SPLIT_KEYS = frozenset({"sku", "id", "levels", "reason"})


class Identities:
    """Each item once: a SKU once, unless every entry pins a different id; an id once. One
    exception: an item may be split across entries by location (``reconciler export
    --layout location`` writes one file per location), when every entry but one declares only
    levels, and no location twice. Fed document by document in order, it keeps a few fields
    per item, not the documents."""

    def __init__(self, aliases: Mapping[str, str] | None = None) -> None:
        self._aliases = dict(aliases or {})
        self._by_sku: dict[str, list[_Declared]] = {}
        self._by_pin: dict[str, tuple[str, _Declared]] = {}

    def _declared(self, doc: Resolved, position: int, item: dict[str, Any]) -> _Declared:
        pin = item.get("id")
        levels = item.get("levels")
        keys = levels if isinstance(levels, dict) else {}
        return _Declared(
            doc.file,
            position,
            doc.lines[("items", position)],
            pin if isinstance(pin, str) else None,
            frozenset(str(self._aliases.get(k, k)) for k in keys),
            bool(keys) and set(item) <= _SPLIT_KEYS,
        )

    def check(self, doc: Resolved) -> list[Problem]:
        """The clashes of `doc`'s items with those of the documents checked before it."""
        found: list[Problem] = []
        for position, item in _items(doc):
            sku = item.get("sku")
            if not isinstance(sku, str) or not sku:
                continue
            here = ("items", position)
            declared = self._declared(doc, position, item)
            earlier = self._by_sku.setdefault(sku, [])
            same = [e for e in earlier if e.pin == declared.pin]
            clash: _Declared | tuple[str, _Declared] | None = next(
                (e for e in earlier if (e.pin is None) != (declared.pin is None)), None
            )
            if clash is None:
                clash = _split(same, declared)
            first = self._by_pin.get(declared.pin) if declared.pin is not None else None
            if first is not None and (first[0] != sku or isinstance(clash, _Declared)):
                found.append(
                    doc.problem(
                        (*here, "id"),
                        f"id {declared.pin} is already declared at {first[1].where(doc.file)}; "
                        "declare each item once",
                    )
                )
                continue
            if isinstance(clash, tuple):
                location, other = clash
                found.append(
                    doc.problem(
                        (*here, "sku"),
                        f'SKU "{sku}" declares "{location}" again (also at '
                        f"{other.where(doc.file)}); an item may be split across entries by "
                        "location, each location in one of them",
                    )
                )
                continue
            if clash is not None:
                found.append(
                    doc.problem(
                        (*here, "sku"),
                        f'SKU "{sku}" is already declared at {clash.where(doc.file)}; declare each '
                        "item once (if several items in the store share this SKU, pin each "
                        "entry with its own `id:`)",
                    )
                )
                continue
            if declared.pin is not None:
                self._by_pin.setdefault(declared.pin, (sku, declared))
            earlier.append(declared)
        return found


def _split(same: list[_Declared], declared: _Declared) -> _Declared | tuple[str, _Declared] | None:
    """Whether `declared` may join the entries of the same item: None if so, else the entry
    it clashes with (and the location both declare, when that is the clash)."""
    if not same:
        return None
    whole = [e for e in (*same, declared) if not e.levels_only]
    if len(whole) > 1:
        return whole[0]
    for other in same:
        both = other.locations & declared.locations
        if both:
            return (min(both), other)
    return None
