"""Top-level GraphQL errors in Shopify's shape (GraphQL-Ruby wording, Shopify's codes).

graphql-core parses, validates and coerces exactly as the spec says, but words its errors
like GraphQL.js. Clients branch on ``extensions.code`` and people read the messages, so this
module rewrites each error the way Shopify's server reports it (facts §11 and the recorded
responses): ``undefinedField``, ``argumentNotAccepted``, ``missingRequiredArguments``,
``undefinedDirective``, ``variableNotUsed``, ``selectionMismatch``, ``INVALID_VARIABLE`` with
``problems``, ``PARSE_ERROR``. Paths of validation errors name the operation first
(``["query Name", "field", ...]``) as GraphQL-Ruby does.
"""

from __future__ import annotations

import re
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    Node,
    OperationDefinitionNode,
    specified_rules,
    validate,
)
from graphql.validation import (
    FieldsOnCorrectTypeRule,
    KnownArgumentNamesRule,
    KnownDirectivesRule,
    NoUndefinedVariablesRule,
    NoUnusedVariablesRule,
    ProvidedRequiredArgumentsRule,
    ScalarLeafsRule,
    ValuesOfCorrectTypeRule,
    VariablesInAllowedPositionRule,
)

_TOKEN_NAMES = {
    "<EOF>": "end of file",
    '"}"': 'RCURLY ("}")',
    '"{"': 'LCURLY ("{")',
    '")"': 'RPAREN (")")',
    '"("': 'LPAREN ("(")',
    '":"': 'COLON (":")',
    '"]"': 'RBRACKET ("]")',
    '"["': 'LBRACKET ("[")',
}


def located(node: Node | None) -> list[dict[str, int]] | None:
    if node is None or node.loc is None:
        return None
    source = node.loc.source
    from graphql.language import get_location

    loc = get_location(source, node.loc.start)
    return [{"line": loc.line, "column": loc.column}]


def parse_error(error: GraphQLSyntaxError) -> dict[str, Any]:
    """``syntax error, unexpected end of file at [3, 5]`` with code PARSE_ERROR."""
    line, column = (
        (error.locations[0].line, error.locations[0].column) if error.locations else (1, 1)
    )
    found = re.search(r"found (.+?)\.?$", error.message)
    token = found.group(1) if found else "token"
    name = _TOKEN_NAMES.get(token)
    if name is None:
        name = f"IDENTIFIER ({token})" if token.startswith('"') else token
    return {
        "message": f"syntax error, unexpected {name} at [{line}, {column}]",
        "locations": [{"line": line, "column": column}],
        "extensions": {"code": "PARSE_ERROR"},
    }


# -- validation ----------------------------------------------------------------------------


def _operation_label(definition: OperationDefinitionNode | FragmentDefinitionNode) -> str:
    if isinstance(definition, FragmentDefinitionNode):
        return f"fragment {definition.name.value}"
    kind = definition.operation.value
    return f"{kind} {definition.name.value}" if definition.name else kind


_CHILDREN = (
    "variable_definitions",
    "directives",
    "selection_set",
    "selections",
    "arguments",
    "value",
    "values",
    "fields",
)


def _path_to(document: DocumentNode, target: Node) -> list[str]:
    """The GraphQL-Ruby path of an AST node: operation label, then field names down to it."""

    def walk(node: Any, trail: list[str]) -> list[str] | None:
        if isinstance(node, FieldNode):
            trail = [*trail, node.name.value]
        if node is target:
            return trail
        for attr in _CHILDREN:
            child = getattr(node, attr, None)
            if child is None:
                continue
            for c in child if isinstance(child, tuple | list) else [child]:
                found = walk(c, trail)
                if found is not None:
                    return found
        return None

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            found = walk(definition, [_operation_label(definition)])
            if found is not None:
                return found
    return []


def _quoted(message: str) -> list[str]:
    return re.findall(r'"([^"]+)"', message)


def _rewrite(rule: type, error: GraphQLError, document: DocumentNode) -> dict[str, Any]:
    node = error.nodes[0] if error.nodes else None
    words = _quoted(error.message)
    out: dict[str, Any] = {"message": error.message}
    extensions: dict[str, Any] = {"code": "GRAPHQL_VALIDATION_FAILED"}
    if rule is FieldsOnCorrectTypeRule and len(words) >= 2:
        field, type_name = words[0], words[1]
        out["message"] = f"Field '{field}' doesn't exist on type '{type_name}'"
        extensions = {"code": "undefinedField", "typeName": type_name, "fieldName": field}
    elif rule is KnownArgumentNamesRule and len(words) >= 2:
        argument, field = words[0], words[1].split(".")[-1]
        out["message"] = f"Field '{field}' doesn't accept argument '{argument}'"
        extensions = {
            "code": "argumentNotAccepted",
            "name": field,
            "typeName": "Field",
            "argumentName": argument,
        }
    elif rule is ProvidedRequiredArgumentsRule and len(words) >= 2:
        field, argument = words[0].split(".")[-1], words[1]
        if error.message.startswith("Directive"):
            out["message"] = (
                f"Directive '{field.lstrip('@')}' is missing required arguments: {argument}"
            )
            extensions = {
                "code": "missingRequiredArguments",
                "className": "Directive",
                "name": field.lstrip("@"),
                "arguments": argument,
            }
        else:
            out["message"] = f"Field '{field}' is missing required arguments: {argument}"
            extensions = {
                "code": "missingRequiredArguments",
                "className": "Field",
                "name": field,
                "arguments": argument,
            }
    elif rule is KnownDirectivesRule and words:
        name = words[0].lstrip("@")
        out["message"] = f"Directive @{name} is not defined"
        extensions = {"code": "undefinedDirective", "directiveName": name}
    elif rule is NoUnusedVariablesRule and words:
        name = words[0].lstrip("$")
        operation = _operation_name(document)
        out["message"] = f"Variable ${name} is declared by {operation} but not used"
        extensions = {"code": "variableNotUsed", "variableName": name}
    elif rule is NoUndefinedVariablesRule and words:
        name = words[0].lstrip("$")
        operation = _operation_name(document)
        out["message"] = f"Variable ${name} is used by {operation} but not declared"
        extensions = {"code": "variableNotDefined", "variableName": name}
    elif rule is ScalarLeafsRule and len(words) >= 2:
        field, type_name = words[0], words[1]
        if "must have a selection" in error.message:
            out["message"] = (
                f"Field must have selections (field '{field}' returns {type_name} but has no "
                f"selections. Did you mean '{field} {{ ... }}'?)"
            )
        else:
            out["message"] = (
                f"Selections can't be made on scalars (field '{field}' returns {type_name} but "
                "has selections [...])"
            )
        extensions = {
            "code": "selectionMismatch",
            "nodeName": f"field '{field}'",
            "typeName": type_name,
        }
    elif rule is ValuesOfCorrectTypeRule:
        extensions = {"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"}
    elif rule is VariablesInAllowedPositionRule:
        extensions = {"code": "variableMismatch"}
    out["locations"] = located(node)
    if out["locations"] is None:
        del out["locations"]
    if node is not None:
        out["path"] = _path_to(document, node)
    out["extensions"] = extensions
    return out


def _operation_name(document: DocumentNode) -> str:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            return definition.name.value if definition.name else "anonymous operation"
    return "anonymous operation"


def validation_errors(schema: GraphQLSchema, document: DocumentNode) -> list[dict[str, Any]]:
    """Validate with graphql-core; on failure, rerun rule by rule to name each error's kind."""
    if not validate(schema, document):
        return []
    out: list[dict[str, Any]] = []
    for rule in specified_rules:
        for error in validate(schema, document, rules=[rule]):
            out.append(_rewrite(rule, error, document))
    return out
