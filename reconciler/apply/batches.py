"""From plan actions to mutation calls: batching, variables per API version, idempotency keys.

Pure functions. Quantity writes go out in batches of up to 250 rows (Shopify's input array
cap): moves grouped by reason, sets by (name, reason). Item updates, activations and
deactivations take one call each (Shopify's mutations take one item or level). Every quantity
row carries compare-and-set — ``compareQuantity`` on 2025-01, ``changeFromQuantity`` from
2026-01 (moves have no compare-and-set before 2026-01) — and every mutation that supports it
carries an idempotency key derived from the plan id and the batch's content, so re-sending the
same batch can never apply twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from reconciler.plan.actions import (
    PHASES,
    Action,
    Activate,
    Deactivate,
    Kind,
    Move,
    SetQuantity,
    UpdateItem,
)

MAX_ROWS = 250
T = TypeVar("T")
DOCUMENTS = {
    Kind.UPDATE_ITEM: "item_update",
    Kind.ACTIVATE: "activate",
    Kind.MOVE: "move_quantities",
    Kind.SET: "set_quantities",
    Kind.DEACTIVATE: "deactivate",
}
# Mutations that accept @idempotent (from 2026-01; facts §7).
KEYED = frozenset({Kind.ACTIVATE, Kind.MOVE, Kind.SET})
# Mutations whose effect is absolute: sending one twice leaves the same result.
ABSOLUTE = frozenset({Kind.UPDATE_ITEM, Kind.ACTIVATE, Kind.DEACTIVATE})


@dataclass(frozen=True)
class Batch:
    """One mutation call: which plan actions it carries and exactly what it sends."""

    kind: Kind
    document: str
    action_ids: tuple[int, ...]
    variables: dict[str, Any]
    idempotency_key: str | None

    @property
    def idempotent(self) -> bool:
        """Safe to re-send after an unknown outcome (keyed, or absolute by nature)."""
        return self.idempotency_key is not None or self.kind in ABSOLUTE

    def send_variables(self) -> dict[str, Any]:
        if self.idempotency_key is None:
            return self.variables
        return {**self.variables, "idempotencyKey": self.idempotency_key}


def ledger_uri(plan_id: str) -> str:
    """Ledger document for unavailable-state terminals (required; gid://shopify/ refused)."""
    return f"gid://reconciler/Ledger/{plan_id}"


def _digest(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def idempotency_key(plan_id: str, kind: Kind, variables: dict[str, Any]) -> str:
    """Same plan, same batch content → same key; any other batch → another key."""
    return f"reconciler-{plan_id}-{kind.value}-{_digest(variables)}"


def _cas(version: str, value: int) -> dict[str, int]:
    return {"compareQuantity": value} if version < "2026-01" else {"changeFromQuantity": value}


def item_input(action: UpdateItem) -> dict[str, Any]:
    """InventoryItemInput from the plan's `after` values (complete HS-code list, not a diff)."""
    out: dict[str, Any] = {}
    for change in action.changes:
        after = change.after
        if change.field == "cost":
            out["cost"] = None if after is None else str(Decimal(after))
        elif change.field == "countryHarmonizedSystemCodes":
            out["countryHarmonizedSystemCodes"] = [
                {"countryCode": country, "harmonizedSystemCode": code}
                for country, code in sorted((after or {}).items())
            ]
        elif change.field == "weight":
            if after is not None:
                out["measurement"] = {
                    "weight": {"value": float(Decimal(after["value"])), "unit": after["unit"]}
                }
        else:
            out[change.field] = after
    return out


def _terminal(
    version: str, location_id: str, name: str, before: int, plan_id: str
) -> dict[str, Any]:
    terminal: dict[str, Any] = {"locationId": location_id, "name": name}
    if name != "available":
        terminal["ledgerDocumentUri"] = ledger_uri(plan_id)
    if version >= "2026-01":
        terminal["changeFromQuantity"] = before
    return terminal


def move_row(version: str, action: Move, plan_id: str) -> dict[str, Any]:
    location = action.target.location_id
    assert location is not None
    return {
        "inventoryItemId": action.target.item_id,
        "quantity": action.quantity,
        "from": _terminal(version, location, action.from_name, action.from_before, plan_id),
        "to": _terminal(version, location, action.to_name, action.to_before, plan_id),
    }


def set_row(version: str, action: SetQuantity) -> dict[str, Any]:
    return {
        "inventoryItemId": action.target.item_id,
        "locationId": action.target.location_id,
        "quantity": action.after,
        **_cas(version, action.compare),
    }


def has_compare_and_set(kind: Kind, version: str) -> bool:
    """Whether every row of a `kind` batch is refused when its level moved (so sending it
    twice cannot apply twice): sets always, moves from 2026-01 (facts §6)."""
    return kind is Kind.SET or (kind is Kind.MOVE and version >= "2026-01")


def _chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _keyed(kind: Kind, api_version: str) -> bool:
    return api_version >= "2026-01" and kind in KEYED


def _batch(
    kind: Kind, ids: tuple[int, ...], variables: dict[str, Any], plan_id: str, version: str
) -> Batch:
    key = idempotency_key(plan_id, kind, variables) if _keyed(kind, version) else None
    return Batch(kind, DOCUMENTS[kind], ids, variables, key)


def _move_batches(
    moves: Sequence[tuple[int, Move]], plan_id: str, version: str, reference_uri: str
) -> list[Batch]:
    by_reason: dict[str, list[tuple[int, Move]]] = {}
    for pair in moves:
        by_reason.setdefault(pair[1].reason, []).append(pair)
    out = []
    for reason, members in by_reason.items():
        for chunk in _chunks(members, MAX_ROWS):
            variables = {
                "input": {
                    "reason": reason,
                    "referenceDocumentUri": reference_uri,
                    "changes": [move_row(version, a, plan_id) for _, a in chunk],
                }
            }
            out.append(_batch(Kind.MOVE, tuple(i for i, _ in chunk), variables, plan_id, version))
    return out


def _set_batches(
    sets: Sequence[tuple[int, SetQuantity]], plan_id: str, version: str, reference_uri: str
) -> list[Batch]:
    groups: dict[tuple[str, str], list[tuple[int, SetQuantity]]] = {}
    for pair in sets:
        groups.setdefault((pair[1].name, pair[1].reason), []).append(pair)
    out = []
    for (name, reason), members in groups.items():
        for chunk in _chunks(members, MAX_ROWS):
            variables = {
                "input": {
                    "name": name,
                    "reason": reason,
                    "referenceDocumentUri": reference_uri,
                    "quantities": [set_row(version, a) for _, a in chunk],
                }
            }
            out.append(_batch(Kind.SET, tuple(i for i, _ in chunk), variables, plan_id, version))
    return out


def _single_variables(action: Action) -> dict[str, Any]:
    if isinstance(action, UpdateItem):
        return {"id": action.target.item_id, "input": item_input(action)}
    if isinstance(action, Activate):
        return {"inventoryItemId": action.target.item_id, "locationId": action.target.location_id}
    assert isinstance(action, Deactivate)
    return {"inventoryLevelId": action.level_id}


def build_batches(
    actions: Sequence[tuple[int, Action]], *, plan_id: str, api_version: str, reference_uri: str
) -> list[Batch]:
    """Batches in apply order for (action id, action) pairs (ids are the plan's, 1-based)."""
    batches: list[Batch] = []
    for phase in PHASES:
        if phase is Kind.MOVE:
            moves = [(i, a) for i, a in actions if isinstance(a, Move)]
            batches.extend(_move_batches(moves, plan_id, api_version, reference_uri))
        elif phase is Kind.SET:
            sets = [(i, a) for i, a in actions if isinstance(a, SetQuantity)]
            batches.extend(_set_batches(sets, plan_id, api_version, reference_uri))
        else:
            for i, action in actions:
                if action.kind == phase:
                    variables = _single_variables(action)
                    batches.append(_batch(phase, (i,), variables, plan_id, api_version))
    return batches


def row_index(field: Sequence[str] | None) -> int | None:
    """The input row a userError's field path points at (["input","quantities","3",...] → 3)."""
    if not field:
        return None
    for position, part in enumerate(field):
        if part in ("quantities", "changes") and position + 1 < len(field):
            nxt = field[position + 1]
            if str(nxt).isdigit():
                return int(nxt)
    return None
