"""The machine report: ``{"passed": n, "failed": n, "warnings": [...], "cases": [...]}``, cases in input order.

``warnings`` lists what the suites' policies and cases draw (:func:`warning_to_dict`), in the order
``validate`` would print them per file.

Each case holds ``suite``, ``name``, ``action``, ``resource``, ``principal``, ``decision``, ``expect``
(``null`` when the case has none), ``ok`` (``true``/``false``, ``null`` without ``expect``),
``summary`` and ``reasons`` — the deciding statements as :meth:`StatementRef.to_dict` objects. A
failed case also carries ``explanation`` (:meth:`Explanation.to_dict`). The shape is in docs/check.md.

A live run adds ``disagreements``, ``errors`` and ``inconclusive`` counts at the top and ``notes`` at the
end, and to every case ``predicted`` (the evaluator's decision for the principal that really called),
``observed`` (``allowed``, ``denied``, ``explicitDeny``, ``implicitDeny``, or ``null`` when no call ran or
it told nothing), ``observed_error`` (``{"code", "message"}`` or ``null``) and ``inconclusive``.
"""

from __future__ import annotations

import json
from typing import IO, Any

from ...engine.results import StatementRef
from ...policy.findings import Finding
from ..results import CaseResult, RunResult, Status

__all__ = ["case_to_dict", "json_report", "warning_to_dict", "write_json"]


def json_report(run: RunResult) -> dict[str, Any]:
    report = _head(run)
    report["cases"] = [case_to_dict(r, live=run.live) for r in run.results]
    if run.live:
        report["notes"] = list(run.notes)
    return report


def warning_to_dict(warning: Finding) -> dict[str, Any]:
    """A warning of the policies or the cases: ``file`` (the suite or the policy file) and the finding's
    fields as ``validate --format json`` gives them."""
    return {"file": warning.location.source, **warning.to_dict()}


def _head(run: RunResult) -> dict[str, Any]:
    """Everything before ``cases``: the counts (a live run's too) and the warnings."""
    head: dict[str, Any] = {"passed": run.passed, "failed": run.failed}
    if run.live:
        head.update(disagreements=run.disagreements, errors=run.errors, inconclusive=run.inconclusive)
    head["warnings"] = [warning_to_dict(w) for w in run.warnings]
    return head


def case_to_dict(result: CaseResult, *, live: bool = False, reasons: bool = True) -> dict[str, Any]:
    """One case as the report gives it (``reasons=False``: without the ``reasons`` list, which the writer
    adds); ``live``: with a live run's fields."""
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
    if live:
        data.update(_live_fields(result))
    if _explained(result):
        prediction = result.live.prediction if result.live is not None else evaluation
        data["explanation"] = prediction.explain().to_dict()
    return data


def _explained(result: CaseResult) -> bool:
    """A case whose report carries the full explanation: a failed one, or one AWS disagreed with."""
    return result.status is Status.FAILED or result.disagrees


def _live_fields(result: CaseResult) -> dict[str, Any]:
    check = result.live
    if check is None:  # not run live: the prediction is the offline decision
        return {
            "predicted": result.evaluation.decision.value,
            "caller": None,
            "observed": None,
            "observed_error": None,
            "inconclusive": False,
        }
    error = check.outcome.error
    return {
        "predicted": check.prediction.decision.value,
        # Live, the sandbox's role session calls: `predicted` is for it, `decision` for the case's principal.
        "caller": check.prediction.request.principal,
        "observed": check.observed,
        "observed_error": None if error is None else error.to_dict(),
        "inconclusive": check.inconclusive,
    }


def write_json(run: RunResult, stream: IO[str]) -> None:
    """The report with one case per line: readable, and written by the C encoder (``indent`` would
    switch ``json`` to its pure-Python encoder, several times slower on big suites)."""
    head = json.dumps(_head(run))[:-1]  # without the closing brace
    stream.write(f'{head}, "cases": [')
    separator = "\n  "
    # The same statements decide many cases: their "reasons" are encoded once. The key is the statements'
    # ids, and the entry keeps them alive, so no other object can take one of those ids meanwhile.
    reasons: dict[tuple[int, ...], tuple[tuple[StatementRef, ...], str]] = {}
    # Written in chunks of many cases: a write per case to a pipe wakes its reader thousands of times.
    chunk: list[str] = []
    for result in run.results:
        chunk.append(separator)
        separator = ",\n  "
        if _explained(result):
            chunk.append(json.dumps(case_to_dict(result, live=run.live)))
        else:
            deciding = result.evaluation.deciding
            key = tuple(map(id, deciding))
            found = reasons.get(key)
            if found is None:
                found = reasons[key] = (deciding, json.dumps([ref.to_dict() for ref in deciding]))
            case = json.dumps(case_to_dict(result, live=run.live, reasons=False))
            chunk.append(f'{case[:-1]}, "reasons": {found[1]}}}')
        if len(chunk) >= 4096:
            stream.write("".join(chunk))
            chunk.clear()
    stream.write("".join(chunk))
    stream.write("\n]" if run.results else "]")
    if run.live:
        stream.write(f', "notes": {json.dumps(list(run.notes))}')
    stream.write("}\n")
