"""Waiting for a new role to be usable, without a fixed sleep.

IAM is eventually consistent (IAM User Guide, "Troubleshooting IAM", "Changes that I make are not always
immediately visible"): for a few seconds after CreateRole, AssumeRole may be refused with
``AccessDenied``; the credentials it then returns may be unknown for a moment
(``InvalidClientTokenId``); and one success can be followed by a failure while the change spreads.
So: retry AssumeRole with capped exponential backoff on exactly those errors, then require several
*consecutive* successful ``sts:GetCallerIdentity`` probes with the new credentials, and give up after
a timeout with an error naming the role.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from ..errors import AwsCallError, InvalidArgumentError, ReadinessTimeoutError
from .clients import CallTimedOut, call_within

__all__ = [
    "ASSUME_PROPAGATION_CODES",
    "KEY_PROPAGATION_CODES",
    "MAX_READINESS_TIMEOUT",
    "Backoff",
    "ReadinessSettings",
    "wait_until_assumable",
]

T = TypeVar("T")

# AssumeRole on a role (or trust policy) that has not reached STS yet is refused like a real denial.
ASSUME_PROPAGATION_CODES = frozenset({"AccessDenied"})
# Fresh session credentials that have not reached the endpoint yet.
KEY_PROPAGATION_CODES = frozenset(
    {"InvalidClientTokenId", "InvalidAccessKeyId", "UnrecognizedClientException", "AuthFailure", "InvalidToken"}
)


@dataclass(frozen=True)
class ReadinessSettings:
    """How to wait. The defaults are for real AWS, where a new role typically becomes assumable within
    a few seconds to a quarter of a minute, and well-known tools give up after two minutes.

    - ``first_delay`` 0.1 s, doubling to ``max_delay`` 0.25 s, each jittered to 50-100 % so that
      concurrent sandboxes do not poll in lockstep. A refused AssumeRole or GetCallerIdentity is one
      cheap STS request: polling at most ~4-8 times a second while IAM propagates is a negligible load
      (and throttling, if it ever came, is retried by botocore's standard mode), whereas every second
      of over-sleeping is the user's time — a fixed 15 s sleep (the seed) or a long backoff cap makes
      the tool slow exactly when IAM is fast. The cap bounds how late readiness is noticed to 0.25 s.
    - ``consecutive_successes`` 3, ``probe_spacing`` 0.025 s: one success can be followed by a
      failure while the change spreads, because requests land on hosts that have or have not caught
      up. What guards against that is the number of independent signed requests that succeed in a
      row, not the time between them, so the probes are close together; a failure restarts the count
      and the backoff applies again.
    - ``timeout`` 120 s, then :class:`~iam_tester.errors.ReadinessTimeoutError` (and cleanup). It bounds
      the whole wait, each AWS call in it included (a call that hangs is given up at the deadline).

    Every field is checked: a wait must end, so infinite, negative or absurd values are refused with
    :class:`~iam_tester.errors.InvalidArgumentError` rather than accepted and never returning.
    """

    timeout: float = 120.0
    first_delay: float = 0.1
    max_delay: float = 0.25
    consecutive_successes: int = 3
    probe_spacing: float = 0.025

    def __post_init__(self) -> None:
        _check_seconds("readiness timeout", self.timeout, low=0, high=MAX_READINESS_TIMEOUT, low_ok=False)
        _check_seconds("first_delay", self.first_delay, low=0, high=_MAX_DELAY, low_ok=False)
        _check_seconds("max_delay", self.max_delay, low=self.first_delay, high=_MAX_DELAY, low_ok=True)
        _check_seconds("probe_spacing", self.probe_spacing, low=0, high=_MAX_DELAY, low_ok=True)
        count = self.consecutive_successes
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= _MAX_PROBES:
            raise InvalidArgumentError(
                f"consecutive_successes must be a whole number from 1 to {_MAX_PROBES}, not {count!r}"
            )


# The least time one call is given, even right at the deadline: an STS call answers in milliseconds, so a
# call given up sooner would be one that was working, left to land in the background during cleanup.
_CALL_GRACE = 2.0
# IAM propagation takes seconds; well-known tools give up after two minutes. Fifteen minutes is also the
# shortest credential lifetime: waiting longer than that for credentials makes no sense.
MAX_READINESS_TIMEOUT = 900.0
_MAX_DELAY = 60.0
_MAX_PROBES = 20


def _check_seconds(name: str, value: object, *, low: float, high: float, low_ok: bool) -> None:
    """``value`` is a finite number of seconds in ``(low, high]`` (``[low, high]`` with ``low_ok``)."""
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    above_low = number is not None and (number >= low if low_ok else number > low)
    if number is None or not math.isfinite(number) or not above_low or number > high:
        bracket = "[" if low_ok else "("
        raise InvalidArgumentError(f"{name} must be a number of seconds in {bracket}{low:g}, {high:g}], not {value!r}")


class Backoff:
    """Capped exponential backoff with jitter: ``first_delay``, doubling up to ``max_delay``, each delay
    drawn from 50-100 % of its nominal value so that concurrent waiters do not poll in step."""

    def __init__(self, *, first_delay: float, max_delay: float) -> None:
        self._delay = first_delay
        self._cap = max_delay

    def next(self) -> float:
        delay = self._delay * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography
        self._delay = min(self._delay * 2, self._cap)
        return delay


def wait_until_assumable(
    *,
    role_arn: str,
    assume: Callable[[], Mapping[str, Any]],
    probe: Callable[[Mapping[str, Any]], Callable[[], object]],
    settings: ReadinessSettings,
    report: Callable[[str, str], None],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    poll: Callable[[], None] = lambda: None,
) -> Mapping[str, Any]:
    """The AssumeRole reply once its credentials work, several times in a row.

    ``assume()`` calls AssumeRole; ``probe(credentials)`` returns a function that makes one
    GetCallerIdentity call with them. Both raise :class:`AwsCallError` on failure. ``poll()`` is called
    while a call is awaited and may raise to give up (a cancel request); ``sleep`` may too.

    :raises ReadinessTimeoutError: not usable within ``settings.timeout`` seconds.
    :raises AwsCallError: a failure that is not propagation (it would not go away by waiting).
    """
    start = clock()
    deadline = start + settings.timeout

    def timed_out(what: str, why: str, hint: str | None) -> ReadinessTimeoutError:
        message = f"role {role_arn} did not become usable within {settings.timeout:g} s: {what} {why}"
        return ReadinessTimeoutError(message, role_arn=role_arn, hint=hint)

    def bounded(function: Callable[[], T], what: str) -> T:
        """One call, given up at the deadline (or after :data:`_CALL_GRACE` if that comes sooner): a hung call
        must not outlast the readiness timeout, and a call that answers normally is never cut off."""
        try:
            return call_within(max(deadline - clock(), _CALL_GRACE), function, what=what, poll=poll)
        except CallTimedOut as exc:
            raise timed_out(what, "got no answer from AWS", _NO_ANSWER_HINT) from exc

    def wait_or_give_up(backoff: Backoff, what: str, exc: AwsCallError) -> None:
        remaining = deadline - clock()
        if remaining <= 0:
            raise timed_out(what, f"still failed with {exc.code} ({exc.message})", _TIMEOUT_HINTS.get(what)) from exc
        delay = min(backoff.next(), remaining)
        report("retry", f"{what}: {exc.code}, IAM is still propagating; retrying in {delay:.2f} s")
        sleep(delay)

    backoff = Backoff(first_delay=settings.first_delay, max_delay=settings.max_delay)
    while True:
        try:
            reply = bounded(assume, "AssumeRole")
            break
        except AwsCallError as exc:
            if exc.code not in ASSUME_PROPAGATION_CODES:
                raise
            wait_or_give_up(backoff, "AssumeRole", exc)

    check = probe(reply["Credentials"])
    backoff = Backoff(first_delay=settings.first_delay, max_delay=settings.max_delay)
    successes = 0
    while successes < settings.consecutive_successes:
        try:
            bounded(check, "the new credentials")
        except AwsCallError as exc:
            if exc.code not in KEY_PROPAGATION_CODES:
                raise
            successes = 0
            wait_or_give_up(backoff, "the new credentials", exc)
            continue
        successes += 1
        if successes < settings.consecutive_successes:
            sleep(settings.probe_spacing)
    report("ready", f"credentials ready: {settings.consecutive_successes} checks in a row passed")
    return reply


_NO_ANSWER_HINT = "the endpoint did not answer in time: check the network, the region and the endpoint URL"
_TIMEOUT_HINTS = {
    "AssumeRole": "IAM may just be slow (raise --readiness-timeout), or the caller is denied sts:AssumeRole by a "
    "permissions boundary, an SCP or a session policy; `iam-tester whoami` shows who the caller is",
    "the new credentials": "STS keeps refusing the new credentials: check the endpoint and region, then retry",
}
