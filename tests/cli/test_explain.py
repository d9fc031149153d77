"""`iam-tester explain`: the decision and why, for one request, from policy files given by kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from iam_tester.cli import main
from iam_tester.cli.explain_cmd import DEFAULT_PRINCIPAL as EXPLAIN_DEFAULT
from iam_tester.suite import DEFAULT_PRINCIPAL

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "examples" / "policies"
LIST_EXCEPT_INFRA = str(POLICIES / "list-except-infra.json")


def explain(*args: str) -> Result:
    return CliRunner().invoke(main, ["explain", *args], catch_exceptions=False)


def explain_json(*args: str) -> dict[str, Any]:
    result = explain(*args, "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_text_tree_for_an_explicit_deny() -> None:
    """The text output starts with the decision and names the deciding statement and every policy type."""
    result = explain(
        "--policy", LIST_EXCEPT_INFRA, "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::platform-infra"
    )
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("explicitDeny: Deny statement ProtectInfraBucket in identity policy")
    assert "decided by" in result.stdout
    assert "Deny ProtectInfraBucket in " in result.stdout
    assert "identity: denies" in result.stdout
    assert "<- decided" in result.stdout


def test_json_has_request_and_explanation() -> None:
    """JSON output is the request echoed plus the explanation's data, with the default principal documented."""
    data = explain_json("--policy", LIST_EXCEPT_INFRA, "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::dash")
    assert data["request"] == {
        "action": "s3:ListBucket",
        "resource": "arn:aws:s3:::dash",
        "principal": DEFAULT_PRINCIPAL,
        "resourceAccount": None,
        "context": {},
    }
    assert data["decision"] == "allowed"
    assert [ref["statement"] for ref in data["deciding"]] == ["ListAnyBucket"]
    assert [p["policyType"] for p in data["policies"]] == ["identity"]
    assert data["context"]["aws:PrincipalArn"] == [DEFAULT_PRINCIPAL]


def test_default_principal_is_the_suites() -> None:
    """explain and suites use the same default principal."""
    assert EXPLAIN_DEFAULT == DEFAULT_PRINCIPAL


def test_repeated_context_keys_are_multivalued() -> None:
    """--context KEY=VALUE repeated (in any case) makes one multi-valued key; a value may contain '='."""
    data = explain_json(
        "--policy",
        str(POLICIES / "team-data.json"),
        "--principal",
        "arn:aws:iam::111122223333:user/alice",
        "--action",
        "s3:PutObjectTagging",
        "--resource",
        "arn:aws:s3:::team-data/home/alice/x",
        "--context",
        "aws:TagKeys=project",
        "--context",
        "AWS:TagKeys=owner",
        "--context",
        "s3:prefix=a=b",
    )
    assert data["request"]["context"] == {"aws:TagKeys": ["project", "owner"], "s3:prefix": "a=b"}
    assert data["decision"] == "allowed"
    assert [ref["statement"] for ref in data["deciding"]] == ["TagOnlyWithKnownKeys"]


def test_scp_levels_in_order_with_commas_within_a_level() -> None:
    """Each --scp is one level, the root first; commas put several SCPs in one level."""
    data = explain_json(
        "--policy",
        str(POLICIES / "admin.json"),
        "--scp",
        str(POLICIES / "scp-full-access.json"),
        "--scp",
        f"{POLICIES / 'scp-eu-only.json'},{POLICIES / 'scp-full-access.json'}",
        "--scp",
        str(POLICIES / "scp-workload-services.json"),
        "--action",
        "iam:CreateUser",
        "--resource",
        "arn:aws:iam::111122223333:user/x",
        "--context",
        "aws:RequestedRegion=eu-west-1",
    )
    scps = [p for p in data["policies"] if p["policyType"] == "scp"]
    assert [p["level"] for p in scps] == [0, 1, 2]
    assert {s["policy"].rsplit("/", 1)[-1] for s in scps[1]["statements"]} == {
        "scp-eu-only.json",
        "scp-full-access.json",
    }
    assert data["decision"] == "implicitDeny"
    assert "level 2" in data["summary"]


def test_boundary_session_and_resource_policies() -> None:
    """--boundary, --session-policy and --resource-policy take part with their kinds."""
    boundary = explain_json(
        "--policy",
        str(POLICIES / "developer.json"),
        "--boundary",
        str(POLICIES / "boundary-app-data.json"),
        "--action",
        "iam:CreateUser",
        "--resource",
        "arn:aws:iam::111122223333:user/x",
    )
    assert boundary["decision"] == "implicitDeny"
    assert "boundary" in boundary["summary"]
    resource = explain_json(
        "--resource-policy",
        str(POLICIES / "bucket-reports.json"),
        "--principal",
        "arn:aws:iam::444455556666:role/partner-reader",
        "--resource-account",
        "111122223333",
        "--policy",
        str(POLICIES / "partner-reader.json"),
        "--action",
        "s3:DeleteObject",
        "--resource",
        "arn:aws:s3:::shared-reports/k",
    )
    assert resource["decision"] == "explicitDeny"
    assert [ref["statement"] for ref in resource["deciding"]] == ["NobodyDeletes"]


def test_session_policy(tmp_path: Path) -> None:
    """A session policy narrows a role session."""
    session = tmp_path / "session.json"
    session.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
        encoding="utf-8",
    )
    data = explain_json(
        "--policy",
        LIST_EXCEPT_INFRA,
        "--session-policy",
        str(session),
        "--principal",
        "arn:aws:sts::111122223333:assumed-role/dev/s1",
        "--action",
        "s3:ListBucket",
        "--resource",
        "arn:aws:s3:::dash",
    )
    assert data["decision"] == "implicitDeny"
    assert "session" in [p["policyType"] for p in data["policies"]]


def _bad_policy(tmp_path: Path) -> str:
    path = tmp_path / "bad.json"
    path.write_text(
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n'
        '    {"Effect": "Alow", "Action": "*", "Resource": "*"}\n  ]\n}',
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give at least one policy"),
        (("--policy", "missing.json"), "cannot read the policy file"),
        (("--policy", LIST_EXCEPT_INFRA, "--context", "novalue"), "is not KEY=VALUE"),
        (("--policy", LIST_EXCEPT_INFRA, "--resource-account", "12"), "12-digit"),
        (("--policy", LIST_EXCEPT_INFRA, "--principal", "bob"), "Invalid value for '--principal': principal 'bob'"),
        (("--scp", str(POLICIES / "bucket-reports.json")), "Principal"),
        (("--scp", ","), "names no file"),
    ],
)
def test_bad_input_exits_2(args: tuple[str, ...], message: str) -> None:
    """Usage mistakes, unreadable or wrong-kind policies and requests the evaluator rejects: exit 2, no traceback."""
    result = explain(*args, "--action", "s3:GetObject", "--resource", "*")
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_policy_names_file_line_and_place(tmp_path: Path) -> None:
    """A malformed policy file: exit 2 with the file, the line and the JSON path."""
    bad = _bad_policy(tmp_path)
    result = explain("--policy", bad, "--action", "s3:GetObject", "--resource", "*")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {bad}:4:") or result.stderr.startswith(f"error: {bad}:4 ")
    assert " at Statement[0].Effect: " in result.stderr


def test_wildcard_action_is_rejected() -> None:
    """A request names one action: a wildcard action is exit 2 with the evaluator's message."""
    result = explain("--policy", LIST_EXCEPT_INFRA, "--action", "s3:List*", "--resource", "*")
    assert result.exit_code == 2
    assert "s3:List*" in result.stderr


def test_a_request_aws_never_makes_draws_warnings_naming_the_option() -> None:
    """A typo'd action, a resource of the wrong type or a context key the action never carries is warned about
    on stderr and in JSON (the decision still explained); --no-catalog skips the check."""
    typo = explain("--policy", LIST_EXCEPT_INFRA, "--action", "s3:ListBuckett", "--resource", "arn:aws:s3:::b")
    assert typo.exit_code == 0
    assert (
        "warning [unknown-action] --action: s3 has no action 'ListBuckett' (did you mean s3:ListBucket" in typo.stderr
    )
    args = ["--policy", LIST_EXCEPT_INFRA, "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::b/key"]
    data = explain_json(*args, "--context", "ec2:Region=eu-west-1", "--context", "aws:SourceIp=203.0.113.9")
    assert [(w["code"], w["option"]) for w in data["warnings"]] == [
        ("resource-mismatch", "--resource"),
        ("condition-key-not-supported", "--context ec2:Region"),
    ]
    assert data["decision"] == "allowed"
    assert explain_json(*args, "--no-catalog")["warnings"] == []
    clean = explain("--policy", LIST_EXCEPT_INFRA, "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::b")
    assert clean.stderr == ""


GITHUB_TRUST = str(POLICIES / "github-actions-trust.json")
GITHUB = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
_BOTH_SLOTS = ["--trust-policy", GITHUB_TRUST, "--resource-policy", GITHUB_TRUST]


def test_a_trust_policy_decides_assume_role_on_its_role() -> None:
    """--trust-policy explains sts:AssumeRole* on the role: the main branch's token is allowed, a pull
    request's is not; the claims come from --context."""
    args = [
        "--trust-policy",
        GITHUB_TRUST,
        "--action",
        "sts:AssumeRoleWithWebIdentity",
        "--resource",
        "arn:aws:iam::111122223333:role/deploy",
        "--principal",
        GITHUB,
        "--context",
        "token.actions.githubusercontent.com:aud=sts.amazonaws.com",
    ]
    main_branch = explain_json(
        *args, "--context", "token.actions.githubusercontent.com:sub=repo:example-org/app:ref:refs/heads/main"
    )
    assert main_branch["decision"] == "allowed"
    assert [d["statement"] for d in main_branch["deciding"]] == ["GitHubActionsMainBranch"]
    pull_request = explain_json(
        *args, "--context", "token.actions.githubusercontent.com:sub=repo:example-org/app:pull_request"
    )
    assert pull_request["decision"] == "implicitDeny"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--trust-policy", GITHUB_TRUST, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"],
            "decides only",
        ),
        (
            [*_BOTH_SLOTS, "--action", "sts:AssumeRole", "--resource", "arn:aws:iam::111122223333:role/deploy"],
            "give --trust-policy or --resource-policy",
        ),
    ],
    ids=["not-a-trust-action", "both-slots"],
)
def test_trust_policy_usage_errors(args: list[str], message: str) -> None:
    """A trust policy with an action it does not decide, or beside a resource policy, is a usage error."""
    result = explain(*args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_document_in_the_wrong_slot_is_told_where_it_goes() -> None:
    """A trust policy given as the resource policy fails as a resource policy, with a hint naming
    --trust-policy."""
    result = explain(
        "--resource-policy",
        GITHUB_TRUST,
        "--action",
        "sts:AssumeRole",
        "--resource",
        "arn:aws:iam::111122223333:role/x",
    )
    assert result.exit_code == 2
    assert "a statement needs Resource (or NotResource) in a resource policy" in result.stderr
    assert "hint: it reads as a trust policy, not a resource policy: give it with --trust-policy" in result.stderr


def test_a_policy_from_standard_input() -> None:
    """`--policy -` reads the policy from standard input, named <stdin> in messages; a second `-` is a usage
    error."""
    text = Path(LIST_EXCEPT_INFRA).read_text()
    args = ["explain", "--policy", "-", "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::b"]
    result = CliRunner().invoke(main, args, input=text)
    assert result.exit_code == 0, result.output
    assert "identity policy <stdin>" in result.stdout
    bad = CliRunner().invoke(main, args, input='{"Version": "2012-10-17"}')
    assert bad.exit_code == 2
    assert "<stdin>:1:1: a policy needs a Statement element" in bad.stderr
    assert "run `iam-tester validate --type identity -` on the same input" in bad.stderr
    twice = CliRunner().invoke(main, [*args[:3], "--boundary", "-", *args[3:]], input=text)
    assert twice.exit_code == 2
    assert "standard input (-) holds one policy" in twice.stderr
