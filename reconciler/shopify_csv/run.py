"""`reconciler csv import` and `reconciler csv export`: the stages joined, files written.

import:  bytes → format.parse → sheet.read_rows → to_manifests → export's layout and
         manifest writer → files (every problem found before anything is written)
export:  manifests (manifest loader) or the store (live reader + labels) → to_csv rows →
         format.render → the file (or stdout)
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.commands import connection
from reconciler.errors import ConfigError, Problem, ReconcilerError
from reconciler.export import layout as layouts
from reconciler.export.declare import Skipped
from reconciler.export.manifest_writer import DEFAULT_SCHEMA, ManifestItem
from reconciler.export.run import ExportOptions, FileResult, check_outputs, write
from reconciler.gc_pause import cyclic_gc_paused
from reconciler.live import ReadReport, iter_items, read_live, read_locations
from reconciler.live.ahead import read_settings
from reconciler.manifest import load_desired
from reconciler.manifest.config import Config, find_config, load_config
from reconciler.manifest.ownership import location_names
from reconciler.model import LiveItem
from reconciler.progress import SILENT, Progress
from reconciler.shopify.usage import Usage

from . import format as fmt
from .labels import read_labels
from .sheet import read_rows
from .to_csv import NO_LABELS, StoreView, live_rows, manifest_rows
from .to_manifests import ImportOptions, manifest_items

SHOWN = 50  # problems printed before "... and N more"


class CsvError(ReconcilerError):
    """A CSV that cannot be imported; carries every problem (file:line:column)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        lines = [f"  {p}" for p in problems[:SHOWN]]
        if count > SHOWN:
            lines.append(f"  ... and {count - SHOWN:,} more")
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the CSV; nothing was written:\n"
            + "\n".join(lines)
        )


# -- import ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvImport:
    source: Path
    out: Path
    layout: layouts.Layout = "one"
    current: bool = False
    location_names: bool = False
    schema: str = DEFAULT_SCHEMA


@dataclass
class Imported:
    rows: int
    items: int
    levels: int
    files: list[FileResult]
    skipped: Skipped
    kinds: dict[str, int] = field(default_factory=dict)  # levels by what they declare

    def breakdown(self) -> str:
        """``2 on hand to set, 1 not stocked, 68 unchanged`` (kinds with none left out)."""
        return ", ".join(f"{count:,} {kind}" for kind, count in self.kinds.items() if count)


def import_csv(options: CsvImport, config: Config) -> Imported:
    """Read the CSV, check every row, and write the manifests it declares (see to_manifests)."""
    export_options = ExportOptions(out=options.out, layout=options.layout, schema=options.schema)
    check_outputs(export_options)
    _check_replaceable(options.out)
    name = str(options.source)
    try:
        data = options.source.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read the CSV ({exc.strerror or exc})") from None
    with cyclic_gc_paused():  # millions of small cells, no cycles
        try:
            records = fmt.parse(fmt.decode(data, name), name)
        except fmt.CsvSyntaxError as exc:
            raise CsvError([exc.problem]) from None
        rows, problems = read_rows(records, name)
        imported = manifest_items(
            rows, name, config, ImportOptions(options.current, options.location_names)
        )
    problems.extend(imported.problems)
    if problems:
        raise CsvError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))
    header = [f"From Shopify's inventory CSV {options.source.name} {SIGNATURE}."]
    files = write(
        options.out, layouts.split(imported.items, options.layout), header, export_options
    )
    return Imported(
        rows=imported.rows,
        items=len(imported.items),
        levels=sum(len(item.levels) for item in imported.items),
        files=files,
        skipped=imported.skipped,
        kinds=_kinds(imported.items),
    )


def _kinds(items: list[ManifestItem]) -> dict[str, int]:
    kinds = {"on hand to set": 0, "available declared": 0, "not stocked": 0, "unchanged": 0}
    for item in items:
        for level in item.levels:
            if not level.stocked:
                kinds["not stocked"] += 1
            elif "on_hand" in level.quantities:
                kinds["on hand to set"] += 1
            elif "available" in level.quantities:
                kinds["available declared"] += 1
            else:
                kinds["unchanged"] += 1
    return kinds


SIGNATURE = "(`reconciler csv import`)"  # in the comment of every file csv import writes


def _check_replaceable(out: Path) -> None:
    """Refuse to write where manifests csv import did not write would be replaced or removed
    (an export's, a person's): the CSV declares on hand, not what those files hold."""
    if out.is_dir():
        existing = sorted(out.glob("*.y*ml"))
    else:
        existing = [out] if out.is_file() else []
    for path in existing:
        try:
            head = path.read_text(encoding="utf-8", errors="replace")[:2000]
        except OSError:
            head = ""
        if SIGNATURE not in head:
            raise ConfigError(
                f"--out {out}: {path} was not written by `reconciler csv import`, and importing "
                "would replace or remove it; import into a new directory, then compare with "
                "`reconciler plan`"
            )


# -- export ----------------------------------------------------------------------------------


@dataclass
class Exported:
    text: str
    rows: int
    skipped: Skipped = field(default_factory=Skipped)
    store: str | None = None
    usage: Usage | None = None
    read: ReadReport | None = None


def export_from_manifests(
    paths: list[Path],
    config_path: Path | None,
    *,
    read_store: bool = False,
    store: str | None = None,
    api_version: str | None = None,
    read: str | None = None,
    progress: Progress = SILENT,
) -> Exported:
    """The CSV of what the manifests declare (offline; with `read_store`, each row completed
    from the store for the admin's import: see to_csv)."""
    state = load_desired(paths, config_path)
    skipped = Skipped()
    if not read_store:
        rows = list(manifest_rows(state, skipped))
        return Exported(fmt.render(rows), len(rows), skipped)
    config = load_config(find_config(config_path))
    conn = connection(store, api_version, config, progress)
    usage = Usage()
    report = ReadReport()
    with conn.client(usage) as client:
        live = read_live(
            client, state, read_settings(read, config), progress=progress, report=report
        )
        labels = read_labels(client, sorted(live.items))
    rows = list(manifest_rows(state, skipped, StoreView(live, labels)))
    return Exported(fmt.render(rows), len(rows), skipped, conn.target.name, usage, report)


def export_from_live(
    config: Config,
    *,
    store: str | None = None,
    api_version: str | None = None,
    read: str | None = None,
    skus: tuple[str, ...] = (),
    progress: Progress = SILENT,
) -> Exported:
    """The CSV the admin's export would write of the store (see to_csv)."""
    settings = read_settings(read, config)
    conn = connection(store, api_version, config, progress)
    usage = Usage()
    report = ReadReport()
    with conn.client(usage) as client:
        locations = tuple(
            loc
            for loc in read_locations(client)
            if not config.ownership.ignores_location(
                location_names(loc.name, config.location_aliases)
            )
        )
        items = [
            item
            for item in iter_items(
                client, sku_globs=skus, read=settings, progress=progress, report=report
            )
            if not config.ownership.ignores_sku(item.sku)
        ]
        labels = read_labels(client, (item.id for item in items))
    # Variants of one product together (by handle), each product's in the order they were made.
    ordered = sorted(
        items, key=lambda item: (labels.get(item.id, NO_LABELS).handle or "", _number(item))
    )
    rows = list(live_rows(ordered, locations, labels))
    return Exported(fmt.render(rows), len(rows), store=conn.target.name, usage=usage, read=report)


def only_locations(
    text: str, globs: tuple[str, ...], aliases: dict[str, str] | None = None
) -> tuple[str, int]:
    """The CSV with only the rows at locations matching a glob (by name or alias), and how many
    rows are left; ConfigError when no row's location matches."""
    if not globs:
        return text, text.count("\n") - 1
    records = fmt.parse(text, "the CSV")
    index = fmt.HEADER.index(fmt.LOCATION)
    kept, seen = [], set()
    for record in records[1:]:
        name = record.cells[index].text
        seen.add(name)
        names = location_names(name, aliases or {})
        if any(fnmatch.fnmatchcase(n, g) for n in names for g in globs):
            kept.append(tuple(c.text if c.text or c.quoted else None for c in record.cells))
    if seen and not kept:
        raise ConfigError(
            f"--location {' '.join(globs)} matches no location of the rows; locations: "
            f"{', '.join(sorted(seen))}"
        )
    return fmt.render(kept), len(kept)


def _number(item: LiveItem) -> int:
    tail = item.id.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def write_text(text: str, out: Path) -> None:
    """The CSV as Shopify writes it: UTF-8, no byte-order mark, ``\\n`` line ends."""
    out.write_bytes(text.encode("utf-8"))
