"""Importing Shopify's inventory CSV: a file at the size Shopify's import takes (15 MB, about
150,000 rows) read into manifests, against reading it character by character.

The file is synthetic in the real export's shape (docs/shopify-csv.md): 19 columns, one
product title in 40 quoted (it holds a comma; 42 of real-2026's 1,732 lines have a quoted
field), 5 locations per variant, one row in 10 with an
`On hand (new)`. Measured in this process, no store involved: the reader alone (ours: lines
split or matched field by field; naive: a character-by-character state machine; for scale,
Python's csv module, which keeps no positions), then the whole import (rows checked, manifests declared, YAML written), best of 3.

    python benchmarks/csv_bench.py            # 150,000 rows
    python benchmarks/csv_bench.py --quick    # 5,000 rows
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reconciler.gc_pause import cyclic_gc_paused  # noqa: E402
from reconciler.manifest.config import load_config  # noqa: E402
from reconciler.shopify_csv import format as fmt  # noqa: E402
from reconciler.shopify_csv import run  # noqa: E402

LOCATIONS = ("East Warehouse", "West Warehouse", "Portland Store", "Dock 4", "Annex")


def synthetic_csv(rows: int) -> str:
    values = []
    for n in range(rows):
        item, location = divmod(n, len(LOCATIONS))
        product = item // 3
        new = str(item % 40 + 5) if n % 10 == 0 else None
        values.append((
            f"product-{product}", f"Product {product}" + (", large" if product % 40 == 0 else ""), "Size", "SML"[item % 3], None,
            None, None, None, f"SKU-{item:07d}", "610910", "PT", LOCATIONS[location], None,
            "0", str(item % 2), str(item % 3), str(item % 40), str(item % 40 + item % 2 + item % 3),
            new,
        ))  # fmt: skip
    return fmt.render(values)


def naive(text: str) -> list[list[tuple[str, int, int]]]:
    """The straightforward positional reader: one character at a time, a state machine."""
    records: list[list[tuple[str, int, int]]] = []
    cells: list[tuple[str, int, int]] = []
    value: list[str] = []
    line = column = 1
    start = (1, 1)
    quoted = after_quote = False
    for char in text:
        if quoted:
            if char == '"':
                quoted, after_quote = False, True
            else:
                value.append(char)
        elif char == '"':
            if after_quote:
                value.append('"')
            quoted, after_quote = True, False
        elif char in ",\n":
            cells.append(("".join(value), *start))
            value, after_quote = [], False
            if char == "\n":
                records.append(cells)
                cells = []
                line, column = line + 1, 0
            start = (line, column + 1)
        else:
            value.append(char)
        column += 1
    return records


def stdlib(text: str) -> list[list[str]]:
    """Python's csv module (C): the fastest reader at hand, but it knows no cell positions."""
    return list(csv.reader(io.StringIO(text, newline="")))


def best(fn: Callable[[], object], repeat: int = 3) -> float:
    """CPU seconds, best of `repeat`, the cycle collector paused (as `csv import` runs)."""
    times = []
    for _ in range(repeat):
        with cyclic_gc_paused():
            started = time.process_time()
            fn()
            times.append(time.process_time() - started)
    return min(times)


def measure(rows: int) -> list[str]:
    text = synthetic_csv(rows)
    ours = best(lambda: fmt.parse(text, "f.csv"))
    slow = best(lambda: naive(text))
    fast = best(lambda: stdlib(text))
    parsed = fmt.parse(text, "f.csv")
    assert [[(c.text, c.line, c.column) for c in r.cells] for r in parsed] == naive(text)
    config = load_config(None)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "inventory_export_1.csv"
        source.write_text(text, encoding="utf-8")
        out = Path(tmp) / "inventory"
        job = run.CsvImport(source=source, out=out, layout="location")
        whole = best(lambda: run.import_csv(job, config), repeat=2)
        imported = run.import_csv(job, config)
    size = len(text.encode()) / 1e6
    return [
        f"### Importing Shopify's inventory CSV: {rows:,} rows, {size:.1f} MB",
        "",
        "| step (CPU s, best of 3) | ours | naive | ratio |",
        "|---|---:|---:|---:|",
        f"| read every cell with its line:column (naive: character by character) | {ours:.2f} | "
        f"{slow:.2f} | {slow / ours:.1f}x |",
        f"| for scale: Python's csv module (C, no positions) | {fast:.2f} | - | - |",
        f"| whole import: rows checked, {imported.items:,} items, {imported.levels:,} levels "
        f"written ({len(imported.files)} files) | {whole:.2f} | - | - |",
        "",
        f"Rows per CPU second, whole import: {rows / whole:,.0f}.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print("\n".join(measure(5_000 if args.quick else 150_000)))


if __name__ == "__main__":
    main()
