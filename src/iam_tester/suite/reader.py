"""Read a suite file's text into plain data plus a map back to lines, without a second parse.

YAML goes through :mod:`iam_tester.policy.yamltext` (the safe loader, bounded, without date conversion: see there).
A ``.json`` file is read with the ``json`` module, strictly (:mod:`iam_tester.policy.jsontext`), and
much faster for big generated suites; its line map is only built if something is wrong. Whatever the
file holds, reading it raises nothing but a located :class:`~iam_tester.errors.SuiteError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Location, SuiteError
from ..policy.describe import shown
from ..policy.jsontext import BOM, JsonTextError, load_json
from ..policy.sourcemap import JsonSourceMap, NoSourceMap, PathPart, SourceMap, YamlSourceMap, format_path
from ..policy.textfile import MIB, TextFileError, read_text_file

__all__ = ["SUITE_FILE_LIMIT", "SuiteText", "kind_of", "nonempty_kind", "read_data_file", "value_text"]

# Far above any hand-written or generated suite (20,000 cases are a few megabytes); there so that a
# wrong path (/dev/zero, a disk image) fails at once instead of filling memory.
SUITE_FILE_LIMIT = 256 * MIB


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

    def written(self, parts: Sequence[PathPart]) -> str | None:
        """The plain scalar at ``parts`` as the YAML text writes it, or the number as the JSON text does
        (``None`` for anything else)."""
        if isinstance(self.source_map, (YamlSourceMap, JsonSourceMap)):
            return self.source_map.written(parts)
        return None

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
        text = read_text_file(path, limit=SUITE_FILE_LIMIT, what="suite")
    except TextFileError as exc:
        if exc.code == "unreadable-file":
            hint = "give suite files, e.g. DIRECTORY/*.yaml" if path.is_dir() else None
            raise SuiteError(f"cannot read the suite: {exc.message}", location=Location(display), hint=hint) from None
        raise SuiteError(exc.message, location=Location(display, "", exc.line, exc.column)) from None
    # YAML allows a byte-order mark at the start, and JSON readers may skip it (RFC 8259, 8.1); columns
    # are counted without it, as an editor shows them.
    text = text.removeprefix(BOM)
    if path.suffix.lower() == ".json":
        return _read_json(text, display)
    return _read_yaml(text, display)


def _read_json(text: str, display: str) -> tuple[Any, SourceMap]:
    duplicated = False

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicated
        result = dict(pairs)
        duplicated = duplicated or len(result) != len(pairs)
        return result

    try:
        data = load_json(text, object_pairs_hook=pairs_hook)
    except JsonTextError as exc:
        location = Location(display, "", exc.line, exc.column)
        raise SuiteError(f"not valid JSON: {exc.message}", location=location) from None
    source_map = JsonSourceMap(text)
    if duplicated:
        # JSON, like YAML, keeps the last of two equal keys without a word (a case with two `expect`s);
        # the (lazily built) source map says where the repeat is.
        for parts, (line, column) in source_map.duplicate_keys()[:1]:
            raise SuiteError(
                f"the key {parts[-1]!r} appears twice in one object; JSON would silently keep the last",
                location=Location(display, format_path(parts), line, column),
            )
    return data, source_map


def _read_yaml(text: str, display: str) -> tuple[Any, SourceMap]:
    from ..policy.yamltext import load_yaml

    data, node = load_yaml(text, display)
    if node is None:
        return None, NoSourceMap()
    return data, YamlSourceMap(node)


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
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    # Only YAML's explicit tags (!!timestamp, !!binary, !!set) make anything else.
    return f"a value of type {type(value).__name__}"


def nonempty_kind(value: Any) -> str:
    """How a message names a value that should have been a non-empty string: "an empty string" (or a blank
    one) rather than "a string", which would read as no problem at all."""
    if isinstance(value, str) and not value.strip():
        return "a blank string" if value else "an empty string"
    return kind_of(value)


def value_text(value: Any) -> str:
    """A value from a suite as a message shows it: strings quoted, YAML's surprises said plainly."""
    if isinstance(value, bool):
        # YAML 1.1 reads unquoted yes/no/on/off/true/false as booleans: `expect: yes` is not a string.
        return f"the boolean {str(value).lower()} (YAML reads unquoted yes, no, on, off, true and false as booleans)"
    if value is None or isinstance(value, (list, tuple, dict)):
        return kind_of(value)
    return shown(value)
