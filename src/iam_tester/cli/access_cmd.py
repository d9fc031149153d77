"""``iam-tester access``: what a principal may do, expanded into concrete catalog actions."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ._common import exit_on_error, output_stream
from ._policies import load_level, load_policy

__all__ = ["access"]

_FILE = click.Path(dir_okay=False, path_type=Path)


@click.command("access")
@click.argument("policies", nargs=-1, type=_FILE, metavar="POLICY...")
@click.option("--boundary", type=_FILE, metavar="FILE", help="The permissions boundary.")
@click.option("--session-policy", type=_FILE, metavar="FILE", help="A session policy (for a role session).")
@click.option(
    "--scp",
    "scps",
    multiple=True,
    metavar="FILE[,FILE]",
    help="One SCP level per use, the organization root first; commas separate the SCPs of one level.",
)
@click.option("--rcp", "rcps", multiple=True, metavar="FILE[,FILE]", help="One RCP level per use, like --scp.")
@click.option(
    "--principal",
    help="Who holds the policies (an IAM role, user or session ARN). Its derived keys (aws:PrincipalArn ...) are "
    "then fixed; without it, a role in 111122223333 whose derived keys may be anything.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: grouped by service and access level, risky actions first; json: one entry per action.",
)
@exit_on_error
def access(
    *,
    policies: tuple[Path, ...],
    boundary: Path | None,
    session_policy: Path | None,
    scps: tuple[str, ...],
    rcps: tuple[str, ...],
    principal: str | None,
    output_format: str,
) -> None:
    """Expand a principal's identity POLICY files (with its boundary, session policy and SCPs) into every
    IAM catalog action some request allows: its access level, the resource patterns it reaches, and whether
    it holds only under conditions. Privilege-escalation and data-exfiltration actions are called out.

    All ~22,000 catalog actions are candidates (NotAction and wildcards included); each reported action was
    found allowed for a concrete request by the local evaluator (shown with --format json). See
    docs/analysis.md for how it reasons and its limits.

    \b
    Examples:
      iam-tester access examples/policies/list-except-infra.json
      iam-tester access dev.json --boundary boundary.json --scp root-scp.json --format json
    Exit status: 0 the report was made; 2 invalid policy or usage (a message names the file and line).
    """
    if not policies:
        raise click.UsageError("give at least one identity POLICY file")
    from ..analysis import effective_access
    from ..analysis.reports import access_text
    from ..policy import PolicyKind
    from ..policy.catalog import get_catalog

    report = effective_access(
        identity=[load_policy(p, PolicyKind.IDENTITY) for p in policies],
        boundary=load_policy(boundary, PolicyKind.BOUNDARY) if boundary else None,
        session=load_policy(session_policy, PolicyKind.SESSION) if session_policy else None,
        scps=[load_level(level, PolicyKind.SCP) for level in scps],
        rcps=[load_level(level, PolicyKind.RCP) for level in rcps],
        principal=_checked_principal(principal),
    )
    stream = output_stream()
    if output_format == "json":
        stream.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        stream.write(access_text(report, get_catalog()) + "\n")


def _checked_principal(principal: str | None) -> str | None:
    if principal is None:
        return None
    from ..engine.principals import parse_request_principal
    from ..errors import InvalidArgumentError

    try:
        parse_request_principal(principal)
    except InvalidArgumentError as exc:
        raise click.BadParameter(exc.message, param_hint="--principal") from None
    return principal
