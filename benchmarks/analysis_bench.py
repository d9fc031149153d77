"""How fast are `iam-tester access` and `iam-tester diff`, as whole processes, on realistic input?

Three workloads, each timed as a whole process (interpreter start, imports, catalog, analysis, output), best
of ``--repeat``:

1. ``access`` over the whole catalog for a realistic policy set: PowerUserAccess (an Allow with ``NotAction``,
   so all ~22,000 catalog actions are candidates) and a developer policy with conditions and policy variables,
   a permissions boundary, and a three-level SCP chain (a region deny with ``NotAction`` at the OU level);
   and, for comparison, the developer policy alone under the same boundary and SCPs (a few services reached);
2. ``diff`` of two realistic policies: a 12-statement developer policy and a revision that widens an action,
   a resource, an IP range and a tag condition, and drops a Deny;
3. ``access --all-principals`` over a generated account snapshot (``gaad:``) of ``--roles`` roles (default
   1,000), each with one to three policies drawn from fifteen realistic templates with its own resources,
   customer-managed policies shared between roles, and boundaries on a third of them.

Goals on the project's machine: 0.5 s, 0.5 s and 60 s. Run:
``uv run python benchmarks/analysis_bench.py [--roles 1000] [--repeat 3]``. It prints figures and asserts
nothing; the machine is shared, so take figures as indicative.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
GLOBAL_SERVICES = [
    "iam:*",
    "organizations:*",
    "route53:*",
    "cloudfront:*",
    "sts:*",
    "support:*",
    "budgets:*",
    "waf:*",
    "globalaccelerator:*",
    "health:*",
]


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


POWER_USER = _policy(
    {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
    {
        "Effect": "Allow",
        "Action": [
            "account:GetAccountInformation",
            "account:ListRegions",
            "iam:CreateServiceLinkedRole",
            "iam:DeleteServiceLinkedRole",
            "iam:ListRoles",
            "organizations:DescribeOrganization",
        ],
        "Resource": "*",
    },
)


def developer(version: int) -> dict[str, Any]:
    """A developer's inline policy; version 2 widens some grants and drops a Deny."""
    cidr = "203.0.113.0/24" if version == 1 else "203.0.0.0/16"
    team = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    if version == 2:
        team = {"StringLike": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}*"}}
    statements: list[dict[str, Any]] = [
        {
            "Sid": "OwnPrefix",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": "arn:aws:s3:::team-data/${aws:PrincipalTag/team}/*",
        },
        {
            "Sid": "ListOwnPrefix",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::team-data",
            "Condition": {"StringLike": {"s3:prefix": ["${aws:PrincipalTag/team}/*", ""]}},
        },
        {
            "Sid": "ReadShared",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion"] if version == 1 else "s3:GetObject*",
            "Resource": "arn:aws:s3:::shared-reports/*",
        },
        {
            "Sid": "Tables",
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            "Resource": "arn:aws:dynamodb:eu-west-1:111122223333:table/orders"
            if version == 1
            else "arn:aws:dynamodb:eu-west-1:111122223333:table/orders*",
        },
        {"Sid": "Queues", "Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"], "Resource": "*"},
        {
            "Sid": "TaggedInstances",
            "Effect": "Allow",
            "Action": ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
            "Resource": "arn:aws:ec2:*:111122223333:instance/*",
            "Condition": team,
        },
        {"Sid": "Describe", "Effect": "Allow", "Action": ["ec2:Describe*", "cloudwatch:Get*"], "Resource": "*"},
        {
            "Sid": "Decrypt",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "arn:aws:kms:eu-west-1:111122223333:key/*",
            "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}},
        },
        {
            "Sid": "Logs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "arn:aws:logs:*:111122223333:log-group:/app/*",
        },
        {
            "Sid": "PassAppRole",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "arn:aws:iam::111122223333:role/app-*",
            "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
        },
        {
            "Sid": "OfficeOnly",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": cidr}, "Bool": {"aws:ViaAWSService": "false"}},
        },
    ]
    if version == 1:
        statements.append(
            {
                "Sid": "NoDeletes",
                "Effect": "Deny",
                "Action": ["s3:DeleteBucket", "dynamodb:DeleteTable"],
                "Resource": "*",
            }
        )
    return _policy(*statements)


BOUNDARY = _policy(
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
    {
        "Effect": "Deny",
        "Action": ["iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary", "iam:CreateUser"],
        "Resource": "*",
    },
)
SCP_ROOT = _policy({"Effect": "Allow", "Action": "*", "Resource": "*"})
SCP_OU = _policy(
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
    {
        "Sid": "RegionDeny",
        "Effect": "Deny",
        "NotAction": GLOBAL_SERVICES,
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}},
    },
)
SCP_ACCOUNT = _policy(
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Effect": "Deny", "Action": ["organizations:LeaveOrganization", "account:CloseAccount"], "Resource": "*"},
)


# -- the snapshot -----------------------------------------------------------------------------------------------
def _templates(name: str, rng: random.Random) -> list[dict[str, Any]]:
    """Fifteen kinds of workload policy, each over this role's own resources."""
    bucket, table, queue = f"{name}-data", f"{name}-table", f"{name}-queue"
    region = rng.choice(["eu-west-1", "us-east-1", "eu-central-1"])
    arn = f"arn:aws:%s:{region}:{ACCOUNT}:%s"
    return [
        _policy(
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            }
        ),
        _policy(
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:DeleteObject"],
                "Resource": f"arn:aws:s3:::{bucket}/out/*",
            }
        ),
        _policy(
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
                "Resource": [arn % ("dynamodb", f"table/{table}"), arn % ("dynamodb", f"table/{table}/index/*")],
            }
        ),
        _policy(
            {
                "Effect": "Allow",
                "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                "Resource": arn % ("sqs", queue),
            }
        ),
        _policy(
            {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": arn % ("lambda", f"function:{name}-*")}
        ),
        _policy(
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": arn % ("logs", f"log-group:/aws/lambda/{name}*"),
            }
        ),
        _policy(
            {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": arn % ("kms", "key/*"),
                "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            }
        ),
        _policy(
            {
                "Effect": "Allow",
                "Action": ["ec2:Describe*", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics"],
                "Resource": "*",
            }
        ),
        _policy(
            {
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": arn % ("secretsmanager", f"secret:{name}/*"),
            }
        ),
        _policy(
            {
                "Effect": "Allow",
                "Action": ["ssm:GetParameter", "ssm:GetParameters"],
                "Resource": arn % ("ssm", f"parameter/{name}/*"),
            }
        ),
        _policy({"Effect": "Allow", "Action": ["sns:Publish"], "Resource": arn % ("sns", f"{name}-events")}),
        _policy(
            {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                "Resource": arn % ("ecr", f"repository/{name}"),
            },
        ),
        _policy(
            {
                "Effect": "Allow",
                "Action": ["states:StartExecution"],
                "Resource": arn % ("states", f"stateMachine:{name}"),
            }
        ),
        _policy(
            {"Effect": "Allow", "Action": "s3:*", "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]},
            {
                "Effect": "Deny",
                "Action": "s3:Delete*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
            },
        ),
        _policy(
            {
                "Effect": "Allow",
                "Action": ["ec2:StartInstances", "ec2:StopInstances"],
                "Resource": f"arn:aws:ec2:*:{ACCOUNT}:instance/*",
                "Condition": {"StringEquals": {"aws:ResourceTag/owner": "${aws:PrincipalTag/owner}"}},
            }
        ),
    ]


def snapshot(roles: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not a secret
    managed = [
        {
            "PolicyName": name,
            "Arn": f"arn:aws:iam::{ACCOUNT}:policy/{name}",
            "DefaultVersionId": "v1",
            "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True, "Document": document}],
        }
        for name, document in (
            ("read-only-observability", _templates("shared", rng)[7]),
            ("permissions-boundary", BOUNDARY),
            ("logs-writer", _templates("shared", rng)[5]),
        )
    ]
    trust = _policy({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
    details = []
    for number in range(roles):
        name = f"svc-{number:04d}"
        templates = _templates(name, rng)
        inline = [
            {"PolicyName": f"{name}-{i}", "PolicyDocument": document}
            for i, document in enumerate(rng.sample(templates, rng.randint(1, 3)))
        ]
        attached = [
            {"PolicyName": m["PolicyName"], "PolicyArn": m["Arn"]}
            for m in (managed[0], managed[2])
            if rng.random() < 0.3
        ]
        role: dict[str, Any] = {
            "Path": "/",
            "RoleName": name,
            "RoleId": f"AROA{number:016d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
            "AssumeRolePolicyDocument": trust,
            "RolePolicyList": inline,
            "AttachedManagedPolicies": attached,
        }
        if number % 3 == 0:
            role["PermissionsBoundary"] = {
                "PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": managed[1]["Arn"],
            }
        details.append(role)
    return {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": details, "Policies": managed}


def _time(command: list[str], repeat: int) -> tuple[float, int, bytes]:
    best = float("inf")
    code = 0
    out = b""
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)  # noqa: S603 - our own CLI
        best = min(best, time.perf_counter() - start)
        code, out = done.returncode, done.stdout
        if code not in (0, 1):
            sys.stderr.write(done.stderr.decode())
            raise SystemExit(f"{' '.join(command)} failed with {code}")
    return best, code, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--roles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cli = shutil.which("iam-tester") or str(Path(sys.executable).with_name("iam-tester"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {
            "power-user.json": POWER_USER,
            "developer.json": developer(1),
            "developer-v2.json": developer(2),
            "boundary.json": BOUNDARY,
            "scp-root.json": SCP_ROOT,
            "scp-ou.json": SCP_OU,
            "scp-account.json": SCP_ACCOUNT,
            "snapshot.json": snapshot(args.roles),
        }
        for name, document in files.items():
            (folder / name).write_text(json.dumps(document), encoding="utf-8")
        p = {name: str(folder / name) for name in files}

        access = [cli, "access", p["power-user.json"], p["developer.json"], "--boundary", p["boundary.json"]]
        access += ["--scp", p["scp-root.json"], "--scp", p["scp-ou.json"], "--scp", p["scp-account.json"]]
        seconds, _, out = _time([*access, "--format", "json"], args.repeat)
        actions = len(json.loads(out)["actions"])
        print(f"access, whole catalog, realistic set:  {seconds:6.2f} s  ({actions} actions allowed; goal 0.5 s)")

        developer_only = [cli, "access", p["developer.json"], "--boundary", p["boundary.json"]]
        developer_only += ["--scp", p["scp-root.json"], "--scp", p["scp-ou.json"], "--scp", p["scp-account.json"]]
        seconds, _, out = _time([*developer_only, "--format", "json"], args.repeat)
        actions = len(json.loads(out)["actions"])
        print(f"access, developer policy alone, same caps: {seconds:6.2f} s  ({actions} actions allowed)")

        seconds, code, out = _time(
            [cli, "diff", p["developer.json"], p["developer-v2.json"], "--format", "json"], args.repeat
        )
        found = json.loads(out)
        print(
            f"diff of two realistic policies:       {seconds:6.2f} s  ({len(found['new_access'])} new, "
            f"{len(found['removed_access'])} removed, exit {code}; goal 0.5 s)"
        )

        command = [cli, "access", "--source", f"gaad:{p['snapshot.json']}", "--all-principals", "--format", "json"]
        seconds, _, out = _time(command, 1)
        principals = json.loads(out)["principals"]
        total = sum(len(r["actions"]) for r in principals)
        print(
            f"access, every principal of {len(principals)} roles:  {seconds:6.2f} s  "
            f"({total} principal-actions; goal 60 s)"
        )


if __name__ == "__main__":
    main()
