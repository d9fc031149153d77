"""Making calls under a policy just put on a new role, without false denies.

A new role can be assumable, and its credentials valid, before its inline policy is in force everywhere:
until then every call is (implicitly) denied, so an early denial proves nothing. The policy propagates as
one document — once one call it allows succeeds, all of it, its Deny statements too, is in force (DESIGN.md,
"Propagation without false denies"; IAM User Guide, "Troubleshooting IAM", "Changes that I make are not
always immediately visible"). So :func:`observe`:

1. makes the calls likely to be allowed (expected or predicted so) first, one at a time in turn, retrying
   their denials with capped backoff until one is allowed — the policy is then in force — or the timeout
   passes; a denial that lasts the whole timeout is taken as AWS's answer;
2. with no such call, makes a *probe* instead (a harmless call the caller arranged for the policy to
   allow), or, without one, marks the denials that follow *inconclusive*;
3. then makes every other call once, several at a time. Credentials an endpoint does not know yet
   (``InvalidClientTokenId``) are retried until the timeout at any stage: that is never an answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..errors import CancelledError
from .outcome import CallOutcome, Observed
from .readiness import KEY_PROPAGATION_CODES, Backoff

__all__ = ["Observation", "PolicyWait", "Trial", "observe", "wait_until_in_force"]


@dataclass(frozen=True)
class Trial:
    """One call to make: ``attempt()`` makes it once; ``label`` names it in progress messages."""

    key: Hashable
    attempt: Callable[[], CallOutcome]
    likely_allowed: bool
    label: str


@dataclass(frozen=True)
class Observation:
    """A call's final outcome. ``inconclusive``: a denial made before the policy was seen in force.
    ``at``: the clock's value when it was observed; ``attempts``: how many calls it took."""

    outcome: CallOutcome
    at: float
    attempts: int = 1
    inconclusive: bool = False


@dataclass(frozen=True)
class PolicyWait:
    """How to wait for the policy. ``immediate``: it applies at once (a session policy on an existing role).

    The backoff is the sandbox's readiness backoff (0.1 s doubling to 0.25 s, jittered): each retry is one
    denied call, cheap for AWS, and the cap bounds how late the policy is noticed.
    """

    timeout: float = 120.0
    first_delay: float = 0.1
    max_delay: float = 0.25
    concurrency: int = 8
    immediate: bool = False


def observe(
    trials: Sequence[Trial],
    *,
    wait: PolicyWait,
    report: Callable[[str, str], None],
    probe: Trial | None = None,
    cancel: threading.Event | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> dict[Hashable, Observation]:
    """Every trial's observation, keyed by ``trial.key``.

    :raises CancelledError: ``cancel`` was set (the calls in flight are abandoned).
    """
    flag = cancel or threading.Event()
    run = _Run(wait, report, flag, clock)
    return run.all(trials, probe)


def wait_until_in_force(
    probe: Trial,
    *,
    wait: PolicyWait,
    report: Callable[[str, str], None],
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Retry ``probe`` (a call the policy allows) through its denials until it is allowed: ``True`` then;
    ``False`` if it is not within ``wait.timeout``, or fails for a reason waiting cannot fix."""
    in_force, _ = _Run(wait, report, threading.Event(), clock).seek([probe], {}, probe)
    return in_force


class _Run:
    def __init__(
        self, wait: PolicyWait, report: Callable[[str, str], None], cancel: threading.Event, clock: Callable[[], float]
    ) -> None:
        self.wait = wait
        self.report = report
        self.cancel = cancel
        self.clock = clock
        self.start = clock()
        self.deadline = self.start + wait.timeout

    def sleep(self, seconds: float) -> None:
        if self.cancel.wait(max(0.0, seconds)):
            raise CancelledError("cancelled while making the calls")

    def all(self, trials: Sequence[Trial], probe: Trial | None) -> dict[Hashable, Observation]:
        results: dict[Hashable, Observation] = {}
        candidates = [trial for trial in trials if trial.likely_allowed]
        settled = self.wait.immediate
        if not settled:
            seekers = candidates or ([probe] if probe is not None else [])
            if seekers:
                in_force, gave_up = self.seek(seekers, results, probe)
                # A denial of an expected-allowed call that lasted the whole timeout is AWS's answer.
                settled = in_force or (gave_up and bool(candidates))
            else:
                self.report("warning", _NO_ALLOWED_CALL)
        rest = [trial for trial in trials if trial.key not in results]
        if rest:
            with ThreadPoolExecutor(max_workers=max(1, min(self.wait.concurrency, len(rest)))) as pool:
                observations = pool.map(lambda t: self.final(t, settled=settled), rest)
                for trial, observation in zip(rest, observations, strict=True):
                    results[trial.key] = observation
        return results

    def seek(
        self, seekers: list[Trial], results: dict[Hashable, Observation], probe: Trial | None
    ) -> tuple[bool, bool]:
        """Retry the seekers' denials in turn until one is allowed; ``(in force, gave up at the timeout)``."""
        backoff = Backoff(first_delay=self.wait.first_delay, max_delay=self.wait.max_delay)
        pending = list(seekers)
        attempts: dict[Hashable, int] = {}
        turn = 0
        while pending:
            if self.cancel.is_set():
                raise CancelledError("cancelled while making the calls")
            trial = pending[turn % len(pending)]
            outcome = trial.attempt()
            attempts[trial.key] = attempts.get(trial.key, 0) + 1
            if outcome.observed is Observed.ALLOWED:
                if trial is not probe:
                    results[trial.key] = Observation(outcome, self.clock(), attempts[trial.key])
                seconds = self.clock() - self.start
                self.report("ready", f"the policy is in force: {trial.label} was allowed after {seconds:.1f} s")
                return True, False
            if not outcome.maybe_propagating:  # an error waiting cannot fix: it is this call's answer
                if trial is not probe:
                    results[trial.key] = Observation(outcome, self.clock(), attempts[trial.key])
                pending.remove(trial)
                continue
            remaining = self.deadline - self.clock()
            if remaining <= 0:
                self.report("warning", _gave_up(self.wait.timeout, candidates=probe not in seekers))
                return False, True
            delay = min(backoff.next(), remaining)
            code = outcome.error.code if outcome.error else "denied"
            self.report(
                "retry", f"waiting for the policy to be in force: {trial.label}: {code}; retrying in {delay:.2f} s"
            )
            self.sleep(delay)
            turn += 1
        return False, False

    def final(self, trial: Trial, *, settled: bool) -> Observation:
        """One call, retried only while its credentials are unknown to the endpoint."""
        if self.cancel.is_set():
            raise CancelledError("cancelled while making the calls")
        backoff = Backoff(first_delay=self.wait.first_delay, max_delay=self.wait.max_delay)
        attempts = 1
        outcome = trial.attempt()
        while _keys_unknown(outcome) and self.clock() < self.deadline:
            self.sleep(min(backoff.next(), self.deadline - self.clock()))
            outcome = trial.attempt()
            attempts += 1
        return Observation(outcome, self.clock(), attempts, inconclusive=outcome.denied and not settled)


def _keys_unknown(outcome: CallOutcome) -> bool:
    return outcome.error is not None and outcome.error.code in KEY_PROPAGATION_CODES


_NO_ALLOWED_CALL = (
    "no call is expected or predicted to be allowed, so nothing shows when the policy is in force: "
    "denials seen now are inconclusive (a new role denies everything until its policy propagates)"
)


def _gave_up(timeout: float, *, candidates: bool) -> str:
    if candidates:
        return (
            f"no call expected to be allowed was allowed within {timeout:g} s: taking the denials as AWS's answer "
            "(if IAM was only slow, raise --readiness-timeout)"
        )
    return f"the probe was not allowed within {timeout:g} s: the denials that follow are inconclusive"
