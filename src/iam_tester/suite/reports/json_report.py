"""The machine report: ``{"passed": n, "failed": n, "warnings": [...], "cases": [...]}``, cases in input order.

``warnings`` lists what the suites' policies and cases draw (:func:`warning_to_dict`), in the order
``validate`` would print them per file.

Each case holds ``suite``, ``name``, ``action``, ``resource``, ``principal``, ``decision``, ``expect``
(``null`` when the case has none), ``ok`` (``true``/``false``, ``null`` without ``expect``),
``summary`` and ``reasons`` — the deciding statements as :meth:`StatementRef.to_dict` objects. A
failed case also carries ``explanation`` (:meth:`Explanation.to_dict`). The shape is in docs/check.md.
"""

from __future__ import annotations

import json
from typing import IO, Any

from ...policy.findings import Finding
from ..results import CaseResult, RunResult, Status

__all__ = ["case_to_dict", "json_report", "warning_to_dict", "write_json"]


def json_report(run: RunResult) -> dict[str, Any]:
    return {
        "passed": run.passed,
        "failed": run.failed,
        "warnings": [warning_to_dict(w) for w in run.warnings],
        "cases": [case_to_dict(r) for r in run.results],
    }


def warning_to_dict(warning: Finding) -> dict[str, Any]:
    """A warning of the policies or the cases: ``file`` (the suite or the policy file) and the finding's
    fields as ``validate --format json`` gives them."""
    return {"file": warning.location.source, **warning.to_dict()}


def case_to_dict(result: CaseResult) -> dict[str, Any]:
    case, evaluation = result.case, result.evaluation
    data: dict[str, Any] = {
        "suite": result.suite.path,
        "name": case.name,
        "action": case.action,
        "resource": case.resource,
        "principal": case.principal,
        "decision": evaluation.decision.value,
        "expect": case.expect.value if case.expect else None,
        "ok": result.ok,
        "summary": evaluation.summary,
        "reasons": [ref.to_dict() for ref in evaluation.deciding],
    }
    if result.status is Status.FAILED:
        data["explanation"] = evaluation.explain().to_dict()
    return data


def write_json(run: RunResult, stream: IO[str]) -> None:
    """The report with one case per line: readable, and written by the C encoder (``indent`` would
    switch ``json`` to its pure-Python encoder, several times slower on big suites)."""
    warnings = json.dumps([warning_to_dict(w) for w in run.warnings])
    stream.write(f'{{"passed": {run.passed}, "failed": {run.failed}, "warnings": {warnings}, "cases": [')
    separator = "\n  "
    for result in run.results:
        stream.write(separator)
        stream.write(json.dumps(case_to_dict(result)))
        separator = ",\n  "
    stream.write("\n]}\n" if run.results else "]}\n")
