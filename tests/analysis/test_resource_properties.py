"""Property tests over random bucket policies: every exposure and resource-diff witness holds, and a random
outside request the policy allows is always among the exposures (the pools are the test's own)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from iam_tester.analysis import diff_policies, exposure
from iam_tester.engine import PolicySet, Request
from iam_tester.policy import PolicyKind, parse_policy

from ..strategies import fuzz

ACCOUNT = "111122223333"
PRINCIPALS: list[Any] = [
    "*",
    {"AWS": "*"},
    {"AWS": "444455556666"},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"},
    {"Service": "cloudtrail.amazonaws.com"},
]
CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    {"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}},
]
statements = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Allow", "Deny"]),
        "Principal": st.sampled_from(PRINCIPALS),
        "Action": st.lists(
            st.sampled_from(["s3:GetObject", "s3:Get*", "s3:PutObject", "s3:*"]), min_size=1, max_size=2
        ),
        "Resource": st.sampled_from(["arn:aws:s3:::b/*", "arn:aws:s3:::b/p/*", "*"]),
    },
    optional={"Condition": st.sampled_from(CONDITIONS)},
)
policies = st.lists(statements, min_size=1, max_size=3).map(
    lambda s: parse_policy({"Version": "2012-10-17", "Statement": s}, kind=PolicyKind.RESOURCE)
)
OUTSIDERS = ["anonymous", "arn:aws:iam::444455556666:role/x", "arn:aws:iam::999988887777:role/x"]
CONTEXT: dict[str, list[str]] = {
    "aws:PrincipalOrgID": ["o-a1b2c3d4e5", "o-ffffffffff"],
    "aws:SourceIp": ["10.1.1.1", "192.0.2.1"],
    "aws:SourceAccount": [ACCOUNT, "444455556666"],
}
EVERYTHING = parse_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


@st.composite
def outside_requests(draw: st.DrawFn) -> Request:
    principal = draw(st.sampled_from(OUTSIDERS))
    keys = draw(st.lists(st.sampled_from(sorted(CONTEXT)), unique=True, max_size=3))
    if principal == "anonymous":
        keys = [k for k in keys if not k.startswith("aws:Principal")]
    context = {key: draw(st.sampled_from(CONTEXT[key])) for key in keys}
    action = draw(st.sampled_from(["s3:GetObject", "s3:PutObject"]))
    resource = draw(st.sampled_from(["arn:aws:s3:::b/k", "arn:aws:s3:::b/p/k"]))
    return Request(action, resource, principal, resource_account=ACCOUNT, context=context)


def _allowed(policy: Any, request: Request) -> bool:
    identity = [] if request.principal == "anonymous" else [EVERYTHING]
    return PolicySet.compile(identity=identity, resource=policy).evaluate(request).decision.value == "allowed"


@fuzz(40)
@given(policy=policies, probes=st.lists(outside_requests(), min_size=20, max_size=20))
def test_exposure_witnesses_hold_and_every_outside_access_is_found(policy: Any, probes: list[Request]) -> None:
    """Each exposure's witness is allowed; an allowed outside probe's action is always reported."""
    report = exposure(policy)
    for entry in report.exposures:
        assert _allowed(policy, entry.witness), entry
    reported = {e.action for e in report.exposures}
    for request in probes:
        if _allowed(policy, request):
            assert request.action in reported, (request, policy.raw)


@fuzz(15)
@given(old=policies, new=policies)
def test_resource_diff_witnesses_hold(old: Any, new: Any) -> None:
    """Each resource-policy diff witness is allowed by the granting version and denied by the other, for its
    caller with identity policies allowing everything or nothing."""
    report = diff_policies(old, new, kind="resource")
    for findings, granting, other in ((report.new_access, new, old), (report.removed_access, old, new)):
        for finding in findings:
            witness = finding.witness
            sides = [[]] if witness.principal in ("anonymous", "cloudtrail.amazonaws.com") else [[EVERYTHING], []]
            assert any(
                PolicySet.compile(identity=i, resource=granting).evaluate(witness).decision.value == "allowed"
                and PolicySet.compile(identity=i, resource=other).evaluate(witness).decision.denied
                for i in sides
            ), finding
