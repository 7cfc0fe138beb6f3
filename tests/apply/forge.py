"""Edit a saved plan and give it the id its new contents hash to: what the plan id alone cannot
catch, and what apply's preflight must (tests only)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reconciler.plan.actions import PHASES
from reconciler.plan.planfile import _identity


def reidentify(data: dict[str, Any]) -> dict[str, Any]:
    """Number the actions 1.., recount the summary and recompute the plan id."""
    for position, action in enumerate(data["actions"], start=1):
        action["id"] = position
    data["summary"] = {
        kind.value: sum(1 for a in data["actions"] if a["kind"] == kind.value) for kind in PHASES
    }
    actions = [{k: v for k, v in a.items() if k != "id"} for a in data["actions"]]
    data["plan_id"] = _identity(
        data["store"],
        data["api_version"],
        data["manifests"]["digest"],
        actions,
        data["observed"],
        data.get("guardrails"),
    )
    data.pop("money", None)  # derived from the actions; a forged plan goes without
    return data


def forge(path: Path, edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Apply `edit` to the plan file at `path` and save it with a matching id."""
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    reidentify(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return data


def first(data: dict[str, Any], kind: str) -> dict[str, Any]:
    action: dict[str, Any] = next(a for a in data["actions"] if a["kind"] == kind)
    return action
