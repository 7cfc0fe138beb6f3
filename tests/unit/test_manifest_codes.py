"""The vocabularies in reconciler/manifest/codes.py agree with the schema and with Shopify's."""

from __future__ import annotations

import json
import re
from pathlib import Path

from reconciler.manifest import codes
from reconciler.model import DECLARABLE, WEIGHT_UNITS
from reconciler.sandbox.user_errors import VALID_REASONS as SANDBOX_REASONS

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "manifest.schema.json").read_text())
SHOPIFY_SCHEMAS = sorted((ROOT / "reconciler" / "sandbox" / "schemas").glob("admin_*.graphql"))


def shopify_country_codes(path: Path) -> set[str]:
    body = re.search(r"enum CountryCode \{(.*?)\n\}", path.read_text(), re.S)
    assert body is not None
    return set(re.findall(r"^\s+([A-Z]{2})\s*$", body.group(1), re.M))


def test_reasons_match_shopifys_list_and_the_schema() -> None:
    assert codes.VALID_REASONS == SANDBOX_REASONS
    assert SCHEMA["$defs"]["reason"]["enum"] == list(codes.VALID_REASONS)


def test_countries_are_shopifys_country_codes_less_zz_in_every_version() -> None:
    assert SHOPIFY_SCHEMAS
    for path in SHOPIFY_SCHEMAS:
        assert shopify_country_codes(path) - {"ZZ"} == codes.COUNTRY_CODES, path.name
    assert SCHEMA["$defs"]["countryCode"]["enum"] == [*sorted(codes.COUNTRY_CODES), None]


def test_country_hints_are_only_for_codes_shopify_refuses() -> None:
    refused = set(codes.COUNTRY_HINTS) - {"ZZ"}
    assert not refused & codes.COUNTRY_CODES


def test_schema_quantities_and_units_follow_the_model() -> None:
    level = SCHEMA["$defs"]["level"]["properties"]
    declared = [name for name, rule in level.items() if rule.get("type") == "integer"]
    assert declared == list(DECLARABLE)
    assert "not" in level["committed"] and "not" in level["incoming"]
    weight = SCHEMA["$defs"]["item"]["properties"]["weight"]["properties"]
    assert weight["unit"]["enum"] == list(WEIGHT_UNITS)


def test_schema_patterns_match_the_python_rules() -> None:
    item = SCHEMA["$defs"]["item"]["properties"]
    assert item["cost"]["pattern"] == codes.COST_RE.pattern
    assert item["harmonizedSystemCode"]["pattern"] == codes.HS_CODE_RE.pattern
    assert item["provinceCodeOfOrigin"]["pattern"] == codes.PROVINCE_RE.pattern
    assert item["id"]["pattern"] == codes.ITEM_GID_RE.pattern


def test_province_lists_hold_well_formed_codes() -> None:
    for country, provinces in codes.PROVINCE_CODES.items():
        assert country in codes.COUNTRY_CODES
        assert country in codes.PROVINCE_KIND
        assert all(codes.PROVINCE_RE.match(code) for code in provinces), country
    assert len(codes.PROVINCE_CODES["US"]) == 60  # 50 states, DC, 6 territories, 3 military
