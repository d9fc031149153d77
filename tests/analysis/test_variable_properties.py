"""Property tests of ``diff_policies`` where policy variables meet other patterns: every witness holds, and when
no new access is reported (undecided counts as reported), no probe request is new access.

The pools are the test's own: home-folder patterns against patterns with literal words, and ABAC conditions,
under both policy versions; the probes ask as users whose names the patterns describe (``zq`` matches
``*z*q``), each on the resources its name makes.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from iam_tester.analysis import diff_policies
from iam_tester.engine import PolicySet, Request
from iam_tester.policy import parse_policy

from ..strategies import fuzz

ACCOUNT = "111122223333"
RESOURCE_PATTERNS = [
    "arn:aws:s3:::a/${aws:username}",
    "arn:aws:s3:::a/${aws:username}",
    "arn:aws:s3:::a/${aws:username}/*",
    "arn:aws:s3:::${aws:username}/*",
    "arn:aws:s3:::a/*",
    "arn:aws:s3:::a/*z*q",
    "arn:aws:s3:::a/*z*q",
    "arn:aws:s3:::a/q*z/*",
    "arn:aws:s3:::a/al*",
    "arn:aws:s3:::*q/*",
]
CONDITIONS: list[dict[str, Any]] = [
    {"StringLike": {"aws:username": "*q"}},
    {"StringNotEquals": {"aws:username": "alice"}},
    {"StringEquals": {"s3:ExistingObjectTag/owner": "${aws:username}"}},
    {"StringLike": {"s3:ExistingObjectTag/owner": "${aws:username}*"}},
]
USERS = ["alice", "zq", "azq", "qz", "q", "bob", "al"]
statements = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Allow", "Deny"]),
        "Action": st.just("s3:GetObject"),
        "Resource": st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2, unique=True),
    },
    optional={"Condition": st.sampled_from(CONDITIONS)},
)
policies = st.builds(
    lambda s, version: parse_policy({"Version": version, "Statement": s}),
    st.lists(statements, min_size=1, max_size=3),
    st.sampled_from(["2012-10-17", "2012-10-17", "2008-10-17"]),
)


def _probes() -> list[Request]:
    """Every user on every resource its name (or the literal variable) makes, with and without an owner tag."""
    names = [*USERS, "${aws:username}"]
    resources = [f"arn:aws:s3:::a/{n}" for n in names] + [f"arn:aws:s3:::a/{n}/k" for n in names]
    resources += [f"arn:aws:s3:::{n}/k" for n in USERS] + ["arn:aws:s3:::a/x"]
    out = []
    for user in USERS:
        principal = f"arn:aws:iam::{ACCOUNT}:user/{user}"
        for resource in resources:
            for owner in (None, user, f"{user}-1"):
                context = {} if owner is None else {"s3:ExistingObjectTag/owner": owner}
                out.append(Request("s3:GetObject", resource, principal, context=context))
    return out


PROBES = _probes()


def _new_access(new: PolicySet, old: PolicySet, request: Request) -> bool:
    return new.evaluate(request).decision == "allowed" and old.evaluate(request).decision.denied


@fuzz(60)
@given(old=policies, new=policies)
def test_variables_never_hide_new_access(old: Any, new: Any) -> None:
    """Every witness is new access; with none reported and nothing undecided, no probe is new access."""
    report = diff_policies(old, new)
    new_set, old_set = PolicySet.compile(identity=[new]), PolicySet.compile(identity=[old])
    for finding in report.new_access:
        assert _new_access(new_set, old_set, finding.witness), finding
    if not report.adds_access:
        for request in PROBES:
            assert not _new_access(new_set, old_set, request), (request, old, new)


# -- a variable against words: every value a pattern describes must be considered ---------------------------------
WORDS = st.text(alphabet="zq*", min_size=1, max_size=4)
NAMES = ["z", "q", "zz", "zq", "qz", "qq", "zqz", "qzq", "zzq", "qzz", "zqzq", "qzqz"]
word_statements = st.builds(
    lambda effect, shape, word: {"Effect": effect, "Action": "s3:GetObject", "Resource": shape.replace("W", word)},
    st.sampled_from(["Allow", "Allow", "Deny"]),
    st.sampled_from(["arn:aws:s3:::a/${aws:username}", "arn:aws:s3:::a/${aws:username}W", "arn:aws:s3:::a/W"]),
    WORDS,
)
word_policies = st.lists(word_statements, min_size=1, max_size=3).map(
    lambda s: parse_policy({"Version": "2012-10-17", "Statement": s})
)
WORD_PROBES = [
    Request("s3:GetObject", f"arn:aws:s3:::a/{key}", f"arn:aws:iam::{ACCOUNT}:user/{user}")
    for user in NAMES
    for key in [*NAMES, *(user + n for n in NAMES)]
]


@fuzz(80)
@given(old=word_policies, new=word_policies)
def test_a_variable_takes_every_value_the_words_describe(old: Any, new: Any) -> None:
    """Users named by strings of z and q on objects so named: none is new access unless the diff says so."""
    report = diff_policies(old, new)
    new_set, old_set = PolicySet.compile(identity=[new]), PolicySet.compile(identity=[old])
    for finding in report.new_access:
        assert _new_access(new_set, old_set, finding.witness), finding
    if not report.adds_access:
        for request in WORD_PROBES:
            assert not _new_access(new_set, old_set, request), (request, old, new)
