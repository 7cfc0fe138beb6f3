"""The `reconciler` commands a CI script runs, found in shell text and checked against the CLI.

Commands are found with shlex (quotes respected, operators split off), so `x=$(reconciler …)`,
`reconciler … || status=$?` and multi-line commands with backslashes are all seen. Each is
then parsed by click itself (`make_context` on the real command tree, `reconciler.cli.main`):
an unknown command, an unknown or misspelt flag, a bad choice or a missing argument fails
exactly as it would in CI.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping

import click

from reconciler.cli import main

_OPERATORS = {";", "&&", "||", "|", "(", ")", "&", ";;", "|&"}
_KEYWORDS = {"if", "then", "else", "elif", "do", "while", "until", "!", "time", "exec", "{", "}"}
_REDIRECT = re.compile(r"^[0-9]*[<>]+&?$")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def _simple_commands(script: str) -> list[list[str]]:
    lexer = shlex.shlex(script, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands: list[list[str]] = []
    current: list[str] = []
    skip_next = False
    for token in lexer:
        if skip_next:
            skip_next = False
            continue
        if token in _OPERATORS or token == "\n":
            commands.append(current)
            current = []
        elif _REDIRECT.match(token):
            skip_next = True  # the redirection's target
        else:
            current.append(token)
    commands.append(current)
    return [c for c in commands if c]


def reconciler_commands(script: str, env: Mapping[str, str] | None = None) -> list[list[str]]:
    """The arguments of every `reconciler` command in a shell script, variables expanded."""
    found = []
    for line in script.replace("\\\n", " ").split("\n"):
        for words in _simple_commands(line):
            while words and (words[0] in _KEYWORDS or _ASSIGNMENT.match(words[0])):
                words = words[1:]
            if words and words[0] == "reconciler":
                found.append([_expand(w, env or {}) for w in words[1:]])
    return found


def _expand(word: str, env: Mapping[str, str]) -> str:
    return _VARIABLE.sub(lambda m: env.get(m.group(1) or m.group(2), m.group(0)), word)


def check(args: list[str]) -> str:
    """Parse `reconciler ARGS` with the real CLI; returns the command path, raises on misuse."""
    command: click.Command = main
    ctx = command.make_context("reconciler", list(args))
    path = ["reconciler"]
    while isinstance(command, click.Group):
        rest = [*getattr(ctx, "_protected_args", []), *ctx.args]
        if not rest:
            break
        name, sub, rest = command.resolve_command(ctx, rest)
        assert name is not None and sub is not None
        ctx = sub.make_context(name, rest, parent=ctx)
        command, path = sub, [*path, name]
    return " ".join(path)
