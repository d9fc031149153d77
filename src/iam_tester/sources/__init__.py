"""Sources: policies where they live — Terraform plans, CloudFormation/CDK templates, account snapshots and
the live account — read into one :class:`Inventory` type (docs/sources.md).

:func:`read_sources` reads sources named ``KIND:PATH`` (:func:`parse_source`) and resolves managed policy
attachments across them. A source that cannot be read raises :class:`~iam_tester.errors.SourceError` (exit 2
in the CLI) naming the file, the place and the problem; what a source cannot know is an
:class:`Unknown` in the inventory, never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .build import ManagedFetcher, SourceDraft, finish
from .inventory import Inventory, Origin, SourcePolicy, SourcePrincipal, SourceResource, Unknown
from .spec import KINDS, SourceSpec, is_source, parse_source

if TYPE_CHECKING:
    import boto3

__all__ = [
    "KINDS",
    "Inventory",
    "Origin",
    "SourcePolicy",
    "SourcePrincipal",
    "SourceResource",
    "SourceSpec",
    "Unknown",
    "is_source",
    "managed_fetcher",
    "parse_source",
    "read_sources",
]


def read_sources(
    specs: Iterable[SourceSpec],
    *,
    session: boto3.Session | None = None,
    live_managed_policies: bool = False,
) -> Inventory:
    """Read every source and resolve each managed policy attachment over all of them.

    ``session`` is the boto3 session ``aws:`` reads through and, with ``live_managed_policies``, the one that
    reads the managed policies named by ARN that no source defines (default: a new ``boto3.Session()``).
    """
    specs = list(specs)
    if session is None and (live_managed_policies or any(spec.kind == "aws" for spec in specs)):
        import boto3

        session = boto3.Session()
    drafts = [draft for spec in specs for draft in _drafts(spec, session)]
    return finish(drafts, managed_fetcher(session) if live_managed_policies else None)


def managed_fetcher(session: boto3.Session | None = None) -> ManagedFetcher:
    """What reads, through ``session`` (default: a new ``boto3.Session()``), the managed policies named by ARN
    that no source defines (``--live-managed-policies``)."""
    from .live import managed_policy_reader

    if session is None:
        import boto3

        session = boto3.Session()
    return managed_policy_reader(session)


def _drafts(spec: SourceSpec, session: boto3.Session | None) -> list[SourceDraft]:
    if spec.kind == "gaad":
        from .gaad import read_gaad

        return [read_gaad(spec)]
    if spec.kind == "tfplan":
        from .tfplan import read_tfplan

        return [read_tfplan(spec)]
    if spec.kind == "cfn":
        from .cfn import read_cfn

        return read_cfn(spec)
    import boto3

    from .live import read_account

    return [read_account(spec, session or boto3.Session())]
