"""Every case in ``tests/engine/cases/``, each written from the AWS page it names, decides as AWS documents."""

from __future__ import annotations

import pytest

from iam_tester.engine import Decision

from .casefiles import Case, load_cases

ALL_CASES = load_cases()
DOC_PREFIX = "https://docs.aws.amazon.com/"


def test_every_topic_has_cases() -> None:
    """The case files cover every topic the evaluator models."""
    topics = {case.file for case in ALL_CASES}
    expected = {
        "evaluation_basics",
        "conditions",
        "variables",
        "wildcards",
        "boundaries",
        "session_policies",
        "scps",
        "rcps",
        "resource_policies",
        "cross_account",
        "principals",
        "derived_context",
        "aws_protections",
        "partitions",
    }
    assert expected <= topics


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.id)
def test_case(case: Case) -> None:
    """The evaluator's decision (and deciding statements, where given) is the one the cited AWS page implies."""
    assert case.doc.startswith(DOC_PREFIX), f"{case.id} must name the AWS documentation page it comes from"
    evaluation = case.policy_set().evaluate(case.to_request())
    assert evaluation.decision is Decision(case.expect), evaluation.summary
    if case.deciding is not None:
        got = [f"{r.policy_type.value}:{r.policy}:{r.statement}" for r in evaluation.deciding]
        assert got == list(case.deciding), evaluation.summary
    if case.because is not None:
        assert case.because in evaluation.summary
    # The explanation, computed separately, tells the same story.
    explanation = evaluation.explain()
    assert explanation.decision is evaluation.decision
    assert explanation.deciding == evaluation.deciding
    for ref in evaluation.deciding:
        traces = [s for p in explanation.policies for s in p.statements if s.ref == ref]
        assert traces, f"{ref} is deciding but has no trace"
        assert all(t.applies for t in traces), f"{ref} is deciding but its trace says it does not apply"
