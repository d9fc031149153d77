"""The policy grammar: a well-formed document normalises; a malformed one is an error at its place."""

from __future__ import annotations

import pytest

from iam_tester.errors import PolicyError
from iam_tester.policy import Effect, PolicyKind, Principal, parse_policy, validate_policy_text


def test_normalises_strings_to_tuples() -> None:
    """A single statement object and single-string elements become tuples."""
    doc = parse_policy(
        {"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::a"}}
    )
    (statement,) = doc.statements
    assert statement.effect is Effect.DENY
    assert statement.action == ("s3:*",)
    assert statement.not_resource == ("arn:aws:s3:::a",)
    assert statement.label == "Statement[0]"


def test_condition_values_become_strings() -> None:
    """JSON booleans and numbers in conditions are compared as AWS does, as their text."""
    doc = parse_policy(
        '{"Version": "2012-10-17", "Statement": [{"Sid": "S1", "Effect": "Allow", "Action": "*", "Resource": "*",'
        ' "Condition": {"Bool": {"aws:SecureTransport": true}, "NumericLessThan": {"s3:max-keys": 10}}}]}'
    )
    (statement,) = doc.statements
    assert [(c.operator.canonical, c.key, c.values) for c in statement.conditions] == [
        ("Bool", "aws:SecureTransport", ("true",)),
        ("NumericLessThan", "s3:max-keys", ("10",)),
    ]
    assert statement.label == "S1"


def test_trust_policy_principals() -> None:
    """Principals of each type are read into (type, value) pairs; "*" is its own form."""
    doc = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": ["111122223333", "arn:aws:iam::111122223333:role/x"],
                        "Service": "ec2.amazonaws.com",
                    },
                    "Action": "sts:AssumeRole",
                },
                {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
            ],
        },
        kind=PolicyKind.TRUST,
    )
    assert doc.statements[0].principal == (
        Principal("AWS", "111122223333"),
        Principal("AWS", "arn:aws:iam::111122223333:role/x"),
        Principal("Service", "ec2.amazonaws.com"),
    )
    assert doc.statements[1].principal == (Principal("*", "*"),)


@pytest.mark.parametrize(
    ("text", "code", "where"),
    [
        ("[1]", "not-an-object", (1, 1)),
        ('{"Version": "2012-10-17"}', "missing-statement", (1, 1)),
        (
            '{"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}',
            "invalid-effect",
            (1, 52),
        ),
        ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}', "missing-action", (1, 41)),
        (
            '{"Version": "2012-10-17",\n "Statement": [{"Effect": "Allow", "Action": "*", '
            '"NotAction": "s3:*", "Resource": "*"}]}',
            "action-and-notaction",
            (2, 51),
        ),
        (
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", '
            '"Condition": {"DateLessThan": {"aws:CurrentTime": "tomorrow"}}}]}',
            "invalid-condition-value",
            (1, 143),
        ),
        (
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", '
            '"Condition": {"StringEqualz": {"a": "b"}}}]}',
            "unknown-operator",
            (1, 107),
        ),
        (
            '{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}',
            "invalid-version",
            (1, 13),
        ),
        (
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}',
            "invalid-json",
            (1, 92),
        ),
    ],
)
def test_errors_are_located(text: str, code: str, where: tuple[int, int]) -> None:
    """Each malformed document yields its error code at the line and column of the offending part."""
    check = validate_policy_text(text, name="p.json", catalog=False)
    assert check.document is None
    first = check.errors[0]
    assert (first.code, (first.location.line, first.location.column)) == (code, where)


def test_parse_policy_raises_with_all_errors() -> None:
    """parse_policy raises one PolicyError naming the first error and carrying every error."""
    with pytest.raises(PolicyError) as raised:
        parse_policy('{"Statement": [{"Effect": "Maybe", "Action": "GetObject", "Resource": "*"}]}', name="inline")
    assert raised.value.code == "invalid-effect"
    assert raised.value.location.source == "inline"
    assert [getattr(f, "code", None) for f in raised.value.findings] == ["invalid-effect", "action-no-service-prefix"]
    assert raised.value.hint is not None
    assert "validate" in raised.value.hint


def test_size_limit_counts_without_whitespace() -> None:
    """A role's inline policy may have 10,240 characters, white space not counted."""
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/" + "k" * 10_300}
    check = validate_policy_text(
        '{"Version": "2012-10-17", "Statement": [' + str(statement).replace("'", '"') + "]}",
        name="big.json",
        catalog=False,
    )
    assert [f.code for f in check.errors] == ["policy-too-large"]
