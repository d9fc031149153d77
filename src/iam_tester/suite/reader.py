"""Read a suite file's text into plain data plus a map back to lines, without a second parse.

YAML goes through libyaml (the C loader) when PyYAML was built with it. Timestamps are *not*
resolved: ``Version: 2012-10-17`` in an inline policy must stay the string IAM expects, not a date.
A ``.json`` file is read with the ``json`` module (strict and much faster for big generated suites);
its line map is only built if something is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import Location, SuiteError
from ..policy.sourcemap import JsonSourceMap, NoSourceMap, PathPart, SourceMap, YamlSourceMap, format_path

__all__ = ["SuiteText", "kind_of", "read_data_file"]

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Loader(_BaseLoader):  # type: ignore[misc]  # PyYAML's loaders are untyped C/Python hybrids
    """The safe loader without timestamp resolution (dates stay strings, as in JSON)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class SuiteText:
    """Where a suite's data came from: the file as the user should read it, its directory (policy paths
    are relative to it) and a map from a place in the data back to a line."""

    display: str
    directory: Path
    source_map: SourceMap

    def location(self, parts: Sequence[PathPart], *, key: bool = False) -> Location:
        position = self.source_map.position(parts, key=key)
        line, column = position if position else (None, None)
        return Location(self.display, format_path(parts), line, column)

    def error(
        self, message: str, parts: Sequence[PathPart], *, key: bool = False, hint: str | None = None
    ) -> SuiteError:
        """A :class:`SuiteError` at ``parts`` (a key's own position with ``key=True``), ready to raise."""
        return SuiteError(message, location=self.location(parts, key=key), hint=hint)


def read_data_file(path: Path, display: str) -> tuple[Any, SuiteText]:
    """The data in ``path`` (YAML, or JSON for ``.json``) and where it came from; ``display`` names it."""
    data, source_map = _read(path, display)
    return data, SuiteText(display, path.parent, source_map)


def _read(path: Path, display: str) -> tuple[Any, SourceMap]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SuiteError(f"cannot read the suite: {reason}", location=Location(display)) from None
    if path.suffix.lower() == ".json":
        return _read_json(text, display)
    return _read_yaml(text, display)


def _read_json(text: str, display: str) -> tuple[Any, SourceMap]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SuiteError(f"not valid JSON: {exc.msg}", location=Location(display, "", exc.lineno, exc.colno)) from None
    return data, JsonSourceMap(text)


def _read_yaml(text: str, display: str) -> tuple[Any, SourceMap]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        problem = exc.problem or "unexpected text"
        if exc.context:
            started = exc.context_mark
            where = f" at line {started.line + 1}" if started is not None and started is not mark else ""
            problem = f"{problem} ({exc.context}{where})"
        raise SuiteError(f"not valid YAML: {problem}", location=Location(display, "", line, column)) from None
    except yaml.YAMLError as exc:  # a reader error (bad characters) without a mark
        raise SuiteError(f"not valid YAML: {exc}", location=Location(display)) from None
    finally:
        loader.dispose()
    if node is None:
        return None, NoSourceMap()
    _no_duplicate_keys(node, display, (), depth=_DUPLICATE_DEPTH)
    return data, YamlSourceMap(node)


# YAML keeps the last of two equal keys without a word; in a suite that hides a mistake (a case with
# two `expect`s). Checked down to the keys of a case's `context`, `policies` and `call` (root, the
# `cases` list, a case, its mappings); deeper, inline policy documents are JSON-like and left as IAM
# reads them.
_DUPLICATE_DEPTH = 4


def _no_duplicate_keys(node: yaml.Node, display: str, parts: tuple[PathPart, ...], *, depth: int) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[object] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name is not None:
                if name in seen:
                    mark = key.start_mark
                    raise SuiteError(
                        f"the key {name!r} appears twice in one mapping; YAML would silently keep the last",
                        location=Location(display, format_path((*parts, name)), mark.line + 1, mark.column + 1),
                    )
                seen.add(name)
            if depth > 1 and name is not None:
                _no_duplicate_keys(value, display, (*parts, name), depth=depth - 1)
    elif isinstance(node, yaml.SequenceNode) and depth > 1:
        for index, item in enumerate(node.value):
            _no_duplicate_keys(item, display, (*parts, index), depth=depth - 1)


def kind_of(value: Any) -> str:
    """How an error message names the type of a parsed value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
