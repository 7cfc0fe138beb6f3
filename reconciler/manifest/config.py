"""reconciler.yaml: the settings every command shares (store, API version, history, aliases,
guard-rails).

Read with the same YAML rules and line-numbered problems as manifests, and checked against
``schemas/config.schema.json``. Found with ``--config FILE``, else ``./reconciler.yaml`` when
present; no config at all is fine (no aliases, nothing preset).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.errors import ConfigError, Problem
from reconciler.secrets import Secret

from . import explain, load, schema
from .address import Pointer
from .ownership import Ownership, config_problems
from .ownership import from_config as ownership_from
from .resolve import Resolved, resolve

DEFAULT_NAME = load.CONFIG_NAME
# Each store keeps its own history next to its reconciler.yaml unless `history:` says otherwise
# (with no config at all, in the working directory: history.DEFAULT_PATH).
DEFAULT_HISTORY = "reconciler-history.jsonl"


@dataclass(frozen=True, slots=True)
class Config:
    path: str | None = None  # the file read, as shown in messages; None when there was none
    store: str | None = None
    token_env: str | None = None  # the variable holding this store's token (reconciler/stores.py)
    api_version: str | None = None
    history: Path | None = None  # resolved against the config file's directory; None: no config
    location_aliases: Mapping[str, str] = field(default_factory=dict)
    deadline: str | None = None  # the run's overall deadline, e.g. "30m" (shopify/deadline.py)
    # read: how plans read the store (reconciler.live); None = the reader's default
    read_mode: str | None = None
    bulk_threshold: int | None = None
    bulk_wait_seconds: float | None = None
    apply_concurrency: int | None = None  # calls in flight during apply (apply/schedule.py)
    guardrails: Mapping[str, Any] = field(default_factory=dict)  # see plan/guardrails.py
    ownership: Ownership = field(default_factory=Ownership)  # who owns which field (ownership.py)


def find_config(explicit: Path | None) -> Path | None:
    """The config file to read: the one named (or the reconciler.yaml in the directory
    named), else ./reconciler.yaml if it exists."""
    if explicit is not None:
        return explicit / DEFAULT_NAME if explicit.is_dir() else explicit
    default = Path(DEFAULT_NAME)
    return default if default.is_file() else None


def read_config(path: Path | None) -> tuple[Config, list[Problem]]:
    """The config at `path` (None: no config) and every problem in it."""
    if path is None:
        return Config(), []
    name = load.display_name(path)
    if not path.exists():
        return Config(name), [Problem("config file not found", name)]
    if not path.is_file():
        return Config(name), [Problem("config path is not a file", name)]
    document, problems = load.read(path)
    if document is None:
        return Config(name), problems
    if document.root is None:
        return Config(name), []
    doc = resolve(document, schema.SchemaView(schema.load(schema.CONFIG)))
    problems = [*doc.problems, *_token_problems(doc)]
    for error in schema.validator(schema.CONFIG).iter_errors(doc.value):
        problems.extend(explain.problems(error, doc))
    problems.extend(_alias_problems(doc))
    problems.extend(
        doc.problem(pointer, message) for pointer, message in config_problems(doc.value)
    )
    problems.sort(key=lambda p: p.line or 0)
    if problems:
        return Config(name), problems
    return _config(name, path, doc), []


def load_config(path: Path | None) -> Config:
    """The config at `path` (see `find_config`), or ConfigError listing every problem."""
    config, problems = read_config(path)
    if problems:
        count = len(problems)
        raise ConfigError(
            f"{count} problem{'s' if count != 1 else ''} in the config file:\n"
            + "\n".join(f"  {p}" for p in problems)
        )
    return config


def _config(name: str, path: Path, doc: Resolved) -> Config:
    value = doc.value
    history = value.get("history")
    return Config(
        path=name,
        store=value.get("store"),
        token_env=value.get("tokenEnv"),
        api_version=value.get("apiVersion"),
        history=path.parent / (history if isinstance(history, str) else DEFAULT_HISTORY),
        location_aliases=dict(_aliases(value)),
        deadline=value.get("deadline"),
        **_read(value),
        apply_concurrency=(value.get("apply") or {}).get("concurrency"),
        guardrails=dict(value.get("guardrails") or {}),
        ownership=ownership_from(value, name, doc.lines),
    )


def _read(value: Any) -> dict[str, Any]:
    read = value.get("read") if isinstance(value, dict) else None
    if not isinstance(read, dict):
        return {}
    return {
        "read_mode": read.get("mode"),
        "bulk_threshold": read.get("bulkThreshold"),
        "bulk_wait_seconds": read.get("bulkWaitSeconds"),
    }


def _aliases(value: Any) -> dict[str, str]:
    locations = value.get("locations") if isinstance(value, dict) else None
    aliases = locations.get("aliases") if isinstance(locations, dict) else None
    if not isinstance(aliases, dict):
        return {}
    return {k: v for k, v in aliases.items() if isinstance(v, str)}


_TOKEN_VALUE = re.compile(r"^shp[a-z]{2}_\S{8,}$")  # shpat_, shpca_, shppa_, shpss_ ...
_FOUND: list[Secret] = []  # held for the run: the registry keeps secrets only while referenced


def _token_problems(doc: Resolved) -> list[Problem]:
    """A value that looks like a Shopify token is refused, never quoted, and from now on
    redacted from everything this run prints."""
    problems: list[Problem] = []

    def walk(value: Any, pointer: Pointer) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, (*pointer, key))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, (*pointer, index))
        elif isinstance(value, str) and _TOKEN_VALUE.match(value.strip()):
            _FOUND.append(Secret(value.strip()))
            doc.flagged.add(pointer)
            problems.append(
                doc.problem(
                    pointer,
                    "this looks like a Shopify access token: never put one in reconciler.yaml "
                    "(it would be committed to git); revoke it, keep the new one in the "
                    "environment and name the variable with tokenEnv",
                )
            )

    walk(doc.value, ())
    return problems


def _alias_problems(doc: Resolved) -> list[Problem]:
    """Aliases must be unambiguous: not equal ignoring case, and not pointing at another alias."""
    aliases = _aliases(doc.value)
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for alias, target in aliases.items():
        pointer = ("locations", "aliases", alias)
        folded = alias.casefold()
        if folded in seen:
            other = seen[folded]
            line = doc.spot(("locations", "aliases", other)).line
            problems.append(
                doc.problem(
                    pointer,
                    f'alias differs from "{other}" (line {line}) only by case; keep one of them',
                )
            )
        else:
            seen[folded] = alias
        if target in aliases and target != alias:
            problems.append(
                doc.problem(
                    pointer,
                    f'"{target}" is itself an alias; aliases do not chain, so point this one '
                    f'at the location name "{aliases[target]}"',
                )
            )
    return problems
