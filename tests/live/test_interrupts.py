"""Interrupts: KeyboardInterrupt in the body or during the readiness wait leaves nothing behind."""

from __future__ import annotations

import os
import signal
import threading

import boto3
import pytest

from iam_tester import temporary_iam_credentials
from iam_tester.testing import PropagationSimulator

from .helpers import ALLOW_LIST_EXCEPT_PROTECTED, assert_nothing_left


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
