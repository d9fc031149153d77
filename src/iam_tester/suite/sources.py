"""What a suite's cases take from its ``sources:`` (docs/suites.md, "Sources").

- A case whose principal is an id or ARN from a source gets that principal's identity policies (a user's
  groups' included) and boundary, unless the suite or the case gives ``identity`` / ``boundary`` itself; the
  request is made as the principal's ARN.
- A case meets the policy of the source resource whose ARN covers its resource (a bucket for its objects),
  unless the suite or the case gives ``resource``.
- A case whose action a role's trust policy decides (``sts:AssumeRole*``, ``sts:TagSession`` ...) meets the
  trust policy of the source role it names as resource, unless the suite or the case gives ``trust``; a
  ``trust`` slot is met by every such case.

What a case would take from a source but the source cannot know (a policy known only after apply, an
attachment to a policy defined elsewhere, a resource whose ARN might be the case's) fails closed: a
:class:`~iam_tester.errors.SourceError` naming each unknown, unless ``allow_unknown``, when the case goes on
without it and a warning says so. Every document taken from a source is validated as its kind, once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._text import count
from ..engine import TRUST_ACTIONS
from ..errors import InvalidArgumentError, Location, PolicyError, SourceError
from ..policy import Finding, PolicyDocument, Severity
from ..policy.arns import split_arn
from ..sources import Inventory, SourcePolicy, SourcePrincipal, SourceSpec, Unknown, read_sources
from ..sources.validation import validate_source_policy
from .model import PolicySlots

if TYPE_CHECKING:
    import boto3

__all__ = ["CaseSources", "SourceReader"]

_SERVICES = {
    "AWS::S3::Bucket": "s3",
    "AWS::SQS::Queue": "sqs",
    "AWS::SNS::Topic": "sns",
    "AWS::KMS::Key": "kms",
    "AWS::SecretsManager::Secret": "secretsmanager",
    "AWS::Lambda::Function": "lambda",
    "AWS::ECR::Repository": "ecr",
}


class SourceReader:
    """Reads sources for every suite of a run (each set of sources once) and turns their documents into
    checked :class:`PolicyDocument` s (each once)."""

    def __init__(
        self,
        *,
        catalog: bool = True,
        allow_unknown: bool = False,
        live_managed_policies: bool = False,
        session: boto3.Session | None = None,
    ):
        self.catalog = catalog
        self.allow_unknown = allow_unknown
        self.live_managed_policies = live_managed_policies
        self.session = session
        self._inventories: dict[tuple[SourceSpec, ...], Inventory] = {}
        self._documents: dict[int, PolicyDocument] = {}
        self._warnings: list[Finding] = []
        self._noted: set[Unknown] = set()

    def inventory(self, specs: tuple[SourceSpec, ...]) -> Inventory:
        found = self._inventories.get(specs)
        if found is None:
            found = self._inventories[specs] = read_sources(
                specs, session=self.session, live_managed_policies=self.live_managed_policies
            )
        return found

    def document(self, policy: SourcePolicy) -> PolicyDocument:
        """``policy`` validated as its kind: an error stops the run, warnings are kept for the report."""
        found = self._documents.get(id(policy))
        if found is not None:
            return found
        report = validate_source_policy(policy, catalog=self.catalog)
        if not report.ok or report.document is None:
            errors = report.errors
            first = errors[0]
            more = len(errors) - 1
            hint = f"{count(more, 'more error')} in this policy; " if more else ""
            hint += f"run `iam-tester validate {policy.origin.source}` to see every finding"
            raise PolicyError(first.message, location=first.location, code=first.code, hint=hint, findings=errors)
        self._warnings.extend(report.warnings)
        self._documents[id(policy)] = report.document
        return report.document

    def take_warnings(self) -> tuple[Finding, ...]:
        warnings, self._warnings = tuple(self._warnings), []
        return warnings

    def note_unknown(self, unknown: Unknown, where: Location) -> None:
        """With ``allow_unknown``: say once per run that cases were decided without ``unknown``."""
        if unknown in self._noted:
            return
        self._noted.add(unknown)
        message = f"decided without a value its source cannot know (--allow-unknown): {unknown}"
        self._warnings.append(Finding(Severity.WARNING, "unknown-value", message, where))


class CaseSources:
    """One suite's sources, and what each case takes from them."""

    def __init__(self, reader: SourceReader, inventory: Inventory) -> None:
        self.reader = reader
        self.inventory = inventory
        self._slots: dict[tuple[object, ...], PolicySlots] = {}
        # What an ARN the sources cannot know might hide: per service, and for roles.
        self._arnless: dict[str, list[Unknown]] = {}
        for resource in inventory.resources:
            if resource.arn is None:
                self._arnless.setdefault(_SERVICES.get(resource.type, ""), []).extend(resource.unknown)
        for principal in inventory.principals:
            if principal.arn is None and principal.type == "role":
                self._arnless.setdefault("role", []).extend(principal.unknown)

    def principal(self, ref: str) -> SourcePrincipal | None:
        return self.inventory.principal(ref)

    def request_principal(self, found: SourcePrincipal) -> str:
        """The ARN a case asks as; a principal whose ARN the source cannot know cannot ask anything."""
        if found.arn is not None:
            return found.arn
        why = next((u.why for u in found.unknown if u.attribute == "arn"), "the source does not say")
        raise InvalidArgumentError(
            f"the principal {found.id} has no known ARN ({why}), and a request needs one",
            hint="give the account (a source option `account:`), or name a principal whose ARN is known",
        )

    def slots(
        self,
        slots: PolicySlots,
        given: frozenset[str],
        *,
        action: str,
        resource: str,
        principal: SourcePrincipal | None,
        where: Location,
    ) -> PolicySlots:
        """``slots`` completed from the sources for one case (cases that take the same documents share one
        :class:`PolicySlots`, so the runner compiles it once)."""
        unknown: list[Unknown] = list(self.inventory.unplaced)
        identity = boundary = None
        if principal is not None:
            unknown.extend(principal.unknown)
            if "identity" not in given:
                identity = tuple(self.reader.document(p) for p in principal.identity)
            if "boundary" not in given and principal.boundary is not None:
                boundary = self.reader.document(principal.boundary)
        trust_case = action.lower() in TRUST_ACTIONS
        resource_doc = None
        if trust_case and "trust" not in given:
            resource_doc = self._trust(resource, unknown)
        elif not trust_case and "resource" not in given:
            resource_doc = self._resource(resource, unknown)
        if unknown:
            self._unknown(unknown, where)
        key = (
            id(slots),
            id(principal) if identity is not None or boundary is not None else None,
            id(resource_doc),
            trust_case,
        )
        found = self._slots.get(key)
        if found is None:
            changes: dict[str, Any] = {}
            if identity is not None:
                changes["identity"] = identity
            if boundary is not None:
                changes["boundary"] = boundary
            if resource_doc is not None:
                changes["resource"] = resource_doc
            elif trust_case and slots.trust is not None:
                changes["resource"] = slots.trust
            found = self._slots[key] = dataclasses.replace(slots, **changes) if changes else slots
        return found

    def resource_account(self, arn: str) -> str | None:
        """The account that owns the source resource a request on ``arn`` meets, when its ARN does not say
        (an S3 bucket's) and its source does: without it the evaluator would take the caller's account, and a
        caller from another account would be judged as the bucket's own."""
        parts = split_arn(arn)
        if parts is not None and parts[4]:
            return None  # the ARN names its account
        covering = self.inventory.resources_covering(arn)
        return covering[0].account if len(covering) == 1 else None

    def _resource(self, arn: str, unknown: list[Unknown]) -> PolicyDocument | None:
        covering = self.inventory.resources_covering(arn)
        service = arn.split(":", 3)[2] if arn.count(":") >= 3 else ""
        unknown.extend(self._arnless.get(service, ()))
        if len(covering) > 1:
            ids = ", ".join(f"{r.id} ({r.source})" for r in covering)
            raise InvalidArgumentError(
                f"{len(covering)} source resources have a policy for {arn}: {ids}",
                hint="AWS keeps one policy per resource: give the case's `resource` policy to choose",
            )
        if not covering:
            return None
        unknown.extend(covering[0].unknown)
        policy = covering[0].policy
        return None if policy is None else self.reader.document(policy)

    def _trust(self, arn: str, unknown: list[Unknown]) -> PolicyDocument | None:
        role = self.inventory.role_by_arn(arn)
        if role is None:
            unknown.extend(self._arnless.get("role", ()))
            return None
        unknown.extend(u for u in role.unknown if u.attribute == "assume_role_policy")
        return None if role.trust is None else self.reader.document(role.trust)

    def _unknown(self, unknown: Sequence[Unknown], where: Location) -> None:
        listed = list(dict.fromkeys(unknown))
        text = "; ".join(str(u) for u in listed[:5]) + (f"; and {len(listed) - 5} more" if len(listed) > 5 else "")
        if not self.reader.allow_unknown:
            raise SourceError(
                f"the case depends on values its sources cannot know: {text}",
                location=where,
                hint="fix the source (an account option, a data source read while planning ...), or run with "
                "--allow-unknown to decide without them",
            )
        for gap in listed:
            self.reader.note_unknown(gap, where)
