"""``iam-tester diff``: what a new version of a policy allows that the old one does not — a CI gate."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ._common import exit_on_error, output_stream
from ._policies import load_policy

__all__ = ["diff"]

_FILE = click.Path(dir_okay=False, path_type=Path)
_KINDS = ["identity", "boundary", "session", "scp", "rcp", "resource", "trust"]


@click.command("diff")
@click.argument("old", type=_FILE)
@click.argument("new", type=_FILE)
@click.option(
    "--type",
    "kind",
    type=click.Choice(_KINDS),
    default="identity",
    show_default=True,
    help="Where the policy sits. identity: a role's own policy; boundary, session, scp, rcp: a cap over "
    "policies that allow everything; resource, trust: a resource's or role's policy, for every principal it "
    "names, an outside account and the account's own principals.",
)
@click.option(
    "--account",
    metavar="ID",
    help="The account the policy lives in (default: the one its ARNs name, else 111122223333).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="text: for people; json: {new_access, removed_access, undecided}; sarif: for code scanning.",
)
@exit_on_error
def diff(old: Path, new: Path, kind: str, account: str | None, output_format: str) -> None:
    """Compare two versions of a policy: every request NEW allows and OLD does not (new access), and the
    reverse (removed access). Each finding comes with a witness: a concrete request the local evaluator
    allows under NEW and denies under OLD.

    The answer is sound: "no new access" is said only when no such request exists, across wildcard
    rewrites, resource patterns, NotResource, changed or removed conditions, removed denies, added
    principals and a Version that changes how ${...} reads (docs/analysis.md).

    \b
    Examples:
      iam-tester diff old.json new.json
      iam-tester diff --type resource bucket-before.json bucket-after.json --format sarif > diff.sarif
    Exit status: 0 no new access; 1 new access (or a search that could not finish, counted as new);
    2 invalid policy or usage.
    """
    from ..analysis import diff_policies
    from ..analysis.reports import diff_sarif, diff_text
    from ..policy import PolicyKind

    policy_kind = PolicyKind(kind)
    if account is not None and not (len(account) == 12 and account.isdigit()):
        raise click.BadParameter(f"{account!r} is not a 12-digit account ID", param_hint="--account")
    report = diff_policies(load_policy(old, policy_kind), load_policy(new, policy_kind), kind=kind, account=account)
    stream = output_stream()
    if output_format == "json":
        stream.write(json.dumps(report.to_dict(), indent=2) + "\n")
    elif output_format == "sarif":
        stream.write(json.dumps(diff_sarif(report, str(old), str(new)), indent=2) + "\n")
    else:
        stream.write(diff_text(report, str(old), str(new)) + "\n")
    if report.adds_access:
        raise click.exceptions.Exit(1)
