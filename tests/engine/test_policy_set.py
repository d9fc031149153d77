"""Compiling a policy set and calling it: typed errors for unusable input, stable results."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from iam_tester.engine import Decision, PolicySet, Request
from iam_tester.errors import InvalidArgumentError, InvalidInputError, PolicyUsageError
from iam_tester.policy import PolicyKind, parse_policy

USER = "arn:aws:iam::111122223333:user/alice"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
BUCKET_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}],
}


def test_resource_policy_in_identity_slot_is_refused() -> None:
    """A resource-based policy given as an identity policy is a PolicyUsageError naming the policy."""
    bucket = parse_policy(BUCKET_POLICY, kind=PolicyKind.RESOURCE, name="bucket.json")
    with pytest.raises(PolicyUsageError) as caught:
        PolicySet.compile(identity=[bucket])
    assert caught.value.code == "wrong-policy-kind"
    assert caught.value.location.source == "bucket.json"
    assert isinstance(caught.value, InvalidInputError)


def test_identity_policy_in_resource_slot_is_refused() -> None:
    """A policy without Principal cannot be the resource's policy."""
    with pytest.raises(PolicyUsageError, match="resource"):
        PolicySet.compile(resource=parse_policy(ALLOW_ALL, name="dev.json"))


def test_rcp_slot_takes_only_rcps() -> None:
    """An SCP given as an RCP is refused."""
    scp = parse_policy(ALLOW_ALL, kind=PolicyKind.SCP, name="scp.json")
    with pytest.raises(PolicyUsageError):
        PolicySet.compile(rcps=[[scp]])


def test_empty_scp_level_is_refused() -> None:
    """An SCP level without a policy is an argument error: AWS always has one attached."""
    scp = parse_policy(ALLOW_ALL, kind=PolicyKind.SCP, name="scp.json")
    with pytest.raises(InvalidArgumentError, match="level 1"):
        PolicySet.compile(scps=[[scp], []])


def test_unusable_condition_value_names_its_place() -> None:
    """A Bool value holding a variable outside Version 2012-10-17 cannot be compared: the error has its path."""
    document = parse_policy(
        {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                                                 "Condition": {"Bool": {"aws:SecureTransport": "${x}"}}}]},
        name="old.json",
    )  # fmt: skip
    with pytest.raises(PolicyUsageError) as caught:
        PolicySet.compile(identity=[document])
    assert caught.value.location.source == "old.json"
    assert caught.value.location.path == "Statement[0].Condition.Bool.aws:SecureTransport"


@pytest.mark.parametrize("principal", ["alice", "arn:aws:iam::111122223333:group/devs", "arn:aws:s3:::b", ""])
def test_unknown_principal_is_an_argument_error(principal: str) -> None:
    """A caller IAM cannot authorize is refused with a typed error and a hint."""
    with pytest.raises(InvalidArgumentError) as caught:
        PolicySet.compile().evaluate(Request("s3:GetObject", "*", principal))
    assert caught.value.hint


@pytest.mark.parametrize("action", ["GetObject", "s3:Get*", "s3:", ""])
def test_malformed_action_is_an_argument_error(action: str) -> None:
    """A request action must be service:Action without wildcards."""
    with pytest.raises(InvalidArgumentError):
        PolicySet.compile().evaluate(Request(action, "*", USER))


def test_evaluation_is_frozen_and_repeatable() -> None:
    """Results are frozen, and the same request always gets the same decision and summary."""
    policy_set = PolicySet.compile(identity=[parse_policy(ALLOW_ALL, name="p")])
    request = Request("s3:GetObject", "arn:aws:s3:::b/k", USER)
    first, second = policy_set.evaluate(request), policy_set.evaluate(request)
    assert (first.decision, first.summary, first.deciding) == (second.decision, second.summary, second.deciding)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.decision = Decision.IMPLICIT_DENY  # type: ignore[misc]


def test_context_values_of_other_types_are_read_as_text() -> None:
    """YAML/JSON booleans and numbers in the request context compare as their text, as AWS does."""
    document = parse_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {
            "Bool": {"aws:SecureTransport": "true"}, "NumericLessThan": {"s3:max-keys": "10"}}}]},
        name="p",
    )  # fmt: skip
    context: dict[str, Any] = {"aws:SecureTransport": True, "s3:max-keys": 5}
    evaluation = PolicySet.compile(identity=[document]).evaluate(Request("s3:ListBucket", "*", USER, context=context))
    assert evaluation.decision is Decision.ALLOWED


def test_many_requests_against_one_compiled_set() -> None:
    """One compiled set answers requests for many callers and actions without mixing them up."""
    document = parse_policy(
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"}]},
        name="home.json",
    )  # fmt: skip
    policy_set = PolicySet.compile(identity=[document])
    for name in ("alice", "bob", "carol"):
        own = Request("s3:GetObject", f"arn:aws:s3:::home/{name}/x", f"arn:aws:iam::111122223333:user/{name}")
        other = Request("s3:GetObject", "arn:aws:s3:::home/dave/x", f"arn:aws:iam::111122223333:user/{name}")
        assert policy_set.evaluate(own).decision is Decision.ALLOWED
        assert policy_set.evaluate(other).decision is Decision.IMPLICIT_DENY


def test_the_api_takes_dicts_text_and_plain_strings() -> None:
    """compile() takes dicts and JSON text per slot, Request has a default principal, a decision equals its
    value, and an explanation renders as text."""
    from iam_tester.engine import DEFAULT_PRINCIPAL

    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    deny = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}'
    policy_set = PolicySet.compile(identity=[allow], scps=[[allow, deny]])
    evaluation = policy_set.evaluate(Request(action="s3:GetObject", resource="arn:aws:s3:::b/k"))
    assert evaluation.request.principal == DEFAULT_PRINCIPAL
    assert evaluation.decision == "explicitDeny"
    assert PolicySet.compile(identity=[allow]).evaluate(Request("s3:GetObject", "*")).decision == "allowed"
    text = str(evaluation.explain())
    assert text.startswith("explicitDeny: Deny statement Statement[0] in scp policy scps[0][1]")
    assert "identity: allows" in text
    with pytest.raises(InvalidArgumentError, match="must be a PolicyDocument, a dict or JSON text"):
        PolicySet.compile(identity=[42])  # type: ignore[list-item]
