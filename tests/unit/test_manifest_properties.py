"""Properties of the manifest stage, over generated manifests and generated garbage."""

from __future__ import annotations

import json
import re
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.manifest import Check, check_paths, codes
from reconciler.manifest.load import parse
from reconciler.model import DECLARABLE, WEIGHT_UNITS, Weight

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PLAIN_SAFE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9 ._/-]*[A-Za-z0-9])?$")
NULLS = {"~", "null", "Null", "NULL"}
BOUNDS = dict.fromkeys(DECLARABLE, (0, 1000000000)) | {"available": (-1_000_000_000, 1_000_000_000)}


def check(text: str) -> Check:
    """check_paths on one file, with an empty config so no ./reconciler.yaml can leak in."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "m.yaml"
        path.write_text(text, encoding="utf-8")
        config = Path(directory) / "config.yaml"
        config.write_text("")
        return check_paths([path], config)


# -- a tiny YAML writer: plain where YAML allows it (sometimes quoted anyway), else JSON-quoted


class Text:
    """A string value, and whether to write it quoted even when it could be plain."""

    def __init__(self, value: str, quoted: bool) -> None:
        self.value, self.quoted = value, quoted


class Number:
    def __init__(self, text: str) -> None:
        self.text = text


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Number):
        return value.text
    if isinstance(value, Text):
        plain_ok = PLAIN_SAFE.match(value.value) and value.value not in NULLS
        return value.value if plain_ok and not value.quoted else json.dumps(value.value)
    raise TypeError(value)


def emit(value: Any, indent: int = 0) -> list[str]:
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            key_text = scalar(key)
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key_text}:")
                lines.extend(emit(item, indent + 1))
            elif isinstance(item, (dict, list)):
                lines.append(f"{pad}{key_text}: {'{}' if isinstance(item, dict) else '[]'}")
            else:
                lines.append(f"{pad}{key_text}: {scalar(item)}")
    else:
        for item in value:
            inner = emit(item, indent + 1)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines.extend(inner[1:])
    return lines


# -- generated valid manifests, with the values the model should end up holding


def texts(pattern: str) -> st.SearchStrategy[Text]:
    return st.builds(Text, st.from_regex(pattern, fullmatch=True), st.booleans())


tricky_skus = st.sampled_from(["NO", "yes", "on", "0123", "2024-01-05", "1e3", "0x1F", "true"])
skus = st.one_of(st.from_regex(r"[A-Z][A-Z0-9-]{0,10}[A-Z0-9]", fullmatch=True), tricky_skus)
locations = st.sampled_from(["East Warehouse", "West Warehouse", "on", "1", "Store #2", "Köln"])
reasons = st.sampled_from(codes.VALID_REASONS)
countries = st.sampled_from(sorted(codes.COUNTRY_CODES))
hs_codes = st.from_regex(r"[0-9]{6,13}", fullmatch=True)


@st.composite
def decimals(draw: st.DrawFn, places: int, maximum: int) -> Decimal:
    units = draw(st.integers(0, maximum * 10**places))
    return Decimal(units).scaleb(-draw(st.integers(0, places)))


@st.composite
def levels(draw: st.DrawFn, tracked: bool = True) -> tuple[dict[Any, Any], dict[str, Any]]:
    if draw(st.integers(0, 5)) == 0:
        return {Text("stocked", False): False}, {"stocked": False, "quantities": {}, "reason": None}
    if not tracked:  # an untracked item has no quantities (validate refuses them)
        return {Text("stocked", False): True}, {"stocked": True, "quantities": {}, "reason": None}
    names = draw(st.lists(st.sampled_from(DECLARABLE), min_size=1, unique=True))
    quantities = {name: draw(st.integers(*BOUNDS[name])) for name in names}
    if "on_hand" in quantities and "available" in quantities:
        parts = sum(v for k, v in quantities.items() if k != "on_hand")
        if quantities["on_hand"] < parts:
            del quantities["on_hand"]
    written: dict[Any, Any] = {Text(k, False): v for k, v in quantities.items()}
    reason = draw(st.none() | reasons)
    if reason is not None:
        written[Text("reason", False)] = Text(reason, draw(st.booleans()))
    return written, {"stocked": True, "quantities": quantities, "reason": reason}


@st.composite
def items(draw: st.DrawFn, sku: str) -> tuple[dict[Any, Any], dict[str, Any]]:
    written: dict[Any, Any] = {Text("sku", False): Text(sku, draw(st.booleans()))}
    attributes: dict[str, Any] = {}
    if draw(st.booleans()):
        cost = draw(decimals(2, 100_000))
        quoted = draw(st.booleans())
        written[Text("cost", False)] = Text(str(cost), True) if quoted else Number(str(cost))
        attributes["cost"] = cost
    if draw(st.booleans()):
        attributes["tracked"] = written[Text("tracked", False)] = draw(st.booleans())
    if draw(st.booleans()):
        country = draw(countries)
        written[Text("countryCodeOfOrigin", False)] = Text(country, draw(st.booleans()))
        attributes["countryCodeOfOrigin"] = country
        if draw(st.booleans()):
            known = codes.PROVINCE_CODES.get(country)
            province = draw(
                st.sampled_from(sorted(known))
                if known
                else st.from_regex(r"[A-Z0-9]{1,3}", fullmatch=True)
            )
            written[Text("provinceCodeOfOrigin", False)] = Text(province, draw(st.booleans()))
            attributes["provinceCodeOfOrigin"] = province
    if draw(st.booleans()):
        code = draw(hs_codes)
        written[Text("harmonizedSystemCode", False)] = Text(code, draw(st.booleans()))
        attributes["harmonizedSystemCode"] = code
    if draw(st.booleans()):
        by_country = draw(st.dictionaries(countries, hs_codes, max_size=3))
        written[Text("countryHarmonizedSystemCodes", False)] = {
            Text(k, False): Text(v, draw(st.booleans())) for k, v in by_country.items()
        }
        attributes["countryHarmonizedSystemCodes"] = dict(sorted(by_country.items()))
    if draw(st.booleans()):
        value, unit = draw(decimals(4, 1000)), draw(st.sampled_from(WEIGHT_UNITS))
        written[Text("weight", False)] = {
            Text("value", False): Number(str(value)),
            Text("unit", False): Text(unit, False),
        }
        attributes["weight"] = Weight(value, unit)
    if draw(st.booleans()):
        attributes["requiresShipping"] = written[Text("requiresShipping", False)] = draw(
            st.booleans()
        )
    reason = draw(st.none() | reasons)
    if reason is not None:
        written[Text("reason", False)] = Text(reason, False)
    wanted_levels: dict[str, Any] = {}
    written_levels: dict[Any, Any] = {}
    for name in draw(st.lists(locations, unique=True, max_size=3)):
        level_written, level_expected = draw(levels(attributes.get("tracked", True)))
        written_levels[Text(name, draw(st.booleans()))] = level_written
        wanted_levels[name] = level_expected
    if written_levels:
        written[Text("levels", False)] = written_levels
    return written, {
        "sku": sku,
        "attributes": attributes,
        "levels": wanted_levels,
        "reason": reason,
    }


@st.composite
def manifests(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]], str]:
    names = draw(st.lists(skus, min_size=0, max_size=5, unique=True))
    pairs = [draw(items(name)) for name in names]
    file_reason = draw(st.none() | reasons)
    document: dict[Any, Any] = {}
    if file_reason is not None:
        document[Text("reason", False)] = Text(file_reason, False)
    document[Text("items", False)] = [written for written, _ in pairs]
    text = "\n".join(emit(document)) + "\n"
    return text, [expected for _, expected in pairs], file_reason or "correction"


@SETTINGS
@given(manifests())
def test_valid_manifests_round_trip_with_their_values_intact(
    case: tuple[str, list[dict[str, Any]], str],
) -> None:
    text, expected, file_reason = case
    state = check(text).state
    assert state is not None, check(text).problems
    assert len(state.items) == len(expected)
    for item, wanted in zip(state.items, expected, strict=True):
        assert item.sku == wanted["sku"]
        assert dict(item.attributes) == wanted["attributes"]
        assert item.reason == (wanted["reason"] or file_reason)
        assert list(item.attribute_sources) == list(item.attributes)
        got = {
            level.location: {
                "stocked": level.stocked,
                "quantities": dict(level.quantities),
                "reason": level.reason,
            }
            for level in item.levels
        }
        assert got == wanted["levels"]
        for level in item.levels:
            assert set(level.quantity_sources) == set(level.quantities)


@SETTINGS
@given(
    name=st.sampled_from(DECLARABLE),
    value=st.one_of(
        st.integers(-3_000_000_000, 3_000_000_000),
        st.sampled_from([-1_000_000_001, -1_000_000_000, -1, 0, 1_000_000_000, 1_000_000_001]),
    ),
)
def test_a_quantity_is_valid_exactly_within_shopifys_bounds(name: str, value: int) -> None:
    low, high = BOUNDS[name]
    problems = check(f"items:\n  - sku: X\n    levels:\n      East: {{{name}: {value}}}\n").problems
    if low <= value <= high:
        assert problems == []
    else:
        assert [(p.line, p.path) for p in problems] == [(4, f'items[0].levels["East"].{name}')]


@SETTINGS
@given(cost=decimals(4, 10_000), quoted=st.booleans())
def test_a_cost_is_valid_exactly_when_it_has_at_most_two_decimals(
    cost: Decimal, quoted: bool
) -> None:
    written = f'"{cost}"' if quoted else str(cost)
    result = check(f"items:\n  - sku: X\n    cost: {written}\n")
    if cost == cost.quantize(Decimal("0.01")) and -cost.as_tuple().exponent <= 2:
        assert result.state is not None
        assert result.state.items[0].attributes["cost"] == cost
    else:
        assert [p.path for p in result.problems] == ["items[0].cost"]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_problems_or_a_document_never_an_exception(data: bytes) -> None:
    document, problems = parse(data, "x.yaml")
    assert (document is None) == bool(problems)
    assert all(p.file == "x.yaml" and p.line and p.line >= 1 for p in problems)


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("items:-sku{}[]&*!|>'\"#\t\n ,0123456789.aZ?<~")),
        max_size=120,
    )
)
def test_any_text_gives_located_problems_or_a_valid_state(text: str) -> None:
    result = check(text)
    assert (result.state is None) == bool(result.problems)
    assert all(p.file and p.file.endswith("m.yaml") and p.line for p in result.problems)
