"""Progress reports: what the sandbox is doing, for a CLI to show on stderr while IAM propagates."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Progress", "ProgressCallback", "Reporter"]

_log = logging.getLogger("iam_tester.live")


@dataclass(frozen=True)
class Progress:
    """One step. ``stage`` is one of ``warning`` (a validation finding about the policy: it may not do
    what was meant), ``identify``, ``create``, ``wait``, ``retry`` (a propagation error, retried),
    ``ready``, ``cleanup``, ``done``; ``elapsed`` counts seconds since the sandbox was entered.
    Never carries a secret."""

    stage: str
    message: str
    elapsed: float


ProgressCallback = Callable[[Progress], None]


class Reporter:
    """Sends each step to the caller's callback (if any) and to the ``iam_tester.live`` logger."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self._callback = callback
        self._start = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._start

    def __call__(self, stage: str, message: str) -> None:
        _log.log(logging.WARNING if stage == "warning" else logging.DEBUG, "%s: %s", stage, message)
        if self._callback is not None:
            self._callback(Progress(stage, message, self.elapsed))
