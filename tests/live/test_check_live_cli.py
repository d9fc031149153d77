"""`iam-tester check --live` against the embedded AWS: the three formats, exit codes, and usage errors."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import boto3
from click.testing import CliRunner

from iam_tester.cli import main
from iam_tester.embedded import EmbeddedAws

from .helpers import assert_nothing_left

ROOT = Path(__file__).resolve().parents[2]
LIVE_EXAMPLE = str(ROOT / "examples" / "live.yaml")

# The embedded AWS ignores conditions: the second case is predicted denied and observed allowed.
DISAGREEING = """
name: office only
policies:
  identity:
    - Version: "2012-10-17"
      Statement:
        - {Effect: Allow, Action: "s3:ListAllMyBuckets", Resource: "*"}
        - {Sid: OfficeOnly, Effect: Allow, Action: "s3:ListBucket", Resource: "*",
           Condition: {IpAddress: {"aws:SourceIp": "203.0.113.0/24"}}}
context: {aws:SourceIp: 198.51.100.7}
cases:
  - name: list all buckets
    action: s3:ListAllMyBuckets
    resource: "*"
    expect: allowed
    call: {service: s3, operation: list_buckets}
  - name: list from outside the office
    action: s3:ListBucket
    resource: arn:aws:s3:::iam-tester-dashboard
    call: {service: s3, operation: list_objects_v2, params: {Bucket: iam-tester-dashboard}}
"""


def _check(aws: EmbeddedAws, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", *args], env=aws.subprocess_env(), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_json_report_of_the_live_example(aws: EmbeddedAws, session: boto3.Session) -> None:
    """examples/live.yaml, live: every case passes; the JSON report has the prediction, the observation and
    AWS's error beside each case, and the counts at the top."""
    code, out, err = _check(aws, LIVE_EXAMPLE, "--live", "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert list(report) == ["passed", "failed", "disagreements", "errors", "inconclusive", "warnings", "cases", "notes"]
    assert (report["passed"], report["failed"], report["disagreements"], report["errors"]) == (5, 0, 0, 0)
    observed = [(c["predicted"], c["observed"], c["observed_error"]) for c in report["cases"]]
    denied = {"code": "AccessDenied", "message": "Access Denied"}
    assert observed == [
        ("allowed", "allowed", None),
        ("explicitDeny", "denied", denied),
        ("allowed", "allowed", None),
        ("implicitDeny", "denied", denied),
        ("implicitDeny", None, None),  # no call: decided offline only
    ]
    assert all(case["inconclusive"] is False for case in report["cases"])
    # Who called: the sandbox's role session for the cases run live (their `predicted` is for it).
    callers = [c["caller"] for c in report["cases"]]
    assert callers[-1] is None
    assert all(re.fullmatch(r"arn:aws:sts::\d{12}:assumed-role/iam-tester-[^/]+/[^/]+", c) for c in callers[:-1])
    assert "the policy is in force" in err
    assert_nothing_left(session)


def test_a_disagreement_fails_the_run_and_is_labelled(aws: EmbeddedAws, tmp_path: Path) -> None:
    """A case without expect whose prediction AWS contradicts: exit 1, labelled DISAGREE in the text report
    with AWS's answer and the prediction's explanation, a Disagreement failure in JUnit."""
    suite = tmp_path / "office.yaml"
    suite.write_text(DISAGREEING)
    code, out, _ = _check(aws, str(suite), "--live", "--quiet")
    assert code == 1
    row = next(line for line in out.splitlines() if "list from outside" in line)
    assert "implicitDeny" in row
    assert "allowed" in row
    assert "DISAGREE list from outside the office (" in out
    assert "AWS decided allowed, the evaluator predicted implicitDeny" in out
    assert "Condition IpAddress aws:SourceIp" in out
    assert (
        out.splitlines()[-1] == "1 passed, 0 failed, 1 disagreement, 1 without expect (2 cases in 1 suite; 2 run live)"
    )

    code, out, _ = _check(aws, str(suite), "--live", "--quiet", "--format", "junit")
    assert code == 1
    root = ET.fromstring(out.encode())  # noqa: S314 - our own output
    assert root.get("failures") == "1"
    failure = root.find("testsuite/testcase[@name='list from outside the office']/failure")
    assert failure is not None
    assert failure.get("type") == "Disagreement"
    assert failure.get("message") == "expected -, AWS decided allowed, predicted implicitDeny"


def test_live_options_need_live(aws: EmbeddedAws) -> None:
    """An option for live runs without --live is a usage error (exit 2) that says so."""
    code, _, err = _check(aws, LIVE_EXAMPLE, "--admin-role-arn", aws.admin_role_arn)
    assert code == 2
    assert "--admin-role-arn is for live runs: add --live" in err


def test_admin_mode_fails_fast_on_the_embedded_aws(aws: EmbeddedAws, session: boto3.Session) -> None:
    """--live --admin-role-arn, which cannot work on the embedded AWS, is refused at once (exit 2, as exec does)
    instead of after the readiness timeout; nothing is created."""
    code, out, err = _check(aws, LIVE_EXAMPLE, "--live", "--admin-role-arn", aws.admin_role_arn)
    assert code == 2
    assert out == ""
    assert "--admin-role-arn cannot work on the embedded AWS" in err
    assert_nothing_left(session)


def test_a_bad_call_is_exit_2_and_creates_nothing(aws: EmbeddedAws, session: boto3.Session, tmp_path: Path) -> None:
    """A typo in a call's operation: exit 2, the file, the line and a suggestion, no traceback, no role."""
    suite = tmp_path / "typo.yaml"
    suite.write_text(
        "cases:\n  - action: s3:ListBucket\n    resource: '*'\n    call: {service: s3, operation: list_object_v2}\n"
    )
    code, out, err = _check(aws, str(suite), "--live")
    assert code == 2
    assert out == ""
    assert "typo.yaml:4:36 at cases[0].call.operation: s3 has no operation 'list_object_v2'" in err
    assert "did you mean 'list_objects_v2'?" in err
    assert "warning [invalid-call]" not in err  # the offline warning would only say it twice
    assert "Traceback" not in err
    assert_nothing_left(session)
