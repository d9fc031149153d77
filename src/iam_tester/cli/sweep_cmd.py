"""``iam-tester sweep``: remove what sandbox runs left behind (a crash, a kill -9, a refused cleanup)."""

from __future__ import annotations

from datetime import timedelta

import click

from .._text import count
from ._common import reported_errors, say
from ._live import DurationParam, make_session, quiet_option, session_options

__all__ = ["sweep_command"]


@click.command("sweep")
@click.option("--dry-run", is_flag=True, help="List what would be deleted, and what is kept and why; delete nothing.")
@click.option(
    "--force",
    is_flag=True,
    help="Also remove sandboxes still in use (their credentials not yet expired), e.g. after a kill -9.",
)
@click.option(
    "--older-than",
    type=DurationParam(minimum=0),
    default="0s",
    show_default=True,
    help="Spare anything created less than this long ago.",
)
@click.option(
    "--admin-role-arn",
    "admin_role_arns",
    multiple=True,
    help="Also look for --grant-admin-role grants on this role (repeatable); "
    "the admin roles named by leftover sandbox roles are always looked at.",
)
@quiet_option("No progress on stderr.")
@session_options
def sweep_command(
    *,
    dry_run: bool,
    force: bool,
    older_than: float,
    admin_role_arns: tuple[str, ...],
    quiet: bool,
    profile: str | None,
    region: str | None,
) -> None:
    """Remove the roles, boundary policies and admin-role grants iam-tester left behind; print what
    was removed (one ARN per line) on stdout.

    \b
    Only what this tool made is touched: roles under /iam-tester/ named exactly
    iam-tester-<UTC time>-<12 hex digits> and tagged iam-tester:created-by (their inline
    policies deleted and managed policies detached first); boundary policies under /iam-tester/
    named after such a role; and inline policies named <sandbox role>-may-assume on an admin role
    that allow exactly sts:AssumeRole on that sandbox role.

    \b
    A sandbox in use is never removed: each carries the tag iam-tester:expires-at, the latest time
    its credentials can be valid, and is kept until then (and said so on stderr) unless --force.

    \b
    Examples:
      iam-tester sweep --dry-run
      iam-tester sweep --force --admin-role-arn arn:aws:iam::111122223333:role/platform-admin

    \b
    Exit status: 0 done (also when some sandboxes were kept); 1 some leftovers could not be removed
    (named on stderr, with the commands that remove them); 2 bad usage.
    """
    from ..live import sweep

    with reported_errors():
        session = make_session(profile, region)
        result = sweep(
            session=session,
            older_than=timedelta(seconds=older_than),
            force=force,
            admin_role_arns=admin_role_arns,
            dry_run=dry_run,
            progress=None if quiet else say,
        )
        for arn in result.removed:
            click.echo(arn)
        if not quiet:
            verb = "would remove" if dry_run else "removed"
            summary = f"{verb} {count(len(result.removed), 'leftover')}"
            if result.skipped:
                summary += f"; kept {len(result.skipped)} (see above; --force removes sandboxes in use)"
            say(summary)
