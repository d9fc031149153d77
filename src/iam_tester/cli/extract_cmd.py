"""``iam-tester extract``: print the principals and resource policies that sources hold (docs/extract.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from ._common import exit_on_error, output_stream
from ._options import format_option
from ._sources import SourceOptions, source_options

if TYPE_CHECKING:
    from ..sources import Inventory, SourcePolicy

__all__ = ["extract"]


@click.command("extract")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@format_option(
    "text",
    "json",
    help="text: each principal with its policies, each resource policy, then what is unknown; json: the "
    "inventory for tools (docs/sources.md).",
)
@source_options
@exit_on_error
def extract(sources: tuple[str, ...], output_format: str, source_options: SourceOptions) -> None:
    """Print what SOURCE holds: each role and user with every policy that applies to it (a user's groups'
    included), its permissions boundary and trust policy, each resource policy, and every value the
    source cannot know. SOURCE is KIND:PATH:

    \b
      tfplan:plan.json    terraform show -json PLAN (values known only after apply are listed as unknown)
      cfn:template.yaml   a CloudFormation template (JSON or YAML), or a CDK cdk.out directory
      gaad:account.json   aws iam get-account-authorization-details output (one response or pages)
      aws:                the account of the current AWS credentials, read live

    \b
    Examples:
      iam-tester extract tfplan:examples/sources/plan.json
      iam-tester extract --parameter Env=prod cfn:examples/sources/template.yaml
      iam-tester extract gaad:examples/sources/account.json
      iam-tester extract --format json aws: --bucket-policies | jq '.principals[].id'
    Exit status: 0 read (unknown values are listed, not an error), 2 invalid source or usage (one
    message on stderr naming the file, the place and the problem).
    """
    from ..sources import read_sources

    specs = [source_options.spec(text) for text in sources]
    inventory = read_sources(specs, live_managed_policies=source_options.live_managed_policies)
    stream = output_stream()
    if output_format == "json":
        json.dump(inventory.to_dict(), stream, indent=2)
        stream.write("\n")
    else:
        for line in text_lines(inventory):
            stream.write(line + "\n")
    click.echo(
        f"{_count(len(inventory.principals), 'principal')}, {_count(len(inventory.resources), 'resource policy')}, "
        f"{_count(len(inventory.unknown), 'unknown value')} in {_count(len(specs), 'source')}",
        err=True,
    )


def text_lines(inventory: Inventory) -> list[str]:
    """The inventory for people: a block per principal and resource, then the unknown values."""
    from ..engine.tree import printable

    lines: list[str] = []
    for principal in inventory.principals:
        lines.append(printable(f"{principal.type} {principal.id}"))
        lines.append(printable(f"  arn       {principal.arn or '(unknown)'}"))
        lines.extend(_policy_line("identity", policy) for policy in principal.identity)
        if principal.boundary is not None:
            lines.append(_policy_line("boundary", principal.boundary))
        if principal.trust is not None:
            lines.append(_policy_line("trust", principal.trust))
    for resource in inventory.resources:
        lines.append(printable(f"resource {resource.id} ({resource.type})"))
        lines.append(printable(f"  arn       {resource.arn or '(unknown)'}"))
        if resource.policy is not None:
            lines.append(_policy_line("policy", resource.policy))
    if inventory.unknown:
        lines.append("unknown")
        lines.extend(printable(f"  {u.id} {u.attribute}: {u.why}") for u in inventory.unknown)
    return lines


def _policy_line(slot: str, policy: SourcePolicy) -> str:
    from ..engine.tree import printable

    statements = policy.document.get("Statement") if isinstance(policy.document, dict) else None
    count = len(statements) if isinstance(statements, list) else 1 if isinstance(statements, dict) else 0
    name = "" if slot == "trust" or policy.name == policy.origin.id else f"{policy.name} "
    return printable(f"  {slot:<9} {name}from {policy.origin.id} ({_count(count, 'statement')})")


def _count(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    plural = word[:-1] + "ies" if word.endswith("policy") else word + "s"
    return f"{n} {plural}"
