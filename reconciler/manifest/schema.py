"""The JSON Schemas the manifest stage checks against, and a way to ask them what a place expects.

The schemas live in ``schemas/`` at the top of the repository (editors read them from there via
the ``# yaml-language-server: $schema=...`` comment); an installed wheel carries them as
``reconciler/_schemas`` (see ``pyproject.toml``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

from . import compiled

MANIFEST = "manifest.schema.json"
CONFIG = "config.schema.json"

Schema = dict[str, Any]


def _locate(name: str) -> Path:
    here = Path(__file__).resolve()
    for candidate in (
        here.parents[1] / "_schemas" / name,  # installed wheel
        here.parents[2] / "schemas" / name,  # source checkout
    ):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{name} not found next to the reconciler package")


@cache
def load(name: str) -> Schema:
    schema: Schema = json.loads(_locate(name).read_text(encoding="utf-8"))
    return schema


@cache
def validator(name: str) -> Draft202012Validator:
    validator_class = validators.extend(Draft202012Validator, {"enum": _enum})  # type: ignore[no-untyped-call]
    checker: Draft202012Validator = validator_class(load(name))
    return checker


@cache
def accepts(name: str) -> compiled.Check | None:
    """The schema compiled to one yes/no function (None: always ask `validator(name)`)."""
    return compiled.compile_schema(load(name))


@dataclass(frozen=True)
class Entries:
    """How the schema checks each entry of the document's list `key` on its own."""

    key: str
    check: Validator  # jsonschema for one entry; its $refs resolve in the document
    accepts: compiled.Check | None


@cache
def entries(name: str, key: str) -> Entries | None:
    """The subschema of each entry of the top-level list `key` (None: the schema has none)."""
    listed = load(name).get("properties", {}).get(key, {})
    part = listed.get("items")
    # Only a plain list of entries splits cleanly: with minItems, say, the rest of the document
    # checked with an empty list would not be checked as written.
    if listed.get("type") != "array" or not isinstance(part, dict):
        return None
    if set(listed) - {"type", "items", "description", "title", "examples", "$comment"}:
        return None
    return Entries(
        key, validator(name).evolve(schema=part), compiled.compile_schema(load(name), part)
    )


_STANDARD_ENUM = Draft202012Validator.VALIDATORS["enum"]
_ENUM_SETS: dict[int, frozenset[str | None]] = {}


def _enum(validator: Any, enums: Any, instance: Any, schema: Schema) -> Iterator[ValidationError]:
    """`enum`, with a set lookup for text: a country is checked against 244 codes per item."""
    if isinstance(instance, str) or instance is None:
        members = _ENUM_SETS.get(id(enums))
        if members is None and all(isinstance(e, str) or e is None for e in enums):
            members = _ENUM_SETS.setdefault(id(enums), frozenset(enums))
        if members is not None:
            if instance not in members:
                yield ValidationError(f"{instance!r} is not one of {enums!r}")
            return
    yield from _STANDARD_ENUM(validator, enums, instance, schema)


@dataclass(frozen=True, slots=True)
class Place:
    """What the schema says about one place in a document (all branches taken together)."""

    schemas: tuple[Schema, ...]
    types: frozenset[str]  # JSON types allowed here: from `type`, and `enum`/`const` values
    properties: tuple[str, ...]  # property names declared here (empty for free-form maps)
    is_map: bool  # keys are data (location names, country codes), not field names

    @classmethod
    def of(cls, schemas: tuple[Schema, ...]) -> Place:
        types: set[str] = set()
        names: list[str] = []
        for schema in schemas:
            declared = schema.get("type")
            if isinstance(declared, str):
                types.add(declared)
            elif isinstance(declared, list):
                types.update(declared)
            values = list(schema.get("enum", ()))
            if "const" in schema:
                values.append(schema["const"])
            types.update(_json_type(value) for value in values)
            names.extend(name for name in schema.get("properties", {}) if name not in names)
        is_map = not names and any(isinstance(s.get("additionalProperties"), dict) for s in schemas)
        return cls(schemas, frozenset(types), tuple(names), is_map)


class SchemaView:
    """Walks a schema alongside a document: `$ref`, properties, items and every branch."""

    def __init__(self, root: Schema) -> None:
        self.root = root
        self._members: dict[tuple[int, str | None], Place] = {}

    def top(self) -> Place:
        return Place.of(self._expand(self.root))

    def member(self, place: Place, key: str) -> Place:
        remembered = self._members.get((id(place), key))
        if remembered is not None:
            return remembered
        found: list[Schema] = []
        for schema in place.schemas:
            properties = schema.get("properties", {})
            if key in properties:
                found.extend(self._expand(properties[key]))
            elif isinstance(schema.get("additionalProperties"), dict):
                found.extend(self._expand(schema["additionalProperties"]))
        return self._members.setdefault((id(place), key), Place.of(tuple(found)))

    def element(self, place: Place) -> Place:
        remembered = self._members.get((id(place), None))
        if remembered is not None:
            return remembered
        found: list[Schema] = []
        for schema in place.schemas:
            if isinstance(schema.get("items"), dict):
                found.extend(self._expand(schema["items"]))
        return self._members.setdefault((id(place), None), Place.of(tuple(found)))

    def _expand(self, schema: Any) -> tuple[Schema, ...]:
        """The schema and everything it references or branches into (one level of meaning)."""
        if not isinstance(schema, dict):
            return ()
        out: list[Schema] = [schema]
        if isinstance(schema.get("$ref"), str):
            out.extend(self._expand(self._resolve(schema["$ref"])))
        for keyword in ("anyOf", "oneOf", "allOf"):
            for branch in schema.get(keyword, ()):
                out.extend(self._expand(branch))
        for keyword in ("then", "else"):
            if keyword in schema:
                out.extend(self._expand(schema[keyword]))
        return tuple(out)

    def _resolve(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise ValueError(f"only local $refs are supported, not {ref}")
        node: Any = self.root
        for part in ref[2:].split("/"):
            node = node[part]
        return node


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "array"
