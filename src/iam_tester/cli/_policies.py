"""Policy files named on the command line, read as the kind their option says (shared by the commands)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:  # imported when a file is read, so that `--help` stays cheap
    from ..policy import PolicyDocument, PolicyKind
    from ..policy.validate import ValidationReport

STDIN = "-"
"""A policy FILE written ``-`` is read from standard input (once per command)."""
_STDIN_TAKEN = "iam_tester.stdin_taken"  # in the command's context: its policy from standard input is read

__all__ = ["STDIN", "load_level", "load_policy", "reads_as", "scp_options", "stdin_report"]

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


def load_policy(
    path: Path, kind: PolicyKind, *, elsewhere: Callable[[PolicyKind], str | None] | None = None
) -> PolicyDocument:
    """A checked policy document; a file that cannot be read is named without `validate`'s hint. A document
    that is wrong as ``kind`` but reads as another kind without error gets a hint naming it, and — when the
    command can take it — how (``elsewhere(kind)``: "give it with --trust-policy", say)."""
    from ..errors import PolicyError
    from ..policy import load_policy_file

    if str(path) == STDIN:
        context = click.get_current_context(silent=True)
        meta = context.find_root().meta if context is not None else {}
        if meta.get(_STDIN_TAKEN):
            raise click.UsageError("standard input (-) holds one policy: give the others as files")
        meta[_STDIN_TAKEN] = True
        try:
            return stdin_report(kind, catalog=False).raise_for_errors()
        except PolicyError as exc:
            if exc.code == "unreadable-file":
                raise
            from .._text import count

            more = len(exc.findings) - 1
            hint = f"{count(more, 'more finding')}; " if more > 0 else ""
            hint += f"run `iam-tester validate --type {kind.value} -` on the same input to see every finding"
            raise PolicyError(
                exc.message.removeprefix(f"{exc.location}: "),
                location=exc.location,
                code=exc.code,
                hint=hint,
                findings=exc.findings,
            ) from None
    try:
        return load_policy_file(path, kind=kind)
    except PolicyError as exc:
        message = exc.message.removeprefix(f"{exc.location}: ")
        if exc.code == "unreadable-file":
            # `validate` would say no more about a file that cannot be read: drop that hint.
            raise PolicyError(message, location=exc.location, code=exc.code) from None
        other = reads_as(path)
        if other is None or other is kind:
            raise
        how = elsewhere(other) if elsewhere is not None else None
        hint = f"it reads as a {other.value} policy, not {_article(kind.value)} {kind.value} policy" + (
            f": {how}" if how else ""
        )
        raise PolicyError(message, location=exc.location, code=exc.code, hint=hint, findings=exc.findings) from None


def reads_as(path: Path) -> PolicyKind | None:
    """The kind the file reads as without error (``None``: none, or it cannot be read)."""
    from ..policy import validate_policy_file

    report = validate_policy_file(path, kind=None, catalog=False)
    return report.kind if report.document is not None and not report.errors else None


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def load_level(files: str, kind: PolicyKind) -> list[PolicyDocument]:
    """One SCP or RCP level: ``FILE[,FILE]``."""
    names = [name.strip() for name in files.split(",") if name.strip()]
    if not names:
        raise click.BadParameter(f"{files!r} names no file", param_hint=f"--{kind.value}")
    return [load_policy(Path(name), kind) for name in names]


def stdin_report(kind: PolicyKind | None, *, catalog: bool) -> ValidationReport:
    """The policy on standard input, validated as ``kind`` (``None``: the kind it reads as)."""
    import sys

    from ..errors import Location
    from ..policy import PolicyKind
    from ..policy.findings import Finding, Severity
    from ..policy.load import POLICY_FILE_LIMIT
    from ..policy.textfile import TextFileError, read_text_stream
    from ..policy.validate import ValidationReport, validate_policy_text

    name = "<stdin>"
    try:
        text = read_text_stream(sys.stdin, limit=POLICY_FILE_LIMIT, what="policy")
    except TextFileError as exc:
        message = f"cannot read the policy: {exc.message}" if exc.code == "unreadable-file" else exc.message
        finding = Finding(Severity.ERROR, exc.code, message, Location(name, "", exc.line, exc.column))
        return ValidationReport(name=name, kind=kind or PolicyKind.IDENTITY, document=None, findings=(finding,))
    return validate_policy_text(text, kind=kind, name=name, catalog=catalog)
