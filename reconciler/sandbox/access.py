"""Access scopes: a field the token may not read resolves to null with ACCESS_DENIED.

Shopify annotates types and fields with the scopes they need (``requiredAccess``); the derived
``access_<version>.json`` files carry those annotations. A denied field is null, the rest of
the response is served, and the error names the scope (facts §11: the mutation still applies
when only a sub-field such as ``staffMember`` is denied).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, get_named_type

SCHEMA_DIR = Path(__file__).parent / "schemas"
DOCUMENTATION = "https://shopify.dev/api/usage/access-scopes"


@cache
def table(version: str) -> dict[str, dict[str, Any]]:
    path = SCHEMA_DIR / f"access_{version}.json"
    data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    if not data["types"] and not data["fields"]:
        # 2025-01's dump carries no annotations; 2026-01's are the closest recorded ones.
        return table("2026-01")
    return data


def _granted(scopes: frozenset[str], needed: list[str]) -> bool:
    for scope in needed:
        if scope in scopes:
            return True
        if scope.startswith("read_") and "write_" + scope[5:] in scopes:
            return True  # a write scope includes reading
    return False


def requirement(version: str, parent: str, field: str, return_type: str) -> dict[str, Any] | None:
    data = table(version)
    found: dict[str, Any] | None = data["fields"].get(f"{parent}.{field}")
    if found is not None:
        return found
    for suffix in ("Connection", "Edge"):
        if return_type.endswith(suffix):
            return_type = return_type[: -len(suffix)]
            break
    by_type: dict[str, Any] | None = data["types"].get(return_type)
    return by_type


@cache
def denial(
    version: str, parent: str, field: str, return_type: str, scopes: frozenset[str]
) -> str | None:
    """The ``requiredAccess`` text when `scopes` may not read the field, else None (cached:
    the answer only depends on the schema position and the token's scopes)."""
    needed = requirement(version, parent, field, return_type)
    if needed is None or _granted(scopes, needed["scopes"]):
        return None
    required: str = needed["requiredAccess"]
    return required


def check(info: GraphQLResolveInfo[Any], scopes: frozenset[str], version: str) -> None:
    """Raise ACCESS_DENIED when the token lacks every scope the field accepts."""
    return_type = get_named_type(info.return_type).name
    required = denial(version, info.parent_type.name, info.field_name, return_type, scopes)
    if required is None:
        return
    raise GraphQLError(
        f"Access denied for {info.field_name} field. Required access: {required}",
        extensions={
            "code": "ACCESS_DENIED",
            "documentation": DOCUMENTATION,
            "requiredAccess": required,
        },
    )
