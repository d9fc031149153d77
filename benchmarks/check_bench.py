"""How fast is `iam-tester check` on a big suite, as a whole process, and where does the time go?

Generates a realistic policy set (3 identity policies with conditions and policy variables, a
permissions boundary, a 3-level SCP chain) and a 20,000-case suite of varied requests (principals,
actions, resources, contexts; a tenth of the cases override a slot, so several policy sets are
compiled), with expectations filled in from the Python API. Then it times, best of ``--repeat``:

- ``iam-tester check --format json`` on the suite (YAML and JSON, and JSON whose suite-wide policy draws a
  warning), as a whole process;
- the same command on a one-case suite (start-up: interpreter, imports, one load and compile);
- the split, in a fresh process each time: loading the suite, deciding the cases, writing the report.

Run: ``uv run python benchmarks/check_bench.py [--cases 20000] [--repeat 3]``. It prints figures and
asserts nothing. The machine is shared: take figures as indicative and say so when quoting them.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from iam_tester._gc import paused_gc
from iam_tester.suite import load_suites
from iam_tester.suite.reports.json_report import write_json
from iam_tester.suite.runner import run_local

ACCOUNT = "111122223333"
USERS = ["alice", "bob", "carol", "dave", "erin", "frank"]
TEAMS = ["analytics", "finance", "platform"]
REGIONS = ["eu-west-1", "eu-central-1", "us-east-1"]
ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:ListBucket",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "ec2:DescribeInstances",
    "ec2:TerminateInstances",
    "iam:CreateUser",
    "kms:Decrypt",
]


def _statement(sid: str, effect: str, action: Any, resource: Any, condition: dict[str, Any] | None = None) -> Any:
    statement: dict[str, Any] = {"Sid": sid, "Effect": effect, "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def _policy(*statements: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


POLICIES: dict[str, dict[str, Any]] = {
    "s3-home.json": _policy(
        _statement("Home", "Allow", ["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::data/home/${aws:username}/*"),
        _statement(
            "Team",
            "Allow",
            "s3:GetObject",
            "arn:aws:s3:::data/teams/${aws:PrincipalTag/team}/*",
            {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}},
        ),
        _statement(
            "List",
            "Allow",
            "s3:ListBucket",
            "arn:aws:s3:::data",
            {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "teams/${aws:PrincipalTag/team}/*"]}},
        ),
        _statement(
            "NoDeleteWithoutMFA",
            "Deny",
            "s3:DeleteObject",
            "*",
            {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        ),
    ),
    "dynamodb.json": _policy(
        _statement(
            "OwnItems",
            "Allow",
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
            f"arn:aws:dynamodb:*:{ACCOUNT}:table/orders",
            {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}},
        ),
        _statement(
            "BusinessHours",
            "Deny",
            "dynamodb:PutItem",
            "*",
            {"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
        ),
    ),
    "ec2.json": _policy(
        _statement("Describe", "Allow", "ec2:Describe*", "*"),
        _statement(
            "TerminateOwn",
            "Allow",
            "ec2:TerminateInstances",
            f"arn:aws:ec2:*:{ACCOUNT}:instance/*",
            {"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}},
        ),
        _statement("KmsViaS3", "Allow", "kms:Decrypt", "*", {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}),
    ),
    "boundary.json": _policy(
        _statement("Services", "Allow", ["s3:*", "dynamodb:*", "ec2:*", "kms:Decrypt"], "*"),
        _statement("NoIam", "Deny", "iam:*", "*"),
    ),
    "scp-root.json": _policy(_statement("FullAWSAccess", "Allow", "*", "*")),
    "scp-ou.json": _policy(
        _statement("All", "Allow", "*", "*"),
        _statement(
            "EuOnly",
            "Deny",
            "*",
            "*",
            {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}},
        ),
    ),
    "scp-account.json": _policy(_statement("Workloads", "Allow", ["s3:*", "dynamodb:*", "ec2:*", "kms:*"], "*")),
}


def _resource(action: str, rng: random.Random, user: str, team: str) -> str:
    service = action.split(":", maxsplit=1)[0]
    if service == "s3":
        if action == "s3:ListBucket":
            return "arn:aws:s3:::data"
        folder = rng.choice([f"home/{user}", f"home/{rng.choice(USERS)}", f"teams/{team}", "teams/finance"])
        return f"arn:aws:s3:::data/{folder}/file-{rng.randrange(1000)}.csv"
    if service == "dynamodb":
        return f"arn:aws:dynamodb:{rng.choice(REGIONS)}:{ACCOUNT}:table/{rng.choice(['orders', 'audit'])}"
    if action == "ec2:DescribeInstances":
        return "*"  # it takes no resource ARN: a request for an instance's ARN is one AWS never makes
    if service == "ec2":
        return f"arn:aws:ec2:{rng.choice(REGIONS)}:{ACCOUNT}:instance/i-{rng.randrange(16**8):08x}"
    if service == "kms":
        return f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{rng.randrange(10**6)}"
    return f"arn:aws:iam::{ACCOUNT}:user/{rng.choice(USERS)}"


def _case(index: int, rng: random.Random) -> dict[str, Any]:
    user, team = rng.choice(USERS), rng.choice(TEAMS)
    action = rng.choice(ACTIONS)
    context: dict[str, Any] = {
        "aws:PrincipalTag/team": team,
        "aws:SourceIp": rng.choice(["203.0.113.7", "198.51.100.20", "2001:db8::9"]),
        "aws:RequestedRegion": rng.choice(REGIONS),
        "aws:CurrentTime": "2026-06-01T12:00:00Z",
    }
    if rng.random() < 0.5:
        context["aws:MultiFactorAuthPresent"] = rng.choice([True, False])
    if action == "s3:ListBucket":
        context["s3:prefix"] = rng.choice([f"home/{user}/", f"teams/{team}/", "home/"])
    if action.startswith("dynamodb:"):
        context["dynamodb:LeadingKeys"] = rng.sample([user, *USERS], k=rng.randint(1, 2))
    if action == "ec2:TerminateInstances":
        context["aws:ResourceTag/owner"] = rng.choice([user, "nobody"])
    if action == "kms:Decrypt":
        context["kms:ViaService"] = rng.choice(["s3.eu-west-1.amazonaws.com", "ec2.eu-west-1.amazonaws.com"])
    case: dict[str, Any] = {
        "name": f"case {index}: {user} {action}",
        "action": action,
        "resource": _resource(action, rng, user, team),
        "principal": f"arn:aws:iam::{ACCOUNT}:user/{user}",
        "context": context,
    }
    variant = rng.random()
    if variant < 0.05:
        case["policies"] = {"boundary": None}
    elif variant < 0.1:
        case["policies"] = {"scps": [["policies/scp-root.json"]]}
    return case


def generate(directory: Path, cases: int) -> tuple[Path, Path, Path, Path]:
    """Write the policies and four suites (YAML, JSON, one case, JSON with a warning); fill in expectations
    from the API."""
    (directory / "policies").mkdir()
    for name, document in POLICIES.items():
        (directory / "policies" / name).write_text(json.dumps(document, indent=2), encoding="utf-8")
    rng = random.Random(20260101)  # noqa: S311 - reproducible test data, not security
    suite: dict[str, Any] = {
        "name": "benchmark",
        "policies": {
            "identity": ["policies/s3-home.json", "policies/dynamodb.json", "policies/ec2.json"],
            "boundary": "policies/boundary.json",
            "scps": [["policies/scp-root.json"], ["policies/scp-ou.json"], ["policies/scp-account.json"]],
        },
        "cases": [_case(i, rng) for i in range(cases)],
    }
    draft = directory / "draft.json"
    draft.write_text(json.dumps(suite), encoding="utf-8")
    run = run_local(load_suites([draft]))
    for raw, result in zip(suite["cases"], run.results, strict=True):
        raw["expect"] = result.evaluation.decision.value
    decisions: dict[str, int] = {}
    for result in run.results:
        decisions[result.evaluation.decision.value] = decisions.get(result.evaluation.decision.value, 0) + 1
    print(f"generated {cases:,} cases; decisions: {decisions}")
    as_json = directory / "suite.json"
    as_json.write_text(json.dumps(suite), encoding="utf-8")
    as_yaml = directory / "suite.yaml"
    as_yaml.write_text(_yaml(suite), encoding="utf-8")
    tiny = directory / "tiny.yaml"
    tiny.write_text(_yaml({**suite, "cases": suite["cases"][:1]}), encoding="utf-8")
    # The same suite, with a suite-wide policy written inline that draws one warning (a typo'd action):
    # placing that warning at its line and column must not cost a pass over the whole file.
    typo = _policy(_statement("Typo", "Allow", "s3:GetObjects", "*"))
    warned = {**suite, "policies": {**suite["policies"], "identity": [*suite["policies"]["identity"], typo]}}
    with_warning = directory / "suite-warning.json"
    with_warning.write_text(json.dumps(warned), encoding="utf-8")
    return as_yaml, as_json, tiny, with_warning


def _yaml(data: Any) -> str:
    import yaml

    dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return str(yaml.dump(data, Dumper=dumper, sort_keys=False, default_flow_style=None, width=200))


def _child_env() -> dict[str, str]:
    """The environment for timed runs. Without ``PYTHONDONTWRITEBYTECODE`` (set on some CI machines), so
    that Python caches the compiled modules as it does on a user's machine: otherwise every start-up
    recompiles the package from source, which measures that setting rather than the tool."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _command() -> list[str]:
    script = shutil.which("iam-tester", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-c", "from iam_tester.cli import main; main()"]


def best(repeat: int, work: Callable[[], object]) -> float:
    """The fastest of ``repeat`` runs of ``work``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def whole_process(suite: Path, repeat: int) -> float:
    def work() -> None:
        done = subprocess.run(  # noqa: S603 - our own command
            [*_command(), "check", "--format", "json", str(suite)], capture_output=True, check=False, env=_child_env()
        )
        if done.returncode != 0:
            raise SystemExit(f"check failed ({done.returncode}): {done.stderr.decode()[:500]}")

    return best(repeat, work)


def split_in_child(suite: Path, repeat: int) -> dict[str, float]:
    """Load / decide / report times measured in a fresh process (as `check` runs), best of ``repeat``."""
    best_times: dict[str, float] = {}
    for _ in range(repeat):
        done = subprocess.run(  # noqa: S603 - this very script
            [sys.executable, __file__, "--split", str(suite)],
            capture_output=True,
            text=True,
            check=True,
            env=_child_env(),
        )
        for phase, seconds in json.loads(done.stdout).items():
            best_times[phase] = min(seconds, best_times.get(phase, seconds))
    return best_times


def _split(suite: Path) -> None:
    # As `check` runs them: the cyclic collector paused throughout (see iam_tester._gc).
    with paused_gc():
        start = time.perf_counter()
        suites = load_suites([suite])
        loaded = time.perf_counter()
        run = run_local(suites)
        decided = time.perf_counter()
        write_json(run, io.StringIO())
        reported = time.perf_counter()
    print(json.dumps({"load": loaded - start, "decide": decided - loaded, "report": reported - decided}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--split", type=Path, help=argparse.SUPPRESS)  # internal: time one suite's phases
    args = parser.parse_args()
    if args.split:
        _split(args.split)
        return
    with tempfile.TemporaryDirectory() as tmp:
        as_yaml, as_json, tiny, with_warning = generate(Path(tmp), args.cases)
        n = args.cases
        startup = whole_process(tiny, args.repeat)
        rows = []
        for label, suite in (("YAML", as_yaml), ("JSON", as_json), ("JSON + 1 warning", with_warning)):
            rows.append((label, whole_process(suite, args.repeat), split_in_child(suite, args.repeat)))
    print(f"\n`iam-tester check --format json`, {n:,} cases, best of {args.repeat} (shared 2-core machine, under load)")
    print(f"  start-up alone (one-case suite):  {startup * 1000:8.0f} ms")
    for label, total, phases in rows:
        print(f"  whole process, {label + ' suite:':24} {total * 1000:8.0f} ms  -> {n / total:9,.0f} cases/s")
        split = ", ".join(f"{phase} {seconds * 1000:.0f} ms" for phase, seconds in phases.items())
        print(f"    split (measured in a fresh process): {split}")
        print(f"    deciding alone: {n / phases['decide']:,.0f} cases/s")


if __name__ == "__main__":
    main()
