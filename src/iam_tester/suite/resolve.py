"""Turn the policy references a suite makes into checked documents.

A reference is a path (relative to the suite file), an inline document, or ``{name, file}`` /
``{name, document}``. Every document is validated by :mod:`iam_tester.policy` with the kind of its slot
(an SCP is checked as an SCP), so the grammar and the catalog checks live in one place: an error stops
the run, a warning (a typo'd action, a key the action never sees) is kept for the report. A file is read
and checked once per kind and name, however many suites and cases name it; a finding inside an inline
document is reported at its line in the suite.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from .._text import count
from ..errors import Location, PolicyError, SuiteError
from ..policy import Finding, PolicyDocument, PolicyKind, validate_policy, validate_policy_file
from ..policy.sourcemap import PathPart, PrefixedSourceMap, format_path
from ..policy.textfile import display_path
from .reader import SuiteText, kind_of, nonempty_kind

__all__ = ["PolicyResolver", "display_path"]

_REF_KEYS = ("name", "file", "document")


class PolicyResolver:
    """Resolves references to documents; shared by every suite of a run so each file is read once.

    ``catalog=False`` skips the IAM catalog checks (grammar errors still stop the run).
    """

    def __init__(self, *, catalog: bool = True) -> None:
        self._files: dict[tuple[str, PolicyKind, str | None], PolicyDocument] = {}
        self._catalog = catalog
        self._warnings: list[Finding] = []
        self._paths: list[str] = []

    @property
    def catalog(self) -> bool:
        """Whether the IAM catalog checks run (of the policies, and of the cases: see :mod:`.case_checks`)."""
        return self._catalog

    def take_warnings(self) -> tuple[Finding, ...]:
        """The warnings found since the last call (a file's only when it was first read)."""
        warnings, self._warnings = tuple(self._warnings), []
        return warnings

    def take_paths(self) -> tuple[str, ...]:
        """The policy files named since the last call (absolute paths; also those read before)."""
        paths, self._paths = tuple(self._paths), []
        return paths

    def resolve(self, raw: Any, kind: PolicyKind, text: SuiteText, parts: Sequence[PathPart]) -> PolicyDocument:
        """The document ``raw`` (found at ``parts`` in ``text``) refers to, checked as ``kind``."""
        if isinstance(raw, str):
            return self._file(raw, None, kind, text, parts)
        if isinstance(raw, dict) and ("file" in raw or "document" in raw):
            return self._named(raw, kind, text, parts)
        if isinstance(raw, dict):
            return self._inline(raw, format_path(parts), kind, text, parts)
        raise text.error(
            f"a policy is a file path, an inline document, or {{name, file}} / {{name, document}}, not {kind_of(raw)}",
            parts,
        )

    def _named(
        self, raw: dict[Any, Any], kind: PolicyKind, text: SuiteText, parts: Sequence[PathPart]
    ) -> PolicyDocument:
        for key in raw:
            if key not in _REF_KEYS:
                raise text.error(
                    f"unknown key {key!r} in a policy reference; allowed: {', '.join(_REF_KEYS)}",
                    (*parts, key),
                    key=True,
                    hint="an inline document goes under `document:`",
                )
        if "file" in raw and "document" in raw:
            raise text.error("a policy reference has `file` or `document`, not both", (*parts, "document"), key=True)
        name = raw.get("name")
        if name is not None and (not isinstance(name, str) or not name):
            raise text.error("a policy's name must be a non-empty string", (*parts, "name"))
        if "file" in raw:
            return self._file(raw["file"], name, kind, text, (*parts, "file"))
        document = raw["document"]
        if not isinstance(document, dict):
            raise text.error(
                f"`document` must be a policy document (a mapping), not {kind_of(document)}", (*parts, "document")
            )
        return self._inline(document, name or format_path(parts), kind, text, (*parts, "document"))

    def _file(
        self, raw: Any, name: str | None, kind: PolicyKind, text: SuiteText, parts: Sequence[PathPart]
    ) -> PolicyDocument:
        if not isinstance(raw, str) or not raw.strip():
            raise text.error(f"a policy file path must be a non-empty string, not {nonempty_kind(raw)}", parts)
        if "\0" in raw:
            raise text.error("a policy file path may not contain a NUL character", parts)
        path = text.directory / os.path.expanduser(raw)
        key = (os.path.abspath(path), kind, name)
        self._paths.append(key[0])
        cached = self._files.get(key)
        if cached is not None:
            return cached
        display = display_path(path)
        report = validate_policy_file(display, kind=kind, catalog=self._catalog)
        try:
            document = report.raise_for_errors()
        except PolicyError as exc:
            raise _from_file_error(exc, display, text.location(parts), text.directory) from None
        self._warnings.extend(report.warnings)
        if name is not None:
            document = dataclasses.replace(document, name=name)
        self._files[key] = document
        return document

    def _inline(
        self, raw: dict[Any, Any], name: str, kind: PolicyKind, text: SuiteText, parts: Sequence[PathPart]
    ) -> PolicyDocument:
        report = validate_policy(
            raw,
            kind=kind,
            name=name,
            source_map=PrefixedSourceMap(text.source_map, tuple(parts)),
            catalog=self._catalog,
        )
        self._warnings.extend(_in_suite(finding, text, parts) for finding in report.warnings)
        errors = report.errors
        if report.document is not None and not errors:
            return report.document
        first = errors[0]
        location = _in_suite(first, text, parts).location
        more = len(errors) - 1
        hint = f"{count(more, 'more error')} in this {kind.value} policy" if more else None
        raise PolicyError(first.message, location=location, code=first.code, hint=hint, findings=errors)


def _in_suite(finding: Finding, text: SuiteText, parts: Sequence[PathPart]) -> Finding:
    """A finding of a policy written inline in a suite, located in the suite file: its path from the
    suite's root, its line and column in the suite."""
    prefix = format_path(parts)
    inner = finding.location.path
    joined = prefix if not inner else (f"{prefix}{inner}" if inner.startswith("[") else f"{prefix}.{inner}")
    location = Location(text.display, joined, finding.location.line, finding.location.column)
    return dataclasses.replace(finding, location=location)


def _from_file_error(exc: PolicyError, display: str, used_at: Location, directory: Path) -> Exception:
    """Say where the suite names a file whose policy is unreadable or malformed."""
    first = cast(Finding, exc.findings[0]) if exc.findings else None
    if exc.code == "unreadable-file":
        reason = first.message if first else exc.message
        return SuiteError(
            f"{reason}: {display}",
            location=used_at,
            hint=f"policy paths are relative to the suite's directory ({display_path(directory)})",
        )
    message = first.message if first else exc.message
    hint = f"the suite names this file at {used_at}"
    if exc.hint:
        hint = f"{exc.hint}; {hint}"
    return PolicyError(message, location=exc.location, code=exc.code, hint=hint, findings=exc.findings)
