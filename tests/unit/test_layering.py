"""The architecture's rules, checked on the source: who may import whom."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "reconciler"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _modules("sandbox"), ids=lambda p: p.name)
def test_the_sandbox_imports_nothing_else_of_reconciler(path: Path) -> None:
    """The sandbox stands in for Shopify: it must not know the client exists."""
    assert {m for m in _imports(path) if m == "reconciler" or m.startswith("reconciler.")} == set()


@pytest.mark.parametrize("path", _modules("plan") + _modules("manifest"), ids=lambda p: p.name)
def test_planning_and_manifests_never_touch_the_network(path: Path) -> None:
    """Plans are pure: made and rendered from values, never with a client in reach."""
    forbidden = {"requests", "gql", "reconciler.shopify", "reconciler.live", "reconciler.apply"}
    imported = _imports(path)
    assert not {m for m in imported for f in forbidden if m == f or m.startswith(f + ".")}


def test_only_live_apply_and_commands_use_the_client() -> None:
    """The client is reached only by the stages that talk to a store (and the CLI's redaction);
    explain reads Shopify's adjustment groups; export, drift and the CSV export read the store."""
    users = {
        path.relative_to(PACKAGE).parts[0]
        for path in PACKAGE.rglob("*.py")
        if "sandbox" not in path.parts
        and "shopify" not in path.parts
        and any(m.startswith("reconciler.shopify") for m in _imports(path))
    }
    allowed = {"live.py", "live", "commands.py", "cli", "apply", "explain", "export", "drift"}
    allowed.add("shopify_csv")  # labels.py: the variant names a live CSV row carries
    assert users <= allowed, users
