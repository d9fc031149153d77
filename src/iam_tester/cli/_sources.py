"""The options every command that reads sources shares (extract, validate, access, diff), and turning them into
:class:`~iam_tester.sources.SourceSpec` s."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ._options import account_id_option

if TYPE_CHECKING:
    import boto3

    from ..sources import SourceSpec

__all__ = ["SourceOptions", "live_managed_policies_option", "source_options", "source_options_with"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class SourceOptions:
    """What the command line says about how to read sources."""

    account: str | None = None
    region: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    bucket_policies: bool = False
    live_managed_policies: bool = False
    profile: str | None = None

    def session(self) -> boto3.Session | None:
        """The session that reads the live account (``aws:``, ``--live-managed-policies``): the profile's, or
        ``None`` for boto3's default chain."""
        from ._live import make_session

        return make_session(self.profile, None) if self.profile is not None else None

    def spec(self, text: str) -> SourceSpec:
        """The source written ``text`` (KIND:PATH) with these options."""
        from ..sources import parse_source

        return parse_source(
            text,
            account=self.account,
            region=self.region,
            parameters=self.parameters,
            bucket_policies=self.bucket_policies,
        )


def _parameters(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> dict[str, str]:
    del ctx, param
    parsed: dict[str, str] = {}
    for value in values:
        key, equals, text = value.partition("=")
        if not equals or not key:
            raise click.BadParameter(f"{value!r} is not KEY=VALUE", param_hint="'--parameter'")
        parsed[key] = text
    return parsed


live_managed_policies_option = click.option(
    "--live-managed-policies",
    is_flag=True,
    help="Read managed policies that sources attach but do not define (AWS managed ones) from the account of the "
    "current AWS credentials (iam:GetPolicy, iam:GetPolicyVersion).",
)
"""Also taken by ``check``, whose suites name their sources (and their options) themselves."""


_SOURCE_ACCOUNT_HELP = (
    "The account ID ARNs are built with where a source does not say (a plan's planned roles, a template's "
    "AWS::AccountId; default for templates: 123456789012)."
)


def source_options(command: F) -> F:
    """Add the source options to a command; its callback receives them as ``source_options``."""
    return source_options_with()(command)


def source_options_with(account_help: str = _SOURCE_ACCOUNT_HELP) -> Callable[[F], F]:
    """:func:`source_options` for a command whose ``--account-id`` also means something without sources (say,
    the account a policy file lives in): ``account_help`` says what."""
    return lambda command: _add_source_options(command, account_help)


def _add_source_options(command: F, account_help: str) -> F:
    options = [
        account_id_option(account_help),
        click.option(
            "--region",
            metavar="REGION",
            help="The region for templates (AWS::Region, default us-east-1) and for ARNs of regional resources.",
        ),
        click.option(
            "--parameter",
            "parameters",
            metavar="KEY=VALUE",
            multiple=True,
            callback=_parameters,
            help="A template parameter's value (repeat for several); other parameters take their Default.",
        ),
        click.option(
            "--bucket-policies",
            is_flag=True,
            help="With aws:, read every bucket's policy too (s3:ListAllMyBuckets, s3:GetBucketPolicy).",
        ),
        live_managed_policies_option,
        click.option(
            "--profile",
            help="With aws: or --live-managed-policies: the AWS profile to read with (default: AWS_PROFILE or the "
            "default chain).",
        ),
    ]

    def wrap(**kwargs: Any) -> Any:
        kwargs["source_options"] = SourceOptions(
            account=kwargs.pop("account"),
            region=kwargs.pop("region"),
            parameters=kwargs.pop("parameters"),
            bucket_policies=kwargs.pop("bucket_policies"),
            live_managed_policies=kwargs.pop("live_managed_policies"),
            profile=kwargs.pop("profile"),
        )
        return command(**kwargs)

    wrap.__name__ = command.__name__
    wrap.__doc__ = command.__doc__
    result: Any = wrap
    for option in reversed(options):
        result = option(result)
    return result  # type: ignore[no-any-return]
