"""Validate a document found in a source as its kind, with every finding located in the source: the file,
the line (of the element in a template or snapshot, or of the string holding a plan's JSON), and a path that
names the object holding the document (``aws_iam_role.app assume_role_policy Statement[0].Principal``)."""

from __future__ import annotations

import dataclasses

from ..errors import Location
from ..policy import Finding, PolicyKind, ValidationReport, validate_policy
from ..policy.sourcemap import PrefixedSourceMap
from .inventory import SourcePolicy

__all__ = ["policy_name", "validate_source_policy"]


def policy_name(policy: SourcePolicy) -> str:
    """How reports and explanations name a source's document: a trust or resource policy by where it is
    (``aws_iam_role.app assume_role_policy``), an identity policy by its name and holder."""
    origin = policy.origin
    if policy.kind in (PolicyKind.TRUST, PolicyKind.RESOURCE):
        return origin.place()
    return origin.id if policy.name == origin.id else f"{policy.name} ({origin.id})"


def validate_source_policy(policy: SourcePolicy, *, catalog: bool = True) -> ValidationReport:
    """The validation report of ``policy`` as its kind, named ``SOURCE PLACE``, findings located in the source."""
    origin = policy.origin
    source_map = None if origin.embedded or not origin.parts else PrefixedSourceMap(origin.source_map, origin.parts)
    report = validate_policy(
        policy.document, kind=policy.kind, name=policy_name(policy), catalog=catalog, source_map=source_map
    )
    base = origin.location()
    findings = tuple(
        _located(finding, origin.file, origin.place(finding.location.path), base) for finding in report.findings
    )
    return dataclasses.replace(report, name=f"{origin.source} {origin.place()}", findings=findings)


def _located(finding: Finding, file: str, place: str, base: Location) -> Finding:
    line, column = finding.location.line, finding.location.column
    if line is None:
        line, column = base.line, base.column
    return dataclasses.replace(finding, location=Location(file, place, line, column))
