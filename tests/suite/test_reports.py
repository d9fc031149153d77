"""The reporters: JSON shape and order, valid JUnit XML, and a text report that explains failures."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console

from iam_tester.engine.tree import explanation_tree, plain_text
from iam_tester.suite import RunResult, Status
from iam_tester.suite.reports.json_report import json_report, write_json
from iam_tester.suite.reports.junit import junit_xml, write_junit
from iam_tester.suite.reports.text import render_text, summary_line

from .sample_results import LIST_ANY, PROTECT, sample_run


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RunResult:
    monkeypatch.chdir(tmp_path)
    return sample_run(Path("."))


def test_statuses(run: RunResult) -> None:
    """Matching expectations pass, a wrong one fails, a case without expect is unchecked; exit 1 on a failure."""
    assert [r.status for r in run.results] == [Status.PASSED, Status.PASSED, Status.FAILED, Status.UNCHECKED]
    assert (run.passed, run.failed, run.unchecked, run.exit_code) == (2, 1, 1, 1)


def test_json_shape_and_order(run: RunResult) -> None:
    """The JSON report has passed/failed/warnings/cases, cases in input order, reasons as statement refs."""
    buffer = io.StringIO()
    write_json(run, buffer)
    data = json.loads(buffer.getvalue())
    assert set(data) == {"passed", "failed", "warnings", "cases"}
    assert data["warnings"] == []
    assert (data["passed"], data["failed"]) == (2, 1)
    assert [c["name"] for c in data["cases"]] == [r.case.name for r in run.results]
    first, second, third, fourth = data["cases"]
    assert first == {
        "suite": "sample.yaml",
        "name": "list the dashboard",
        "action": "s3:ListBucket",
        "resource": "arn:aws:s3:::dashboard",
        "principal": "arn:aws:iam::111122223333:user/alice",
        "decision": "allowed",
        "expect": "allowed",
        "ok": True,
        "summary": "allowed: Allow statement ListAnyBucket in identity policy policies/list.json",
        "reasons": [LIST_ANY.to_dict()],
    }
    assert second["reasons"] == [PROTECT.to_dict()]
    assert second["reasons"][0]["effect"] == "Deny"
    assert (third["ok"], third["decision"], third["reasons"]) == (False, "implicitDeny", [])
    assert third["explanation"] == run.results[2].evaluation.explain().to_dict()
    assert (fourth["ok"], fourth["expect"]) == (None, None)
    assert "explanation" not in first
    assert "explanation" not in fourth


def test_json_report_is_plain_data(run: RunResult) -> None:
    """The report object serialises as is (no enums or tuples left)."""
    assert json.loads(json.dumps(json_report(run))) == json_report(run)


def test_junit_is_valid_and_complete(run: RunResult) -> None:
    """One testsuite per suite, one testcase per case, failure with the explanation, skipped without expect."""
    buffer = io.StringIO()
    write_junit(run, buffer)
    text = buffer.getvalue()
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(text.encode("utf-8"))  # noqa: S314 - our own output, not untrusted XML
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("skipped"), root.get("errors")) == ("4", "1", "1", "0")
    (suite,) = root.findall("testsuite")
    assert (suite.get("name"), suite.get("file"), suite.get("tests")) == ("sample", "sample.yaml", "4")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [r.case.name for r in run.results]
    assert [c.get("line") for c in cases] == ["6", "10", "14", "19"]
    assert cases[0].find("failure") is None
    assert cases[0].find("skipped") is None
    failure = cases[2].find("failure")
    assert failure is not None
    assert failure.get("message") == "expected allowed, got implicitDeny: no identity policy allows s3:GetObject"
    assert failure.text is not None
    assert "IpAddress aws:SourceIp" in failure.text
    assert "198.51.100.7" in failure.text
    skipped = cases[3].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "no expect; the decision was implicitDeny"


def test_junit_replaces_characters_xml_cannot_carry(run: RunResult) -> None:
    """A control character in a case name does not make the XML invalid."""
    import dataclasses

    bad = dataclasses.replace(run.results[0], case=dataclasses.replace(run.results[0].case, name="bell\x07name"))
    element = junit_xml(RunResult(run.suites, (bad,)))
    text = ET.tostring(element, encoding="unicode")
    assert ET.fromstring(text).find("testsuite/testcase").get("name") == "bell\ufffdname"  # type: ignore[union-attr]  # noqa: S314


def _render(run: RunResult) -> str:
    buffer = io.StringIO()
    render_text(run, Console(file=buffer, width=200, color_system=None))
    return buffer.getvalue()


def test_text_table_failures_and_summary(run: RunResult) -> None:
    """The text report lists each case with expected, got and why, explains the failure, ends with the summary."""
    out = _render(run)
    lines = out.splitlines()
    row = next(line for line in lines if "list infra" in line)
    assert "pass" in row
    assert "explicitDeny" in row
    assert "Deny ProtectInfra in identity policy policies/list.json" in row
    unchecked = next(line for line in lines if "just report" in line)
    assert "implicitDeny" in unchecked
    assert "no identity policy allows s3:GetObject" in unchecked
    assert 'FAIL read from home <&> "quoted" (sample.yaml:14:5 at cases[2]): expected allowed, got implicitDeny' in out
    assert "request values: the key is missing" in out
    assert "${aws:PrincipalTag/team} = unresolved (matches nothing)" in out
    assert lines[-1] == "2 passed, 1 failed, 1 without expect (4 cases in 1 suite)"


def test_summary_without_failures(run: RunResult) -> None:
    """With nothing failed and nothing unchecked, the summary says only what passed."""
    passed = RunResult(run.suites, run.results[:2])
    assert summary_line(passed).plain == "2 passed, 0 failed (2 cases in 1 suite)"
    assert passed.exit_code == 0


def test_tree_shows_every_part_of_the_explanation(run: RunResult) -> None:
    """The tree has the decision, the request, the deciding statement, each policy type and statement, the context."""
    result = run.results[0]
    text = plain_text(explanation_tree(result.evaluation.request, result.evaluation.explain()))
    lines = text.splitlines()
    assert lines[0] == "allowed: Allow statement ListAnyBucket in identity policy policies/list.json"
    for fragment in (
        "action: s3:ListBucket",
        "principal: arn:aws:iam::111122223333:user/alice",
        "decided by",
        "Allow ListAnyBucket in identity policy policies/list.json",
        "scp level 0: allows",
        "identity: allows",
        "Allow ListAnyBucket in policies/list.json: applies  <- decided",
        "Deny ProtectInfra in policies/list.json: does not apply",
        "Resource: arn:aws:s3:::dashboard is not arn:aws:s3:::infra",
        "aws:username: alice",
    ):
        assert fragment in text, fragment


def test_tree_prints_brackets_literally(run: RunResult) -> None:
    """Names with square brackets are data, not rich markup."""
    result = run.results[2]
    text = plain_text(explanation_tree(result.evaluation.request, result.evaluation.explain()))
    assert "Allow Home in inline [home]: does not apply" in text
    assert "note: a note from the combiner" in text
    assert "identity: no statement applies" in text
