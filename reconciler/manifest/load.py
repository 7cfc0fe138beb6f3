"""Reading manifest files: paths → files → YAML node trees that remember their lines.

Why compose and not construct: PyYAML's ``safe_load`` resolves plain scalars by YAML 1.1 rules
*before* anyone knows what a value is for, so ``countryCodeOfOrigin: NO`` (Norway) becomes
``False``, ``harmonizedSystemCode: 0621710`` becomes the octal ``205768`` and ``2024-01-05``
becomes a ``date``. It also keeps only the last of two equal keys and forgets line numbers.

So this module stops at PyYAML's *composer*: it builds the node graph (which has a mark, hence a
line, on every key and scalar) with every implicit resolver removed except the merge key ``<<``,
so no plain scalar is typed here. It converts that graph into our own small node types, keeping
each scalar's exact text and whether it was quoted, and keeping duplicate keys so they can be
reported with both lines. Turning text into numbers or booleans happens later, in
``resolve.py``, where the schema says what each place expects.

Aliases stay references in the composed graph, so an alias bomb ("billion laughs") costs nothing
to compose; its expanded size is measured before anything is copied, and refused when it is out
of proportion to what the file spells out.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reconciler.errors import Problem

YAML_SUFFIXES = (".yaml", ".yml")
CONFIG_NAME = "reconciler.yaml"  # never a manifest
MERGE_TAG = "tag:yaml.org,2002:merge"
_DEFAULT_TAGS = frozenset(
    {"tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", MERGE_TAG}
)
# Aliases may repeat what a file spells out, but not blow it up: the expanded tree may hold at
# most this many times the nodes written, plus a fixed allowance for small files.
ALIAS_EXPANSION_FACTOR = 10
ALIAS_EXPANSION_ALLOWANCE = 10_000
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 64  # a manifest nests 5 deep; anything near this is not a manifest
_TOO_DEEP = f"collections nest more than {MAX_DEPTH} levels deep; this is not a manifest"


# -- our node types ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scalar:
    text: str
    plain: bool  # False when quoted or a block scalar (| or >): then it is always a string
    line: int  # 1-based


@dataclass(frozen=True, slots=True)
class Entry:
    key: Node
    value: Node
    merged: bool = False  # came in through a `<<` merge key


@dataclass(frozen=True, slots=True)
class MappingNode:
    entries: tuple[Entry, ...]  # in file order; duplicate keys kept (resolve reports them)
    line: int


@dataclass(frozen=True, slots=True)
class SequenceNode:
    items: tuple[Node, ...]
    line: int


Node = Scalar | MappingNode | SequenceNode


@dataclass(frozen=True, slots=True)
class Document:
    """One manifest file as read: its display name, content hash and node tree (None if empty)."""

    file: str
    sha256: str
    root: Node | None


# -- finding files -------------------------------------------------------------------------------


def display_name(path: Path) -> str:
    return path.as_posix()


@dataclass(frozen=True, slots=True)
class Found:
    manifests: list[Path]
    configs: list[Path]  # files named reconciler.yaml that were named explicitly
    problems: list[Problem]


def discover(paths: list[Path]) -> Found:
    """Files named directly, then every *.yaml/*.yml under the directories named, each once.

    Directories are walked recursively in sorted order, skipping hidden entries (``.git``).
    A file called reconciler.yaml is a config file, never a manifest: walks skip it, and one
    named directly is returned among ``configs``. A path named twice is read once. Symbolic
    links to directories are not followed; a YAML name that is not a regular file (a named
    pipe, a socket, a device, a symbolic link that loops) is reported, never opened.
    """
    manifests: list[Path] = []
    configs: list[Path] = []
    seen: set[str] = set()
    problems: list[Problem] = []

    def add(path: Path, into: list[Path]) -> None:
        key = os.path.realpath(path)  # never raises, even on a loop (Path.resolve does)
        if key not in seen:
            seen.add(key)
            into.append(path)

    for path in paths:
        name = display_name(path)
        kind = file_kind(path)
        if kind == "directory":
            inside = sorted(_walk(path), key=lambda p: p.relative_to(path).as_posix())
            if not inside:
                problems.append(Problem(f"no *.yaml or *.yml files in directory {name}", name))
            for file in inside:
                kind = file_kind(file)
                if kind == "file":
                    add(file, manifests)
                else:
                    problems.append(Problem(_NOT_A_FILE[kind], display_name(file)))
        elif kind == "file":
            add(path, configs if path.name == CONFIG_NAME else manifests)
        else:
            problems.append(Problem(_NOT_A_FILE[kind], name))
    return Found(manifests, configs, problems)


_NOT_A_FILE: dict[str, str] = {
    "missing": "no such file or directory",
    "loop": "a symbolic link that loops (too many levels of symbolic links); fix or remove it",
    "fifo": "a named pipe (FIFO), not a regular file; manifests must be regular files",
    "socket": "a socket, not a regular file; manifests must be regular files",
    "device": "a device file, not a regular file; manifests must be regular files",
    "other": "not a regular file or directory",
}


def file_kind(path: Path) -> str:
    """What `path` is once symbolic links are followed: file, directory, or why it is neither."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "loop"
        return "missing" if exc.errno in (errno.ENOENT, errno.ENOTDIR) else "other"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "other"


def _walk(directory: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for file in files:
            if file.endswith(YAML_SUFFIXES) and not file.startswith(".") and file != CONFIG_NAME:
                yield Path(root) / file


# -- reading one file ----------------------------------------------------------------------------


def read(path: Path) -> tuple[Document | None, list[Problem]]:
    """Read and compose one file; problems carry file:line and say what to do."""
    data, problems = read_bytes(path)
    if data is None:
        return None, problems
    return parse(data, display_name(path))


def read_bytes(path: Path) -> tuple[bytes | None, list[Problem]]:
    """A regular file's bytes, within MAX_FILE_BYTES. Opened without blocking and checked
    after opening, so a named pipe or device put in a file's place is refused, never read."""
    name = display_name(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, [Problem(_NOT_A_FILE["loop"], name)]
        return None, [Problem(f"cannot read file: {exc.strerror or exc}", name)]
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            kind = file_kind(path)
            return None, [Problem(_NOT_A_FILE[kind if kind != "file" else "other"], name)]
        if info.st_size > MAX_FILE_BYTES:
            return None, [
                Problem(
                    f"file is {info.st_size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit; "
                    "split it",
                    name,
                    1,
                )
            ]
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            return stream.read(MAX_FILE_BYTES + 1), []
    except OSError as exc:
        return None, [Problem(f"cannot read file: {exc.strerror or exc}", name)]
    finally:
        os.close(descriptor)


def parse(data: bytes, name: str) -> tuple[Document | None, list[Problem]]:
    """Bytes → the file's node tree (None with problems when it cannot be read as YAML)."""
    digest = hashlib.sha256(data).hexdigest()
    text, problems = decode(data, name)
    if text is None:
        return None, problems
    return compose(text, name, digest)


def decode(data: bytes, name: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 text (a BOM is dropped), or why the bytes are not a YAML text file."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return None, [Problem("binary data (a NUL byte), not a YAML text file", name, line)]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Problem(
                f"not UTF-8 text (byte 0x{data[exc.start]:02x} at column {column}); "
                "save the file as UTF-8",
                name,
                line,
            )
        ]


def compose(text: str, name: str, digest: str) -> tuple[Document | None, list[Problem]]:
    """Text → our node tree, with every YAML-level refusal (syntax, tags, aliases, depth)."""
    try:
        composed = _compose(text)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, name)]
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
        return None, [_reader_problem(exc, text, name)]
    except (RecursionError, _TooDeep):
        return None, [Problem(_TOO_DEEP, name, 1)]
    if composed is None:
        return Document(name, digest, None), []
    try:
        root = _Converter(composed).convert()
    except _NodeError as exc:
        return None, [Problem(str(exc), name, exc.line)]
    except RecursionError:
        return None, [Problem(_TOO_DEEP, name, 1)]
    return Document(name, digest, root), []


_NO_IMPLICIT_TYPES: dict[Any, Any] = {"<": [(MERGE_TAG, re.compile(r"^(?:<<)$"))]}


class _Loader(yaml.SafeLoader):
    """SafeLoader's scanner, parser and composer with no implicit typing except `<<` merges."""

    yaml_implicit_resolvers = _NO_IMPLICIT_TYPES  # PyYAML's class-level table, replaced whole


_FastLoader: type[Any] | None = None
if yaml.__with_libyaml__:  # libyaml composes ~50x faster; same node graph, same resolvers

    class _CLoader(yaml.CSafeLoader):
        yaml_implicit_resolvers = _NO_IMPLICIT_TYPES

    _FastLoader = _CLoader


def parser_class() -> type[Any]:
    """The fastest loader class at hand (libyaml's when present), for its event stream."""
    return _FastLoader if _FastLoader is not None else _Loader


def _compose(text: str) -> yaml.Node | None:
    """The node graph of a one-document stream.

    libyaml when present, but only for input it reads cleanly and that nests no deeper than
    MAX_DEPTH (its composer recurses in C and would crash on absurd depth). Anything it
    refuses is composed again by the pure-Python loader, so that every error message is the
    same with or without libyaml.
    """
    if _FastLoader is not None:
        try:
            depth = _depth(text, _FastLoader)
            if depth <= MAX_DEPTH:
                return _run(_FastLoader, text)
        except yaml.YAMLError:
            pass  # the pure-Python loader below words the error
        else:
            raise _TooDeep(depth)
    return _run(_Loader, text)


def _run(loader_class: type[Any], text: str) -> yaml.Node | None:
    loader = loader_class(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


def _depth(text: str, loader_class: type[Any]) -> int:
    """How deep collections nest, counted up to MAX_DEPTH + 1 from the parser's events."""
    parser = loader_class(text)
    depth = deepest = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                deepest = max(deepest, depth)
                if deepest > MAX_DEPTH:
                    break
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    finally:
        parser.dispose()
    return deepest


class _TooDeep(Exception):
    def __init__(self, depth: int) -> None:
        super().__init__(depth)


_PROBLEM_REWRITES: tuple[tuple[str, str], ...] = (
    (
        "found character '\\t' that cannot start any token",
        "a tab character: YAML indentation must use spaces, not tabs",
    ),
    (
        "expected a single document in the stream",
        "more than one YAML document (---); put each manifest in its own file",
    ),
)


def _syntax_problem(exc: yaml.MarkedYAMLError, name: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    problem = exc.problem or "invalid YAML"
    for original, rewritten in _PROBLEM_REWRITES:
        if problem.startswith(original) or (exc.context or "").startswith(original):
            return Problem(rewritten, name, line)
    context = ""
    if exc.context:
        context = f" ({exc.context}"
        if exc.context_mark is not None and exc.context_mark.line + 1 != line:
            context += f" started at line {exc.context_mark.line + 1}"
        context += ")"
    return Problem(f"YAML syntax error: {problem}{context}", name, line)


def _reader_problem(exc: yaml.YAMLError, text: str, name: str) -> Problem:
    position = getattr(exc, "position", None)
    character = getattr(exc, "character", None)
    line = text.count("\n", 0, position) + 1 if isinstance(position, int) else 1
    if isinstance(character, str):
        return Problem(
            f"character U+{ord(character):04X} is not allowed in YAML; remove it", name, line
        )
    return Problem(f"YAML error: {exc}", name, line)


# -- composed graph → our nodes ------------------------------------------------------------------


class _NodeError(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class _Converter:
    """Copies the composed graph into our nodes, expanding aliases within a size budget."""

    def __init__(self, root: yaml.Node) -> None:
        self.root = root

    def convert(self) -> Node:
        written = self._count_written(self.root)
        expanded = self._expanded_size(self.root, {}, set())
        budget = ALIAS_EXPANSION_FACTOR * written + ALIAS_EXPANSION_ALLOWANCE
        if expanded > budget:
            raise _NodeError(
                f"anchors and aliases expand this file to {expanded:,} values from {written:,} "
                f"written (the limit is {budget:,}); refusing an alias bomb. Write the values "
                "out, or use fewer nested aliases",
                _line(self.root),
            )
        return self._node(self.root)

    @staticmethod
    def _count_written(root: yaml.Node) -> int:
        seen: set[int] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.extend(_children(node))
        return len(seen)

    def _expanded_size(self, node: yaml.Node, memo: dict[int, int], active: set[int]) -> int:
        key = id(node)
        if key in memo:
            return memo[key]
        if key in active:
            raise _NodeError(
                "an alias refers to the node that contains it (a recursive structure); "
                "manifests must be finite trees",
                _line(node),
            )
        active.add(key)
        total = 1 + sum(self._expanded_size(child, memo, active) for child in _children(node))
        active.discard(key)
        memo[key] = total
        return total

    def _node(self, node: yaml.Node) -> Node:
        line = _line(node)
        if node.tag not in _DEFAULT_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise _NodeError(
                f"explicit YAML tag {tag} is not supported; remove it "
                "(reconciler decides types from the manifest schema)",
                line,
            )
        if isinstance(node, yaml.ScalarNode):
            plain = not node.style  # None from PyYAML, "" from libyaml
            return Scalar(str(node.value), plain, line)
        if isinstance(node, yaml.SequenceNode):
            return SequenceNode(tuple(self._node(item) for item in node.value), line)
        assert isinstance(node, yaml.MappingNode)
        return MappingNode(self._entries(node), line)

    def _entries(self, node: yaml.MappingNode) -> tuple[Entry, ...]:
        explicit: list[Entry] = []
        merged: list[Entry] = []
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == MERGE_TAG:
                merged.extend(self._merge(value_node))
            else:
                explicit.append(Entry(self._node(key_node), self._node(value_node)))
        # Keys written in the mapping win over merged ones, as the merge-key spec says; among
        # several merged mappings the first one listed wins.
        names = {e.key.text for e in explicit if isinstance(e.key, Scalar)}
        for entry in merged:
            if isinstance(entry.key, Scalar) and entry.key.text not in names:
                names.add(entry.key.text)
                explicit.append(entry)
        return tuple(explicit)

    def _merge(self, value: yaml.Node) -> list[Entry]:
        sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
        entries: list[Entry] = []
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise _NodeError(
                    "a merge key (<<) takes a mapping or a list of mappings, e.g. <<: *defaults",
                    _line(source),
                )
            converted = self._node(source)
            assert isinstance(converted, MappingNode)
            entries.extend(Entry(e.key, e.value, merged=True) for e in converted.entries)
        return entries


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1
