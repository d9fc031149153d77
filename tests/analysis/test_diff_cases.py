"""``diff_policies`` on pairs with known answers, both directions, every witness re-checked against both policies.

Each case names the change (the kinds listed in issue 11) and the actions that must (or must not) be new access.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from iam_tester.analysis import diff_policies
from iam_tester.engine import PolicySet, Request
from iam_tester.policy import PolicyDocument, PolicyKind, parse_policy

ACCOUNT = "111122223333"
OTHER = "444455556666"
KINDS = {"identity": PolicyKind.IDENTITY, "resource": PolicyKind.RESOURCE, "boundary": PolicyKind.BOUNDARY}


def _doc(statements: list[dict[str, Any]], kind: str, version: str = "2012-10-17") -> PolicyDocument:
    return parse_policy({"Version": version, "Statement": statements}, kind=KINDS[kind])


def _allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


TEAM = "${aws:PrincipalTag/team}"


@dataclass
class Case:
    name: str
    old: list[dict[str, Any]]
    new: list[dict[str, Any]]
    new_access: set[str] = field(default_factory=set)  # actions that must be found new
    not_new: set[str] = field(default_factory=set)  # actions that must not be
    kind: str = "identity"
    old_version: str = "2012-10-17"
    removed: bool | None = None  # the reverse direction: must it find something?


CASES = [
    Case(
        "wildcard rewrite: GetObject* is more than GetObject and GetObjectVersion",
        [_allow(["s3:GetObject", "s3:GetObjectVersion"], "arn:aws:s3:::reports/*")],
        [_allow("s3:GetObject*", "arn:aws:s3:::reports/*")],
        new_access={"s3:GetObjectAcl", "s3:GetObjectTagging", "s3:GetObjectVersionAcl"},
        not_new={"s3:GetObject", "s3:GetObjectVersion"},
        removed=False,
    ),
    Case(
        "resource pattern: ? is one character, * any number",
        [_allow("s3:GetObject", "arn:aws:s3:::logs/?")],
        [_allow("s3:GetObject", "arn:aws:s3:::logs/*")],
        new_access={"s3:GetObject"},
        removed=False,
    ),
    Case(
        "NotResource narrowed",
        [{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}],
        [{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/a*"}],
        new_access={"s3:GetObject"},
        removed=False,
    ),
    Case(
        "condition removed",
        [_allow("sqs:SendMessage", Condition={"Bool": {"aws:SecureTransport": "true"}})],
        [_allow("sqs:SendMessage")],
        new_access={"sqs:SendMessage"},
        removed=False,
    ),
    Case(
        "IP range widened",
        [_allow("sqs:SendMessage", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/16"}})],
        [_allow("sqs:SendMessage", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})],
        new_access={"sqs:SendMessage"},
        removed=False,
    ),
    Case(
        "tag StringEquals turned StringLike",
        [_allow("ec2:StopInstances", Condition={"StringEquals": {"aws:ResourceTag/team": "red*"}})],
        [_allow("ec2:StopInstances", Condition={"StringLike": {"aws:ResourceTag/team": "red*"}})],
        new_access={"ec2:StopInstances"},
        removed=False,  # the literal value "red*" is matched by both
    ),
    Case(
        "a tag required to be red, then only to be present (found by the property test: a non-empty value)",
        [_allow("s3:GetObject", Condition={"StringEquals": {"aws:PrincipalTag/team": "red"}})],
        [_allow("s3:GetObject", Condition={"Null": {"aws:PrincipalTag/team": "false"}})],
        new_access={"s3:GetObject"},
        removed=False,
    ),
    Case(
        "deny removed",
        [_allow("s3:*"), {"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}],
        [_allow("s3:*")],
        new_access={"s3:DeleteObject", "s3:DeleteBucket"},
        not_new={"s3:GetObject", "s3:PutObject"},
        removed=False,
    ),
    Case(
        "principal added to a bucket policy",
        [_allow("s3:GetObject", "arn:aws:s3:::reports/*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})],
        [
            _allow(
                "s3:GetObject",
                "arn:aws:s3:::reports/*",
                Principal={"AWS": [f"arn:aws:iam::{ACCOUNT}:root", f"arn:aws:iam::{OTHER}:root"]},
            )
        ],
        new_access={"s3:GetObject"},
        kind="resource",
        removed=False,
    ),
    Case(
        "Version 2008 reads ${aws:username} as text; 2012 as a variable",
        [_allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")],
        [_allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")],
        new_access={"s3:GetObject"},
        old_version="2008-10-17",
        removed=True,
    ),
    Case(
        "a variable must take a value another pattern names (a Deny on one home folder removed)",
        [
            _allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"),
            {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::home/admin/*"},
        ],
        [_allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")],
        new_access={"s3:GetObject"},
        removed=False,
    ),
    Case(
        "a variable must take a value no policy names: a Deny on names with z then q",
        [
            _allow("s3:GetObject", "arn:aws:s3:::b/*"),
            {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*z*q"},
        ],
        [_allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}")],
        new_access={"s3:GetObject"},  # a user named zq reads b/zq
        removed=True,
    ),
    Case(
        "a variable proved harmless: the same home-folder grant on both sides, a Deny added",
        [_allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")],
        [
            _allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"),
            {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/*/secret/*"},
        ],
        removed=True,
    ),
    Case(
        "a variable proved harmless: one user's grant repeats her home folder's",
        [_allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")],
        [
            _allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"),
            _allow("s3:GetObject", "arn:aws:s3:::home/alice/*", Condition={"StringEquals": {"aws:username": "alice"}}),
        ],
        removed=False,
    ),
    Case(
        "a variable proved harmless: a home folder narrowed",
        [_allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")],
        [_allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/docs/*")],
        removed=True,
    ),
    Case(
        "a variable in a condition: the owner tag equal to the user's name, then only starting with it",
        [_allow("s3:GetObject", Condition={"StringEquals": {"s3:ExistingObjectTag/owner": "${aws:username}"}})],
        [_allow("s3:GetObject", Condition={"StringLike": {"s3:ExistingObjectTag/owner": "${aws:username}*"}})],
        new_access={"s3:GetObject"},
        removed=False,
    ),
    Case(
        "a variable in a condition proved harmless: the same ABAC grant, a region condition added",
        [_allow("ec2:StartInstances", Condition={"StringEquals": {"aws:ResourceTag/team": TEAM}})],
        [
            _allow(
                "ec2:StartInstances",
                Condition={
                    "StringEquals": {"aws:ResourceTag/team": TEAM},
                    "StringLike": {"aws:RequestedRegion": "eu-*"},
                },
            )
        ],
        removed=True,
    ),
    Case(
        "a boundary widened",
        [_allow("s3:Get*")],
        [_allow(["s3:Get*", "s3:Put*"])],
        new_access={"s3:PutObject"},
        not_new={"s3:GetObject"},
        kind="boundary",
        removed=False,
    ),
    Case(
        "equivalent: a list of patterns split into statements, reordered",
        [_allow(["s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"])],
        [
            _allow("s3:PutObject", "arn:aws:s3:::b/*"),
            _allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::a/*"),
            _allow("s3:GetObject", ["arn:aws:s3:::b/*", "arn:aws:s3:::b/x*"]),
        ],
        removed=False,
    ),
    Case(
        "equivalent: a CIDR block split in two, StringLike without wildcards for StringEquals",
        [
            _allow(
                "sqs:SendMessage",
                Condition={
                    "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                    "StringEquals": {"aws:PrincipalTag/team": "red"},
                },
            )
        ],
        [
            _allow(
                "sqs:SendMessage",
                Condition={
                    "IpAddress": {"aws:SourceIp": ["10.0.0.0/9", "10.128.0.0/9"]},
                    "StringLike": {"aws:PrincipalTag/team": "red"},
                },
            )
        ],
        removed=False,
    ),
    Case(
        "narrowed only: a condition added is no new access",
        [_allow("dynamodb:GetItem")],
        [_allow("dynamodb:GetItem", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})],
        removed=True,
    ),
]


def _sets(document: PolicyDocument, kind: str) -> list[PolicySet]:
    """How the policy may sit: independently of the analysis, every way the test accepts a witness from."""
    everything = parse_policy({"Version": "2012-10-17", "Statement": [_allow("*")]})
    if kind == "identity":
        return [PolicySet.compile(identity=[document])]
    if kind == "boundary":
        return [PolicySet.compile(identity=[everything], boundary=document)]
    return [PolicySet.compile(identity=[everything], resource=document), PolicySet.compile(resource=document)]


def _holds(request: Request, allows: PolicyDocument, denies: PolicyDocument, kind: str) -> bool:
    return any(
        granting.evaluate(request).decision.value == "allowed" and other.evaluate(request).decision.denied
        for granting, other in zip(_sets(allows, kind), _sets(denies, kind), strict=True)
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_known_answers(case: Case) -> None:
    """New and removed access are what the change does; each witness holds for the right side only."""
    old = _doc(case.old, case.kind, case.old_version)
    new = _doc(case.new, case.kind)
    report = diff_policies(old, new, kind=case.kind)
    found = {f.action for f in report.new_access}
    assert case.new_access <= found, sorted(found)[:20]
    assert not (case.not_new & found)
    if not case.new_access:
        assert not report.new_access
        assert not report.adds_access
    for finding in report.new_access:
        assert _holds(finding.witness, new, old, case.kind), finding
    for finding in report.removed_access:
        assert _holds(finding.witness, old, new, case.kind), finding
    if case.removed is not None:
        assert bool(report.removed_access) is case.removed
    # Both directions: swapping the versions swaps the answers.
    swapped = diff_policies(new, old, kind=case.kind)
    assert {f.action for f in swapped.removed_access} == found


def test_a_witness_asks_as_the_principal_its_context_names() -> None:
    """A condition on aws:PrincipalArn is met by asking as that principal, not by a context key."""
    old = _doc(
        [_allow("s3:GetObject", Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin-*"}})], "identity"
    )
    new = _doc(
        [_allow("s3:GetObject", Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/a*"}})], "identity"
    )
    (finding,) = diff_policies(old, new).new_access
    witness = finding.witness
    assert witness.principal.startswith("arn:aws:iam::111122223333:role/a")
    assert not witness.principal.startswith("arn:aws:iam::111122223333:role/admin-")
    assert "aws:PrincipalArn" not in witness.context
    assert _holds(witness, new, old, "identity")


def test_a_search_cut_short_is_counted_as_new_access() -> None:
    """When the cells to search exceed the limit before an answer, the actions are undecided and the gate fails."""
    many = {"StringEquals": {f"aws:PrincipalTag/k{i}": ["a", "b"] for i in range(13)}}
    allow = _allow("sqs:SendMessage", Condition=many)
    narrowed = {
        "Effect": "Deny",
        "Action": "sqs:SendMessage",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    report = diff_policies(_doc([allow], "identity"), _doc([allow, narrowed], "identity"))
    assert not report.new_access
    assert [u.actions for u in report.undecided] == [("sqs:SendMessage",)]
    assert report.adds_access


def test_a_variable_the_search_cannot_settle_is_undecided_and_named() -> None:
    """Where trying values finds nothing and the variable-free rewriting cannot prove there is nothing (here a
    variable used twice in one pattern), the action is undecided — counted as new access — naming the variable
    and the patterns it sits in."""
    home = _allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")
    twice = _allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/${aws:username}")
    report = diff_policies(_doc([home], "identity"), _doc([home, twice], "identity"))
    assert not report.new_access  # there is none: home/u/u is within home/u/*
    (gap,) = report.undecided
    assert gap.actions == ("s3:GetObject",)
    assert "${aws:username}" in gap.why
    assert "arn:aws:s3:::home/${aws:username}/${aws:username}" in gap.why
    assert report.adds_access


def test_numbers_of_any_exponent_are_analysed() -> None:
    """A Numeric condition on 1e1000000 (a value the decimal module cannot add 1 to by default) is analysed:
    lowering the bound is found as removed access and raising it as new access, each with a witness."""
    old = _doc([_allow("s3:ListBucket", Condition={"NumericLessThan": {"s3:max-keys": "1e1000000"}})], "identity")
    new = _doc([_allow("s3:ListBucket", Condition={"NumericLessThan": {"s3:max-keys": "2e1000000"}})], "identity")
    wider = diff_policies(old, new, kind="identity")
    assert [f.action for f in wider.new_access] == ["s3:ListBucket"]
    witness = wider.new_access[0].witness
    assert witness.context is not None
    assert len(witness.context["s3:max-keys"]) < 40  # written with an exponent, not a million digits
    assert _holds(witness, new, old, "identity")
    narrower = diff_policies(new, old, kind="identity")
    assert narrower.new_access == ()
    assert [f.action for f in narrower.removed_access] == ["s3:ListBucket"]


def test_numbers_agreeing_on_many_digits_are_told_apart() -> None:
    """An interval between two bounds equal to 60 digits still holds a value (more precision than the usual
    50): the access it grants is found, with a witness inside it."""
    low, high = "1." + "0" * 60 + "1", "1." + "0" * 60 + "2"
    between = {"NumericGreaterThan": {"s3:max-keys": low}, "NumericLessThan": {"s3:max-keys": high}}
    old = _doc([_allow("s3:GetObject")], "identity")
    new = _doc([_allow("s3:GetObject"), _allow("s3:ListBucket", Condition=between)], "identity")
    (finding,) = diff_policies(old, new, kind="identity").new_access
    assert finding.action == "s3:ListBucket"
    assert _holds(finding.witness, new, old, "identity")
