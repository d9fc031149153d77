"""Service principals are lower case, one rule for the validator and the evaluator (IAM policy validation check
reference, "Error - Invalid service principal format": "in all lowercase letters")."""

from __future__ import annotations

import pytest

from iam_tester.engine import PolicySet, Request
from iam_tester.engine.principals import PrincipalKind, parse_request_principal
from iam_tester.errors import InvalidArgumentError
from iam_tester.policy import PolicyKind, validate_policy

NAMES = [
    ("s3.amazonaws.com", True),
    ("s3.ap-east-1.amazonaws.com", True),
    ("s3.cn-north-1.amazonaws.com.cn", True),
    ("S3.amazonaws.com", False),
    ("cloudtrail.AMAZONAWS.com", False),
    ("ec2", False),
]


def _trust(service: str) -> dict[str, object]:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return {"Version": "2012-10-17", "Statement": [statement]}


@pytest.mark.parametrize(("name", "is_service"), NAMES)
def test_validator_and_evaluator_agree_on_service_principals(name: str, is_service: bool) -> None:
    """A name the validator accepts as a Service principal is one the evaluator accepts as a service caller."""
    report = validate_policy(_trust(name), kind=PolicyKind.TRUST, catalog=False)
    assert (not any(f.code == "suspicious-principal" for f in report.warnings)) is is_service
    if is_service:
        assert parse_request_principal(name).kind is PrincipalKind.SERVICE
    else:
        with pytest.raises(InvalidArgumentError):
            parse_request_principal(name)


def test_validator_names_the_lower_case_form() -> None:
    """A Service principal in another case draws a warning that gives its lower-case form."""
    report = validate_policy(_trust("Lambda.amazonaws.com"), kind=PolicyKind.TRUST, catalog=False)
    (warning,) = [f for f in report.warnings if f.code == "suspicious-principal"]
    assert "'lambda.amazonaws.com'" in warning.message
    assert "lower case" in warning.message


def test_a_caller_in_another_case_is_refused_with_the_lower_case_form() -> None:
    """Evaluating a request from a service written in another case is an argument error whose hint corrects it."""
    with pytest.raises(InvalidArgumentError) as caught:
        PolicySet.compile().evaluate(Request("s3:PutObject", "arn:aws:s3:::trail/x", "CloudTrail.amazonaws.com"))
    assert caught.value.hint == "write cloudtrail.amazonaws.com"
