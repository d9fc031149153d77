"""Running ``exec``'s command the way a shell runs a job in the foreground.

- **SIGINT and SIGQUIT go to the child, which decides.** A Ctrl-C typed at the terminal reaches every
  process of the foreground process group — the child and us — so we only note it: an interactive child
  (a shell, a REPL) carries on, a script that traps INT does what it traps, a plain command dies. The
  sandbox ends when the child does. When the signal was sent to us alone (``kill -INT``, a CI runner's
  cancel), we pass it on, so the child still gets exactly one.
- **SIGTERM and SIGHUP end the child, then the sandbox**: passed on at once; the child gets a short grace
  period (a second one skips it), then SIGKILL; then the caller raises
  :class:`~._common.Terminated` so the sandbox is cleaned up and the process exits 128 + N.
- **Any exit status is passed on**: a code as is, death by signal N (real-time signals included) as
  128 + N, as a shell reports it.

Handlers are installed before the child starts (a child resets caught signals to their defaults when it
executes its program), so no signal can fall between the two.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from types import FrameType
from typing import Any

from ..errors import CommandStartError
from ._common import Terminated

__all__ = ["run_in_foreground", "signal_name"]

# How long the child has to exit after SIGTERM/SIGHUP before it is killed. Short, because a CI runner's
# cancel allows a few seconds in all (GitHub Actions: SIGINT, 7.5 s, SIGTERM, 2.5 s, SIGKILL) and
# cleanup still has to run after it.
GRACE_SECONDS = 2.0
_POLL_SECONDS = 0.05

_TERMINAL_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGQUIT") if hasattr(signal, name))
_ENDING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class _Relay:
    """What the handlers do with each signal while the child runs."""

    def __init__(self) -> None:
        self.child: subprocess.Popen[bytes] | None = None
        self.ending: int | None = None  # the first SIGTERM/SIGHUP received
        self.kill_at: float | None = None
        self._pending: list[int] = []  # received before the child existed

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if signum in _ENDING_SIGNALS:
            if self.ending is not None:
                self.kill_at = time.monotonic()  # a second one: no more grace
                return
            self.ending = signum
            self.kill_at = time.monotonic() + GRACE_SECONDS
            self._send(signum)
        elif not _terminal_reaches_us():
            self._send(signum)  # sent to us alone: the child would not know

    def started(self, child: subprocess.Popen[bytes]) -> None:
        self.child = child
        for signum in self._pending:
            self._send(signum)
        self._pending.clear()

    def _send(self, signum: int) -> None:
        if self.child is None:
            self._pending.append(signum)
            return
        with contextlib.suppress(ProcessLookupError):  # already gone
            self.child.send_signal(signum)

    def wait(self) -> int:
        child = self.child
        if child is None:  # pragma: no cover - started() is always called first
            raise RuntimeError("no child")
        while True:
            try:
                return child.wait(timeout=_POLL_SECONDS)
            except subprocess.TimeoutExpired:
                if self.kill_at is not None and time.monotonic() >= self.kill_at:
                    with contextlib.suppress(ProcessLookupError):
                        child.kill()


def _terminal_reaches_us() -> bool:
    """Whether a Ctrl-C typed at our controlling terminal reaches us (and so the child, which shares our
    process group): it does when our process group is the terminal's foreground group."""
    try:
        fd = os.open("/dev/tty", os.O_RDONLY | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return False  # no controlling terminal: the signal was sent by a program
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)


@contextlib.contextmanager
def _handlers(relay: _Relay) -> Iterator[None]:
    """The relay's handlers, except for signals this process was started ignoring (a background job's
    SIGINT, ``nohup``'s SIGHUP): those stay ignored, here and — inherited — in the child, as a shell does."""
    previous: dict[int, Any] = {}
    try:
        for signum in map(int, _TERMINAL_SIGNALS + _ENDING_SIGNALS):
            if signal.getsignal(signum) is signal.SIG_IGN:
                continue
            previous[signum] = signal.signal(signum, relay.handle)
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def run_in_foreground(command: Sequence[str], env: Mapping[str, str]) -> int:
    """Run ``command`` as a shell runs a foreground job (see the module docstring); its ``returncode``
    (-N for death by signal N).

    :raises CommandStartError: the command could not be started.
    :raises Terminated: SIGTERM or SIGHUP came while it ran (it has exited by then).
    """
    relay = _Relay()
    with _handlers(relay):
        try:
            child = subprocess.Popen(list(command), env=dict(env))  # noqa: S603 - running the user's command is the point
        except FileNotFoundError as exc:
            raise CommandStartError(f"command not found: {command[0]}", exit_code=127) from exc
        except PermissionError as exc:
            raise CommandStartError(f"command not executable: {command[0]}", exit_code=126) from exc
        relay.started(child)
        code = relay.wait()
    if relay.ending is not None:
        raise Terminated(relay.ending)
    return code


def signal_name(signum: int) -> str:
    """``SIGINT``, ``SIGRTMIN+6``, or ``signal 99``: a name for any signal number."""
    try:
        return signal.Signals(signum).name
    except ValueError:
        low, high = getattr(signal, "SIGRTMIN", None), getattr(signal, "SIGRTMAX", None)
        if low is not None and high is not None and low <= signum <= high:
            return f"SIGRTMIN+{signum - low}"
        return f"signal {signum}"
