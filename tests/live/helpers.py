"""Shared by the sandbox tests: the seed's policy, planted leftovers and the "nothing left behind" check."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import boto3

from iam_tester.embedded import ADMIN_ROLE_NAME, CALLER_USER_NAME, PROTECTED_BUCKET
from iam_tester.live.naming import ROLE_PATH, new_role_name, tags
from iam_tester.testing import sandbox_role_names

ALLOW_LIST_EXCEPT_PROTECTED = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:List*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:List*", "Resource": f"arn:aws:s3:::{PROTECTED_BUCKET}"},
    ],
}


def assert_nothing_left(session: boto3.Session) -> None:
    """No role or policy under /iam-tester/; the caller and the admin role have exactly their own policies."""
    assert sandbox_role_names(session) == []
    iam = session.client("iam")
    assert iam.list_policies(Scope="Local", PathPrefix=ROLE_PATH)["Policies"] == []
    assert iam.list_role_policies(RoleName=ADMIN_ROLE_NAME)["PolicyNames"] == ["administrator"]
    assert iam.list_attached_role_policies(RoleName=ADMIN_ROLE_NAME)["AttachedPolicies"] == []
    assert iam.list_user_policies(UserName=CALLER_USER_NAME)["PolicyNames"] == ["administrator"]
    assert iam.list_attached_user_policies(UserName=CALLER_USER_NAME)["AttachedPolicies"] == []


def plant_role(
    session: boto3.Session,
    *,
    name: str | None = None,
    path: str = ROLE_PATH,
    tagged: bool = True,
    expires_in: timedelta = timedelta(minutes=-1),
    grant_on: str | None = None,
) -> str:
    """A role as a sandbox run leaves it (by default one whose credentials expired a minute ago); its ARN."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    marks = tags(
        created_by="arn:aws:iam::123456789012:user/someone",
        expires=datetime.now(timezone.utc) + expires_in,
        grant_on=grant_on,
    )
    role = session.client("iam").create_role(
        RoleName=name or new_role_name(),
        Path=path,
        AssumeRolePolicyDocument=json.dumps(trust),
        Tags=marks if tagged else [],
    )
    return str(role["Role"]["Arn"])
