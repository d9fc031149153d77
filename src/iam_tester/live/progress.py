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
    """One step. ``stage`` is one of

    - ``warning``: a validation finding about the policy (it may not do what was meant);
    - ``notice``: about where the sandbox runs (the embedded AWS enforces less than AWS);
    - ``identify``, ``create``, ``wait``, ``retry`` (a propagation error, retried), ``ready``, ``cleanup``,
      ``done``: what the sandbox is doing.

    ``elapsed`` counts seconds since the sandbox was entered. Never carries a secret."""

    stage: str
    message: str
    elapsed: float


ProgressCallback = Callable[[Progress], None]


class Reporter:
    """Sends each step to the caller's callback (if any) and to the ``iam_tester.live`` logger.

    Progress is advisory: it never changes what the sandbox does. A callback that raises — stderr closed,
    a pipe whose reader is gone, a terminal that hung up — is logged once and not called again, and the
    run goes on; above all, it can never skip a cleanup step.
    """

    def __init__(self, callback: ProgressCallback | None) -> None:
        self._callback = callback
        self._start = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._start

    def __call__(self, stage: str, message: str) -> None:
        _log.log(logging.WARNING if stage in {"warning", "notice"} else logging.DEBUG, "%s: %s", stage, message)
        callback = self._callback
        if callback is None:
            return
        try:
            callback(Progress(stage, message, self.elapsed))
        except Exception:
            self._callback = None
            _log.warning("the progress callback failed; no more progress is reported", exc_info=True)
