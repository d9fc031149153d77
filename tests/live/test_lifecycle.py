"""Lifecycle corner cases: a lost CreateRole response, a name taken by someone else, renewing the admin role."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest

from iam_tester import sweep, temporary_iam_credentials
from iam_tester.embedded import EmbeddedAws
from iam_tester.errors import AwsCallError
from iam_tester.live.clients import Actor, configured_endpoint_url
from iam_tester.live.lifecycle import RoleSpec, build_role
from iam_tester.live.naming import new_role_name
from iam_tester.live.teardown import Teardown
from iam_tester.live.trust import TrustPolicy
from iam_tester.testing import CallRecorder, FaultInjector

from .helpers import ALLOW_LIST_EXCEPT_PROTECTED, assert_nothing_left


def test_lost_create_role_response_is_adopted_and_cleaned_up(session: boto3.Session) -> None:
    """CreateRole took effect but its response was lost: the retry's EntityAlreadyExists is recognised as
    this run's own role (same tags), used, and deleted at the end."""
    recorder = CallRecorder(session)
    faults = FaultInjector(session)
    faults.lose_response("iam.CreateRole")
    with temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session) as credentials:
        credentials.client("sts").get_caller_identity()
    assert faults.injected == [("iam.CreateRole", 1, "InternalFailure")]
    assert recorder.names[1:5] == ["iam.CreateRole", "iam.CreateRole", "iam.GetRole", "iam.ListRoleTags"]
    assert_nothing_left(session)


def test_a_name_taken_by_someone_else_is_left_alone(aws: EmbeddedAws, session: boto3.Session) -> None:
    """If the role name exists without this run's tags, creation fails and that role is never touched."""
    name = new_role_name()
    iam = session.client("iam")
    trust = TrustPolicy.for_principal(aws.caller.arn)
    iam.create_role(RoleName=name, Path="/iam-tester/", AssumeRolePolicyDocument=trust.to_json())
    now = datetime.now(timezone.utc)
    spec = RoleSpec(
        name=name,
        account=aws.account_id,
        partition="aws",
        trust=trust,
        policy_json=json.dumps(ALLOW_LIST_EXCEPT_PROTECTED),
        created_by=aws.caller.arn,
        created_at=now,
        expires=now,
        duration_seconds=900,
    )
    iam_client = Actor(session).iam
    with (
        pytest.raises(AwsCallError, match="EntityAlreadyExists") as caught,
        Teardown(iam_client, lambda stage, message: None) as teardown,
    ):
        build_role(iam_client, spec, teardown, lambda stage, message: None)
    assert "left alone" in (caught.value.hint or "")
    assert iam.get_role(RoleName=name)["Role"]["RoleName"] == name
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == []


def test_admin_credentials_are_renewed_near_expiry(aws: EmbeddedAws, session: boto3.Session) -> None:
    """An actor whose assumed-role credentials expire within minutes assumes the role again before a call."""
    sts = session.client("sts")
    renewals: list[dict[str, Any]] = []

    def renew() -> dict[str, Any]:
        reply = sts.assume_role(RoleArn=aws.admin_role_arn, RoleSessionName="renewed")
        credentials = dict(reply["Credentials"])
        renewals.append(credentials)
        return credentials

    stale = dict(sts.assume_role(RoleArn=aws.admin_role_arn, RoleSessionName="stale")["Credentials"])
    stale["Expiration"] = datetime.now(timezone.utc) + timedelta(minutes=1)
    actor = Actor(session, credentials=stale, renew=renew)
    assert actor.sts().get_caller_identity()["Arn"].endswith("/renewed")
    assert actor.sts().get_caller_identity()["Arn"].endswith("/renewed")
    assert len(renewals) == 1


def test_configured_endpoint_is_found(aws: EmbeddedAws, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The endpoint a session was configured with (an override, or a profile's endpoint_url) is found; none
    for a plain session."""
    assert configured_endpoint_url(aws.session()) == aws.endpoint_url
    config = tmp_path / "config"
    config.write_text("[profile local]\nregion = eu-west-1\nendpoint_url = http://127.0.0.1:4566\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    assert configured_endpoint_url(boto3.Session(profile_name="local")) == "http://127.0.0.1:4566"
    assert configured_endpoint_url(boto3.Session(region_name="us-east-1")) is None


def test_an_interrupted_adoption_never_deletes_an_unconfirmed_role(aws: EmbeddedAws, session: boto3.Session) -> None:
    """CreateRole's answer lost, then Ctrl-C while the tool checks whether the existing role is its own: the
    role is not deleted unconfirmed; the error names it, and sweep (which checks the tags) removes it."""
    import os
    import signal

    FaultInjector(session).lose_response("iam.CreateRole")
    session.events.register("before-send.iam.GetRole", lambda **_: os.kill(os.getpid(), signal.SIGINT))
    with (
        pytest.raises(KeyboardInterrupt) as caught,
        temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session),
    ):
        pytest.fail("the body must not run")
    cleanup = caught.value.cleanup_error  # type: ignore[attr-defined]
    (left,) = cleanup.left_behind
    assert "could not be confirmed as this run's" in str(cleanup)
    assert "iam-tester sweep" in (cleanup.hint or "")
    assert sweep(session=aws.session(), force=True).removed == (left,)
    assert_nothing_left(session)
