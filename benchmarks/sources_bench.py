"""How fast are `iam-tester extract` and `check` over big sources, as whole processes?

Generates, from the documented formats:

- a Terraform plan (`terraform show -json`) of 2,000 resources: 400 roles keyed by for_each (keys with dots),
  each with an inline policy, a managed policy attached by an attachment whose `policy_arn` is known only
  after apply (linked through the configuration's references, `each.key`), and a bucket with its policy;
- an account snapshot (`get-account-authorization-details`) of 1,000 roles, each with a trust policy, an
  inline policy and two of 50 customer managed policies, 20 of them capped by a boundary;
- a suite over each (JSON, one case per role: identity and bucket policy, and the trust policy);
- a CloudFormation template (YAML with short forms) of 450 resources, CloudFormation's limit being 500: 150
  roles, each with a managed policy (`!Sub`, `!Ref`) and a bucket policy naming the role (`!GetAtt`).

Then it times, best of ``--repeat``, as whole processes: `extract --format json` and `check --format json`
over each, `check` of a one-case suite over each (start-up and reading the source), and `extract` of the
template. Run:
``uv run python benchmarks/sources_bench.py [--repeat 5]``. It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
GOAL_SECONDS = 2.0


def _document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _text(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"))


def _change(type_: str, name: str, key: str, values: dict[str, Any], unknown: dict[str, Any]) -> dict[str, Any]:
    return {
        "address": f"{type_}.{name}[{json.dumps(key)}]",
        "mode": "managed",
        "type": type_,
        "name": name,
        "index": key,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": ["create"], "before": None, "after": values, "after_unknown": unknown},
    }


def plan(roles: int) -> dict[str, Any]:
    """A plan of ``5 * roles`` resources."""
    changes = []
    trust = _text(
        _document({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
    )
    for i in range(roles):
        key = f"team.{i:04d}"
        name, bucket = f"app-{i:04d}", f"data-{i:04d}"
        changes.append(
            _change("aws_iam_role", "app", key, {"name": name, "path": "/", "assume_role_policy": trust}, {"arn": True})
        )
        inline = _document(
            {
                "Sid": "Read",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            },
            {
                "Sid": "Queue",
                "Effect": "Allow",
                "Action": "sqs:SendMessage",
                "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}",
            },
        )
        changes.append(
            _change("aws_iam_role_policy", "app", key, {"name": "work", "role": name, "policy": _text(inline)}, {})
        )
        managed = _document(
            {
                "Effect": "Allow",
                "Action": "logs:PutLogEvents",
                "Resource": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/{name}:*",
            }
        )
        changes.append(
            _change(
                "aws_iam_policy",
                "logs",
                key,
                {"name": f"{name}-logs", "path": "/", "policy": _text(managed)},
                {"arn": True},
            )
        )
        changes.append(_change("aws_iam_role_policy_attachment", "logs", key, {"role": name}, {"policy_arn": True}))
        bucket_policy = _document(
            {
                "Sid": "NoDeletes",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:DeleteObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        )
        changes.append(
            _change("aws_s3_bucket_policy", "data", key, {"bucket": bucket, "policy": _text(bucket_policy)}, {})
        )
    resources = [
        {"address": f"{t}.{n}", "mode": "managed", "type": t, "name": n, "expressions": expressions}
        for t, n, expressions in (
            ("aws_iam_role", "app", {"name": {"references": ["each.key"]}}),
            ("aws_iam_role_policy", "app", {"role": {"references": ["aws_iam_role.app", "each.key"]}}),
            ("aws_iam_policy", "logs", {"name": {"references": ["each.key"]}}),
            (
                "aws_iam_role_policy_attachment",
                "logs",
                {"policy_arn": {"references": ["aws_iam_policy.logs", "each.key"]}},
            ),
            ("aws_s3_bucket_policy", "data", {"bucket": {"references": ["each.key"]}}),
        )
    ]
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}},
            "root_module": {"resources": resources},
        },
    }


def snapshot(roles: int, policies: int = 50) -> dict[str, Any]:
    """A snapshot of ``roles`` roles and ``policies`` customer managed policies."""
    managed = [
        {
            "PolicyName": f"shared-{j:02d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:policy/shared-{j:02d}",
            "DefaultVersionId": "v1",
            "PolicyVersionList": [
                {
                    "VersionId": "v1",
                    "IsDefaultVersion": True,
                    "Document": _document(
                        {
                            "Effect": "Allow",
                            "Action": "dynamodb:GetItem",
                            "Resource": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t{j:02d}",
                        }
                    ),
                }
            ],
        }
        for j in range(policies)
    ]
    boundary = {
        "PolicyName": "boundary",
        "Arn": f"arn:aws:iam::{ACCOUNT}:policy/boundary",
        "DefaultVersionId": "v1",
        "PolicyVersionList": [
            {
                "VersionId": "v1",
                "IsDefaultVersion": True,
                "Document": _document({"Effect": "Allow", "Action": ["s3:*", "dynamodb:*"], "Resource": "*"}),
            }
        ],
    }
    role_list = []
    for i in range(roles):
        role = {
            "Path": "/",
            "RoleName": f"role-{i:04d}",
            "RoleId": f"AROA{i:016d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:role/role-{i:04d}",
            "AssumeRolePolicyDocument": _document(
                {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/ci"}, "Action": "sts:AssumeRole"}
            ),
            "RolePolicyList": [
                {
                    "PolicyName": "own",
                    "PolicyDocument": _document(
                        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::bucket-{i:04d}/*"}
                    ),
                }
            ],
            "AttachedManagedPolicies": [
                {
                    "PolicyName": f"shared-{(i + k) % policies:02d}",
                    "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/shared-{(i + k) % policies:02d}",
                }
                for k in (0, 7)
            ],
        }
        if i % 50 == 0:
            role["PermissionsBoundary"] = {
                "PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": boundary["Arn"],
            }
        role_list.append(role)
    return {"RoleDetailList": role_list, "UserDetailList": [], "GroupDetailList": [], "Policies": [*managed, boundary]}


def template(roles: int) -> str:
    """A YAML template of ``3 * roles`` resources, written with the short forms."""
    lines = ["AWSTemplateFormatVersion: 2010-09-09", "Parameters:", "  Env: {Type: String, Default: dev}", "Resources:"]
    for i in range(roles):
        lines += [
            f"  Role{i}:",
            "    Type: AWS::IAM::Role",
            "    Properties:",
            f"      RoleName: !Sub app-{i}-${{Env}}",
            "      AssumeRolePolicyDocument:",
            "        Version: 2012-10-17",
            "        Statement:",
            "          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}",
            f"  Policy{i}:",
            "    Type: AWS::IAM::ManagedPolicy",
            "    Properties:",
            f"      Roles: [!Ref Role{i}]",
            "      PolicyDocument:",
            "        Version: 2012-10-17",
            "        Statement:",
            "          - Effect: Allow",
            "            Action: [s3:GetObject, s3:PutObject]",
            f'            Resource: !Sub "arn:${{AWS::Partition}}:s3:::data-{i}-${{Env}}/*"',
            f"  BucketPolicy{i}:",
            "    Type: AWS::S3::BucketPolicy",
            "    Properties:",
            f"      Bucket: !Sub data-{i}-${{Env}}",
            "      PolicyDocument:",
            "        Version: 2012-10-17",
            "        Statement:",
            "          - Effect: Allow",
            f"            Principal: {{AWS: !GetAtt Role{i}.Arn}}",
            "            Action: s3:GetObject",
            f'            Resource: !Sub "arn:${{AWS::Partition}}:s3:::data-{i}-${{Env}}/*"',
        ]
    return "\n".join(lines) + "\n"


def plan_suite(roles: int) -> dict[str, Any]:
    cases = []
    for i in range(roles):
        key = f'aws_iam_role.app["team.{i:04d}"]'
        cases.append(
            {
                "principal": key,
                "action": "s3:GetObject",
                "resource": f"arn:aws:s3:::data-{i:04d}/x",
                "expect": "allowed",
            }
        )
        cases.append(
            {
                "principal": key,
                "action": "s3:DeleteObject",
                "resource": f"arn:aws:s3:::data-{i:04d}/x",
                "expect": "explicitDeny",
            }
        )
    return {"sources": [{"tfplan": "plan.json", "account": ACCOUNT}], "cases": cases}


def snapshot_suite(roles: int) -> dict[str, Any]:
    cases = []
    for i in range(roles):
        arn = f"arn:aws:iam::{ACCOUNT}:role/role-{i:04d}"
        cases.append(
            {
                "principal": arn,
                "action": "s3:GetObject",
                "resource": f"arn:aws:s3:::bucket-{i:04d}/x",
                "expect": "allowed",
            }
        )
        cases.append(
            {
                "principal": f"arn:aws:iam::{ACCOUNT}:role/ci",
                "action": "sts:AssumeRole",
                "resource": arn,
                "expect": "allowed",
            }
        )
    return {"sources": ["gaad:account.json"], "cases": cases}


def _child_env() -> dict[str, str]:
    """As check_bench: Python caches compiled modules as on a user's machine."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _command() -> list[str]:
    script = shutil.which("iam-tester", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-c", "from iam_tester.cli import main; main()"]


def whole_process(arguments: list[str], repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``iam-tester ARGUMENTS``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run([*_command(), *arguments], capture_output=True, check=False, env=_child_env())  # noqa: S603
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(arguments)} failed ({done.returncode}): {done.stderr.decode()[:500]}")
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan-roles", type=int, default=400, help="5 resources each (default: 2,000 resources)")
    parser.add_argument("--snapshot-roles", type=int, default=1000)
    parser.add_argument("--template-roles", type=int, default=150, help="3 resources each (default: 450)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "plan.json").write_text(json.dumps(plan(args.plan_roles)), encoding="utf-8")
        (directory / "account.json").write_text(json.dumps(snapshot(args.snapshot_roles)), encoding="utf-8")
        (directory / "template.yaml").write_text(template(args.template_roles), encoding="utf-8")
        for name, suite in (
            ("plan-suite.json", plan_suite(args.plan_roles)),
            ("snapshot-suite.json", snapshot_suite(args.snapshot_roles)),
        ):
            (directory / name).write_text(json.dumps(suite), encoding="utf-8")
            one = {**suite, "cases": suite["cases"][:1]}
            (directory / f"one-{name}").write_text(json.dumps(one), encoding="utf-8")
        plan_size = (directory / "plan.json").stat().st_size / 1e6
        snapshot_size = (directory / "account.json").stat().st_size / 1e6
        rows = [
            (
                f"extract, plan of {args.plan_roles * 5:,} resources ({plan_size:.1f} MB)",
                ["extract", "--format", "json", f"tfplan:{directory / 'plan.json'}", "--account", ACCOUNT],
            ),
            (
                f"check, {args.plan_roles * 2:,} cases over that plan",
                ["check", "--format", "json", str(directory / "plan-suite.json")],
            ),
            ("check, 1 case over that plan", ["check", "--format", "json", str(directory / "one-plan-suite.json")]),
            (
                f"extract, snapshot of {args.snapshot_roles:,} roles ({snapshot_size:.1f} MB)",
                ["extract", "--format", "json", f"gaad:{directory / 'account.json'}"],
            ),
            (
                f"check, {args.snapshot_roles * 2:,} cases over that snapshot",
                ["check", "--format", "json", str(directory / "snapshot-suite.json")],
            ),
            (
                "check, 1 case over that snapshot",
                ["check", "--format", "json", str(directory / "one-snapshot-suite.json")],
            ),
            (
                f"extract, template of {args.template_roles * 3:,} resources (YAML)",
                ["extract", "--format", "json", f"cfn:{directory / 'template.yaml'}"],
            ),
        ]
        results = [(label, whole_process(arguments, args.repeat)) for label, arguments in rows]
    startup = whole_process(["--version"], args.repeat)
    print(f"\nwhole process, best of {args.repeat} (shared 2-core machine); goal <= {GOAL_SECONDS:.0f} s each")
    print(f"  {'interpreter and CLI start-up (--version)':<52} {startup * 1000:7.0f} ms")
    for label, seconds in results:
        print(f"  {label:<52} {seconds * 1000:7.0f} ms  {'ok' if seconds <= GOAL_SECONDS else 'OVER the goal'}")


if __name__ == "__main__":
    main()
