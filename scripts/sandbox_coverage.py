"""Write SANDBOX_COVERAGE.md: which of Shopify's inventory operations the sandbox serves.

For each API version the sandbox carries, the Query and Mutation root fields of Shopify's
schema that fall under the rule below are listed, checked when the sandbox serves them
(registry: ``reconciler.sandbox.schema.served_queries()`` / ``served_mutations()``, the same
registry that binds resolvers to the schema). A test compares the committed file with this
script's output, so the file cannot go stale.

Rule: a root field is inventory-related when its name starts with ``inventory``,
``location``, ``bulkOperation``, ``currentBulkOperation`` or ``productVariant``. Served root
fields outside the rule (``node``, ``shop``, ...) are listed separately.

Fidelity: per operation, how many recorded Shopify responses the sandbox reproduces exactly
(tests/conformance/fidelity.json, written by scripts/conformance_report.py from the replay of
tests/conformance/records/; `make coverage` runs both).

Usage: python scripts/sandbox_coverage.py [--check] [OUTPUT]   (default: SANDBOX_COVERAGE.md)
``--check`` writes nothing and exits 1 when OUTPUT differs from what would be written.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

from graphql import (
    FieldDefinitionNode,
    ObjectTypeDefinitionNode,
    SchemaDefinitionNode,
    parse,
)

from reconciler.sandbox.schema import SCHEMA_DIR, served_mutations, served_queries
from reconciler.sandbox.versions import VERSIONS

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "SANDBOX_COVERAGE.md"
FIDELITY = ROOT / "tests" / "conformance" / "fidelity.json"
PREFIXES = ("inventory", "location", "bulkOperation", "currentBulkOperation", "productVariant")


def in_scope(name: str) -> bool:
    return name.startswith(PREFIXES)


def fidelity() -> dict[str, dict[str, dict[str, int]]]:
    """{version: {operation: {"records": n, "matches": m}}} from the conformance replay."""
    if not FIDELITY.exists():
        return {}
    data: dict[str, dict[str, dict[str, int]]] = json.loads(FIDELITY.read_text(encoding="utf-8"))
    return data


def _line(name: str, field: FieldDefinitionNode, served: bool) -> str:
    mark = "x" if served else " "
    deprecated = any(d.name.value == "deprecated" for d in field.directives or ())
    return f"- [{mark}] `{name}`{' (deprecated)' if deprecated else ''}"


def _fidelity(counts: dict[str, int] | None) -> str:
    if not counts:
        return ""
    return f" — matches {counts['matches']} of {counts['records']} recorded Shopify responses"


@cache
def root_fields(version: str) -> dict[str, dict[str, FieldDefinitionNode]]:
    """{"query": {name: field}, "mutation": {...}} from the version's schema file, sorted.

    The SDL is only parsed (the sandbox builds its schema from the same file): faster than
    building four schemas, so the staleness test stays quick.
    """
    document = parse((SCHEMA_DIR / f"admin_{version}.graphql").read_text(encoding="utf-8"))
    roots = {"query": "Query", "mutation": "Mutation"}
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode):
            for operation in definition.operation_types:
                roots[operation.operation.value] = operation.type.name.value
    types = {
        d.name.value: d for d in document.definitions if isinstance(d, ObjectTypeDefinitionNode)
    }
    out: dict[str, dict[str, FieldDefinitionNode]] = {}
    for kind in ("query", "mutation"):
        root = types.get(roots[kind])
        fields = {f.name.value: f for f in root.fields or ()} if root is not None else {}
        out[kind] = dict(sorted(fields.items()))
    return out


def render() -> str:
    queries, mutations = set(served_queries()), set(served_mutations())
    recorded = fidelity()
    summary: list[str] = []
    sections: list[str] = []
    for version in VERSIONS:
        roots = root_fields(version)
        counts: list[str] = []
        body: list[str] = [f"## {version}", ""]
        outside: list[str] = []
        matched = recorded.get(version, {})
        for title, kind, served in (
            ("Queries", "query", queries),
            ("Mutations", "mutation", mutations),
        ):
            fields = roots[kind]
            scoped = {n: f for n, f in fields.items() if in_scope(n)}
            done = sum(1 for n in scoped if n in served)
            counts.append(f"{done} / {len(scoped)}")
            body += [f"### {title} ({done} of {len(scoped)} served)", ""]
            body += [
                _line(n, f, n in served) + _fidelity(matched.get(n)) for n, f in scoped.items()
            ]
            body.append("")
            outside += [
                _line(n, f, True) + f" ({kind})" + _fidelity(matched.get(n))
                for n, f in fields.items()
                if n in served and not in_scope(n)
            ]
        if outside:
            body += ["### Also served (outside the rule)", "", *outside, ""]
        total = sum(c["records"] for c in matched.values())
        exact = sum(c["matches"] for c in matched.values())
        summary.append(
            f"| {version} | {counts[0]} | {counts[1]} | {f'{exact} / {total}' if total else '—'} |"
        )
        sections += body
    head = [
        "# Sandbox coverage",
        "",
        "<!-- Generated by scripts/sandbox_coverage.py (`make coverage`); do not edit. -->",
        "",
        "Which of Shopify's inventory-related Admin GraphQL root fields the sandbox serves, per",
        "API version. Fields come from Shopify's schema for that version",
        "(`reconciler/sandbox/schemas/`); a field is checked when the sandbox's resolver registry",
        "(`served_queries()` / `served_mutations()` in `reconciler/sandbox/schema.py`) serves it.",
        "An unchecked field still validates like Shopify but answers a",
        "`NOT_IMPLEMENTED_IN_SANDBOX` error.",
        "",
        "Fidelity: recorded Shopify responses (real captures, replayed by `make test`) the",
        "sandbox reproduces exactly, per version and operation; a response with several root",
        "fields counts for each. Details and every mismatch: [docs/conformance.md](docs/conformance.md).",
        "",
        "Rule: a root field is inventory-related when its name starts with "
        + ", ".join(f"`{p}`" for p in PREFIXES[:-1])
        + f" or `{PREFIXES[-1]}`.",
        "",
        "| Version | Queries served | Mutations served | Fidelity (recorded responses matched) |",
        "|---|---|---|---|",
        *summary,
        "",
    ]
    return "\n".join(head + sections).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [a for a in argv if a != "--check"]
    output = Path(paths[0]) if paths else DEFAULT_OUTPUT
    text = render()
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            print(f"{output} is stale: run python scripts/sandbox_coverage.py", file=sys.stderr)
            return 1
        return 0
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
