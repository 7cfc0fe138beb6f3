"""The YAML pitfalls the manifest loader neutralises, checked through the public entry points."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.errors import ManifestError
from reconciler.manifest import check_paths, load, load_desired
from reconciler.manifest.load import discover, parse


def write(tmp_path: Path, text: str, name: str = "m.yaml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def one_item(tmp_path: Path, body: str) -> dict[str, object]:
    state = load_desired([write(tmp_path, "items:\n  - sku: X\n" + body)])
    return dict(state.items[0].attributes)


def one_item_from(tmp_path: Path, text: str) -> dict[str, object]:
    return dict(load_desired([write(tmp_path, text)]).items[0].attributes)


def messages(tmp_path: Path, text: str) -> list[str]:
    return [str(p) for p in check_paths([write(tmp_path, text)]).problems]


@pytest.fixture(autouse=True)
def _no_stray_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("code", ["NO", "no", "No", "ON", "Y", "yes", "off"])
def test_yaml11_booleans_stay_text_where_text_is_expected(tmp_path: Path, code: str) -> None:
    problems = check_paths([write(tmp_path, f"items:\n  - sku: {code}\n")]).problems
    assert problems == []
    state = load_desired([tmp_path / "m.yaml"])
    assert state.items[0].sku == code


def test_norway_is_a_country_not_false(tmp_path: Path) -> None:
    assert one_item(tmp_path, "    countryCodeOfOrigin: NO\n")["countryCodeOfOrigin"] == "NO"


def test_leading_zero_hs_code_is_text_not_octal(tmp_path: Path) -> None:
    attributes = one_item(tmp_path, "    harmonizedSystemCode: 0621710\n")
    assert attributes["harmonizedSystemCode"] == "0621710"


def test_unquoted_hs_code_and_numeric_sku_are_their_text(tmp_path: Path) -> None:
    state = load_desired(
        [write(tmp_path, "items:\n  - sku: 00123\n    harmonizedSystemCode: 621710\n")]
    )
    assert state.items[0].sku == "00123"
    assert state.items[0].attributes["harmonizedSystemCode"] == "621710"


def test_dates_stay_text(tmp_path: Path) -> None:
    state = load_desired([write(tmp_path, "items:\n  - sku: 2024-01-05\n")])
    assert state.items[0].sku == "2024-01-05"


@pytest.mark.parametrize(
    ("written", "expected"),
    [("10.1", "10.1"), ('"10.1"', "10.1"), ("0.3", "0.3"), ("8", "8"), ("145.89", "145.89")],
)
def test_cost_is_an_exact_decimal(tmp_path: Path, written: str, expected: str) -> None:
    cost = one_item(tmp_path, f"    cost: {written}\n")["cost"]
    assert isinstance(cost, Decimal)
    assert cost == Decimal(expected)
    assert str(cost) == expected  # no float drift: 10.1 is not 10.0999999999999996447


def test_weight_value_is_an_exact_decimal(tmp_path: Path) -> None:
    weight = one_item(tmp_path, "    weight: {value: 0.1, unit: GRAMS}\n")["weight"]
    assert str(weight) == "0.1 GRAMS"


def test_duplicate_keys_name_both_lines(tmp_path: Path) -> None:
    text = "items:\n  - sku: X\n    levels:\n      A: {available: 1}\n      A: {available: 2}\n"
    assert messages(tmp_path, text) == [
        f'{tmp_path / "m.yaml"}:5: items[0].levels["A"]: duplicate key: already declared at '
        "line 4; YAML would keep only one of them, so merge the two into one entry"
    ]


def test_alias_bomb_is_refused_before_expansion(tmp_path: Path) -> None:
    rows = ["a: &a [" + ",".join(["x"] * 10) + "]"]
    for level in range(1, 9):  # 10**9 values if expanded
        previous, name = chr(ord("a") + level - 1), chr(ord("a") + level)
        rows.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 10) + "]")
    document, problems = parse(("\n".join(rows) + "\n").encode(), "bomb.yaml")
    assert document is None
    assert len(problems) == 1
    assert "refusing an alias bomb" in problems[0].message


def test_modest_aliases_are_fine(tmp_path: Path) -> None:
    text = "x-w: &w {value: 1, unit: POUNDS}\nitems:\n" + "".join(
        f"  - sku: S{i}\n    weight: *w\n" for i in range(50)
    )
    state = load_desired([write(tmp_path, text)])
    assert {str(item.attributes["weight"]) for item in state.items} == {"1 POUNDS"}


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    assert "recursive structure" in messages(tmp_path, "items: &i\n  - *i\n")[0]


def test_huge_integers_are_reported_not_crashed_on(tmp_path: Path) -> None:
    digits = "9" * 5000  # past Python's int() digit limit
    text = f"items:\n  - sku: X\n    levels:\n      A: {{available: {digits}}}\n"
    assert messages(tmp_path, text) == [
        f'{tmp_path / "m.yaml"}:4: items[0].levels["A"].available: a number with 5000 digits '
        "is far too large"
    ]


def test_non_text_keys_are_reported(tmp_path: Path) -> None:
    text = "items:\n  - sku: X\n    ? {a: 1}\n    : 2\n"
    assert messages(tmp_path, text) == [
        f"{tmp_path / 'm.yaml'}:3: items[0]: a key must be text, not a mapping"
    ]


def test_numeric_and_boolean_looking_keys_are_names(tmp_path: Path) -> None:
    text = "items:\n  - sku: X\n    levels:\n      1: {available: 1}\n      true: {available: 2}\n"
    state = load_desired([write(tmp_path, text)])
    assert [level.location for level in state.items[0].levels] == ["1", "true"]


def test_merge_keys_fill_in_and_written_keys_win(tmp_path: Path) -> None:
    text = (
        "x-base: &base {cost: 1.5, tracked: true}\nitems:\n  - sku: X\n    <<: *base\n    cost: 2\n"
    )
    attributes = one_item_from(tmp_path, text)
    assert attributes == {"cost": Decimal("2"), "tracked": True}


def test_tabs_are_reported_with_their_line(tmp_path: Path) -> None:
    assert messages(tmp_path, "items:\n  - sku: X\n\tcost: 1\n") == [
        f"{tmp_path / 'm.yaml'}:3: a tab character: YAML indentation must use spaces, not tabs"
    ]


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffitems:\n  - sku: CAFÉ\n".encode())
    assert load_desired([path]).items[0].sku == "CAFÉ"


def test_manifest_error_carries_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "items:\n  - sku: X\n    cost: -1\n  - sku: X\n")
    with pytest.raises(ManifestError) as caught:
        load_desired([path])
    assert [p.line for p in caught.value.problems] == [3, 4]
    assert str(caught.value).startswith("2 problems in the manifests:\n")


def test_discover_walks_directories_sorted_and_skips_hidden_and_configs(tmp_path: Path) -> None:
    for name in [
        "b.yaml",
        "a/z.yml",
        "a/y.yaml",
        ".hidden/x.yaml",
        "notes.txt",
        "a/.x.yaml",
        "a/reconciler.yaml",
    ]:
        write(tmp_path, "items: []\n", name)
    found = discover([tmp_path])
    assert found.problems == []
    assert found.configs == []
    assert [p.relative_to(tmp_path).as_posix() for p in found.manifests] == [
        "a/y.yaml",
        "a/z.yml",
        "b.yaml",
    ]


def test_discover_reads_a_file_once_and_sets_named_configs_apart(tmp_path: Path) -> None:
    manifest = write(tmp_path, "items: []\n", "m.yaml")
    config = write(tmp_path, "locations: {}\n", "reconciler.yaml")
    found = discover([manifest, tmp_path, manifest, config])
    assert found.manifests == [manifest]
    assert found.configs == [config]


def test_discover_reports_missing_paths_and_empty_directories(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    found = discover([tmp_path / "nope.yaml", tmp_path / "empty"])
    assert [p.message for p in found.problems] == [
        "no such file or directory",
        f"no *.yaml or *.yml files in directory {(tmp_path / 'empty').as_posix()}",
    ]


@pytest.mark.parametrize("opening", ["[", "{a: ", "- "])
def test_absurd_nesting_is_refused_not_crashed_on(opening: str) -> None:
    document, problems = parse((opening * 100_000).encode(), "deep.yaml")
    assert document is None
    assert [str(p) for p in problems] == [
        "deep.yaml:1: collections nest more than 64 levels deep; this is not a manifest"
    ]


CASES = Path(__file__).resolve().parents[1] / "manifests"


@pytest.mark.skipif(load._FastLoader is None, reason="PyYAML was built without libyaml")
@pytest.mark.parametrize(
    "case",
    sorted(CASES.glob("*/*.yaml")) + sorted(CASES.glob("*/*/*.y*ml")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_libyaml_and_pure_python_read_every_example_alike(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = parse(case.read_bytes(), "case.yaml")
    monkeypatch.setattr(load, "_FastLoader", None)
    assert parse(case.read_bytes(), "case.yaml") == fast
