"""benchmarks/csv_bench.py at a tiny size, so it cannot rot (`make bench` runs it in full)."""

from __future__ import annotations

from benchmarks import csv_bench
from reconciler.shopify_csv import format as fmt


def test_the_synthetic_file_is_in_shopifys_shape() -> None:
    text = csv_bench.synthetic_csv(10)
    assert text.startswith(",".join(fmt.HEADER) + "\n")
    records = fmt.parse(text, "f.csv")
    assert len(records) == 11 and all(len(r.cells) == 19 for r in records)
    assert records[1].cells[1].quoted  # product 0's title holds a comma


def test_the_naive_reader_agrees_and_the_table_is_printed() -> None:
    text = csv_bench.synthetic_csv(200)
    assert [[(c.text, c.line, c.column) for c in r.cells] for r in fmt.parse(text, "f")] == (
        csv_bench.naive(text)
    )
    lines = csv_bench.measure(200)
    assert lines[0] == "### Importing Shopify's inventory CSV: 200 rows, 0.0 MB"
    assert lines[4].startswith("| read every cell with its line:column") and "x |" in lines[4]
    assert "40 items, 200 levels written" in lines[6]
