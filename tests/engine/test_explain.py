"""Explanations are data: per policy type, per statement, with what failed and the context used."""

from __future__ import annotations

import json
from typing import Any

from iam_tester.engine import Decision, Outcome, PolicySet, PolicyType, Request
from iam_tester.policy import PolicyKind, parse_policy

USER = "arn:aws:iam::111122223333:user/alice"


def _doc(statements: list[dict[str, Any]], name: str, kind: PolicyKind = PolicyKind.IDENTITY) -> Any:
    return parse_policy({"Version": "2012-10-17", "Statement": statements}, kind=kind, name=name)


def test_failed_condition_names_key_operator_and_values() -> None:
    """A condition that fails is reported with its key, operator, the policy's values and the request's."""
    policy = _doc(
        [{"Sid": "Office", "Effect": "Allow", "Action": "*", "Resource": "*",
          "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}],
        "dev.json",
    )  # fmt: skip
    evaluation = PolicySet.compile(identity=[policy]).evaluate(
        Request("s3:GetObject", "*", USER, context={"aws:SourceIp": "198.51.100.7"})
    )
    assert evaluation.decision is Decision.IMPLICIT_DENY
    (trace,) = evaluation.explain().policies
    assert trace.policy_type is PolicyType.IDENTITY
    assert trace.outcome is Outcome.NO_MATCH
    (statement,) = trace.statements
    assert statement.ref.statement == "Office"
    assert not statement.applies
    (mismatch,) = statement.mismatches
    assert (mismatch.element, mismatch.key, mismatch.operator) == ("Condition", "aws:SourceIp", "IpAddress")
    assert mismatch.policy_values == ("203.0.113.0/24",)
    assert mismatch.request_values == ("198.51.100.7",)
    assert "198.51.100.7" in mismatch.message


def test_missing_key_is_reported_as_missing() -> None:
    """A key absent from the request shows as ``None`` request values and says so."""
    policy = _doc([{"Effect": "Allow", "Action": "*", "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}}}], "p")  # fmt: skip
    statement = PolicySet.compile(identity=[policy]).evaluate(Request("s3:GetObject", "*", USER)).explain()
    (mismatch,) = statement.policies[0].statements[0].mismatches
    assert mismatch.request_values is None
    assert "not in the request context" in mismatch.message
    assert mismatch.to_dict()["requestValues"] is None


def test_resolved_variables_are_shown() -> None:
    """A condition with a variable shows the substituted values and each variable's value."""
    policy = _doc(
        [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
          "Condition": {"StringLike": {"s3:prefix": ["${aws:username}/*", "${aws:PrincipalTag/team}/*"]}}}],
        "p",
    )  # fmt: skip
    evaluation = PolicySet.compile(identity=[policy]).evaluate(
        Request("s3:ListBucket", "arn:aws:s3:::b", USER, context={"s3:prefix": "bob/x"})
    )
    (mismatch,) = evaluation.explain().policies[0].statements[0].mismatches
    assert mismatch.policy_values == ("alice/*", "${aws:PrincipalTag/team}/*")
    assert dict(mismatch.variables) == {"${aws:username}": "alice", "${aws:PrincipalTag/team}": None}
    assert "has no value" in mismatch.message


def test_resource_mismatch_shows_substituted_patterns() -> None:
    """A Resource that does not match is reported with its patterns after substitution."""
    policy = _doc(
        [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"}], "p"
    )
    evaluation = PolicySet.compile(identity=[policy]).evaluate(Request("s3:GetObject", "arn:aws:s3:::home/bob/x", USER))
    (mismatch,) = evaluation.explain().policies[0].statements[0].mismatches
    assert mismatch.element == "Resource"
    assert mismatch.policy_values == ("arn:aws:s3:::home/alice/*",)
    assert mismatch.variables == (("${aws:username}", "alice"),)


def test_every_failing_element_is_listed() -> None:
    """A statement failing on action, resource and a condition lists all three reasons."""
    policy = _doc([{"Effect": "Allow", "Action": "ec2:*", "Resource": "arn:aws:ec2:*:*:instance/*",
                    "Condition": {"Bool": {"aws:SecureTransport": "true"}}}], "p")  # fmt: skip
    evaluation = PolicySet.compile(identity=[policy]).evaluate(Request("s3:GetObject", "arn:aws:s3:::b/k", USER))
    elements = [m.element for m in evaluation.explain().policies[0].statements[0].mismatches]
    assert elements == ["Action", "Resource", "Condition"]


def test_context_includes_derived_keys_with_their_spelling() -> None:
    """The effective context lists the keys derived from the caller and the given ones as written."""
    evaluation = PolicySet.compile().evaluate(Request("s3:GetObject", "*", USER, context={"AWS:SourceIp": "192.0.2.1"}))
    context = dict(evaluation.explain().context)
    assert context["aws:username"] == ("alice",)
    assert context["aws:PrincipalArn"] == (USER,)
    assert context["aws:PrincipalType"] == ("User",)
    assert context["aws:PrincipalAccount"] == ("111122223333",)
    assert context["AWS:SourceIp"] == ("192.0.2.1",)


def test_types_and_notes_when_a_resource_policy_grants_directly() -> None:
    """When a resource policy names the session, the boundary's silence is shown as not limiting, with a note."""
    session_arn = "arn:aws:sts::111122223333:assumed-role/app/s1"
    resource = _doc(
        [
            {
                "Sid": "S",
                "Effect": "Allow",
                "Principal": {"AWS": session_arn},
                "Action": "sqs:SendMessage",
                "Resource": "*",
            }
        ],
        "queue",
        PolicyKind.RESOURCE,
    )
    boundary = _doc([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}], "boundary.json", PolicyKind.BOUNDARY)
    evaluation = PolicySet.compile(boundary=boundary, resource=resource).evaluate(
        Request("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q", session_arn)
    )
    assert evaluation.decision is Decision.ALLOWED
    traces = {t.policy_type: t for t in evaluation.explain().policies}
    assert traces[PolicyType.RESOURCE].outcome is Outcome.ALLOW
    assert traces[PolicyType.BOUNDARY].outcome is Outcome.NO_MATCH
    note = traces[PolicyType.BOUNDARY].note
    assert note is not None
    assert "does not limit" in note


def test_rcp_levels_show_the_implied_full_access() -> None:
    """Each RCP level's trace starts with the implied RCPFullAWSAccess, which applies."""
    rcp = _doc([{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}], "rcp.json", PolicyKind.RCP)
    identity = _doc([{"Effect": "Allow", "Action": "*", "Resource": "*"}], "p")
    evaluation = PolicySet.compile(identity=[identity], rcps=[[rcp], []]).evaluate(Request("s3:GetObject", "*", USER))
    rcp_traces = [t for t in evaluation.explain().policies if t.policy_type is PolicyType.RCP]
    assert [t.level for t in rcp_traces] == [0, 1]
    for trace in rcp_traces:
        assert trace.outcome is Outcome.ALLOW
        assert trace.statements[0].ref.policy == "RCPFullAWSAccess"
        assert trace.statements[0].applies


def test_scps_are_marked_not_applied_for_a_service() -> None:
    """For a service principal the SCP levels are shown as not applied, with the reason."""
    scp = _doc([{"Effect": "Deny", "Action": "*", "Resource": "*"}], "scp.json", PolicyKind.SCP)
    evaluation = PolicySet.compile(scps=[[scp]]).evaluate(Request("s3:PutObject", "*", "cloudtrail.amazonaws.com"))
    (trace,) = [t for t in evaluation.explain().policies if t.policy_type is PolicyType.SCP]
    assert trace.note is not None
    assert "service principals" in trace.note


def test_summary_names_the_deciding_statement() -> None:
    """The one-line summary says the decision and the statement that made it."""
    deny = {"Sid": "DenyInfra", "Effect": "Deny", "Action": "*", "Resource": "arn:aws:s3:::infra"}
    policy = _doc([{"Effect": "Allow", "Action": "*", "Resource": "*"}, deny], "dev.json")
    evaluation = PolicySet.compile(identity=[policy]).evaluate(Request("s3:ListBucket", "arn:aws:s3:::infra", USER))
    assert evaluation.summary == "explicitDeny: Deny statement DenyInfra in identity policy dev.json"
    implicit = PolicySet.compile(identity=[]).evaluate(Request("s3:ListBucket", "arn:aws:s3:::infra", USER))
    assert implicit.summary == "implicitDeny: no identity-based policy allows s3:ListBucket"
    assert implicit.deciding == ()


def test_explanation_serialises_to_json() -> None:
    """``to_dict`` gives plain JSON data, levels and notes included."""
    scp = _doc([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}], "scp.json", PolicyKind.SCP)
    policy = _doc([{"Effect": "Allow", "Action": "*", "Resource": "*"}], "p")
    evaluation = PolicySet.compile(identity=[policy], scps=[[scp]]).evaluate(Request("ec2:RunInstances", "*", USER))
    data = json.loads(json.dumps(evaluation.explain().to_dict()))
    assert data["decision"] == "implicitDeny"
    assert data["policies"][0]["policyType"] == "scp"
    assert data["policies"][0]["level"] == 0
    assert "scp.json" in data["summary"]
