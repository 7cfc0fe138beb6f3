"""Which file each exported entry goes to: one file, one per location, or one per SKU prefix.

* ``one``: every item in one file (``inventory.yaml``, or the file ``--out`` names).
* ``location``: ``items.yaml`` holds each item's attributes, and one file per location holds
  the items stocked there with that level alone (an item split across entries by location,
  which validate accepts: every entry but one declares only levels).
* ``sku-prefix``: one file per SKU prefix, the SKU up to its first ``-`` (``TSHIRT-RED-M`` →
  ``tshirt.yaml``), whole items.

File names are the location or prefix in lower case, runs of anything but letters and digits as
one ``-``; two locations that give the same name share its file. Entries keep the order given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Literal

from .manifest_writer import ManifestItem

Layout = Literal["one", "location", "sku-prefix"]
LAYOUTS: tuple[str, ...] = ("one", "location", "sku-prefix")
ONE_FILE = "inventory.yaml"
ATTRIBUTES_FILE = "items.yaml"


def _file_name(text: str) -> str:
    """A portable file name for a location or a prefix: ``Portland Store`` → ``portland-store``."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return f"{slug or '_'}.yaml"


def sku_prefix(sku: str) -> str:
    return sku.split("-", 1)[0] or sku


def split(items: Iterable[ManifestItem], layout: Layout) -> dict[str, list[ManifestItem]]:
    """File name → the entries it holds, in the order given."""
    files: dict[str, list[ManifestItem]] = {}
    names: dict[str, str] = {}  # a location key or prefix → its file name (a million levels)

    def file_name(text: str) -> str:
        name = names.get(text)
        if name is None:
            name = names[text] = _file_name(text)
        return name

    if layout == "one":
        files[ONE_FILE] = list(items)
    elif layout == "sku-prefix":
        for item in items:
            files.setdefault(file_name(sku_prefix(item.sku)), []).append(item)
    else:
        for item in items:
            if item.attributes or not item.levels:
                files.setdefault(ATTRIBUTES_FILE, []).append(replace(item, levels=()))
            for level in item.levels:
                entry = ManifestItem(item.sku, item.id, {}, (level,), item.reason)
                files.setdefault(file_name(level.key), []).append(entry)
    return files
