"""How a source is named: ``KIND:PATH`` (``tfplan:plan.json``, ``cfn:template.yaml``, ``gaad:account.json``,
``aws:``) and the options a kind takes (the account, region and partition to build ARNs with, template
parameters, whether to read bucket policies live)."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidArgumentError
from ..policy.arns import ACCOUNT_ID
from ..policy.textfile import display_path

__all__ = ["KINDS", "SourceSpec", "is_source", "parse_source", "partition_of"]

KINDS = ("tfplan", "cfn", "gaad", "aws")
_DESCRIPTIONS = {
    "tfplan": "the JSON of `terraform show -json PLAN`",
    "cfn": "a CloudFormation template (JSON or YAML), or a CDK cdk.out directory",
    "gaad": "the output of `aws iam get-account-authorization-details`",
    "aws": "the account of the current AWS credentials, read live (write `aws:`)",
}
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}\Z")


def partition_of(region: str | None) -> str:
    """The partition a region belongs to (``aws``, ``aws-cn``, ``aws-us-gov``, ...)."""
    if region is None:
        return "aws"
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


@dataclass(frozen=True)
class SourceSpec:
    """One source to read. ``path`` is as written, relative to ``base`` (a suite's directory, or the working
    directory); ``account``, ``region`` and ``parameters`` are what ARNs and templates are resolved with
    where the source does not say; ``bucket_policies`` asks ``aws:`` to read every bucket's policy too."""

    kind: str
    path: str = ""
    account: str | None = None
    region: str | None = None
    parameters: Mapping[str, str] = field(default_factory=dict, hash=False)
    bucket_policies: bool = False
    base: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            close = difflib.get_close_matches(self.kind, KINDS, n=1)
            hint = f"did you mean `{close[0]}:`?" if close else _kinds_hint()
            raise InvalidArgumentError(f"unknown source kind {self.kind!r}", hint=hint)
        if self.kind == "aws":
            if self.path:
                raise InvalidArgumentError(
                    f"`aws:` takes no path (got {str(self)!r}): it reads the account of the current credentials",
                    hint="choose the account with AWS_PROFILE or the usual AWS settings",
                )
        elif not self.path.strip():
            raise InvalidArgumentError(
                f"the source `{self.kind}:` names no file", hint=f"write {self.kind}:PATH ({_DESCRIPTIONS[self.kind]})"
            )
        if self.account is not None and not ACCOUNT_ID.match(self.account):
            raise InvalidArgumentError(
                f"the account must be a 12-digit account ID, not {self.account!r}",
                hint='quote it in YAML ("012345678901") so leading zeros are kept',
            )
        if self.region is not None and not _REGION.match(self.region):
            raise InvalidArgumentError(f"{self.region!r} is not an AWS region name", hint="e.g. us-east-1")
        if self.bucket_policies and self.kind != "aws":
            raise InvalidArgumentError("reading bucket policies live is an option of the `aws:` source only")

    def __str__(self) -> str:
        return f"{self.kind}:{self.path}"

    @property
    def partition(self) -> str:
        return partition_of(self.region)

    @property
    def file(self) -> Path:
        """The file (or, for ``cfn:``, possibly a cdk.out directory) to read."""
        path = Path(os.path.expanduser(self.path))
        return path if self.base is None else self.base / path

    @property
    def display(self) -> str:
        """How messages name the file: relative to the working directory when under it."""
        return "aws:" if self.kind == "aws" else display_path(self.file)


def is_source(text: str) -> bool:
    """Whether a command-line argument names a source (``KIND:PATH`` with a known kind) rather than a file."""
    kind, colon, _ = text.partition(":")
    return bool(colon) and _kind(kind) in KINDS


def _kind(text: str) -> str:
    return text.strip().lower()


def parse_source(
    text: str,
    *,
    account: str | None = None,
    region: str | None = None,
    parameters: Mapping[str, str] | None = None,
    bucket_policies: bool = False,
    base: Path | None = None,
) -> SourceSpec:
    """The source written ``KIND:PATH``; raises :class:`InvalidArgumentError` saying what is wrong.

    Options that a kind does not use are ignored for it (``--parameter`` only concerns templates), except
    ``bucket_policies``, which only ``aws:`` reads.
    """
    if "\0" in text:
        raise InvalidArgumentError("a source may not contain a NUL character")
    kind, colon, path = text.partition(":")
    if not colon:
        raise InvalidArgumentError(
            f"{text!r} is not a source: write KIND:PATH", hint=f"{_kinds_hint()}; e.g. tfplan:plan.json"
        )
    kind = _kind(kind)
    return SourceSpec(
        kind=kind,
        path=path,
        account=account,
        region=region,
        parameters=dict(parameters or {}),
        bucket_policies=bucket_policies and kind == "aws",
        base=base,
    )


def _kinds_hint() -> str:
    return "the kinds are " + "; ".join(f"{kind}: {text}" for kind, text in _DESCRIPTIONS.items())
