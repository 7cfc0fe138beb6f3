"""The file as bytes: Shopify's exact header, its quoting and line ends, and a reader that
says where each cell is (and where the first syntax error is)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.shopify_csv import format as fmt

# The header of a real export (docs/shopify-csv.md §2, real-2026), byte for byte.
REAL_HEADER = (
    b"Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,"
    b"Option3 Value,SKU,HS Code,COO,Location,Bin name,Incoming (not editable),"
    b"Unavailable (not editable),Committed (not editable),Available (not editable),"
    b"On hand (current),On hand (new)\n"
)

# Rows shaped like the real export's (invented products, the same kinds of field): a title
# with a comma, an empty SKU as "", a missing SKU, an HS code, not stocked, negative stock.
REAL_SHAPED = (
    REAL_HEADER
    + (
        "poems-prayers,Poems & Prayers,Title,Default Title,,,,,book-poems,,,Main Shop,,0,0,0,609,609,\n"
        'tumbler-24-oz,"Tumbler, 24 oz",Title,Default Title,,,,,Tumbler,,,Main Shop,,not stocked,'
        "not stocked,not stocked,not stocked,not stocked,\n"
        'label-sheet,Labels (1 Sheet),Title,Default Title,,,,,"",,,Main Shop,,0,0,0,4,4,\n'
        "stole,Stole,Title,Default Title,,,,,,,,Main Shop,,0,0,0,0,0,\n"
        "pajama-pants,Pajama Pants,Color,Red,Size,S,,,pajama-red-s,,,Main Shop,,0,0,1,9,10,\n"
        'travel-mug,"Travel Mug, 25 OZ",Size,25 oz,,,,,5094057_16440,732393,,Main Shop,,0,0,0,-5,-5,\n'
        "new-era®-beanie,New Era® Beanie,Design,Logo,,,,,logo,,,Main Shop,,0,0,0,1,1,\n"
    ).encode()
)


def _values(record: fmt.Record) -> tuple[str | None, ...]:
    """A parsed record as render takes it: an unquoted empty field is a missing value."""
    return tuple(cell.text if cell.text or cell.quoted else None for cell in record.cells)


def test_the_header_is_shopifys_byte_for_byte() -> None:
    assert fmt.render([]).encode() == REAL_HEADER
    assert len(fmt.HEADER) == 19


def test_a_real_shaped_file_reads_and_writes_back_byte_for_byte() -> None:
    records = fmt.parse(fmt.decode(REAL_SHAPED, "f.csv"), "f.csv")
    assert [r.line for r in records] == list(range(1, 9))
    assert fmt.render(_values(r) for r in records[1:]).encode() == REAL_SHAPED


def test_quoting_is_shopifys() -> None:
    assert fmt.field_text(None) == ""
    assert fmt.field_text("") == '""'
    assert fmt.field_text("Tumbler, 24 oz") == '"Tumbler, 24 oz"'
    assert fmt.field_text('Tiger "Königstiger"') == '"Tiger ""Königstiger"""'
    assert fmt.field_text("AD-04\n-OS") == '"AD-04\n-OS"'
    assert fmt.field_text("plain text: fine; (ok)") == "plain text: fine; (ok)"


def test_cells_know_their_line_and_column() -> None:
    text = 'a,"b\nc",d\r\n\r\n,,"x""y"\n'
    records = fmt.parse(text, "f.csv")
    assert [[(c.text, c.line, c.column) for c in r.cells] for r in records] == [
        [("a", 1, 1), ("b\nc", 1, 3), ("d", 2, 4)],
        [("", 4, 1), ("", 4, 2), ('x"y', 4, 3)],
    ]


def test_a_byte_order_mark_and_crlf_from_a_spreadsheet_are_read() -> None:
    data = "\ufeffA,B\r\n1,2\r\n".encode()
    records = fmt.parse(fmt.decode(data, "f.csv"), "f.csv")
    assert [_values(r) for r in records] == [("A", "B"), ("1", "2")]


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ('a,"never closed\n1,2\n', "f.csv:1:3", "never closed"),
        ('a,b"c\n', "f.csv:1:4", "does not start with one"),
        ('a,"b"c\n', "f.csv:1:6", "after the closing quote"),
        ('ok\nx,"y\nz"w\n', "f.csv:3:3", "after the closing quote"),
    ],
)
def test_syntax_errors_say_file_line_column(text: str, where: str, says: str) -> None:
    with pytest.raises(fmt.CsvSyntaxError) as caught:
        fmt.parse(text, "f.csv")
    assert str(caught.value.problem).startswith(f"{where}: ")
    assert says in str(caught.value.problem)


def test_a_file_that_is_not_utf8_is_refused_at_its_first_bad_byte() -> None:
    with pytest.raises(fmt.CsvSyntaxError) as caught:
        fmt.decode(b"Handle\nmug,Caf" + b"\xe9,x\n", "f.csv")
    assert str(caught.value.problem).startswith("f.csv:2:8: not UTF-8 text (byte 0xE9)")


FIELD = st.one_of(
    st.none(), st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(FIELD, min_size=19, max_size=19), max_size=6))
def test_what_render_writes_parse_reads_back(rows: list[list[str | None]]) -> None:
    records = fmt.parse(fmt.render(rows), "f.csv")
    assert [tuple(c.text for c in r.cells) for r in records[1:]] == [
        tuple(value or "" for value in row) for row in rows
    ]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from('ab,"\r\n\ufeff é'), max_size=40))
def test_any_text_parses_or_fails_with_a_located_problem(text: str) -> None:
    try:
        records = fmt.parse(text, "f.csv")
    except fmt.CsvSyntaxError as exc:
        assert exc.problem.file == "f.csv" and exc.problem.line and exc.problem.column
        assert 1 <= exc.problem.line <= text.count("\n") + text.count("\r") + 1
    else:
        for record in records:
            assert record.cells and all(c.line >= record.line for c in record.cells)


def _careful(text: str) -> list[fmt.Record]:
    """The character-by-character reader alone, on every record (blank lines skipped)."""
    records, i, line = [], 0, 1
    while i < len(text):
        if text[i] in "\r\n":
            i += 2 if text[i : i + 2] == "\r\n" else 1
            line += 1
            continue
        record, i, line = fmt._quoted_record(text, i, line, "f.csv")
        records.append(record)
    return records


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from('ab,"\r\n é'), max_size=40))
def test_the_fast_line_reader_agrees_with_the_careful_one(text: str) -> None:
    try:
        expected: list[fmt.Record] | str = _careful(text)
    except fmt.CsvSyntaxError as exc:
        expected = str(exc.problem)
    try:
        got: list[fmt.Record] | str = fmt.parse(text, "f.csv")
    except fmt.CsvSyntaxError as exc:
        got = str(exc.problem)
    assert got == expected
