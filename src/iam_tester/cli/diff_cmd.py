"""``iam-tester diff``: what a new version of a policy allows that the old one does not — a CI gate."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._common import exit_on_error, output_stream
from ._options import POLICY_FILE, format_option
from ._policies import load_policy
from ._sources import SourceOptions, source_options_with

if TYPE_CHECKING:
    from ..analysis import DiffReport
    from ..policy import PolicyKind

__all__ = ["diff"]

_KINDS = ["identity", "boundary", "session", "scp", "rcp", "resource", "trust"]


@click.command("diff")
@click.argument("old", type=POLICY_FILE)
@click.argument("new", type=POLICY_FILE, required=False)
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
    "--allow-unknown",
    is_flag=True,
    help="With sources: compare without the policies a source cannot know (say, known only after apply).",
)
@format_option(
    "text",
    "json",
    "sarif",
    help="text: for people; json: {new_access, removed_access, undecided}; sarif: for code scanning.",
)
@source_options_with(
    "The account the policy lives in (default: the one its ARNs name, else 111122223333); with sources, the "
    "account ARNs are built with where a source does not say (a plan's planned roles, a template's AWS::AccountId)."
)
@exit_on_error
def diff(
    *,
    old: Path,
    new: Path | None,
    kind: str,
    allow_unknown: bool,
    output_format: str,
    source_options: SourceOptions,
) -> None:
    """Compare two versions of a policy: every request NEW allows and OLD does not (new access), and the
    reverse (removed access). Each finding comes with a witness: a concrete request the local evaluator
    allows under NEW and denies under OLD.

    The answer is sound: "no new access" is said only when no such request exists, across wildcard
    rewrites, resource patterns, NotResource, changed or removed conditions, removed denies, added
    principals and a Version that changes how ${...} reads (docs/analysis.md).

    OLD and NEW may also be sources (KIND:PATH, docs/sources.md): each principal's identity policies and
    boundary, each role's trust policy and each resource's policy are compared by id. A single tfplan:
    compares what the plan changes: the state before it with the state it plans. The source options
    (--region, --parameter, --live-managed-policies ...) read both sides alike.

    \b
    Examples:
      iam-tester diff examples/analysis/reports-reader.json examples/analysis/reports-reader-v2.json
      iam-tester diff --type resource examples/analysis/reports-bucket-before.json \\
          examples/analysis/reports-bucket.json --format sarif > diff.sarif
      iam-tester diff tfplan:examples/sources/plan.json
      iam-tester diff gaad:examples/analysis/account-last-week.json gaad:examples/sources/account.json
    Exit status: 0 no new access; 1 new access (or a search that could not finish, counted as new);
    2 invalid policy or usage.
    """
    from .._gc import paused_gc
    from ..analysis import diff_policies
    from ..analysis.reports import diff_sarif, diff_text
    from ..policy import PolicyKind
    from ..sources import is_source

    with paused_gc(until_exit=True):  # tens of thousands of objects that live to the end, no cycles
        if new is None or is_source(str(old)) or is_source(str(new)):
            report = _diff_sources(str(old), None if new is None else str(new), source_options, allow_unknown)
        else:
            if allow_unknown or dataclasses.replace(source_options, account=None) != SourceOptions():
                raise click.UsageError(
                    "--allow-unknown and the source options (--region, --parameter ...) go with sources (KIND:PATH)"
                )
            account = source_options.account
            policy_kind = PolicyKind(kind)
            report = diff_policies(
                load_policy(old, policy_kind, elsewhere=_how),
                load_policy(new, policy_kind, elsewhere=_how),
                kind=kind,
                account=account,
            )
        new_name = str(new) if new is not None else f"{old} (planned)"
        old_name = str(old) if new is not None else f"{old} (before)"
        stream = output_stream()
        if output_format == "json":
            stream.write(json.dumps(report.to_dict(), indent=2) + "\n")
        elif output_format == "sarif":
            newest = new if new is not None else old
            sarif = diff_sarif(report, old_name, new_name, **_sarif_location(newest, source_options))
            stream.write(json.dumps(sarif, indent=2) + "\n")
        else:
            stream.write(diff_text(report, old_name, new_name) + "\n")
        if report.adds_access:
            raise click.exceptions.Exit(1)


def _diff_sources(old: str, new: str | None, options: SourceOptions, allow_unknown: bool) -> DiffReport:
    """Two sources compared by id, or a single plan's before and after."""
    from ..analysis.inventory import diff_inventories, plan_before_and_after
    from ..sources import is_source, managed_fetcher, read_sources

    session = options.session()
    if new is None:
        spec = options.spec(old) if is_source(old) else None
        if spec is None or spec.kind != "tfplan":
            raise click.UsageError("give OLD and NEW; only a single tfplan: source compares on its own (before/after)")
        before, after = plan_before_and_after(spec, managed_fetcher(session) if options.live_managed_policies else None)
    else:
        if not (is_source(old) and is_source(new)):
            raise click.UsageError("compare two policy files or two sources (KIND:PATH), not one of each")
        before, after = (
            read_sources([options.spec(text)], session=session, live_managed_policies=options.live_managed_policies)
            for text in (old, new)
        )
    return diff_inventories(before, after, allow_unknown=allow_unknown)


def _how(kind: PolicyKind) -> str | None:
    """How to compare a document that reads as ``kind`` (for the hint on one given as another kind)."""
    return f"use --type {kind.value}" if kind.value in _KINDS else None


def _sarif_location(path: Path, options: SourceOptions) -> dict[str, Any]:
    """Where code scanning finds NEW: its file (a source's file, not ``KIND:PATH``) and, for a policy file, the
    line of each statement."""
    from ..sources import is_source

    if is_source(str(path)):
        spec = options.spec(str(path))
        return {"new_uri": spec.file.as_posix() if spec.file is not None else None}
    from ..engine.results import StatementRef
    from ..policy.sourcemap import JsonSourceMap

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeError):
        return {"new_uri": path.as_posix()}
    source_map = JsonSourceMap(text)
    name = str(path)

    def line_of(ref: StatementRef) -> int | None:
        if ref.policy != name:
            return None
        found = source_map.position(("Statement", ref.index)) or source_map.position(("Statement",))
        return found[0] if found else None

    return {"new_uri": path.as_posix(), "line_of": line_of}
