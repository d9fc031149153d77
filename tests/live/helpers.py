"""Shared by the sandbox tests: the seed's policy and the "nothing left behind" check."""

from __future__ import annotations

import boto3

from iam_tester.embedded import ADMIN_ROLE_NAME, CALLER_USER_NAME, PROTECTED_BUCKET
from iam_tester.testing import sandbox_role_names

ALLOW_LIST_EXCEPT_PROTECTED = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:List*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:List*", "Resource": f"arn:aws:s3:::{PROTECTED_BUCKET}"},
    ],
}


def assert_nothing_left(session: boto3.Session) -> None:
    """No role under /iam-tester/; the caller and the admin role have exactly their own policies."""
    assert sandbox_role_names(session) == []
    iam = session.client("iam")
    assert iam.list_role_policies(RoleName=ADMIN_ROLE_NAME)["PolicyNames"] == ["administrator"]
    assert iam.list_attached_role_policies(RoleName=ADMIN_ROLE_NAME)["AttachedPolicies"] == []
    assert iam.list_user_policies(UserName=CALLER_USER_NAME)["PolicyNames"] == ["administrator"]
    assert iam.list_attached_user_policies(UserName=CALLER_USER_NAME)["AttachedPolicies"] == []
