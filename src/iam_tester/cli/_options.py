"""Options several commands take, declared once so that their names, values and checks agree everywhere."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["POLICY_FILE", "account_id_option", "check_account_id", "format_option"]

F = TypeVar("F", bound=Callable[..., Any])

POLICY_FILE = click.Path(dir_okay=False, path_type=Path)
"""A policy file named on the command line (read, and errors located, by :mod:`._policies`)."""


def check_account_id(ctx: click.Context | None, param: click.Parameter | None, value: str | None) -> str | None:
    """A click callback: ``value`` is a 12-digit account ID (or absent)."""
    del ctx
    from ..policy.arns import ACCOUNT_ID

    if value is not None and not ACCOUNT_ID.match(value):
        raise click.BadParameter(f"{value!r} is not a 12-digit account ID", param=param)
    return value


def account_id_option(help: str, *, default: str | None = None) -> Callable[[F], F]:
    """``--account-id ID`` (also ``--account``), checked to be 12 digits; passed as ``account``."""
    return click.option(
        "--account-id",
        "--account",
        "account",
        metavar="ID",
        default=default,
        show_default=default is not None,
        callback=check_account_id,
        help=help,
    )


def format_option(*choices: str, help: str) -> Callable[[F], F]:
    """``--format`` with ``choices``, the first the default; passed as ``output_format``."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=help,
    )
