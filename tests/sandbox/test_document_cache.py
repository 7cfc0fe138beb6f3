"""The document cache: parse and validate once per (version, query text), bounded.

Pure logic over Shopify's real schema (no server needed): what is cached is exactly what was
computed the first time, errors included; least recently used entries go first; long texts
are never kept.
"""

from __future__ import annotations

from reconciler.sandbox.document_cache import DocumentCache, prepare
from reconciler.sandbox.schema import schema_for
from reconciler.sandbox.versions import VERSIONS

NEWEST = VERSIONS[-1]
SHOP = "{ shop { name } }"


def test_a_second_request_of_the_same_text_is_a_hit() -> None:
    cache = DocumentCache()
    schema = schema_for(NEWEST)
    first = cache.prepare(NEWEST, schema, SHOP)
    again = cache.prepare(NEWEST, schema, SHOP)
    assert again is first and first.document is not None and first.errors == []
    assert (cache.hits, cache.misses) == (1, 1)


def test_versions_are_kept_apart() -> None:
    cache = DocumentCache()
    oldest, newest = VERSIONS[0], VERSIONS[-1]
    query = (
        '{ inventoryLevel(id: "gid://shopify/InventoryLevel/1?inventory_item_id=1") { isActive } }'
    )
    old = cache.prepare(oldest, schema_for(oldest), query)
    new = cache.prepare(newest, schema_for(newest), query)
    assert old is not new and len(cache) == 2
    assert old.errors == prepare(schema_for(oldest), query).errors  # isActive: 2026-04+
    assert old.errors and not new.errors


def test_errors_are_cached_as_computed() -> None:
    cache = DocumentCache()
    schema = schema_for(NEWEST)
    for text in ("{ shop { nope } }", "{ shop { name }"):
        first = cache.prepare(NEWEST, schema, text)
        assert first.document is None and first.errors == prepare(schema, text).errors
        assert cache.prepare(NEWEST, schema, text) is first


def test_least_recently_used_entries_go_first() -> None:
    cache = DocumentCache(max_entries=2)
    schema = schema_for(NEWEST)
    texts = [f"{{ a{i}: shop {{ name }} }}" for i in range(3)]
    cache.prepare(NEWEST, schema, texts[0])
    cache.prepare(NEWEST, schema, texts[1])
    cache.prepare(NEWEST, schema, texts[0])  # used again: texts[1] is now the oldest
    cache.prepare(NEWEST, schema, texts[2])
    assert len(cache) == 2
    misses = cache.misses
    cache.prepare(NEWEST, schema, texts[0])
    assert cache.misses == misses
    cache.prepare(NEWEST, schema, texts[1])
    assert cache.misses == misses + 1


def test_long_texts_are_answered_but_not_kept() -> None:
    cache = DocumentCache(max_query_chars=20)
    schema = schema_for(NEWEST)
    long_text = "{ shop { name myshopifyDomain } }"
    prepared = cache.prepare(NEWEST, schema, long_text)
    assert prepared.document is not None and len(cache) == 0
    assert cache.prepare(NEWEST, schema, long_text) is not prepared
