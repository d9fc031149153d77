"""`iam-tester access` and `iam-tester diff` from the command line: output formats and exit status."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from iam_tester.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "analysis"
READER = str(EXAMPLES / "reports-reader.json")
READER_V2 = str(EXAMPLES / "reports-reader-v2.json")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_access_json_lists_actions_with_levels_resources_and_conditions() -> None:
    """`access --format json` gives one entry per action in the documented shape."""
    result = run("access", READER, "--format", "json")
    assert result.exit_code == 0, result.output
    actions = {a["action"]: a for a in json.loads(result.stdout)["actions"]}
    assert set(actions) == {"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"}
    assert actions["s3:GetObject"]["access_level"] == "Read"
    assert actions["s3:GetObject"]["resources"] == ["arn:aws:s3:::reports/*"]
    assert actions["s3:GetObject"]["conditional"] is True
    assert actions["s3:ListBucket"]["conditions"] == ["aws:PrincipalTag/team", "aws:SourceIp"]


def test_access_text_groups_by_service_and_calls_out_risky_actions() -> None:
    """The text report names the risky actions first, then each service by access level."""
    result = run("access", READER)
    assert result.exit_code == 0
    assert "Called out" in result.stdout
    assert "data-exfiltration" in result.stdout
    assert "s3 (Amazon S3): 3 of" in result.stdout


def test_diff_exits_1_on_new_access_with_witnesses() -> None:
    """New access exits 1; each JSON finding carries a witness request."""
    result = run("diff", READER, READER_V2, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["removed_access"] == []
    actions = {f["action"] for f in data["new_access"]}
    assert {"s3:GetObjectAcl", "s3:ListBucket"} <= actions
    assert "s3:GetObject" not in actions
    for finding in data["new_access"]:
        assert set(finding["witness"]) == {"action", "resource", "principal", "context"}


def test_diff_of_a_policy_with_itself_exits_0() -> None:
    """Nothing new: exit 0, and the text says so."""
    result = run("diff", READER, READER)
    assert result.exit_code == 0
    assert "Result: no new access." in result.stdout


def test_diff_sarif_has_one_result_per_finding() -> None:
    """SARIF 2.1.0 with a new-access result for every finding."""
    sarif = json.loads(run("diff", READER, READER_V2, "--format", "sarif").stdout)
    assert sarif["version"] == "2.1.0"
    findings = json.loads(run("diff", READER, READER_V2, "--format", "json").stdout)["new_access"]
    results = sarif["runs"][0]["results"]
    assert len(results) == len(findings)
    assert {r["ruleId"] for r in results} == {"new-access"}


def test_bad_input_exits_2_with_the_file_named(tmp_path: Path) -> None:
    """A malformed policy or a missing file is exit 2 with a message naming it, never a traceback."""
    broken = tmp_path / "broken.json"
    broken.write_text('{"Version": "2012-10-17", "Statement": [}')
    for args in (["diff", READER, str(broken)], ["access", str(broken)], ["access", str(tmp_path / "nope.json")]):
        result = run(*args)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output
        assert str(tmp_path) in result.stderr
    assert run("access", READER, "--principal", "not-an-arn").exit_code == 2
    assert run("diff", READER, READER, "--account", "12").exit_code == 2


def test_exposure_exits_1_when_outsiders_get_in() -> None:
    """`exposure` reports anonymous and external access with witnesses, and exits 1."""
    bucket = str(EXAMPLES / "reports-bucket.json")
    result = run("exposure", bucket, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    kinds = {(e["kind"], e["action"]) for e in data["exposures"]}
    assert ("anonymous", "s3:GetObject") in kinds
    assert ("account", "s3:GetObject") in kinds
    text = run("exposure", bucket, "--org-id", "o-a1b2c3d4e5").stdout
    assert "s3:ListBucket" not in text  # org members only


def test_exposure_of_a_policy_for_the_own_account_exits_0(tmp_path: Path) -> None:
    """A key policy delegating to its own account lets no one outside in."""
    policy = tmp_path / "key.json"
    statement = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*"}
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{**statement, "Resource": "*"}]}))
    result = run("exposure", str(policy))
    assert result.exit_code == 0, result.output
    assert "none" in result.stdout


SNAPSHOT = str(ROOT / "examples" / "sources" / "account.json")


def test_access_takes_a_principal_from_a_source() -> None:
    """`access --source gaad:... --principal ARN` analyses that principal's own policies (a user's groups' too)."""
    result = run("access", "--source", f"gaad:{SNAPSHOT}", "--principal", "arn:aws:iam::111122223333:user/alice")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("arn:aws:iam::111122223333:user/alice may perform")
    every = json.loads(run("access", "--source", f"gaad:{SNAPSHOT}", "--all-principals", "--format", "json").stdout)
    ids = [p["id"] for p in every["principals"]]
    assert "arn:aws:iam::111122223333:user/alice" in ids
    assert all(p["actions"] for p in every["principals"])


def test_access_source_usage_errors_exit_2() -> None:
    """A missing principal, POLICY files beside --source, or an unknown principal id are usage errors."""
    assert run("access", "--source", f"gaad:{SNAPSHOT}").exit_code == 2
    assert run("access", READER, "--source", f"gaad:{SNAPSHOT}", "--all-principals").exit_code == 2
    missing = run("access", "--source", f"gaad:{SNAPSHOT}", "--principal", "nobody")
    assert missing.exit_code == 2
    assert "no principal 'nobody'" in missing.stderr


def test_access_witnesses_are_given_on_request() -> None:
    """Witnesses per action only with --witnesses."""
    plain = json.loads(run("access", READER, "--format", "json").stdout)["actions"]
    assert all("witness" not in a for a in plain)
    full = json.loads(run("access", READER, "--witnesses", "--format", "json").stdout)["actions"]
    assert all(a["witness"]["action"] == a["action"] for a in full)
