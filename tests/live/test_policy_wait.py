"""Calls under a new role's policy: allowed-first with backoff, the probe, inconclusive denials (no AWS)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator

import pytest

from iam_tester.errors import CancelledError
from iam_tester.live.outcome import CallError, CallOutcome, Observed
from iam_tester.live.propagation import Observation, PolicyWait, Trial, observe

ALLOWED = CallOutcome.success()
DENIED = CallOutcome(Observed.DENIED, CallError("AccessDenied", "Access Denied"))
UNKNOWN_KEY = CallOutcome(
    None, CallError("InvalidClientTokenId", "The security token included in the request is invalid.")
)
FAST = PolicyWait(timeout=5.0, first_delay=0.001, max_delay=0.002)


class Script:
    """A call that answers from a list (the last answer repeats), recording every attempt in a shared log."""

    def __init__(self, name: str, answers: list[CallOutcome], log: list[str]) -> None:
        self.name = name
        self._answers: Iterator[CallOutcome] = iter(answers)
        self._last = answers[-1]
        self._log = log

    def __call__(self) -> CallOutcome:
        self._log.append(self.name)
        self._last = next(self._answers, self._last)
        return self._last


def _trial(name: str, answers: list[CallOutcome], log: list[str], *, likely_allowed: bool) -> Trial:
    return Trial(name, Script(name, answers, log), likely_allowed, name)


def _observe(
    trials: list[Trial], *, wait: PolicyWait = FAST, probe: Trial | None = None
) -> tuple[dict[Hashable, Observation], list[tuple[str, str]]]:
    steps: list[tuple[str, str]] = []
    results = observe(trials, wait=wait, report=lambda stage, message: steps.append((stage, message)), probe=probe)
    return results, steps


def test_allowed_call_first_until_in_force_then_the_rest() -> None:
    """The expected-allowed call is retried through early denials; the denied call is made only after it
    succeeds, once, and its denial is conclusive."""
    log: list[str] = []
    read = _trial("read", [DENIED, DENIED, DENIED, ALLOWED], log, likely_allowed=True)
    delete = _trial("delete", [DENIED], log, likely_allowed=False)
    results, steps = _observe([delete, read])
    assert log == ["read", "read", "read", "read", "delete"]
    assert results["read"].outcome is ALLOWED
    assert results["read"].attempts == 4
    assert (results["delete"].outcome, results["delete"].inconclusive) == (DENIED, False)
    assert [stage for stage, _ in steps] == ["retry", "retry", "retry", "ready"]
    assert "waiting for the policy to be in force: read: AccessDenied" in steps[0][1]


def test_a_really_denied_candidate_does_not_hold_up_the_others() -> None:
    """Candidates are tried in turn: one that stays denied does not block another from showing the policy in
    force; it is then made once more, and its denial counts."""
    log: list[str] = []
    wrong = _trial("wrong", [DENIED], log, likely_allowed=True)
    right = _trial("right", [DENIED, ALLOWED], log, likely_allowed=True)
    results, _ = _observe([wrong, right])
    assert log == ["wrong", "right", "wrong", "right", "wrong"]
    assert results["right"].outcome is ALLOWED
    assert (results["wrong"].outcome, results["wrong"].inconclusive) == (DENIED, False)


def test_denials_lasting_the_whole_timeout_are_taken_as_the_answer() -> None:
    """If no expected-allowed call is allowed within the timeout, its denial is AWS's answer, and a warning says so."""
    log: list[str] = []
    read = _trial("read", [DENIED], log, likely_allowed=True)
    results, steps = _observe([read], wait=PolicyWait(timeout=0.05, first_delay=0.001, max_delay=0.005))
    assert (results["read"].outcome, results["read"].inconclusive) == (DENIED, False)
    assert len(log) >= 3
    warning = next(message for stage, message in steps if stage == "warning")
    assert "raise --readiness-timeout" in warning


def test_without_an_allowed_call_denials_are_inconclusive() -> None:
    """With no call expected to be allowed and no probe, denials are marked inconclusive, and a warning says why."""
    log: list[str] = []
    delete = _trial("delete", [DENIED], log, likely_allowed=False)
    results, steps = _observe([delete])
    assert log == ["delete"]
    assert results["delete"].inconclusive is True
    assert ("warning", steps[0][1]) == steps[0]
    assert "inconclusive" in steps[0][1]


def test_the_probe_shows_the_policy_in_force() -> None:
    """Without an allowed call, the probe is retried until allowed; the denials after it are conclusive and the
    probe itself is not reported as a case."""
    log: list[str] = []
    delete = _trial("delete", [DENIED], log, likely_allowed=False)
    probe = _trial("probe", [DENIED, DENIED, ALLOWED], log, likely_allowed=True)
    results, _ = _observe([delete], probe=probe)
    assert log == ["probe", "probe", "probe", "delete"]
    assert set(results) == {"delete"}
    assert results["delete"].inconclusive is False


def test_a_probe_never_allowed_leaves_denials_inconclusive() -> None:
    """A probe that is never allowed proves nothing: the denials stay inconclusive."""
    log: list[str] = []
    delete = _trial("delete", [DENIED], log, likely_allowed=False)
    probe = _trial("probe", [DENIED], log, likely_allowed=True)
    wait = PolicyWait(timeout=0.05, first_delay=0.001, max_delay=0.005)
    results, steps = _observe([delete], wait=wait, probe=probe)
    assert results["delete"].inconclusive is True
    assert any("the probe was not allowed" in message for stage, message in steps if stage == "warning")


def test_errors_that_waiting_cannot_fix_are_answers_at_once() -> None:
    """A candidate that times out is not retried: its error is its outcome, and the next candidate is tried."""
    log: list[str] = []
    hung = _trial("hung", [CallOutcome.timed_out(1)], log, likely_allowed=True)
    read = _trial("read", [ALLOWED], log, likely_allowed=True)
    results, _ = _observe([hung, read])
    assert log == ["hung", "read"]
    assert results["hung"].outcome.failed
    assert results["read"].outcome is ALLOWED


def test_unknown_credentials_are_retried_at_every_stage() -> None:
    """InvalidClientTokenId is never an answer: the final calls retry it until it goes away."""
    log: list[str] = []
    read = _trial("read", [ALLOWED], log, likely_allowed=True)
    other = _trial("other", [UNKNOWN_KEY, UNKNOWN_KEY, DENIED], log, likely_allowed=False)
    results, _ = _observe([read, other])
    assert results["other"].outcome is DENIED
    assert results["other"].attempts == 3


def test_immediate_policies_are_not_waited_for() -> None:
    """A session policy on an existing role applies at once: every call is made once, every denial conclusive."""
    log: list[str] = []
    read = _trial("read", [DENIED, ALLOWED], log, likely_allowed=True)
    results, steps = _observe([read], wait=PolicyWait(immediate=True))
    assert log == ["read"]
    assert (results["read"].outcome, results["read"].inconclusive) == (DENIED, False)
    assert steps == []


def test_cancel_stops_the_wait() -> None:
    """Setting the cancel flag while waiting for the policy raises CancelledError at once."""
    cancel = threading.Event()
    calls: list[int] = []

    def denied_then_cancel() -> CallOutcome:
        calls.append(1)
        if len(calls) == 2:
            cancel.set()
        return DENIED

    trial = Trial("read", denied_then_cancel, True, "read")
    with pytest.raises(CancelledError):
        observe([trial], wait=PolicyWait(timeout=60), report=lambda *_: None, cancel=cancel)
    assert len(calls) == 2


def test_the_rest_runs_concurrently() -> None:
    """Once the policy is in force, the other calls are made several at a time."""
    log: list[str] = []
    barrier = threading.Barrier(3, timeout=5)

    def together(name: str) -> Callable[[], CallOutcome]:
        def attempt() -> CallOutcome:
            barrier.wait()  # only returns when three calls are in flight at once
            log.append(name)
            return DENIED

        return attempt

    trials = [Trial(name, together(name), False, name) for name in ("a", "b", "c")]
    read = _trial("read", [ALLOWED], log, likely_allowed=True)
    results, _ = _observe([read, *trials], wait=PolicyWait(timeout=5, concurrency=3))
    assert sorted(log[1:]) == ["a", "b", "c"]
    assert all(results[name].outcome is DENIED for name in ("a", "b", "c"))
