"""The corpus: one bad policy per problem, each with its exact findings and exit codes; good policies from
the AWS documentation, which must validate without errors or warnings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from iam_tester.cli import main
from iam_tester.policy import PolicyKind, validate_policy_file

CORPUS = Path(__file__).parent / "corpus"
BAD: dict[str, Any] = json.loads((CORPUS / "bad.index.json").read_text())["files"]
GOOD: dict[str, Any] = json.loads((CORPUS / "good.index.json").read_text())["files"]


def test_every_corpus_file_is_indexed() -> None:
    """Each policy file in the corpus has an index entry, and each entry has its file."""
    assert sorted(p.name for p in (CORPUS / "bad").glob("*.json")) == sorted(BAD)
    assert sorted(p.name for p in (CORPUS / "good").glob("*.json")) == sorted(GOOD)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_policy_findings(name: str) -> None:
    """A bad policy yields exactly the indexed findings: severity, code, JSON path, line and column."""
    expected = BAD[name]
    report = validate_policy_file(CORPUS / "bad" / name, kind=PolicyKind(expected["type"]), name=name)
    found = [
        {
            "severity": f.severity.value,
            "code": f.code,
            "path": f.location.path,
            "line": f.location.line,
            "column": f.location.column,
        }
        for f in report.findings
    ]
    assert found == expected["findings"]
    assert all(f.location.source == name for f in report.findings)
    assert report.exit_code() == expected["exit_code"]
    assert report.exit_code(strict=True) == expected["strict_exit_code"]


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_policy_cli_exit_code(name: str) -> None:
    """The CLI exits with the indexed code (2 errors; 1 warnings under --strict; 0 otherwise)."""
    expected = BAD[name]
    path = str(CORPUS / "bad" / name)
    runner = CliRunner()
    plain = runner.invoke(main, ["validate", "--type", expected["type"], path])
    strict = runner.invoke(main, ["validate", "--type", expected["type"], "--strict", path])
    assert (plain.exit_code, strict.exit_code) == (expected["exit_code"], expected["strict_exit_code"])
    first = expected["findings"][0]
    assert f"{path}:{first['line']}:{first['column']}: {first['severity']} [{first['code']}]" in plain.stdout
    assert "Traceback" not in plain.output


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_policy_from_aws_docs(name: str) -> None:
    """An example from the AWS documentation has no errors and exactly the indexed warnings (none)."""
    expected = GOOD[name]
    report = validate_policy_file(CORPUS / "good" / name, kind=PolicyKind(expected["type"]))
    assert report.errors == ()
    assert [f.code for f in report.warnings] == expected["warnings"]
    assert report.document is not None
    assert report.catalog_version
