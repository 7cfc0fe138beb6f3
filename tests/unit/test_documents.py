"""Every GraphQL document the client sends is valid for every supported API version."""

from __future__ import annotations

import pytest
from graphql import validate

from reconciler.sandbox.schema import schema_for
from reconciler.shopify.documents import document, variants
from reconciler.shopify.target import SUPPORTED_VERSIONS

CASES = [(name, version) for name in sorted(variants()) for version in SUPPORTED_VERSIONS]


@pytest.mark.parametrize(("name", "version"), CASES)
def test_document_is_valid_for_version(name: str, version: str) -> None:
    doc = document(name, version)
    assert [e.message for e in validate(schema_for(version), doc.node)] == []


@pytest.mark.parametrize(
    ("name", "newer", "older"),
    [
        ("items_by_sku", "2026-04", "2026-01"),
        ("set_quantities", "2026-01", "2025-01"),
        ("move_quantities", "2026-01", "2025-01"),
        ("activate", "2026-01", "2025-01"),
        ("bulk_poll", "2026-01", "2025-01"),
        ("bulk_recent", "2026-01", "2025-01"),
        ("bulk_live_items", "2026-04", "2026-01"),
    ],
)
def test_version_variants_are_needed(name: str, newer: str, older: str) -> None:
    """The newer variant really would fail on the older version (else it is not needed)."""
    newer_doc = document(name, newer)
    assert newer_doc.text != document(name, older).text
    assert validate(schema_for(older), newer_doc.node) != []
