"""The JSON Schemas the manifest stage checks against, and a way to ask them what a place expects.

The schemas live in ``schemas/`` at the top of the repository (editors read them from there via
the ``# yaml-language-server: $schema=...`` comment); an installed wheel carries them as
``reconciler/_schemas`` (see ``pyproject.toml``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

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
    return Draft202012Validator(load(name))


@dataclass(frozen=True, slots=True)
class Place:
    """What the schema says about one place in a document (all branches taken together)."""

    schemas: tuple[Schema, ...]

    @property
    def types(self) -> frozenset[str]:
        """JSON types allowed here: from `type`, and from `enum`/`const` values."""
        found: set[str] = set()
        for schema in self.schemas:
            declared = schema.get("type")
            if isinstance(declared, str):
                found.add(declared)
            elif isinstance(declared, list):
                found.update(declared)
            values = list(schema.get("enum", ()))
            if "const" in schema:
                values.append(schema["const"])
            found.update(_json_type(value) for value in values)
        return frozenset(found)

    @property
    def properties(self) -> tuple[str, ...]:
        """Property names declared here, in schema order (empty for free-form maps)."""
        names: list[str] = []
        for schema in self.schemas:
            for name in schema.get("properties", {}):
                if name not in names:
                    names.append(name)
        return tuple(names)

    @property
    def is_map(self) -> bool:
        """Keys are data (location names, country codes), not field names."""
        return not self.properties and any(
            isinstance(s.get("additionalProperties"), dict) for s in self.schemas
        )


class SchemaView:
    """Walks a schema alongside a document: `$ref`, properties, items and every branch."""

    def __init__(self, root: Schema) -> None:
        self.root = root

    def top(self) -> Place:
        return Place(self._expand(self.root))

    def member(self, place: Place, key: str) -> Place:
        found: list[Schema] = []
        for schema in place.schemas:
            properties = schema.get("properties", {})
            if key in properties:
                found.extend(self._expand(properties[key]))
            elif isinstance(schema.get("additionalProperties"), dict):
                found.extend(self._expand(schema["additionalProperties"]))
        return Place(tuple(found))

    def element(self, place: Place) -> Place:
        found: list[Schema] = []
        for schema in place.schemas:
            if isinstance(schema.get("items"), dict):
                found.extend(self._expand(schema["items"]))
        return Place(tuple(found))

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
