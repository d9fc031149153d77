"""Readiness under simulated IAM propagation, and the timeout."""

from __future__ import annotations

import time

import boto3
import pytest

from iam_tester import temporary_iam_credentials
from iam_tester.embedded import OPEN_BUCKET
from iam_tester.errors import ReadinessTimeoutError
from iam_tester.live import Progress
from iam_tester.testing import CallRecorder, PropagationSimulator

from .helpers import ALLOW_LIST_EXCEPT_PROTECTED, assert_nothing_left


def test_credentials_handed_out_only_after_propagation(session: boto3.Session) -> None:
    """With AssumeRole refused for 2 s after CreateRole and new keys refused for 1 s, the credentials are
    yielded only after both pass, and the first real call with them succeeds."""
    simulator = PropagationSimulator(session, assume_refused_for=2.0, keys_refused_for=1.0)
    steps: list[Progress] = []
    with temporary_iam_credentials(
        policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session, progress=steps.append
    ) as credentials:
        handed_out = time.monotonic()
        listing = credentials.client("s3").list_objects_v2(Bucket=OPEN_BUCKET)
    assert listing["KeyCount"] == 1
    assert simulator.refusals["AccessDenied"] >= 1
    assert simulator.refusals["InvalidClientTokenId"] >= 1
    (role_arn,) = simulator.role_created_at
    assert handed_out - simulator.role_created_at[role_arn] >= 2.0
    assert handed_out - simulator.keys_issued_at[credentials.access_key_id] >= 1.0
    assert any(step.stage == "retry" and "AccessDenied" in step.message for step in steps)
    assert any(step.stage == "retry" and "InvalidClientTokenId" in step.message for step in steps)
    assert_nothing_left(session)


def test_timeout_names_the_role_and_cleans_up(session: boto3.Session) -> None:
    """A role that never becomes assumable ends in ReadinessTimeoutError naming it; the role is deleted."""
    simulator = PropagationSimulator(session, assume_refused_for=3600, keys_refused_for=0)
    with (
        pytest.raises(ReadinessTimeoutError) as caught,
        temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session, readiness_timeout=0.5),
    ):
        pytest.fail("the body must not run")
    (role_arn,) = simulator.role_created_at
    assert caught.value.role_arn == role_arn
    assert role_arn in str(caught.value)
    assert "0.5 s" in str(caught.value)
    assert "AccessDenied" in str(caught.value)
    assert caught.value.hint
    assert_nothing_left(session)


def test_keys_that_never_work_time_out_too(session: boto3.Session) -> None:
    """Credentials refused for longer than the timeout also end in ReadinessTimeoutError, and cleanup."""
    PropagationSimulator(session, assume_refused_for=0, keys_refused_for=3600)
    with (
        pytest.raises(ReadinessTimeoutError, match="the new credentials still failed with InvalidClientTokenId"),
        temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session, readiness_timeout=0.5),
    ):
        pytest.fail("the body must not run")
    assert_nothing_left(session)


def test_non_propagation_error_is_not_waited_on(session: boto3.Session) -> None:
    """An error that waiting cannot fix (here: a malformed request) is raised at once, not retried."""
    from iam_tester.errors import AwsCallError
    from iam_tester.testing import FaultInjector

    recorder = CallRecorder(session)
    FaultInjector(session).fail("sts.AssumeRole", code="ValidationError", times=0)
    with (
        pytest.raises(AwsCallError, match="ValidationError"),
        temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session),
    ):
        pytest.fail("the body must not run")
    assert recorder.names.count("sts.AssumeRole") == 1
    assert_nothing_left(session)
