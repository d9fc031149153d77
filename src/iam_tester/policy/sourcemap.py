"""Point from a place in a parsed document (a JSON path) back to its line and column in the text.

Parsing uses the C ``json`` module; positions are only needed when something is wrong, so the index of
positions is built lazily, on the first lookup, by a small scanner over the same text.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

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

PathPart = str | int

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_:\-]*\Z")


def format_path(parts: Sequence[PathPart]) -> str:
    """Render ``("Statement", 0, "Condition", "IpAddress")`` as ``Statement[0].Condition.IpAddress``."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
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
    _line_starts: list[int] = field(default_factory=list, init=False, repr=False)
    _duplicates: list[tuple[tuple[PathPart, ...], int]] = field(default_factory=list, init=False, repr=False)

    def duplicate_keys(self) -> list[tuple[tuple[PathPart, ...], tuple[int, int]]]:
        """Every key that repeats an earlier key of the same object, with where the repeat starts.

        ``json.loads`` keeps the last of duplicate keys without a word, so the first is silently lost.
        """
        if not self._built:
            self._build()
        return [(path, self._line_col(offset)) for path, offset in self._duplicates]

    def position(self, path: Sequence[PathPart], *, key: bool = False) -> tuple[int, int] | None:
        if not self._built:
            self._build()
        offsets = self._keys if key else self._values
        offset = offsets.get(tuple(path))
        if offset is None and key:
            offset = self._values.get(tuple(path))
        return None if offset is None else self._line_col(offset)

    def _line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def _build(self) -> None:
        self._built = True
        self._line_starts = [0] + [m.end() for m in re.finditer(r"\n", self.text)]
        try:
            end = self._value(_WS.match(self.text, 0).end(), ())  # type: ignore[union-attr]
        except (ValueError, IndexError):
            return  # text that json.loads accepted but this scanner does not: positions stay unknown
        del end

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


@dataclass
class YamlSourceMap:
    """Positions from a composed YAML node (suite files, and documents written inline in them)."""

    node: yaml.Node
    _values: dict[tuple[PathPart, ...], tuple[int, int]] = field(default_factory=dict, init=False, repr=False)
    _keys: dict[tuple[PathPart, ...], tuple[int, int]] = field(default_factory=dict, init=False, repr=False)
    _built: bool = field(default=False, init=False, repr=False)

    def position(self, path: Sequence[PathPart], *, key: bool = False) -> tuple[int, int] | None:
        if not self._built:
            self._built = True
            for child_path, node, key_node in _walk(self.node, ()):
                self._values[child_path] = (node.start_mark.line + 1, node.start_mark.column + 1)
                if key_node is not None:
                    self._keys[child_path] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        found = (self._keys if key else self._values).get(tuple(path))
        if found is None and key:
            found = self._values.get(tuple(path))
        return found


def _walk(
    node: yaml.Node, path: tuple[PathPart, ...], key_node: yaml.Node | None = None
) -> Iterator[tuple[tuple[PathPart, ...], yaml.Node, yaml.Node | None]]:
    import yaml

    yield path, node, key_node
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            name: PathPart = k.value if isinstance(k, yaml.ScalarNode) else str(k.value)
            yield from _walk(v, (*path, name), k)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk(item, (*path, index))
