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

from ...engine.results import StatementRef
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


def case_to_dict(result: CaseResult, *, reasons: bool = True) -> dict[str, Any]:
    """One case as the report gives it (``reasons=False``: without the ``reasons`` list, which the writer adds)."""
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
    }
    if reasons:
        data["reasons"] = [ref.to_dict() for ref in evaluation.deciding]
    if result.status is Status.FAILED:
        data["explanation"] = evaluation.explain().to_dict()
    return data


def write_json(run: RunResult, stream: IO[str]) -> None:
    """The report with one case per line: readable, and written by the C encoder (``indent`` would
    switch ``json`` to its pure-Python encoder, several times slower on big suites)."""
    warnings = json.dumps([warning_to_dict(w) for w in run.warnings])
    stream.write(f'{{"passed": {run.passed}, "failed": {run.failed}, "warnings": {warnings}, "cases": [')
    separator = "\n  "
    # The same statements decide many cases: their "reasons" are encoded once. The key is the statements'
    # ids, and the entry keeps them alive, so no other object can take one of those ids meanwhile.
    reasons: dict[tuple[int, ...], tuple[tuple[StatementRef, ...], str]] = {}
    for result in run.results:
        stream.write(separator)
        separator = ",\n  "
        if result.status is Status.FAILED:
            stream.write(json.dumps(case_to_dict(result)))
            continue
        deciding = result.evaluation.deciding
        key = tuple(map(id, deciding))
        found = reasons.get(key)
        if found is None:
            found = reasons[key] = (deciding, json.dumps([ref.to_dict() for ref in deciding]))
        head = json.dumps(case_to_dict(result, reasons=False))
        stream.write(f'{head[:-1]}, "reasons": {found[1]}}}')
    stream.write("\n]}\n" if run.results else "]}\n")
