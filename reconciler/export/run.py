"""`reconciler export`: read the store through the live reader, write manifests and/or a snapshot.

    locations + iter_items (bulk or paged)  →  filters (SKU globs, locations, item fields,
    ignore rules)  →  declare (ownership)  →  layout  →  manifest_writer  →  files

Files are compared before they are written, so an unchanged store leaves them untouched (and
byte-identical); a file an earlier export wrote (it carries the marker line) that this export
no longer produces is removed, so a location or prefix that disappeared does not linger. Paths
are checked before the store is read.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from reconciler.commands import connection
from reconciler.errors import ConfigError
from reconciler.live import ReadReport, iter_items, read_locations
from reconciler.live.ahead import read_settings
from reconciler.manifest import load
from reconciler.manifest.config import Config
from reconciler.manifest.ownership import location_names
from reconciler.model import LiveItem, LiveLocation
from reconciler.outputs import check_writable_file
from reconciler.plan.build import attribute_json
from reconciler.progress import SILENT, Progress
from reconciler.shopify.usage import Usage

from . import layout as layouts
from . import snapshot as snapshots
from .declare import Declaring, Skipped, declare
from .manifest_writer import DEFAULT_SCHEMA, MARKER, ManifestItem, render

# Item fields --where may test, as their JSON text: true/false, null, "8.40", PT, ...
WHERE_FIELDS: tuple[str, ...] = (
    "tracked",
    "cost",
    "countryCodeOfOrigin",
    "provinceCodeOfOrigin",
    "harmonizedSystemCode",
    "requiresShipping",
)


@dataclass(frozen=True)
class ExportOptions:
    out: Path | None = None  # a directory (or, with the `one` layout, a .yaml file)
    snapshot: Path | None = None
    layout: layouts.Layout = "one"
    skus: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    where: tuple[tuple[str, str], ...] = ()  # (field, glob on its text)
    location_names: bool = False  # write location names even where an alias exists
    schema: str = DEFAULT_SCHEMA
    read: str | None = None


@dataclass(frozen=True)
class FileResult:
    path: Path
    status: Literal["written", "unchanged", "removed"]
    items: int = 0


@dataclass
class Exported:
    store: str
    api_version: str
    items: int = 0  # entries written (items declared)
    levels: int = 0
    files: list[FileResult] = field(default_factory=list)
    skipped: Skipped = field(default_factory=Skipped)
    usage: Usage = field(default_factory=Usage)
    read: ReadReport = field(default_factory=ReadReport)
    snapshot: Path | None = None


def parse_where(values: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """``--where countryCodeOfOrigin=PT`` → (("countryCodeOfOrigin", "PT"),), checked."""
    out = []
    for value in values:
        name, equals, glob = value.partition("=")
        if not equals or name not in WHERE_FIELDS:
            raise ConfigError(
                f"--where {value!r}: write FIELD=VALUE (a glob), FIELD one of "
                f"{', '.join(WHERE_FIELDS)}"
            )
        out.append((name, glob))
    return tuple(out)


def _field_text(item: LiveItem, name: str) -> str:
    value = attribute_json(name, item.attribute(name))
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _matches(item: LiveItem, where: tuple[tuple[str, str], ...]) -> bool:
    """Every field named matches one of its globs: globs on one field are alternatives
    (``--where countryCodeOfOrigin=PT --where countryCodeOfOrigin=ES``), fields add up."""
    fields: dict[str, list[str]] = {}
    for name, glob in where:
        fields.setdefault(name, []).append(glob)
    return all(
        any(fnmatch.fnmatchcase(_field_text(item, name), g) for g in globs)
        for name, globs in fields.items()
    )


def _location_ids(
    globs: tuple[str, ...], locations: tuple[LiveLocation, ...], config: Config
) -> frozenset[str] | None:
    if not globs:
        return None
    chosen = frozenset(
        loc.id
        for loc in locations
        if any(
            fnmatch.fnmatchcase(n, g)
            for n in location_names(loc.name, config.location_aliases)
            for g in globs
        )
    )
    if not chosen:
        known = ", ".join(sorted(loc.name for loc in locations))
        raise ConfigError(f"--location {' '.join(globs)} matches no location; locations: {known}")
    return chosen


def check_outputs(options: ExportOptions) -> None:
    """Refuse paths export cannot write, before the store is read."""
    if options.out is None and options.snapshot is None:
        raise ConfigError("nothing to export: give --out DIR (manifests) and/or --snapshot FILE")
    if options.snapshot is not None:
        check_writable_file(options.snapshot, "--snapshot")
    out = options.out
    if out is None:
        return
    if out.suffix in (".yaml", ".yml"):
        if options.layout != "one":
            raise ConfigError(f"--out {out}: --layout {options.layout} writes a directory")
        check_writable_file(out, "--out")
        _check_ours([out])
    elif out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: not a directory")
    elif not out.exists():
        check_writable_file(out, "--out")  # its parent must exist and be writable


def export(
    options: ExportOptions,
    *,
    config: Config,
    store: str | None = None,
    api_version: str | None = None,
    progress: Progress = SILENT,
) -> Exported:
    """Read the store and write what `options` asks for (see the module docstring)."""
    check_outputs(options)
    settings = read_settings(options.read, config)
    conn = connection(store, api_version, config, progress)
    result = Exported(conn.target.name, conn.target.api_version)
    with conn.client(result.usage) as client:
        locations = read_locations(client)
        chosen = _location_ids(options.locations, locations, config)
        read = iter_items(
            client,
            sku_globs=options.skus,
            location_ids=chosen,
            read=settings,
            progress=progress,
            report=result.read,
        )
        items = [
            item
            for item in read
            if _matches(item, options.where) and not config.ownership.ignores_sku(item.sku)
        ]
    if options.out is not None:
        how = Declaring(
            {loc.id: loc for loc in locations},
            config.location_aliases,
            config.ownership,
            use_aliases=not options.location_names,
        )
        entries = list(_entries(items, how, result.skipped))
        result.items = len(entries)
        result.levels = sum(len(e.levels) for e in entries)
        header = _header(result, options)
        result.files = write(options.out, layouts.split(entries, options.layout), header, options)
    if options.snapshot is not None:  # after the manifests, whose refusals come first
        options.snapshot.write_text(
            snapshots.dumps(snapshots.snapshot(locations, items)), encoding="utf-8"
        )
        result.snapshot = options.snapshot
    return result


def _entries(items: list[LiveItem], how: Declaring, skipped: Skipped) -> Iterator[ManifestItem]:
    """Entries sorted by SKU, then item id; an item pinned when others share its SKU."""
    counts: dict[str | None, int] = {}
    for item in items:
        counts[item.sku] = counts.get(item.sku, 0) + 1
    declared = []
    for item in items:
        pin = item.duplicate_sku_count > 0 or counts[item.sku] > 1
        entry = declare(item, how, skipped, pin)
        if entry is not None:
            declared.append((entry.sku, _number(item.id), entry))
    declared.sort(key=lambda row: (row[0], row[1]))
    for _sku, _id, entry in declared:
        yield entry


def _number(gid: str) -> int:
    tail = gid.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _header(result: Exported, options: ExportOptions) -> list[str]:
    lines = [f"Store {result.store}, API {result.api_version}."]
    chosen = [f"SKU {' '.join(options.skus)}"] if options.skus else []
    chosen += [f"location {' '.join(options.locations)}"] if options.locations else []
    chosen += [f"{n}={g}" for n, g in options.where]
    if chosen:
        lines.append(f"Only items with {', '.join(chosen)}.")
    return lines


def write(
    out: Path,
    files: dict[str, list[ManifestItem]],
    header: list[str],
    options: ExportOptions,
) -> list[FileResult]:
    """Write each file whose text changed; remove files an earlier export wrote that this one
    does not (they carry the marker line)."""
    single = out.suffix in (".yaml", ".yml")
    if single:
        targets = {out: files.get(layouts.ONE_FILE, [])}
    else:
        out.mkdir(exist_ok=True)
        targets = {out / name: entries for name, entries in sorted(files.items())}
    _check_ours(list(targets))
    texts = {p: render(e, schema=options.schema, comment=header) for p, e in targets.items()}
    _check_sizes(texts, options.layout)
    results = []
    for path, entries in targets.items():
        text = texts[path]
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        if old != text:
            path.write_text(text, encoding="utf-8")
        results.append(FileResult(path, "unchanged" if old == text else "written", len(entries)))
    if not single:
        for stale in sorted(out.glob("*.y*ml")):
            if stale not in targets and _written_by_export(stale):
                stale.unlink()
                results.append(FileResult(stale, "removed"))
    return results


def _check_sizes(texts: dict[Path, str], layout: str) -> None:
    """Refuse, before any file is written, a file the manifest loader would refuse as too big
    (a whole big store in one file)."""
    limit = load.MAX_FILE_BYTES
    for path, text in texts.items():
        size = len(text.encode("utf-8"))
        if size > limit:
            other = "sku-prefix" if layout == "location" else "location"
            raise ConfigError(
                f"--out: {path} would be {size:,} bytes, over the {limit:,} bytes a manifest "
                f"file may have; nothing was written. Use --layout {other}, or narrow the "
                "export with --sku or --location"
            )


def _check_ours(paths: list[Path]) -> None:
    """Refuse to replace a file export did not write (hand-written manifests), before any
    file is written."""
    foreign = [p for p in paths if p.exists() and not _written_by_export(p)]
    if foreign:
        names = ", ".join(str(p) for p in foreign)
        raise ConfigError(
            f"--out: {names} exists and was not written by `reconciler export` (no "
            f"{MARKER!r} line); nothing was written. Move it away, or export somewhere else"
        )


def _written_by_export(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as text:
            head = [text.readline().rstrip("\n") for _ in range(2)]
    except (OSError, UnicodeDecodeError):
        return False
    return head[1] == MARKER
