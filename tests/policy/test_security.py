"""Security findings: every risky document in the corpus draws exactly its findings, and every well-scoped one
(the patterns the AWS documentation recommends) draws none."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iam_tester.policy import PolicyKind, validate_policy_file

CORPUS = Path(__file__).parent / "corpus" / "security"
INDEX: dict[str, dict[str, Any]] = json.loads((CORPUS / "index.json").read_text(encoding="utf-8"))


def test_every_security_corpus_file_is_indexed() -> None:
    """Each document in the security corpus has an index entry, and each entry has its document."""
    for group in ("risky", "scoped"):
        assert sorted(p.name for p in (CORPUS / group).glob("*.json")) == sorted(INDEX[group])


@pytest.mark.parametrize("name", sorted(INDEX["risky"]))
def test_risky_document(name: str) -> None:
    """A risky document draws exactly its indexed warnings, each located and saying what could happen."""
    expected = INDEX["risky"][name]
    report = validate_policy_file(CORPUS / "risky" / name, kind=PolicyKind(expected["type"]))
    assert report.errors == ()
    assert [f.code for f in report.warnings] == expected["warnings"]
    for finding in report.warnings:
        assert finding.location.line is not None
        assert len(finding.message) > 60


@pytest.mark.parametrize("name", sorted(INDEX["scoped"]))
def test_well_scoped_document(name: str) -> None:
    """A well-scoped document (default key policy, org-scoped grant, OIDC trust with a subject...) draws nothing."""
    expected = INDEX["scoped"][name]
    report = validate_policy_file(CORPUS / "scoped" / name, kind=PolicyKind(expected["type"]))
    assert report.findings == ()
