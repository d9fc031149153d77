"""What running a suite produces: each case with its evaluation, and the verdict against its expectation.

A live run (``check --live``) also gives each case that has a ``call`` a :class:`LiveCheck`: the evaluator's
prediction for the principal that really called, and what AWS was seen to decide. The verdict of such a case
is then about AWS's decision, and a prediction that AWS contradicts is a *disagreement*, counted apart.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from .._text import count
from ..engine.results import Decision, Evaluation
from ..policy.findings import Finding
from .model import Case, Expectation, Suite

if TYPE_CHECKING:  # the live layer imports boto3; an offline run never loads it
    from ..errors import CleanupError
    from ..live.outcome import CallOutcome

__all__ = ["CaseResult", "LiveCheck", "RunResult", "Status"]


class Status(enum.Enum):
    """A case's verdict. A case without ``expect`` is ``UNCHECKED``: reported, neither passed nor failed.

    In a live run a case whose call failed for a reason other than authorization (or hung) is ``ERROR``,
    and one whose denial came before the policy was seen in force is ``INCONCLUSIVE``: neither says
    anything about the expectation.
    """

    PASSED = "passed"
    FAILED = "failed"
    UNCHECKED = "unchecked"
    ERROR = "error"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class LiveCheck:
    """A case's call, made for real: who made it, what the evaluator predicted for that principal, and
    what AWS was seen to decide. ``seconds``: when the outcome was observed, from the start of the run."""

    caller: str
    prediction: Evaluation
    outcome: CallOutcome
    inconclusive: bool = False
    seconds: float = 0.0

    @property
    def observed(self) -> str | None:
        """``allowed``, ``denied``, ``explicitDeny``, ``implicitDeny``; ``None`` when nothing was learned."""
        return None if self.outcome.observed is None else self.outcome.observed.value

    @property
    def conclusive(self) -> bool:
        return self.outcome.observed is not None and not self.inconclusive

    @property
    def agrees(self) -> bool | None:
        """Whether AWS decided what the evaluator predicted (``denied`` agrees with either deny);
        ``None`` when nothing conclusive was observed."""
        if not self.conclusive or self.outcome.observed is None:
            return None
        return self.outcome.observed.covers(self.prediction.decision.value)

    def decision(self) -> Decision | None:
        """AWS's decision, as precisely as known: a plain ``denied`` takes its kind from the prediction when
        that is a deny too; ``None`` when the kind of deny is unknown."""
        observed = self.outcome.observed
        if observed is None or self.inconclusive:
            return None
        if observed.decision is None:  # a deny of unstated kind
            return self.prediction.decision if self.prediction.decision.denied else None
        return Decision(observed.decision)


_STATUS = {None: Status.UNCHECKED, True: Status.PASSED, False: Status.FAILED}


@dataclass(frozen=True)
class CaseResult:
    """One case, the evaluator's answer, and whether it met the expectation.

    ``evaluation`` is the evaluator's decision for the case as written (its ``principal``); ``live`` is set
    for a case whose call was made in a live run.
    """

    suite: Suite
    case: Case
    evaluation: Evaluation
    live: LiveCheck | None = None

    @cached_property
    def ok(self) -> bool | None:
        """``True``/``False`` against the expectation; ``None`` when the case has none, or when its live call
        told nothing (an error, an inconclusive denial). A live case is judged by AWS's decision."""
        expect = self.case.expect
        if expect is None:
            return None
        if self.live is None:
            return expect.matches(self.evaluation.decision)
        if not self.live.conclusive:
            return None
        decision = self.live.decision()
        if decision is None:  # AWS denied without saying how, against a prediction of allowed
            return expect is Expectation.DENIED
        return expect.matches(decision)

    @property
    def disagrees(self) -> bool:
        """A live case where AWS did not decide what the evaluator predicted."""
        return self.live is not None and self.live.agrees is False

    @cached_property
    def status(self) -> Status:
        if self.live is not None and not self.live.conclusive:
            return Status.INCONCLUSIVE if self.live.inconclusive else Status.ERROR
        return _STATUS[self.ok]


@dataclass(frozen=True)
class RunResult:
    """Every case of every suite, in input order.

    ``live`` marks a live run; ``notes`` are what its report must say besides the cases (policies that
    could not be applied for real, waits that gave up); ``cleanup_errors`` are the sandboxes AWS would not
    fully delete (each names what is left and how to remove it).
    """

    suites: tuple[Suite, ...]
    results: tuple[CaseResult, ...]
    strict: bool = False  # warnings fail the run (``check --strict``)
    live: bool = False
    notes: tuple[str, ...] = ()
    cleanup_errors: tuple[CleanupError, ...] = ()

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

    @property
    def errors(self) -> int:
        return self.counts[Status.ERROR]

    @property
    def inconclusive(self) -> int:
        return self.counts[Status.INCONCLUSIVE]

    @cached_property
    def disagreements(self) -> int:
        return sum(result.disagrees for result in self.results)

    @property
    def observed(self) -> int:
        """How many cases' calls were made for real."""
        return sum(result.live is not None for result in self.results)

    @cached_property
    def warnings(self) -> tuple[Finding, ...]:
        """What the suites' policies and cases draw: suspicious policies, and cases that test nothing. They fail
        no case; under ``strict`` they fail the run."""
        return tuple(warning for suite in self.suites for warning in suite.warnings)

    @property
    def exit_code(self) -> int:
        """1 when a case failed (unchecked and inconclusive cases do not count), disagreed with its prediction
        or ended in an error, when a sandbox was not fully cleaned up, or under ``strict`` when there are
        warnings; else 0."""
        live_problems = self.disagreements or self.errors or self.cleanup_errors
        return 1 if self.failed or live_problems or (self.strict and self.warnings) else 0

    def summary(self) -> str:
        """``3 passed, 1 failed, 2 without expect, 1 warning (6 cases in 2 suites)``; a live run also counts
        its disagreements, errors and inconclusive cases, and how many cases were run live."""
        parts = [f"{self.passed} passed", f"{self.failed} failed"]
        if self.live:
            parts.append(count(self.disagreements, "disagreement"))
            if self.errors:
                parts.append(count(self.errors, "error"))
            if self.inconclusive:
                parts.append(f"{self.inconclusive} inconclusive")
        if self.unchecked:
            parts.append(f"{self.unchecked} without expect")
        if self.warnings:
            parts.append(f"{count(len(self.warnings), 'warning')}{' (failing: --strict)' if self.strict else ''}")
        cases, suites = len(self.results), len(self.suites)
        where = f"{count(cases, 'case')} in {count(suites, 'suite')}"
        if self.live:
            where += f"; {self.observed} run live"
        return f"{', '.join(parts)} ({where})"
