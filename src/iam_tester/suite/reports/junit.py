"""JUnit XML: one ``<testsuite>`` per suite file, one ``<testcase>`` per case.

A failed case has a ``<failure>`` whose body is the full explanation; a case without ``expect`` is
``<skipped>`` (the closest JUnit has to "reported, neither passed nor failed"), its message saying
the decision. The XML is built with ElementTree, so names are escaped; characters XML 1.0 cannot
carry at all are replaced.

In a live run a case that disagrees with its prediction also has a ``<failure>`` (``type="Disagreement"``
unless its expectation failed too), a call that told nothing is an ``<error type="CallFailed">``, and an
inconclusive denial is ``<skipped>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import IO

from ..results import CaseResult, RunResult, Status
from .tree import explanation_tree, plain_text, reason, ref_text

__all__ = ["junit_xml", "write_junit"]

# Outside XML 1.0's Char production: https://www.w3.org/TR/xml/#charsets
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


_SKIPPED = frozenset({Status.UNCHECKED, Status.INCONCLUSIVE})


def _counts(results: Sequence[CaseResult]) -> dict[str, str]:
    return {
        "tests": str(len(results)),
        "failures": str(sum(r.status is Status.FAILED or r.disagrees for r in results)),
        "errors": str(sum(r.status is Status.ERROR for r in results)),
        "skipped": str(sum(r.status in _SKIPPED for r in results)),
    }


def junit_xml(run: RunResult) -> ET.Element:
    root = ET.Element("testsuites", {"name": "iam-tester check", **_counts(run.results)})
    by_suite: dict[int, list[CaseResult]] = {}
    for result in run.results:
        by_suite.setdefault(id(result.suite), []).append(result)
    for suite in run.suites:
        results = by_suite.get(id(suite), [])
        attributes = {"name": _clean(suite.name), **_counts(results), "file": _clean(suite.path)}
        element = ET.SubElement(root, "testsuite", attributes)
        for result in results:
            _testcase(element, result)
    return root


def _testcase(parent: ET.Element, result: CaseResult) -> None:
    case, evaluation = result.case, result.evaluation
    location = case.location
    attributes = {"classname": _clean(result.suite.name), "name": _clean(case.name), "file": _clean(result.suite.path)}
    if location.line is not None:
        attributes["line"] = str(location.line)
    element = ET.SubElement(parent, "testcase", attributes)
    if result.live is not None:
        _live_testcase(element, result)
        return
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
    elif status is Status.UNCHECKED:
        ET.SubElement(element, "skipped", message=_clean(f"no expect; the decision was {evaluation.decision.value}"))
    else:
        out = ET.SubElement(element, "system-out")
        out.text = _clean(f"{evaluation.decision.value}: {why}")


def write_junit(run: RunResult, stream: IO[str]) -> None:
    tree = ET.ElementTree(junit_xml(run))
    ET.indent(tree)
    stream.write('<?xml version="1.0" encoding="utf-8"?>\n')
    tree.write(stream, encoding="unicode")
    stream.write("\n")


def _live_testcase(element: ET.Element, result: CaseResult) -> None:
    check = result.live
    assert check is not None  # noqa: S101 - called for live cases only
    predicted = check.prediction.decision.value
    said = f": AWS said {check.outcome.error}" if check.outcome.error is not None else ""
    status = result.status
    if status is Status.ERROR:
        error = ET.SubElement(element, "error", message=_clean(f"the call told nothing{said}"), type="CallFailed")
        error.text = _clean(f"predicted {predicted}; the call failed for a reason other than authorization{said}")
        return
    expect = result.case.expect.value if result.case.expect else "-"
    if status is Status.FAILED or result.disagrees:
        kind = "ExpectationFailed" if status is Status.FAILED else "Disagreement"
        message = f"expected {expect}, AWS decided {check.observed}, predicted {predicted}{said}"
        failure = ET.SubElement(element, "failure", message=_clean(message), type=kind)
        tree = explanation_tree(check.prediction.request, check.prediction.explain())
        failure.text = _clean(plain_text(tree))
    elif status is Status.INCONCLUSIVE:
        ET.SubElement(
            element, "skipped", message=_clean(f"inconclusive: denied before the policy was seen in force{said}")
        )
    elif status is Status.UNCHECKED:
        ET.SubElement(element, "skipped", message=_clean(f"no expect; AWS decided {check.observed}"))
    else:
        out = ET.SubElement(element, "system-out")
        out.text = _clean(f"AWS decided {check.observed}, predicted {predicted}{said}")
