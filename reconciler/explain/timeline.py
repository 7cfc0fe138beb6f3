"""One SKU's story in order: the commits that declared its values, the applies that wrote
them, and the adjustment groups Shopify recorded for those writes."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import ConfigError, ReconcilerError
from reconciler.manifest import check_paths
from reconciler.manifest.config import Config
from reconciler.shopify.usage import Usage

from .applies import ApplyRecord, applies_writing
from .commits import CommitChange, commits_changing, utc
from .groups import read_groups

Event = CommitChange | ApplyRecord


@dataclass(frozen=True)
class Timeline:
    sku: str
    location: str | None  # the location glob asked for (aliases resolved), or None
    paths: tuple[str, ...]
    history_path: str
    commits: tuple[CommitChange, ...]
    applies: tuple[ApplyRecord, ...]
    notes: tuple[str, ...]
    usage: Usage
    suggestions: tuple[str, ...] = ()  # declared SKUs close to an unknown one

    @property
    def empty(self) -> bool:
        return not self.commits and not self.applies

    def events(self) -> list[Event]:
        """Commits and applies by time (UTC); at the same second a commit comes first."""

        def key(event: Event) -> tuple[str, int]:
            if isinstance(event, CommitChange):
                return (event.committed_at, 0)
            return (utc(event.finished_at) if event.finished_at else "", 1)

        return sorted([*self.commits, *self.applies], key=key)


@dataclass(frozen=True)
class Sources:
    """Where the story is read from, and how to reach the store."""

    paths: tuple[Path, ...]
    config_path: Path | None
    config: Config
    history_path: Path
    store: str | None = None
    api_version: str | None = None
    offline: bool = False


def explain(sku: str, sources: Sources, location: str | None = None) -> Timeline:
    """Read git, the history file and (unless offline) the store; never writes anything."""
    if not sku.strip():
        raise ConfigError("give a SKU to explain (for example: reconciler explain TSHIRT-RED-M)")
    for path in sources.paths:
        if not path.exists():
            raise ConfigError(f"{path}: no such file or directory")
    aliases = sources.config.location_aliases
    where = aliases.get(location, location) if location else None
    log = commits_changing(sku, list(sources.paths), sources.config_path, aliases, where)
    applies = applies_writing(sku, sources.history_path, where)
    notes = [log.note] if log.note else []
    usage = Usage()
    if not sources.offline:
        applies = _with_groups(applies, sources, usage, narrowed=where is not None)
    elif any(a.group_ids for a in applies):
        notes.append("offline: Shopify's adjustment groups were not read")
    suggestions: tuple[str, ...] = ()
    if not log.commits and not applies:
        suggestions = _close_skus(sku, sources)
    return Timeline(
        sku,
        where,
        tuple(p.as_posix() for p in sources.paths),
        sources.history_path.as_posix(),
        log.commits,
        tuple(applies),
        tuple(notes),
        usage,
        suggestions,
    )


def _with_groups(
    applies: list[ApplyRecord], sources: Sources, usage: Usage, *, narrowed: bool
) -> list[ApplyRecord]:
    """The applies with Shopify's groups for their writes, read from the configured store."""
    if not any(a.group_ids for a in applies):
        return applies
    from reconciler.commands import connection

    try:
        conn = connection(sources.store, sources.api_version, sources.config)
    except ConfigError as exc:
        raise ConfigError(
            f"{exc}; or pass --offline to leave Shopify's adjustment groups out"
        ) from None
    mine = [a for a in applies if a.store == conn.target.name and a.group_ids]
    group_ids = [g for a in mine for g in a.group_ids]
    items = sorted({w["item_id"] for a in mine for w in a.writes if w.get("item_id")})
    locations = sorted({w["location_id"] for a in mine for w in a.writes}) if narrowed else None
    with conn.client(usage) as client:
        groups = read_groups(client, group_ids, items, locations) if group_ids else {}
    out = []
    for apply in applies:
        if not apply.group_ids:
            out.append(apply)
        elif apply.store != conn.target.name:
            note = f"applied to {apply.store}; adjustment groups are read from {conn.target.name}"
            out.append(apply.with_groups(None, note))
        else:
            out.append(apply.with_groups({g: groups.get(g) for g in apply.group_ids}))
    return out


def _close_skus(sku: str, sources: Sources) -> tuple[str, ...]:
    """Declared SKUs that look like a mistyped one (from today's manifests, when they read)."""
    try:
        state = check_paths(list(sources.paths), sources.config_path).state
    except ReconcilerError:
        return ()
    if state is None:
        return ()
    declared = sorted({item.sku for item in state.items})
    return tuple(difflib.get_close_matches(sku, declared, n=3))
