"""GraphQL documents, one file each, chosen per API version.

``documents/<name>.graphql`` serves every supported version; ``<name>.since-<version>.graphql``
replaces it from that version on (e.g. ``includeInactive`` and ``@idempotent`` exist only in
newer versions, and sending them to an older one is a validation error on Shopify). A fragment a
document spreads but does not define (``...LiveItem``) comes from ``fragments/live_item.graphql``,
chosen per version the same way, so one selection serves several documents. Tests validate every
(document, version) pair against the vendored schema of that version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from graphql import DocumentNode, OperationDefinitionNode, parse

DOCUMENT_DIR = Path(__file__).parent / "documents"
FRAGMENT_DIR = DOCUMENT_DIR / "fragments"
_VARIANT = re.compile(r"^(?P<name>[a-z_]+)(?:\.since-(?P<since>\d{4}-\d{2}))?\.graphql$")


@dataclass(frozen=True)
class Document:
    name: str
    since: str | None  # None: the base file
    text: str
    node: DocumentNode

    @property
    def operation(self) -> str:
        for definition in self.node.definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                return definition.name.value
        return self.name


def variants(directory: Path = DOCUMENT_DIR) -> dict[str, list[tuple[str | None, Path]]]:
    """Every document (or fragment) name with its files, oldest first."""
    out: dict[str, list[tuple[str | None, Path]]] = {}
    for path in sorted(directory.glob("*.graphql")):
        match = _VARIANT.match(path.name)
        if match:
            out.setdefault(match.group("name"), []).append((match.group("since"), path))
    for files in out.values():
        files.sort(key=lambda f: f[0] or "")
    return out


def _choose(
    files: list[tuple[str | None, Path]], api_version: str
) -> tuple[str | None, Path] | None:
    chosen = None
    for since, path in files:
        if since is None or since <= api_version:
            chosen = (since, path)
    return chosen


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _with_fragments(text: str, api_version: str) -> str:
    """Append the fragments `text` spreads without defining them (recursively)."""
    fragments = variants(FRAGMENT_DIR)
    while True:
        defined = set(re.findall(r"\bfragment\s+(\w+)\s+on\b", text))
        missing = sorted(set(re.findall(r"\.\.\.\s*(\w+)", text)) - defined - {"on"})
        if not missing:
            return text
        for name in missing:
            chosen = _choose(fragments.get(_snake(name), []), api_version)
            if chosen is None:
                raise KeyError(f"no fragment file for {name} (fragments/{_snake(name)}.graphql)")
            text += "\n" + chosen[1].read_text(encoding="utf-8")


@cache
def document(name: str, api_version: str) -> Document:
    """The variant of document `name` that applies to `api_version`, with its fragments."""
    files = variants().get(name)
    if not files:
        raise KeyError(f"no GraphQL document named {name!r}")
    chosen = _choose(files, api_version)
    if chosen is None:
        raise KeyError(f"document {name!r} has no variant for API version {api_version}")
    text = _with_fragments(chosen[1].read_text(encoding="utf-8"), api_version)
    return Document(name, chosen[0], text, parse(text))
