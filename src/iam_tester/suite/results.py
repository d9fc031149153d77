"""What running a suite produces: each case with its evaluation, and the verdict against its expectation."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cached_property

from ..engine.results import Evaluation
from ..policy.findings import Finding
from .model import Case, Suite

__all__ = ["CaseResult", "RunResult", "Status"]


class Status(enum.Enum):
    """A case's verdict. A case without ``expect`` is ``UNCHECKED``: reported, neither passed nor failed."""

    PASSED = "passed"
    FAILED = "failed"
    UNCHECKED = "unchecked"


_STATUS = {None: Status.UNCHECKED, True: Status.PASSED, False: Status.FAILED}


@dataclass(frozen=True)
class CaseResult:
    """One case, the evaluator's answer, and whether it met the expectation."""

    suite: Suite
    case: Case
    evaluation: Evaluation

    @cached_property
    def ok(self) -> bool | None:
        """``True``/``False`` against the expectation; ``None`` when the case has none."""
        expect = self.case.expect
        return None if expect is None else expect.matches(self.evaluation.decision)

    @cached_property
    def status(self) -> Status:
        return _STATUS[self.ok]


@dataclass(frozen=True)
class RunResult:
    """Every case of every suite, in input order."""

    suites: tuple[Suite, ...]
    results: tuple[CaseResult, ...]
    strict: bool = False  # warnings fail the run (``check --strict``)

    @cached_property
    def counts(self) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        for result in self.results:
            counts[result.status] += 1
        return counts

    @property
    def passed(self) -> int:
        return self.counts[Status.PASSED]

    @property
    def failed(self) -> int:
        return self.counts[Status.FAILED]

    @property
    def unchecked(self) -> int:
        return self.counts[Status.UNCHECKED]

    @cached_property
    def warnings(self) -> tuple[Finding, ...]:
        """What the suites' policies and cases draw: suspicious policies, and cases that test nothing. They fail
        no case; under ``strict`` they fail the run."""
        return tuple(warning for suite in self.suites for warning in suite.warnings)

    @property
    def exit_code(self) -> int:
        """1 when a case failed (unchecked cases do not count) or, under ``strict``, when there are warnings;
        else 0."""
        return 1 if self.failed or (self.strict and self.warnings) else 0

    def summary(self) -> str:
        """``3 passed, 1 failed, 2 without expect, 1 warning (6 cases in 2 suites)``."""
        parts = [f"{self.passed} passed", f"{self.failed} failed"]
        if self.unchecked:
            parts.append(f"{self.unchecked} without expect")
        if self.warnings:
            count = len(self.warnings)
            parts.append(f"{count} warning{'s' if count != 1 else ''}{' (failing: --strict)' if self.strict else ''}")
        cases, suites = len(self.results), len(self.suites)
        plural = ("s" if cases != 1 else "", "s" if suites != 1 else "")
        return f"{', '.join(parts)} ({cases} case{plural[0]} in {suites} suite{plural[1]})"
