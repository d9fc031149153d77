"""Who the caller is, whom the trust policy names, the admin role, and session-policy mode.

moto matches a trust policy's principal against the caller's ARN *string*, and for a role session that
is the session ARN (``arn:aws:sts::…:assumed-role/NAME/SESSION``), whereas AWS matches the role ARN the
trust policy names. So on the embedded AWS a role session cannot assume the sandbox role: the tests
with a role-session caller check everything up to that point (the trust policy written, nothing of
the caller's changed, cleanup) and end in the readiness timeout.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from iam_tester import get_underlying_role_arn, temporary_iam_credentials
from iam_tester.embedded import EmbeddedAws
from iam_tester.errors import CleanupError, InvalidArgumentError, PolicyError, ReadinessTimeoutError
from iam_tester.live import whoami
from iam_tester.testing import CallRecorder, FaultInjector

from .helpers import ALLOW_LIST_EXCEPT_PROTECTED, assert_nothing_left

SSO_PATH = "/aws-reserved/sso.amazonaws.com/eu-west-1/"
SSO_NAME = "AWSReservedSSO_AdministratorAccess_0123456789abcdef"
SSO_ARN = f"arn:aws:iam::123456789012:role{SSO_PATH}{SSO_NAME}"
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def _sso_session(aws: EmbeddedAws) -> boto3.Session:
    """A session as an SSO user: an assumed-role session of a role under /aws-reserved/sso.amazonaws.com/."""
    caller = aws.session()
    iam = caller.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": aws.caller.arn}, "Action": "sts:AssumeRole"}],
    }
    iam.create_role(RoleName=SSO_NAME, Path=SSO_PATH, AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName=SSO_NAME, PolicyName="admin", PolicyDocument=ALLOW_ALL)
    credentials = caller.client("sts").assume_role(RoleArn=SSO_ARN, RoleSessionName="alice@example.com")["Credentials"]
    return aws.session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def _capture(session: boto3.Session, event: str) -> list[dict[str, Any]]:
    """The parameters of every call matching ``event`` (``before-parameter-build.iam.CreateRole``)."""
    captured: list[dict[str, Any]] = []
    session.events.register(event, lambda params, **_: captured.append(dict(params)))
    return captured


def test_whoami_for_a_user(aws: EmbeddedAws, session: boto3.Session) -> None:
    """An IAM user is trusted by its own ARN."""
    identity = whoami(session)
    assert identity.kind == "user"
    assert identity.arn == aws.caller.arn
    assert identity.trust_principal == aws.caller.arn
    assert identity.account == "123456789012"
    assert not identity.is_role_session
    assert get_underlying_role_arn(session=session) == aws.caller.arn


def test_whoami_for_an_sso_session_finds_the_role_path(aws: EmbeddedAws) -> None:
    """For a role session the role ARN, with its /aws-reserved/... path, is looked up and trusted."""
    sso = _sso_session(aws)
    identity = whoami(sso)
    assert identity.kind == "assumed-role"
    assert identity.arn == f"arn:aws:sts::123456789012:assumed-role/{SSO_NAME}/alice@example.com"
    assert identity.role_arn == SSO_ARN
    assert identity.session_name == "alice@example.com"
    assert identity.trust_principal == SSO_ARN
    assert get_underlying_role_arn(session=sso) == SSO_ARN


def test_role_session_caller_is_chaining(aws: EmbeddedAws) -> None:
    """A role-session caller asking for more than an hour is refused after reading who it is, before any write."""
    sso = _sso_session(aws)
    recorder = CallRecorder(sso)
    with (
        pytest.raises(InvalidArgumentError, match="role chaining"),
        temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=sso, duration_seconds=7200),
    ):
        pytest.fail("the body must not run")
    assert recorder.names == ["sts.GetCallerIdentity", "iam.GetRole"]


def test_role_session_caller_is_trusted_by_role_arn_and_left_unchanged(aws: EmbeddedAws) -> None:
    """From an SSO session the trust policy names the SSO role ARN with its path, and the SSO role is not edited."""
    sso = _sso_session(aws)
    created = _capture(sso, "before-parameter-build.iam.CreateRole")
    recorder = CallRecorder(sso)
    with (
        pytest.raises(ReadinessTimeoutError),  # moto only: see the module docstring
        temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=sso, readiness_timeout=0.3),
    ):
        pytest.fail("the body must not run")
    (params,) = created
    (statement,) = json.loads(params["AssumeRolePolicyDocument"])["Statement"]
    assert statement["Principal"] == {"AWS": SSO_ARN}
    # ... and only this session of it: not every session of the SSO role (aws:userid is ROLE-ID:SESSION).
    user_id = sso.client("sts").get_caller_identity()["UserId"]
    assert user_id.endswith(":alice@example.com")
    assert statement["Condition"] == {"StringEquals": {"aws:userid": user_id}}
    writes = [
        name for name in recorder.names if name.startswith("iam.") and not name.startswith(("iam.Get", "iam.List"))
    ]
    assert writes == ["iam.CreateRole", "iam.PutRolePolicy", "iam.DeleteRolePolicy", "iam.DeleteRole"]
    iam = aws.session().client("iam")
    assert iam.list_role_policies(RoleName=SSO_NAME)["PolicyNames"] == ["admin"]
    assert_nothing_left(aws.session())


def test_admin_role_is_assumed_trusted_and_granted_only_on_request(aws: EmbeddedAws, session: boto3.Session) -> None:
    """With admin_role_arn the admin role is assumed first and trusted; --grant-admin-role adds its "may assume"
    policy for the sandbox's lifetime only."""
    created = _capture(session, "before-parameter-build.iam.CreateRole")
    granted = _capture(session, "before-parameter-build.iam.PutRolePolicy")
    assumed = _capture(session, "before-parameter-build.sts.AssumeRole")
    recorder = CallRecorder(session)
    with (
        pytest.raises(ReadinessTimeoutError),  # moto only: see the module docstring
        temporary_iam_credentials(
            policy_document=ALLOW_LIST_EXCEPT_PROTECTED,
            session=session,
            admin_role_arn=aws.admin_role_arn,
            grant_admin_role=True,
            readiness_timeout=0.3,
        ),
    ):
        pytest.fail("the body must not run")
    assert recorder.names[:3] == ["sts.GetCallerIdentity", "sts.AssumeRole", "iam.GetRole"]
    (params,) = created
    (statement,) = json.loads(params["AssumeRolePolicyDocument"])["Statement"]
    assert statement["Principal"] == {"AWS": aws.admin_role_arn}
    # Only the tool's own session of the admin role, not every session of it.
    (condition,) = statement["Condition"]["StringEquals"].values()
    assert condition.endswith(":" + assumed[0]["RoleSessionName"])
    sandbox_policy, grant = granted
    assert sandbox_policy["PolicyName"] == "iam-tester-policy"
    assert grant["RoleName"] == "platform-admin"
    assert json.loads(grant["PolicyDocument"])["Statement"][0]["Action"] == "sts:AssumeRole"
    assert_nothing_left(session)  # the grant is gone again


def test_admin_role_without_grant_is_never_edited(aws: EmbeddedAws, session: boto3.Session) -> None:
    """Without the opt-in flag, nothing is put on the admin role."""
    granted = _capture(session, "before-parameter-build.iam.PutRolePolicy")
    with (
        pytest.raises(ReadinessTimeoutError),
        temporary_iam_credentials(
            policy_document=ALLOW_LIST_EXCEPT_PROTECTED,
            session=session,
            admin_role_arn=aws.admin_role_arn,
            readiness_timeout=0.3,
        ),
    ):
        pytest.fail("the body must not run")
    assert [params["RoleName"] for params in granted] == [granted[0]["RoleName"]]
    assert granted[0]["RoleName"].startswith("iam-tester-")
    assert_nothing_left(session)


def test_grant_left_behind_is_named(aws: EmbeddedAws, session: boto3.Session) -> None:
    """If AWS refuses to remove the grant, the error names the admin role's inline policy and how to delete it."""
    FaultInjector(session).fail("iam.DeleteRolePolicy", code="ValidationError", occurrence=1)
    with (
        pytest.raises(ReadinessTimeoutError) as caught,
        temporary_iam_credentials(
            policy_document=ALLOW_LIST_EXCEPT_PROTECTED,
            session=session,
            admin_role_arn=aws.admin_role_arn,
            grant_admin_role=True,
            readiness_timeout=0.3,
        ),
    ):
        pytest.fail("the body must not run")
    cleanup = caught.value.cleanup_error  # type: ignore[attr-defined]
    assert isinstance(cleanup, CleanupError)
    (left,) = cleanup.left_behind
    assert left.startswith(f"{aws.admin_role_arn} (inline policy iam-tester-")
    assert "aws iam delete-role-policy --role-name platform-admin" in (cleanup.hint or "")
    assert f"iam-tester sweep --admin-role-arn {aws.admin_role_arn}" in (cleanup.hint or "")
    policies = aws.session().client("iam").list_role_policies(RoleName="platform-admin")["PolicyNames"]
    (extra,) = [policy for policy in policies if policy != "administrator"]
    assert left.endswith(f"(inline policy {extra})")


def test_session_policy_mode(aws: EmbeddedAws, session: boto3.Session) -> None:
    """Session-policy mode assumes the admin role with the policy, reports PackedPolicySize, writes nothing to IAM."""
    recorder = CallRecorder(session)
    sent = _capture(session, "before-parameter-build.sts.AssumeRole")
    with temporary_iam_credentials(
        policy_document=ALLOW_LIST_EXCEPT_PROTECTED,
        session=session,
        admin_role_arn=aws.admin_role_arn,
        session_policy=True,
    ) as credentials:
        arn = credentials.client("sts").get_caller_identity()["Arn"]
    assert credentials.mode == "session-policy"
    assert credentials.role_arn == aws.admin_role_arn
    assert isinstance(credentials.packed_policy_size, int)
    assert arn.startswith("arn:aws:sts::123456789012:assumed-role/platform-admin/iam-tester-session-")
    assert json.loads(sent[0]["Policy"]) == ALLOW_LIST_EXCEPT_PROTECTED
    assert not any(name.startswith("iam.") for name in recorder.names)


def test_session_policy_mode_from_a_user_is_not_chaining(aws: EmbeddedAws, session: boto3.Session) -> None:
    """A user assuming the admin role with a session policy is one hop, not role chaining: two hours are asked
    of AWS (whose limit is then the admin role's maximum session duration)."""
    sent = _capture(session, "before-parameter-build.sts.AssumeRole")
    with temporary_iam_credentials(
        policy_document=ALLOW_LIST_EXCEPT_PROTECTED,
        session=session,
        admin_role_arn=aws.admin_role_arn,
        session_policy=True,
        duration_seconds=7200,
    ):
        pass
    assert [params["DurationSeconds"] for params in sent] == [7200]


def test_session_policy_mode_from_a_role_session_is_chaining(aws: EmbeddedAws) -> None:
    """A role session assuming the admin role with a session policy is role chaining: more than an hour is
    refused once STS has said who the caller is, before the AssumeRole."""
    sso = _sso_session(aws)
    recorder = CallRecorder(sso)
    with (
        pytest.raises(InvalidArgumentError, match="role chaining"),
        temporary_iam_credentials(
            policy_document=ALLOW_LIST_EXCEPT_PROTECTED,
            session=sso,
            admin_role_arn=aws.admin_role_arn,
            session_policy=True,
            duration_seconds=7200,
        ),
    ):
        pytest.fail("the body must not run")
    assert "sts.AssumeRole" not in recorder.names


def test_session_policy_over_2048_characters_is_refused(aws: EmbeddedAws, session: boto3.Session) -> None:
    """A session policy longer than AssumeRole's 2,048 characters is refused before any call."""
    statements = [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::bucket-{i:03d}/*"} for i in range(40)
    ]
    recorder = CallRecorder(session)
    with (
        pytest.raises(PolicyError, match="2,048"),
        temporary_iam_credentials(
            policy_document={"Version": "2012-10-17", "Statement": statements},
            session=session,
            admin_role_arn=aws.admin_role_arn,
            session_policy=True,
        ),
    ):
        pytest.fail("the body must not run")
    assert recorder.calls == []
