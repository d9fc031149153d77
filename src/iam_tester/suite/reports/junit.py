"""JUnit XML: one ``<testsuite>`` per suite file, one ``<testcase>`` per case.

A failed case has a ``<failure>`` whose body is the full explanation; a case without ``expect`` is
``<skipped>`` (the closest JUnit has to "reported, neither passed nor failed"), its message saying
the decision. The XML is built with ElementTree, so names are escaped; characters XML 1.0 cannot
carry at all are replaced.

Warnings go where CI shows them: a case's own warnings (a request AWS never makes) in its
``<system-err>``, the suite's other warnings (its policies', its context's) in a ``<testcase>`` of their
own named ``warnings``. Under ``--strict`` each of these is a ``<failure type="Warning">``, so a suite
over a typo'd policy no longer shows green.

In a live run a case that disagrees with its prediction also has a ``<failure>`` (``type="Disagreement"``
unless its expectation failed too), a call that told nothing is an ``<error type="CallFailed">``, and an
inconclusive denial is ``<skipped>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import IO

from ..._text import count
from ...engine.tree import explanation_tree, plain_text, reason, ref_text
from ...policy.findings import Finding
from ..results import CaseResult, RunResult, Status

__all__ = ["junit_xml", "write_junit"]

# Outside XML 1.0's Char production: https://www.w3.org/TR/xml/#charsets
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


_SKIPPED = frozenset({Status.UNCHECKED, Status.INCONCLUSIVE})


def _errors_and_skipped(results: Sequence[CaseResult]) -> dict[str, str]:
    return {
        "errors": str(sum(r.status is Status.ERROR for r in results)),
        "skipped": str(sum(r.status in _SKIPPED for r in results)),
    }


def junit_xml(run: RunResult) -> ET.Element:
    root = ET.Element("testsuites", {"name": "iam-tester check", **_errors_and_skipped(run.results)})
    by_suite: dict[int, list[CaseResult]] = {}
    for result in run.results:
        by_suite.setdefault(id(result.suite), []).append(result)
    tests = failures = 0
    for suite in run.suites:
        results = by_suite.get(id(suite), [])
        attributes = {"name": _clean(suite.name), **_errors_and_skipped(results), "file": _clean(suite.path)}
        element = ET.SubElement(root, "testsuite", attributes)
        by_case, others = _warnings_by_case(suite.warnings)
        failed = 0
        for result in results:
            failed += _testcase(element, result, by_case.get(result.case.index, []), strict=run.strict)
        in_suite = len(results)
        if others:
            in_suite += 1
            failed += _warnings_case(element, suite.name, suite.path, others, strict=run.strict)
        element.set("tests", str(in_suite))
        element.set("failures", str(failed))
        tests, failures = tests + in_suite, failures + failed
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    return root


def _warnings_by_case(warnings: tuple[Finding, ...]) -> tuple[dict[int, list[Finding]], list[Finding]]:
    """A case's own warnings (located in ``cases[i]``) by case index, and the rest."""
    by_case: dict[int, list[Finding]] = {}
    others: list[Finding] = []
    for warning in warnings:
        match = _CASE_PATH.match(warning.location.path)
        if match:
            by_case.setdefault(int(match[1]), []).append(warning)
        else:
            others.append(warning)
    return by_case, others


_CASE_PATH = re.compile(r"cases\[(\d+)\](?:[.\[]|\Z)")


def _warnings_text(warnings: list[Finding]) -> str:
    return _clean("\n".join(str(w) for w in warnings))


def _warnings_case(parent: ET.Element, name: str, path: str, warnings: list[Finding], *, strict: bool) -> int:
    """The suite's policy and context warnings as one test case; a failure under ``strict``."""
    # Located at the first warning (a policy file's, or the suite's context), where annotators point.
    first = warnings[0].location
    attributes = {"classname": _clean(name), "name": "warnings", "file": _clean(first.source or path)}
    if first.line is not None:
        attributes["line"] = str(first.line)
    element = ET.SubElement(parent, "testcase", attributes)
    noun = count(len(warnings), "warning")
    if strict:
        failure = ET.SubElement(element, "failure", message=f"{noun} (--strict)", type="Warning")
        failure.text = _warnings_text(warnings)
        return 1
    ET.SubElement(element, "system-err").text = _warnings_text(warnings)
    return 0


def _testcase(parent: ET.Element, result: CaseResult, warnings: list[Finding], *, strict: bool) -> int:
    """The case's element; returns 1 when it is a failure (its expectation, or a warning under ``strict``)."""
    case, evaluation = result.case, result.evaluation
    location = case.location
    attributes = {"classname": _clean(result.suite.name), "name": _clean(case.name), "file": _clean(result.suite.path)}
    if location.line is not None:
        attributes["line"] = str(location.line)
    element = ET.SubElement(parent, "testcase", attributes)
    if result.live is not None:
        return _live_testcase(element, result, warnings, strict=strict)
    why = ref_text(evaluation.deciding[0]) if evaluation.deciding else reason(evaluation.decision, evaluation.summary)
    status = result.status
    if status is Status.FAILED:
        expect = case.expect.value if case.expect else "-"
        failure = ET.SubElement(
            element,
            "failure",
            message=_clean(f"expected {expect}, got {evaluation.decision.value}: {why}"),
            type="ExpectationFailed",
        )
        failure.text = _clean(plain_text(explanation_tree(evaluation.request, evaluation.explain())))
    elif strict and warnings:
        failure = ET.SubElement(element, "failure", message=_clean(str(warnings[0])), type="Warning")
        failure.text = _warnings_text(warnings)
    elif status is Status.UNCHECKED:
        ET.SubElement(element, "skipped", message=_clean(f"no expect; the decision was {evaluation.decision.value}"))
    else:
        out = ET.SubElement(element, "system-out")
        out.text = _clean(f"{evaluation.decision.value}: {why}")
    if warnings:
        ET.SubElement(element, "system-err").text = _warnings_text(warnings)
    return 1 if status is Status.FAILED or (strict and warnings) else 0


def write_junit(run: RunResult, stream: IO[str]) -> None:
    tree = ET.ElementTree(junit_xml(run))
    ET.indent(tree)
    stream.write('<?xml version="1.0" encoding="utf-8"?>\n')
    tree.write(stream, encoding="unicode")
    stream.write("\n")


def _live_testcase(element: ET.Element, result: CaseResult, warnings: list[Finding], *, strict: bool) -> int:
    """A live case's verdict (its warnings as for any case); returns 1 when it is a failure."""
    failed = _live_verdict(element, result)
    if strict and warnings and not failed:
        failure = ET.SubElement(element, "failure", message=_clean(str(warnings[0])), type="Warning")
        failure.text = _warnings_text(warnings)
        failed = 1
    if warnings:
        ET.SubElement(element, "system-err").text = _warnings_text(warnings)
    return failed


def _live_verdict(element: ET.Element, result: CaseResult) -> int:
    check = result.live
    assert check is not None  # noqa: S101 - called for live cases only
    predicted = check.prediction.decision.value
    said = f": AWS said {check.outcome.error}" if check.outcome.error is not None else ""
    status = result.status
    if status is Status.ERROR:
        error = ET.SubElement(element, "error", message=_clean(f"the call told nothing{said}"), type="CallFailed")
        error.text = _clean(f"predicted {predicted}; the call failed for a reason other than authorization{said}")
        return 0
    expect = result.case.expect.value if result.case.expect else "-"
    if status is Status.FAILED or result.disagrees:
        kind = "ExpectationFailed" if status is Status.FAILED else "Disagreement"
        message = f"expected {expect}, AWS decided {check.observed}, predicted {predicted}{said}"
        failure = ET.SubElement(element, "failure", message=_clean(message), type=kind)
        tree = explanation_tree(check.prediction.request, check.prediction.explain())
        failure.text = _clean(plain_text(tree))
        return 1
    if status is Status.INCONCLUSIVE:
        ET.SubElement(
            element, "skipped", message=_clean(f"inconclusive: denied before the policy was seen in force{said}")
        )
    elif status is Status.UNCHECKED:
        ET.SubElement(element, "skipped", message=_clean(f"no expect; AWS decided {check.observed}"))
    else:
        out = ET.SubElement(element, "system-out")
        out.text = _clean(f"AWS decided {check.observed}, predicted {predicted}{said}")
    return 0
