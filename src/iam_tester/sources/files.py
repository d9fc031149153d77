"""Read a source file: JSON strictly, with a map back to lines built only if something must be located, and
every way of failing turned into one located :class:`~iam_tester.errors.SourceError`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import Location, SourceError
from ..policy.jsontext import BOM, JsonTextError, load_json
from ..policy.sourcemap import JsonSourceMap, PathPart, SourceMap
from ..policy.textfile import MIB, TextFileError, read_text_file

__all__ = ["SOURCE_FILE_LIMIT", "read_json_file", "read_source_text", "source_error"]

# Plans and snapshots of large accounts run to tens of megabytes; the limit is there so that a wrong path
# (/dev/zero, a disk image) fails at once instead of filling memory.
SOURCE_FILE_LIMIT = 512 * MIB


def read_source_text(path: Path, display: str, what: str) -> str:
    """The text of ``path`` (``what`` names what it should be, for messages)."""
    try:
        text = read_text_file(path, limit=SOURCE_FILE_LIMIT, what=what)
    except TextFileError as exc:
        if exc.code == "unreadable-file":
            raise SourceError(f"cannot read the {what}: {exc.message}", location=Location(display)) from None
        raise SourceError(exc.message, location=Location(display, "", exc.line, exc.column)) from None
    return text.removeprefix(BOM)


def read_json_file(path: Path, display: str, what: str) -> tuple[Any, JsonSourceMap]:
    """The JSON value in ``path`` and a (lazily built) map from JSON paths to lines."""
    text = read_source_text(path, display, what)
    try:
        data = load_json(text)
    except JsonTextError as exc:
        hint = "the file ends before the JSON does: was it cut short?" if _truncated(text, exc) else None
        raise SourceError(
            f"not valid JSON: {exc.message}", location=Location(display, "", exc.line, exc.column), hint=hint
        ) from None
    return data, JsonSourceMap(text)


def source_error(
    message: str, display: str, source_map: SourceMap | None, parts: tuple[PathPart, ...], hint: str | None = None
) -> SourceError:
    """A :class:`SourceError` at ``parts`` in a source file, with its line when it can be found."""
    from ..policy.sourcemap import format_path

    position = source_map.position(parts) if source_map is not None else None
    line, column = position if position else (None, None)
    return SourceError(message, location=Location(display, format_path(parts), line, column), hint=hint)


def _truncated(text: str, exc: JsonTextError) -> bool:
    """Whether the text looks cut short: it stops on its last line without closing its outer brackets."""
    stripped = text.rstrip()
    return bool(stripped) and stripped[-1] not in "}]" and exc.line >= stripped.count("\n") + 1
