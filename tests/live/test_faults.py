"""Fault injection at every AWS call the sandbox makes, through botocore ``before-send`` events.

The calls are listed here, and a recorded run must match the list exactly, so a new call added to
the sandbox cannot escape these tests.
"""

from __future__ import annotations

import json

import boto3
import pytest

from iam_tester import sweep, temporary_iam_credentials
from iam_tester.embedded import EmbeddedAws
from iam_tester.errors import AwsCallError, CleanupError
from iam_tester.testing import CallRecorder, FaultInjector, sandbox_role_names

from .helpers import ALLOW_LIST_EXCEPT_PROTECTED, assert_nothing_left

# Role mode with a managed policy attached: every call, in order, with its occurrence number.
ROLE_MODE_CALLS = [
    ("sts.GetCallerIdentity", 1),  # who is the caller
    ("iam.CreateRole", 1),
    ("iam.PutRolePolicy", 1),
    ("iam.AttachRolePolicy", 1),
    ("sts.AssumeRole", 1),
    ("sts.GetCallerIdentity", 2),  # three probes with the new credentials
    ("sts.GetCallerIdentity", 3),
    ("sts.GetCallerIdentity", 4),
    ("iam.DetachRolePolicy", 1),  # cleanup, in reverse order
    ("iam.DeleteRolePolicy", 1),
    ("iam.DeleteRole", 1),
]
# ... and with a boundary given as a document, which becomes a temporary managed policy.
BOUNDARY_MODE_CALLS = [
    ("sts.GetCallerIdentity", 1),
    ("iam.CreatePolicy", 1),  # the boundary, before the role that uses it
    ("iam.CreateRole", 1),
    ("iam.PutRolePolicy", 1),
    ("iam.AttachRolePolicy", 1),
    ("sts.AssumeRole", 1),
    ("sts.GetCallerIdentity", 2),
    ("sts.GetCallerIdentity", 3),
    ("sts.GetCallerIdentity", 4),
    ("iam.DetachRolePolicy", 1),
    ("iam.DeleteRolePolicy", 1),
    ("iam.DeleteRole", 1),
    ("iam.DeletePolicy", 1),  # the boundary, once no role uses it
]
CLEANUP_CALLS = {"iam.DetachRolePolicy", "iam.DeleteRolePolicy", "iam.DeleteRole", "iam.DeletePolicy"}
BOUNDARY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
SESSION_MODE_CALLS = [("sts.GetCallerIdentity", 1), ("sts.AssumeRole", 1)]

READ_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def _managed_policy(session: boto3.Session) -> str:
    iam = session.client("iam")
    return iam.create_policy(PolicyName="read-objects", PolicyDocument=json.dumps(READ_POLICY))["Policy"]["Arn"]


def _sandbox(session: boto3.Session, managed: str, *, boundary: bool = True) -> None:
    with temporary_iam_credentials(
        policy_document=ALLOW_LIST_EXCEPT_PROTECTED,
        session=session,
        managed_policy_arns=[managed],
        permissions_boundary_document=BOUNDARY if boundary else None,
    ):
        pass


def numbered(names: list[str]) -> list[tuple[str, int]]:
    """Each call name with its occurrence number: ``[("iam.CreateRole", 1), ...]``."""
    seen: dict[str, int] = {}
    numbered = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        numbered.append((name, seen[name]))
    return numbered


def test_recorded_role_mode_calls_match_the_list(session: boto3.Session) -> None:
    """A recorded run makes exactly the calls the fault tests cover, in that order."""
    managed = _managed_policy(session)
    recorder = CallRecorder(session)
    _sandbox(session, managed, boundary=False)
    assert numbered(recorder.names) == ROLE_MODE_CALLS
    recorder = CallRecorder(session)
    _sandbox(session, managed)
    assert numbered(recorder.names) == BOUNDARY_MODE_CALLS


def test_recorded_session_mode_calls_match_the_list(session: boto3.Session) -> None:
    """Session-policy mode makes exactly two calls, neither of them to IAM."""
    recorder = CallRecorder(session)
    with temporary_iam_credentials(
        policy_document=ALLOW_LIST_EXCEPT_PROTECTED,
        session=session,
        session_policy=True,
        admin_role_arn="arn:aws:iam::123456789012:role/embedded/platform-admin",
    ):
        pass
    assert numbered(recorder.names) == SESSION_MODE_CALLS


@pytest.mark.parametrize(
    ("operation", "occurrence"), BOUNDARY_MODE_CALLS, ids=[f"{o}#{n}" for o, n in BOUNDARY_MODE_CALLS]
)
def test_throttling_once_is_retried_transparently(session: boto3.Session, operation: str, occurrence: int) -> None:
    """One Throttling answer at any call is retried by botocore's standard mode: the run succeeds, nothing is left."""
    managed = _managed_policy(session)
    faults = FaultInjector(session)
    faults.fail(operation, code="Throttling", occurrence=occurrence, message="Rate exceeded")
    _sandbox(session, managed)
    assert faults.injected == [(operation, occurrence, "Throttling")]
    assert_nothing_left(session)


@pytest.mark.parametrize(
    ("operation", "occurrence"), BOUNDARY_MODE_CALLS, ids=[f"{o}#{n}" for o, n in BOUNDARY_MODE_CALLS]
)
def test_hard_error_is_typed_and_leaves_nothing_or_names_what_is_left(
    aws: EmbeddedAws, session: boto3.Session, operation: str, occurrence: int
) -> None:
    """A hard error at a setup call raises AwsCallError and leaves nothing; at a cleanup call it raises
    CleanupError naming exactly the role left, which sweep then removes."""
    managed = _managed_policy(session)
    faults = FaultInjector(session)
    faults.fail(operation, code="ValidationError", occurrence=occurrence, times=0)
    if operation == "iam.DeletePolicy":
        with pytest.raises(CleanupError) as caught:
            _sandbox(session, managed)
        (policy,) = caught.value.left_behind
        assert policy.startswith("arn:aws:iam::123456789012:policy/iam-tester/iam-tester-")
        assert f"aws iam delete-policy --policy-arn {policy}" in (caught.value.hint or "")
        assert sweep(session=aws.session(), force=True).removed == caught.value.left_behind
    elif operation in CLEANUP_CALLS:
        with pytest.raises(CleanupError) as caught:
            _sandbox(session, managed)
        left = sandbox_role_names(session)
        assert len(left) == 1
        role_arn = f"arn:aws:iam::123456789012:role/iam-tester/{left[0]}"
        # The boundary policy cannot go while the role uses it: it is left too (and named).
        assert caught.value.left_behind[0] == role_arn
        assert "sweep" in (caught.value.hint or "")
        assert "aws iam delete-role --role-name " + left[0] in (caught.value.hint or "")
        # Later, with AWS no longer refusing (a fresh session has no injected faults), sweep removes it.
        assert sweep(session=aws.session(), force=True).removed == caught.value.left_behind
    else:
        with pytest.raises(AwsCallError) as raised:
            _sandbox(session, managed)
        assert raised.value.operation == operation.split(".")[1]
        assert raised.value.code == "ValidationError"
        assert raised.value.exit_code == 1
    assert faults.injected[0] == (operation, occurrence, "ValidationError")
    assert_nothing_left(session)


@pytest.mark.parametrize(("operation", "occurrence"), SESSION_MODE_CALLS)
def test_session_mode_faults(session: boto3.Session, operation: str, occurrence: int) -> None:
    """In session-policy mode, throttling is retried and a hard error is a typed error."""
    options = {
        "policy_document": ALLOW_LIST_EXCEPT_PROTECTED,
        "session": session,
        "session_policy": True,
        "admin_role_arn": "arn:aws:iam::123456789012:role/embedded/platform-admin",
    }
    faults = FaultInjector(session)
    faults.fail(operation, code="Throttling", occurrence=occurrence)
    with temporary_iam_credentials(**options) as credentials:  # type: ignore[arg-type]
        assert credentials.mode == "session-policy"
    faults.fail(operation, code="ValidationError", occurrence=occurrence + 2, times=0)
    with pytest.raises(AwsCallError, match="ValidationError"), temporary_iam_credentials(**options):  # type: ignore[arg-type]
        pytest.fail("the body must not run")
    assert [code for _, _, code in faults.injected] == ["Throttling", "ValidationError"]


def test_access_denied_on_create_role_explains_permissions(session: boto3.Session) -> None:
    """A caller that may not create roles gets an error naming the operation and the permissions needed."""
    faults = FaultInjector(session)
    faults.fail("iam.CreateRole", code="AccessDenied", status=403)
    with (
        pytest.raises(AwsCallError, match="CreateRole failed: AccessDenied") as caught,
        temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session),
    ):
        pytest.fail("the body must not run")
    assert "iam:CreateRole" in (caught.value.hint or "")
    assert_nothing_left(session)


def test_concurrent_modification_is_retried(session: boto3.Session) -> None:
    """IAM's ConcurrentModification (which botocore does not retry) is retried by the sandbox."""
    faults = FaultInjector(session)
    faults.fail("iam.PutRolePolicy", code="ConcurrentModification", status=409, times=2)
    faults.fail("iam.DeleteRole", code="ConcurrentModification", status=409, times=2)
    with temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session):
        pass
    assert [op for op, _, _ in faults.injected] == ["iam.PutRolePolicy"] * 2 + ["iam.DeleteRole"] * 2
    assert_nothing_left(session)


def test_cleanup_failure_does_not_hide_the_body_exception(aws: EmbeddedAws, session: boto3.Session) -> None:
    """If the body raises and cleanup fails, the body's exception propagates, carrying the cleanup failure."""

    class Boom(Exception):
        pass

    faults = FaultInjector(session)
    faults.fail("iam.DeleteRole", code="ValidationError", times=0)
    with (
        pytest.raises(Boom) as caught,
        temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session),
    ):
        raise Boom
    cleanup = caught.value.cleanup_error  # type: ignore[attr-defined]
    assert isinstance(cleanup, CleanupError)
    (left,) = cleanup.left_behind
    assert any(left in note for note in getattr(caught.value, "__notes__", []))
    assert sweep(session=aws.session(), force=True).removed == (left,)
    assert_nothing_left(session)


def test_role_deleted_meanwhile_is_not_an_error(session: boto3.Session) -> None:
    """If the role was already removed (by hand, or by a sweep), cleanup finishes without error."""
    with temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session):
        assert len(sweep(session=session, force=True).removed) == 1
    assert_nothing_left(session)
