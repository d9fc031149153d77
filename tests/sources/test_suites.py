"""Suites over sources: `sources:`, a principal named by id, resource and trust policies taken from the
sources, unknown values failing closed unless --allow-unknown, and the `trust` slot."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from iam_tester.cli import main

from .helpers import EXAMPLES
from .plans import ACCOUNT, PlanBuilder, document

SUITES = sorted(EXAMPLES.glob("*-suite.yaml"))


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", *args])


def _suite(tmp_path: Path, text: str, name: str = "suite.yaml") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return str(path)


def _plan(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "plan.json", tmp_path / "plan.json")


def _cases(result: Result) -> list[dict[str, Any]]:
    assert result.exit_code in (0, 1), result.output
    cases: list[dict[str, Any]] = json.loads(result.stdout)["cases"]
    return cases


@pytest.mark.parametrize("suite", SUITES, ids=[p.name for p in SUITES])
def test_every_source_example_passes(suite: Path) -> None:
    """Each suite in examples/sources passes from the command line, every case with an expectation."""
    result = check(str(suite), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["failed"] == 0
    assert data["passed"] == len(data["cases"])


def test_suite_policies_override_the_sources_principal(tmp_path: Path) -> None:
    """identity given by the suite replaces the source principal's; the boundary still comes from the source."""
    _plan(tmp_path)
    (tmp_path / "allow-all.json").write_text(
        document({"Effect": "Allow", "Action": "*", "Resource": "*"}), encoding="utf-8"
    )
    path = _suite(
        tmp_path,
        """
        sources: [tfplan:plan.json]
        principal: aws_iam_role.app
        policies: {identity: [allow-all.json]}
        cases:
          - {action: s3:GetObject, resource: "arn:aws:s3:::elsewhere/x"}
          - {action: iam:CreateUser, resource: "arn:aws:iam::111122223333:user/x"}
        """,
    )
    decisions = [c["decision"] for c in _cases(check(path, "--format", "json"))]
    assert decisions == ["allowed", "implicitDeny"]  # the planned boundary allows s3:* only (and some sqs)


def test_case_on_an_unknown_policy_fails_closed(tmp_path: Path) -> None:
    """A case meeting a bucket policy known only after apply stops the run, naming it; --allow-unknown goes
    on without it and says so."""
    _plan(tmp_path)
    path = _suite(
        tmp_path,
        """
        sources: [tfplan:plan.json]
        principal: aws_iam_role.app
        cases:
          - name: write a log
            action: s3:PutObject
            resource: arn:aws:s3:::example-logs/app.log
            expect: denied
        """,
    )
    refused = check(path)
    assert refused.exit_code == 2
    assert "aws_s3_bucket_policy.logs policy: known only after apply" in refused.stderr
    assert "suite.yaml:4" in refused.stderr  # the case
    assert "--allow-unknown" in refused.stderr
    allowed = check(path, "--allow-unknown")
    assert allowed.exit_code == 0, allowed.output
    assert "warning [unknown-value]" in allowed.stderr


def test_unrelated_unknowns_do_not_stop_other_cases(tmp_path: Path) -> None:
    """An unknown of another resource does not concern a case (the example plan's logs bucket)."""
    _plan(tmp_path)
    path = _suite(
        tmp_path,
        """
        sources: [tfplan:plan.json]
        principal: aws_iam_role.app
        cases: [{action: s3:GetObject, resource: "arn:aws:s3:::example-reports/x", expect: allowed}]
        """,
    )
    assert check(path).exit_code == 0


def test_principal_arn_unknown_is_an_error(tmp_path: Path) -> None:
    """A principal whose ARN the plan cannot know cannot ask: exit 2 saying why and what to give."""
    plan = PlanBuilder()
    trust = document({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    plan.resource(
        "aws_iam_role", "app", {"name": "app", "path": "/", "assume_role_policy": trust}, unknown={"arn": True}
    )
    (tmp_path / "plan.json").write_text(json.dumps(plan.build()), encoding="utf-8")
    path = _suite(
        tmp_path,
        """
        sources: [tfplan:plan.json]
        principal: aws_iam_role.app
        cases: [{action: s3:GetObject, resource: "arn:aws:s3:::b/x"}]
        """,
    )
    result = check(path)
    assert result.exit_code == 2
    assert "aws_iam_role.app has no known ARN" in result.stderr
    with_account = path.replace("suite.yaml", "with-account.yaml")
    Path(with_account).write_text(
        Path(path)
        .read_text(encoding="utf-8")
        .replace("[tfplan:plan.json]", f'[{{tfplan: plan.json, account: "{ACCOUNT}"}}]'),
        encoding="utf-8",
    )
    assert check(with_account).exit_code == 0


def test_unknown_principal_id_is_located_with_a_suggestion(tmp_path: Path) -> None:
    """A principal that is neither in the sources nor an ARN is an error at its line, suggesting the id."""
    _plan(tmp_path)
    path = _suite(
        tmp_path,
        """
        sources: [tfplan:plan.json]
        principal: aws_iam_role.ap
        cases: [{action: s3:GetObject, resource: "arn:aws:s3:::b/x"}]
        """,
    )
    result = check(path)
    assert result.exit_code == 2
    assert "suite.yaml:2" in result.stderr
    assert "did you mean `aws_iam_role.app`?" in result.stderr


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ("[tfplan]", "is not a source: write KIND:PATH"),
        ("[terraform:plan.json]", "unknown source kind 'terraform'"),
        ("[{tfplan: plan.json, acount: '111122223333'}]", "unknown key 'acount' in a source"),
        ("[{tfplan: plan.json, account: 12}]", "12-digit account ID"),
        ("[tfplan:missing.json]", "cannot read the Terraform plan JSON"),
        ("[]", "`sources` is empty"),
    ],
)
def test_bad_sources_in_a_suite(tmp_path: Path, sources: str, message: str) -> None:
    """A malformed or unreadable source in a suite exits 2 with a located message."""
    _plan(tmp_path)
    path = _suite(tmp_path, f"sources: {sources}\ncases: [{{action: s3:GetObject, resource: '*'}}]\n")
    result = check(path)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_policy_in_a_source_is_located_in_the_source(tmp_path: Path) -> None:
    """A source document IAM would reject stops the run, located at the plan's address and line."""
    plan = PlanBuilder()
    bad = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Action": "s3:*", "Resource": "*"}]})
    trust = document({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    plan.resource("aws_iam_role", "app", {"name": "app", "path": "/", "assume_role_policy": trust})
    plan.resource("aws_iam_role_policy", "bad", {"name": "bad", "role": "app", "policy": bad})
    (tmp_path / "plan.json").write_text(json.dumps(plan.build(), indent=1), encoding="utf-8")
    path = _suite(
        tmp_path,
        f"""
        sources: [{{tfplan: plan.json, account: "{ACCOUNT}"}}]
        principal: aws_iam_role.app
        cases: [{{action: s3:GetObject, resource: "arn:aws:s3:::b/x"}}]
        """,
    )
    result = check(path)
    assert result.exit_code == 2
    assert "plan.json:" in result.stderr
    assert "aws_iam_role_policy.bad policy Statement[0].Effect" in result.stderr


def test_trust_slot_meets_only_trust_actions(tmp_path: Path) -> None:
    """A `trust` policy decides sts:AssumeRole cases; other cases on the same resource do not meet it."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/ci"}, "Action": "sts:AssumeRole"}
        ],
    }
    (tmp_path / "trust.json").write_text(json.dumps(trust), encoding="utf-8")
    path = _suite(
        tmp_path,
        """
        policies: {trust: trust.json}
        principal: arn:aws:iam::111122223333:role/ci
        cases:
          - {action: sts:AssumeRole, resource: "arn:aws:iam::111122223333:role/deploy"}
          - {action: sts:TagSession, resource: "arn:aws:iam::111122223333:role/deploy"}
          - {action: iam:GetRole, resource: "arn:aws:iam::111122223333:role/deploy"}
          - principal: arn:aws:iam::111122223333:role/other
            action: sts:AssumeRole
            resource: arn:aws:iam::111122223333:role/deploy
        """,
    )
    decisions = [c["decision"] for c in _cases(check(path, "--format", "json"))]
    # Same account: the trust policy naming the caller's role allows AssumeRole without an identity allow
    # (DESIGN.md, "Same-account trust is enough"); TagSession is not in the statement; GetRole is not a trust
    # action, so no resource policy and no identity policy: denied.
    assert decisions == ["allowed", "implicitDeny", "implicitDeny", "implicitDeny"]


def test_trust_slot_rejects_a_resource_element(tmp_path: Path) -> None:
    """A trust policy is validated as one: a Resource element is an error, located in its file."""
    bad = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Resource": "*",
            }
        ],
    }
    (tmp_path / "trust.json").write_text(json.dumps(bad), encoding="utf-8")
    path = _suite(tmp_path, "policies: {trust: trust.json}\ncases: [{action: sts:AssumeRole, resource: '*'}]\n")
    result = check(path)
    assert result.exit_code == 2
    assert "trust.json" in result.stderr


def test_a_bucket_from_a_source_is_owned_by_the_sources_account(tmp_path: Path) -> None:
    """A bucket's ARN names no account; its source does. A caller from another account that the bucket
    policy names still needs its own identity policy (cross-account: both must allow), and a role of the
    bucket's account needs only the bucket policy."""
    template = """
        Resources:
          Bucket: {Type: AWS::S3::Bucket, Properties: {BucketName: shared-data}}
          BucketPolicy:
            Type: AWS::S3::BucketPolicy
            Properties:
              Bucket: !Ref Bucket
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Principal:
                      AWS: ["arn:aws:iam::444455556666:role/Auditor", "arn:aws:iam::111122223333:role/Reader"]
                    Action: s3:GetObject
                    Resource: !Sub "${Bucket.Arn}/*"
    """
    _suite(tmp_path, template, "stack.yaml")
    suite = _suite(
        tmp_path,
        """
        sources: [{cfn: stack.yaml, account: "111122223333"}]
        cases:
          - principal: "arn:aws:iam::444455556666:role/Auditor"
            action: s3:GetObject
            resource: "arn:aws:s3:::shared-data/x"
            expect: implicitDeny
          - principal: "arn:aws:iam::111122223333:role/Reader"
            action: s3:GetObject
            resource: "arn:aws:s3:::shared-data/x"
            expect: allowed
          - principal: "arn:aws:iam::444455556666:role/Auditor"
            action: s3:GetObject
            resource: "arn:aws:s3:::shared-data/x"
            resource_account: "444455556666"  # said otherwise in the case: the case wins
            expect: allowed
        """,
    )
    cases = _cases(check(suite, "--format", "json"))
    assert [c["decision"] for c in cases] == ["implicitDeny", "allowed", "allowed"]
    assert [c["ok"] for c in cases] == [True, True, True]


def test_a_source_that_cannot_be_read_names_the_suite_line_too(tmp_path: Path) -> None:
    """A source error is located in the source, and its hint names the suite line that named the source (a
    parameter given there, a path written there)."""
    shutil.copy(EXAMPLES / "template.yaml", tmp_path / "template.yaml")
    suite = _suite(
        tmp_path,
        """
        principal: WorkerRole
        sources:
          - {cfn: template.yaml, parameters: {Env: staging}}
        cases: [{action: s3:GetObject, resource: "arn:aws:s3:::x/y"}]
        """,
    )
    result = check(suite)
    assert result.exit_code == 2, result.output
    assert "template.yaml:7:20 at Parameters.Env.AllowedValues" in result.stderr
    assert "hint: give one of: dev, prod; the suite names this source at " in result.stderr
    assert "suite.yaml:3:3 (sources)" in result.stderr
