"""Suites: YAML/JSON files of expectations about policies, checked offline by the local evaluator.

The format is in docs/suites.md. :func:`load_suites` reads and resolves files (raising a located
:class:`~iam_tester.errors.SuiteError` or :class:`~iam_tester.errors.PolicyError` for bad input);
the runner decides every case; the reporters in :mod:`iam_tester.suite.reports` print the results.
"""

from .load import load_suite, load_suites
from .model import DEFAULT_PRINCIPAL, Call, Case, Expectation, PolicySlots, Suite
from .results import CaseResult, RunResult, Status

__all__ = [
    "DEFAULT_PRINCIPAL",
    "Call",
    "Case",
    "CaseResult",
    "Expectation",
    "PolicySlots",
    "RunResult",
    "Status",
    "Suite",
    "load_suite",
    "load_suites",
]
