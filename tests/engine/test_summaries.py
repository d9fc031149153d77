"""An implicit deny's summary names a policy type that really did not allow, checked against every case file."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pytest

from iam_tester.engine import Decision, Outcome, PolicySet, PolicyType, Request
from iam_tester.policy import PolicyDocument, PolicyKind, parse_policy

from .casefiles import Case, load_cases

IMPLICIT = [case for case in load_cases() if case.expect == Decision.IMPLICIT_DENY.value]
SESSION = "arn:aws:sts::111122223333:assumed-role/app/worker"
QUEUE = "arn:aws:sqs:us-east-1:111122223333:q"


def _outcomes(case: Case) -> tuple[str, dict[tuple[PolicyType, int | None], Outcome]]:
    evaluation = case.policy_set().evaluate(case.to_request())
    explanation = evaluation.explain()
    outcomes: dict[tuple[PolicyType, int | None], Outcome] = {}
    for trace in explanation.policies:
        outcomes[(trace.policy_type, trace.level)] = trace.outcome
    return evaluation.summary, outcomes


@pytest.mark.parametrize("case", IMPLICIT, ids=lambda c: c.id)
def test_implicit_deny_summary_is_true(case: Case) -> None:
    """Whatever policy type the summary blames did not allow the request (per the explanation's traces)."""
    summary, outcomes = _outcomes(case)
    assert summary.startswith("implicitDeny: ")
    if "no identity-based policy allows" in summary:
        assert outcomes.get((PolicyType.IDENTITY, None)) is not Outcome.ALLOW, summary
    if "permissions boundary" in summary:
        assert outcomes[(PolicyType.BOUNDARY, None)] is not Outcome.ALLOW, summary
    if "the session policy" in summary and "does not allow" in summary:
        assert outcomes[(PolicyType.SESSION, None)] is not Outcome.ALLOW, summary
    level = re.search(r"SCPs at level (\d+)", summary)
    if level:
        assert outcomes[(PolicyType.SCP, int(level.group(1)))] is not Outcome.ALLOW, summary


def _doc(statements: Sequence[Mapping[str, object]], name: str, kind: PolicyKind) -> PolicyDocument:
    return parse_policy({"Version": "2012-10-17", "Statement": statements}, kind=kind, name=name)


ROLE_GRANT: list[dict[str, object]] = [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "sqs:*", "Resource": "*"}
]
S3_ONLY: list[dict[str, object]] = [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]


def test_a_role_grant_stopped_by_the_boundary_blames_the_boundary() -> None:
    """A resource policy naming the role ARN, capped by the boundary, blames the boundary, not the identity policy."""
    policy_set = PolicySet.compile(
        resource=_doc(ROLE_GRANT, "queue", PolicyKind.RESOURCE),
        boundary=_doc(S3_ONLY, "boundary.json", PolicyKind.BOUNDARY),
    )
    summary = policy_set.evaluate(Request("sqs:SendMessage", QUEUE, SESSION)).summary
    assert "permissions boundary boundary.json does not allow sqs:SendMessage" in summary
    assert "identity" not in summary


def test_a_role_grant_stopped_by_the_session_policy_blames_the_session_policy() -> None:
    """A resource policy naming the role ARN, capped by the session policy, blames the session policy."""
    policy_set = PolicySet.compile(
        resource=_doc(ROLE_GRANT, "queue", PolicyKind.RESOURCE),
        session=_doc(S3_ONLY, "session.json", PolicyKind.SESSION),
    )
    summary = policy_set.evaluate(Request("sqs:SendMessage", QUEUE, SESSION)).summary
    assert "session policy session.json does not allow" in summary
    assert "identity" not in summary


def test_boundary_blamed_when_the_identity_policy_allows() -> None:
    """With an identity allow and a silent boundary, the summary names the boundary."""
    policy_set = PolicySet.compile(
        identity=[_doc([{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}], "id", PolicyKind.IDENTITY)],
        boundary=_doc(S3_ONLY, "boundary.json", PolicyKind.BOUNDARY),
    )
    evaluation = policy_set.evaluate(Request("sqs:SendMessage", QUEUE, SESSION))
    assert evaluation.decision is Decision.IMPLICIT_DENY
    assert "permissions boundary boundary.json does not allow" in evaluation.summary


def test_null_mismatch_says_the_key_is_empty() -> None:
    """A Null false condition failing on an empty value says the value is empty, not that the key is missing."""
    condition = {"Null": {"dynamodb:Attributes": "false"}}
    identity = _doc(
        [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}], "id", PolicyKind.IDENTITY
    )
    request = Request(
        "dynamodb:GetItem", "*", "arn:aws:iam::111122223333:user/mary", context={"dynamodb:Attributes": ""}
    )
    evaluation = PolicySet.compile(identity=[identity]).evaluate(request)
    assert evaluation.decision is Decision.IMPLICIT_DENY
    (mismatch,) = evaluation.explain().policies[0].statements[0].mismatches
    assert mismatch.request_values == ("",)
    assert "wants the key present with a value, but it is empty" in mismatch.message
