"""The manifest stage's entry points: paths (+ config) → every problem, or a `DesiredState`.

    check_paths(paths, config_path)    -> Check (problems, state when valid, counts)
    validate_paths(paths, config_path) -> list[Problem]            (reconciler validate)
    load_desired(paths, config_path)   -> DesiredState, or ManifestError(problems)  (the planner)

All three read the same way and never contact a store. ``config_path`` None means
``./reconciler.yaml`` if it exists, else a reconciler.yaml among `paths` if exactly one is
named, else no config. A file called reconciler.yaml is never read as a manifest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import ManifestError, Problem
from reconciler.gc_pause import cyclic_gc_paused
from reconciler.model import DesiredState

from . import desired, load, ownership, schema, stream, validate
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
    """Read the config and every manifest under `paths`; collect all problems in one pass.

    Files are read one at a time and only what outlives a file is kept (its desired items, a
    few fields per item for the SKU checks across files), so memory follows the desired
    state, not the YAML. Once any problem is found no desired state is built.
    """
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
    identities = validate.Identities(config.location_aliases)
    builder = desired.Builder(config.location_aliases)
    valid = not problems
    with cyclic_gc_paused():
        for path in files:
            doc, file_problems = _check_file(path, view, config.location_aliases)
            if doc is not None:
                file_problems.extend(identities.check(doc))
                file_problems.extend(
                    ownership.manifest_problems(doc, config.ownership, config.location_aliases)
                )
                valid = valid and not file_problems
                if valid:
                    builder.add(doc)
            valid = valid and not file_problems
            problems.extend(sorted(file_problems, key=lambda p: p.line or 0))

    names = tuple(load.display_name(path) for path in files)
    if problems:
        return Check(problems, names, config, None)
    return Check([], names, config, builder.state())


def _check_file(
    path: Path, view: schema.SchemaView, aliases: Mapping[str, str]
) -> tuple[Resolved | None, list[Problem]]:
    """One manifest, typed, with every problem found in it alone.

    The common shape is read in one pass and confirmed by the compiled schema; what it refuses
    is reported by jsonschema, item by item, in explain.py's words. A file of any other shape,
    or whose messages must quote more of it than the single pass kept, is read through the
    node tree.
    """
    data, problems = load.read_bytes(path)
    if data is None:
        return None, problems
    name = load.display_name(path)
    digest = hashlib.sha256(data).hexdigest()
    text, problems = load.decode(data, name)
    if text is None:
        return None, problems
    doc = stream.read(text, name, digest, view)
    if doc is not None:
        accepts = schema.accepts(schema.MANIFEST)
        if accepts is not None and accepts(doc.value):
            return doc, validate.value_checks(doc, aliases)
        found = validate.check_manifest(doc, aliases)
        if found is not None:
            return doc, found
    document, problems = load.compose(text, name, digest)
    if document is None:
        return None, problems
    if document.root is None:
        empty = (
            "the file is empty; a manifest needs an `items:` list (write `items: []` for none yet)"
        )
        return None, [Problem(empty, name, 1)]
    doc = resolve(document, view)
    found = validate.check_manifest(doc, aliases)
    assert found is not None  # a node-tree document knows how every place was written
    return doc, found


def validate_paths(paths: list[Path], config_path: Path | None = None) -> list[Problem]:
    """Every problem in the config and the manifests under `paths` (empty: all valid)."""
    return check_paths(paths, config_path).problems


def load_desired(paths: list[Path], config_path: Path | None = None) -> DesiredState:
    """The desired state the manifests declare, or ManifestError carrying every problem."""
    result = check_paths(paths, config_path)
    if result.state is None:
        raise ManifestError(result.problems)
    return result.state
