"""`iam-tester validate SOURCE`: every document in a source checked as what it is there, each finding located
by address or logical ID, JSON path and line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner, Result

from iam_tester.cli import main

from .helpers import EXAMPLES
from .plans import PlanBuilder, document


def validate(*args: str) -> Result:
    return CliRunner().invoke(main, ["validate", *args])


def test_examples_validate_and_unknowns_are_said() -> None:
    """The example sources have no errors; the plan's unknown bucket policy is named as not validated."""
    result = validate(
        f"tfplan:{EXAMPLES / 'plan.json'}", f"cfn:{EXAMPLES / 'template.yaml'}", f"gaad:{EXAMPLES / 'account.json'}"
    )
    assert result.exit_code == 0, result.output
    assert "aws_s3_bucket_policy.logs policy: known only after apply: not validated (unknown)" in result.stderr
    assert "checked 18 policies" in result.stderr


def test_trust_policy_in_a_plan_is_checked_as_a_trust_policy(tmp_path: Path) -> None:
    """A Resource element in a role's assume_role_policy is an error, at the plan's line and the role's address."""
    plan = PlanBuilder()
    trust = document(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*"}
    )
    plan.resource(
        "aws_iam_role", "app", {"name": "app", "path": "/", "assume_role_policy": trust}, module=(("m", "a.b"),)
    )
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan.build(), indent=2), encoding="utf-8")
    result = validate(f"tfplan:{path}", "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    (entry,) = data["files"]
    assert entry["file"] == f'tfplan:{path} module.m["a.b"].aws_iam_role.app assume_role_policy'
    assert entry["type"] == "trust"
    finding = entry["findings"][0]
    assert finding["path"] == 'module.m["a.b"].aws_iam_role.app assume_role_policy Statement[0].Resource'
    assert "assume_role_policy" in path.read_text(encoding="utf-8").splitlines()[finding["line"] - 1]


def test_template_findings_point_at_the_template_line(tmp_path: Path) -> None:
    """A bucket policy without a Principal is an error at the statement's line in the YAML template."""
    path = tmp_path / "stack.yaml"
    path.write_text(
        textwrap.dedent(
            """
            Resources:
              Policy:
                Type: AWS::S3::BucketPolicy
                Properties:
                  Bucket: reports
                  PolicyDocument:
                    Version: "2012-10-17"
                    Statement:
                      - Effect: Allow
                        Action: s3:GetObject
                        Resource: arn:aws:s3:::reports/*
            """
        ).lstrip(),
        encoding="utf-8",
    )
    result = validate(f"cfn:{path}")
    assert result.exit_code == 2
    assert f"{path}:9:" in result.stdout
    assert "Policy Properties.PolicyDocument.Statement[0]" in result.stdout


def test_snapshot_user_policy_has_the_user_limit(tmp_path: Path) -> None:
    """A user's inline policy is held to the user limit (2,048 characters), not a role's."""
    statements = [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::bucket-{i:04d}/*"} for i in range(60)
    ]
    snapshot = {
        "UserDetailList": [
            {
                "UserName": "bob",
                "Arn": "arn:aws:iam::111122223333:user/bob",
                "UserPolicyList": [
                    {"PolicyName": "big", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}
                ],
            }
        ]
    }
    path = tmp_path / "account.json"
    path.write_text(json.dumps(snapshot), encoding="utf-8")
    result = validate(f"gaad:{path}", "--format", "json")
    assert result.exit_code == 2
    entry = json.loads(result.stdout)["files"][0]
    assert entry["type"] == "user"
    assert any("2,048" in f["message"] for f in entry["findings"]), entry["findings"]
