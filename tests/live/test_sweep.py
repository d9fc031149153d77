"""sweep: removes the tool's leftovers, and only them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from iam_tester import sweep
from iam_tester.errors import InvalidArgumentError
from iam_tester.live.naming import ROLE_PATH, TAG_CREATED_BY, new_role_name, role_tags
from iam_tester.testing import sandbox_role_names

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}
        ],
    }
)
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


def _role(session: boto3.Session, *, path: str = ROLE_PATH, tagged: bool = True, name: str | None = None) -> str:
    iam = session.client("iam")
    name = name or new_role_name()
    tags = role_tags(
        created_by="arn:aws:iam::123456789012:user/someone", created_at=datetime.now(timezone.utc), duration_seconds=900
    )
    arn: str = iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=TRUST, Tags=tags if tagged else [])[
        "Role"
    ]["Arn"]
    return arn


def _all_roles(session: boto3.Session) -> set[str]:
    return {role["Arn"] for role in session.client("iam").list_roles()["Roles"]}


def test_tagged_leftover_is_removed_with_its_policies(session: boto3.Session) -> None:
    """A leftover with an inline policy and an attached managed policy is emptied and deleted."""
    iam = session.client("iam")
    leftover = _role(session)
    name = leftover.rsplit("/", 1)[1]
    iam.put_role_policy(RoleName=name, PolicyName="iam-tester-policy", PolicyDocument=POLICY)
    managed = iam.create_policy(PolicyName="m", PolicyDocument=POLICY)["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=name, PolicyArn=managed)
    assert sweep(session=session, older_than=timedelta(0)) == [leftover]
    assert sandbox_role_names(session) == []
    assert iam.get_policy(PolicyArn=managed)["Policy"]["AttachmentCount"] == 0


def test_roles_not_ours_are_never_touched(session: boto3.Session) -> None:
    """Untagged under our path, tagged outside it, or not named like ours: sweep leaves them all alone."""
    before = _all_roles(session)
    untagged = _role(session, tagged=False)
    elsewhere = _role(session, path="/other/")
    misnamed = _role(session, name="someone-elses-role")
    ours = _role(session)
    assert sweep(session=session, older_than=timedelta(0)) == [ours]
    assert _all_roles(session) == before | {untagged, elsewhere, misnamed}


def test_young_roles_are_kept_and_dry_run_deletes_nothing(session: boto3.Session) -> None:
    """The default age (1 hour) spares a fresh role; a dry run lists what it would delete and deletes nothing."""
    ours = _role(session)
    assert sweep(session=session) == []
    assert sweep(session=session, older_than=timedelta(0), dry_run=True) == [ours]
    assert ours in _all_roles(session)
    assert sweep(session=session, older_than=timedelta(0)) == [ours]


def test_older_than_is_checked(session: boto3.Session) -> None:
    """A negative age is bad input."""
    with pytest.raises(InvalidArgumentError):
        sweep(session=session, older_than=timedelta(seconds=-1))


def test_tag_key_is_ours() -> None:
    """The marker tag sweep looks for is the one the sandbox writes."""
    tags = role_tags(created_by="arn:aws:iam::1:user/a,b", created_at=datetime.now(timezone.utc), duration_seconds=900)
    assert tags[0] == {"Key": TAG_CREATED_BY, "Value": "arn:aws:iam::1:user/a_b"}
