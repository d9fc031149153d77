"""wait_until_assumable on its own, with a fake clock: backoff, consecutive successes, timeout."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from iam_tester.errors import AwsCallError, InvalidArgumentError, ReadinessTimeoutError
from iam_tester.live import ReadinessSettings, wait_until_assumable

ROLE = "arn:aws:iam::123456789012:role/iam-tester/r"
REPLY = {"Credentials": {"AccessKeyId": "ASIA", "SecretAccessKey": "s", "SessionToken": "t"}}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _script(outcomes: list[str], operation: str) -> Callable[[], Any]:
    """A call that fails with the next code in ``outcomes`` ("ok" succeeds), then succeeds forever."""
    queue = list(outcomes)

    def step() -> Any:
        outcome = queue.pop(0) if queue else "ok"
        if outcome != "ok":
            raise AwsCallError(f"{operation} failed: {outcome}", operation=operation, code=outcome)
        return REPLY

    return step


def _wait(assume: list[str], probes: list[str], clock: FakeClock, **settings: Any) -> tuple[Mapping[str, Any], int]:
    probe_calls = [0]
    probe_step = _script(probes, "GetCallerIdentity")

    def probe(credentials: Mapping[str, Any]) -> Callable[[], object]:
        def check() -> object:
            probe_calls[0] += 1
            return probe_step()

        return check

    reply = wait_until_assumable(
        role_arn=ROLE,
        assume=_script(assume, "AssumeRole"),
        probe=probe,
        settings=ReadinessSettings(**settings),
        report=lambda stage, message: None,
        clock=clock,
        sleep=clock.sleep,
    )
    return reply, probe_calls[0]


def test_ready_at_once_needs_three_probes() -> None:
    """With no propagation delay: one AssumeRole, three probes, only the probe spacing slept."""
    clock = FakeClock()
    reply, probes = _wait([], [], clock)
    assert reply is REPLY
    assert probes == 3
    assert clock.sleeps == [0.025, 0.025]


def test_a_failure_resets_the_consecutive_count() -> None:
    """Success, failure, then three successes: the flapping success does not count."""
    clock = FakeClock()
    _, probes = _wait([], ["ok", "InvalidClientTokenId"], clock)
    assert probes == 5


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    """AssumeRole retries wait 0.1 s doubling to 0.25 s, each jittered to 50-100 %."""
    clock = FakeClock()
    _wait(["AccessDenied"] * 5, [], clock)
    nominal = [0.1, 0.2, 0.25, 0.25, 0.25]
    retries = clock.sleeps[: len(nominal)]
    assert all(n / 2 <= s <= n for s, n in zip(retries, nominal, strict=True))


def test_timeout_after_the_deadline() -> None:
    """Refused forever: ReadinessTimeoutError once the (fake) clock passes the timeout, not before."""
    clock = FakeClock()
    with pytest.raises(ReadinessTimeoutError) as caught:
        _wait(["AccessDenied"] * 10_000, [], clock, timeout=30)
    assert clock.now == pytest.approx(30)
    assert caught.value.role_arn == ROLE


def test_other_errors_are_raised_at_once() -> None:
    """An error that is not propagation is not retried."""
    clock = FakeClock()
    with pytest.raises(AwsCallError, match="ExpiredToken"):
        _wait(["ExpiredToken"], [], clock)
    assert clock.sleeps == []


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("inf")}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"timeout": 901}, "timeout"),
        ({"timeout": "60"}, "timeout"),
        ({"first_delay": -0.1}, "first_delay"),
        ({"first_delay": 0}, "first_delay"),
        ({"max_delay": 0.05}, "max_delay"),  # below first_delay
        ({"max_delay": float("inf")}, "max_delay"),
        ({"probe_spacing": -1}, "probe_spacing"),
        ({"consecutive_successes": 0}, "consecutive"),
        ({"consecutive_successes": True}, "consecutive"),
        ({"consecutive_successes": 1000}, "consecutive"),
    ],
)
def test_settings_that_never_end_are_refused(settings: dict[str, Any], named: str) -> None:
    """Infinite, negative, zero, absurd or mistyped settings are bad input, refused at once: a wait must end."""
    with pytest.raises(InvalidArgumentError, match=named):
        ReadinessSettings(**settings)


def test_a_hung_call_is_bounded_by_the_timeout() -> None:
    """An AssumeRole that never answers is given up at the readiness deadline, not waited on."""
    release, answered = threading.Event(), threading.Event()

    def hang() -> Any:
        release.wait(60)
        answered.set()
        return REPLY

    try:
        with pytest.raises(ReadinessTimeoutError, match="got no answer"):
            wait_until_assumable(
                role_arn=ROLE,
                assume=hang,
                probe=lambda credentials: lambda: None,
                settings=ReadinessSettings(timeout=0.3),
                report=lambda stage, message: None,
            )
        assert not answered.is_set()  # given up while the call still hung, not when it answered
    finally:
        release.set()
