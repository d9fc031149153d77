"""No case that tests nothing: each case's request checked against the IAM catalog.

A case whose action does not exist, whose resource is not of a type the action takes, or whose context holds a
key the action never carries (or no key at all: a typo) asks about a request AWS never makes; its expectation
passes or fails for no reason that matters. Each such case draws a warning at its place in the suite file
(see :mod:`iam_tester.policy.request_checks`). A key the case inherits from the suite's ``context`` is
reported once, where the suite writes it, for all the cases of one action.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import lru_cache

from ..policy.findings import Finding, Severity
from ..policy.request_checks import RequestChecker
from ..policy.sourcemap import PathPart
from .model import Case
from .reader import SuiteText

__all__ = ["case_findings"]


@lru_cache(maxsize=1)
def _checker() -> RequestChecker:
    from ..policy.catalog import get_catalog

    return RequestChecker(get_catalog())


def case_findings(cases: Sequence[Case], text: SuiteText) -> tuple[Finding, ...]:
    """A warning for every problem of every case, in case order (one per inherited context key and action)."""
    checker = _checker()
    findings: list[Finding] = []
    inherited: dict[tuple[str, str, str], int] = {}  # (code, key, action) -> index in findings
    counts: dict[int, int] = {}
    for case in cases:
        problems = checker.problems(case.action, case.resource, tuple(case.context))
        for problem in problems:
            where: tuple[PathPart, ...] = ("cases", case.index, problem.part)
            if problem.key is not None:
                where = (*where, problem.key)
                if text.source_map.position(where, key=True) is None:
                    # Inherited from the suite's context: one warning there for all the cases of this action.
                    where = ("context", problem.key)
                    seen = inherited.get((problem.code, problem.key, case.action))
                    if seen is not None:
                        counts[seen] = counts.get(seen, 1) + 1
                        continue
                    inherited[(problem.code, problem.key, case.action)] = len(findings)
            location = text.location(where, key=problem.key is not None)
            findings.append(Finding(Severity.WARNING, problem.code, f"case {case.name!r}: {problem.message}", location))
    for index, count in counts.items():
        finding = findings[index]
        message = f"{finding.message} (the suite's context: {count} cases of this action use it)"
        findings[index] = dataclasses.replace(finding, message=message)
    return tuple(findings)
