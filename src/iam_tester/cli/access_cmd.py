"""``iam-tester access``: what a principal may do, expanded into concrete catalog actions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._common import exit_on_error, output_stream
from ._options import POLICY_FILE, format_option
from ._policies import load_level, load_policy, scp_options
from ._sources import SourceOptions, source_options

if TYPE_CHECKING:
    import boto3

    from ..policy import PolicyDocument
    from ..sources import SourceSpec

__all__ = ["access"]


@click.command("access")
@click.argument("policies", nargs=-1, type=POLICY_FILE, metavar="POLICY...")
@click.option("--boundary", type=POLICY_FILE, metavar="FILE", help="The permissions boundary.")
@click.option("--session-policy", type=POLICY_FILE, metavar="FILE", help="A session policy (for a role session).")
@scp_options
@click.option(
    "--principal",
    help="Who holds the policies (an IAM role, user or session ARN). Its derived keys (aws:PrincipalArn ...) are "
    "then fixed; without it, a role in 111122223333 whose derived keys may be anything. With --source: the id or "
    "ARN of a principal in the sources, whose policies are analysed.",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="KIND:PATH",
    help="Take the principal's policies from a source (tfplan:, cfn:, gaad:, aws:; repeat; docs/sources.md).",
)
@click.option("--all-principals", is_flag=True, help="With --source: every principal of the sources.")
@click.option(
    "--allow-unknown",
    is_flag=True,
    help="With --source: analyse a principal without the policies its source cannot know (say after apply).",
)
@click.option(
    "--witnesses",
    is_flag=True,
    help="Give each action an allowed request (in --format json), each checked by the evaluator (slower).",
)
@format_option(
    "text", "json", help="text: grouped by service and access level, risky actions first; json: one entry per action."
)
@source_options
@exit_on_error
def access(
    *,
    policies: tuple[Path, ...],
    boundary: Path | None,
    session_policy: Path | None,
    scps: tuple[str, ...],
    rcps: tuple[str, ...],
    principal: str | None,
    sources: tuple[str, ...],
    all_principals: bool,
    allow_unknown: bool,
    witnesses: bool,
    output_format: str,
    source_options: SourceOptions,
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
      iam-tester access examples/policies/developer.json --boundary examples/policies/boundary-app-data.json \\
          --scp examples/policies/scp-eu-only.json --format json
    Exit status: 0 the report was made; 2 invalid policy or usage (a message names the file and line).
    """
    from .._gc import paused_gc
    from ..analysis import effective_access
    from ..analysis.reports import access_text
    from ..policy import PolicyKind
    from ..policy.catalog import get_catalog

    with paused_gc(until_exit=True):  # tens of thousands of objects that live to the end, no cycles
        scps_read = [load_level(level, PolicyKind.SCP) for level in scps]
        rcps_read = [load_level(level, PolicyKind.RCP) for level in rcps]
        if sources:
            if policies or boundary:
                raise click.UsageError("with --source, the principal's policies come from the sources: give no POLICY")
            if (principal is None) is (not all_principals):
                raise click.UsageError("with --source, name one --principal (an id or ARN) or give --all-principals")
            _source_access(
                [source_options.spec(text) for text in sources],
                None if all_principals else [principal or ""],
                session_policy=load_policy(session_policy, PolicyKind.SESSION) if session_policy else None,
                scps=scps_read,
                rcps=rcps_read,
                allow_unknown=allow_unknown,
                witnesses=witnesses,
                output_format=output_format,
                live_managed_policies=source_options.live_managed_policies,
                session=source_options.session(),
            )
            return
        if not policies:
            raise click.UsageError("give at least one identity POLICY file (or --source with --principal)")
        if all_principals or allow_unknown or source_options != SourceOptions():
            raise click.UsageError(
                "--all-principals, --allow-unknown and the source options (--account-id, --parameter ...) go with "
                "--source"
            )
        report = effective_access(
            identity=[load_policy(p, PolicyKind.IDENTITY) for p in policies],
            boundary=load_policy(boundary, PolicyKind.BOUNDARY) if boundary else None,
            session=load_policy(session_policy, PolicyKind.SESSION) if session_policy else None,
            scps=scps_read,
            rcps=rcps_read,
            principal=_checked_principal(principal),
            witnesses=witnesses,
        )
        stream = output_stream()
        if output_format == "json":
            stream.write(_json(report.to_dict(), len(report.actions)) + "\n")
        else:
            stream.write(access_text(report, get_catalog()) + "\n")


def _source_access(
    specs: list[SourceSpec],
    refs: list[str] | None,
    *,
    session_policy: PolicyDocument | None,
    scps: list[list[PolicyDocument]],
    rcps: list[list[PolicyDocument]],
    allow_unknown: bool,
    witnesses: bool,
    output_format: str,
    live_managed_policies: bool,
    session: boto3.Session | None,
) -> None:
    """Each principal's own policies from the sources, analysed with the SCPs, RCPs and session policy given."""
    from ..analysis import effective_access
    from ..analysis.inventory import principals_of
    from ..analysis.reports import access_summary, access_text
    from ..policy.catalog import get_catalog
    from ..sources import read_sources

    inventory = read_sources(specs, session=session, live_managed_policies=live_managed_policies)
    stream = output_stream()
    reports = []
    for found in principals_of(inventory, refs, allow_unknown=allow_unknown):
        report = effective_access(
            identity=found.identity,
            boundary=found.boundary,
            session=session_policy,
            scps=scps,
            rcps=rcps,
            principal=found.arn,
            witnesses=witnesses,
        )
        reports.append({"id": found.id, **report.to_dict()})
        if output_format == "text":
            if refs is None:
                stream.write(f"{found.id}: {access_summary(report)}\n")
            else:
                stream.write(access_text(report, get_catalog()) + "\n")
    if output_format == "json":
        count = sum(len(r["actions"]) for r in reports)
        stream.write(_json({"principals": reports} if refs is None else reports[0], count) + "\n")


def _json(data: object, entries: int) -> str:
    """Indented for people; on one line past a thousand entries (the C encoder only writes unindented JSON,
    and a whole catalog's worth takes seconds otherwise)."""
    return json.dumps(data, indent=2) if entries <= 1000 else json.dumps(data, separators=(",", ":"))


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
