"""Manifest entries → YAML text: the one writer of manifests (export, CSV import).

It writes exactly what the manifest loader reads back (a hypothesis property test holds them
together: write → load gives the same values) and always the same bytes for the same entries,
so a re-export of an unchanged store is byte-identical and git diffs show only real change:

* items in the order given (callers sort them by SKU, then id); keys in a fixed order: `sku`,
  `id`, the attributes in the order plans show them, `levels`; levels by their key; quantities in
  the order manifests document them;
* one line per level, in flow style (``East Warehouse: {available: 15, damaged: 1}``), as the
  examples are written;
* text plain where no YAML reader could take it for anything else (``TSHIRT-RED-M``,
  ``East Warehouse``), double-quoted otherwise (``"00123"``, ``"Yes"``, ``"a: b"``); costs and HS
  codes always quoted, so they stay text with their zeros; weights as exact decimals;
* a first line ``# yaml-language-server: $schema=...`` for editors, then the marker line that
  lets a later export recognise (and replace) the files it wrote.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reconciler import __version__
from reconciler.model import ATTRIBUTES, DECLARABLE, Weight

MARKER = "# Written by `reconciler export`"
# Where editors fetch the schemas: the raw file (github.com's page is HTML) of the release that
# wrote the manifest, so the schema matches what this version's validate accepts.
SCHEMAS_URL = f"https://raw.githubusercontent.com/reconciler/reconciler/v{__version__}/schemas"
DEFAULT_SCHEMA = f"{SCHEMAS_URL}/manifest.schema.json"


@dataclass(frozen=True, slots=True)
class ManifestLevel:
    key: str  # a location name or an alias
    quantities: Mapping[str, int] = field(default_factory=dict)  # declarable names only
    stocked: bool = True


@dataclass(frozen=True, slots=True)
class ManifestItem:
    sku: str
    id: str | None = None  # written when several items share the SKU
    attributes: Mapping[str, Any] = field(default_factory=dict)  # model values (see ATTRIBUTES)
    levels: tuple[ManifestLevel, ...] = ()
    reason: str | None = None


def render(
    items: Iterable[ManifestItem],
    *,
    schema: str = DEFAULT_SCHEMA,
    comment: Sequence[str] = (),
    reason: str | None = None,
) -> str:
    """One manifest file's text."""
    lines = [f"# yaml-language-server: $schema={schema}", MARKER]
    lines.extend(f"# {text}" if text else "#" for text in comment)
    if reason is not None:
        lines.append(f"reason: {reason}")
    body = [line for item in items for line in _item(item)]
    lines.extend(["items:", *body] if body else ["items: []"])
    return "\n".join(lines) + "\n"


def _item(item: ManifestItem) -> list[str]:
    out = [f"  - sku: {text(item.sku)}"]
    if item.id is not None:
        out.append(f"    id: {text(item.id)}")
    for name in ATTRIBUTES:
        if name in item.attributes:
            out.append(f"    {name}: {attribute(name, item.attributes[name])}")
    if item.reason is not None:
        out.append(f"    reason: {item.reason}")
    if item.levels:
        out.append("    levels:")
        for level in sorted(item.levels, key=lambda lv: lv.key):
            out.append(f"      {text(level.key)}: {_level(level)}")
    return out


def _level(level: ManifestLevel) -> str:
    if not level.stocked:
        return "{stocked: false}"
    parts = [f"{name}: {level.quantities[name]}" for name in DECLARABLE if name in level.quantities]
    return "{" + ", ".join(parts or ["stocked: true"]) + "}"


def attribute(name: str, value: Any) -> str:
    """An attribute's value as YAML, in the form the loader types back to the same value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if name == "cost":
        return quoted(decimal_text(Decimal(value), places=2))
    if name == "harmonizedSystemCode":
        return quoted(str(value))
    if name == "countryHarmonizedSystemCodes":
        pairs = (f"{text(country)}: {quoted(str(code))}" for country, code in sorted(value.items()))
        return "{" + ", ".join(pairs) + "}"
    if name == "weight":
        assert isinstance(value, Weight)
        return f"{{value: {decimal_text(value.value)}, unit: {value.unit}}}"
    return text(str(value))


def decimal_text(value: Decimal, places: int | None = None) -> str:
    """A decimal without an exponent: 0.18, 10, 8.40 (with `places`, at least that many)."""
    if places is not None:
        quantized = value.quantize(Decimal(1).scaleb(-places))
        if quantized == value:
            value = quantized
    elif value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    else:
        value = value.normalize()
    return format(value, "f")


# -- scalars -----------------------------------------------------------------------------------

# Plain text every YAML reader (1.1 or 1.2, block or flow context) reads back as the same string:
# a letter first, then letters, digits, spaces and a few punctuation marks that mean nothing to
# YAML; no trailing space; no word that YAML 1.1 reads as a boolean or null.
_SAFE = re.compile(r"^[A-Za-z](?:[A-Za-z0-9_.()/+ -]*[A-Za-z0-9_.()/+-])?$")
_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def text(value: str) -> str:
    """`value` plain when that is unambiguous, else double-quoted."""
    if _SAFE.match(value) and value.lower() not in _WORDS:
        return value
    return quoted(value)


def quoted(value: str) -> str:
    """A YAML double-quoted scalar: printable characters as they are, the rest escaped."""
    out = ['"']
    for char in value:
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif _printable(char):
            out.append(char)
        else:
            code = ord(char)
            if code <= 0xFF:
                out.append(f"\\x{code:02x}")
            elif code <= 0xFFFF:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def _printable(char: str) -> bool:
    """Characters written as they are: printable ASCII, and others that are not controls,
    format characters, surrogates, private or unassigned (category C*), nor what YAML 1.1
    reads as a line break."""
    if " " <= char <= "~":
        return True
    if char < "\xa0" or char in "\u2028\u2029\ufeff":
        return False
    return not unicodedata.category(char).startswith("C")
