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

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import AwsCallError, ReadinessTimeoutError

__all__ = [
    "ASSUME_PROPAGATION_CODES",
    "KEY_PROPAGATION_CODES",
    "ReadinessSettings",
    "wait_until_assumable",
]

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
    - ``timeout`` 120 s, then :class:`~iam_tester.errors.ReadinessTimeoutError` (and cleanup).
    """

    timeout: float = 120.0
    first_delay: float = 0.1
    max_delay: float = 0.25
    consecutive_successes: int = 3
    probe_spacing: float = 0.025

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            raise ValueError(f"readiness timeout must be positive, not {self.timeout!r}")
        if self.consecutive_successes < 1:
            raise ValueError("consecutive_successes must be at least 1")


class _Backoff:
    def __init__(self, settings: ReadinessSettings) -> None:
        self._delay = settings.first_delay
        self._cap = settings.max_delay

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
) -> Mapping[str, Any]:
    """The AssumeRole reply once its credentials work, several times in a row.

    ``assume()`` calls AssumeRole; ``probe(credentials)`` returns a function that makes one
    GetCallerIdentity call with them. Both raise :class:`AwsCallError` on failure.

    :raises ReadinessTimeoutError: not usable within ``settings.timeout`` seconds.
    :raises AwsCallError: a failure that is not propagation (it would not go away by waiting).
    """
    start = clock()
    deadline = start + settings.timeout

    def wait_or_give_up(backoff: _Backoff, what: str, exc: AwsCallError) -> None:
        remaining = deadline - clock()
        if remaining <= 0:
            raise ReadinessTimeoutError(
                f"role {role_arn} did not become usable within {settings.timeout:g} s: {what} still failed "
                f"with {exc.code} ({exc.message})",
                role_arn=role_arn,
                hint=_TIMEOUT_HINTS.get(what),
            ) from exc
        delay = min(backoff.next(), remaining)
        report("retry", f"{what}: {exc.code}, IAM is still propagating; retrying in {delay:.2f} s")
        sleep(delay)

    backoff = _Backoff(settings)
    while True:
        try:
            reply = assume()
            break
        except AwsCallError as exc:
            if exc.code not in ASSUME_PROPAGATION_CODES:
                raise
            wait_or_give_up(backoff, "AssumeRole", exc)

    check = probe(reply["Credentials"])
    backoff = _Backoff(settings)
    successes = 0
    while successes < settings.consecutive_successes:
        try:
            check()
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


_TIMEOUT_HINTS = {
    "AssumeRole": "IAM may just be slow (raise --readiness-timeout), or the caller is denied sts:AssumeRole by a "
    "permissions boundary, an SCP or a session policy; `iam-tester whoami` shows who the caller is",
    "the new credentials": "STS keeps refusing the new credentials: check the endpoint and region, then retry",
}
