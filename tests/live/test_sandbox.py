"""The role-mode sandbox against the embedded AWS: what it creates, what it hands out, what it removes."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from iam_tester import create_aws_client_from_credentials, temporary_iam_credentials
from iam_tester.embedded import OPEN_BUCKET, PROTECTED_BUCKET, EmbeddedAws
from iam_tester.errors import InvalidArgumentError, PolicyError, SandboxError
from iam_tester.live import Progress, SandboxCredentials
from iam_tester.live.naming import DESCRIPTION, INLINE_POLICY_NAME, ROLE_PATH, TAG_CREATED_BY, TAG_EXPIRES_AT
from iam_tester.testing import CallRecorder

from .helpers import ALLOW_LIST_EXCEPT_PROTECTED, assert_nothing_left

ROOT = Path(__file__).resolve().parents[2]


def _load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("seed_example", ROOT / "examples" / "seed_example.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_seed_example_end_to_end(session: boto3.Session, capsys: pytest.CaptureFixture[str]) -> None:
    """The seed's example: listing one bucket is allowed, the protected one denied; nothing is left."""
    example = _load_example()
    example.run(session, open_bucket=OPEN_BUCKET, protected_bucket=PROTECTED_BUCKET)
    out = capsys.readouterr().out
    assert f"listing {OPEN_BUCKET}: allowed" in out
    assert f"listing {PROTECTED_BUCKET}: denied" in out
    assert_nothing_left(session)


def test_caller_is_not_limited_by_the_policy(session: boto3.Session) -> None:
    """The denial comes from the sandbox role: the caller itself may list the protected bucket."""
    assert session.client("s3").list_objects_v2(Bucket=PROTECTED_BUCKET)["KeyCount"] == 1


def test_role_carries_name_path_tags_trust_and_policy(aws: EmbeddedAws, session: boto3.Session) -> None:
    """While in use, the role has our name, path, tags, description, a trust naming the caller, the policy inline."""
    iam = session.client("iam")
    with temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session) as credentials:
        name = credentials.role_arn.rsplit("/", 1)[-1]
        role = iam.get_role(RoleName=name)["Role"]
        tags = {tag["Key"]: tag["Value"] for tag in iam.list_role_tags(RoleName=name)["Tags"]}
        inline = iam.get_role_policy(RoleName=name, PolicyName=INLINE_POLICY_NAME)["PolicyDocument"]
    assert name.startswith("iam-tester-")
    assert len(name) <= 64
    assert role["Path"] == ROLE_PATH
    assert role["Description"] == DESCRIPTION
    assert role["MaxSessionDuration"] == 3600
    assert tags[TAG_CREATED_BY] == aws.caller.arn
    assert tags[TAG_EXPIRES_AT].endswith("Z")
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"] == [
        {"Sid": "IamTesterCaller", "Effect": "Allow", "Principal": {"AWS": aws.caller.arn}, "Action": "sts:AssumeRole"}
    ]
    inline = json.loads(inline) if isinstance(inline, str) else inline
    assert inline == ALLOW_LIST_EXCEPT_PROTECTED
    assert_nothing_left(session)


def test_credentials_are_the_seeds_mapping_and_hide_secrets(session: boto3.Session) -> None:
    """The yielded value is the STS mapping (four keys) and its repr shows neither secret nor token."""
    with temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session) as credentials:
        assert isinstance(credentials, SandboxCredentials)
        assert sorted(credentials) == ["AccessKeyId", "Expiration", "SecretAccessKey", "SessionToken"]
        assert credentials["AccessKeyId"].startswith("ASIA")
        text = repr(credentials) + str(credentials)
        assert credentials["SecretAccessKey"] not in text
        assert credentials["SessionToken"] not in text
        arn = credentials.client("sts").get_caller_identity()["Arn"]
        assert arn.startswith("arn:aws:sts::123456789012:assumed-role/iam-tester-")


def test_policy_as_json_text_and_a_longer_duration(session: boto3.Session) -> None:
    """JSON text works like a dict; a duration over an hour raises the role's MaxSessionDuration to match."""
    text = json.dumps(ALLOW_LIST_EXCEPT_PROTECTED, indent=2)
    iam = session.client("iam")
    with temporary_iam_credentials(policy_document=text, session=session, duration_seconds=7200) as credentials:
        role = iam.get_role(RoleName=credentials.role_arn.rsplit("/", 1)[-1])["Role"]
        s3 = create_aws_client_from_credentials("s3", credentials=credentials)
        assert s3.list_objects_v2(Bucket=OPEN_BUCKET)["KeyCount"] == 1
    assert role["MaxSessionDuration"] == 7200
    assert_nothing_left(session)


def test_managed_policies_and_boundary_are_attached_then_removed(session: boto3.Session) -> None:
    """A managed policy is attached and a boundary set while in use; both go with the role."""
    iam = session.client("iam")
    read = iam.create_policy(
        PolicyName="read-objects",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    boundary = iam.create_policy(
        PolicyName="boundary",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    with temporary_iam_credentials(
        policy_document=ALLOW_LIST_EXCEPT_PROTECTED,
        session=session,
        managed_policy_arns=[read],
        permissions_boundary_arn=boundary,
    ) as credentials:
        name = credentials.role_arn.rsplit("/", 1)[-1]
        attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
        role = iam.get_role(RoleName=name)["Role"]
        s3 = credentials.client("s3")
        assert s3.get_object(Bucket=OPEN_BUCKET, Key="README.txt")["Body"].read().startswith(b"an object")
    assert [policy["PolicyArn"] for policy in attached] == [read]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary
    assert iam.get_policy(PolicyArn=read)["Policy"]["AttachmentCount"] == 0
    assert_nothing_left(session)


def test_exception_in_body_propagates_and_cleans_up(session: boto3.Session) -> None:
    """An exception in the with body propagates unchanged and the role is deleted."""

    class Boom(Exception):
        pass

    with pytest.raises(Boom), temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session):
        raise Boom
    assert_nothing_left(session)


def test_denied_call_in_body_is_the_users_business(session: boto3.Session) -> None:
    """A ClientError from a denied call in the body reaches the caller as is."""
    with (
        pytest.raises(ClientError, match="AccessDenied"),
        temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session) as credentials,
    ):
        credentials.client("s3").list_objects_v2(Bucket=PROTECTED_BUCKET)
    assert_nothing_left(session)


def test_progress_reports_each_stage_without_secrets(session: boto3.Session) -> None:
    """The progress callback sees identify, create, wait, ready, cleanup and done, and never a secret."""
    steps: list[Progress] = []
    with temporary_iam_credentials(
        policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session, progress=steps.append
    ) as credentials:
        secret, token = credentials["SecretAccessKey"], credentials["SessionToken"]
    stages = [step.stage for step in steps]
    for stage in ("identify", "create", "wait", "ready", "cleanup", "done"):
        assert stage in stages
    assert stages.index("create") < stages.index("ready") < stages.index("cleanup") < stages.index("done")
    assert not any(secret in step.message or token in step.message for step in steps)


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"policy_document": {"Statement": []}}, PolicyError),
        ({"policy_document": "{not json"}, PolicyError),
        (
            {"policy_document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}},
            PolicyError,
        ),
        ({"duration_seconds": 600}, InvalidArgumentError),
        ({"duration_seconds": 50_000}, InvalidArgumentError),
        ({"duration_seconds": "900"}, InvalidArgumentError),
        ({"admin_role_arn": "platform-admin"}, InvalidArgumentError),
        (
            {"admin_role_arn": "arn:aws:iam::123456789012:role/embedded/platform-admin", "duration_seconds": 7200},
            InvalidArgumentError,
        ),
        ({"managed_policy_arns": ["arn:aws:iam::aws:role/NotAPolicy"]}, InvalidArgumentError),
        ({"managed_policy_arns": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, InvalidArgumentError),
        ({"permissions_boundary_arn": "boundary"}, InvalidArgumentError),
        ({"session_policy": True}, InvalidArgumentError),
        ({"grant_admin_role": True}, InvalidArgumentError),
        ({"readiness_timeout": 0}, InvalidArgumentError),
        ({"readiness_timeout": float("inf")}, InvalidArgumentError),
        ({"readiness_timeout": float("nan")}, InvalidArgumentError),
        ({"readiness_timeout": 3600}, InvalidArgumentError),
        ({"readiness_timeout": "60"}, InvalidArgumentError),
        ({"readiness": "fast"}, InvalidArgumentError),
        (
            {"permissions_boundary_arn": "arn:aws:iam::123456789012:policy/b", "permissions_boundary_document": {}},
            InvalidArgumentError,
        ),
        ({"permissions_boundary_document": {"Version": "2012-10-17", "Statement": "x"}}, PolicyError),
        ({"permissions_boundary_document": ["not", "a", "policy"]}, InvalidArgumentError),
    ],
)
def test_bad_input_is_refused_before_any_aws_call(
    session: boto3.Session, arguments: dict[str, Any], error: type[Exception]
) -> None:
    """Malformed policies, ARNs, durations and option mixes raise a typed error and make no AWS call at all."""
    recorder = CallRecorder(session)
    options: dict[str, Any] = {"policy_document": ALLOW_LIST_EXCEPT_PROTECTED, "session": session, **arguments}
    with pytest.raises(error), temporary_iam_credentials(**options):
        pytest.fail("the body must not run")
    assert recorder.calls == []
    assert_nothing_left(session)


def test_policy_error_names_the_source_and_line(session: boto3.Session) -> None:
    """A policy error names where the policy came from, the line and the JSON path."""
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "s3:*"}]\n}'
    with (
        pytest.raises(PolicyError) as caught,
        temporary_iam_credentials(policy_document=text, session=session, policy_source="p.json"),
    ):
        pytest.fail("the body must not run")
    assert str(caught.value).startswith("p.json:3")
    assert caught.value.exit_code == 2


def test_validation_warnings_are_reported_before_any_aws_call(session: boto3.Session) -> None:
    """A policy IAM accepts but that is suspicious (a typo'd action) is validated first: its warning reaches
    the progress callback before the first AWS call, and the sandbox still runs."""
    typo = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBuckett", "Resource": "*"}]}
    recorder = CallRecorder(session)
    steps: list[tuple[str, str, int]] = []
    with temporary_iam_credentials(
        policy_document=typo,
        session=session,
        policy_source="typo.json",
        progress=lambda step: steps.append((step.stage, step.message, len(recorder.calls))),
    ):
        pass
    warnings = [(message, calls) for stage, message, calls in steps if stage == "warning"]
    assert len(warnings) == 1
    message, calls_before = warnings[0]
    assert calls_before == 0
    assert "typo.json" in message
    assert "unknown-action" in message
    assert "s3:ListBucket" in message  # the did-you-mean
    assert_nothing_left(session)


def test_too_large_policy_is_refused(session: boto3.Session) -> None:
    """A policy over the role's 10,240-character inline limit is refused before any call."""
    statements = [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::bucket-{i:05d}/*"} for i in range(400)
    ]
    recorder = CallRecorder(session)
    with (
        pytest.raises(PolicyError, match="10,240"),
        temporary_iam_credentials(policy_document={"Version": "2012-10-17", "Statement": statements}, session=session),
    ):
        pytest.fail("the body must not run")
    assert recorder.calls == []


def test_no_credentials_is_a_clear_error(aws: EmbeddedAws, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without credentials the error says so and how to fix it; nothing is created."""
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    bare = boto3.Session(region_name="us-east-1", botocore_session=None)
    with (
        pytest.raises(SandboxError, match="no usable AWS credentials") as caught,
        temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=bare),
    ):
        pytest.fail("the body must not run")
    assert "embedded-aws" in (caught.value.hint or "")
    assert_nothing_left(aws.session())


def test_import_is_lazy() -> None:
    """`import iam_tester` loads neither boto3 nor botocore; the seed's names resolve on first use."""
    import subprocess

    code = (
        "import sys, iam_tester\n"
        "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules, 'eager import'\n"
        "assert iam_tester.__all__ == sorted(iam_tester.__all__)\n"
        "from iam_tester import temporary_iam_credentials, sweep, get_underlying_role_arn\n"
        "from iam_tester import create_aws_client_from_credentials, create_aws_client_from_role_arn\n"
        "import iam_tester.live as live\n"
        "assert temporary_iam_credentials is live.temporary_iam_credentials and sweep is live.sweep\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, result.stderr


def test_session_policy_document_narrows_the_sandbox_session(session: boto3.Session) -> None:
    """In role mode a session policy is sent with the sandbox's own AssumeRole (the embedded AWS does not
    enforce it; AWS gives the intersection); it is checked like any session policy first."""
    narrowing = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
    }
    sent: list[dict[str, Any]] = []
    session.events.register("before-parameter-build.sts.AssumeRole", lambda params, **_: sent.append(dict(params)))
    with temporary_iam_credentials(
        policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session, session_policy_document=narrowing
    ):
        pass
    (assumed,) = sent
    assert json.loads(assumed["Policy"]) == narrowing
    assert_nothing_left(session)


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"session_policy_document": {"Version": "2012-10-17", "Statement": []}}, PolicyError),
        (
            {
                "session_policy_document": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": f"s3:Get{'X' * 2100}", "Resource": "*"}],
                }
            },
            PolicyError,
        ),
        (
            {
                "session_policy": True,
                "admin_role_arn": "arn:aws:iam::123456789012:role/embedded/platform-admin",
                "session_policy_document": ALLOW_LIST_EXCEPT_PROTECTED,
            },
            InvalidArgumentError,
        ),
    ],
)
def test_bad_session_policy_document_is_refused_first(
    session: boto3.Session, arguments: dict[str, Any], error: type[Exception]
) -> None:
    """An invalid or too large session policy, or one given in session-policy mode, is refused before any call."""
    recorder = CallRecorder(session)
    options: dict[str, Any] = {"policy_document": ALLOW_LIST_EXCEPT_PROTECTED, "session": session, **arguments}
    with pytest.raises(error), temporary_iam_credentials(**options):
        pytest.fail("the body must not run")
    assert recorder.names == []
