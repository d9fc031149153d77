"""Read policy text: strict JSON with a map back to lines and columns, and files read safely as text.

Checking what was read is :mod:`.validate`'s job (and :mod:`.grammar`'s under it)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..errors import Location
from .findings import Finding, Severity
from .jsontext import BOM, JsonTextError, load_json
from .sourcemap import JsonSourceMap, PathPart
from .textfile import MIB, TextFileError, path_name, read_text_file

__all__ = ["POLICY_FILE_LIMIT", "ParsedText", "parse_json_text", "read_policy_file"]

# No policy IAM takes comes near this (the largest, resource policies, are tens of kilobytes); the
# limit is there so that a wrong path (/dev/zero, a disk image) fails at once instead of filling memory.
POLICY_FILE_LIMIT = MIB


@dataclass(frozen=True)
class ParsedText:
    """JSON text read for checking: the value, a map back into the text, the keys JSON dropped, and
    warnings about the text itself (a byte-order mark)."""

    raw: Any
    source_map: JsonSourceMap
    duplicate_keys: tuple[tuple[tuple[PathPart, ...], tuple[int, int]], ...]
    notes: tuple[Finding, ...] = ()


def parse_json_text(text: str, *, name: str) -> ParsedText | Finding:
    """Parse policy text; text that is not strict JSON is an ``invalid-json`` finding at the line and column
    where it breaks (``NaN``, lone surrogates and absurd nesting included, see :mod:`.jsontext`).

    A UTF-8 byte-order mark is skipped with a ``byte-order-mark`` warning: RFC 8259 (section 8.1) lets a
    parser ignore it, but a tool that sends the file to AWS as it is may have it rejected. Positions are
    counted without it, as an editor shows them.
    """
    notes: tuple[Finding, ...] = ()
    if text.startswith(BOM):
        text = text[1:]
        message = (
            "the file starts with a UTF-8 byte-order mark, which JSON does not allow (RFC 8259, section 8.1); "
            "tools that send the file as it is may have it rejected: save it without the mark"
        )
        notes = (Finding(Severity.WARNING, "byte-order-mark", message, Location(name, "", 1, 1)),)
    seen_duplicate = False

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal seen_duplicate
        result = dict(pairs)
        if len(result) != len(pairs):
            seen_duplicate = True
        return result

    try:
        raw = load_json(text, object_pairs_hook=pairs_hook)
    except JsonTextError as exc:
        location = Location(name, "", exc.line, exc.column)
        return Finding(Severity.ERROR, "invalid-json", f"not valid JSON: {exc.message}", location)
    source_map = JsonSourceMap(text)
    # Only when the parser saw a repeat is the (lazily built) source map asked where it is.
    duplicates = tuple(source_map.duplicate_keys()) if seen_duplicate else ()
    return ParsedText(raw=raw, source_map=source_map, duplicate_keys=duplicates, notes=notes)


def read_policy_file(path: str | os.PathLike[str], *, name: str | None = None) -> str | Finding:
    """The text of a policy file, or an ``unreadable-file`` finding (missing, a directory, too large ...)
    or an ``invalid-encoding`` one (not UTF-8, located at the first bad byte). ``name`` is how the
    finding names the file (default: the path)."""
    name = name or path_name(path)
    try:
        return read_text_file(path, limit=POLICY_FILE_LIMIT, what="policy")
    except TextFileError as exc:
        unreadable = exc.code == "unreadable-file"
        message = f"cannot read the policy file: {exc.message}" if unreadable else exc.message
        return Finding(Severity.ERROR, exc.code, message, Location(name, "", exc.line, exc.column))
