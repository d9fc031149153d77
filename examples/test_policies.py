"""The original iam-tester example as pytest tests, with iam-tester's pytest plugin.

Installing iam-tester registers the plugin: no conftest.py is needed.

    uv run pytest examples/test_policies.py             # offline, and live on the embedded AWS
    uv run pytest examples/test_policies.py --real-aws  # also the test marked `aws`, on your account

The live test runs in a temporary role on the embedded AWS (a moto server on 127.0.0.1, started by the
`embedded_aws` fixture); the one marked `aws` runs on the account of your default boto3 session.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from iam_tester.embedded import EmbeddedAws
from iam_tester.pytest_plugin import SandboxFactory, assert_allowed, assert_decision, assert_denied


def list_except(protected: str) -> dict[str, Any]:
    """The original example's policy: list any bucket except the protected one."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ListAnyBucket", "Effect": "Allow", "Action": "s3:List*", "Resource": "*"},
            {"Sid": "ProtectBucket", "Effect": "Deny", "Action": "s3:List*", "Resource": f"arn:aws:s3:::{protected}"},
        ],
    }


POLICY = list_except("iam-tester-protected")


def test_the_protected_bucket_cannot_be_listed() -> None:
    """Offline: the Deny statement wins over the Allow (a failure prints the evaluator's explanation)."""
    assert_decision(POLICY, action="s3:ListBucket", resource="arn:aws:s3:::iam-tester-dashboard", expected="allowed")
    assert_decision(
        POLICY, action="s3:ListBucket", resource="arn:aws:s3:::iam-tester-protected", expected="explicitDeny"
    )


def test_the_policy_in_a_sandbox(embedded_aws: EmbeddedAws, iam_sandbox: SandboxFactory) -> None:
    """Live, on the embedded AWS: the policy's credentials list the dashboard, not the protected bucket."""
    with iam_sandbox(POLICY) as session:
        s3 = session.client("s3")
        assert_allowed(s3.list_objects_v2, Bucket="iam-tester-dashboard")
        assert_denied(s3.list_objects_v2, Bucket="iam-tester-protected")


@pytest.mark.aws
def test_the_policy_on_real_aws(iam_sandbox: SandboxFactory) -> None:
    """Live, on your account (only with --real-aws): name two buckets you have in the environment."""
    dashboard = os.environ.get("EXAMPLE_OPEN_BUCKET", "iam-tester-dashboard")
    protected = os.environ.get("EXAMPLE_PROTECTED_BUCKET", "iam-tester-protected")
    with iam_sandbox(list_except(protected)) as session:
        s3 = session.client("s3")
        assert_allowed(s3.list_objects_v2, Bucket=dashboard)
        assert_denied(s3.list_objects_v2, Bucket=protected)
