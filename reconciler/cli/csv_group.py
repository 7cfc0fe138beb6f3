"""`reconciler csv`: Shopify's inventory CSV, in and out (csv_import.py, csv_export.py)."""

from __future__ import annotations

from .app import main


@main.group("csv")
def csv_group() -> None:
    """Move between Shopify's inventory CSV (Products > Inventory > Export) and manifests."""
