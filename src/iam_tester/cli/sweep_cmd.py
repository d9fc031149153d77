"""``iam-tester sweep``: delete the sandbox roles a crash or a refused cleanup left behind."""

from __future__ import annotations

from datetime import timedelta

import click

from ._common import reported_errors, say
from ._live import DurationParam, make_session, session_options

__all__ = ["sweep_command"]


@click.command("sweep")
@click.option(
    "--older-than",
    type=DurationParam(minimum=0),
    default="1h",
    show_default=True,
    help="Only roles created longer ago than this (0s: all of them, even ones still in use).",
)
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@session_options
def sweep_command(*, older_than: float, dry_run: bool, quiet: bool, profile: str | None, region: str | None) -> None:
    """Delete roles iam-tester created and left behind; print their ARNs.

    \b
    Only roles that are under the path /iam-tester/, named iam-tester-..., tagged
    iam-tester:created-by, and older than --older-than are touched. Their inline policies are
    deleted and managed policies detached first. Nothing else in the account is changed.
    """
    from ..live import sweep

    with reported_errors():
        session = make_session(profile, region)
        arns = sweep(
            session=session,
            older_than=timedelta(seconds=older_than),
            dry_run=dry_run,
            progress=None if quiet else say,
        )
        for arn in arns:
            click.echo(arn)
        if not quiet:
            verb = "would delete" if dry_run else "deleted"
            say(f"{verb} {len(arns)} role{'' if len(arns) == 1 else 's'}")
