"""Point from a place in a parsed document (a JSON path) back to its line and column in the text.

Parsing uses the C ``json`` module; positions are only needed when something is wrong, so the index of
positions is built lazily, on the first lookup, by a small scanner over the same text.
"""

from __future__ import annotations

import bisect
import contextlib
import json
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
        target = key_node if key and key_node is not None else node
        return target.start_mark.line + 1, target.start_mark.column + 1


_YAML_MERGE = "tag:yaml.org,2002:merge"
