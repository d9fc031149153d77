"""``iam-tester extract``: print the principals and resource policies that sources hold (docs/extract.md)."""

from __future__ import annotations

import json

import click

from ._common import exit_on_error, output_stream
from ._options import format_option
from ._sources import SourceOptions, source_options

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
    from ..sources.report import inventory_summary, inventory_text

    specs = [source_options.spec(text) for text in sources]
    inventory = read_sources(
        specs, session=source_options.session(), live_managed_policies=source_options.live_managed_policies
    )
    stream = output_stream()
    if output_format == "json":
        json.dump(inventory.to_dict(), stream, indent=2)
        stream.write("\n")
    else:
        for line in inventory_text(inventory):
            stream.write(line + "\n")
    click.echo(inventory_summary(inventory, len(specs)), err=True)
