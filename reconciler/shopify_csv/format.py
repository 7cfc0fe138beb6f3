"""Shopify's inventory CSV as bytes: the header row, the writer, and a reader that knows where
every cell is (docs/shopify-csv.md holds the evidence).

The admin's export (Products > Inventory > Export) writes the way Ruby's CSV library does, and so
does `render`:

* UTF-8 without a byte-order mark, ``\\n`` after every line, the last one included;
* the header row plain (no field of it needs quotes);
* a field quoted only when it holds a ``"`` (doubled), a comma, ``\\r`` or ``\\n``; an empty
  text as ``""`` and a missing value (an item without a SKU, a column with nothing to say) as
  nothing at all: ``...,"",...`` and ``...,,...`` both appear in real exports.

`parse` reads what spreadsheets save as well: a byte-order mark, ``\\r\\n`` or lone ``\\r`` line
ends, blank lines (skipped). It stops at the first syntax error (what follows an unclosed quote
cannot be read), reported as file:line:column like every other problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from reconciler.errors import Problem

HANDLE = "Handle"
TITLE = "Title"
OPTIONS: tuple[tuple[str, str], ...] = tuple(
    (f"Option{n} Name", f"Option{n} Value") for n in (1, 2, 3)
)
SKU = "SKU"
HS_CODE = "HS Code"
COO = "COO"
LOCATION = "Location"
BIN_NAME = "Bin name"
INCOMING = "Incoming (not editable)"
UNAVAILABLE = "Unavailable (not editable)"
COMMITTED = "Committed (not editable)"
AVAILABLE = "Available (not editable)"
ON_HAND_CURRENT = "On hand (current)"
ON_HAND_NEW = "On hand (new)"

# The current export's header, in its order (19 columns; docs/shopify-csv.md).
HEADER: tuple[str, ...] = (
    HANDLE,
    TITLE,
    *(name for pair in OPTIONS for name in pair),
    SKU,
    HS_CODE,
    COO,
    LOCATION,
    BIN_NAME,
    INCOMING,
    UNAVAILABLE,
    COMMITTED,
    AVAILABLE,
    ON_HAND_CURRENT,
    ON_HAND_NEW,
)
# The quantity columns, which hold a whole number, `not stocked`, or nothing.
QUANTITY_COLUMNS: tuple[str, ...] = (
    INCOMING,
    UNAVAILABLE,
    COMMITTED,
    AVAILABLE,
    ON_HAND_CURRENT,
    ON_HAND_NEW,
)
NOT_STOCKED = "not stocked"

_NEEDS_QUOTES = frozenset('",\r\n')


# -- writing ---------------------------------------------------------------------------------


def field_text(value: str | None) -> str:
    """One field as Shopify writes it: None as nothing, "" as ``""``, quoted when it must be."""
    if value is None:
        return ""
    if value == "":
        return '""'
    if any(char in _NEEDS_QUOTES for char in value):
        return '"' + value.replace('"', '""') + '"'
    return value


def render(rows: Iterable[Sequence[str | None]]) -> str:
    """The file: the header row, then `rows` (each in HEADER order)."""
    lines = [",".join(HEADER)]
    lines.extend(",".join(field_text(value) for value in row) for row in rows)
    return "\n".join(lines) + "\n"


# -- reading ---------------------------------------------------------------------------------


class Cell(NamedTuple):
    """One field and where it starts (a named tuple: a big file has millions)."""

    text: str
    line: int  # where the field starts (1-based)
    column: int  # 1-based, in characters
    quoted: bool = False  # written in quotes (`""` is an empty text, nothing a missing value)


class Record(NamedTuple):
    line: int
    cells: tuple[Cell, ...]
    end_column: int  # the column just past the record's last character


class CsvSyntaxError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def decode(data: bytes, file: str) -> str:
    """The file's text; a file that is not UTF-8 is refused where its first bad byte is."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        start = before.rfind(b"\n") + 1
        column = len(before[start:].decode("utf-8", "replace")) + 1
        raise CsvSyntaxError(
            Problem(
                f"not UTF-8 text (byte 0x{data[exc.start]:02X}): Shopify's inventory CSV is "
                "UTF-8; in a spreadsheet save it as `CSV UTF-8`",
                file,
                line,
                column=column,
            )
        ) from None
    return text.removeprefix("\ufeff")


_LINE_END = re.compile(r"\r\n|\r|\n")
_SPECIAL = re.compile(r'[,\r\n"]')


def parse(text: str, file: str) -> list[Record]:
    """Every non-blank record with where each cell starts; CsvSyntaxError at the first error.

    A line without quotes (most of a real file: 97% of real-2026's lines) is split at its
    commas; a record with quotes is read field by field (`_quoted_record`), its fields may span
    lines.
    """
    records: list[Record] = []
    i, n, line = 0, len(text), 1
    while i < n:
        found = _LINE_END.search(text, i)
        end, after = (found.start(), found.end()) if found else (n, n)
        segment = text[i:end]
        if '"' not in segment:
            if segment:
                cells, column = [], 1
                for part in segment.split(","):
                    cells.append(Cell(part, line, column))
                    column += len(part) + 1
                records.append(Record(line, tuple(cells), column - 1))
            i, line = after, line + 1
            continue
        record, i, next_line = _quoted_record(text, i, line, file)
        records.append(record)
        line = next_line
    return records


def _quoted_record(text: str, i: int, line: int, file: str) -> tuple[Record, int, int]:
    """The record starting at `i` (on `line`), the index after it, and the next record's line."""
    n = len(text)
    column = 1
    record_line = line
    cells: list[Cell] = []

    def problem(message: str, at_line: int, at_column: int) -> CsvSyntaxError:
        return CsvSyntaxError(Problem(message, file, at_line, column=at_column))

    while True:
        start_line, start_column = line, column
        if i < n and text[i] == '"':
            # A quoted field: up to the closing quote; "" is a quote; line ends are kept.
            i += 1
            column += 1
            value: list[str] = []
            while True:
                k = text.find('"', i)
                if k < 0:
                    raise problem(
                        'this quoted field is never closed: a `"` is missing (a quote inside '
                        'a field is written `""`)',
                        start_line,
                        start_column,
                    )
                chunk = text[i:k]
                value.append(chunk)
                breaks = len(_LINE_END.findall(chunk))
                if breaks:
                    line += breaks
                    column = len(chunk) - max(chunk.rfind("\n"), chunk.rfind("\r"))
                else:
                    column += len(chunk)
                if k + 1 < n and text[k + 1] == '"':
                    value.append('"')
                    i = k + 2
                    column += 2
                    continue
                i = k + 1
                column += 1
                break
            if i < n and text[i] not in ",\r\n":
                raise problem(
                    f"`{text[i]}` after the closing quote of a field: only a comma or the end "
                    'of the line may follow (a quote inside a field is written `""`)',
                    line,
                    column,
                )
            cell = Cell("".join(value), start_line, start_column, quoted=True)
        else:
            special = _SPECIAL.search(text, i)
            j = special.start() if special else n
            if j < n and text[j] == '"':
                raise problem(
                    '`"` inside a field that does not start with one: quote the whole field '
                    'and write the quote as `""`',
                    line,
                    column + (j - i),
                )
            cell = Cell(text[i:j], start_line, start_column)
            column += j - i
            i = j
        cells.append(cell)
        if i < n and text[i] == ",":
            i += 1
            column += 1
            continue
        end_column = column  # at a line end or the end of the text
        if i < n:
            i += 2 if text[i] == "\r" and i + 1 < n and text[i + 1] == "\n" else 1
        return Record(record_line, tuple(cells), end_column), i, line + 1
