"""Shopify's schema per API version, built by graphql-core and bound to the sandbox's resolvers.

Each version's schema comes from the derived SDL in ``schemas/`` (see scripts/derive_schema.py),
so a document is parsed and validated against exactly what Shopify serves for that version.
Root fields the sandbox does not serve answer with a clear error instead of null.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLInterfaceType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
)

from . import bulk, resolvers
from .nodes import NotInSandbox, serves
from .versions import VERSIONS

SCHEMA_DIR = Path(__file__).parent / "schemas"
_build_lock = threading.Lock()


def _resolve_type(value: Any, info: Any, abstract_type: Any) -> str | None:
    if isinstance(value, dict):
        typename = value.get("__typename")
        return str(typename) if typename else None
    return getattr(value, "graphql_type", None)


def _not_served(type_name: str, field_name: str) -> Any:
    def resolve(root: Any, info: Any, **args: Any) -> Any:
        raise NotInSandbox(type_name, field_name)

    resolve.not_in_sandbox = True  # type: ignore[attr-defined]  # read by is_served
    return resolve


def is_served(info: Any, root: Any) -> bool:
    """Whether the sandbox emulates the field being resolved (else it says so, before any
    access check)."""
    field = info.parent_type.fields.get(info.field_name)
    if field is not None and getattr(field.resolve, "not_in_sandbox", False):
        return False
    return serves(root, info.field_name)


def served_queries() -> dict[str, Any]:
    return {**resolvers.QUERIES, **bulk.QUERIES}


def served_mutations() -> dict[str, Any]:
    return {**resolvers.MUTATIONS, **bulk.MUTATIONS}


def _bind(schema: GraphQLSchema) -> None:
    for root, served in (
        (schema.query_type, served_queries()),
        (schema.mutation_type, served_mutations()),
    ):
        if root is None:
            continue
        for name, field in root.fields.items():
            field.resolve = served.get(name) or _not_served(root.name, name)
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
            type_.resolve_type = _resolve_type


@cache
def _schema(version: str) -> GraphQLSchema:
    sdl = (SCHEMA_DIR / f"admin_{version}.graphql").read_text(encoding="utf-8")
    schema = build_schema(sdl, assume_valid_sdl=True)
    # Shopify's own schema breaks two spec rules graphql-core enforces on schemas (deprecated
    # implementations of non-deprecated interface fields). It is what Shopify serves, so it
    # is taken as valid rather than "fixed".
    schema._validation_errors = []
    _bind(schema)
    return schema


def schema_for(version: str) -> GraphQLSchema:
    """The bound schema of a supported version; built once per process (about 2 s each)."""
    with _build_lock:
        return _schema(version)


def warm_up(versions: tuple[str, ...] = VERSIONS) -> threading.Thread:
    """Build schemas in the background so the first request of each version is fast."""

    def build() -> None:
        for version in versions:
            schema_for(version)

    thread = threading.Thread(target=build, name="schema-warm-up", daemon=True)
    thread.start()
    return thread
