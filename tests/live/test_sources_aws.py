"""aws: sources — the account read live through the boto3 session (paginated GetAccountAuthorizationDetails,
bucket policies with an option), against the embedded AWS."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner

from iam_tester.cli import main
from iam_tester.embedded import ACCOUNT_ID, PROTECTED_BUCKET, EmbeddedAws
from iam_tester.errors import IamTesterError
from iam_tester.sources import parse_source, read_sources

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}],
}
BOUNDARY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
BUCKET_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyInsecure",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": f"arn:aws:s3:::{PROTECTED_BUCKET}/*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}


def _account(session: boto3.Session) -> None:
    iam = session.client("iam")
    boundary = iam.create_policy(PolicyName="app-boundary", PolicyDocument=json.dumps(BOUNDARY))["Policy"]["Arn"]
    managed = iam.create_policy(PolicyName="read-reports", PolicyDocument=json.dumps(READ))["Policy"]["Arn"]
    iam.create_role(
        RoleName="app", Path="/services/", AssumeRolePolicyDocument=json.dumps(TRUST), PermissionsBoundary=boundary
    )
    iam.put_role_policy(RoleName="app", PolicyName="inline-read", PolicyDocument=json.dumps(READ))
    iam.attach_role_policy(RoleName="app", PolicyArn=managed)
    iam.create_group(GroupName="analysts")
    iam.attach_group_policy(GroupName="analysts", PolicyArn=managed)
    iam.create_user(UserName="bob")
    iam.add_user_to_group(GroupName="analysts", UserName="bob")
    session.client("s3").put_bucket_policy(Bucket=PROTECTED_BUCKET, Policy=json.dumps(BUCKET_POLICY))


def test_account_read_live_as_a_snapshot(aws: EmbeddedAws, session: boto3.Session) -> None:
    """Roles (path, inline, managed, boundary, trust) and users (their groups' managed policies) are read live."""
    _account(session)
    found = read_sources([parse_source("aws:")], session=session)
    app = found.principal(f"arn:aws:iam::{ACCOUNT_ID}:role/services/app")
    assert app is not None
    assert [(p.name, p.kind.value) for p in app.identity] == [("inline-read", "identity"), ("read-reports", "managed")]
    assert app.identity[0].document == READ
    assert app.boundary is not None
    assert app.boundary.document == BOUNDARY
    assert app.trust is not None
    assert app.trust.document == TRUST
    bob = found.principal(f"arn:aws:iam::{ACCOUNT_ID}:user/bob")
    assert bob is not None
    assert [(p.name, p.origin.id) for p in bob.identity] == [
        ("read-reports", f"arn:aws:iam::{ACCOUNT_ID}:policy/read-reports")
    ]
    assert found.resources == ()  # bucket policies only with the option


def test_bucket_policies_with_the_option(aws: EmbeddedAws, session: boto3.Session) -> None:
    """With bucket_policies, each bucket's policy is a resource; buckets without one are left out."""
    _account(session)
    found = read_sources([parse_source("aws:", bucket_policies=True)], session=session)
    assert [(r.arn, r.type) for r in found.resources] == [(f"arn:aws:s3:::{PROTECTED_BUCKET}", "AWS::S3::Bucket")]
    assert found.resources[0].policy is not None
    assert found.resources[0].policy.document == BUCKET_POLICY


def test_live_managed_policies_resolve_another_sources_attachments(
    aws: EmbeddedAws, session: boto3.Session, tmp_path: pytest.TempPathFactory
) -> None:
    """A snapshot's attachment to a policy it does not hold is read live with the option, unknown without."""
    _account(session)
    arn = f"arn:aws:iam::{ACCOUNT_ID}:policy/read-reports"
    snapshot = {
        "RoleDetailList": [
            {
                "RoleName": "offline",
                "Arn": f"arn:aws:iam::{ACCOUNT_ID}:role/offline",
                "AttachedManagedPolicies": [{"PolicyName": "read-reports", "PolicyArn": arn}],
            }
        ]
    }
    path = tmp_path / "snapshot.json"  # type: ignore[operator]
    path.write_text(json.dumps(snapshot), encoding="utf-8")
    offline = read_sources([parse_source(f"gaad:{path}")], session=session)
    assert [u.attribute for u in offline.unknown] == ["AttachedManagedPolicies[0]"]
    live = read_sources([parse_source(f"gaad:{path}")], session=session, live_managed_policies=True)
    role = live.principal(f"arn:aws:iam::{ACCOUNT_ID}:role/offline")
    assert role is not None
    assert [p.document for p in role.identity] == [READ]
    assert live.unknown == ()


def test_extract_aws_from_the_command_line(aws: EmbeddedAws, session: boto3.Session) -> None:
    """`extract aws:` reads the account of the environment's credentials (the embedded AWS's)."""
    _account(session)
    result = CliRunner().invoke(main, ["extract", "--format", "json", "aws:"], env=aws.env())
    assert result.exit_code == 0, result.stderr
    ids = [p["id"] for p in json.loads(result.stdout)["principals"]]
    assert f"arn:aws:iam::{ACCOUNT_ID}:role/services/app" in ids


def test_a_profile_chooses_the_account_aws_sources_read(
    aws: EmbeddedAws, session: boto3.Session, tmp_path: Path
) -> None:
    """`--profile` chooses the credentials an `aws:` source is read with, in extract and in an offline check."""
    _account(session)
    credentials, config = tmp_path / "credentials", tmp_path / "config"
    credentials.write_text(
        f"[audit]\naws_access_key_id = {aws.caller.access_key_id}\n"
        f"aws_secret_access_key = {aws.caller.secret_access_key}\n"
    )
    config.write_text(f"[profile audit]\nregion = {aws.region}\nendpoint_url = {aws.endpoint_url}\n")
    env = {"AWS_SHARED_CREDENTIALS_FILE": str(credentials), "AWS_CONFIG_FILE": str(config)}  # and no keys
    runner = CliRunner()
    result = runner.invoke(main, ["extract", "--format", "json", "aws:", "--profile", "audit"], env=env)
    assert result.exit_code == 0, result.stderr
    assert f"arn:aws:iam::{ACCOUNT_ID}:role/services/app" in [p["id"] for p in json.loads(result.stdout)["principals"]]
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        f"sources: ['aws:']\nprincipal: arn:aws:iam::{ACCOUNT_ID}:role/services/app\n"
        "cases:\n  - {action: s3:GetObject, resource: 'arn:aws:s3:::reports/q1.csv', expect: allowed}\n"
    )
    result = runner.invoke(main, ["check", str(suite), "--profile", "audit"], env=env)
    assert result.exit_code == 0, result.output
    assert "1 passed, 0 failed" in result.stdout


def test_refused_read_names_the_permission(aws: EmbeddedAws, session: boto3.Session) -> None:
    """A caller without iam:GetAccountAuthorizationDetails gets an error naming it, not a smaller inventory."""
    iam = session.client("iam")
    iam.create_user(UserName="reader")
    keys = iam.create_access_key(UserName="reader")["AccessKey"]
    reader = aws.session(aws_access_key_id=keys["AccessKeyId"], aws_secret_access_key=keys["SecretAccessKey"])
    with pytest.raises(IamTesterError) as caught:
        read_sources([parse_source("aws:")], session=reader)
    assert "GetAccountAuthorizationDetails" in str(caught.value)


def test_diff_of_a_plan_reads_managed_policies_live_with_the_option(
    aws: EmbeddedAws, session: boto3.Session, tmp_path: Path
) -> None:
    """`diff tfplan:` takes --live-managed-policies: a policy the plan attaches but does not define is read from
    the account, so its actions are new access; without the option the attachment is unknown and diff fails closed."""
    _account(session)
    trust = json.dumps(TRUST)
    role: dict[str, object] = {
        "name": "planned",
        "path": "/",
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:role/planned",
        "assume_role_policy": trust,
    }
    attachment = {"role": "planned", "policy_arn": f"arn:aws:iam::{ACCOUNT_ID}:policy/read-reports"}

    def entry(kind: str, values: dict[str, object]) -> dict[str, object]:
        return {"address": f"{kind}.app", "mode": "managed", "type": kind, "name": "app", "values": values}

    changes = [
        {
            "address": f"{kind}.app",
            "mode": "managed",
            "type": kind,
            "name": "app",
            "change": {"actions": [action], "after": values, "after_unknown": {}},
        }
        for kind, values, action in (
            ("aws_iam_role", role, "no-op"),
            ("aws_iam_role_policy_attachment", attachment, "create"),
        )
    ]
    plan = {
        "format_version": "1.2",
        "resource_changes": changes,
        "prior_state": {
            "format_version": "1.0",
            "values": {"root_module": {"resources": [entry("aws_iam_role", role)]}},
        },
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    runner = CliRunner()
    live = runner.invoke(main, ["diff", f"tfplan:{path}", "--live-managed-policies", "--format", "json"], env=aws.env())
    assert live.exit_code == 1, live.output
    found = json.loads(live.stdout)
    assert {(f["principal"], f["action"]) for f in found["new_access"]} == {("aws_iam_role.app", "s3:GetObject")}
    offline = runner.invoke(main, ["diff", f"tfplan:{path}", "--format", "json"], env=aws.env())
    assert offline.exit_code == 2, offline.output
    assert "read-reports is not defined in any source given" in offline.stderr, offline.stderr
    assert "--live-managed-policies" in offline.stderr
