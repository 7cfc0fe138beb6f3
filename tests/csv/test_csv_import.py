"""`reconciler csv import` offline: Shopify's import semantics as manifests, and every bad CSV
refused with file:line:column, exit 1, nothing written, never a traceback (fuzzed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.cli import main
from reconciler.errors import ReconcilerError
from reconciler.manifest.config import Config, load_config
from reconciler.shopify_csv import format as fmt
from reconciler.shopify_csv import run
from tests.conftest import ROOT

CONFIG = ROOT / "examples" / "reconciler.yaml"
HEADER = ",".join(fmt.HEADER)
GOOD = (
    f"{HEADER}\n"
    "trail-tee,Trail Tee,Color,Red,Size,S,,,TSHIRT-RED-S,610910,PT,East Warehouse,A-1,0,0,0,15,15,12\n"
    "trail-tee,Trail Tee,Color,Red,Size,S,,,TSHIRT-RED-S,610910,PT,West Warehouse,,0,1,0,3,4,\n"
    "trail-tee,Trail Tee,Color,Red,Size,S,,,TSHIRT-RED-S,610910,PT,Portland Store,,not stocked,"
    "not stocked,not stocked,not stocked,not stocked,\n"
    "trail-tee,Trail Tee,Color,Red,Size,M,,,TSHIRT-RED-M,,,Portland Store,,0,0,0,2,2,not stocked\n"
    'mug,"Mug, large",Title,Default Title,,,,,"",,,East Warehouse,,0,0,0,5,5,7\n'
)


def _column(text: str, line: int, after: str) -> int:
    """The column of the cell that follows `after` (a unique piece of the line ending in ",")."""
    row = text.splitlines()[line - 1]
    return row.index(after) + len(after) + 1


def _import(tmp_path: Path, text: str | bytes, *args: str) -> tuple[int, str, str]:
    source = tmp_path / "inventory_export_1.csv"
    source.write_bytes(text.encode() if isinstance(text, str) else text)
    result = CliRunner().invoke(
        main,
        [
            "csv",
            "import",
            str(source),
            "--out",
            str(tmp_path / "out.yaml"),
            "--config",
            str(CONFIG),
            *args,
        ],
    )
    return result.exit_code, result.stdout, result.stderr


def test_shopifys_import_semantics_as_manifests(tmp_path: Path) -> None:
    code, out, err = _import(tmp_path, GOOD)
    assert code == 0, out + err
    assert "Imported 5 rows of" in out and "as 2 items, 3 levels." in out
    assert "Levels: 1 on hand to set, 1 not stocked, 1 unchanged." in out
    assert "Left out: 1 bin names" in err and "Left out: 1 rows without a SKU" in err
    assert (tmp_path / "out.yaml").read_text().split("items:\n", 1)[1] == (
        "  - sku: TSHIRT-RED-M\n"
        "    levels:\n"
        "      pdx: {stocked: false}\n"  # not stocked in On hand (new)
        "  - sku: TSHIRT-RED-S\n"
        "    countryCodeOfOrigin: PT\n"
        '    harmonizedSystemCode: "610910"\n'
        "    levels:\n"
        "      east: {on_hand: 12}\n"  # On hand (new)
        "      west: {stocked: true}\n"  # empty: no change; Portland not stocked: left out
    )


def test_current_declares_available_where_on_hand_new_is_empty(tmp_path: Path) -> None:
    code, out, err = _import(tmp_path, GOOD, "--current", "--location-names")
    assert code == 0, out + err
    text = (tmp_path / "out.yaml").read_text()
    assert "      East Warehouse: {on_hand: 12}\n      West Warehouse: {available: 3}\n" in text


@pytest.mark.parametrize(
    ("old", "new", "line", "at", "says"),
    [
        (",15,15,12", ",15,15,1.5", 2, ",1.5", "On hand (new) is `1.5`: write a whole number"),
        (",15,15,12", ",15,15,-3", 2, ",-3", "On hand (new) is -3"),
        ("East Warehouse,A-1", ",A-1", 2, ",,A-1", "Location is empty"),
        (",610910,PT,West", ",6109.10,PT,West", 3, ",6109.10", "HS Code `6109.10`"),
        (",610910,PT,West", ",610910,Portugal,West", 3, ",Portugal", "COO `Portugal`"),
        (",610910,PT,West", ",610920,PT,West", 3, ",610920", "differs from `610910` on line 2"),
        ("Portland Store,,not", "East Warehouse,,not", 4, ",East", "appears twice"),
        ("Size,M,,,TSHIRT-RED-M", "Size,M,,,TSHIRT-RED-S", 5, ",TSHIRT", "also the SKU of trail-tee"),
        ('"Mug, large"', "Mug, large", 6, ",7", "this row has 20 fields, the header 19"),
        ('"Mug, large"', '"Mug, large', 6, ',"Mug', "never closed"),
        ("Bin name", "Bin", 1, ",Bin", "`Bin` is not a column of Shopify's inventory CSV (did you mean `Bin name`?)"),
        (",On hand (new)", "", 1, None, "the header row lacks `On hand (new)`"),
        ("On hand (new)\n", "On hand (new),\n", 1, None, "a column without a name"),
    ],
)  # fmt: skip
def test_a_bad_csv_says_file_line_column_and_writes_nothing(
    tmp_path: Path, old: str, new: str, line: int, at: str | None, says: str
) -> None:
    text = GOOD.replace(old, new)
    row = text.splitlines()[line - 1]
    column = row.index(at) + 2 if at is not None else len(row) + 1  # the cell after the comma
    code, out, err = _import(tmp_path, text)
    assert code == 1, out + err
    assert f"inventory_export_1.csv:{line}:{column}: " in err and says in err, err
    assert "nothing was written" in err and "Traceback" not in err
    assert not (tmp_path / "out.yaml").exists()


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = GOOD.replace(",15,15,12", ",15,15,x").replace(",610910,PT,West", ",1,PT,West")
    code, _, err = _import(tmp_path, text)
    assert code == 1 and "2 problems in the CSV" in err
    first = f":2:{_column(text, 2, ',15,15,')}: On hand (new) is `x`"
    second = f":3:{_column(text, 3, ',S,,,TSHIRT-RED-S,')}: HS Code `1`"
    assert err.index(first) < err.index(second), err


@pytest.mark.parametrize(
    ("header", "says"),
    [
        ("Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,"
         "Option3 Value,SKU,HS Code,COO,Location,Incoming,Unavailable,Committed,Available,On hand",
         "1:161: this is Shopify's earlier inventory CSV (an editable `On hand` column"),
        ("Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,"
         "Option3 Value,SKU,HS Code,COO,Shop location,Warehouse",
         "1:111: this is Shopify's earlier inventory CSV (one column of available quantities"),
    ],
)  # fmt: skip
def test_earlier_formats_are_recognised(tmp_path: Path, header: str, says: str) -> None:
    code, _, err = _import(tmp_path, header + "\nmug,Mug,Title,Default Title,,,,,MUG,,,3\n")
    assert code == 1 and f"inventory_export_1.csv:{says}" in err, err


def test_an_ownership_rule_refuses_on_hand_where_others_own_available(tmp_path: Path) -> None:
    config = tmp_path / "reconciler.yaml"
    config.write_text(
        CONFIG.read_text()
        + "ownership:\n  - owner: pos\n    locations: [pdx]\n    quantities: [available]\n"
    )
    text = GOOD.replace("Portland Store,,0,0,0,2,2,not stocked", "Portland Store,,0,0,0,2,2,9")
    source = tmp_path / "in.csv"
    source.write_text(text)
    result = CliRunner().invoke(
        main,
        ["csv", "import", str(source), "--out", str(tmp_path / "o.yaml"), "--config", str(config)],
    )
    assert result.exit_code == 1, result.output
    column = _column(text, 5, ",0,0,0,2,2,")
    assert (
        f"in.csv:5:{column}: On hand (new) at Portland Store: it would move `available`, which "
        "belongs to pos (" in result.stderr
    ), result.stderr


def test_an_ownership_rule_giving_on_hand_to_others_refuses_it(tmp_path: Path) -> None:
    config = tmp_path / "reconciler.yaml"
    config.write_text(
        CONFIG.read_text()
        + "ownership:\n  - owner: wms\n    locations: [east]\n    quantities: [on_hand]\n"
    )
    source = tmp_path / "in.csv"
    source.write_text(GOOD)
    result = CliRunner().invoke(
        main,
        ["csv", "import", str(source), "--out", str(tmp_path / "o.yaml"), "--config", str(config)],
    )
    assert result.exit_code == 1, result.output
    column = _column(GOOD, 2, ",15,15,")
    assert (
        f"in.csv:2:{column}: On hand (new) at East Warehouse: it belongs to wms (" in result.stderr
    )


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["csv", "import", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1 and "cannot read the CSV" in result.stderr


# -- fuzz: no input gives a traceback ------------------------------------------------------------

_CONFIG: Config = load_config(CONFIG)


def _mutations() -> st.SearchStrategy[bytes]:
    good = GOOD.encode()
    splice = st.tuples(
        st.integers(0, len(good)), st.integers(0, 12), st.binary(max_size=8) | st.sampled_from(
            [b",", b'"', b"\n", b"\r\n", b"not stocked", b"-1", b"\xff", b"\xef\xbb\xbf", b"1e9", b" "]
        )
    )  # fmt: skip

    def apply(edits: list[tuple[int, int, bytes]]) -> bytes:
        data = good
        for at, cut, insert in edits:
            data = data[:at] + insert + data[at + cut :]
        return data

    return st.lists(splice, min_size=1, max_size=4).map(apply) | st.binary(max_size=300)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_mutations())
def test_any_bytes_import_or_fail_with_located_problems(tmp_path: Path, data: bytes) -> None:
    source = tmp_path / "fuzz.csv"
    source.write_bytes(data)
    out = tmp_path / "fuzz.yaml"
    out.unlink(missing_ok=True)
    try:
        run.import_csv(run.CsvImport(source=source, out=out), _CONFIG)
    except run.CsvError as exc:
        assert exc.problems and all(
            p.file == str(source) and p.line and p.column for p in exc.problems
        )
        assert not out.exists()
    except ReconcilerError:
        assert not out.exists()
    else:
        assert out.exists()


def test_import_never_replaces_manifests_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "inventory"
    out.mkdir()
    (out / "east.yaml").write_text("items: []\n")
    source = tmp_path / "in.csv"
    source.write_text(GOOD)
    args = ["csv", "import", str(source), "--out", str(out), "--config", str(CONFIG)]
    refused = CliRunner().invoke(main, args)
    assert (
        refused.exit_code == 1
        and "east.yaml was not written by `reconciler csv import`" in refused.stderr
    )
    assert (out / "east.yaml").read_text() == "items: []\n"
    (out / "east.yaml").unlink()
    assert CliRunner().invoke(main, args).exit_code == 0
    again = CliRunner().invoke(main, args)  # its own files it replaces (here: leaves unchanged)
    assert again.exit_code == 0 and "Imported 5 rows" in again.stdout


def test_importing_into_a_stores_directory_uses_its_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    store = tmp_path / "stores" / "eu"
    store.mkdir(parents=True)
    (store / "reconciler.yaml").write_text("locations:\n  aliases:\n    ew: East Warehouse\n")
    source = tmp_path / "in.csv"
    source.write_text(GOOD)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["csv", "import", str(source), "--out", str(store / "inventory")]
    )
    assert result.exit_code == 0, result.output
    assert "      ew: {on_hand: 12}\n" in (store / "inventory" / "inventory.yaml").read_text()
