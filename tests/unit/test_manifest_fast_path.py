"""The fast path reads and accepts exactly what the node-tree path and jsonschema do.

Valid manifests are read in one pass over the YAML events (stream.py) and confirmed by the
schema compiled to one function (compiled.py); everything else goes through the node tree and
jsonschema, whose messages explain.py words. These properties hold the two paths to each other:

* whatever `stream.read` returns is what compose + resolve give, with no problems;
* the compiled schema says yes exactly when jsonschema finds no error, on near-manifests and on
  arbitrary values, for the manifest and the config schemas;
* `check_paths` reports the same problems and builds the same desired state either way;
* and the fast path is really taken for the manifests people write (else it would only cost).
"""

from __future__ import annotations

import copy
import hashlib
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.manifest import api, check_paths, codes, compiled, load, schema, stream, validate
from reconciler.manifest.resolve import Resolved, resolve
from reconciler.model import DECLARABLE
from tests.unit.test_manifest_properties import manifests

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VIEW = schema.SchemaView(schema.load(schema.MANIFEST))


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 is not True, Decimal 1.0 not 1.00)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Decimal):
        return str(a) == str(b)
    return bool(a == b)


def thorough(text: str) -> Resolved | None:
    document, problems = load.compose(text, "m.yaml", "d")
    if document is None or document.root is None:
        return None
    return resolve(document, VIEW)


# -- YAML texts: generated manifests, then mutated by what people get wrong --------------------

JUNK = [
    "-5",
    '"5"',
    "yes",
    "0123",
    "1.5",
    "~",
    "[]",
    "{}",
    "&a 1",
    "*a",
    "!!int 3",
    "NO",
    "US-OR",
    "9" * 120,
    "1e3",
    "'x'",
    "|\n  block",
    "{<<: {a: 1}}",
    "[a, [b, {c: d}]]",
    "",
    "true",
    "TRUE",
    "null",
    "? [a]\n  : b",
]


@st.composite
def texts(draw: st.DrawFn) -> str:
    text, _, _ = draw(manifests())
    lines = text.splitlines()
    for _ in range(draw(st.integers(0, 3))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["duplicate", "delete", "value", "key", "anchor", "document"]))
        line = lines[at]
        if how == "duplicate":
            lines.insert(at, line)
        elif how == "delete":
            del lines[at]
        elif how == "value" and ": " in line:
            lines[at] = line.split(": ", 1)[0] + ": " + draw(st.sampled_from(JUNK))
        elif how == "key" and ":" in line:
            indent = line[: len(line) - len(line.lstrip())]
            name = draw(st.sampled_from(["avaliable", "<<", "~", "'x-a'", "committed", "Sku"]))
            lines.insert(at, f"{indent}{name}: 1")
        elif how == "anchor":
            lines.insert(0, "x-a: &a {available: 1}")
        elif how == "document":
            lines.append("---")
    return "\n".join(lines) + "\n"


@SETTINGS
@given(texts())
def test_stream_reads_exactly_what_the_node_tree_reads(text: str) -> None:
    fast = stream.read(text, "m.yaml", "d", VIEW)
    if fast is None:
        return  # the node-tree path reads it (and says what is wrong, if anything)
    slow = thorough(text)
    assert slow is not None
    assert slow.problems == []
    assert same(fast.value, slow.value)
    assert fast.lines == slow.lines


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests())
def test_the_fast_path_is_taken_for_plain_valid_manifests(
    case: tuple[str, list[dict[str, Any]], str],
) -> None:
    text = case[0]
    fast = stream.read(text, "m.yaml", "d", VIEW)
    assert fast is not None
    accepts = schema.accepts(schema.MANIFEST)
    assert accepts is not None and accepts(fast.value)


@pytest.mark.parametrize(
    "text",
    [
        "x-a: &a {cost: 1}\nitems: []\n",  # anchors
        "items:\n  - sku: X\n    sku: Y\n",  # duplicate keys
        "items: !!seq []\n",  # tags
        "items: []\n---\nitems: []\n",  # two documents
        "",  # empty
        "items:\n  - sku: X\n    levels:\n      A: {available: 012}\n",  # a leading zero
        "items: [" * 70 + "]" * 70 + "\n",  # nesting deeper than 64
        "items:\n  - {sku: X, ~: 1}\n",  # an empty key
        "items:\n  - <<: {sku: X}\n",  # a merge key
        "items:\n  - sku: !!str X\n",  # a tag on a value
        "items:\n  - sku: &a X\n",  # an anchor on a value
        "items:\n  - ? [X]\n    : 1\n",  # a key that is a list
        "items:\n  - sku: [X\n",  # a syntax error
    ],
)
def test_uncommon_files_go_to_the_node_tree(text: str) -> None:
    assert stream.read(text, "m.yaml", "d", VIEW) is None


# -- the compiled schema against jsonschema -----------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.sampled_from([0, 1, -1, 1_000_000_000, 1_000_000_001, -1_000_000_001, 2**70]),
    st.floats(allow_nan=True),
    st.sampled_from([5.0, -0.0, 1e9, 0.5]),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.text(max_size=6),
    st.sampled_from(
        [
            "",
            " x",
            "x ",
            "x\n",
            "NO",
            "US",
            "ZZ",
            "OR",
            "US-OR",
            "621710",
            "0621710",
            "62.17.10",
            "12.34",
            "12.345",
            "-1",
            "KILOGRAMS",
            "kg",
            "correction",
            "Correction",
            "gid://shopify/InventoryItem/1",
            "gid://shopify/InventoryItem/0",
            "stocked",
            "2026-04",
            "2026-05",
        ]
    ),
)
junk = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


# Valid documents first, then a few mutations: a value swapped for anything (boundaries
# included), a key added or removed. A mutation is then often the only thing wrong, which is
# what tells a checker that is slightly off from one that is right.

text_values = st.text(min_size=1, max_size=5).filter(lambda t: t == t.strip())
countries = st.sampled_from(sorted(codes.COUNTRY_CODES))
hs_codes = st.from_regex(r"[0-9]{6,13}", fullmatch=True)
reasons = st.sampled_from(codes.VALID_REASONS)
BOUNDS = dict.fromkeys(DECLARABLE, (0, 10**9)) | {"available": (-(10**9), 10**9)}


@st.composite
def valid_levels(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.integers(0, 4)) == 0:
        return {"stocked": False}
    names = draw(st.lists(st.sampled_from(DECLARABLE), unique=True, min_size=1, max_size=3))
    level: dict[str, Any] = {}
    for name in names:
        low, high = BOUNDS[name]
        level[name] = draw(st.integers(low, high) | st.sampled_from([low, high]))
    if not level or draw(st.booleans()):
        level["stocked"] = True
    if draw(st.booleans()):
        level["reason"] = draw(reasons)
    return level


@st.composite
def valid_items(draw: st.DrawFn) -> dict[str, Any]:
    optional: dict[str, st.SearchStrategy[Any]] = {
        "id": st.sampled_from(["gid://shopify/InventoryItem/7", "gid://shopify/InventoryItem/12"]),
        "tracked": st.booleans(),
        "cost": st.none()
        | st.decimals(0, 1000, places=2)
        | st.integers(0, 10)
        | st.sampled_from(["0", "1.5", "145.89"]),
        "countryCodeOfOrigin": st.none() | countries,
        "provinceCodeOfOrigin": st.none() | st.from_regex(r"[A-Z0-9]{1,3}", fullmatch=True),
        "harmonizedSystemCode": st.none() | hs_codes | st.integers(0, 10**14),
        "countryHarmonizedSystemCodes": st.dictionaries(countries, hs_codes, max_size=2),
        "weight": st.fixed_dictionaries(
            {
                "value": st.decimals(0, 10, places=2) | st.sampled_from([0, 0.5]),
                "unit": st.sampled_from(["KILOGRAMS", "GRAMS", "POUNDS", "OUNCES"]),
            }
        ),
        "requiresShipping": st.booleans(),
        "reason": reasons,
    }
    item: dict[str, Any] = {"sku": draw(text_values | st.integers(0, 99))}
    for name in draw(st.lists(st.sampled_from(list(optional)), unique=True, max_size=4)):
        item[name] = draw(optional[name])
    if draw(st.integers(0, 3)):
        item["levels"] = draw(st.dictionaries(text_values, valid_levels(), min_size=1, max_size=3))
    return item


@st.composite
def valid_documents(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = {"items": draw(st.lists(valid_items(), min_size=1, max_size=3))}
    if draw(st.booleans()):
        document["reason"] = draw(reasons)
    if draw(st.booleans()):
        document["x-defaults"] = draw(junk)
    if draw(st.booleans()):
        document["$schema"] = "../schemas/manifest.schema.json"
    return document


@st.composite
def valid_configs(draw: st.DrawFn) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if draw(st.booleans()):
        config["store"] = draw(text_values)
    if draw(st.booleans()):
        config["apiVersion"] = draw(st.sampled_from(["2025-01", "2026-04", "2026-10"]))
    if draw(st.booleans()):
        config["history"] = draw(text_values)
    if draw(st.booleans()):
        config["locations"] = {"aliases": draw(st.dictionaries(text_values, text_values))}
    return config


EDGES: list[Any] = [
    *(b + d for b in (0, 10**9, -(10**9)) for d in (-1, 0, 1)),
    5.0,
    0.5,
    -0.0,
    True,
    False,
    None,
    "",
    " x",
    "x",
    "5",
    "-1",
    "1.005",
    "1.50",
    Decimal("1.005"),
    Decimal("-0.01"),
    Decimal("2.50"),
    "NO",
    "ZZ",
    "us",
    "US-OR",
    "12345",
    "1234567890123",
    "12345678901234",
    "KILOGRAMS",
    "kg",
    "correction",
    "gid://shopify/InventoryItem/0",
    "gid://shopify/InventoryItem/9",
    "2026-07",
    "stocked",
    {},
    [],
    {"stocked": False},
    {"stocked": False, "available": 1},
    {"value": 1},
]
edges = st.sampled_from(EDGES).map(copy.deepcopy)  # fresh containers: mutations change them
KEYS = ["sku", "available", "on_hand", "stocked", "reason", "committed", "incoming", "x-a"]
KEYS += ["cost", "levels", "items", "value", "unit", "store", "aliases", "US", ""]


def _places(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in `value`, parents before children."""
    found: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            found.append((value, key))
            found.extend(_places(inner))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found.append((value, index))
            found.extend(_places(inner))
    return found


def near(value: Any) -> list[Any]:
    """Values a checker that is slightly off would judge differently from `value`."""
    if isinstance(value, bool):
        return [not value, int(value), str(value).lower(), None]
    if isinstance(value, int):
        bounds = [b + d for b in (0, 10**9, -(10**9)) for d in (-1, 0, 1)]
        return [value - 1, value + 1, -value, float(value), float(value) + 0.5, str(value), *bounds]
    if isinstance(value, Decimal):
        return [value + Decimal("0.001"), -value - 1, float(value), str(value), int(value)]
    if isinstance(value, str):
        return ["", f" {value}", f"{value} ", value.lower(), value + "X", value[:-1], 5]
    if isinstance(value, dict):
        return [{}, [], {"stocked": False, **value}, {**value, "x": 1}]
    return [[], {}, None]


@st.composite
def mutated(draw: st.DrawFn, valid: st.SearchStrategy[Any]) -> Any:
    value = draw(valid)
    for _ in range(draw(st.integers(0, 2))):
        places = _places(value)
        containers = [value, *(c for c, _ in places)]
        how = draw(st.sampled_from(["swap", "swap", "add", "remove"]))
        leaves = [(c, k) for c, k in places if not isinstance(c[k], dict | list)]
        if how == "swap" and places:
            container, key = draw(st.sampled_from(leaves or places) | st.sampled_from(places))
            nearby = st.sampled_from(near(container[key])).map(copy.deepcopy)
            container[key] = draw(nearby | nearby | edges | junk)
        elif how == "add":
            container = draw(st.sampled_from(containers))
            if isinstance(container, dict):
                container[draw(st.sampled_from(KEYS))] = draw(edges | scalars | junk)
            elif isinstance(container, list):
                container.append(draw(junk))
        elif how == "remove" and places:
            container, key = draw(st.sampled_from(places))
            del container[key]
    return value


def agrees(name: str, value: Any) -> None:
    accepts = schema.accepts(name)
    assert accepts is not None, f"{name} uses a keyword compiled.py does not know"
    assert accepts(value) == schema.validator(name).is_valid(value), value


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(valid_documents()) | junk)
def test_compiled_manifest_schema_agrees_with_jsonschema(value: Any) -> None:
    agrees(schema.MANIFEST, value)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(valid_configs()) | junk)
def test_compiled_config_schema_agrees_with_jsonschema(value: Any) -> None:
    agrees(schema.CONFIG, value)


POSITIVE = Path(__file__).resolve().parents[1] / "manifests" / "positive"


def _typed(path: Path, view: schema.SchemaView) -> Any:
    doc = stream.read(path.read_text(encoding="utf-8"), path.name, "d", view)
    assert doc is not None
    return doc.value


def _single_changes(value: Any) -> Iterator[Any]:
    """`value` with one change: each leaf or container swapped for each near or edge value,
    removed, or given one more key."""
    for number in range(len(_places(value))):
        for how in ("swap", "remove"):
            replacements = [None] if how == "remove" else None
            copied = copy.deepcopy(value)
            container, key = _places(copied)[number]
            for replacement in replacements or [*near(container[key]), *EDGES]:
                changed = copy.deepcopy(copied)
                inner, at = _places(changed)[number]
                if how == "remove":
                    del inner[at]
                else:
                    inner[at] = copy.deepcopy(replacement)
                yield changed
    containers = [()] + [("place", n) for n, (c, k) in enumerate(_places(value))]
    for where in containers:
        for name in KEYS:
            for extra in (False, True, 1, "x", {}):
                changed = copy.deepcopy(value)
                target = changed if not where else _places(changed)[where[1]]
                if where:
                    target = target[0][target[1]]
                if isinstance(target, dict):
                    target[name] = extra
                    yield changed


@pytest.mark.parametrize(
    ("name", "path"),
    [
        (schema.MANIFEST, POSITIVE / "full_format.yaml"),
        (schema.MANIFEST, POSITIVE / "clearing_attributes.yaml"),
        (schema.CONFIG, POSITIVE / "with_config" / "reconciler.yaml"),
    ],
    ids=lambda x: getattr(x, "name", x),
)
def test_compiled_schema_agrees_on_every_single_change(name: str, path: Path) -> None:
    base = _typed(path, schema.SchemaView(schema.load(name)))
    accepts = schema.accepts(name)
    assert accepts is not None and accepts(base)
    checker = schema.validator(name)
    count = 0
    for changed in _single_changes(base):
        assert accepts(changed) == checker.is_valid(changed), changed
        count += 1
    assert count > 500


def test_an_unknown_keyword_turns_the_fast_check_off() -> None:
    assert compiled.compile_schema({"type": "object", "dependentRequired": {}}) is None
    assert compiled.compile_schema({"$ref": "https://example.com/x"}) is None
    assert compiled.compile_schema({"type": "decimal"}) is None


def test_recursive_references_compile() -> None:
    tree = {
        "$defs": {"node": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
        "$ref": "#/$defs/node",
    }
    check = compiled.compile_schema(tree)
    assert check is not None
    assert check([[], [[]]]) and not check([[], [1]])


# -- check_paths, end to end, with and without the fast path ------------------------------------


def _check(directory: Path, text: str, fast: bool) -> api.Check:
    path = directory / "m.yaml"
    path.write_text(text, encoding="utf-8")
    config = directory / "config.yaml"
    config.write_text("locations:\n  aliases:\n    east: East Warehouse\n")
    with pytest.MonkeyPatch.context() as patch:
        if not fast:
            patch.setattr(stream, "read", lambda *args: None)
        return check_paths([path], config)


@SETTINGS
@given(texts())
def test_check_paths_is_the_same_with_and_without_the_fast_path(text: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        fast = _check(Path(directory), text, fast=True)
        slow = _check(Path(directory), text, fast=False)
    assert fast.problems == slow.problems
    assert fast.state == slow.state


def test_the_same_file_hash_either_way(tmp_path: Path) -> None:
    text = "items:\n  - sku: X\n"
    for fast in (True, False):
        state = _check(tmp_path, text, fast).state
        assert state is not None
        assert state.files[0].sha256 == hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.skipif(load._FastLoader is None, reason="PyYAML was built without libyaml")
@pytest.mark.parametrize(
    "case",
    sorted(POSITIVE.glob("*.yaml")) + sorted(POSITIVE.glob("*/*.y*ml")),
    ids=lambda p: p.name,
)
def test_the_stream_reads_alike_with_and_without_libyaml(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = case.read_text(encoding="utf-8")
    view = schema.SchemaView(
        schema.load(schema.CONFIG if case.name == "reconciler.yaml" else schema.MANIFEST)
    )
    fast = stream.read(text, case.name, "d", view)
    monkeypatch.setattr(load, "_FastLoader", None)
    pure = stream.read(text, case.name, "d", view)
    assert (fast is None) == (pure is None)
    if fast is not None and pure is not None:
        assert same(fast.value, pure.value) and fast.lines == pure.lines


def test_mistakes_in_a_big_file_are_worded_without_reading_it_again(tmp_path: Path) -> None:
    """A typo and a quoted number among 3,000 valid items: jsonschema looks at those two items
    only, and the messages are the node-tree path's, to the letter."""
    rows = ["items:"]
    for index in range(3000):
        rows += [f"  - sku: S{index}", "    levels:", "      East: {available: 1}"]
    rows[1500 * 3 + 3] = "      East: {avaliable: 1}"
    rows[2000 * 3 + 3] = '      East: {available: "7"}'
    text = "\n".join(rows) + "\n"
    slow = _check(tmp_path, text, fast=False)
    compose = load.compose

    def only_the_config(text: str, name: str, digest: str) -> Any:
        assert not name.endswith("m.yaml"), "the manifest was read through the node tree"
        return compose(text, name, digest)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(load, "compose", only_the_config)
        fast = _check(tmp_path, text, fast=True)
    assert fast.problems == slow.problems
    assert [(p.line, p.path, p.message) for p in fast.problems] == [
        (
            4504,
            'items[1500].levels["East"].avaliable',
            "unknown key; did you mean `available`?",
        ),
        (
            6004,
            'items[2000].levels["East"].available',
            'expected a whole number, got "7"; remove the quotes',
        ),
    ]


def test_a_type_error_the_single_pass_cannot_quote_sends_the_file_to_the_node_tree() -> None:
    text = 'items:\n  - sku: X\n    levels:\n      East: {available: "7"}\n'
    doc = stream.read(text, "m.yaml", "d", VIEW)
    assert doc is not None and list(doc.unfit) == [("items", 0, "levels", "East", "available")]
    found = validate.check_manifest(doc, {})
    assert found is not None and [p.message for p in found] == [
        'expected a whole number, got "7"; remove the quotes'
    ]
    doc.unfit.clear()
    assert validate.check_manifest(doc, {}) is None


def _report(errors: Any) -> list[tuple[Any, ...]]:
    return [(tuple(e.absolute_path), e.validator, e.message) for e in errors]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(valid_documents()) | junk)
def test_checking_item_by_item_gives_jsonschemas_report_in_its_order(value: Any) -> None:
    whole = schema.validator(schema.MANIFEST).iter_errors(value)
    assert _report(validate.schema_errors(value)) == _report(whole)
