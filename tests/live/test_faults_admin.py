"""Fault injection at the calls only the admin-role mode makes (assume the admin role, read it, the grant).

On the embedded AWS a role session cannot assume the sandbox role (moto compares trust principals with
the session ARN; see test_identity.py), so every run here ends in the readiness timeout after its
setup calls; what is checked is each call's fault handling and the cleanup.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from iam_tester import temporary_iam_credentials
from iam_tester.embedded import EmbeddedAws
from iam_tester.errors import AwsCallError, CleanupError, ReadinessTimeoutError
from iam_tester.testing import CallRecorder, FaultInjector, sandbox_role_names

from .helpers import ALLOW_LIST_EXCEPT_PROTECTED, assert_nothing_left

# Admin mode with --grant-admin-role; the sandbox role's AssumeRole (refused on moto, retried until the
# timeout) is counted once.
ADMIN_MODE_CALLS = [
    ("sts.GetCallerIdentity", 1),
    ("sts.AssumeRole", 1),  # the admin role
    ("iam.GetRole", 1),  # the admin role's ARN with its path
    ("iam.CreateRole", 1),
    ("iam.PutRolePolicy", 1),  # the sandbox policy
    ("iam.PutRolePolicy", 2),  # the grant on the admin role
    ("sts.AssumeRole", 2),  # the sandbox role (readiness)
    ("iam.DeleteRolePolicy", 1),  # the grant
    ("iam.DeleteRolePolicy", 2),  # the sandbox policy
    ("iam.DeleteRole", 1),
]
# The calls the role-mode matrix (test_faults.py) does not already cover.
ADMIN_ONLY = [("sts.AssumeRole", 1), ("iam.GetRole", 1), ("iam.PutRolePolicy", 2), ("iam.DeleteRolePolicy", 1)]


def _options(aws: EmbeddedAws, session: boto3.Session) -> dict[str, Any]:
    return {
        "policy_document": ALLOW_LIST_EXCEPT_PROTECTED,
        "session": session,
        "admin_role_arn": aws.admin_role_arn,
        "grant_admin_role": True,
        "readiness_timeout": 0.3,
    }


def _numbered_collapsing_retries(names: list[str]) -> list[tuple[str, int]]:
    numbered: list[tuple[str, int]] = []
    seen: dict[str, int] = {}
    for name in names:
        if numbered and numbered[-1][0] == name == "sts.AssumeRole":
            continue  # readiness retries of the same AssumeRole
        seen[name] = seen.get(name, 0) + 1
        numbered.append((name, seen[name]))
    return numbered


def test_recorded_admin_mode_calls_match_the_list(aws: EmbeddedAws, session: boto3.Session) -> None:
    """A recorded admin-mode run makes exactly the listed calls, in order."""
    recorder = CallRecorder(session)
    with pytest.raises(ReadinessTimeoutError), temporary_iam_credentials(**_options(aws, session)):
        pytest.fail("the body must not run")
    assert _numbered_collapsing_retries(recorder.names) == ADMIN_MODE_CALLS


@pytest.mark.parametrize(("operation", "occurrence"), ADMIN_ONLY, ids=[f"{o}#{n}" for o, n in ADMIN_ONLY])
def test_throttling_once_at_admin_calls(
    aws: EmbeddedAws, session: boto3.Session, operation: str, occurrence: int
) -> None:
    """One Throttling answer at an admin-mode call is retried; the run goes on as without it."""
    faults = FaultInjector(session)
    faults.fail(operation, code="Throttling", occurrence=occurrence)
    with pytest.raises(ReadinessTimeoutError) as caught, temporary_iam_credentials(**_options(aws, session)):
        pytest.fail("the body must not run")
    assert faults.injected == [(operation, occurrence, "Throttling")]
    assert not hasattr(caught.value, "cleanup_error")
    assert_nothing_left(session)


@pytest.mark.parametrize(("operation", "occurrence"), ADMIN_ONLY, ids=[f"{o}#{n}" for o, n in ADMIN_ONLY])
def test_hard_error_at_admin_calls(aws: EmbeddedAws, session: boto3.Session, operation: str, occurrence: int) -> None:
    """A hard error at an admin setup call is a typed error with nothing left; at the grant's removal, the
    error names the grant left on the admin role (and the sandbox role is still deleted)."""
    faults = FaultInjector(session)
    faults.fail(operation, code="ValidationError", occurrence=occurrence)  # not retried: once is enough
    if operation == "iam.DeleteRolePolicy":
        with pytest.raises(ReadinessTimeoutError) as timed_out, temporary_iam_credentials(**_options(aws, session)):
            pytest.fail("the body must not run")
        cleanup = timed_out.value.cleanup_error  # type: ignore[attr-defined]
        assert isinstance(cleanup, CleanupError)
        (left,) = cleanup.left_behind
        assert left.startswith(f"{aws.admin_role_arn} (inline policy iam-tester-")
        assert sandbox_role_names(session) == []
    else:
        with pytest.raises(AwsCallError) as caught, temporary_iam_credentials(**_options(aws, session)):
            pytest.fail("the body must not run")
        assert caught.value.operation == operation.split(".")[1]
        assert caught.value.code == "ValidationError"
        assert_nothing_left(session)
    assert faults.injected[0] == (operation, occurrence, "ValidationError")


def test_admin_role_unreadable_is_trusted_as_given(aws: EmbeddedAws, session: boto3.Session) -> None:
    """If the admin role may not read itself (iam:GetRole denied), the ARN given is trusted as is."""
    FaultInjector(session).fail("iam.GetRole", code="AccessDenied", status=403)
    created: list[dict[str, Any]] = []
    session.events.register("before-parameter-build.iam.CreateRole", lambda params, **_: created.append(dict(params)))
    options = {**_options(aws, session), "grant_admin_role": False}
    with pytest.raises(ReadinessTimeoutError), temporary_iam_credentials(**options):
        pytest.fail("the body must not run")
    (params,) = created
    assert json.loads(params["AssumeRolePolicyDocument"])["Statement"][0]["Principal"] == {"AWS": aws.admin_role_arn}
    assert_nothing_left(session)
