"""What every command shares: turning an :class:`~iam_tester.errors.IamTesterError` into a message on
stderr and the error's exit code, never a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click

from ..errors import IamTesterError

__all__ = ["exit_on_error", "report_error"]

P = ParamSpec("P")
R = TypeVar("R")


def report_error(error: IamTesterError) -> None:
    """Print the error's message and hint to stderr."""
    click.echo(f"error: {error.message}", err=True)
    if error.hint:
        click.echo(f"  hint: {error.hint}", err=True)


def exit_on_error(command: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command's callback: an ``IamTesterError`` is printed and exits with its ``exit_code``."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except IamTesterError as error:
            report_error(error)
            raise SystemExit(error.exit_code) from None

    return wrapper
