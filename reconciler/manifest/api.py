"""The manifest stage's entry points: paths (+ config) → every problem, or a `DesiredState`.

    check_paths(paths, config_path)    -> Check (problems, state when valid, counts)
    validate_paths(paths, config_path) -> list[Problem]            (reconciler validate)
    load_desired(paths, config_path)   -> DesiredState, or ManifestError(problems)  (the planner)

All three read the same way and never contact a store. ``config_path`` None means
``./reconciler.yaml`` if it exists, else a reconciler.yaml among `paths` if exactly one is
named, else no config. A file called reconciler.yaml is never read as a manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import ManifestError, Problem
from reconciler.model import DesiredState

from . import desired, load, schema, validate
from .config import Config, find_config, read_config
from .resolve import Resolved, resolve


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of reading and checking manifests."""

    problems: list[Problem]
    files: tuple[str, ...]  # every manifest file read, in order
    config: Config
    state: DesiredState | None  # None when there are problems

    @property
    def valid(self) -> bool:
        return not self.problems


def check_paths(paths: list[Path], config_path: Path | None = None) -> Check:
    """Read the config and every manifest under `paths`; collect all problems in one pass."""
    config_file = find_config(config_path)
    found = load.discover(paths)
    if config_file is None and len(found.configs) == 1:
        config_file = found.configs[0]  # `validate manifests/*.yaml reconciler.yaml` uses it
    config, problems = read_config(config_file)
    for other in found.configs:  # any other reconciler.yaml named is checked as a config
        if config_file is None or other.resolve() != config_file.resolve():
            problems.extend(read_config(other)[1])
    if not paths:
        problems.append(Problem("no manifest files or directories given"))
    problems.extend(found.problems)
    in_use = config_file.resolve() if config_file is not None else None
    files = [path for path in found.manifests if path.resolve() != in_use]

    view = schema.SchemaView(schema.load(schema.MANIFEST))
    docs: list[Resolved] = []
    per_file: dict[str, list[Problem]] = {}
    for path in files:
        document, read_problems = load.read(path)
        name = load.display_name(path)
        bucket = per_file.setdefault(name, list(read_problems))
        if document is None:
            continue
        if document.root is None:
            bucket.append(
                Problem(
                    "the file is empty; a manifest needs an `items:` list "
                    "(write `items: []` for none yet)",
                    name,
                    1,
                )
            )
            continue
        doc = resolve(document, view)
        docs.append(doc)
        bucket.extend(validate.check_manifest(doc, config.location_aliases))
    for name, clashes in validate.check_identities(docs).items():
        per_file[name].extend(clashes)
    for name in per_file:
        problems.extend(sorted(per_file[name], key=lambda p: p.line or 0))

    names = tuple(load.display_name(path) for path in files)
    if problems:
        return Check(problems, names, config, None)
    return Check([], names, config, desired.build(docs, config.location_aliases))


def validate_paths(paths: list[Path], config_path: Path | None = None) -> list[Problem]:
    """Every problem in the config and the manifests under `paths` (empty: all valid)."""
    return check_paths(paths, config_path).problems


def load_desired(paths: list[Path], config_path: Path | None = None) -> DesiredState:
    """The desired state the manifests declare, or ManifestError carrying every problem."""
    result = check_paths(paths, config_path)
    if result.state is None:
        raise ManifestError(result.problems)
    return result.state
