"""The offline commands against careless use of the shell: closed or broken standard streams, a strict
stdout and file names that are not UTF-8, a report written over its own suite, and request options the
evaluator rejects. Each was a traceback or a misleading message before."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from iam_tester.cli import main

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart.yaml"
POLICY = ROOT / "examples" / "policies" / "list-except-infra.json"
CLI = [sys.executable, "-c", "from iam_tester.cli import main; main()"]


def _run(args: list[Any], **options: Any) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*CLI, *args], capture_output=True, check=False, **options)  # noqa: S603


def _closing(fd: int) -> Any:
    def close() -> None:
        os.close(fd)

    return close


def invoke(*args: str, **options: Any) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **options)


@pytest.mark.parametrize(
    "args",
    [
        ["check", str(QUICKSTART), "--format", "json"],
        ["check", str(QUICKSTART)],
        ["validate", str(POLICY)],
        ["explain", "--policy", str(POLICY), "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::b"],
    ],
    ids=["check-json", "check-text", "validate", "explain"],
)
def test_closed_stdout_is_like_dev_null(args: list[str]) -> None:
    """With stdout closed (`cmd >&-`) the report goes nowhere, as click.echo does, and the exit status still tells."""
    result = subprocess.run([*CLI, *args], stdout=None, stderr=subprocess.PIPE, check=False, preexec_fn=_closing(1))  # noqa: S603
    assert b"Traceback" not in result.stderr
    assert result.returncode == 0


def test_closed_stdin_for_validate_dash() -> None:
    """`validate -` with stdin closed is an unreadable-file finding (exit 2), not an AttributeError."""
    result = _run(["validate", "-"], preexec_fn=_closing(0))
    assert result.returncode == 2
    assert b"<stdin>: error [unreadable-file] cannot read the policy: standard input is closed" in result.stdout
    assert b"Traceback" not in result.stderr


def test_binary_stdin_for_validate_dash() -> None:
    """Bytes that are not UTF-8 on stdin are an invalid-encoding error at their place."""
    result = invoke("validate", "-", input=b'{"Sid": "caf\xe9"}')
    assert result.exit_code == 2
    assert "<stdin>:1:13: error [invalid-encoding]" in result.stdout


def test_stdin_given_twice_is_a_usage_error() -> None:
    """`validate - -` would read an empty second document: a usage error instead."""
    result = invoke("validate", "-", "-", input="{}")
    assert result.exit_code == 2
    assert "can be given only once" in result.stderr


@pytest.mark.parametrize("output_format", ["text", "json", "junit"])
def test_broken_pipe_is_quiet(output_format: str) -> None:
    """A reader that closes the pipe early (`| head -0`) ends the command without a traceback."""
    process = subprocess.Popen(  # noqa: S603
        [*CLI, "check", str(QUICKSTART), "--format", output_format], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read()
    process.stderr.close()
    process.wait()
    assert b"Traceback" not in stderr
    assert process.returncode in (0, 1)


def test_file_name_that_is_not_utf8_under_a_strict_stdout(tmp_path: Path) -> None:
    """A file name with a byte that is not UTF-8 is printed escaped, not a UnicodeEncodeError."""
    name = os.fsencode(tmp_path) + b"/bad\xff.json"
    Path(os.fsdecode(name)).write_text('"not an object"', encoding="utf-8")
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    result = _run(["validate", name], env=environment)
    assert result.returncode == 2
    assert b"bad\\udcff.json:1:1: error [not-an-object]" in result.stdout
    assert b"Traceback" not in result.stderr


def test_output_over_a_suite_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`check s.yaml --output s.yaml` would replace the suite with its report: a usage error, the suite kept."""
    suite = tmp_path / "s.yaml"
    text = QUICKSTART.read_text(encoding="utf-8").replace("policies/", f"{ROOT}/examples/policies/")
    suite.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "s.yaml", "--output", "./s.yaml")
    assert result.exit_code == 2
    assert "is a suite being checked: the report would overwrite it" in result.stderr
    assert suite.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    ("example", "output"),
    [
        ("quickstart.yaml", "policies/list-except-infra.json"),
        ("sources/plan-suite.yaml", "plan.json"),
        ("sources/template-suite.yaml", "template.yaml"),
    ],
)
def test_output_over_a_file_the_suite_reads_is_refused(
    example: str, output: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check --output` naming a policy file or a source the suite reads is a usage error (exit 2), the file kept."""
    source = ROOT / "examples" / example
    for path in source.parent.rglob("*"):
        if path.is_file():
            copy = tmp_path / path.relative_to(source.parent)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(path.read_bytes())
    monkeypatch.chdir(tmp_path)
    before = Path(output).read_bytes()
    result = invoke("check", source.name, "--output", output)
    assert result.exit_code == 2, result.output
    assert f"{output} is read by the suite {source.name}: the report would overwrite it" in result.stderr
    assert Path(output).read_bytes() == before


def test_output_inside_a_cdk_out_source_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`check --output` into a cdk.out directory the suite reads is refused: the next run would read the report."""
    (tmp_path / "cdk.out").mkdir()
    template = (ROOT / "examples" / "sources" / "template.yaml").read_text(encoding="utf-8")
    (tmp_path / "cdk.out" / "app.template.json").write_text(template, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        "sources: [cfn:cdk.out]\ncases: [{action: s3:GetObject, resource: '*'}]\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "s.yaml", "--output", "cdk.out/report.template.json")
    assert result.exit_code == 2, result.output
    assert "cdk.out/report.template.json is inside" in result.stderr
    assert "the report would be read with it" in result.stderr
    assert not (tmp_path / "cdk.out" / "report.template.json").exists()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--action", "s3:", "action 's3:' is not of the form service:Action"),
        ("--action", "*:*", "action '*:*' is not of the form service:Action"),
        ("--resource", "", "resource '' is neither an ARN nor \"*\""),
        ("--resource", "my-bucket", "resource 'my-bucket' is neither an ARN nor \"*\""),
        ("--principal", "", "principal '' is not a caller IAM can authorize"),
    ],
)
def test_explain_request_options_are_checked_by_name(option: str, value: str, message: str) -> None:
    """A malformed action, resource or principal is a usage error naming the option (exit 2)."""
    args = {"--action": "s3:ListBucket", "--resource": "arn:aws:s3:::b", "--principal": "111122223333"}
    args[option] = value
    flat = [item for pair in args.items() for item in pair]
    result = invoke("explain", "--policy", str(POLICY), *flat)
    assert result.exit_code == 2
    assert f"Invalid value for '{option}': {message}" in result.stderr


def test_explain_policy_that_never_ends() -> None:
    """`--policy /dev/zero` stops at the size limit instead of reading until memory runs out."""
    result = invoke("explain", "--policy", "/dev/zero", "--action", "s3:ListBucket", "--resource", "*")
    assert result.exit_code == 2
    assert "larger than 1 MiB: no policy is that large" in result.stderr


def test_control_characters_in_a_suite_never_reach_the_terminal(tmp_path: Path) -> None:
    """An escape sequence in a case name, a context value or a resource is printed escaped (\\x1b), so a
    suite cannot recolour, move the cursor or hide lines of the report."""
    suite = tmp_path / "s.yaml"
    suite.write_text(
        f"policies: {{identity: [{POLICY}]}}\n"
        "cases:\n"
        '  - {name: "red \\e[31m and clear \\e[2J", action: s3:ListBucket, resource: "arn:aws:s3:::b\\e[8m",'
        ' context: {"aws:username": "\\e]0;title\\a"}, expect: explicitDeny}\n',
        encoding="utf-8",
    )
    result = invoke("check", str(suite))
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout
    assert "red \\x1b[31m and clear \\x1b[2J" in result.stdout
    assert "arn:aws:s3:::b\\x1b[8m" in result.stdout
