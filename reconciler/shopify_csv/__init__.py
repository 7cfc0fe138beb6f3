"""Shopify's inventory CSV, both ways: the admin's export → manifests, manifests or the store →
a file the admin imports (docs/shopify-csv.md: the format, with evidence, and the semantics).

    format.py        the header row; the writer (as Shopify writes: quoting, line ends); a
                     reader that knows each cell's line and column
    sheet.py         records → typed rows (header, field counts, quantity cells), with problems
    to_manifests.py  rows → manifest entries, as Shopify's import reads them (`csv import`)
    to_csv.py        manifests or live items → rows (`csv export`)
    labels.py        the variant names a live row carries (handle, title, options), by id
    run.py           the commands' stages joined; files written

Named `shopify_csv` so that nothing here shadows the standard library's `csv`.
"""
