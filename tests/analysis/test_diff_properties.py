"""Property tests of ``diff_policies`` on random policy pairs: every witness holds, and when no new access is
reported, random requests never find any.

The pools below are the test's own (independent of the analysis): a few S3 actions and patterns, resources of
the right type for each action, condition keys of each family, single- and multivalued.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from iam_tester.analysis import diff_policies
from iam_tester.engine import PolicySet, Request
from iam_tester.policy import parse_policy

from ..strategies import fuzz

PRINCIPAL = "arn:aws:iam::111122223333:role/iam-tester-witness"
ACTION_PATTERNS = ["s3:GetObject", "s3:Get*", "s3:GetObject*", "s3:PutObject", "s3:*", "s3:List*", "s3:?etObject"]
RESOURCE_PATTERNS = [
    "*",
    "arn:aws:s3:::a/*",
    "arn:aws:s3:::a/?",
    "arn:aws:s3:::b*",
    "arn:aws:s3:::a",
    "arn:aws:s3:::a/${aws:username}/*",
    "arn:aws:s3:::*/x",
    "arn:aws:s3:::a/${aws:username}",
    "arn:aws:s3:::a/*z*q",
]
CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    {"StringLike": {"aws:PrincipalTag/team": "r*"}},
    {"StringNotEquals": {"aws:PrincipalTag/team": ["red", "blue"]}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"NotIpAddress": {"aws:SourceIp": "10.1.0.0/16"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"NumericLessThan": {"s3:max-keys": "10"}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}},
    {"ForAllValues:StringLike": {"aws:TagKeys": ["a*"]}},
    {"Null": {"aws:PrincipalTag/team": "false"}},
    {"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}},
    {"StringLike": {"aws:ResourceTag/owner": "${aws:PrincipalTag/team}-*"}},
]
# Requests: each action with resources of its own type (the analysis asks about those only).
OBJECTS = [
    "arn:aws:s3:::a/x",
    "arn:aws:s3:::a/xy",
    "arn:aws:s3:::a/alice/k",
    "arn:aws:s3:::bq/x",
    "arn:aws:s3:::c/x",
    "arn:aws:s3:::a/azq",
    "arn:aws:s3:::a/${aws:username}/k",
]
BUCKETS = ["arn:aws:s3:::a", "arn:aws:s3:::bq", "arn:aws:s3:::c"]
ACTIONS = {"s3:GetObject": OBJECTS, "s3:PutObject": OBJECTS, "s3:GetObjectAcl": OBJECTS, "s3:ListBucket": BUCKETS}
CONTEXT_VALUES: dict[str, list[Any]] = {
    "aws:PrincipalTag/team": ["red", "blue", "rust", "green", ""],
    "aws:SourceIp": ["10.0.0.1", "10.1.2.3", "192.0.2.1"],
    "aws:SecureTransport": ["true", "false"],
    "s3:max-keys": ["5", "10", "50"],
    "aws:TagKeys": [["a"], ["c"], ["a", "c"], ["ab"]],
    "aws:username": ["alice", "bob", "red", "azq"],
    "aws:ResourceTag/owner": ["alice", "red-1", "bob", "x"],
}

statements = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Allow", "Deny"]),
        "Action": st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2, unique=True),
        "Resource": st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2, unique=True),
    },
    optional={"Condition": st.sampled_from(CONDITIONS)},
)
# Version 2008-10-17 reads ${...} as literal text (IAM User Guide, "IAM JSON policy elements: Version").
policies = st.builds(
    lambda s, version: parse_policy({"Version": version, "Statement": s}),
    st.lists(statements, min_size=1, max_size=3),
    st.sampled_from(["2012-10-17", "2012-10-17", "2008-10-17"]),
)


@st.composite
def requests(draw: st.DrawFn) -> Request:
    action = draw(st.sampled_from(sorted(ACTIONS)))
    keys = draw(st.lists(st.sampled_from(sorted(CONTEXT_VALUES)), unique=True, max_size=4))
    context = {key: draw(st.sampled_from(CONTEXT_VALUES[key])) for key in keys}
    return Request(action, draw(st.sampled_from(ACTIONS[action])), PRINCIPAL, context=context)


def _new_access(new: PolicySet, old: PolicySet, request: Request) -> bool:
    return new.evaluate(request).decision.value == "allowed" and old.evaluate(request).decision.denied


@fuzz(60)
@given(old=policies, new=policies, probes=st.lists(requests(), min_size=30, max_size=30))
def test_witnesses_hold_and_no_new_access_is_sound(old: Any, new: Any, probes: list[Request]) -> None:
    """Every witness is new access by the evaluator; with none reported, no random request is new access."""
    report = diff_policies(old, new)
    new_set, old_set = PolicySet.compile(identity=[new]), PolicySet.compile(identity=[old])
    for finding in report.new_access:
        assert _new_access(new_set, old_set, finding.witness), finding
    for finding in report.removed_access:
        assert _new_access(old_set, new_set, finding.witness), finding
    if not report.adds_access:
        for request in probes:
            assert not _new_access(new_set, old_set, request), (request, old, new)
    found = {f.action for f in report.new_access}
    for request in probes:
        if _new_access(new_set, old_set, request):
            assert request.action in found, (request, old, new)
