"""Point from a place in a parsed document (a JSON path) back to its line and column in the text.

Parsing uses the C ``json`` module; positions are only needed when something is wrong, so they are found
lazily. A lookup follows its path from the root: in each object or array on the way it records where the
children start, skipping their values with the C scanner, and stops at the child it wants; what it has
recorded serves the next lookup. Placing a finding in a suite of many megabytes costs a walk down one path,
not a pass over the file in Python. Only a document with repeated keys (an error, reported once) is
scanned whole.
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import json
import json.scanner
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from .describe import shown

if TYPE_CHECKING:  # PyYAML costs ~70 ms to import: only suite files (YAML) need it, and they import it anyway
    import yaml

__all__ = [
    "JsonSourceMap",
    "NoSourceMap",
    "PathPart",
    "PrefixedSourceMap",
    "SourceMap",
    "YamlSourceMap",
    "format_path",
]

_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")

PathPart = str | int

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_:\-]*\Z")


def format_path(parts: Sequence[object]) -> str:
    """Render ``("Statement", 0, "Condition", "IpAddress")`` as ``Statement[0].Condition.IpAddress``."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, bool) or part is None:
            out.append(f"[{json.dumps(part)}]")  # a key from Python or YAML, written as JSON would
        elif isinstance(part, int):
            out.append(f"[{part}]")
        elif not isinstance(part, str):
            out.append(f"[{shown(part)}]")
        elif _IDENTIFIER.match(part):
            out.append(f".{part}" if out else part)
        else:
            out.append(f"[{json.dumps(part)}]")
    return "".join(out)


class SourceMap(Protocol):
    """Answers where a JSON path starts in the original text, as 1-based (line, column)."""

    def position(self, path: Sequence[PathPart], *, key: bool = False) -> tuple[int, int] | None:
        """Where the value at ``path`` starts; with ``key=True``, where its key (the last part) starts."""
        ...


class NoSourceMap:
    """For documents given as Python objects: there is no text to point into."""

    def position(self, path: Sequence[PathPart], *, key: bool = False) -> tuple[int, int] | None:
        del path, key
        return None


@dataclass(frozen=True)
class PrefixedSourceMap:
    """Positions of a document embedded at ``prefix`` inside a larger one: a policy written inline in a
    suite file is located through the suite's map, while its findings keep paths relative to the policy."""

    inner: SourceMap
    prefix: tuple[PathPart, ...]

    def position(self, path: Sequence[PathPart], *, key: bool = False) -> tuple[int, int] | None:
        return self.inner.position((*self.prefix, *path), key=key)


_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")


@dataclass
class JsonSourceMap:
    """Positions in JSON text. The text must already have parsed with ``json.loads``."""

    text: str
    _values: dict[tuple[PathPart, ...], int] = field(default_factory=dict, init=False, repr=False)
    _keys: dict[tuple[PathPart, ...], int] = field(default_factory=dict, init=False, repr=False)
    _built: bool = field(default=False, init=False, repr=False)
    _line_starts: list[int] | None = field(default=None, init=False, repr=False)
    _duplicates: list[tuple[tuple[PathPart, ...], int]] = field(default_factory=list, init=False, repr=False)
    _children: dict[tuple[PathPart, ...], _Children] = field(default_factory=dict, init=False, repr=False)

    def duplicate_keys(self) -> list[tuple[tuple[PathPart, ...], tuple[int, int]]]:
        """Every key that repeats an earlier key of the same object, with where the repeat starts.

        ``json.loads`` keeps the last of duplicate keys without a word, so the first is silently lost. This
        scans the whole text (once); call it only when the parser saw a repeat.
        """
        if not self._built:
            self._build()
        return [(path, self._line_col(offset)) for path, offset in self._duplicates]

    def position(self, path: Sequence[PathPart], *, key: bool = False) -> tuple[int, int] | None:
        if self._built:
            offsets = self._keys if key else self._values
            offset = offsets.get(tuple(path))
            if offset is None and key:
                offset = self._values.get(tuple(path))
        else:
            found = self._follow(tuple(path))
            if found is None:
                return None
            key_offset, offset = found
            if key and key_offset is not None:
                offset = key_offset
        return None if offset is None else self._line_col(offset)

    def written(self, path: Sequence[PathPart]) -> str | None:
        """The text of the number at ``path`` as written — ``1E3``, where the data holds 1000.0 — or ``None``
        when the value there is not a number."""
        if self._built:
            offset = self._values.get(tuple(path))
        else:
            found = self._follow(tuple(path))
            offset = None if found is None else found[1]
        if offset is None:
            return None
        number = _JSON_NUMBER.match(self.text, offset)
        return None if number is None else number.group()

    def _follow(self, path: tuple[PathPart, ...]) -> tuple[int | None, int] | None:
        """(where the last key starts, where the value starts) for ``path``, walking down from the root.

        The first of repeated keys is taken: this runs only when the parser saw no repeat.
        """
        try:
            offset = _skip_ws(self.text, 0)
            key_offset: int | None = None
            for depth, part in enumerate(path):
                at = path[:depth]
                children = self._children.get(at)
                if children is None:
                    children = self._children[at] = _Children(self.text, offset)
                found = children.find(part)
                if found is None:
                    return None
                key_offset, offset = found
        except (ValueError, IndexError, RecursionError, StopIteration):
            return None  # text json.loads accepted but this walk does not: no position rather than a wrong one
        return key_offset, offset

    def _line_col(self, offset: int) -> tuple[int, int]:
        if self._line_starts is None:
            # The start of every line, once, at C speed: the lengths of the lines, accumulated.
            self._line_starts = [0, *itertools.accumulate(len(line) + 1 for line in self.text.split("\n"))]
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def _build(self) -> None:
        self._built = True
        # Text that json.loads accepted but this scanner does not (or nesting deeper than it recurses):
        # the positions found so far are right; the rest stay unknown.
        with contextlib.suppress(ValueError, IndexError, RecursionError):
            self._value(_WS.match(self.text, 0).end(), ())  # type: ignore[union-attr]

    def _value(self, pos: int, path: tuple[PathPart, ...]) -> int:
        self._values[path] = pos
        char = self.text[pos]
        if char == "{":
            return self._object(pos + 1, path)
        if char == "[":
            return self._array(pos + 1, path)
        if char == '"':
            return int(json.decoder.scanstring(self.text, pos + 1)[1])  # type: ignore[attr-defined]
        match = _SCALAR.match(self.text, pos)
        if not match:
            raise ValueError(pos)
        return match.end()

    def _skip(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()  # type: ignore[union-attr]

    def _object(self, pos: int, path: tuple[PathPart, ...]) -> int:
        pos = self._skip(pos)
        if self.text[pos] == "}":
            return pos + 1
        seen: set[str] = set()
        while True:
            key_start = pos
            key, pos = json.decoder.scanstring(self.text, pos + 1)  # type: ignore[attr-defined]
            child = (*path, key)
            if key in seen:
                self._duplicates.append((child, key_start))
            seen.add(key)
            # With duplicate keys, json.loads keeps the last one; so does this map.
            self._keys[child] = key_start
            pos = self._skip(self._skip(pos) + 1)  # past the colon
            pos = self._skip(self._value(pos, child))
            if self.text[pos] == "}":
                return pos + 1
            pos = self._skip(pos + 1)  # past the comma

    def _array(self, pos: int, path: tuple[PathPart, ...]) -> int:
        pos = self._skip(pos)
        if self.text[pos] == "]":
            return pos + 1
        index = 0
        while True:
            pos = self._skip(self._value(pos, (*path, index)))
            index += 1
            if self.text[pos] == "]":
                return pos + 1
            pos = self._skip(pos + 1)


# The C scanner (typeshed types make_scanner as a class): it skips a value at C speed.
_SCAN_ONCE = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


def _skip_ws(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()  # type: ignore[union-attr]


class _Children:
    """Where the children of one object or array start, recorded as far as lookups have needed."""

    def __init__(self, text: str, start: int) -> None:
        if text[start] not in "{[":
            raise ValueError(start)  # a scalar has no children
        self.text = text
        self.is_object = text[start] == "{"
        self.keys: dict[str, tuple[int, int]] = {}  # key -> (where the key starts, where its value starts)
        self.items: list[int] = []  # where each item of an array starts
        self.next: int | None = _skip_ws(text, start + 1)  # where the next unrecorded child starts
        if text[self.next] in "}]":
            self.next = None

    def find(self, part: PathPart) -> tuple[int | None, int] | None:
        if self.is_object:
            if not isinstance(part, str):
                return None
            while part not in self.keys and self.next is not None:
                self._object_child(self.next)
            return self.keys.get(part)
        if not isinstance(part, int) or isinstance(part, bool) or part < 0:
            return None
        while len(self.items) <= part and self.next is not None:
            self._array_child(self.next)
        return (None, self.items[part]) if part < len(self.items) else None

    def _object_child(self, key_start: int) -> None:
        text = self.text
        key, pos = json.decoder.scanstring(text, key_start + 1)  # type: ignore[attr-defined]
        value_start = _skip_ws(text, _skip_ws(text, pos) + 1)  # past the colon
        self.keys.setdefault(key, (key_start, value_start))
        self._after(_SCAN_ONCE(text, value_start)[1])

    def _array_child(self, start: int) -> None:
        self.items.append(start)
        self._after(_SCAN_ONCE(self.text, start)[1])

    def _after(self, end: int) -> None:
        pos = _skip_ws(self.text, end)
        self.next = None if self.text[pos] in "}]" else _skip_ws(self.text, pos + 1)  # past the comma


@dataclass(frozen=True)
class YamlSourceMap:
    """Positions from a composed YAML node (suite files, and documents written inline in them).

    A lookup follows the path from the root, looking only at the keys on the way: the graph is never
    walked whole, because YAML aliases can make it exponentially larger than the text (a "billion
    laughs"). Of equal keys in one mapping (merge keys, ``<<: *defaults``, put the merged ones first)
    the last counts, as it does when YAML builds the data.
    """

    node: yaml.Node

    def position(self, path: Sequence[PathPart], *, key: bool = False) -> tuple[int, int] | None:
        found = self._find(path)
        if found is None:
            return None
        key_node, node = found
        target = key_node if key and key_node is not None else node
        return target.start_mark.line + 1, target.start_mark.column + 1

    def written(self, path: Sequence[PathPart]) -> str | None:
        """The text of the plain (unquoted) scalar at ``path`` as written — ``0x10``, where the data holds 16 —
        or ``None`` when the value there is not a plain scalar."""
        import yaml

        found = self._find(path)
        if found is None or not isinstance(found[1], yaml.ScalarNode) or found[1].style:
            return None
        text: str = found[1].value
        return text

    def _find(self, path: Sequence[PathPart]) -> tuple[yaml.Node | None, yaml.Node] | None:
        """The key node (``None`` in a list) and the value node at ``path``."""
        import yaml

        node = self.node
        key_node = None
        for part in path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                found = None
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == part and k.tag != _YAML_MERGE:
                        found = (k, v)
                if found is None:
                    return None
                key_node, node = found
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                key_node, node = None, node.value[part]
            else:
                return None
        return key_node, node


_YAML_MERGE = "tag:yaml.org,2002:merge"
