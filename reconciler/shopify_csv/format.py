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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    line: int  # where the field starts (1-based)
    column: int  # 1-based, in characters
    quoted: bool = False  # written in quotes (`""` is an empty text, nothing a missing value)


@dataclass(frozen=True, slots=True)
class Record:
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


def parse(text: str, file: str) -> list[Record]:
    """Every non-blank record with where each cell starts; CsvSyntaxError at the first error."""
    records: list[Record] = []
    cells: list[Cell] = []
    line = column = 1
    i, n = 0, len(text)
    record_line = 1

    def problem(message: str, at_line: int, at_column: int) -> CsvSyntaxError:
        return CsvSyntaxError(Problem(message, file, at_line, column=at_column))

    while i < n or cells:
        start_line, start_column = line, column
        if i < n and text[i] == '"':
            # A quoted field: up to the closing quote; "" is a quote; line ends are kept.
            i += 1
            column += 1
            value: list[str] = []
            while True:
                if i >= n:
                    raise problem(
                        'this quoted field is never closed: a `"` is missing (a quote inside '
                        'a field is written `""`)',
                        start_line,
                        start_column,
                    )
                char = text[i]
                if char == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        value.append('"')
                        i += 2
                        column += 2
                        continue
                    i += 1
                    column += 1
                    break
                value.append(char)
                i += 1
                if char == "\n" or (char == "\r" and not (i < n and text[i] == "\n")):
                    line += 1
                    column = 1
                else:
                    column += 1
            if i < n and text[i] not in ",\r\n":
                raise problem(
                    f"`{text[i]}` after the closing quote of a field: only a comma or the end "
                    'of the line may follow (a quote inside a field is written `""`)',
                    line,
                    column,
                )
            cell = Cell("".join(value), start_line, start_column, quoted=True)
        else:
            j = i
            while j < n and text[j] not in ',\r\n"':
                j += 1
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
        # End of the record: at a line end or the end of the text.
        end_column = column
        if i < n:
            i += 2 if text[i] == "\r" and i + 1 < n and text[i + 1] == "\n" else 1
        blank = len(cells) == 1 and cells[0].text == "" and cells[0].column == end_column
        if not blank:
            records.append(Record(record_line, tuple(cells), end_column))
        cells = []
        line += 1
        column = 1
        record_line = line
        if i >= n:
            break
    return records
