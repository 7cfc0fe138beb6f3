"""Variable coercion with Shopify's INVALID_VARIABLE errors.

Shopify rejects bad variables before executing anything, with one error per variable:
``Variable $input of type X! was provided invalid value for changes.0.delta (Expected value to
not be null)``, plus ``extensions.value`` and ``extensions.problems[{path, explanation}]``
(facts §2.2, §5.2, §6). Global ids are checked here too: a malformed one is an
"Invalid global id" problem, not a resolver error.
"""

from __future__ import annotations

import json
import re
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    print_ast,
    type_from_ast,
)
from graphql.utilities import validate_input_value

from .graphql_errors import located
from .ids import is_well_formed

Problem = dict[str, Any]
_NO_VALUE: Any = object()


def _explanation(error: GraphQLError, named: Any, value: Any = _NO_VALUE) -> str:
    """GraphQL-Ruby's wording for one coercion problem (graphql-core words them differently)."""
    text = error.message
    if "not to be None" in text or "to be provided" in text or "to include required" in text:
        return "Expected value to not be null"
    match = re.search(r"Expected value of type '(\w+)' not to include unknown field", text)
    if match:
        return f"Field is not defined on {match.group(1)}"
    if isinstance(named, GraphQLEnumType):
        found = re.search(r"Value '?(.+?)'? does not exist", text)
        value = found.group(1).strip("'\"") if found else "?"
        return f'Expected "{value}" to be one of: {", ".join(named.values)}'
    if isinstance(named, GraphQLScalarType) and value is not _NO_VALUE:
        return f"Could not coerce value {_serialize(value)} to {named.name}"
    if isinstance(named, GraphQLInputObjectType) and "to be a mapping" in text:
        return f"Expected {_serialize(value)} to be a key-value object."
    return text


def _serialize(value: Any) -> str:
    """A value the way GraphQL-Ruby prints it in coercion problems (GraphQL literal syntax)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_serialize(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_serialize(v)}" for k, v in value.items()) + "}"
    return str(value)


def _value_at(value: Any, path: list[str | int]) -> Any:
    for step in path:
        in_list = isinstance(step, int) and isinstance(value, list) and step < len(value)
        in_object = isinstance(step, str) and isinstance(value, dict) and step in value
        if not (in_list or in_object):
            return _NO_VALUE
        value = value[step]
    return value


def _problems(value: Any, type_: GraphQLInputType) -> list[Problem]:
    problems: list[Problem] = []

    def on_error(error: GraphQLError, path: list[str | int]) -> None:
        field_path = list(path)
        named_field = re.search(r"(?:required|unknown) field '(\w+)'", error.message)
        if named_field:
            field_path.append(named_field.group(1))
        named = _type_at(type_, field_path)
        at = _value_at(value, field_path)
        problems.append({"path": field_path, "explanation": _explanation(error, named, at)})

    validate_input_value(value, type_, on_error)
    seen = {tuple(p["path"]) for p in problems}
    problems.extend(p for p in _bad_ids(value, type_, []) if tuple(p["path"]) not in seen)
    return problems


def _type_at(type_: Any, path: list[str | int]) -> Any:
    """The named input type found at `path` inside `type_` (for enum and scalar wording)."""
    current = type_
    for step in path:
        while isinstance(current, GraphQLNonNull | GraphQLList):
            current = current.of_type
        if isinstance(step, str) and isinstance(current, GraphQLInputObjectType):
            field = current.fields.get(step)
            if field is None:
                return current
            current = field.type
    while isinstance(current, GraphQLNonNull | GraphQLList):
        current = current.of_type
    return current


def _bad_ids(value: Any, type_: Any, path: list[str | int]) -> list[Problem]:
    """Shopify's ID scalar only accepts global ids; graphql-core accepts any string."""
    if value is None:
        return []
    if isinstance(type_, GraphQLNonNull):
        return _bad_ids(value, type_.of_type, path)
    if isinstance(type_, GraphQLList):
        items = value if isinstance(value, list) else [value]
        out = []
        for i, item in enumerate(items):
            out.extend(_bad_ids(item, type_.of_type, [*path, i]))
        return out
    if isinstance(type_, GraphQLInputObjectType) and isinstance(value, dict):
        out = []
        for name, field in type_.fields.items():
            if name in value:
                out.extend(_bad_ids(value[name], field.type, [*path, name]))
        return out
    is_id = isinstance(type_, GraphQLScalarType) and type_.name == "ID"
    if is_id and isinstance(value, str) and not is_well_formed(value):
        # Shopify's ID coercion error carries both keys (captures §2.4).
        text = f"Invalid global id '{value}'"
        return [{"path": path, "explanation": text, "message": text}]
    return []


def _dotted(path: list[str | int]) -> str:
    return ".".join(str(p) for p in path)


def variable_errors(
    schema: GraphQLSchema, operation: OperationDefinitionNode, inputs: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every variable that cannot be coerced, as Shopify reports it; empty when all are fine."""
    errors = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        type_ = type_from_ast(schema, definition.type)
        if type_ is None:
            continue
        type_label = print_ast(definition.type)
        provided = name in inputs
        value = inputs.get(name)
        if not provided and definition.default_value is not None:
            continue
        if not provided and not isinstance(type_, GraphQLNonNull):
            continue
        problems = _problems(value, type_)  # type: ignore[arg-type]
        if not problems:
            continue
        message = f"Variable ${name} of type {type_label} was provided invalid value"
        details = [f"{_dotted(p['path'])} ({p['explanation']})" for p in problems if p["path"]]
        if details:
            message += " for " + ", ".join(details)
        error: dict[str, Any] = {"message": message}
        locations = located(definition)
        if locations:
            error["locations"] = locations
        error["extensions"] = {"code": "INVALID_VARIABLE", "value": value, "problems": problems}
        errors.append(error)
    return errors
