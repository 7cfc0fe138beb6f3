"""A bulk result file, streamed line by line and joined back into items.

**Download.** The result URL is another host (Google Cloud Storage, signed), so it is fetched
with a fresh HTTP session that carries no Shopify header: the access token never leaves for
it. Only ``https`` URLs are followed, except a plain ``http`` URL on the store's own host when
the store is a loopback sandbox; redirects are refused; the URL itself (its signature is a
credential) is never printed. The body is read in chunks and split into lines as it comes:
the file is never held whole.

**Join.** Each item is a line; each of its levels and HS codes is a later line with
``"__parentId"`` (after its parent, not necessarily directly after). Items the `Selection`
does not want are dropped as they come, and so are their children: a child line's parent id
is found without parsing the line, and a line whose parent was not kept is skipped unparsed.
Kept items are complete only at the end of the file (a child may come any time after its
parent), so they are built then.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import requests

from reconciler import __version__
from reconciler.errors import StoreError
from reconciler.gc_pause import cyclic_gc_paused
from reconciler.model import LiveItem
from reconciler.secrets import known
from reconciler.shopify.target import StoreTarget

from . import records
from .bulk import BulkUnavailable
from .selection import Selection

CHUNK = 1 << 20
_PARENT_KEY = '"__parentId":"'
# The C scanner json.loads ends in, without the wrapping around it (a few µs a line).
_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
EXPIRED_STATUSES = (400, 401, 403, 404, 410)  # a signed URL past its time, or gone


def check_result_url(url: str, target: StoreTarget) -> None:
    """Refuse to fetch results from anything but https (or the loopback sandbox itself)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    store = urlsplit(target.base_url)
    if parts.scheme == "http" and store.scheme == "http" and parts.hostname == store.hostname:
        return  # the sandbox serves its own result files; http stores are loopback only
    raise StoreError(
        f"refusing to download bulk results over {parts.scheme or 'no scheme'}://"
        f"{parts.hostname or ''}: only https is allowed (plain http only for a loopback sandbox)"
    )


def _where(url: str) -> str:
    """The result URL without its query string (the signature)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def result_lines(url: str, target: StoreTarget, *, timeout: float = 120.0) -> Iterator[str]:
    """The non-empty lines of a bulk result file, as they arrive (decoded as UTF-8)."""
    check_result_url(url, target)
    # The signed URL's query is a credential: scrubbed from any output or log while we read.
    with known(urlsplit(url).query), requests.Session() as session:  # fresh: no token, cookies
        try:
            response = session.get(
                url,
                stream=True,
                timeout=(15.0, timeout),
                allow_redirects=False,
                headers={"User-Agent": f"reconciler/{__version__}"},
            )
        except requests.RequestException as exc:
            raise BulkUnavailable(
                f"could not download the bulk results ({type(exc).__name__})", rerun=True
            ) from None
        with response:
            status = response.status_code
            if status in EXPIRED_STATUSES:
                raise BulkUnavailable(
                    f"the bulk result URL answered HTTP {status} (expired): {_where(url)}",
                    rerun=True,
                )
            if status != 200:
                raise BulkUnavailable(
                    f"the bulk result URL answered HTTP {status}: {_where(url)}", rerun=True
                )
            try:
                yield from split_lines(response.iter_content(CHUNK))
            except (requests.RequestException, UnicodeDecodeError) as exc:
                raise BulkUnavailable(
                    f"the bulk result download broke off ({type(exc).__name__})", rerun=True
                ) from None


def split_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """The non-empty lines of UTF-8 text arriving in chunks (a character may straddle two)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    pending = ""
    for chunk in chunks:
        lines = (pending + decoder.decode(chunk)).split("\n")
        pending = lines.pop()
        yield from (line for line in lines if line)
    pending += decoder.decode(b"", final=True)
    if pending.strip():
        yield pending


def _parent(line: str) -> str | None:
    """The ``__parentId`` of a child line, read without parsing it (None: a root line).

    Inside a JSON string every quote is escaped, so ``"__parentId":"`` can only be the key.
    """
    start = line.rfind(_PARENT_KEY)
    if start < 0:
        return None
    start += len(_PARENT_KEY)
    return line[start : line.index('"', start)].replace("\\/", "/")


def _parse(line: str) -> dict[str, Any]:
    try:
        node, end = _scan(line, 0)
    except (StopIteration, ValueError):
        node, end = None, 0
    if not isinstance(node, dict) or line[end:].strip():
        raise BulkUnavailable(
            f"the bulk result file has a malformed line: {line[:80]!r}", rerun=True
        )
    return node


def join(
    lines: Iterable[str],
    selection: Selection,
    on_line: Callable[[int, int], None] | None = None,
) -> dict[str, LiveItem]:
    """The wanted items of a bulk result, by id. `on_line(lines, kept)` every 10,000 lines.

    Each wanted item is built from its own line at once (its raw JSON is not kept); its HS
    codes and levels go into its dicts as their lines come.
    """
    with cyclic_gc_paused():
        kept = _join(lines, selection, on_line)
    if selection.location_ids is None:
        return kept
    return {item_id: item for item_id, item in kept.items() if item.levels}


def _join(
    lines: Iterable[str], selection: Selection, on_line: Callable[[int, int], None] | None
) -> dict[str, LiveItem]:
    wants = selection.item_filter()
    kept: dict[str, LiveItem] = {}
    count = 0
    for line in lines:
        count += 1
        if on_line is not None and count % 10_000 == 0:
            on_line(count, len(kept))
        parent_id = _parent(line)
        if parent_id is None:
            node = _parse(line)
            if wants(node["id"], node.get("sku")):
                kept[node["id"]] = records.item(node, {}, {})
            continue
        item = kept.get(parent_id)
        if item is None:
            continue  # a child of an item not wanted: dropped unparsed
        node = _parse(line)
        if "quantities" in node:
            level = records.level(node)
            if selection.wants_level(level.location_id):
                item.levels[level.location_id] = level  # type: ignore[index]
        else:
            code = records.hs_code(node)
            if code is not None:
                item.country_harmonized_system_codes[code[0]] = code[1]  # type: ignore[index]
    if on_line is not None:
        on_line(count, len(kept))
    return kept
