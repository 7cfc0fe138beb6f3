"""Derive the sandbox's structure-only schema files from Shopify's introspection dumps.

Shopify publishes its Admin GraphQL schema (ISC licence) as introspection JSON with long
descriptions. The sandbox needs only the structure: types, fields, arguments, enum values,
deprecations and directives. This script writes, per API version:

* ``admin_<version>.graphql``: the schema as SDL, descriptions removed, so diffs between
  versions are reviewable and graphql-core can build it (`graphql.build_schema`).
* ``access_<version>.json``: the access scopes Shopify attaches to types and fields
  (``requiredAccess`` text and ``offlineScopes``), used to answer ACCESS_DENIED like Shopify.
* ``countries.json``: Shopify's name of each country code (its schema's descriptions).

Usage: python scripts/derive_schema.py [SOURCE_DIR] [TARGET_DIR]
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLSchema,
    build_client_schema,
    print_schema,
)

VERSIONS = ("2025-01", "2025-10", "2026-01", "2026-04", "2026-07", "2026-10")
ROOT = Path(__file__).resolve().parent.parent
# ../shared/shopify-admin-schema beside the checkout (or beside the folder of worktrees).
DEFAULT_SOURCE = next(
    (
        parent / "shared" / "shopify-admin-schema"
        for parent in ROOT.parents
        if (parent / "shared" / "shopify-admin-schema").is_dir()
    ),
    ROOT.parent / "shared" / "shopify-admin-schema",
)
DEFAULT_TARGET = ROOT / "reconciler" / "sandbox" / "schemas"

NOTICE = """\
The files admin_<version>.graphql and access_<version>.json in this folder are derived by
scripts/derive_schema.py from Shopify's Admin GraphQL introspection schemas, as published by
Shopify Inc. in the npm package @shopify/dev-mcp. Descriptions were removed; the structure
(types, fields, arguments, enum values, deprecations, directives) and the access-scope
annotations are Shopify's.

Original licence:

ISC License

Copyright 2025-present, Shopify Inc.

Permission to use, copy, modify, and/or distribute this software for any purpose with or
without fee is hereby granted, provided that the above copyright notice and this permission
notice appear in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH REGARD TO THIS
SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL
THE AUTHOR BE LIABLE FOR ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY
DAMAGES WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF
CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE
OR PERFORMANCE OF THIS SOFTWARE.
"""


# Shopify's introspection answers list input fields and enum values in definition order, but
# the published dumps are sorted alphabetically. Where a recording shows the real order
# (docs/shopify-captures.md §2.10), the derived schema follows it; fields a version has that
# the recording lacks keep their alphabetical place after the recorded ones.
DEFINITION_ORDER: dict[str, tuple[str, ...]] = {
    # cap: 2026-04/products/inventory-quantity-contracts-2026-04.json, schema
    "InventoryChangeInput": (
        "delta",
        "changeFromQuantity",
        "inventoryItemId",
        "locationId",
        "ledgerDocumentUri",
    ),
    "InventorySetQuantityInput": (
        "inventoryItemId",
        "locationId",
        "quantity",
        "changeFromQuantity",
    ),
    "InventorySetQuantitiesInput": ("reason", "name", "referenceDocumentUri", "quantities"),
    "InventorySetOnHandQuantitiesInput": ("reason", "referenceDocumentUri", "setQuantities"),
    # cap: 2026-04/media/staged-upload-targets-parity.json
    "StagedUploadInput": ("resource", "filename", "mimeType", "httpMethod", "fileSize"),
    "StagedUploadHttpMethodType": ("POST", "PUT"),
    # cap: 2026-04/orders/return-reason-validation.json
    "ReturnReason": (
        "SIZE_TOO_SMALL",
        "SIZE_TOO_LARGE",
        "UNWANTED",
        "NOT_AS_DESCRIBED",
        "WRONG_ITEM",
        "DEFECTIVE",
        "STYLE",
        "COLOR",
        "OTHER",
        "UNKNOWN",
    ),
}


def in_definition_order(schema: GraphQLSchema) -> None:
    """Reorder the input fields and enum values whose definition order is recorded."""
    for name, order in DEFINITION_ORDER.items():
        named = schema.type_map.get(name)
        if isinstance(named, GraphQLInputObjectType):
            named.fields = _ordered(named.fields, order)
        elif isinstance(named, GraphQLEnumType):
            named.values = _ordered(named.values, order)


def _ordered(members: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    first = {key: members[key] for key in order if key in members}
    return {**first, **{key: value for key, value in members.items() if key not in first}}


def strip_descriptions(node: Any) -> Any:
    """Drop every ``description`` key: structure stays, prose goes."""
    if isinstance(node, dict):
        return {k: strip_descriptions(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [strip_descriptions(v) for v in node]
    return node


def access_table(offline_scopes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Keep only the annotations that actually require something."""
    types: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    for entry in offline_scopes.get("items", []):
        if not entry.get("offlineScopes"):
            continue
        record = {"requiredAccess": entry["requiredAccess"], "scopes": entry["offlineScopes"]}
        if entry["type"] == "type":
            types[entry["typeName"]] = record
        else:
            fields[f"{entry['typeName']}.{entry['fieldName']}"] = record
    return {"types": dict(sorted(types.items())), "fields": dict(sorted(fields.items()))}


def derive(version: str, source: Path, target: Path) -> None:
    raw = json.loads(gzip.decompress((source / f"admin_{version}.json.gz").read_bytes()))
    schema = build_client_schema(strip_descriptions(raw["data"]))
    in_definition_order(schema)
    sdl = f"# Derived from Shopify's Admin GraphQL schema {version} (see NOTICE).\n"
    sdl += print_schema(schema) + "\n"
    (target / f"admin_{version}.graphql").write_text(sdl, encoding="utf-8")
    access = access_table(raw.get("offline_scopes", {}))
    (target / f"access_{version}.json").write_text(
        json.dumps(access, indent=1, sort_keys=False) + "\n", encoding="utf-8"
    )
    print(f"{version}: {len(schema.type_map)} types, {len(access['fields'])} scoped fields")


def country_names(source: Path) -> dict[str, str]:
    """Shopify's country names, as its schema describes each ``CountryCode`` value ("United
    Kingdom."): what ``LocationAddress.country`` answers (captures §3.3)."""
    names: dict[str, str] = {}
    for version in VERSIONS:  # newest last: its wording wins
        raw = json.loads(gzip.decompress((source / f"admin_{version}.json.gz").read_bytes()))
        for named in raw["data"]["__schema"]["types"]:
            if named["name"] == "CountryCode":
                for value in named["enumValues"]:
                    description = (value.get("description") or "").strip()
                    if description:
                        names[value["name"]] = description.removesuffix(".")
    return dict(sorted(names.items()))


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    target = Path(argv[2]) if len(argv) > 2 else DEFAULT_TARGET
    target.mkdir(parents=True, exist_ok=True)
    for version in VERSIONS:
        derive(version, source, target)
    (target / "countries.json").write_text(
        json.dumps(country_names(source), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (target / "NOTICE").write_text(NOTICE, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
