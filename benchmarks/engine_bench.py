"""In-process throughput of the evaluator: one compiled policy set, 20,000 varied requests.

The set is realistic: three identity policies with conditions and policy variables, a permissions boundary and
a three-level SCP chain (root, OU, account). Requests are generated deterministically (fixed seed) over users
and role sessions of two accounts, six services, many resources and varied context. Prints decisions per
second and microseconds per decision (best of several rounds), and the decision mix.

Run: ``uv run python benchmarks/engine_bench.py [--requests N] [--rounds R]``
"""

from __future__ import annotations

import argparse
import collections
import random
import time
from typing import Any

from iam_tester.engine import PolicySet, Request
from iam_tester.policy import PolicyKind, parse_policy

ACCOUNT = "111122223333"
OTHER = "444455556666"

DEVELOPER: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
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
            "Sid": "ReadAnything",
            "Effect": "Allow",
            "Action": ["s3:Get*", "s3:List*", "dynamodb:Get*", "dynamodb:Query", "sqs:ReceiveMessage"],
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "true"}},
        },
        {
            "Sid": "DenyOutsideOffice",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {
                "NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]},
                "Bool": {"aws:ViaAWSService": "false"},
            },
        },
    ],
}
OPERATOR: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Ec2InOwnRegions",
            "Effect": "Allow",
            "Action": ["ec2:Describe*", "ec2:StartInstances", "ec2:StopInstances"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}},
        },
        {
            "Sid": "TaggedInstances",
            "Effect": "Allow",
            "Action": ["ec2:RebootInstances", "ec2:TerminateInstances"],
            "Resource": "arn:aws:ec2:*:*:instance/*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
        },
        {
            "Sid": "WorkingHours",
            "Effect": "Deny",
            "Action": "ec2:TerminateInstances",
            "Resource": "*",
            "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-12-31T23:59:59Z"}},
        },
    ],
}
SELF_SERVICE: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "OwnUser",
            "Effect": "Allow",
            "Action": ["iam:GetUser", "iam:*AccessKey*", "iam:ChangePassword"],
            "Resource": "arn:aws:iam::*:user/${aws:username}",
        },
        {
            "Sid": "QueuesByTag",
            "Effect": "Allow",
            "NotAction": ["sqs:DeleteQueue", "sqs:SetQueueAttributes"],
            "Resource": "arn:aws:sqs:*:111122223333:*",
            "Condition": {"ForAllValues:StringLike": {"aws:TagKeys": ["team", "cost-*"]}},
        },
        {
            "Sid": "KmsForS3",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}},
        },
    ],
}
BOUNDARY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["s3:*", "ec2:*", "dynamodb:*", "sqs:*", "kms:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::*:user/${aws:username}"},
        {"Sid": "NoLogs", "Effect": "Deny", "Action": "s3:*", "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"]},
    ],
}
SCP_ROOT: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}],
}
SCP_OU: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "Allow", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Sid": "RegionLock",
            "Effect": "Deny",
            "NotAction": ["iam:*", "sts:*", "organizations:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}},
        },
    ],
}
SCP_ACCOUNT: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Services",
            "Effect": "Allow",
            "Action": ["s3:*", "ec2:*", "dynamodb:*", "sqs:*", "kms:*", "iam:*"],
            "Resource": "*",
        },
        {
            "Sid": "ProtectRoles",
            "Effect": "Deny",
            "Action": ["iam:*"],
            "Resource": "arn:aws:iam::*:role/admin*",
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}},
        },
    ],
}

ACTIONS = [
    "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketPolicy",
    "ec2:DescribeInstances", "ec2:StartInstances", "ec2:TerminateInstances", "ec2:RebootInstances",
    "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "sqs:SendMessage", "sqs:ReceiveMessage",
    "sqs:DeleteQueue", "iam:GetUser", "iam:CreateAccessKey", "iam:DeleteRole", "kms:Decrypt", "kms:Encrypt",
]  # fmt: skip
TEAMS = ["red", "blue", "green", "yellow"]
REGIONS = ["eu-west-1", "us-east-1", "ap-south-1"]


def policy_set() -> PolicySet:
    identity = [
        parse_policy(DEVELOPER, name="developer.json"),
        parse_policy(OPERATOR, name="operator.json"),
        parse_policy(SELF_SERVICE, name="self-service.json"),
    ]
    return PolicySet.compile(
        identity=identity,
        boundary=parse_policy(BOUNDARY, kind=PolicyKind.BOUNDARY, name="boundary.json"),
        scps=[
            [parse_policy(SCP_ROOT, kind=PolicyKind.SCP, name="root.json")],
            [parse_policy(SCP_OU, kind=PolicyKind.SCP, name="ou.json")],
            [parse_policy(SCP_ACCOUNT, kind=PolicyKind.SCP, name="account.json")],
        ],
    )


def resource_for(action: str, rng: random.Random, team: str, user: str) -> str:
    service = action.split(":", 1)[0]
    region = rng.choice(REGIONS)
    if service == "s3":
        bucket = rng.choice(["team-data", "logs", "public-site"])
        if action in {"s3:ListBucket", "s3:GetBucketPolicy"}:
            return f"arn:aws:s3:::{bucket}"
        owner = team if rng.random() < 0.6 else rng.choice(TEAMS)
        return f"arn:aws:s3:::{bucket}/{owner}/report-{rng.randrange(500)}.csv"
    if service == "ec2":
        return f"arn:aws:ec2:{region}:{ACCOUNT}:instance/i-{rng.randrange(16**8):08x}"
    if service == "dynamodb":
        return f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{rng.choice(['orders', 'users', 'audit'])}"
    if service == "sqs":
        return f"arn:aws:sqs:{region}:{rng.choice([ACCOUNT, OTHER])}:queue-{rng.randrange(20)}"
    if service == "iam":
        if action == "iam:DeleteRole":
            return f"arn:aws:iam::{ACCOUNT}:role/{rng.choice(['admin', 'admin-break-glass', 'app'])}"
        name = user if rng.random() < 0.7 else f"user{rng.randrange(50)}"
        return f"arn:aws:iam::{ACCOUNT}:user/{name}"
    return f"arn:aws:kms:{region}:{ACCOUNT}:key/{rng.randrange(10**6)}"


def requests(count: int, seed: int = 20260131) -> list[Request]:
    rng = random.Random(seed)  # noqa: S311 - deterministic test data, not cryptography
    made: list[Request] = []
    for _ in range(count):
        team = rng.choice(TEAMS)
        user = f"user{rng.randrange(50)}"
        if rng.random() < 0.5:
            principal = f"arn:aws:iam::{ACCOUNT}:user/{user}"
        else:
            principal = f"arn:aws:sts::{ACCOUNT}:assumed-role/{rng.choice(['dev', 'ops', 'admin'])}/{user}"
        action = rng.choice(ACTIONS)
        context: dict[str, str | list[str]] = {
            "aws:SourceIp": rng.choice(["203.0.113.7", "198.51.100.20", "2001:db8::1"]),
            "aws:SecureTransport": rng.choice(["true", "false"]),
            "aws:ViaAWSService": "false",
            "aws:PrincipalTag/team": team,
            "aws:RequestedRegion": rng.choice(REGIONS),
            "aws:CurrentTime": f"2026-0{rng.randrange(1, 10)}-15T10:00:00Z",
        }
        if action.startswith("s3:ListBucket"):
            context["s3:prefix"] = rng.choice([f"{team}/", f"{rng.choice(TEAMS)}/x", ""])
        if action.startswith("ec2:"):
            context["aws:ResourceTag/team"] = rng.choice(TEAMS)
        if action.startswith("sqs:"):
            context["aws:TagKeys"] = rng.sample(["team", "cost-centre", "owner"], rng.randrange(0, 3))
        if action.startswith("kms:"):
            context["kms:ViaService"] = rng.choice(["s3.eu-west-1.amazonaws.com", "ec2.eu-west-1.amazonaws.com"])
        made.append(
            Request(action=action, resource=resource_for(action, rng, team, user), principal=principal, context=context)
        )
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    compiled = policy_set()
    compile_ms = (time.perf_counter() - start) * 1000
    batch = requests(args.requests)
    evaluate = compiled.evaluate

    timings: list[float] = []
    cpu: list[float] = []
    decisions: collections.Counter[str] = collections.Counter()
    for round_number in range(args.rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        results = [evaluate(r) for r in batch]  # kept, as a suite runner keeps them
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        if round_number == 0:
            decisions.update(e.decision.value for e in results)

    explain_count = min(2_000, len(batch))
    start = time.perf_counter()
    for request in batch[:explain_count]:
        evaluate(request).explain()
    explain_seconds = time.perf_counter() - start

    best, first = min(timings), timings[0]
    print(f"policy set: 3 identity policies, a boundary, 3 SCP levels (compiled in {compile_ms:.1f} ms)")
    print(f"requests:   {len(batch):,} varied, {args.rounds} rounds")
    print(f"decisions:  {dict(sorted(decisions.items()))}")
    print(
        f"first round (cold caches): {len(batch) / first:,.0f} decisions/s ({first / len(batch) * 1e6:.1f} µs/decision)"
    )
    print(
        f"best round:                {len(batch) / best:,.0f} decisions/s ({best / len(batch) * 1e6:.1f} µs/decision)"
    )
    best_cpu = min(cpu)
    print(
        f"best round, CPU time:      {len(batch) / best_cpu:,.0f} decisions/s "
        f"({best_cpu / len(batch) * 1e6:.1f} µs/decision; wall-clock figures suffer when the machine is shared)"
    )
    print(f"with explain():            {explain_count / explain_seconds:,.0f} explanations/s")


if __name__ == "__main__":
    main()
