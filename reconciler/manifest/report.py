"""What `reconciler validate` prints: one line per problem, or a one-line summary; or JSON."""

from __future__ import annotations

from typing import Any

from .api import Check


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def counts(check: Check) -> dict[str, int]:
    items = check.state.items if check.state is not None else ()
    return {
        "files": len(check.files),
        "items": len({(item.sku, item.id) for item in items}),  # a split item counts once
        "levels": sum(len(item.levels) for item in items),
    }


def summary(check: Check) -> str:
    """'valid: 2 files, 30 items, 72 levels', or '3 problems in 2 files'."""
    if check.valid:
        n = counts(check)
        return (
            f"valid: {_count(n['files'], 'file')}, {_count(n['items'], 'item')}, "
            f"{_count(n['levels'], 'level')}"
        )
    files = {p.file for p in check.problems if p.file}
    where = f" in {_count(len(files), 'file')}" if files else ""
    return f"{_count(len(check.problems), 'problem')}{where}"


def lines(check: Check) -> list[str]:
    """`file:line: path: message` for every problem, in file order then line order."""
    return [str(problem) for problem in check.problems]


def as_json(check: Check) -> dict[str, Any]:
    document: dict[str, Any] = {"valid": check.valid}
    if check.valid:
        document.update(counts(check))
    else:
        document["files"] = len(check.files)
    document["problems"] = [problem.as_json() for problem in check.problems]
    return document
