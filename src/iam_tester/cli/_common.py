"""What every command shares: turning iam-tester's errors into a message on stderr and an exit code,
and a rich console sized for where the output goes."""

from __future__ import annotations

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

__all__ = ["console_for", "exit_on_error", "output_stream", "report_error", "reported_errors"]

P = ParamSpec("P")
R = TypeVar("R")


def report_error(error: IamTesterError) -> None:
    """Print the error's message and hint to stderr."""
    click.echo(f"error: {error.message}", err=True)
    if error.hint:
        click.echo(f"  hint: {error.hint}", err=True)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Run a command's body; an :class:`IamTesterError` becomes ``error: ...`` (and ``hint: ...``) on
    stderr and the error's exit code (2 for bad input). Never a traceback for an error raised on purpose."""
    _tolerant_output()
    try:
        yield
    except IamTesterError as exc:
        report_error(exc)
        raise click.exceptions.Exit(exc.exit_code) from None


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
