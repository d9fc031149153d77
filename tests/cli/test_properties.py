"""Property tests of the promise: "a malformed policy or suite never produces a traceback: name the file, the
place, the problem, and exit 2". Generated policies, suites and request options go through the real
commands (click's runner); each ends with exit 0, 1 or 2, no exception but SystemExit, and for exit 2 a
message naming the file and the line."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from iam_tester.cli import main

from ..strategies import CONDITION_KEYS, JSON_TOKENS, MEANINGFUL, STRINGS, fuzz, policies, suites, token_soup

VALID = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}
KINDS = st.sampled_from(["identity", "resource", "trust", "scp", "rcp", "session", "managed"])
# "file:line:col: severity [code]" or, for a file that could not be read at all, "file: error [code]".
FINDING = re.compile(r"^(?P<file>.+?)(?::(?P<line>\d+):(?P<column>\d+))?: (?P<severity>error|warning|suggestion) \[")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory for generated files, with the policy files generated suites may name."""
    root = tmp_path_factory.mktemp("cli-fuzz")
    (root / "policies").mkdir()
    (root / "policies" / "p.json").write_text(json.dumps(VALID), encoding="utf-8")
    (root / "policies" / "bad.json").write_text('{"Version": "2012-10-17", "Statement": [1]}', encoding="utf-8")
    return root


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def assert_error_names_file_and_line(result: Result, files: set[str]) -> None:
    """An exit-2 message: `error: FILE:LINE[:COL][ at PATH]: problem`, FILE one of ``files``."""
    first = result.stderr.splitlines()[0]
    assert first.startswith("error: "), first
    located = first.removeprefix("error: ")
    assert any(located.startswith((f"{name}:", f"{name} ")) for name in files), first
    whole_file = (": cannot read the suite", ": a suite is a mapping")
    assert re.match(r".+?:\d+(:\d+)?[: ]", located) or any(w in first for w in whole_file), first


@fuzz(200)
@given(document=policies() | token_soup(JSON_TOKENS), kind=KINDS, strict=st.booleans())
def test_validate_any_file(document: Any, kind: str, strict: bool, workspace: Path) -> None:
    """`validate` on any document or text: exit 0/1/2, every finding line names the file and (for text that
    was read) the line; the JSON format is valid JSON with the same exit code."""
    path = workspace / "policy.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    options = ["--type", kind, *(["--strict"] if strict else [])]
    text = run("validate", *options, str(path))
    for line in text.stdout.splitlines():
        match = FINDING.match(line)
        assert match, line
        assert match["file"] == str(path)
        assert match["line"] is not None, line
    assert (text.exit_code == 2) == any(" error [" in line for line in text.stdout.splitlines())
    as_json = run("validate", "--format", "json", *options, str(path))
    assert json.loads(as_json.stdout)["exit_code"] == as_json.exit_code == text.exit_code


@fuzz(150)
@given(data=suites(), fmt=st.sampled_from(["yaml", "json"]), output_format=st.sampled_from(["text", "json", "junit"]))
def test_check_any_suite(data: Any, fmt: str, output_format: str, workspace: Path) -> None:
    """`check` on any suite data: exit 0/1/2; exit 2 names the suite or a policy file, and the line."""
    path = workspace / f"suite.{fmt}"
    text = json.dumps(data) if fmt == "json" else yaml.safe_dump(data, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    result = run("check", "--format", output_format, str(path))
    if result.exit_code == 2:
        files = {str(path), *(str(p) for p in (workspace / "policies").iterdir())}
        assert_error_names_file_and_line(result, files)
    elif output_format == "json":
        report = json.loads(result.stdout)
        assert result.exit_code == (1 if report["failed"] else 0)


_OPTION_TEXT = STRINGS | st.sampled_from(["s3:GetObject", "arn:aws:s3:::reports/q1.csv", "*"])
_PAIRS = st.lists(
    st.builds(lambda key, value: f"{key}={value}", st.sampled_from(CONDITION_KEYS) | STRINGS, STRINGS)
    | st.sampled_from(["novalue", "=v", " =v", "k=", "k=a=b"]),
    max_size=3,
)


@fuzz(150)
@given(
    action=_OPTION_TEXT,
    resource=_OPTION_TEXT,
    principal=st.sampled_from(MEANINGFUL) | STRINGS,
    context=_PAIRS,
    output_format=st.sampled_from(["text", "json"]),
)
def test_explain_any_request(  # noqa: PLR0917 - one argument per option
    action: str, resource: str, principal: str, context: list[str], output_format: str, workspace: Path
) -> None:
    """`explain` with any action, resource, principal and context options: a decision (exit 0) or a usage
    error naming the option (exit 2), never a traceback."""
    if any("\0" in value for value in (action, resource, principal, *context)):
        return  # a command line cannot hold a NUL character
    options = [item for pair in context for item in ("--context", pair)]
    result = run(
        "explain",
        "--policy",
        str(workspace / "policies" / "p.json"),
        "--action",
        action,
        "--resource",
        resource,
        "--principal",
        principal,
        *options,
        "--format",
        output_format,
    )
    if result.exit_code == 0:
        if output_format == "json":
            assert json.loads(result.stdout)["decision"] in ("allowed", "explicitDeny", "implicitDeny")
    else:
        assert result.exit_code == 2
        assert "Invalid value for '--" in result.stderr, result.stderr
