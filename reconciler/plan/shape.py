"""The plan file's shape: ``schemas/plan.schema.json``, checked fast enough for a million actions.

JSON Schema costs about 0.5 ms an action, so a 1M-action plan would take minutes before its
first call. The envelope (the plan with its long arrays emptied) goes through jsonschema; each action
and observed level of a common shape is checked by a Python predicate at least as strict as the
schema; anything the predicate does not accept goes through jsonschema alone, which words the
error (or accepts it: the predicate may be stricter). Small plans take the schema whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

FULLY_VALIDATED_ACTIONS = 1000  # above this, long arrays are checked element by element

_ITEM_ID = re.compile(r"gid://shopify/InventoryItem/[0-9]+")
_LOCATION_ID = re.compile(r"gid://shopify/Location/[0-9]+")
_LEVEL_ID = re.compile(r"gid://shopify/InventoryLevel/[0-9]+(\?inventory_item_id=[0-9]+)?")
_COMMON = ("id", "kind", "sku", "item_id", "location_id", "location", "source")
_KEYS = {
    "move": frozenset((*_COMMON, "from", "to", "quantity", "from_before", "to_before", "reason")),
    "set": frozenset((*_COMMON, "name", "before", "compare", "after", "reason")),
    "activate": frozenset((*_COMMON, "reactivates")),
    "deactivate": frozenset((*_COMMON, "level_id")),
}
_ON_HAND_COMPONENTS = frozenset(
    ("available", "committed", "damaged", "quality_control", "reserved", "safety_stock")
)
_QUANTITY_NAMES = _ON_HAND_COMPONENTS | {"incoming", "on_hand"}


def schema_path() -> Path:
    here = Path(__file__).resolve()
    for candidate in (
        here.parents[1] / "_schemas" / "plan.schema.json",
        here.parents[2] / "schemas" / "plan.schema.json",
    ):
        if candidate.exists():
            return candidate
    raise FileNotFoundError("plan.schema.json not found")


@cache
def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return loaded


@cache
def _reasons() -> frozenset[str]:
    return frozenset(_schema()["$defs"]["reason"]["enum"])


@cache
def _attribute_names() -> frozenset[str]:
    return frozenset(_schema()["$defs"]["attributeName"]["enum"])


@cache
def validator() -> Any:
    """The whole plan schema (compiled once)."""
    import jsonschema

    return jsonschema.Draft202012Validator(_schema())


@cache
def element_validator(pointer: str) -> Any:
    """jsonschema for one element of a long array, e.g. ``/properties/actions/items``."""
    import jsonschema

    schema = _schema()
    node: Any = schema
    for part in pointer.strip("/").split("/"):
        node = node[part]
    return jsonschema.Draft202012Validator({**node, "$defs": schema["$defs"]})


def _integer(value: object) -> bool:
    return type(value) is int


def _text(value: object) -> bool:
    return type(value) is str


def _source(value: object) -> bool:
    return (
        type(value) is dict
        and value.keys() == {"file", "line", "path"}
        and _text(value["file"])
        and bool(value["file"])
        and _integer(value["line"])
        and value["line"] >= 1
        and _text(value["path"])
        and bool(value["path"])
    )


def action_ok(raw: Any) -> bool:
    """True only for an action the schema accepts (False: ask the schema)."""
    if type(raw) is not dict:
        return False
    kind = raw.get("kind")
    keys = _KEYS.get(kind) if type(kind) is str else None
    if keys is None or raw.keys() != keys:
        return False
    common = (
        _integer(raw["id"])
        and raw["id"] >= 1
        and _text(raw["sku"])
        and _text(raw["location"])
        and _text(raw["item_id"])
        and _ITEM_ID.fullmatch(raw["item_id"]) is not None
        and _text(raw["location_id"])
        and _LOCATION_ID.fullmatch(raw["location_id"]) is not None
        and _source(raw["source"])
    )
    if not common:
        return False
    if kind == "move":
        return (
            raw["from"] in _ON_HAND_COMPONENTS
            and raw["to"] in _ON_HAND_COMPONENTS
            and _integer(raw["quantity"])
            and raw["quantity"] >= 1
            and _integer(raw["from_before"])
            and _integer(raw["to_before"])
            and raw["reason"] in _reasons()
        )
    if kind == "set":
        return (
            raw["name"] in ("available", "on_hand")
            and _integer(raw["before"])
            and _integer(raw["compare"])
            and _integer(raw["after"])
            and raw["reason"] in _reasons()
        )
    if kind == "activate":
        return type(raw["reactivates"]) is bool
    return _text(raw["level_id"]) and _LEVEL_ID.fullmatch(raw["level_id"]) is not None


def observed_level_ok(raw: Any) -> bool:
    if type(raw) is not dict or raw.keys() != {"item_id", "location_id", "quantities"}:
        return False
    quantities = raw["quantities"]
    return (
        _text(raw["item_id"])
        and _ITEM_ID.fullmatch(raw["item_id"]) is not None
        and _text(raw["location_id"])
        and _LOCATION_ID.fullmatch(raw["location_id"]) is not None
        and type(quantities) is dict
        and all(k in _QUANTITY_NAMES and _integer(v) for k, v in quantities.items())
    )


def observed_item_ok(raw: Any) -> bool:
    if type(raw) is not dict or raw.keys() != {"item_id", "attributes"}:
        return False
    return (
        _text(raw["item_id"])
        and _ITEM_ID.fullmatch(raw["item_id"]) is not None
        and type(raw["attributes"]) is dict
        and all(k in _attribute_names() for k in raw["attributes"])
    )


_LONG_ARRAYS: tuple[tuple[str, Callable[[Any], Iterable[Any]], Callable[[Any], bool], str], ...] = (
    ("actions", lambda d: d["actions"], action_ok, "/properties/actions/items"),
    (
        "observed/levels",
        lambda d: d["observed"]["levels"],
        observed_level_ok,
        "/properties/observed/properties/levels/items",
    ),
    (
        "observed/items",
        lambda d: d["observed"]["items"],
        observed_item_ok,
        "/properties/observed/properties/items/items",
    ),
)  # money's long arrays are checked by its own parser (money.basis_from_json)


def _where(error: Any, prefix: str = "") -> str:
    parts = [prefix] if prefix else []
    parts += [str(p) for p in error.absolute_path]
    return "/".join(parts) or "(top level)"


def _envelope(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with the long arrays emptied (copying only the dicts on their way)."""
    out = dict(data)
    if isinstance(out.get("actions"), list):
        out["actions"] = []
    observed = out.get("observed")
    if isinstance(observed, dict):
        out["observed"] = {k: [] if isinstance(v, list) else v for k, v in observed.items()}
    money = out.get("money")
    if isinstance(money, dict):  # money's long arrays: its own parser (money.basis_from_json)
        out["money"] = {
            k: [] if k in ("unit_costs", "lines") and isinstance(v, list) else v
            for k, v in money.items()
        }
    return out


def shape_error(data: Any) -> str | None:
    """Where and how `data` breaks the plan schema (None: it does not)."""
    actions = data.get("actions") if isinstance(data, dict) else None
    small = not isinstance(actions, list) or len(actions) <= FULLY_VALIDATED_ACTIONS
    errors = sorted(
        validator().iter_errors(data if small else _envelope(data)),
        key=lambda e: list(map(str, e.path)),
    )
    if errors:
        return f"{_where(errors[0])}: {errors[0].message}"
    if small:
        return None
    for name, elements, fast, pointer in _LONG_ARRAYS:
        for index, element in enumerate(elements(data)):
            if fast(element):
                continue
            found = sorted(
                element_validator(pointer).iter_errors(element),
                key=lambda e: list(map(str, e.path)),
            )
            if found:
                return f"{_where(found[0], f'{name}/{index}')}: {found[0].message}"
    return None
