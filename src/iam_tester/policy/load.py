"""Read policy documents from JSON text, files or Python objects into checked, normalised documents."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import Location, PolicyError
from .findings import Finding, Severity
from .grammar import analyse
from .jsontext import BOM, JsonTextError, load_json
from .model import PolicyDocument, PolicyKind
from .sourcemap import JsonSourceMap, NoSourceMap, PathPart, SourceMap
from .textfile import MIB, TextFileError, path_name, read_text_file

__all__ = [
    "ParsedText",
    "PolicyCheck",
    "check_policy",
    "check_policy_file",
    "check_policy_text",
    "load_policy_file",
    "parse_json_text",
    "parse_policy",
    "read_policy_file",
]

# No policy IAM takes comes near this (the largest, resource policies, are tens of kilobytes); the
# limit is there so that a wrong path (/dev/zero, a disk image) fails at once instead of filling memory.
POLICY_FILE_LIMIT = MIB


@dataclass(frozen=True)
class PolicyCheck:
    """The result of checking one document: the document when it is usable, and every finding."""

    name: str
    document: PolicyDocument | None
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    def raise_for_errors(self) -> PolicyDocument:
        """The document, or a :class:`PolicyError` describing the first error (all are in ``findings``)."""
        errors = self.errors
        if errors or self.document is None:
            first = errors[0]
            more = len(errors) - 1
            hint = f"{more} more error{'s' if more > 1 else ''}; " if more else ""
            hint += f"run `iam-tester validate {self.name}` to see every finding"
            raise PolicyError(first.message, location=first.location, code=first.code, hint=hint, findings=errors)
        return self.document


def check_policy(
    document: Any,
    *,
    kind: PolicyKind = PolicyKind.IDENTITY,
    name: str = "policy",
    source_map: SourceMap | None = None,
) -> PolicyCheck:
    """Check a parsed document (a dict, as from ``json.loads``). ``source_map`` locates findings, if known."""
    parsed, findings = analyse(document, kind=kind, name=name, source_map=source_map or NoSourceMap())
    return PolicyCheck(name=name, document=parsed, findings=tuple(findings))


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


def check_policy_text(text: str, *, kind: PolicyKind = PolicyKind.IDENTITY, name: str = "policy") -> PolicyCheck:
    """Check JSON text; invalid JSON is an ``invalid-json`` finding at the line and column where it breaks."""
    parsed = parse_json_text(text, name=name)
    if isinstance(parsed, Finding):
        return PolicyCheck(name=name, document=None, findings=(parsed,))
    document, findings = analyse(
        parsed.raw,
        kind=kind,
        name=name,
        source_map=parsed.source_map,
        text=text.removeprefix(BOM),
        duplicate_keys=parsed.duplicate_keys,
    )
    return PolicyCheck(name=name, document=document, findings=(*parsed.notes, *findings))


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


def check_policy_file(path: str | os.PathLike[str], *, kind: PolicyKind = PolicyKind.IDENTITY) -> PolicyCheck:
    """Check a JSON file; a file that cannot be read as text is an ``unreadable-file`` or
    ``invalid-encoding`` finding."""
    name = path_name(path)
    text = read_policy_file(path)
    if isinstance(text, Finding):
        return PolicyCheck(name=name, document=None, findings=(text,))
    return check_policy_text(text, kind=kind, name=name)


def parse_policy(
    document: Mapping[str, Any] | str,
    *,
    kind: PolicyKind = PolicyKind.IDENTITY,
    name: str = "policy",
) -> PolicyDocument:
    """A checked document from a dict or JSON text; raises :class:`PolicyError` when it is malformed."""
    if isinstance(document, str):
        return check_policy_text(document, kind=kind, name=name).raise_for_errors()
    given: object = document  # anything else than a mapping is a not-an-object error, never a TypeError
    raw = dict(given) if isinstance(given, Mapping) else given
    return check_policy(raw, kind=kind, name=name).raise_for_errors()


def load_policy_file(path: str | os.PathLike[str], *, kind: PolicyKind = PolicyKind.IDENTITY) -> PolicyDocument:
    """A checked document from a JSON file; raises :class:`PolicyError` when it is unreadable or malformed."""
    return check_policy_file(path, kind=kind).raise_for_errors()
