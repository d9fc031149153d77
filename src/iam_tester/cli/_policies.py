"""Policy files named on the command line, read as the kind their option says (shared by the commands)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:  # imported when a file is read, so that `--help` stays cheap
    from ..policy import PolicyDocument, PolicyKind

__all__ = ["load_level", "load_policy", "scp_options"]

F = TypeVar("F", bound=Callable[..., Any])


def scp_options(command: F) -> F:
    """``--scp`` and ``--rcp``: one level per use, the organization root first; passed as ``scps``/``rcps``."""
    command = click.option(
        "--rcp", "rcps", multiple=True, metavar="FILE[,FILE]", help="One RCP level per use, like --scp."
    )(command)
    return click.option(
        "--scp",
        "scps",
        multiple=True,
        metavar="FILE[,FILE]",
        help="One SCP level per use, the organization root first; commas separate the SCPs of one level.",
    )(command)


def load_policy(path: Path, kind: PolicyKind) -> PolicyDocument:
    """A checked policy document; a file that cannot be read is named without `validate`'s hint."""
    from ..errors import PolicyError
    from ..policy import load_policy_file

    try:
        return load_policy_file(path, kind=kind)
    except PolicyError as exc:
        if exc.code != "unreadable-file":
            raise
        # `validate` would say no more about a file that cannot be read: drop that hint.
        raise PolicyError(str(exc.message).split(": ", 1)[-1], location=exc.location, code=exc.code) from None


def load_level(files: str, kind: PolicyKind) -> list[PolicyDocument]:
    """One SCP or RCP level: ``FILE[,FILE]``."""
    names = [name.strip() for name in files.split(",") if name.strip()]
    if not names:
        raise click.BadParameter(f"{files!r} names no file", param_hint=f"--{kind.value}")
    return [load_policy(Path(name), kind) for name in names]
