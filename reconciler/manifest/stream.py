"""The common shape of a YAML file, typed in one pass over the parser's events.

Most manifests are plain nested mappings and lists of scalars: no anchors, aliases, merge keys,
tags, duplicate or empty keys, odd numbers, or absurd nesting. For those, this module builds the
typed value and the line of every place straight from the YAML parser's events (libyaml's when
the wheel has it), without the node tree, the converted copy and the walk over it that
``load.py`` + ``resolve.py`` make. What it builds is exactly what they would: the same value,
the same lines, no problems (a hypothesis test holds the two to each other).

Anything else (everything the node-tree path exists to catch or word well: syntax errors,
anchors and aliases, merges, tags, duplicate or empty or non-text keys, leading zeros, huge
numbers, nesting deeper than load.MAX_DEPTH, several documents, an empty file) makes `read`
return None, and the caller reads the file through the node tree instead, so every message is
the one that path gives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from .address import Pointer
from .load import MAX_DEPTH, Scalar, parser_class
from .resolve import MAX_DIGITS, NULLS, Resolved, fits, scalar
from .schema import Place, SchemaView

_SCALAR = yaml.ScalarEvent
_MAPPING_START = yaml.MappingStartEvent
_SEQUENCE_START = yaml.SequenceStartEvent
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_DOCUMENT_END = yaml.DocumentEndEvent
_STREAM_END = yaml.StreamEndEvent


_TEXT, _INTEGER, _OTHER = 0, 1, 2  # how a place types a plain scalar, most common first
_Member = tuple[Place, int]  # a mapping member's place, and how it types a plain scalar


class _Uncommon(Exception):
    """The file needs the node-tree path (see the module docstring)."""


def read(text: str, name: str, digest: str, view: SchemaView) -> Resolved | None:
    """The typed document, or None when the file is not of the common shape."""
    parser = parser_class()(text)
    try:
        return _Builder(parser, view).document(name, digest)
    except (_Uncommon, yaml.YAMLError):
        return None
    finally:
        parser.dispose()


class _Builder:
    def __init__(self, parser: Any, view: SchemaView) -> None:
        self.next: Callable[[], Any] = parser.get_event
        self.view = view
        self.lines: dict[Pointer, int] = {}
        self.unfit: dict[Pointer, Scalar] = {}  # see Resolved.node
        self.members: dict[int, dict[str, _Member]] = {}  # by id(place), then key

    def document(self, name: str, digest: str) -> Resolved:
        self.next()  # StreamStartEvent
        start = self.next()
        if not isinstance(start, yaml.DocumentStartEvent):
            raise _Uncommon  # an empty file: the node-tree path words it
        root_event = self.next()
        line = root_event.start_mark.line + 1
        self.lines[()] = line
        value = self.value(root_event, self.view.top(), (), 1)
        if not isinstance(self.next(), _DOCUMENT_END) or not isinstance(self.next(), _STREAM_END):
            raise _Uncommon  # a second document
        return Resolved(name, digest, value, self.view, self.lines, unfit=self.unfit)

    def value(self, event: Any, place: Place, pointer: Pointer, depth: int) -> Any:
        """The value starting at `event` (its children are read from the parser)."""
        kind = event.__class__
        if event.anchor is not None or event.tag is not None:
            raise _Uncommon
        if kind is _SCALAR:
            return self.scalar(event, place, pointer)
        if depth > MAX_DEPTH:
            raise _Uncommon
        if kind is _MAPPING_START:
            return self.mapping(place, pointer, depth)
        if kind is _SEQUENCE_START:
            return self.sequence(place, pointer, depth)
        raise _Uncommon  # an alias

    def mapping(self, place: Place, pointer: Pointer, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        lines, read_next = self.lines, self.next
        members = self.members.get(id(place))
        if members is None:
            members = self.members[id(place)] = {}
        while True:
            key: Any = read_next()
            if key.__class__ is not _SCALAR:
                if isinstance(key, _ENDS):
                    return out
                raise _Uncommon  # a key that is a mapping or a list, or an alias
            name = key.value
            if (
                key.anchor is not None
                or key.tag is not None
                or name in out
                or (not key.style and (name in NULLS or name == "<<"))
            ):
                raise _Uncommon
            child = pointer + (name,)
            mark: Any = key.start_mark
            lines[child] = mark.line + 1
            member = members.get(name)
            if member is None:
                member = members[name] = self._member(place, name)
            event: Any = read_next()
            if event.__class__ is not _SCALAR:
                out[name] = self.value(event, member[0], child, depth + 1)
                continue
            if event.anchor is not None or event.tag is not None:
                raise _Uncommon
            text, how = event.value, member[1]
            # The two most common cases spelled out (this runs a million times); `scalar`
            # does the rest, and would type these two the same.
            if how == _TEXT and (event.style or text not in NULLS):
                out[name] = text
            elif (
                how == _INTEGER
                and not event.style
                and text.isdigit()
                and text.isascii()
                and text[0] != "0"
                and len(text) <= MAX_DIGITS
            ):
                out[name] = int(text)
            else:
                out[name] = self.scalar(event, member[0], child)

    def scalar(self, event: Any, place: Place, pointer: Pointer) -> Any:
        if event.anchor is not None or event.tag is not None:
            raise _Uncommon
        text, plain = event.value, not event.style
        typed, problem = scalar(text, plain, place.types)
        if problem is not None:
            raise _Uncommon
        if not fits(typed, place.types):  # a type error to come: keep it as written
            self.unfit[pointer] = Scalar(text, plain, event.start_mark.line + 1)
        return typed

    def _member(self, place: Place, name: str) -> _Member:
        inner = self.view.member(place, name)
        types = inner.types
        if "string" in types and "boolean" not in types:
            return inner, _TEXT
        if "integer" in types and not types & {"string", "boolean", "number"}:
            return inner, _INTEGER
        return inner, _OTHER

    def sequence(self, place: Place, pointer: Pointer, depth: int) -> list[Any]:
        out: list[Any] = []
        element = self.view.element(place)
        lines, read_next = self.lines, self.next
        while True:
            event = read_next()
            if isinstance(event, _ENDS):
                return out
            child = pointer + (len(out),)
            lines[child] = event.start_mark.line + 1
            out.append(self.value(event, element, child, depth + 1))
