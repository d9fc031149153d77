"""Property tests: whatever a suite file holds, loading it gives a suite or a located
:class:`~iam_tester.errors.IamTesterError` — never another exception — and a suite that loads is decided
and reported in every format."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from iam_tester.errors import IamTesterError, PolicyError, SuiteError
from iam_tester.suite import load_suite
from iam_tester.suite.reports.json_report import write_json
from iam_tester.suite.reports.junit import write_junit
from iam_tester.suite.reports.text import render_text
from iam_tester.suite.runner import run_local

from ..strategies import YAML_TOKENS, fuzz, suites, token_soup

VALID = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}
BROKEN = {"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "s3:*", "Resource": "*"}]}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with the policy files the generated suites name: one valid, one broken, one directory."""
    root = tmp_path_factory.mktemp("fuzz")
    (root / "policies").mkdir()
    (root / "policies" / "p.json").write_text(json.dumps(VALID), encoding="utf-8")
    (root / "policies" / "bad.json").write_text(json.dumps(BROKEN, indent=2), encoding="utf-8")
    (root / "p.json").write_text(json.dumps(VALID), encoding="utf-8")
    return root


def write_suite(directory: Path, data: Any, fmt: str) -> Path:
    """``data`` as a YAML or JSON suite file (JSON turns non-string keys into strings and writes NaN)."""
    path = directory / f"suite.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps(data), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def check_loaded_or_located(path: Path, directory: Path) -> None:
    """Load ``path``: a suite that decides and reports in every format, or a located IamTesterError naming
    the suite or one of the policy files."""
    error: SuiteError | PolicyError | None = None
    try:
        suite = load_suite(path)
    except (SuiteError, PolicyError) as exc:
        error = exc
    if error is not None:
        location = error.location
        assert error.exit_code == 2
        named = Path(location.source)
        assert named.resolve() in {path.resolve(), *(p.resolve() for p in directory.rglob("*.json"))}, location
        assert location.line is not None or _whole_file(error.message), error
        return
    run = run_local([suite])
    stream = io.StringIO()
    write_json(run, stream)
    assert json.loads(stream.getvalue())["passed"] == run.passed
    write_junit(run, io.StringIO())
    render_text(run, Console(file=io.StringIO(), width=100))


def _whole_file(message: str) -> bool:
    """Errors about the file as a whole, which has no single line to point at."""
    return any(f": {start}" in message for start in ("cannot read the suite", "a suite is a mapping"))


@fuzz(300)
@given(data=suites(), fmt=st.sampled_from(["yaml", "json"]))
def test_any_suite_data_loads_or_is_located(data: Any, fmt: str, workspace: Path) -> None:
    """Suite-shaped data (keys mostly real, values plausible or hostile), as YAML or JSON: loads and runs, or
    raises a SuiteError/PolicyError naming the suite or the policy file, with a line."""
    check_loaded_or_located(write_suite(workspace, data, fmt), workspace)


@fuzz(300)
@given(text=token_soup(YAML_TOKENS))
def test_any_yaml_text_loads_or_is_located(text: str, workspace: Path) -> None:
    """YAML token soup (anchors, aliases, tags, merge keys, directives, odd characters) never escapes as
    anything but a SuiteError or PolicyError."""
    path = workspace / "suite.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        check_loaded_or_located(path, workspace)
    except IamTesterError as exc:  # pragma: no cover - the assertion below says what went wrong
        pytest.fail(f"an IamTesterError that is neither a SuiteError nor a PolicyError: {exc!r}")
