"""Fixtures for the sandbox tests: one embedded AWS (a moto server on 127.0.0.1) per test session,
reset to its initial state before every test, and the environment cleared of the developer's AWS
settings so no test can reach a real account."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from iam_tester.embedded import EmbeddedAws


@pytest.fixture(autouse=True, scope="session")
def _ctrl_c_raises() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt, as in a terminal, also when the run was started with SIGINT ignored (a
    shell's background job without job control, some CI runners): the interrupt tests send real SIGINTs."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture(scope="session")
def embedded_aws() -> Iterator[EmbeddedAws]:
    with EmbeddedAws() as aws:
        yield aws


@pytest.fixture
def aws(embedded_aws: EmbeddedAws, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[EmbeddedAws]:
    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    # No developer config or credentials file may leak in.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    embedded_aws.reset()  # initial state, enforcement on
    yield embedded_aws
    # moto's enforcement switch is process-wide: off between these tests, so that other tests using
    # moto in-process (mock_aws) are not affected.
    embedded_aws.enforce(enabled=False)


@pytest.fixture
def session(aws: EmbeddedAws) -> boto3.Session:
    return aws.session()
