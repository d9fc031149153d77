"""Fitting a policy's ARN pattern to a resource type's ARN format."""

from __future__ import annotations

import pytest

from iam_tester.policy.arns import arn_fits_format, split_arn

OBJECT = "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
BUCKET = "arn:${Partition}:s3:::${BucketName}"
INSTANCE = "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}"


@pytest.mark.parametrize(
    ("arn", "arn_format", "fits"),
    [
        ("arn:aws:s3:::bucket/key", OBJECT, True),
        ("arn:aws:s3:::bucket", OBJECT, False),  # a bucket is not an object
        ("arn:aws:s3:::*", OBJECT, True),  # "*" may stand for bucket/key
        ("arn:aws:s3:::bucket*", OBJECT, True),
        ("arn:aws:s3:::bucket?", OBJECT, False),  # ? is one character: no room for /key
        ("arn:aws:s3:::bucket/${aws:username}/*", OBJECT, True),  # a variable is any value
        ("arn:aws:s3:us-east-1::bucket", BUCKET, False),  # S3 bucket ARNs have no Region
        ("arn:aws:ec2:*:*:instance/*", INSTANCE, True),
        ("arn:aws:ec2:us-east-1:111122223333:instance/i-0abc", INSTANCE, True),
        ("arn:aws:ec2:us-east-1:111122223333:volume/vol-1", INSTANCE, False),
        ("arn:aws:ec2:us-east-1::instance/i-0abc", INSTANCE, False),  # the account is required
        ("arn:aws:s*:::bucket/key", OBJECT, True),  # wildcards work in any segment
        ("arn:aws:ec2:*:*:*", INSTANCE, True),
        ("arn:aws:ec2:*:*:*/x", INSTANCE, True),
        ("arn:aws:s3:::bucket/*", BUCKET, False),  # a bucket name has no "/"
        ("arn:aws:s3:::*/*", BUCKET, False),
        ("arn:aws:s3:::*", BUCKET, True),
        ("arn:aws:s3:::b?cket", BUCKET, True),
        ("arn:aws:s3:::b?/x", BUCKET, False),
        ("arn:aws:s3:::reports-*", BUCKET, True),
        ("arn:aws:s3:::*/reports/*", OBJECT, True),
        ("arn:aws:ec2:*:*:instance/i-1/x", INSTANCE, False),  # an instance ID has no "/"
        (
            "arn:aws:logs:*:*:/aws-glue/*",
            "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}",
            False,
        ),
        ("arn:aws:ec2:*:*:i*stance", INSTANCE, True),  # instance/xstance matches both
        ("arn:aws:ec2:*:*:volume*", INSTANCE, False),
        ("arn:aws:ec2:*:*:instance", INSTANCE, False),  # still needs "/" and an ID
    ],
)
def test_arn_fits_format(arn: str, arn_format: str, fits: bool) -> None:
    """An ARN fits when some real ARN matches both the policy's pattern and the format."""
    assert arn_fits_format(arn, arn_format) is fits


@pytest.mark.parametrize(
    ("arn", "fits"),
    [
        ("arn:aws:ssm:*::document/AWS-RunShellScript", True),  # an AWS-owned document has no account
        ("arn:aws:ssm:*:111122223333:document/mine", True),
        ("arn:aws:ssm:*:*:document/*", True),
    ],
)
def test_aws_owned_resources_may_omit_the_account(arn: str, fits: bool) -> None:
    """With account_optional (AWS-owned types such as Systems Manager documents) an empty account fits."""
    document = "arn:${Partition}:ssm:${Region}:${Account}:document/${DocumentName}"
    assert arn_fits_format(arn, document, account_optional=True) is fits
    assert arn_fits_format("arn:aws:ssm:*::document/AWS-RunShellScript", document) is False


def test_split_arn() -> None:
    """ARNs split into six parts, the resource keeping its own colons; non-ARNs do not split."""
    assert split_arn("arn:aws:logs:us-east-1:1:log-group:g:log-stream:s") == (
        "arn",
        "aws",
        "logs",
        "us-east-1",
        "1",
        "log-group:g:log-stream:s",
    )
    assert split_arn("bucket/key") is None
