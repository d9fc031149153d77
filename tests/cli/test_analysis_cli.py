"""`iam-tester access` and `iam-tester diff` from the command line: output formats and exit status."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
    # sts:GetCallerIdentity needs no permission (STS API Reference): every IAM caller has it.
    assert set(actions) == {"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "sts:GetCallerIdentity"}
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
    # Located where code scanning can open it: NEW's path, at the line of the statement that grants it.
    lines = Path(READER_V2).read_text().splitlines()
    for result, finding in zip(results, findings, strict=True):
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == Path(READER_V2).as_posix()
        sid = finding["granted_by"][0]["statement"]
        statement_line = physical["region"]["startLine"]
        assert any(f'"Sid": "{sid}"' in line for line in lines[statement_line - 1 : statement_line + 2])


def test_diff_sarif_over_sources_names_the_files() -> None:
    """Over sources the SARIF location is the source's file, not `KIND:PATH` or a label."""
    sarif = json.loads(run("diff", f"tfplan:{PLAN}", "--format", "sarif").stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {Path(PLAN).as_posix()}


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


def test_exposure_reads_a_trust_policy_as_one_without_type() -> None:
    """Without --type a trust policy is analysed as a trust policy (its identity provider's callers); given as
    --type resource it fails with a hint naming --type trust."""
    trust = str(ROOT / "examples" / "policies" / "github-actions-trust.json")
    inferred = run("exposure", trust, "--format", "json")
    assert inferred.exit_code == 1, inferred.output
    assert {e["kind"] for e in json.loads(inferred.stdout)["exposures"]} == {"federated"}
    assert inferred.stdout == run("exposure", trust, "--type", "trust", "--format", "json").stdout
    wrong = run("exposure", trust, "--type", "resource")
    assert wrong.exit_code == 2
    assert "hint: it reads as a trust policy, not a resource policy: use --type trust" in wrong.stderr


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


PLAN = str(ROOT / "examples" / "sources" / "plan.json")


def _plan(before: list[str], after: list[str]) -> dict[str, object]:
    """A plan that changes role app's inline policy from allowing ``before`` to allowing ``after``."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role: dict[str, object] = {
        "name": "app",
        "path": "/",
        "arn": "arn:aws:iam::111122223333:role/app",
        "assume_role_policy": json.dumps(trust),
    }

    def policy(actions: list[str]) -> dict[str, object]:
        document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
        return {"name": "app", "role": "app", "policy": json.dumps(document)}

    def entry(kind: str, values: dict[str, object]) -> dict[str, object]:
        return {"address": f"{kind}.app", "mode": "managed", "type": kind, "name": "app", "values": values}

    changes = [
        {
            **{k: v for k, v in entry(kind, {}).items() if k != "values"},
            "change": {"actions": ["update"], "after": values, "after_unknown": {}},
        }
        for kind, values in (("aws_iam_role", role), ("aws_iam_role_policy", policy(after)))
    ]
    prior = [entry("aws_iam_role", role), entry("aws_iam_role_policy", policy(before))]
    return {
        "format_version": "1.2",
        "resource_changes": changes,
        "prior_state": {"format_version": "1.0", "values": {"root_module": {"resources": prior}}},
    }


def test_diff_of_a_plan_compares_before_and_after(tmp_path: Path) -> None:
    """A single tfplan: compares the state before the plan with the planned one, principal by principal."""
    result = run("diff", f"tfplan:{PLAN}", "--format", "json")
    assert result.exit_code == 1, result.output  # the example plan creates everything
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_plan(["sqs:SendMessage"], ["sqs:SendMessage", "sqs:DeleteQueue"])))
    found = json.loads(run("diff", f"tfplan:{plan}", "--format", "json").stdout)
    assert {(f["principal"], f["action"]) for f in found["new_access"]} == {("aws_iam_role.app", "sqs:DeleteQueue")}
    assert found["removed_access"] == []
    plan.write_text(json.dumps(_plan(["sqs:SendMessage"], ["sqs:SendMessage"])))
    unchanged = run("diff", f"tfplan:{plan}")
    assert unchanged.exit_code == 0, unchanged.output
    assert "Result: no new access." in unchanged.stdout


def test_diff_of_two_snapshots_names_the_principal(tmp_path: Path) -> None:
    """gaad: against gaad: compares each principal's policies by id; a widened inline policy is new access."""
    data = json.loads(Path(SNAPSHOT).read_text())
    widened = json.loads(json.dumps(data))
    role = next(r for r in widened["RoleDetailList"] if r["RoleName"] == "ci-runner")
    role["RolePolicyList"].append(
        {
            "PolicyName": "extra",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}],
            },
        }
    )
    after = tmp_path / "after.json"
    after.write_text(json.dumps(widened))
    result = run("diff", f"gaad:{SNAPSHOT}", f"gaad:{after}", "--format", "json")
    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)
    assert {(f["principal"], f["action"]) for f in found["new_access"]} == {
        ("arn:aws:iam::111122223333:role/ci-runner", "sqs:SendMessage")
    }
    assert found["removed_access"] == []
    assert run("diff", f"gaad:{SNAPSHOT}", READER).exit_code == 2  # a source against a file


def test_access_reads_a_source_with_the_source_options() -> None:
    """`access --source` takes the options every command that reads sources takes (a template's parameters,
    the account ID); without --source they are a usage error."""
    template = "cfn:" + str(ROOT / "examples" / "sources" / "template.yaml")
    args = ["access", "--source", template, "--principal", "WorkerRole", "--format", "json"]
    dev = json.loads(run(*args).stdout)
    assert dev["principal"] == "arn:aws:iam::123456789012:role/services/upload-worker-dev"
    assert "logs:PutLogEvents" not in {a["action"] for a in dev["actions"]}
    prod = json.loads(run(*args, "--parameter", "Env=prod", "--account-id", "444455556666").stdout)
    assert prod["principal"] == "arn:aws:iam::444455556666:role/services/upload-worker-prod"
    assert "logs:PutLogEvents" in {a["action"] for a in prod["actions"]}  # the prod-only statement
    result = run("access", READER, "--parameter", "Env=prod")
    assert result.exit_code == 2
    assert "go with --source" in result.stderr


def test_diff_reads_sources_with_the_source_options() -> None:
    """`diff` takes the options every command that reads sources takes, for both sides; with two policy files
    only --account-id applies, and the others are a usage error."""
    template = "cfn:" + str(ROOT / "examples" / "sources" / "template.yaml")
    same = run("diff", template, template, "--parameter", "Env=prod", "--account-id", "444455556666")
    assert same.exit_code == 0, same.output
    refused = run("diff", template, template, "--parameter", "Env=staging")
    assert refused.exit_code == 2
    assert "the parameter Env is 'staging', which is not one of its AllowedValues" in refused.stderr
    assert run("diff", READER, READER_V2, "--account-id", "444455556666").exit_code == 1
    for option in (["--region", "eu-west-1"], ["--parameter", "Env=prod"], ["--allow-unknown"]):
        result = run("diff", READER, READER_V2, *option)
        assert result.exit_code == 2, option
        assert "go with sources" in result.stderr


def test_diff_of_trust_policies_without_type_says_to_use_it() -> None:
    """Two trust policies compared as identity policies (the default) fail with a hint naming --type trust."""
    trust = str(ROOT / "examples" / "policies" / "github-actions-trust.json")
    result = run("diff", trust, trust)
    assert result.exit_code == 2
    assert "hint: it reads as a trust policy, not an identity policy: use --type trust" in result.stderr
    assert run("diff", "--type", "trust", trust, trust).exit_code == 0


def test_diff_of_a_plan_without_its_prior_state_refuses(tmp_path: Path) -> None:
    """A plan that updates existing resources but holds no prior_state cannot say what it adds (every grant
    would look new): exit 2 naming a changed resource; a plan that only creates needs none."""
    data: dict[str, Any] = _plan(["sqs:SendMessage"], ["sqs:SendMessage", "sqs:DeleteQueue"])
    del data["prior_state"]
    for change in data["resource_changes"]:
        change["change"]["before"] = change["change"]["after"]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data))
    result = run("diff", f"tfplan:{plan}")
    assert result.exit_code == 2
    assert "the plan changes resources that exist (aws_iam_role.app) but holds no prior_state" in result.stderr
    for change in data["resource_changes"]:
        change["change"]["before"] = None
    plan.write_text(json.dumps(data))
    assert run("diff", f"tfplan:{plan}").exit_code == 1  # a first apply: everything it grants is new
