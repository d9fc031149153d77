"""``exposure``: who outside the account (or organization) a resource or trust policy lets in; cases after AWS's
public-access documentation (S3 "The meaning of public", IAM Access Analyzer's external access findings)."""

from __future__ import annotations

from typing import Any

import pytest

from iam_tester.analysis import exposure
from iam_tester.engine import PolicySet, Request
from iam_tester.policy import PolicyKind, parse_policy

ACCOUNT = "111122223333"
BUCKET = "arn:aws:s3:::reports"


def _policy(*statements: dict[str, Any], kind: PolicyKind = PolicyKind.RESOURCE) -> Any:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, kind=kind)


def _who(document: Any, **options: Any) -> set[tuple[str, str]]:
    return {(e.kind, e.action) for e in exposure(document, **options).exposures}


def test_a_bucket_open_to_everyone_is_open_to_anonymous_callers_and_every_account() -> None:
    """ "Principal": "*" without a condition is public: anonymous callers and any account read."""
    document = _policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"})
    assert _who(document) == {("anonymous", "s3:GetObject"), ("any-account", "s3:GetObject")}


def test_conditions_that_narrow_are_named() -> None:
    """A grant to "*" from one VPC endpoint is still reported, with its condition and a witness meeting it."""
    condition = {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}
    document = _policy(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"{BUCKET}/*",
            "Condition": condition,
        }
    )
    found = exposure(document).exposures
    assert {e.kind for e in found} == {"anonymous", "any-account"}
    for entry in found:
        assert entry.conditions == {"StringEquals": {"aws:SourceVpce": ["vpce-1a2b3c4d"]}}
        assert entry.witness.context == {"aws:SourceVpce": "vpce-1a2b3c4d"}


def test_an_org_condition_keeps_outsiders_of_the_org_out() -> None:
    """aws:PrincipalOrgID: exposed outside the account, not outside the organization it names."""
    document = _policy(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:ListBucket",
            "Resource": BUCKET,
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        }
    )
    assert _who(document) == {("any-account", "s3:ListBucket")}  # never anonymous: it has no organization
    assert _who(document, org_id="o-a1b2c3d4e5") == set()
    assert _who(document, org_id="o-ffffffffff") == {("any-account", "s3:ListBucket")}


def test_named_accounts_and_the_own_account() -> None:
    """An external account named is exposure; the resource's own account is not."""
    document = _policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"},
    )
    report = exposure(document)
    assert {(e.who, e.action) for e in report.exposures} == {("444455556666", "s3:GetObject")}
    assert not exposure(_policy(document.raw["Statement"][0])).exposed


def test_trust_policies_federated_callers_and_services() -> None:
    """A GitHub OIDC trust is exposure to that provider under its conditions; a service trust names the service."""
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    trust = _policy(
        {
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/*"}},
        },
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"},
        kind=PolicyKind.TRUST,
    )
    found = {(e.kind, e.action): e for e in exposure(trust).exposures}
    assert set(found) == {("federated", "sts:AssumeRoleWithWebIdentity"), ("service", "sts:AssumeRole")}
    federated = found[("federated", "sts:AssumeRoleWithWebIdentity")]
    assert str(federated.witness.context["token.actions.githubusercontent.com:sub"]).startswith("repo:octo-org/")


def test_a_service_entry_not_in_lower_case_lets_no_service_in() -> None:
    """A Service entry in another case names no service (the evaluator matches it to none), so it exposes nothing."""
    services = ["Lambda.amazonaws.com", "ec2.amazonaws.com"]
    trust = _policy(
        {"Effect": "Allow", "Principal": {"Service": services}, "Action": "sts:AssumeRole"}, kind=PolicyKind.TRUST
    )
    assert [e.who for e in exposure(trust).exposures] == ["ec2.amazonaws.com"]


@pytest.mark.parametrize("org_id", [None, "o-a1b2c3d4e5"])
def test_every_exposure_witness_is_allowed(org_id: str | None) -> None:
    """Each witness is allowed by the policy, recompiled independently, for a caller outside the account."""
    document = _policy(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["s3:Get*", "s3:List*"],
            "Resource": [BUCKET, f"{BUCKET}/*"],
            "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}},
        },
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET}/private/*"},
    )
    everything = parse_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    )
    report = exposure(document, org_id=org_id)
    assert report.exposures
    for entry in report.exposures:
        witness: Request = entry.witness
        assert witness.principal == "anonymous" or ACCOUNT not in witness.principal
        identity = [] if witness.principal == "anonymous" else [everything]
        decision = PolicySet.compile(identity=identity, resource=document).evaluate(witness).decision
        assert decision.value == "allowed", entry
        assert not str(witness.resource).startswith(f"{BUCKET}/private/")
