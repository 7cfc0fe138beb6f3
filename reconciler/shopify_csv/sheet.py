"""Records → typed rows of Shopify's inventory CSV, each value with the cell it came from.

What a row must be to be read (every problem is reported, at file:line:column, before anything
is written): the header names the current export's columns (any order; docs/shopify-csv.md);
every row has as many fields as the header; a quantity cell holds a whole number, ``not
stocked`` (any case) or nothing; the Location of a row with a SKU is not empty. Files in
Shopify's earlier inventory formats are recognised and refused with what to do instead.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from reconciler.errors import Problem

from . import format as fmt
from .format import NOT_STOCKED, Cell, Record


class NotStocked:
    """The value of a quantity cell that says ``not stocked``."""

    def __repr__(self) -> str:
        return "NOT_STOCKED"


NOT_STOCKED_VALUE = NotStocked()
Quantity = int | NotStocked | None  # None: the cell is empty

# The earlier exports' headers (docs/shopify-csv.md): per-location quantity columns, then one
# row per location with an editable `On hand`.
_EARLIER_ROW_FORMAT = ("Incoming", "Unavailable", "Committed", "Available", "On hand")


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    cells: dict[str, Cell]  # by column name
    quantities: dict[str, Quantity] = field(default_factory=dict)  # by quantity column

    def text(self, column: str) -> str:
        return self.cells[column].text

    def cell(self, column: str) -> Cell:
        return self.cells[column]

    @property
    def options(self) -> tuple[tuple[str, str], ...]:
        return tuple((self.text(n), self.text(v)) for n, v in fmt.OPTIONS if self.text(n))

    @property
    def variant(self) -> str:
        """The variant as the admin names it: `handle` (`Color: Red, Size: M`)."""
        options = ", ".join(f"{name}: {value}" for name, value in self.options)
        return f"{self.text(fmt.HANDLE) or '(no handle)'}" + (f" ({options})" if options else "")


def read_rows(records: list[Record], file: str) -> tuple[list[Row], list[Problem]]:
    """The data rows and every problem found in them (rows with problems are left out)."""
    if not records:
        return [], [Problem("the file is empty: Shopify's inventory CSV starts with its header "
                            f"row ({', '.join(fmt.HEADER[:3])}, ...)", file, 1, column=1)]  # fmt: skip
    columns, problems = _header(records[0], file)
    if problems:
        return [], problems
    rows: list[Row] = []
    for record in records[1:]:
        row, found = _row(record, columns, file)
        problems.extend(found)
        if row is not None and not found:
            rows.append(row)
    return rows, problems


def _header(record: Record, file: str) -> tuple[dict[str, int], list[Problem]]:
    names = [cell.text for cell in record.cells]
    if fmt.ON_HAND_NEW not in names and all(n in names for n in _EARLIER_ROW_FORMAT):
        return {}, [
            Problem(
                "this is Shopify's earlier inventory CSV (an editable `On hand` column, before "
                "`On hand (current)` and `On hand (new)`); export the inventory again from the "
                "admin (Products > Inventory > Export) and edit `On hand (new)`",
                file,
                record.line,
                column=record.cells[names.index("On hand")].column,
            )
        ]
    wide = fmt.LOCATION not in names and fmt.ON_HAND_NEW not in names and fmt.COO in names
    if wide and names.index(fmt.COO) < len(names) - 1:
        return {}, [
            Problem(
                "this is Shopify's earlier inventory CSV (one column of available quantities "
                "per location); export the inventory again from the admin (Products > "
                "Inventory > Export) to get one row per location with `On hand (new)`",
                file,
                record.line,
                column=record.cells[names.index(fmt.COO) + 1].column,
            )
        ]
    problems = []
    columns: dict[str, int] = {}
    for index, cell in enumerate(record.cells):
        if cell.text in columns:
            problems.append(
                Problem(f"the column `{cell.text}` appears twice", file, cell.line, column=cell.column)
            )  # fmt: skip
        elif not cell.text.strip():
            problems.append(
                Problem(
                    "a column without a name (a comma too many in the header row, or a column "
                    "a spreadsheet added?)",
                    file,
                    cell.line,
                    column=cell.column,
                )
            )
        elif cell.text not in fmt.HEADER:
            close = difflib.get_close_matches(cell.text, fmt.HEADER, n=1, cutoff=0.5)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            problems.append(
                Problem(
                    f"`{cell.text}` is not a column of Shopify's inventory CSV{hint}; its "
                    f"columns are {', '.join(fmt.HEADER)}",
                    file,
                    cell.line,
                    column=cell.column,
                )
            )
        else:
            columns[cell.text] = index
    missing = [name for name in fmt.HEADER if name not in columns]
    if missing and not problems:
        problems.append(
            Problem(
                f"the header row lacks {', '.join(f'`{m}`' for m in missing)}: Shopify's "
                f"inventory CSV has the columns {', '.join(fmt.HEADER)}",
                file,
                record.line,
                column=record.end_column,
            )
        )
    return columns, problems


def _row(record: Record, columns: dict[str, int], file: str) -> tuple[Row | None, list[Problem]]:
    if len(record.cells) != len(columns):
        many = len(record.cells) > len(columns)
        at = record.cells[len(columns)] if many else None  # the first field too many
        return None, [
            Problem(
                f"this row has {len(record.cells)} fields, the header {len(columns)} (a comma "
                "too many or too few, or a value with a comma that is not in quotes?)",
                file,
                at.line if at else record.line,
                column=at.column if at else record.end_column,
            )
        ]
    cells = {name: record.cells[index] for name, index in columns.items()}
    row = Row(record.line, cells)
    problems = []
    for name in fmt.QUANTITY_COLUMNS:
        value, problem = quantity(cells[name], name, file)
        row.quantities[name] = value
        if problem is not None:
            problems.append(problem)
    if row.text(fmt.SKU).strip() and not row.text(fmt.LOCATION).strip():
        cell = row.cell(fmt.LOCATION)
        problems.append(
            Problem(
                "Location is empty: each row is one variant at one location, named as in the "
                "admin (Settings > Locations)",
                file,
                cell.line,
                column=cell.column,
            )
        )
    return row, problems


def quantity(cell: Cell, column: str, file: str) -> tuple[Quantity, Problem | None]:
    text = cell.text.strip()
    if not text:
        return None, None
    if text.lower() == NOT_STOCKED:
        return NOT_STOCKED_VALUE, None
    digits = text[1:] if text[:1] in "+-" else text
    if digits.isascii() and digits.isdigit():
        return int(text), None
    return None, Problem(
        f"{column} is `{cell.text}`: write a whole number, `{NOT_STOCKED}`, or nothing",
        file,
        cell.line,
        column=cell.column,
    )
