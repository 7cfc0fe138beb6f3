"""A JSON Schema compiled once into one yes/no function, for the valid documents that dominate.

jsonschema walks the schema for every value and builds an error tree as it goes: right for
explaining what is wrong, slow for confirming that 100,000 items are right. `compile_schema`
turns the keywords our schemas use into nested closures that answer only "valid?", with
jsonschema's exact semantics for each keyword (its type rules: a bool is not an integer, 5.0
is; its `equal` for enum and const; `re.search` for patterns; `then`/`else` only under `if`).
A document it accepts is valid; one it refuses goes to jsonschema, whose errors explain.py
words, so every message stays the one jsonschema's report gives. A hypothesis test feeds both
the same values and holds them to the same answer.

A schema using a keyword not listed here compiles to None: the caller then always asks
jsonschema, so a schema change can make validation slower, never wrong.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$comment",
        "$defs",
        "title",
        "description",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "errorMessage",  # read by explain.py, not a validation keyword
        "patternErrorMessage",
    }
)


class Unsupported(Exception):
    """The schema uses something this compiler does not implement."""


def compile_schema(root: Mapping[str, Any], part: Any = None) -> Check | None:
    """`root` as one function, or `part` of it (a subschema whose $refs point into `root`);
    None when it uses a keyword this module does not know."""
    try:
        if part is not None:
            return _Compiler(root).compile(part)
        return _Compiler(root).compile(root, top=True)
    except Unsupported:
        return None


# -- jsonschema's type rules and equality ------------------------------------------------------


def _is_integer(value: Any) -> bool:
    if value.__class__ is int:
        return True
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, numbers.Number)


_TYPES: dict[str, Check] = {
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "integer": _is_integer,
    "null": lambda v: v is None,
    "number": _is_number,
    "object": lambda v: isinstance(v, dict),
    "string": lambda v: isinstance(v, str),
}


def _unbool(value: Any, true: object = object(), false: object = object()) -> Any:
    if value is True:
        return true
    if value is False:
        return false
    return value


def equal(one: Any, two: Any) -> bool:
    """jsonschema's equality: True is not 1, False is not 0, recursively."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return one.keys() == two.keys() and all(equal(one[k], two[k]) for k in one)
    return bool(_unbool(one) == _unbool(two))


# -- the compiler ------------------------------------------------------------------------------


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)
    frozen = tuple(checks)

    def every(v: Any) -> bool:
        for check in frozen:  # noqa: SIM110 - a plain loop: all() over a generator is slower
            if not check(v):
                return False
        return True

    return every


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, list[Check]] = {}  # a cell per $ref, so recursion works

    def compile(self, schema: Any, top: bool = False) -> Check:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, Mapping):
            raise Unsupported(repr(schema))
        keywords = set(schema) - _ANNOTATIONS
        if top:
            keywords.discard("$id")
        if "if" not in schema:
            keywords -= {"then", "else"}  # jsonschema reads them only under `if`
        checks: list[Check] = []
        if "type" in keywords:
            checks.append(self._type(schema["type"]))
        if "enum" in keywords:
            checks.append(self._enum(list(schema["enum"])))
        if "const" in keywords:
            expected = schema["const"]
            checks.append(lambda v: equal(v, expected))
        checks.extend(self._string(schema, keywords))
        checks.extend(self._number(schema, keywords))
        if keywords & _OBJECT_KEYWORDS:
            checks.append(self._object(schema))
        if "items" in keywords:
            checks.append(self._items(schema["items"]))
        if "$ref" in keywords:
            checks.append(self._ref(schema["$ref"]))
        if "if" in keywords:
            checks.append(self._if(schema))
        if "not" in keywords:
            inner = self.compile(schema["not"])
            checks.append(lambda v: not inner(v))
        if "allOf" in keywords:
            checks.append(_all([self.compile(s) for s in schema["allOf"]]))
        if "anyOf" in keywords:
            some = tuple(self.compile(s) for s in schema["anyOf"])
            checks.append(lambda v: any(part(v) for part in some))
        if "oneOf" in keywords:
            one = tuple(self.compile(s) for s in schema["oneOf"])
            checks.append(lambda v: sum(1 for part in one if part(v)) == 1)
        unknown = keywords - _HANDLED
        if unknown:
            raise Unsupported(", ".join(sorted(unknown)))
        return _all(checks)

    @staticmethod
    def _type(declared: Any) -> Check:
        names = [declared] if isinstance(declared, str) else list(declared)
        if any(name not in _TYPES for name in names):
            raise Unsupported(f"type {declared!r}")
        tests = tuple(_TYPES[name] for name in names)
        if len(tests) == 1:
            return tests[0]
        return lambda v: any(test(v) for test in tests)

    @staticmethod
    def _enum(values: list[Any]) -> Check:
        if all(isinstance(e, str) or e is None for e in values):
            members = frozenset(values)
            # Only text or null can equal text or null (jsonschema's `equal`).
            return lambda v: (isinstance(v, str) or v is None) and v in members
        return lambda v: any(equal(e, v) for e in values)

    @staticmethod
    def _string(schema: Mapping[str, Any], keywords: set[str]) -> list[Check]:
        checks: list[Check] = []
        if "pattern" in keywords:
            search = re.compile(schema["pattern"]).search
            checks.append(lambda v: not isinstance(v, str) or search(v) is not None)
        if "minLength" in keywords:
            shortest = schema["minLength"]
            checks.append(lambda v: not isinstance(v, str) or len(v) >= shortest)
        if "maxLength" in keywords:
            longest = schema["maxLength"]
            checks.append(lambda v: not isinstance(v, str) or len(v) <= longest)
        return checks

    @staticmethod
    def _number(schema: Mapping[str, Any], keywords: set[str]) -> list[Check]:
        low = schema.get("minimum") if "minimum" in keywords else None
        high = schema.get("maximum") if "maximum" in keywords else None
        if low is None and high is None:
            return []

        def bounded(v: Any) -> bool:
            if v.__class__ is not int and not _is_number(v):
                return True
            return (low is None or not v < low) and (high is None or not v > high)

        return [bounded]

    def _object(self, schema: Mapping[str, Any]) -> Check:
        properties = {name: self.compile(s) for name, s in schema.get("properties", {}).items()}
        patterns = tuple(
            (re.compile(p).search, self.compile(s))
            for p, s in schema.get("patternProperties", {}).items()
        )
        additional_schema = schema.get("additionalProperties", True)
        closed = additional_schema is False
        additional = None if additional_schema is True else self.compile(additional_schema)
        names = self.compile(schema["propertyNames"]) if "propertyNames" in schema else None
        required = tuple(schema.get("required", ()))
        fewest = schema.get("minProperties", 0)
        most = schema.get("maxProperties")

        def check(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            if len(v) < fewest or (most is not None and len(v) > most):
                return False
            for name in required:
                if name not in v:
                    return False
            for key, value in v.items():
                known = properties.get(key)
                if known is not None and not known(value):
                    return False
                matched = False
                for search, pattern_check in patterns:
                    if search(key):
                        matched = True
                        if not pattern_check(value):
                            return False
                if (
                    known is None
                    and not matched
                    and (closed or (additional is not None and not additional(value)))
                ):
                    return False
                if names is not None and not names(key):
                    return False
            return True

        return check

    def _items(self, items: Any) -> Check:
        each = self.compile(items)
        return lambda v: not isinstance(v, list) or all(each(item) for item in v)

    def _ref(self, ref: Any) -> Check:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise Unsupported(f"$ref {ref!r}")
        cell = self.refs.get(ref)
        if cell is None:
            cell = self.refs[ref] = []
            cell.append(self.compile(self._resolve(ref)))
        if cell:
            return cell[0]
        return lambda v: cell[0](v)  # a reference to a schema still being compiled

    def _resolve(self, ref: str) -> Any:
        node: Any = self.root
        for part in ref[1:].lstrip("/").split("/") if ref != "#" else ():
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or part not in node:
                raise Unsupported(f"$ref {ref!r}")
            node = node[part]
        return node

    def _if(self, schema: Mapping[str, Any]) -> Check:
        condition = self.compile(schema["if"])
        then = self.compile(schema["then"]) if "then" in schema else _always
        otherwise = self.compile(schema["else"]) if "else" in schema else _always
        return lambda v: then(v) if condition(v) else otherwise(v)


_OBJECT_KEYWORDS = frozenset(
    {
        "properties",
        "patternProperties",
        "additionalProperties",
        "propertyNames",
        "required",
        "minProperties",
        "maxProperties",
    }
)
_HANDLED = _OBJECT_KEYWORDS | {
    "type",
    "enum",
    "const",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "items",
    "$ref",
    "if",
    "then",
    "else",
    "not",
    "allOf",
    "anyOf",
    "oneOf",
}
