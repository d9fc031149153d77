"""What every command shares: errors and interrupts turned into a message on stderr and an exit code
(never a traceback), progress lines, and a rich console sized for where the output goes.

Exit codes: an :class:`~iam_tester.errors.IamTesterError` exits with its ``exit_code`` (2 for bad input);
Ctrl-C exits 130; SIGTERM/SIGHUP (see :mod:`._live`) 128 + the signal number.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, ParamSpec, TypeVar

import click

from ..errors import IamTesterError

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "PROG",
    "Terminated",
    "console_for",
    "exit_on_error",
    "output_stream",
    "report_error",
    "reported_errors",
    "say",
]

P = ParamSpec("P")
R = TypeVar("R")
PROG = "iam-tester"


def say(message: str) -> None:
    """One line of progress or diagnostics, to stderr. Never raises: a closed stderr, a pipe whose reader
    is gone or a terminal that hung up must not change what a command does (the exit status still tells)."""
    _write_err(f"{PROG}: {message}")


def _write_err(line: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # ValueError: the stream was closed
        click.echo(line, err=True)


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised in the main thread so that context managers clean up.

    A ``BaseException`` like ``KeyboardInterrupt``: code that catches ``Exception`` does not swallow it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(f"terminated by signal {signum}")
        self.signum = signum


def report_error(error: BaseException) -> None:
    """Print ``error: message``, its hint and any notes (what cleanup left behind, say) to stderr."""
    message = error.message if isinstance(error, IamTesterError) else str(error)
    _write_err(f"error: {message}")
    if isinstance(error, IamTesterError) and error.hint:
        _write_err(f"  hint: {error.hint}")
    for note in getattr(error, "__notes__", ()):
        _write_err(f"  {note}")


@contextmanager
def reported_errors() -> Iterator[None]:
    """Run a command's body, turning the library's errors and interrupts into a message and an exit code."""
    _standard_streams_open()
    _tolerant_output()
    try:
        yield
    except IamTesterError as exc:
        report_error(exc)
        raise click.exceptions.Exit(exc.exit_code) from None
    except KeyboardInterrupt as exc:
        _write_err("error: interrupted")
        for note in getattr(exc, "__notes__", ()):  # what cleanup could not remove, say
            _write_err(f"  {note}")
        raise click.exceptions.Exit(130) from None
    except Terminated as exc:
        report_error(exc)
        raise click.exceptions.Exit(128 + exc.signum) from None


def exit_on_error(command: Callable[P, R]) -> Callable[P, R]:
    """:func:`reported_errors` as a decorator for a command's callback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with reported_errors():
            return command(*args, **kwargs)

    return wrapper


def console_for(stream: IO[str] | None = None) -> Console:
    """A rich console for ``stream`` (stdout by default): colours on a terminal; piped without ``COLUMNS``
    set, 120 columns wide so ARNs are not folded at 80."""
    from rich.console import Console

    stream = stream or output_stream()
    console = Console(file=stream)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(file=stream, width=120)
    return console


def _standard_streams_open() -> None:
    """Put /dev/null on a standard descriptor that was closed (``cmd 2>&-``). Otherwise the next file or
    socket opened takes its number, and a command ``exec`` runs would write its errors into, say, our
    connection to AWS."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            with contextlib.suppress(OSError):
                opened = os.open(os.devnull, os.O_RDWR)  # the lowest free number: this one
                if opened != fd:
                    os.close(opened)


def _tolerant_output() -> None:
    """Let stdout print any text. A file name with a byte that is not UTF-8 reaches Python as a lone
    surrogate (PEP 383); under a UTF-8 locale stdout is strict and printing that name would raise
    UnicodeEncodeError. Escaping it (``\\udcff``) is better than a traceback. (stderr already does.)"""
    stream = sys.stdout
    if stream is not None and getattr(stream, "errors", None) == "strict":
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


class _Discard(io.StringIO):
    """Where output goes when stdout is closed (``cmd >&-``): nowhere, as click.echo already does."""

    def write(self, text: str) -> int:
        return len(text)


def output_stream() -> IO[str]:
    """stdout, or a sink that discards text when stdout is closed (the exit status still tells)."""
    return sys.stdout if sys.stdout is not None else _Discard()
