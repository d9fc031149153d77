"""What every command shares: turning iam-tester's errors into a message on stderr and an exit code."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

import click

from ..errors import IamTesterError

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["console_for", "reported_errors"]


@contextmanager
def reported_errors() -> Iterator[None]:
    """Run a command's body; an :class:`IamTesterError` becomes ``error: ...`` (and ``hint: ...``) on
    stderr and the error's exit code (2 for bad input). Never a traceback for an error raised on purpose."""
    try:
        yield
    except IamTesterError as exc:
        click.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"  hint: {exc.hint}", err=True)
        raise click.exceptions.Exit(exc.exit_code) from None


def console_for(stream: IO[str] | None = None) -> Console:
    """A rich console for ``stream`` (stdout by default): colours on a terminal; piped without ``COLUMNS``
    set, 120 columns wide so ARNs are not folded at 80."""
    from rich.console import Console

    console = Console(file=stream)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(file=stream, width=120)
    return console
