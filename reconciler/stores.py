"""Several stores in one repository: which store a path belongs to, and where its token is.

    stores/
      eu/reconciler.yaml     store: eu-shop.myshopify.com   (its own history, aliases, rules)
      eu/inventory/*.yaml
      us/reconciler.yaml     store: us-shop.myshopify.com   tokenEnv: US_INVENTORY_TOKEN
      us/inventory/*.yaml

A path belongs to the store of the nearest reconciler.yaml at or above it (never looking past
the repository's root, the directory holding ``.git``). Paths of several stores make a run over
several stores: each is planned (or checked) on its own, with its own config, shop, token and
history, and the run ends with one exit code, the worst of them (error 1 > changes 2 > 0).

Tokens never live in reconciler.yaml (the config refuses one). A store's token is read from the
variable its ``tokenEnv:`` names, else ``SHOPIFY_ACCESS_TOKEN_<NAME>`` (NAME: the store's
directory, upper case, anything else than letters and digits as ``_``), else — only when the run
covers one store — ``SHOPIFY_ACCESS_TOKEN``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from reconciler.errors import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, ConfigError, ReconcilerError
from reconciler.manifest.config import Config, load_config
from reconciler.manifest.load import CONFIG_NAME, YAML_SUFFIXES

STORES_DIRECTORY = "stores"  # where --all-stores looks: stores/<name>/reconciler.yaml
SHARED_TOKEN = "SHOPIFY_ACCESS_TOKEN"

T = TypeVar("T")


@dataclass(frozen=True)
class Store:
    """One store of the repository: its reconciler.yaml, and the paths of this run in it."""

    config: Path
    paths: tuple[Path, ...]

    @property
    def root(self) -> Path:
        return self.config.parent

    @property
    def name(self) -> str:
        return store_name(self.config)


def store_name(config: Path) -> str:
    """A store's name: the directory its reconciler.yaml is in."""
    return config.absolute().parent.name or "store"


def token_variable_for(name: str) -> str:
    """SHOPIFY_ACCESS_TOKEN_<NAME> for the store directory `name` (eu-north → EU_NORTH)."""
    return f"{SHARED_TOKEN}_{re.sub(r'[^A-Za-z0-9]', '_', name).upper()}"


def token_variable(
    config: Config, environ: Mapping[str, str] = os.environ, *, shared: bool = True
) -> str:
    """The environment variable that holds the token for the store `config` describes.

    `shared` False (a run over several stores) never falls back to SHOPIFY_ACCESS_TOKEN: one
    token cannot open two shops, and a shop's token must never be sent to another."""
    if config.token_env:
        return config.token_env
    if config.path is not None:
        own = token_variable_for(store_name(Path(config.path)))
        if own in environ or not shared:
            return own
    return SHARED_TOKEN


def token_help(config: Config, variable: str) -> str:
    """What to set when `variable` is empty, said in the store's own terms."""
    if config.token_env:
        return f"set {variable} (named by tokenEnv in {config.path}; it is never printed)"
    if variable == SHARED_TOKEN:
        return f"set {SHARED_TOKEN} (it is never printed)"
    return (
        f"set {variable} for the store of {config.path} (or name another variable with "
        "tokenEnv there; it is never printed)"
    )


# -- which store a path belongs to -------------------------------------------------------------


def config_above(path: Path) -> Path | None:
    """The nearest reconciler.yaml at or above `path`, up to the repository's root."""
    if path.name == CONFIG_NAME:
        return path if path.is_file() else None
    start = path if path.is_dir() else path.parent
    absolute = Path(os.path.abspath(start))  # `..` resolved as typed (Path.absolute keeps it)
    for directory in (absolute, *absolute.parents):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return _shown(candidate)
        if (directory / ".git").exists():
            return None
    return None


def _shown(path: Path) -> Path:
    """`path` relative to the working directory when it is inside it (as users typed it)."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def group(paths: Iterable[Path]) -> list[Store]:
    """The stores `paths` belong to, in the order first named; [] when none has a config.

    A path belongs to the store of the nearest reconciler.yaml at or above it; a directory with
    none above it (`stores/`) stands for every store below it; a reconciler.yaml named among
    the paths takes the paths that belong to no store. A file that is no manifest (stores/README.md
    named by `stores/*`) is left out when stores are named; any other path that belongs to no
    store, given with paths that do, is refused: it would be planned against no store's
    settings."""
    paths = list(paths)
    by_config: dict[Path, list[Path]] = {}
    shown: dict[Path, Path] = {}
    orphans: list[Path] = []
    for path in paths:
        above = config_above(path)
        if above is not None:
            found = [(above, path)]
        else:  # `stores/`: every store below it, each with its whole directory
            found = [(c, c.parent) for c in configs_below(path)] if path.is_dir() else []
        if not found:
            orphans.append(path)
        for config, inside in found:
            key = config.resolve()
            shown.setdefault(key, config)
            by_config.setdefault(key, []).append(inside)
    named = [path for path in paths if path.name == CONFIG_NAME and path.is_file()]
    if orphans and len(by_config) == 1 and named:  # `validate a.yaml conf/reconciler.yaml`
        by_config[named[0].resolve()].extend(orphans)
        orphans = []
    if by_config:  # `stores/*` also names stores/README.md: no manifest, no store, not a path
        orphans = [path for path in orphans if path.is_dir() or path.suffix in YAML_SUFFIXES]
    if orphans and by_config:
        first = next(iter(shown.values()))
        raise ConfigError(
            f"{orphans[0]} belongs to no store (no reconciler.yaml above it), but "
            f"{by_config[first.resolve()][0]} belongs to {first}; name the store's paths only, "
            "or pass --config"
        )
    return [Store(shown[key], tuple(found)) for key, found in by_config.items()]


def configs_below(directory: Path) -> list[Path]:
    """The reconciler.yaml files under `directory` (not hidden), sorted: `plan stores/` names
    every store in it."""
    found: list[Path] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if CONFIG_NAME in files:
            found.append(Path(root) / CONFIG_NAME)
            dirs[:] = []  # a store's own folders are its manifests, not more stores
    return sorted(found)


def all_stores(root: Path = Path(STORES_DIRECTORY)) -> list[Store]:
    """Every stores/<name>/reconciler.yaml, by name; each store's paths: its directory."""
    configs = sorted(root.glob(f"*/{CONFIG_NAME}")) if root.is_dir() else []
    if not configs:
        raise ConfigError(
            f"--all-stores found no store: it looks for {root}/<name>/{CONFIG_NAME} "
            f"under {Path.cwd()}"
        )
    return [Store(config, (config.parent,)) for config in configs]


@dataclass(frozen=True)
class Selection:
    """A run over one store (`config`, None for ./reconciler.yaml, and its `paths`), or over
    `several`."""

    config: Path | None
    paths: list[Path]
    several: list[Store]


def select(paths: Iterable[Path], config_path: Path | None, every_store: bool) -> Selection:
    """The run's store(s), from --config, --all-stores or the paths given."""
    paths = list(paths)
    if every_store:
        if paths or config_path is not None:
            raise ConfigError(
                "--all-stores plans every stores/<name>/ with its own reconciler.yaml; "
                "give it no paths and no --config"
            )
        found = all_stores()
    elif config_path is not None:
        return Selection(config_path, paths, [])
    else:
        found = group(paths)
    if not found:
        return Selection(None, paths, [])
    if len(found) == 1:
        return Selection(found[0].config, list(found[0].paths), [])
    return Selection(None, [], found)


def check_shared_settings(store: str | None) -> None:
    """A run over several stores takes each shop from its own reconciler.yaml; one --store or
    SHOPIFY_STORE for all of them would send every store's plan to one shop."""
    if store:
        raise ConfigError(
            "--store names one shop, but this run covers several stores: each store's "
            "reconciler.yaml names its shop (store: ...); plan one store to use --store"
        )
    if os.environ.get("SHOPIFY_STORE"):
        raise ConfigError(
            "SHOPIFY_STORE is set, but this run covers several stores, each named by its own "
            "reconciler.yaml (store: ...); unset SHOPIFY_STORE, or plan one store at a time"
        )


def check_ready(store: Store) -> Config:
    """A store of a multi-store run: its config, which must name its shop and its own token."""
    config = load_config(store.config)
    if not config.store:
        raise ConfigError(
            f"{store.config} names no shop: add `store: my-shop.myshopify.com` (a run over "
            "several stores takes each shop from its own reconciler.yaml)"
        )
    variable = token_variable(config, shared=False)
    if not os.environ.get(variable):
        raise ConfigError(f"no access token for store {store.name}: {token_help(config, variable)}")
    return config


# -- one run over several stores ---------------------------------------------------------------


@dataclass
class Outcome(Generic[T]):
    """What one store's part of the run gave: a result, or the error that stopped it."""

    store: Store
    result: T | None
    exit_code: int
    error: str | None = None


def worst(codes: Iterable[int]) -> int:
    """One exit code for the run: an error (1, or any other failure) over changes (2) over 0."""
    found = set(codes)
    errors = sorted(found - {EXIT_OK, EXIT_CHANGES})
    if errors:
        return errors[0]
    return EXIT_CHANGES if EXIT_CHANGES in found else EXIT_OK


def run_each(
    stores: list[Store],
    run: Callable[[Store], tuple[T, int]],
    on_error: Callable[[Store, str], None] | None = None,
) -> list[Outcome[T]]:
    """Run `run` for every store, in order; an error in one store is recorded, the rest go on
    (an interruption or a bug still stops the whole run)."""
    outcomes: list[Outcome[T]] = []
    for store in stores:
        try:
            check_ready(store)
            result, code = run(store)
        except ReconcilerError as exc:
            message = str(exc)
            if on_error is not None:
                on_error(store, message)
            outcomes.append(Outcome(store, None, exc.exit_code or EXIT_ERROR, message))
            continue
        outcomes.append(Outcome(store, result, code))
    return outcomes
