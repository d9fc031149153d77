"""Signals while the sandbox cleans up: held back, then delivered as if they had come just afterwards.

Cleanup is the sandbox's one promise, so nothing may cut it short: not a second Ctrl-C, not the SIGTERM a
CI runner sends a few seconds after its SIGINT, not a terminal hanging up. While cleanup runs in the main
thread, SIGINT, SIGTERM and SIGHUP only record that they came (the first one says so on stderr, once);
afterwards the previous handlers are back and each signal received is raised again with
:func:`signal.raise_signal`, so it has exactly the effect it would have had — ``KeyboardInterrupt``, the
CLI's ``Terminated``, or the default action — once nothing is left to delete.

Python runs signal handlers only in the main thread, and only the main thread may install them, so cleanup
running in another thread is not shielded here; a program that runs sandboxes in worker threads should
wait for them in its main thread when interrupted.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

__all__ = ["DEFERRED_SIGNALS", "deferred_signals", "redeliver"]

_log = logging.getLogger("iam_tester.live")

DEFERRED_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextmanager
def deferred_signals(received: list[int], notice: Callable[[], str]) -> Iterator[None]:
    """Hold back SIGINT, SIGTERM and SIGHUP while inside, appending each one received to ``received``.

    The first one received writes ``notice()`` to stderr (once). Outside the main thread nothing is
    held back.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    said = [bool(received)]

    def hold(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        if not said[0]:
            said[0] = True
            _say(notice())

    previous: dict[int, Any] = {}
    try:
        for signum in map(int, DEFERRED_SIGNALS):
            current = signal.getsignal(signum)
            # None: installed outside Python, so it could not be put back; SIG_IGN: ignored anyway.
            if current is None or current is signal.SIG_IGN:
                continue
            previous[signum] = current
            signal.signal(signum, hold)
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def redeliver(received: list[int]) -> None:
    """Raise each signal in ``received`` again (once per kind, in order of arrival), now that the handlers
    in force before cleanup are back: a Ctrl-C becomes ``KeyboardInterrupt`` here, a SIGTERM whatever the
    program made of it (by default, the end of the process)."""
    for signum in dict.fromkeys(received):
        signal.raise_signal(signum)


def _say(text: str) -> None:
    """One line on stderr from a signal handler: never raises (stderr may be closed, or a pipe whose reader
    is gone, or a buffered writer interrupted mid-write)."""
    _log.warning("%s", text)
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(f"{text}\n")
        stream.flush()
    except Exception:  # noqa: S110 - a message about cleanup must never stop the cleanup
        pass
