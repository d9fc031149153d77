"""Callers federated by an OIDC or SAML identity provider (AssumeRoleWithWebIdentity/SAML), named by the
provider's ARN: only the role's trust policy can allow them (IAM User Guide, "Create a role for OpenID Connect
federation"; GitHub Docs, "Configuring OpenID Connect in Amazon Web Services")."""

from __future__ import annotations

import pytest

from iam_tester.engine import Decision, PolicySet, Request
from iam_tester.engine.principals import PrincipalKind, parse_request_principal
from iam_tester.errors import InvalidArgumentError
from iam_tester.policy import PolicyKind, parse_policy

PROVIDER = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
ROLE = "arn:aws:iam::111122223333:role/gha-deploy"
SUB = "token.actions.githubusercontent.com:sub"
TRUST = parse_policy(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": PROVIDER},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                    "StringLike": {SUB: "repo:example-org/app:*"},
                },
            }
        ],
    },
    kind=PolicyKind.TRUST,
)
ALLOW_ALL = parse_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
DENY_ALL_SCP = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "*", "Resource": "*"}]},
    kind=PolicyKind.SCP,
)


def _request(sub: str, aud: str = "sts.amazonaws.com", action: str = "sts:AssumeRoleWithWebIdentity") -> Request:
    context = {SUB: sub, "token.actions.githubusercontent.com:aud": aud}
    return Request(action=action, resource=ROLE, principal=PROVIDER, context=context)


@pytest.mark.parametrize("arn", [PROVIDER, "arn:aws:iam::111122223333:saml-provider/Okta"])
def test_provider_arns_are_callers(arn: str) -> None:
    """OIDC and SAML provider ARNs read as identity-provider callers of their account."""
    caller = parse_request_principal(arn)
    assert caller.kind is PrincipalKind.IDENTITY_PROVIDER
    assert caller.account == "111122223333"
    assert not caller.is_iam


@pytest.mark.parametrize(
    ("sub", "aud", "decision"),
    [
        ("repo:example-org/app:ref:refs/heads/main", "sts.amazonaws.com", Decision.ALLOWED),
        ("repo:example-org/app:pull_request", "sts.amazonaws.com", Decision.ALLOWED),  # the trust uses app:*
        ("repo:other-org/app:ref:refs/heads/main", "sts.amazonaws.com", Decision.IMPLICIT_DENY),
        ("repo:example-org/app:ref:refs/heads/main", "https://example.com", Decision.IMPLICIT_DENY),
    ],
)
def test_trust_policy_decides_with_the_claims(sub: str, aud: str, decision: Decision) -> None:
    """The token's claims in the context meet the trust policy's conditions."""
    assert PolicySet.compile(resource=TRUST).evaluate(_request(sub, aud)).decision is decision


def test_identity_policies_and_scps_do_not_concern_the_provider() -> None:
    """Without a trust policy nothing allows the caller; SCPs (for IAM principals) do not deny it."""
    no_trust = PolicySet.compile(identity=[ALLOW_ALL]).evaluate(_request("repo:example-org/app:x"))
    assert no_trust.decision is Decision.IMPLICIT_DENY
    assert "identity provider" in no_trust.summary
    with_scp = PolicySet.compile(resource=TRUST, scps=[[DENY_ALL_SCP]]).evaluate(_request("repo:example-org/app:x"))
    assert with_scp.decision is Decision.ALLOWED


def test_other_iam_resources_are_not_callers() -> None:
    """An instance profile or a policy ARN is still not a caller IAM authorizes."""
    with pytest.raises(InvalidArgumentError):
        parse_request_principal("arn:aws:iam::111122223333:policy/p")
