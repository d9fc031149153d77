"""Hypothesis strategies for hostile input: JSON-like values whose keys are the real element names mixed
with junk, policy-shaped and suite-shaped documents, and token soups of JSON and YAML text.

Shared by the property tests of the policy reader and grammar, the suite loader and the CLI. Every test
using them runs with :func:`fuzz`: derandomized and without an example database, so CI is reproducible.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,  # a shared 2-core machine: time is measured in benchmarks, never asserted
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def fuzz(max_examples: int) -> settings:
    """:data:`FUZZ` with ``max_examples`` (kept modest: the whole test suite must stay fast)."""
    return settings(FUZZ, max_examples=max_examples)


POLICY_ELEMENTS = [
    "Version",
    "Id",
    "Statement",
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
]
OPERATORS = [
    "StringEquals",
    "StringLike",
    "StringNotEqualsIfExists",
    "ForAnyValue:StringEquals",
    "ForAllValues:StringLike",
    "NumericLessThan",
    "DateGreaterThan",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnLike",
    "Null",
    "NullIfExists",
    "stringequals",
]
CONDITION_KEYS = [
    "aws:username",
    "aws:SourceIp",
    "aws:CurrentTime",
    "s3:max-keys",
    "aws:PrincipalTag/team",
    "AWS:UserName",
]
PRINCIPAL_TYPES = ["AWS", "Service", "Federated", "CanonicalUser", "aws"]
SUITE_KEYS = ["name", "policies", "principal", "resource_account", "context", "cases"]
CASE_KEYS = ["name", "action", "resource", "principal", "resource_account", "context", "expect", "call", "policies"]
POLICY_SLOTS = ["identity", "boundary", "session", "resource", "scps", "rcps"]
REFERENCE_KEYS = ["name", "file", "document"]

# Values that mean something somewhere, and values that break things that assume too much.
MEANINGFUL = [
    "2012-10-17",
    "2008-10-17",
    "Allow",
    "Deny",
    "allow",
    "*",
    "s3:GetObject",
    "s3:*",
    "s3:Get*",
    "iam:PassRole",
    "sts:AssumeRole",
    "s3:",
    ":GetObject",
    "*:*",
    "arn:aws:s3:::reports/*",
    "arn:aws:s3:::reports/q1.csv",
    "arn:aws:s3:::b c",
    "arn:aws:iam::111122223333:root",
    "arn:aws:iam::111122223333:role/dev",
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:sts::111122223333:assumed-role/dev/s",
    "111122223333",
    "s3.amazonaws.com",
    "${aws:username}",
    "${aws:username",
    "${",
    "${}",
    "${aws:username, 'x'}",
    "10.0.0.0/8",
    "2001:db8::/32",
    "10.0.0.0/33",
    "2026-01-31T12:00:00Z",
    "1700000000",
    "99999999999999999999",
    "true",
    "false",
    "aGVsbG8=",
    "allowed",
    "denied",
    "explicitDeny",
    "implicitDeny",
    "policies/p.json",
    "policies/bad.json",
    "policies/missing.json",
    "policies",
    "../../etc/passwd",
    "~/nowhere.json",
]
SPECIAL = ["", " ", "\t", "\n", "\r\n", "\0", "é", "💥", "NaN", "Infinity", "-", "null", "yes", "~", "a" * 300]

_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
STRINGS = st.sampled_from(MEANINGFUL) | st.sampled_from(SPECIAL) | _TEXT
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | STRINGS
)


def json_like(keys: st.SearchStrategy[Any], *, max_leaves: int = 25) -> st.SearchStrategy[Any]:
    """Scalars, lists and mappings nested a few levels, with mapping keys drawn from ``keys``."""
    return st.recursive(
        SCALARS,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
        max_leaves=max_leaves,
    )


def keys_from(names: list[str], *, non_strings: bool = False) -> st.SearchStrategy[Any]:
    """Mostly the real names, sometimes junk; with ``non_strings``, also keys JSON cannot have (None, 1, True)."""
    keys: st.SearchStrategy[Any] = st.sampled_from(names) | st.sampled_from(names) | _TEXT
    if non_strings:
        keys = keys | st.none() | st.integers(-3, 3) | st.booleans()
    return keys


ALL_NAMES = POLICY_ELEMENTS + OPERATORS + CONDITION_KEYS + PRINCIPAL_TYPES
JUNK_TREES = json_like(keys_from(ALL_NAMES))


def policy_values(*, non_string_keys: bool = False) -> st.SearchStrategy[Any]:
    """What a policy element might hold: strings, lists of them, condition blocks, principal maps, junk."""
    keys = keys_from(ALL_NAMES, non_strings=non_string_keys)
    condition_values = STRINGS | st.lists(STRINGS, max_size=3) | SCALARS
    condition = st.dictionaries(
        keys_from(OPERATORS, non_strings=non_string_keys),
        st.dictionaries(keys_from(CONDITION_KEYS, non_strings=non_string_keys), condition_values, max_size=3) | SCALARS,
        max_size=3,
    )
    principal = st.sampled_from(["*"]) | st.dictionaries(
        keys_from(PRINCIPAL_TYPES, non_strings=non_string_keys), STRINGS | st.lists(STRINGS, max_size=3), max_size=3
    )
    return STRINGS | st.lists(STRINGS, max_size=4) | condition | principal | json_like(keys, max_leaves=10)


def statements(*, non_string_keys: bool = False) -> st.SearchStrategy[Any]:
    """Statement-shaped mappings: element names (mostly real) to plausible or hostile values."""
    return st.dictionaries(
        keys_from(POLICY_ELEMENTS, non_strings=non_string_keys),
        policy_values(non_string_keys=non_string_keys),
        max_size=7,
    )


def policies(*, non_string_keys: bool = False) -> st.SearchStrategy[Any]:
    """Policy-shaped documents, and now and then anything at all."""
    statement = statements(non_string_keys=non_string_keys)
    shaped = st.fixed_dictionaries(
        {},
        optional={
            "Version": st.sampled_from(["2012-10-17", "2008-10-17"]) | SCALARS,
            "Id": STRINGS | SCALARS,
            "Statement": st.lists(statement, max_size=3) | statement | SCALARS,
        },
    )
    extra = st.dictionaries(keys_from(ALL_NAMES, non_strings=non_string_keys), JUNK_TREES, max_size=2)
    combined = st.builds(lambda base, more: {**more, **base}, shaped, extra)
    return combined | combined | JUNK_TREES


def suites() -> st.SearchStrategy[Any]:
    """Suite-shaped mappings (keys mostly real, sometimes junk or not strings; values plausible or hostile),
    and now and then anything."""
    reference = (
        st.sampled_from(["policies/p.json", "policies/bad.json", "policies/missing.json", "policies", "p.json"])
        | policies(non_string_keys=True)
        | st.dictionaries(keys_from(REFERENCE_KEYS, non_strings=True), STRINGS | policies(), max_size=3)
        | SCALARS
    )
    slot_value = reference | st.lists(reference | st.lists(reference, max_size=2), max_size=3)
    slots = st.dictionaries(keys_from(POLICY_SLOTS, non_strings=True), slot_value, max_size=3) | SCALARS
    context = (
        st.dictionaries(
            keys_from(CONDITION_KEYS, non_strings=True), SCALARS | st.lists(SCALARS, max_size=3), max_size=3
        )
        | SCALARS
    )
    call = st.dictionaries(
        keys_from(["service", "operation", "params"], non_strings=True), STRINGS | JUNK_TREES, max_size=3
    )
    case_value = {
        "name": STRINGS | SCALARS,
        "action": STRINGS,
        "resource": STRINGS,
        "principal": STRINGS | SCALARS,
        "resource_account": STRINGS | SCALARS,
        "context": context,
        "expect": STRINGS | SCALARS,
        "call": call | SCALARS,
        "policies": slots,
    }
    case = st.builds(
        lambda base, more: {**more, **base},
        st.fixed_dictionaries({}, optional=case_value),
        st.dictionaries(keys_from(CASE_KEYS, non_strings=True), JUNK_TREES, max_size=1),
    )
    shaped = st.fixed_dictionaries(
        {},
        optional={
            "name": STRINGS | SCALARS,
            "policies": slots,
            "principal": STRINGS | SCALARS,
            "resource_account": STRINGS | SCALARS,
            "context": context,
            "cases": st.lists(case | JUNK_TREES, max_size=3) | SCALARS,
        },
    )
    extra = st.dictionaries(keys_from(SUITE_KEYS, non_strings=True), JUNK_TREES, max_size=1)
    return st.builds(lambda base, more: {**more, **base}, shaped, extra) | JUNK_TREES


JSON_TOKENS = [
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    '"Version"',
    '"2012-10-17"',
    '"Statement"',
    '"Effect"',
    '"Allow"',
    '"Action"',
    '"s3:*"',
    '"Resource"',
    '"*"',
    '"Condition"',
    '"StringEquals"',
    '"aws:username"',
    "1",
    "-0.5e3",
    "1e999",
    "NaN",
    "-Infinity",
    "true",
    "null",
    '"\\ud800"',
    '"\\ud83d\\ude00"',
    '"\\u0000"',
    '"a\\"b"',
    "\n",
    "\r\n",
    "\t",
    " ",
    "\ufeff",
    '"é"',
    "//",
    "'x'",
    '"',
]
YAML_TOKENS = [
    "cases:",
    "policies:",
    "context:",
    "identity:",
    "\n",
    "\r\n",
    "  ",
    "- ",
    "{",
    "}",
    "[",
    "]",
    ": ",
    ", ",
    "&a ",
    "*a",
    "<<: ",
    "!!int ",
    "!!timestamp ",
    "!!binary ",
    "!!python/object:os.system ",
    "!custom ",
    "? ",
    "'",
    '"',
    "yes",
    "no",
    "null",
    "~",
    "1",
    "0x1F",
    "1:30",
    ".nan",
    "2012-10-17",
    "action: s3:GetObject",
    "resource: '*'",
    "expect: allowed",
    "Version: 2012-10-17",
    "\t",
    "#",
    "---",
    "...",
    "%YAML 1.1",
    "|",
    ">",
    "é",
    "\0",
    "\ufeff",
    "\x85",
    "\u2028",
]


def token_soup(tokens: list[str], *, max_size: int = 40) -> st.SearchStrategy[str]:
    """Text made of the syntax's own pieces, so the parser gets deep before it fails."""
    return st.lists(st.sampled_from(tokens), max_size=max_size).map("".join)
