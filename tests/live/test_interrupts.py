"""Interrupts at any instant: a real SIGINT sent from a botocore event hook at every request (as it goes out)
and every response (as it comes back) of setup and cleanup, failing progress callbacks at every stage, and
the body interrupted or exiting. Each run ends with nothing left in the account.

The calls are the recorded lists of test_faults.py and test_faults_admin.py, so a call added to the sandbox
cannot escape these tests either.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from iam_tester import temporary_iam_credentials
from iam_tester.embedded import EmbeddedAws
from iam_tester.errors import CancelledError, ReadinessTimeoutError
from iam_tester.live import Progress
from iam_tester.testing import CallRecorder, FaultInjector, PropagationSimulator

from .helpers import ALLOW_LIST_EXCEPT_PROTECTED, assert_nothing_left
from .test_faults import BOUNDARY, BOUNDARY_MODE_CALLS, CLEANUP_CALLS, READ_POLICY, numbered
from .test_faults_admin import ADMIN_MODE_CALLS

EVENTS = ("before-send", "after-call")
ROLE_CASES = [(event, call, n) for call, n in BOUNDARY_MODE_CALLS for event in EVENTS]
ADMIN_CASES = [(event, call, n) for call, n in ADMIN_MODE_CALLS for event in EVENTS]


def _ids(cases: list[tuple[str, str, int]]) -> list[str]:
    return [f"{event}:{call}#{n}" for event, call, n in cases]


class SigintAt:
    """Sends this process a real SIGINT from inside botocore, at one event of one numbered request."""

    def __init__(self, session: boto3.Session, event: str, operation: str, occurrence: int) -> None:
        self.fired = False
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._operation, self._occurrence = operation, occurrence
        # Count requests as they go out, so that "the Nth call" means the same for both events.
        session.events.register(f"before-send.{operation}", self._count)
        session.events.register(f"{event}.{operation}", self._maybe_fire)

    def _count(self, **_: Any) -> None:
        with self._lock:
            self._seen[self._operation] += 1

    def _maybe_fire(self, **_: Any) -> None:
        with self._lock:
            due = not self.fired and self._seen[self._operation] == self._occurrence
            self.fired = self.fired or due
        if due:
            os.kill(os.getpid(), signal.SIGINT)


def _managed_policy(session: boto3.Session) -> str:
    iam = session.client("iam")
    return iam.create_policy(PolicyName="read-objects", PolicyDocument=json.dumps(READ_POLICY))["Policy"]["Arn"]


@pytest.mark.parametrize(("event", "operation", "occurrence"), ROLE_CASES, ids=_ids(ROLE_CASES))
def test_sigint_at_every_call_leaves_nothing(
    session: boto3.Session, capsys: pytest.CaptureFixture[str], event: str, operation: str, occurrence: int
) -> None:
    """Ctrl-C as any setup or cleanup request goes out or as its response comes back: KeyboardInterrupt, and
    everything created is deleted, with no cleanup failure; during cleanup it is held back until cleanup is
    done and said so once on stderr."""
    managed = _managed_policy(session)
    sigint = SigintAt(session, event, operation, occurrence)
    recorder = CallRecorder(session)
    with (
        pytest.raises(KeyboardInterrupt) as caught,
        temporary_iam_credentials(
            policy_document=ALLOW_LIST_EXCEPT_PROTECTED,
            session=session,
            managed_policy_arns=[managed],
            permissions_boundary_document=BOUNDARY,
        ),
    ):
        pass
    assert sigint.fired
    assert not hasattr(caught.value, "cleanup_error")
    if operation in CLEANUP_CALLS:
        # Held back: cleanup ran to the end, exactly as without the interrupt, and said so once.
        assert numbered(recorder.names) == BOUNDARY_MODE_CALLS
        assert capsys.readouterr().err.count("finishing the cleanup first") == 1
    assert_nothing_left(session)


@pytest.mark.parametrize(("event", "operation", "occurrence"), ADMIN_CASES, ids=_ids(ADMIN_CASES))
def test_sigint_at_every_admin_mode_call_leaves_nothing(
    aws: EmbeddedAws, session: boto3.Session, event: str, operation: str, occurrence: int
) -> None:
    """The same in admin-role mode with the grant (on the embedded AWS it ends in the readiness timeout,
    which a Ctrl-C during cleanup turns into KeyboardInterrupt): the grant and the role are removed."""
    sigint = SigintAt(session, event, operation, occurrence)
    with (
        pytest.raises(KeyboardInterrupt) as caught,
        temporary_iam_credentials(
            policy_document=ALLOW_LIST_EXCEPT_PROTECTED,
            session=session,
            admin_role_arn=aws.admin_role_arn,
            grant_admin_role=True,
            readiness_timeout=0.3,
        ),
    ):
        pytest.fail("the body must not run")
    assert sigint.fired
    assert not hasattr(caught.value, "cleanup_error")
    assert_nothing_left(session)


def test_a_second_interrupt_during_cleanup_is_held_too(
    session: boto3.Session, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C in the body, then Ctrl-C and SIGTERM while cleanup runs (a CI runner's cancel): cleanup still
    finishes, the body's KeyboardInterrupt propagates, the notice is printed once."""
    recorder = CallRecorder(session)
    fired: list[int] = []

    def more_signals(**_: Any) -> None:
        if not fired:
            fired.append(1)
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGTERM)

    session.events.register("before-send.iam.DeleteRolePolicy", more_signals)
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: pytest.fail("SIGTERM must not act"))
    try:
        with (
            pytest.raises(KeyboardInterrupt),
            temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session),
        ):
            raise KeyboardInterrupt
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert fired
    assert recorder.names[-2:] == ["iam.DeleteRolePolicy", "iam.DeleteRole"]
    assert capsys.readouterr().err.count("finishing the cleanup first") == 1
    assert_nothing_left(session)


def test_sigterm_during_cleanup_acts_after_it(session: boto3.Session) -> None:
    """A SIGTERM during cleanup is held back, then delivered to the handler in force before: here one that
    raises, as the CLI's does; the role is gone by then."""

    class Terminated(BaseException):
        pass

    def terminate(signum: int, frame: object) -> None:
        raise Terminated

    session.events.register("after-call.iam.DeleteRolePolicy", lambda **_: os.kill(os.getpid(), signal.SIGTERM))
    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        with (
            pytest.raises(Terminated),
            temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session),
        ):
            pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert_nothing_left(session)


STAGES = ("warning", "notice", "identify", "create", "wait", "retry", "ready", "cleanup", "done")
TYPO_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket", "s3:ListBuckett"], "Resource": "*"}],
}


def _raising_at(stage: str, error: BaseException, seen: list[str]) -> Callable[[Progress], None]:
    def callback(step: Progress) -> None:
        seen.append(step.stage)
        if step.stage == stage:
            raise error

    return callback


# A closed or broken stderr (BrokenPipeError, an OSError) and a bug (anything else) take the same path;
# each stage gets one of them, alternately.
ERRORS: list[Exception] = [BrokenPipeError(32, "Broken pipe"), RuntimeError("a bug in the callback")]


@pytest.mark.parametrize(("stage", "error"), [(stage, ERRORS[i % 2]) for i, stage in enumerate(STAGES)], ids=STAGES)
def test_a_failing_progress_callback_changes_nothing(session: boto3.Session, stage: str, error: Exception) -> None:
    """A callback that raises at any stage (stderr gone, a bug) is dropped: the body runs, every step of
    cleanup runs, nothing is left and no error is raised."""
    if stage == "retry":
        PropagationSimulator(session, assume_refused_for=0.3, keys_refused_for=0)
    seen: list[str] = []
    ran = False
    with temporary_iam_credentials(
        policy_document=TYPO_POLICY, session=session, progress=_raising_at(stage, error, seen)
    ) as credentials:
        credentials.client("sts").get_caller_identity()
        ran = True
    assert ran
    assert seen[-1] == stage  # it was reached, and not called again after it raised
    assert_nothing_left(session)


@pytest.mark.parametrize("stage", ["create", "ready", "cleanup", "done"])
def test_a_callback_raising_an_interrupt_still_cleans_up(session: boto3.Session, stage: str) -> None:
    """A callback that raises KeyboardInterrupt interrupts the run like Ctrl-C would, but never cleanup:
    during cleanup it takes effect after the last step."""
    seen: list[str] = []
    recorder = CallRecorder(session)
    with (
        pytest.raises(KeyboardInterrupt),
        temporary_iam_credentials(
            policy_document=ALLOW_LIST_EXCEPT_PROTECTED,
            session=session,
            progress=_raising_at(stage, KeyboardInterrupt(), seen),
        ),
    ):
        pass
    assert stage in seen
    assert ("iam.CreateRole" in recorder.names) == ("iam.DeleteRole" in recorder.names)
    assert_nothing_left(session)


def test_keyboard_interrupt_in_body(session: boto3.Session) -> None:
    """Ctrl-C inside the with body: the interrupt propagates and the role is deleted."""
    with (
        pytest.raises(KeyboardInterrupt),
        temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session),
    ):
        raise KeyboardInterrupt
    assert_nothing_left(session)


def test_keyboard_interrupt_during_readiness(session: boto3.Session) -> None:
    """A real SIGINT while the sandbox waits for IAM propagation: the interrupt propagates, the body never
    runs, and the role (already created) is deleted."""
    simulator = PropagationSimulator(session, assume_refused_for=60, keys_refused_for=0)
    sigint = threading.Timer(0.4, os.kill, args=(os.getpid(), signal.SIGINT))
    sigint.start()
    try:
        with (
            pytest.raises(KeyboardInterrupt),
            temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session),
        ):
            pytest.fail("the body must not run")
    finally:
        sigint.cancel()
    assert len(simulator.role_created_at) == 1  # the role existed when the interrupt came
    assert simulator.refusals["AccessDenied"] >= 1  # ... and the sandbox was waiting for it
    assert_nothing_left(session)


def test_system_exit_in_body(session: boto3.Session) -> None:
    """SystemExit (what the CLI turns SIGTERM into, like sys.exit) also cleans up."""
    with (
        pytest.raises(SystemExit),
        temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session),
    ):
        raise SystemExit(3)
    assert_nothing_left(session)


def test_a_hung_assume_role_is_bounded_and_cleaned_up(session: boto3.Session) -> None:
    """AssumeRole that never answers: the readiness timeout still ends the wait, and the role is deleted."""
    release = threading.Event()

    def hang(**_: Any) -> None:
        release.wait(60)

    session.events.register("before-send.sts.AssumeRole", hang)
    try:
        with (
            pytest.raises(ReadinessTimeoutError, match="got no answer"),
            temporary_iam_credentials(
                policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session, readiness_timeout=1
            ),
        ):
            pytest.fail("the body must not run")
        assert not release.is_set()
    finally:
        release.set()
    assert_nothing_left(session)


def test_interrupted_put_role_policy_hint_lists_every_command_in_order(session: boto3.Session) -> None:
    """Ctrl-C as PutRolePolicy returns, then cleanup refused: the error names the role and gives the commands
    to delete its inline policy, then the role — in that order — not a bare delete-role that would fail."""
    SigintAt(session, "after-call", "iam.PutRolePolicy", 1)
    FaultInjector(session).fail("iam.DeleteRolePolicy", code="AccessDenied", status=403, times=0)
    with (
        pytest.raises(KeyboardInterrupt) as caught,
        temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session),
    ):
        pytest.fail("the body must not run")
    cleanup = caught.value.cleanup_error  # type: ignore[attr-defined]
    (left,) = cleanup.left_behind
    name = left.rsplit("/", 1)[1]
    hint = cleanup.hint or ""
    assert hint.index(f"aws iam delete-role-policy --role-name {name}") < hint.index(
        f"aws iam delete-role --role-name {name}"
    )


def test_cancel_between_setup_steps(session: boto3.Session) -> None:
    """A cancel request set while CreateRole is answered stops the setup before the next create call:
    CancelledError, the role is deleted, the inline policy never sent."""
    cancel = threading.Event()
    session.events.register("after-call.iam.CreateRole", lambda **_: cancel.set())
    recorder = CallRecorder(session)
    with (
        pytest.raises(CancelledError),
        temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session, cancel=cancel),
    ):
        pytest.fail("the body must not run")
    assert "iam.PutRolePolicy" not in recorder.names
    assert recorder.names[-1] == "iam.DeleteRole"
    assert_nothing_left(session)


def test_cancel_during_the_readiness_wait(session: boto3.Session) -> None:
    """A cancel request from another thread while IAM propagates ends the wait at once and cleans up."""
    PropagationSimulator(session, assume_refused_for=60, keys_refused_for=0)
    cancel = threading.Event()
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    try:
        with (
            pytest.raises(CancelledError),
            temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session, cancel=cancel),
        ):
            pytest.fail("the body must not run")
    finally:
        timer.cancel()
    assert_nothing_left(session)


def test_cancel_during_a_hung_call(session: boto3.Session) -> None:
    """A cancel request while AssumeRole hangs gives up the call (it still hangs) and cleans up."""
    release, cancel = threading.Event(), threading.Event()

    def hang(**_: Any) -> None:
        cancel.set()
        release.wait(60)

    session.events.register("before-send.sts.AssumeRole", hang)
    try:
        with (
            pytest.raises(CancelledError),
            temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session, cancel=cancel),
        ):
            pytest.fail("the body must not run")
        assert not release.is_set()
    finally:
        release.set()
    assert_nothing_left(session)
