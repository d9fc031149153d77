"""The embedded AWS: enforcement is on, state resets, one per process, and it never leaks to real AWS."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from iam_tester.embedded import BUCKETS, PROTECTED_BUCKET, EmbeddedAws
from iam_tester.errors import SandboxError


def test_unknown_keys_are_refused(aws: EmbeddedAws) -> None:
    """Requests signed with keys the server does not know are refused, by STS and IAM alike."""
    stranger = aws.session(aws_access_key_id="AKIANOTAREALKEY00000", aws_secret_access_key="nope")
    with pytest.raises(ClientError, match="InvalidClientTokenId"):
        stranger.client("sts").get_caller_identity()
    with pytest.raises(ClientError, match="InvalidClientTokenId"):
        stranger.client("iam").list_roles()


def test_permissions_are_enforced(aws: EmbeddedAws, session: boto3.Session) -> None:
    """The caller may do anything; a user without policies is denied: "denied" on this server is real."""
    s3 = session.client("s3")
    assert sorted(bucket["Name"] for bucket in s3.list_buckets()["Buckets"]) == sorted(BUCKETS)
    iam = session.client("iam")
    iam.create_user(UserName="nobody")
    key = iam.create_access_key(UserName="nobody")["AccessKey"]
    nobody = aws.session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    with pytest.raises(ClientError, match="AccessDenied"):
        nobody.client("s3").list_objects_v2(Bucket=PROTECTED_BUCKET)


def test_reset_restores_the_initial_state(aws: EmbeddedAws) -> None:
    """reset() removes everything made since and issues new caller keys; the old keys stop working."""
    old = aws.session()
    old.client("iam").create_user(UserName="temporary")
    aws.reset()
    with pytest.raises(ClientError, match="InvalidClientTokenId"):
        old.client("sts").get_caller_identity()
    users = [user["UserName"] for user in aws.session().client("iam").list_users()["Users"]]
    assert users == ["iam-tester-caller"]


def test_only_one_per_process(aws: EmbeddedAws) -> None:
    """A second embedded AWS in the same process is refused (moto's auth switch is process-wide)."""
    with pytest.raises(SandboxError, match="already running"):
        EmbeddedAws().start()
    assert aws.session().client("sts").get_caller_identity()["Arn"] == aws.caller.arn


def test_session_ignores_a_configured_endpoint(aws: EmbeddedAws, monkeypatch: pytest.MonkeyPatch) -> None:
    """The session's endpoint override wins over AWS_ENDPOINT_URL, so tests cannot reach another endpoint."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://192.0.2.1:9")  # TEST-NET-1: unroutable
    assert aws.session().client("sts").get_caller_identity()["Arn"] == aws.caller.arn


def test_environment_for_subprocesses(aws: EmbeddedAws) -> None:
    """env() points at the server as the caller; subprocess_env() also drops every other AWS_ variable."""
    env = aws.subprocess_env({"AWS_PROFILE": "work", "AWS_SESSION_TOKEN": "old", "HOME": "/home/me"})
    assert env["AWS_ENDPOINT_URL"] == aws.endpoint_url
    assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert env["AWS_ACCESS_KEY_ID"] == aws.caller.access_key_id
    assert env["HOME"] == "/home/me"
    assert "AWS_PROFILE" not in env
    assert "AWS_SESSION_TOKEN" not in env
    assert aws.caller.secret_access_key not in repr(aws.caller)


def test_enforcement_can_be_switched(aws: EmbeddedAws) -> None:
    """enforce(False) lets any key through (moto's default, for in-process users); enforce() checks again."""
    stranger = aws.session(aws_access_key_id="AKIANOTAREALKEY00000", aws_secret_access_key="nope")
    aws.enforce(enabled=False)
    try:
        assert stranger.client("iam").list_roles()["Roles"]
    finally:
        aws.enforce()
    with pytest.raises(ClientError, match="InvalidClientTokenId"):
        stranger.client("iam").list_roles()
