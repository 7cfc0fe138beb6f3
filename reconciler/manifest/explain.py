"""JSON Schema errors → Problems a person can act on.

jsonschema says *which rule* failed ("'avaliable' was unexpected"); this module says what is
wrong in the manifest's own terms and what to write instead ("unknown key; did you mean
"available"?"). A subschema may carry its own ``errorMessage`` (the convention VS Code's YAML
and JSON servers also show); that text wins for every rule of that subschema.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from jsonschema.exceptions import ValidationError

from reconciler.errors import Problem

from . import codes
from .address import Pointer
from .load import MappingNode, Scalar, SequenceNode
from .resolve import Resolved

BILLION = 1_000_000_000

_REQUIRED: dict[str, str] = {
    "items": "a manifest needs an `items:` list (write `items: []` for none yet)",
    "sku": "an item needs a `sku:`; it is the item's identity (an `id:` only pins which item "
    "carries that SKU when several do)",
    "value": "a weight needs a value, e.g. {value: 0.2, unit: KILOGRAMS}",
    "unit": "a weight needs a unit (" + ", ".join(("KILOGRAMS", "GRAMS", "POUNDS", "OUNCES")) + ")",
}
_TYPE_NAMES: dict[str, str] = {
    "integer": "a whole number",
    "number": "a number",
    "string": "text",
    "boolean": "true or false",
    "object": "a mapping (key: value lines)",
    "array": "a list (lines starting with '- ')",
    "null": "nothing",
}
_YAML11_BOOLEANS = frozenset({"yes", "no", "y", "n", "on", "off"})
_WEIGHT_ABBREVIATIONS: dict[str, str] = {
    "kg": "KILOGRAMS",
    "kgs": "KILOGRAMS",
    "g": "GRAMS",
    "gr": "GRAMS",
    "lb": "POUNDS",
    "lbs": "POUNDS",
    "oz": "OUNCES",
}


def problems(error: ValidationError, doc: Resolved) -> Iterator[Problem]:
    pointer: Pointer = tuple(error.absolute_path)
    if "propertyNames" in error.relative_schema_path and isinstance(error.instance, str):
        pointer = (*pointer, error.instance)  # the rule is about a key: point at that key
    if pointer in doc.flagged:
        return
    schema: Any = error.schema
    custom = schema.get("errorMessage") if isinstance(schema, dict) else None
    if isinstance(custom, str):
        yield doc.problem(pointer, custom)
        return
    rule = error.validator
    expected: Any = error.validator_value
    if rule == "additionalProperties":
        yield from _unknown_keys(error, doc, pointer)
    elif rule == "required":
        present = error.instance if isinstance(error.instance, dict) else {}
        for name in expected:
            if name not in present:
                yield doc.problem(pointer, _REQUIRED.get(name, f"missing required key `{name}`"))
    elif rule == "type":
        yield doc.problem(pointer, _type(error, doc, pointer))
    elif rule == "enum":
        yield doc.problem(pointer, _enum(error.instance, list(expected)))
    elif rule == "pattern":
        yield doc.problem(pointer, _pattern(error.instance, pointer, schema))
    elif rule in ("minimum", "maximum"):
        yield doc.problem(pointer, _bound(error.instance, pointer, rule, expected))
    elif rule == "minLength":
        yield doc.problem(pointer, "must not be empty")
    elif rule == "minProperties":
        yield doc.problem(
            pointer,
            "nothing declared; declare at least one quantity ("
            + ", ".join(_QUANTITIES)
            + "), or `stocked: true` / `stocked: false`",
        )
    else:  # a rule the schema gained after this module: still say something useful
        yield doc.problem(pointer, error.message)


_QUANTITIES = ("available", "on_hand", "damaged", "quality_control", "reserved", "safety_stock")


def _unknown_keys(error: ValidationError, doc: Resolved, pointer: Pointer) -> Iterator[Problem]:
    schema: Any = error.schema
    instance: Any = error.instance
    declared = list(schema.get("properties", {}))
    allowed = [name for name in declared if not name.startswith("$")]
    for name in instance:
        if name in declared:
            continue
        hint = suggest(name, allowed)
        if hint:
            message = f"unknown key; did you mean `{hint}`?"
        else:
            message = "unknown key; expected one of: " + ", ".join(allowed)
        yield doc.problem((*pointer, name), message)


def suggest(word: str, choices: list[str]) -> str | None:
    """The choice the user most likely meant: same letters ignoring case/separators, or close."""
    squashed = _squash(word)
    for choice in choices:
        if _squash(choice) == squashed:
            return choice
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.75)
    if close:
        return close[0]
    lowered = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.75)
    return lowered[close[0]] if close else None


def _squash(word: str) -> str:
    return re.sub(r"[^a-z0-9]", "", word.lower())


def _type(error: ValidationError, doc: Resolved, pointer: Pointer) -> str:
    expected: Any = error.validator_value
    wanted = [expected] if isinstance(expected, str) else list(expected)
    wanted = [t for t in wanted if t != "null"] or wanted
    if "number" in wanted and "string" in wanted:
        expectation = "a number"  # a cost: text or number, both read as a decimal
    elif "string" in wanted:
        expectation = "text"  # a plain number there is read as its text anyway
    else:
        expectation = " or ".join(_TYPE_NAMES.get(t, t) for t in wanted)
    node = doc.spot(pointer).node
    if pointer == () and "object" in wanted:
        return (
            f"a manifest must be a mapping with `items:` at the top, but this file is {_kind(node)}"
        )
    got = _shown(node)
    message = f"expected {expectation}, got {got}"
    if isinstance(node, Scalar):
        text = node.text
        if (
            not node.plain
            and wanted[0] in ("integer", "number", "boolean")
            and _parses(text, wanted[0])
        ):
            message += "; remove the quotes"
        elif node.plain and wanted[0] == "boolean" and text.lower() in _YAML11_BOOLEANS:
            message += " (YAML 1.2 reads yes/no/on/off as text; write true or false)"
        elif node.plain and text in ("", "~", "null", "Null", "NULL"):
            message += "; write a value, or remove the key"
    return message


def _parses(text: str, kind: str) -> bool:
    if kind == "boolean":
        return text in ("true", "false")
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return False
    return value.is_finite() and (kind == "number" or value == value.to_integral_value())


def _kind(node: Any) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return "a single value"


def _shown(node: Any) -> str:
    if not isinstance(node, Scalar):
        return _kind(node)
    if node.plain and node.text in ("", "~", "null", "Null", "NULL"):
        return "nothing"
    if node.plain:
        return node.text
    return '"' + node.text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _enum(value: Any, allowed: list[Any]) -> str:
    shown = f'"{value}"' if isinstance(value, str) else _literal(value)
    if allowed == list(codes.VALID_REASONS):
        hint = suggest(str(value), allowed) if isinstance(value, str) else None
        extra = f"did you mean `{hint}`? " if hint else ""
        return f"{shown} is not a reason Shopify accepts; {extra}use one of: " + ", ".join(allowed)
    if "KILOGRAMS" in allowed:
        word = str(value)
        hint = _WEIGHT_ABBREVIATIONS.get(word.lower().rstrip(".")) or suggest(word, allowed)
        extra = f"; did you mean {hint}?" if hint else ""
        return f"{shown} is not a weight unit: use one of " + ", ".join(allowed) + extra
    if "US" in allowed:
        return _country(value)
    return f"{shown} is not allowed; use one of: " + ", ".join(_literal(a) for a in allowed)


def _country(value: Any) -> str:
    if not isinstance(value, str):
        return f"{_literal(value)} is not a country code; write a two-letter ISO 3166-1 code such as US or PT"
    shown = f'"{value}"'
    if value in codes.COUNTRY_HINTS:
        return f"{shown} is not a country code Shopify accepts: {codes.COUNTRY_HINTS[value]}"
    if value.upper() in codes.COUNTRY_CODES:
        return f"{shown}: country codes are upper case; write {value.upper()}"
    return (
        f"{shown} is not a country code; write a two-letter ISO 3166-1 alpha-2 code "
        "such as US, PT or NO"
    )


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _field(pointer: Pointer) -> str:
    names = [part for part in pointer if isinstance(part, str)]
    return names[-1] if names else ""


def _parent_field(pointer: Pointer) -> str:
    names = [part for part in pointer if isinstance(part, str)]
    return names[-2] if len(names) > 1 else ""


def _pattern(value: Any, pointer: Pointer, schema: Any) -> str:
    text = str(value)
    shown = f'"{text}"'
    name = _field(pointer)
    if name == "cost":
        return cost_message(text)
    if name == "harmonizedSystemCode" or _parent_field(pointer) == "countryHarmonizedSystemCodes":
        digits = re.sub(r"[.\s-]", "", text)
        if digits != text and codes.HS_CODE_RE.match(digits):
            return f"{shown}: write the harmonized system code as digits only: {digits}"
        return (
            f"{shown} is not a harmonized system code: it must be 6 to 13 digits, "
            'e.g. "621710" (Shopify refuses anything else)'
        )
    if name == "provinceCodeOfOrigin":
        prefixed = re.match(r"^([A-Za-z]{2})-([A-Za-z0-9]{1,3})$", text)
        if prefixed:
            return (
                f"{shown}: write the region without the country prefix: "
                f"{prefixed.group(2).upper()} (the country goes in countryCodeOfOrigin)"
            )
        if codes.PROVINCE_RE.match(text.upper()):
            return f"{shown}: region codes are upper case; write {text.upper()}"
        return (
            f"{shown} is not a region code: use the ISO 3166-2 subdivision code without the "
            "country prefix, 1 to 3 letters or digits (e.g. OR, QC, NSW)"
        )
    if name == "id":
        if text.isdigit():
            return f"{shown}: write the id in full: gid://shopify/InventoryItem/{text}"
        if text.startswith("gid://shopify/ProductVariant/"):
            return f"{shown} is a product variant id; pin the variant's inventory item id instead (gid://shopify/InventoryItem/...)"
        return f"{shown} is not an inventory item id; write gid://shopify/InventoryItem/<number>"
    if name == "sku":
        return (
            f"SKU {shown} starts or ends with spaces; Shopify matches SKUs exactly, so remove them"
        )
    if name == "apiVersion":
        return (
            f"{shown} is not a Shopify API version: versions are quarterly, YYYY-01, -04, -07 "
            "or -10 (e.g. 2026-04)"
        )
    custom = schema.get("patternErrorMessage") if isinstance(schema, dict) else None
    if isinstance(custom, str):
        return f"{shown} is invalid: {custom}"
    return f"{shown} does not match the pattern {schema.get('pattern')}"


def cost_message(text: str) -> str:
    """Why a cost is refused, and what to write instead."""
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        return f'"{text}" is not a number; write a cost like 145.89 (at most 2 decimals, 0 or more)'
    if amount < 0:
        return f"{text} is negative; a cost must be 0 or more (Shopify refuses negative costs)"
    rounded = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount != rounded:
        return f"{text} has more than 2 decimals; costs are in cents, so round it, e.g. {rounded}"
    return f"write the cost as plain digits with at most 2 decimals, e.g. {rounded}"


def _bound(value: Any, pointer: Pointer, rule: str, limit: Any) -> str:
    name = _field(pointer)
    shown = f"{value:,}" if isinstance(value, int) else str(value)
    if name == "available":
        side = "low" if rule == "minimum" else "high"
        return (
            f"{shown} is too {side}: Shopify accepts available from -1,000,000,000 to 1,000,000,000"
        )
    if name in _QUANTITIES:
        if rule == "maximum":
            return f"{shown} is too high: Shopify accepts {name} up to 1,000,000,000"
        if name == "on_hand":
            return f"{shown} is negative: on_hand counts the units physically here and can't be below 0"
        return (
            f"{shown} is negative: {name} can't be below 0 (units are moved into it from available)"
        )
    if name == "value":
        return f"{shown} is negative: a weight must be 0 or more"
    word = "minimum" if rule == "minimum" else "maximum"
    return f"{shown} is beyond the {word} of {limit}"
