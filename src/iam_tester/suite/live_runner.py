"""The live runner: every case decided offline, and every case with a ``call`` also made for real.

One sandbox per distinct policy set (:mod:`.live_plan`), all opened at once, each in a worker thread that
also makes its cases' calls; the main thread only waits, so Ctrl-C and SIGTERM land there, set a flag the
workers watch, and wait for every sandbox to be cleaned up before the interrupt goes on. Everything that
can be checked is checked before anything is created: the calls against botocore's models, each sandbox's
policy as the sandbox will send it (bad input: a located error, exit 2, nothing created).

A case's prediction is the evaluator's decision for the principal that really calls — the sandbox's role
session — with the suite's policies; its outcome is classified by :mod:`iam_tester.live.outcome`; the
calls are made so that IAM propagation gives no false denies (:mod:`iam_tester.live.propagation`).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..engine import Evaluation, PolicySet, Request
from ..errors import CancelledError, CleanupError
from ..live import Progress, SandboxCredentials, temporary_iam_credentials
from ..live.calls import timed_call
from ..live.clients import call, session_or_default
from ..live.progress import Reporter
from ..live.propagation import PolicyWait, Trial, observe
from ..live.readiness import ReadinessSettings
from ..live.teardown import attach_cleanup_failure
from .live_plan import (
    PROBE_ACTION,
    SandboxPlan,
    check_sandbox_input,
    checked_calls,
    likely_allowed,
    plan_sandboxes,
    sandbox_policies,
    unapplied_note,
    with_probe_if_needed,
)
from .model import Case, Suite
from .results import LiveCheck, RunResult
from .runner import compile_slots, run_local

if TYPE_CHECKING:
    import boto3

__all__ = ["LiveOptions", "run_live"]

_WAIT_SLICE = 0.1


@dataclass(frozen=True)
class LiveOptions:
    """How to run live. ``session_policy``: no new role — the admin role, narrowed by the identity policies
    as a session policy; ``call_timeout``: seconds before a call that has not answered is reported as hung;
    ``concurrency``: calls made at once per sandbox once its policy is in force."""

    admin_role_arn: str | None = None
    session_policy: bool = False
    readiness_timeout: float = 120.0
    call_timeout: float = 30.0
    concurrency: int = 8


def run_live(
    suites: Sequence[Suite],
    *,
    session: boto3.Session | None = None,
    options: LiveOptions | None = None,
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    strict: bool = False,
) -> RunResult:
    """Every case decided, and each case with a ``call`` made for real, in input order. ``strict``: the
    suites' warnings fail the run, as in :func:`~iam_tester.suite.runner.run_local`.

    :raises SuiteError, PolicyError, InvalidArgumentError: bad input, found before anything is created.
    :raises SandboxError: a sandbox could not be set up (what was created is removed).
    :raises KeyboardInterrupt: interrupted; every sandbox was cleaned up first (a cleanup failure is
        attached as a note naming what is left).
    """
    options = options or LiveOptions()
    readiness = ReadinessSettings(timeout=options.readiness_timeout)  # a bad timeout is the caller's, not a case's
    start = time.monotonic()
    report = Reporter(_serialized(progress))  # seconds count from here; a failing callback is dropped
    offline = run_local(suites, strict=strict)
    plans = plan_sandboxes(
        [result.case for result in offline.results],
        session_policy_mode=options.session_policy,
    )
    if not plans:
        note = "no case has a `call`: nothing was run live"
        return dataclasses.replace(offline, live=True, notes=(note,))
    session = session_or_default(session)
    methods = checked_calls(plans, session)
    offline_decisions = {id(result.case): result.evaluation.decision for result in offline.results}
    plans = [with_probe_if_needed(plan, offline_decisions, session_policy=options.session_policy) for plan in plans]
    for plan in plans:
        check_sandbox_input(
            plan,
            admin_role_arn=options.admin_role_arn,
            session_policy=options.session_policy,
            readiness=readiness,
        )
    runs = [
        _SandboxRun(plan, len(plans), session=session, options=options, methods=methods, report=report, start=start)
        for plan in plans
    ]
    _run_all(runs, cancel or threading.Event(), report)

    checks: dict[int, LiveCheck] = {}
    notes: list[str] = []
    for run in runs:
        checks.update(run.checks)
        notes.extend(run.notes)
    unapplied = unapplied_note([case for plan in plans for case in plan.cases])
    if unapplied:
        notes.insert(0, unapplied)
    results = tuple(dataclasses.replace(result, live=checks.get(id(result.case))) for result in offline.results)
    cleanup_errors = tuple(run.cleanup_error for run in runs if run.cleanup_error is not None)
    return dataclasses.replace(offline, results=results, live=True, notes=tuple(notes), cleanup_errors=cleanup_errors)


# -- running the sandboxes ----------------------------------------------------------------------------


def _serialized(callback: Callable[[Progress], None] | None) -> Callable[[Progress], None] | None:
    """``callback``, called by one worker thread at a time."""
    if callback is None:
        return None
    lock = threading.Lock()

    def serialized(step: Progress) -> None:
        with lock:
            callback(step)

    return serialized


def _run_all(runs: Sequence[_SandboxRun], cancel: threading.Event, report: Reporter) -> None:
    """Run every sandbox in its own thread. When one fails, or on an interrupt, stop them all; either way
    wait for every cleanup before raising.

    Completion is waited for on each run's own ``finished`` event, not with ``Thread.join``: a join that a
    KeyboardInterrupt interrupts can leave the thread marked as stopped while it still runs (a known CPython
    problem), and the cleanup would then not be waited for.
    """
    changed = threading.Event()  # set whenever a run finishes
    try:
        for run in runs:
            threading.Thread(target=run.run, args=(cancel, changed), daemon=True, name=run.label).start()
        while not all(run.finished.is_set() for run in runs):
            changed.wait(_WAIT_SLICE)
            changed.clear()
            if any(_failed(run) for run in runs):
                cancel.set()  # the run fails anyway: stop the other sandboxes now
    except BaseException as interrupt:  # Ctrl-C, SIGTERM: clean up first, then let it go on
        cancel.set()
        report("cleanup", "interrupted: removing the sandboxes")
        _wait_despite_interrupts(runs)
        _attach_cleanup_failures(interrupt, runs)
        raise
    failed = [run for run in runs if _failed(run)]
    if failed:
        error = failed[0].error
        assert error is not None  # noqa: S101 - _failed says so
        _attach_cleanup_failures(error, [run for run in runs if run is not failed[0]])
        raise error


def _failed(run: _SandboxRun) -> bool:
    """A run that failed on its own (not one stopped because another failed, or by an interrupt)."""
    return run.error is not None and not isinstance(run.error, CancelledError)


def _attach_cleanup_failures(exc: BaseException, runs: Sequence[_SandboxRun]) -> None:
    """What the runs could not clean up, attached to the exception that ends the run (the CLI prints it)."""
    for run in runs:
        failure = getattr(run.error, "cleanup_error", None) or run.cleanup_error
        if isinstance(failure, CleanupError):
            attach_cleanup_failure(exc, failure)


def _wait_despite_interrupts(runs: Sequence[_SandboxRun]) -> None:
    """Wait for every started run; a second Ctrl-C does not stop the wait — leaving roles behind is worse."""
    for run in runs:
        while run.started.is_set() and not run.finished.is_set():
            try:
                run.finished.wait(_WAIT_SLICE)
            except BaseException:  # noqa: S112 - another interrupt while cleaning up: keep waiting
                continue


class _SandboxRun:
    """One sandbox's life in its worker thread: open it, make its cases' calls, close it."""

    def __init__(
        self,
        plan: SandboxPlan,
        total: int,
        *,
        session: boto3.Session,
        options: LiveOptions,
        methods: Mapping[int, str],
        report: Reporter,
        start: float,
    ) -> None:
        self.plan = plan
        self.label = f"sandbox {plan.number}/{total}" if total > 1 else "sandbox"
        self.session = session
        self.options = options
        self.methods = methods
        self.report = report
        self.start = start
        self.checks: dict[int, LiveCheck] = {}
        self.notes: list[str] = []
        self.error: BaseException | None = None
        self.cleanup_error: CleanupError | None = None
        self.started = threading.Event()
        self.finished = threading.Event()
        self._cancel = threading.Event()

    def run(self, cancel: threading.Event, changed: threading.Event) -> None:
        self._cancel = cancel
        self.started.set()
        try:
            self._open_and_call()
        except CleanupError as exc:  # the calls were made; AWS refused part of the cleanup
            self.cleanup_error = exc
        except BaseException as exc:  # reported by the main thread, after every sandbox is closed
            self.error = exc
        finally:
            self.finished.set()
            changed.set()

    def say(self, stage: str, message: str) -> None:
        self.report(stage, f"{self.label}: {message}")
        if stage == "warning":
            self.notes.append(f"{self.label} ({self.plan.description}): {message}")

    def _sandbox_progress(self, step: Progress) -> None:
        if step.stage == "warning":  # the suite's own validation already showed the policy's warnings
            return
        self.report(step.stage, f"{self.label}: {step.message}")

    def _open_and_call(self) -> None:
        self.say("create", f"opening a sandbox for {len(self.plan.cases)} call(s): {self.plan.description}")
        with temporary_iam_credentials(
            policy_document=self.plan.identity,
            policy_source=f"the policy of {self.plan.description}",
            admin_role_arn=self.options.admin_role_arn,
            session=self.session,
            session_policy=self.options.session_policy,
            readiness_timeout=self.options.readiness_timeout,
            progress=self._sandbox_progress,
            cancel=self._cancel,  # set on an interrupt, or when another sandbox failed
            **sandbox_policies(self.plan),
        ) as credentials:
            if self._cancel.is_set():
                raise CancelledError("cancelled once the sandbox was ready; it is removed")
            caller = str(call(credentials.client("sts").get_caller_identity)["Arn"])
            self.say("ready", f"calls are made as {caller}")
            self._call_all(credentials, caller)

    def _call_all(self, scoped: SandboxCredentials, caller: str) -> None:
        clients: dict[str, Any] = {}
        predictions: dict[int, Evaluation] = {}
        compiled: dict[tuple[object, ...], PolicySet] = {}
        trials = []
        for case in self.plan.cases:
            assert case.call is not None  # noqa: S101 - planned cases all have a call
            key = case.policies.identity_key()
            if key not in compiled:
                compiled[key] = compile_slots(case.policies)
            prediction = compiled[key].evaluate(_request_as(case, caller, scoped.role_arn))
            predictions[id(case)] = prediction
            if case.call.service not in clients:
                clients[case.call.service] = scoped.client(case.call.service)
            method = getattr(clients[case.call.service], self.methods[id(case)])
            trials.append(
                Trial(
                    key=id(case),
                    attempt=self._attempt(method, dict(case.call.params)),
                    likely_allowed=likely_allowed(case, prediction.decision),
                    label=f"{case.call.describe()} ({case.name})",
                )
            )
        probe = None
        if self.plan.probe:
            iam = scoped.client("iam")
            probe = Trial("probe", self._attempt(iam.list_account_aliases, {}), True, f"the probe ({PROBE_ACTION})")
            self.notes.append(
                f"{self.label}: no call was expected to be allowed, so the role's policy also allowed "
                f"{PROBE_ACTION} (a harmless read) to show when it was in force"
            )
        observations = observe(
            trials,
            wait=PolicyWait(
                timeout=self.options.readiness_timeout,
                concurrency=self.options.concurrency,
                immediate=self.options.session_policy,
            ),
            report=self.say,
            probe=probe,
            cancel=self._cancel,
        )
        for case in self.plan.cases:
            observation = observations[id(case)]
            check = LiveCheck(
                caller=caller,
                prediction=predictions[id(case)],
                outcome=observation.outcome,
                inconclusive=observation.inconclusive,
                seconds=observation.at - self.start,
            )
            self.checks[id(case)] = check
            self.say("observe", f"{case.name}: {_observed_text(check)}")

    def _attempt(self, method: Callable[..., object], params: dict[str, Any]) -> Callable[[], Any]:
        timeout = self.options.call_timeout
        cancelled = self._cancel.is_set
        return lambda: timed_call(lambda: method(**params), timeout=timeout, cancelled=cancelled)


def _request_as(case: Case, caller: str, role_arn: str) -> Request:
    """The case's request made by ``caller``, a session of ``role_arn``. ``aws:PrincipalArn`` is the role's
    ARN *with its path* (IAM User Guide, "AWS global condition context keys"), which the session ARN lacks,
    so it is given unless the case sets it."""
    request = case.request()
    context = dict(request.context)
    if not any(key.lower() == "aws:principalarn" for key in context):
        context["aws:PrincipalArn"] = role_arn
    return dataclasses.replace(request, principal=caller, context=context)


def _observed_text(check: LiveCheck) -> str:
    observed = check.observed or "error"
    if check.inconclusive:
        observed += " (inconclusive)"
    error = check.outcome.error
    return f"{observed}" + (f" ({error.code})" if error is not None else "")
