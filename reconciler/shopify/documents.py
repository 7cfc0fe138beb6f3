"""GraphQL documents, one file each, chosen per API version.

``documents/<name>.graphql`` serves every supported version; ``<name>.since-<version>.graphql``
replaces it from that version on (e.g. ``includeInactive`` and ``@idempotent`` exist only in
newer versions, and sending them to an older one is a validation error on Shopify). Tests
validate every (document, version) pair against the vendored schema of that version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from graphql import DocumentNode, OperationDefinitionNode, parse

DOCUMENT_DIR = Path(__file__).parent / "documents"
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


def variants() -> dict[str, list[tuple[str | None, Path]]]:
    """Every document name with its files, oldest first."""
    out: dict[str, list[tuple[str | None, Path]]] = {}
    for path in sorted(DOCUMENT_DIR.glob("*.graphql")):
        match = _VARIANT.match(path.name)
        if match:
            out.setdefault(match.group("name"), []).append((match.group("since"), path))
    for files in out.values():
        files.sort(key=lambda f: f[0] or "")
    return out


@cache
def document(name: str, api_version: str) -> Document:
    """The variant of document `name` that applies to `api_version`."""
    files = variants().get(name)
    if not files:
        raise KeyError(f"no GraphQL document named {name!r}")
    chosen: tuple[str | None, Path] | None = None
    for since, path in files:
        if since is None or since <= api_version:
            chosen = (since, path)
    if chosen is None:
        raise KeyError(f"document {name!r} has no variant for API version {api_version}")
    text = chosen[1].read_text(encoding="utf-8")
    return Document(name, chosen[0], text, parse(text))
