"""Top-level GraphQL errors in Shopify's shape (GraphQL-Ruby wording, Shopify's codes).

graphql-core parses, validates and coerces exactly as the spec says, but words its errors
like GraphQL.js. Clients branch on ``extensions.code`` and people read the messages, so this
module rewrites each error the way Shopify's server (GraphQL-Ruby) reports it
(docs/shopify-captures.md §2.3–§2.4): ``undefinedField``, ``argumentNotAccepted``,
``missingRequiredArguments``, ``undefinedDirective``, ``variableNotUsed``, ``selectionMismatch``,
``argumentLiteralsIncompatible``, ``PARSE_ERROR`` and friends.

What GraphQL-Ruby does and graphql-core does not, and is reproduced here:

* paths name the operation first (``["query Name", "field", "argument"]``; ``"query"`` alone for
  an anonymous operation), then response keys (aliases), inline fragments (``"... on Type"``),
  fragment spreads (``"... Name"``) and argument names;
* a variable used only inside an undefined directive counts as unused (both errors are
  reported, the directive's first), and unused-variable errors point at the operation;
* Shopify's ``ID`` scalar only accepts global ids, so an inline ``"not-a-gid"`` is an
  ``argumentLiteralsIncompatible`` coercion error;
* errors come in document order, variable-usage errors last within their operation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    Node,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    print_ast,
    specified_rules,
    validate,
    visit,
)
from graphql.language import Lexer, Source, TokenKind, get_location
from graphql.pyutils import Undefined
from graphql.utilities import value_from_ast
from graphql.validation import (
    FieldsOnCorrectTypeRule,
    FragmentsOnCompositeTypesRule,
    KnownArgumentNamesRule,
    KnownDirectivesRule,
    KnownFragmentNamesRule,
    KnownTypeNamesRule,
    LoneAnonymousOperationRule,
    NoFragmentCyclesRule,
    NoUndefinedVariablesRule,
    NoUnusedFragmentsRule,
    NoUnusedVariablesRule,
    OverlappingFieldsCanBeMergedRule,
    PossibleFragmentSpreadsRule,
    ProvidedRequiredArgumentsRule,
    ScalarLeafsRule,
    UniqueArgumentNamesRule,
    UniqueDirectivesPerLocationRule,
    UniqueOperationNamesRule,
    UniqueVariableNamesRule,
    ValuesOfCorrectTypeRule,
    VariablesAreInputTypesRule,
    VariablesInAllowedPositionRule,
)

from .ids import is_well_formed

Error = dict[str, Any]

# GraphQL-Ruby's C parser names tokens like this in "syntax error, unexpected …".
_TOKEN_NAMES: dict[TokenKind, str] = {
    TokenKind.BRACE_L: 'LCURLY ("{")',
    TokenKind.BRACE_R: 'RCURLY ("}")',
    TokenKind.PAREN_L: 'LPAREN ("(")',
    TokenKind.PAREN_R: 'RPAREN (")")',
    TokenKind.BRACKET_L: 'LBRACKET ("[")',
    TokenKind.BRACKET_R: 'RBRACKET ("]")',
    TokenKind.COLON: 'COLON (":")',
    TokenKind.EQUALS: 'EQUALS ("=")',
    TokenKind.AT: 'DIR_SIGN ("@")',
    TokenKind.DOLLAR: 'VAR_SIGN ("$")',
    TokenKind.BANG: 'BANG ("!")',
    TokenKind.SPREAD: 'ELLIPSIS ("...")',
    TokenKind.PIPE: 'PIPE ("|")',
    TokenKind.AMP: 'AMP ("&")',
}
_KEYWORDS = {
    "query": "QUERY",
    "mutation": "MUTATION",
    "subscription": "SUBSCRIPTION",
    "fragment": "FRAGMENT",
    "on": "ON",
    "true": "TRUE",
    "false": "FALSE",
    "null": "NULL",
}


def located(node: Node | None) -> list[dict[str, int]] | None:
    """``[{"line", "column"}]`` of where a node starts (None when it has no location)."""
    if node is None or node.loc is None:
        return None
    loc = get_location(node.loc.source, node.loc.start)
    return [{"line": loc.line, "column": loc.column}]


# -- parse errors ----------------------------------------------------------------------------


def _tokens(body: str) -> list[Any]:
    """Tokens of the source up to where lexing fails (comments skipped)."""
    out: list[Any] = []
    lexer = Lexer(Source(body))
    try:
        while True:
            token = lexer.advance()
            if token.kind == TokenKind.EOF:
                out.append(token)
                return out
            out.append(token)
    except GraphQLSyntaxError:
        return out


def _describe(token: Any) -> str:
    if token.kind == TokenKind.EOF:
        return "end of file"
    if token.kind in _TOKEN_NAMES:
        return _TOKEN_NAMES[token.kind]
    if token.kind == TokenKind.NAME:
        keyword = _KEYWORDS.get(token.value)
        return f'{keyword or "IDENTIFIER"} ("{token.value}")'
    if token.kind == TokenKind.INT:
        return f'INT ("{token.value}")'
    if token.kind == TokenKind.FLOAT:
        return f'FLOAT ("{token.value}")'
    if token.kind in (TokenKind.STRING, TokenKind.BLOCK_STRING):
        return f'STRING ("{token.value}")'
    return f'"{token.value}"'


def parse_error(error: GraphQLSyntaxError) -> Error:
    """``syntax error, unexpected end of file at [3, 5]`` with code PARSE_ERROR.

    The location is the unexpected token's; at the end of the document Shopify's parser
    reports the last token it read (captures §2.3: ``"query X {\\n  shop {\\n    id\\n"`` →
    ``[3, 5]``, where ``id`` starts).
    """
    line, column = (
        (error.locations[0].line, error.locations[0].column) if error.locations else (1, 1)
    )
    description = "token"
    if error.source is not None and error.positions:
        position = list(error.positions)[0]
        tokens = _tokens(error.source.body)
        at = next((t for t in tokens if t.start == position), None)
        if at is not None:
            description = _describe(at)
            if at.kind == TokenKind.EOF:
                previous = [t for t in tokens if t.kind != TokenKind.EOF]
                if previous:
                    line, column = previous[-1].line, previous[-1].column
        elif "Unterminated string" in error.message:
            description = "invalid string"
    return {
        "message": f"syntax error, unexpected {description} at [{line}, {column}]",
        "locations": [{"line": line, "column": column}],
        "extensions": {"code": "PARSE_ERROR"},
    }


# -- paths ---------------------------------------------------------------------------------


def _label(definition: OperationDefinitionNode | FragmentDefinitionNode) -> str:
    if isinstance(definition, FragmentDefinitionNode):
        return f"fragment {definition.name.value}"
    kind = definition.operation.value
    return f"{kind} {definition.name.value}" if definition.name else kind


_CHILDREN = (
    "variable_definitions",
    "type",
    "directives",
    "selection_set",
    "selections",
    "arguments",
    "value",
    "values",
    "fields",
)


def _step(node: Any) -> str | None:
    """What GraphQL-Ruby's validator pushes onto its path when it enters `node`."""
    if isinstance(node, FieldNode):
        return node.alias.value if node.alias else node.name.value
    if isinstance(node, InlineFragmentNode):
        condition = node.type_condition
        return f"... on {condition.name.value}" if condition else "..."
    if isinstance(node, FragmentSpreadNode):
        return f"... {node.name.value}"
    if isinstance(node, ArgumentNode | ObjectFieldNode):
        return node.name.value
    return None


@dataclass
class _Where:
    """Where a node sits: its validation path, its definition, and its ancestors."""

    path: list[str | int]
    definition: OperationDefinitionNode | FragmentDefinitionNode | None
    ancestors: list[Any]


def _find(document: DocumentNode, target: Node) -> _Where:
    def walk(
        node: Any, trail: list[str | int], chain: list[Any]
    ) -> tuple[list[str | int], list[Any]] | None:
        if node is target or getattr(node, "name", None) is target:
            step = _step(node)
            return ([*trail, step] if step else trail), chain
        step = _step(node)
        if step is not None:
            trail = [*trail, step]
        chain = [*chain, node]
        for attr in _CHILDREN:
            child = getattr(node, attr, None)
            if child is None:
                continue
            for index, c in enumerate(child if isinstance(child, tuple | list) else [child]):
                if isinstance(c, Node):
                    # GraphQL-Ruby pushes the index of an input object inside a list
                    # (`["fileUpdate", "files", 0, "id"]`, captures §2.4)
                    listed = isinstance(node, ListValueNode) and isinstance(c, ObjectValueNode)
                    found = walk(c, [*trail, index] if listed else trail, chain)
                    if found is not None:
                        return found
        return None

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            if definition is target:
                return _Where([_label(definition)], definition, [])
            found = walk(definition, [_label(definition)], [])
            if found is not None:
                return _Where(found[0], definition, found[1])
    return _Where([], None, [])


def _path_of(document: DocumentNode, node: Node) -> list[str | int]:
    return _find(document, node).path


def _operation_name(where: _Where) -> str:
    definition = where.definition
    if isinstance(definition, OperationDefinitionNode):
        if definition.name:
            return definition.name.value
        return f"anonymous {definition.operation.value}"
    if isinstance(definition, FragmentDefinitionNode):
        return definition.name.value
    return "anonymous query"


# -- rewriting graphql-core's errors ---------------------------------------------------------


def _quoted(message: str) -> list[str]:
    """The single-quoted words of a graphql-core message, in order."""
    return re.findall(r"'([^']*)'", message)


def _bare(type_name: str) -> str:
    return type_name.replace("!", "").replace("[", "").replace("]", "")


# GraphQL-Ruby's names of executable directive locations.
_LOCATION_NAMES = {
    "QUERY": "queries",
    "MUTATION": "mutations",
    "SUBSCRIPTION": "subscriptions",
    "FIELD": "fields",
    "FRAGMENT_DEFINITION": "fragment definitions",
    "FRAGMENT_SPREAD": "fragment spreads",
    "INLINE_FRAGMENT": "inline fragments",
    "VARIABLE_DEFINITION": "variable definitions",
}


@dataclass
class _Shaped:
    """One rewritten error and where it goes in the response's order."""

    error: Error
    definition_index: int
    late: bool  # variable-usage errors come after everything else of their operation
    offset: int


class _Rewriter:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.document = document
        self.definitions = [
            d
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
        ]
        self.out: list[_Shaped] = []
        self.missing_arguments: dict[int, Error] = {}

    def add(
        self,
        message: str,
        extensions: Error,
        location_node: Node | None,
        path_node: Node | None,
        late: bool = False,
        path: list[str | int] | None = None,
    ) -> Error:
        error: Error = {"message": message}
        locations = located(location_node)
        if locations:
            error["locations"] = locations
        where = _find(self.document, path_node) if path_node is not None else _Where([], None, [])
        if path is None:
            path = where.path
        if path:
            error["path"] = path
        error["extensions"] = extensions
        index = self.definitions.index(where.definition) if where.definition is not None else -1
        offset = location_node.loc.start if location_node and location_node.loc else 0
        self.out.append(_Shaped(error, index, late, offset))
        return error

    def rewrite(self, rule: type, error: GraphQLError) -> None:
        nodes = list(error.nodes or [])
        node = nodes[0] if nodes else None
        words = _quoted(error.message)
        message = error.message
        if rule is FieldsOnCorrectTypeRule and len(words) >= 2:
            field, type_name = words[0], words[1]
            self.add(
                f"Field '{field}' doesn't exist on type '{type_name}'",
                {"code": "undefinedField", "typeName": type_name, "fieldName": field},
                node,
                node,
            )
        elif rule is KnownArgumentNamesRule and len(words) >= 2 and node is not None:
            argument = words[0]
            owner = words[1]
            if " on directive " in message:
                kind, name = "Directive", owner.lstrip("@")
            else:
                kind, name = "Field", owner.split(".")[-1]
            self.add(
                f"{kind} '{name}' doesn't accept argument '{argument}'",
                {
                    "code": "argumentNotAccepted",
                    "name": name,
                    "typeName": kind,
                    "argumentName": argument,
                },
                node,
                node,
            )
        elif rule is ProvidedRequiredArgumentsRule and len(words) >= 2 and node is not None:
            signature = words[0]
            match = re.match(r"^(@?)(?:\w+\.)?(\w+)\((\w+):\)$", signature)
            if match is None:
                return
            is_directive, name, argument = bool(match.group(1)), match.group(2), match.group(3)
            previous = self.missing_arguments.get(id(node))
            if previous is not None:
                previous["extensions"]["arguments"] += f", {argument}"
                previous["message"] += f", {argument}"
                return
            kind = "Directive" if is_directive else "Field"
            self.missing_arguments[id(node)] = self.add(
                f"{kind} '{name}' is missing required arguments: {argument}",
                {
                    "code": "missingRequiredArguments",
                    "className": kind,
                    "name": name,
                    "arguments": argument,
                },
                node,
                node,
            )
        elif rule is KnownDirectivesRule and words and node is not None:
            name = words[0].lstrip("@")
            if message.startswith("Unknown directive"):
                self.add(
                    f"Directive @{name} is not defined",
                    {"code": "undefinedDirective", "directiveName": name},
                    node,
                    node,
                )
            else:
                self._misplaced_directive(name, message, node)
        elif rule is NoUnusedVariablesRule and words and node is not None:
            self._unused_variable(words[0].lstrip("$"), node)
        elif rule is NoUndefinedVariablesRule and words and node is not None:
            name = words[0].lstrip("$")
            usage = _find(self.document, node)
            self.add(
                f"Variable ${name} is used by {_operation_name(usage)} but not declared",
                {"code": "variableNotDefined", "variableName": name},
                node,
                node,
                late=True,
            )
        elif rule is ScalarLeafsRule and len(words) >= 2 and node is not None:
            self._scalar_leafs(error, words, node)
        elif rule is VariablesInAllowedPositionRule and len(nodes) >= 2:
            self._variable_position(nodes[0], nodes[1])
        elif rule in (UniqueOperationNamesRule, LoneAnonymousOperationRule):
            if rule is LoneAnonymousOperationRule:
                text = "Operation name is required when multiple operations are present"
                extensions: Error = {"code": "uniquelyNamedOperations"}
            else:
                text = f'Operation name "{words[0]}" must be unique'
                extensions = {"code": "uniquelyNamedOperations", "operationName": words[0]}
            self.add(text, extensions, node, node)
        elif rule is KnownFragmentNamesRule and words:
            self.add(
                f"Fragment {words[0]} was used, but not defined",
                {"code": "useAndDefineFragment", "fragmentName": words[0]},
                node,
                node,
            )
        elif rule is NoUnusedFragmentsRule and words:
            self.add(
                f"Fragment {words[0]} was defined, but not used",
                {"code": "useAndDefineFragment", "fragmentName": words[0]},
                node,
                node,
            )
        elif rule is KnownTypeNamesRule and words and node is not None:
            self._unknown_type(words[0], node)
        elif rule is VariablesAreInputTypesRule and len(words) >= 2 and node is not None:
            name, type_name = words[0].lstrip("$"), words[1]
            self.add(
                f"{_bare(type_name)} isn't a valid input type (on ${name})",
                {
                    "code": "variableRequiresValidType",
                    "typeName": _bare(type_name),
                    "variableName": name,
                },
                node,
                node,
            )
        elif rule is FragmentsOnCompositeTypesRule and words:
            type_name = words[-1]
            self.add(
                f"Invalid fragment on type {type_name} (must be Union, Interface or Object)",
                {"code": "fragmentOnNonCompositeType", "typeName": type_name},
                node,
                node,
            )
        elif rule is PossibleFragmentSpreadsRule and len(words) >= 2:
            parent_type, fragment_type = words[-2], words[-1]
            fragment = f" {words[0]}" if len(words) >= 3 else ""
            self.add(
                f"Fragment{fragment} on {fragment_type} can't be spread inside {parent_type}",
                {
                    "code": "fragmentSpreadTypeMismatch",
                    "typeName": parent_type,
                    "fragmentName": fragment.strip() or "unknown",
                },
                node,
                node,
            )
        elif rule is NoFragmentCyclesRule and words:
            self.add(
                f"Fragment {words[0]} contains an infinite loop",
                {"code": "infiniteLoop", "fragmentName": words[0]},
                node,
                node,
            )
        elif rule is UniqueVariableNamesRule and words:
            name = words[0].lstrip("$")
            self.add(
                f'There can only be one variable named "{name}"',
                {"code": "variableNotUnique", "variableName": name},
                node,
                node,
            )
        elif rule is UniqueArgumentNamesRule and words:
            self.add(
                f'There can be only one argument named "{words[0]}"',
                {"code": "argumentNotUnique", "name": words[0]},
                node,
                node,
            )
        elif rule is UniqueDirectivesPerLocationRule and words:
            name = words[0].lstrip("@")
            self.add(
                f'The directive "{name}" can only be used once at this location.',
                {"code": "directiveNotUniqueForLocation", "directiveName": name},
                node,
                node,
            )
        elif rule is OverlappingFieldsCanBeMergedRule and words:
            self.add(
                f"Field '{words[0]}' has a field conflict: {message.split(': ', 1)[-1]}",
                {"code": "fieldConflict", "fieldName": words[0]},
                node,
                node,
            )
        elif rule is ValuesOfCorrectTypeRule:
            return  # reported by `_LiteralChecker`, in GraphQL-Ruby's words
        else:
            self.add(message, {"code": "validationError"}, node, node)

    def _misplaced_directive(self, name: str, message: str, node: Node) -> None:
        found = re.search(r"may not be used on (\w+)", message)
        target = _LOCATION_NAMES.get(found.group(1).upper() if found else "", "unknown")
        directive = self.schema.get_directive(name)
        allowed = [
            _LOCATION_NAMES[loc.name]
            for loc in (directive.locations if directive else ())
            if loc.name in _LOCATION_NAMES
        ]
        self.add(
            f"'@{name}' can't be applied to {target} (allowed: {', '.join(allowed)})",
            {"code": "directiveCannotBeApplied", "targetName": target, "name": name},
            node,
            node,
        )

    def _unused_variable(self, name: str, definition: Node) -> None:
        where = _find(self.document, definition)
        operation = where.definition
        self.add(
            f"Variable ${name} is declared by {_operation_name(where)} but not used",
            {"code": "variableNotUsed", "variableName": name},
            operation,
            operation,
            late=True,
        )

    def _scalar_leafs(self, error: GraphQLError, words: list[str], node: Node) -> None:
        field_node = node
        if not isinstance(node, FieldNode):  # graphql-core points at the selection set
            where = _find(self.document, node)
            field_node = next(
                (a for a in reversed(where.ancestors) if isinstance(a, FieldNode)), node
            )
        field, type_name = words[0], _bare(words[1])
        if "must not have a selection" in error.message:
            named = self.schema.get_type(type_name)
            kind = (
                "enums"
                if named is not None and not isinstance(named, GraphQLScalarType)
                else "scalars"
            )
            selection_set = getattr(field_node, "selection_set", None)
            names = [
                s.name.value
                for s in (selection_set.selections if selection_set else ())
                if isinstance(s, FieldNode)
            ]
            message = (
                f"Selections can't be made on {kind} (field '{field}' returns {type_name} "
                f"but has selections [{', '.join(names)}])"
            )
        else:
            message = (
                f"Field must have selections (field '{field}' returns {type_name} but has no "
                f"selections. Did you mean '{field} {{ ... }}'?)"
            )
        self.add(
            message,
            {"code": "selectionMismatch", "nodeName": f"field '{field}'", "typeName": type_name},
            field_node,
            field_node,
        )

    def _variable_position(self, definition: Node, usage: Node) -> None:
        assert isinstance(definition, VariableDefinitionNode)
        where = _find(self.document, usage)
        argument = next(
            (a for a in reversed(where.ancestors) if isinstance(a, ArgumentNode | ObjectFieldNode)),
            None,
        )
        declared = print_ast(definition.type)
        expected = self._expected_type(usage, where)
        kind = (
            "Nullability mismatch"
            if expected is not None and _bare(declared) == _bare(expected)
            else "Type mismatch"
        )
        name = definition.variable.name.value
        argument_name = argument.name.value if argument is not None else name
        self.add(
            f"{kind} on variable ${name} and argument {argument_name} "
            f"({declared} / {expected or '?'})",
            {
                "code": "variableMismatch",
                "variableName": name,
                "typeName": declared,
                "argumentName": argument_name,
                "errorMessage": kind,
            },
            argument or usage,
            argument or usage,
        )

    def _expected_type(self, usage: Node, where: _Where) -> str | None:
        type_info = TypeInfo(self.schema)
        found: list[str] = []

        class _Probe(Visitor):
            def enter_variable(self, node: VariableNode, *_: Any) -> None:
                if node is usage and type_info.get_input_type() is not None:
                    found.append(str(type_info.get_input_type()))

        if where.definition is not None:
            visit(where.definition, TypeInfoVisitor(type_info, _Probe()))
        return found[0] if found else None

    def _unknown_type(self, type_name: str, node: Node) -> None:
        where = _find(self.document, node)
        variable = next(
            (a for a in reversed(where.ancestors) if isinstance(a, VariableDefinitionNode)), None
        )
        if variable is not None:
            name = variable.variable.name.value
            self.add(
                f"{type_name} isn't a defined input type (on ${name})",
                {"code": "variableRequiresValidType", "typeName": type_name, "variableName": name},
                variable,
                variable,
            )
        else:
            self.add(
                f"No such type {type_name}, so it can't be a fragment condition",
                {"code": "undefinedType", "typeName": type_name},
                node,
                node,
            )


# -- literals: GraphQL-Ruby's ArgumentLiteralsAreCompatible and friends ---------------------


class _LiteralChecker(Visitor):
    """Checks inline argument values, innermost problem first, in GraphQL-Ruby's words."""

    def __init__(self, rewriter: _Rewriter, type_info: TypeInfo) -> None:
        super().__init__()
        self.rewriter = rewriter
        self.type_info = type_info
        self.field_stack: list[FieldNode | DirectiveNode] = []

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        self.field_stack.append(node)

    def leave_field(self, node: FieldNode, *_: Any) -> None:
        self.field_stack.pop()

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        self.field_stack.append(node)

    def leave_directive(self, node: DirectiveNode, *_: Any) -> None:
        self.field_stack.pop()

    def enter_argument(self, node: ArgumentNode, *_: Any) -> Any:
        argument = self.type_info.get_argument()
        if argument is None or not self.field_stack:
            return None
        owner = self.field_stack[-1]
        kind = "Directive" if isinstance(owner, DirectiveNode) else "Field"
        self._check(
            node.value,
            argument.type,
            _Slot(node, node.value, argument.type, kind, owner.name.value, owner),
        )
        return False  # nested values are checked by `_check`

    def _check(self, value: Any, type_: Any, slot: _Slot) -> bool:
        """Report the innermost problem of one argument value; True when one was reported."""
        if isinstance(value, VariableNode):
            return False
        nullable = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if isinstance(value, NullValueNode):
            if isinstance(type_, GraphQLNonNull):
                return self._invalid(slot)
            return False
        if isinstance(nullable, GraphQLList):
            items = value.values if isinstance(value, ListValueNode) else (value,)
            reported = False
            for item in items:
                reported = self._check(item, nullable.of_type, slot) or reported
            return reported
        if isinstance(nullable, GraphQLInputObjectType):
            if isinstance(value, ObjectValueNode):
                return self._check_object(value, nullable, slot)
            return self._invalid(slot)
        is_id = isinstance(nullable, GraphQLScalarType) and nullable.name == "ID"
        literal = value.value if isinstance(value, StringValueNode | IntValueNode) else None
        if is_id and literal is not None and not is_well_formed(literal):
            self.rewriter.add(
                f"Invalid global id '{literal}'",
                {"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"},
                slot.location,
                slot.argument,
            )
            return True
        if value_from_ast(value, nullable) is Undefined:
            return self._invalid(slot)
        return False

    def _invalid(self, slot: _Slot) -> bool:
        name = slot.argument.name.value
        self.rewriter.add(
            f"Argument '{name}' on {slot.kind} '{slot.owner}' has an invalid value "
            f"({print_ast(slot.value)}). Expected type '{slot.type}'.",
            {"code": "argumentLiteralsIncompatible", "typeName": slot.kind, "argumentName": name},
            slot.location,
            slot.argument,
        )
        return True

    def _check_object(
        self, value: ObjectValueNode, type_: GraphQLInputObjectType, slot: _Slot
    ) -> bool:
        reported = False
        given = {f.name.value: f for f in value.fields}
        for name, field in given.items():
            if name not in type_.fields:
                self.rewriter.add(
                    f"InputObject '{type_.name}' doesn't accept argument '{name}'",
                    {
                        "code": "argumentNotAccepted",
                        "name": type_.name,
                        "typeName": "InputObject",
                        "argumentName": name,
                    },
                    field,
                    field,
                )
                reported = True
                continue
            field_type = type_.fields[name].type
            inner = _Slot(field, field.value, field_type, "InputObject", type_.name, value)
            reported = self._check(field.value, field_type, inner) or reported
        for name, field_def in type_.fields.items():
            required = isinstance(field_def.type, GraphQLNonNull)
            if required and field_def.default_value is Undefined and name not in given:
                expected = str(field_def.type)
                self.rewriter.add(
                    f"Argument '{name}' on InputObject '{type_.name}' is required. "
                    f"Expected type {expected}",
                    {
                        "code": "missingRequiredInputObjectAttribute",
                        "argumentName": name,
                        "argumentType": expected,
                        "inputObjectType": type_.name,
                    },
                    value,
                    value,
                    # the path names the missing field itself (captures §2.4)
                    path=[*_path_of(self.rewriter.document, value), name],
                )
                reported = True
        return reported


@dataclass
class _Slot:
    """One argument (or input-object field) being checked, for GraphQL-Ruby's messages."""

    argument: ArgumentNode | ObjectFieldNode
    value: Any
    type: Any
    kind: str  # "Field", "Directive" or "InputObject"
    owner: str
    location: Node


# -- entry point ---------------------------------------------------------------------------


class _VariableUses(Visitor):
    """Names of variables used, split by whether they sit where Shopify rejected them: in a
    directive the schema does not define, or in an argument or input field the schema does
    not accept. GraphQL-Ruby drops those before counting uses, so such a variable is also
    reported unused (captures §2.4)."""

    def __init__(self, schema: GraphQLSchema, type_info: TypeInfo) -> None:
        super().__init__()
        self.schema = schema
        self.type_info = type_info
        self.rejected: list[bool] = []
        self.used: set[str] = set()
        self.in_rejected: set[str] = set()

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        self.rejected.append(self.schema.get_directive(node.name.value) is None)

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        info = self.type_info
        owner_known = info.get_directive() is not None or info.get_field_def() is not None
        self.rejected.append(info.get_argument() is None and owner_known)

    def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> None:
        self.rejected.append(
            self.type_info.get_parent_input_type() is not None
            and self.type_info.get_input_type() is None
        )

    def leave_directive(self, node: DirectiveNode, *_: Any) -> None:
        self.rejected.pop()

    def leave_argument(self, node: ArgumentNode, *_: Any) -> None:
        self.rejected.pop()

    def leave_object_field(self, node: ObjectFieldNode, *_: Any) -> None:
        self.rejected.pop()

    def enter_variable_definition(self, node: VariableDefinitionNode, *_: Any) -> Any:
        return False

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        (self.in_rejected if any(self.rejected) else self.used).add(node.name.value)


def _variables_used_only_where_rejected(
    schema: GraphQLSchema, document: DocumentNode
) -> list[VariableDefinitionNode]:
    """Declared variables whose only uses sit in rejected directives or arguments."""
    found: list[VariableDefinitionNode] = []
    fragments = [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        type_info = TypeInfo(schema)
        uses = _VariableUses(schema, type_info)
        for definition in [operation, *fragments]:
            visit(definition, TypeInfoVisitor(type_info, uses))
        for variable in operation.variable_definitions or ():
            name = variable.variable.name.value
            if name in uses.in_rejected and name not in uses.used:
                found.append(variable)
    return found


_REJECTING = frozenset({"undefinedDirective", "argumentNotAccepted"})


def validation_errors(schema: GraphQLSchema, document: DocumentNode) -> list[Error]:
    """Every static validation error of a document, as Shopify reports them (empty if valid).

    graphql-core validates; when it finds something, each rule is rerun alone to name the
    kind of each error. Inline argument values get GraphQL-Ruby's literal checks, which also
    catch malformed global ids that graphql-core's ``ID`` accepts.
    """
    rewriter = _Rewriter(schema, document)
    type_info = TypeInfo(schema)
    visit(document, TypeInfoVisitor(type_info, _LiteralChecker(rewriter, type_info)))
    if validate(schema, document):
        for rule in specified_rules:
            for error in validate(schema, document, rules=[rule]):
                rewriter.rewrite(rule, error)
    if any(e.error["extensions"].get("code") in _REJECTING for e in rewriter.out):
        for variable in _variables_used_only_where_rejected(schema, document):
            rewriter._unused_variable(variable.variable.name.value, variable)
    ordered = sorted(
        enumerate(rewriter.out),
        key=lambda pair: (pair[1].definition_index, pair[1].late, pair[1].offset, pair[0]),
    )
    return [shaped.error for _, shaped in ordered]
