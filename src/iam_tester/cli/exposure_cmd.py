"""``iam-tester exposure``: who outside the account (or organization) a resource or trust policy lets in."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._common import exit_on_error, output_stream
from ._options import POLICY_FILE, account_id_option, format_option
from ._policies import load_policy, reads_as

if TYPE_CHECKING:
    from ..policy import PolicyKind

__all__ = ["exposure_command"]


@click.command("exposure")
@click.argument("policy", type=POLICY_FILE)
@click.option(
    "--type",
    "kind",
    type=click.Choice(["resource", "trust"]),
    default=None,
    help="resource: a bucket, key, queue ... policy; trust: a role's trust policy. Default: what the document "
    "reads as (a trust policy has no Resource and only sts: actions).",
)
@account_id_option("The account the resource (or role) is in.", default="111122223333")
@click.option("--org-id", metavar="o-...", help="Count only access from outside this AWS organization.")
@format_option(
    "text",
    "json",
    help="text: grouped by who gets in; json: {exposures: [{who, kind, action, resource, conditions, witness}]}.",
)
@exit_on_error
def exposure_command(policy: Path, kind: str | None, account: str, org_id: str | None, output_format: str) -> None:
    """Show who outside the resource's account — or outside the organization given with --org-id — a
    resource or trust POLICY lets in, and to do what: anonymous callers, any AWS account, the external
    accounts and principals it names, services and identity providers, each with the conditions that
    narrow it and a witness request the local evaluator allows.

    \b
    Examples:
      iam-tester exposure examples/analysis/reports-bucket.json
      iam-tester exposure --type trust examples/policies/github-actions-trust.json --org-id o-a1b2c3d4e5 \\
          --format json
    Exit status: 0 nothing outside gets in; 1 something does (or a search could not finish);
    2 invalid policy or usage.
    """
    from .._gc import paused_gc
    from ..analysis import exposure
    from ..analysis.reports import exposure_text
    from ..policy import PolicyKind

    if org_id is not None and not re.fullmatch(r"o-[a-z0-9]{10,32}", org_id):
        raise click.BadParameter(
            f"{org_id!r} is not an organization ID (o- and 10 to 32 characters)", param_hint="--org-id"
        )
    with paused_gc(until_exit=True):  # tens of thousands of objects that live to the end, no cycles
        if kind is None:
            found = reads_as(policy)
            kind = found.value if found is PolicyKind.TRUST else "resource"
        document = load_policy(policy, PolicyKind(kind), elsewhere=_how)
        report = exposure(document, account=account, org_id=org_id)
        stream = output_stream()
        if output_format == "json":
            stream.write(json.dumps(report.to_dict(), indent=2) + "\n")
        else:
            stream.write(exposure_text(report) + "\n")
        if report.exposed:
            raise click.exceptions.Exit(1)


def _how(kind: PolicyKind) -> str | None:
    return f"use --type {kind.value}" if kind.value in ("resource", "trust") else None
