"""The inventory: the principals and resource policies a source holds, as frozen data that reporters only read.

Every reader (Terraform plans, CloudFormation templates, account snapshots, the live account) produces this
one type. ``iam-tester extract --format json`` prints :meth:`Inventory.to_dict`, whose shape is a public
contract (DESIGN.md, "Sources: policies where they live")::

    {"principals": [{"id", "arn", "type", "identity": [{"name", "from", "document"}],
                     "boundary": {"from", "document"} | null, "trust": {...} | null}],
     "resources": [{"id", "arn", "type", "policy"}],
     "unknown": [{"id", "attribute", "why"}]}

Documents are kept exactly as the source holds them (decoded JSON, never parsed into the evaluator's model):
checking them is the job of :mod:`iam_tester.policy`, with the kind each one has here. What a source cannot
know (a value known only after apply, a managed policy defined elsewhere) is an :class:`Unknown`, attached to
the principal or resource it leaves incomplete, so that a caller can fail closed on exactly what it uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..errors import InvalidArgumentError, Location
from ..policy.model import PolicyKind
from ..policy.sourcemap import NoSourceMap, PathPart, SourceMap, format_path

__all__ = [
    "Inventory",
    "Origin",
    "SourcePolicy",
    "SourcePrincipal",
    "SourceResource",
    "Unknown",
]


@dataclass(frozen=True)
class Origin:
    """Where something was found in a source, in the source's own terms.

    ``source`` is the source as written (``tfplan:plan.json``), ``file`` how messages name its file, ``id`` the
    object that holds the value (a Terraform address, a CloudFormation logical ID, an ARN) and ``attribute``
    the value's place inside that object (``inline_policy[0].policy``, ``Properties.PolicyDocument``).
    ``parts`` is the value's JSON path in the file, used to find its line through ``source_map``; ``embedded``
    says the document is JSON text inside a string (a plan's attributes, a raw snapshot's URL-encoded
    documents), so a position inside the document can only point at the string.
    """

    source: str
    file: str
    id: str
    attribute: str
    parts: tuple[PathPart, ...] = ()
    embedded: bool = False
    source_map: SourceMap = field(default_factory=NoSourceMap, compare=False, repr=False)

    def place(self, inner: str = "") -> str:
        """How messages name the value, or ``inner`` (a JSON path inside it): the object, the attribute, then
        the path (after a space when the document is JSON text inside a string)."""
        place = f"{self.id} {self.attribute}" if self.attribute else self.id
        if not inner:
            return place
        if self.embedded:
            return f"{place} {inner}"
        return place + (inner if inner.startswith("[") else f".{inner}")

    def location(self, inner: Sequence[PathPart] = ()) -> Location:
        """Where ``inner`` (a JSON path inside the value, e.g. ``("Statement", 0)``) is: the file, the line
        and column when the file has them, and the place (:meth:`place`)."""
        lookup = self.parts if self.embedded else (*self.parts, *inner)
        position = self.source_map.position(lookup) if self.parts else None
        if position is None and inner and not self.embedded and self.parts:
            position = self.source_map.position(self.parts)
        line, column = position if position else (None, None)
        return Location(self.file, self.place(format_path(inner)), line, column)


@dataclass(frozen=True)
class Unknown:
    """A value the source cannot know: ``attribute`` of ``id``, and ``why`` (known only after apply, defined in
    another stack, ...). Never guessed: a caller either fails on it or says it went on without it."""

    id: str
    attribute: str
    why: str
    source: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "attribute": self.attribute, "why": self.why}

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        return f"{where}{self.id} {self.attribute}: {self.why}"


@dataclass(frozen=True)
class SourcePolicy:
    """One policy document as a source holds it. ``kind`` is how it is used there (a role's inline policy is
    ``identity``, a user's ``user``, a trust policy ``trust`` ...), which is the kind it is validated as.
    ``name`` is the inline policy's or managed policy's name; ``arn`` a managed policy's ARN when known."""

    name: str
    kind: PolicyKind
    document: Any = field(compare=False, repr=False)
    origin: Origin
    arn: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "from": self.origin.id, "document": self.document}


@dataclass(frozen=True)
class SourcePrincipal:
    """A role or user with every policy that applies to it: its inline and managed policies and, for a user,
    its groups' (``identity``), its permissions boundary and, for a role, its trust policy.

    ``arn`` is ``None`` when the source cannot know it; ``unknown`` then says why, as it lists every other
    value this entry lacks (a policy known only after apply, a managed policy defined elsewhere).
    """

    id: str
    arn: str | None
    type: str  # "role" or "user"
    identity: tuple[SourcePolicy, ...] = ()
    boundary: SourcePolicy | None = None
    trust: SourcePolicy | None = None
    unknown: tuple[Unknown, ...] = ()
    source: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        boundary = self.boundary
        return {
            "id": self.id,
            "arn": self.arn,
            "type": self.type,
            "identity": [policy.to_dict() for policy in self.identity],
            "boundary": None if boundary is None else {"from": boundary.origin.id, "document": boundary.document},
            "trust": None if self.trust is None else self.trust.document,
        }


@dataclass(frozen=True)
class SourceResource:
    """A resource-based policy and the resource it is attached to. ``type`` is the resource's CloudFormation
    type name whatever the source (``AWS::S3::Bucket`` for an ``aws_s3_bucket_policy``); ``arn`` the resource's
    ARN, ``None`` when unknown (``unknown`` says why); ``policy`` ``None`` when the document is unknown;
    ``account`` the account that owns it, which an S3 bucket's ARN does not say."""

    id: str
    arn: str | None
    type: str
    policy: SourcePolicy | None
    unknown: tuple[Unknown, ...] = ()
    source: str = field(default="", compare=False)
    account: str | None = field(default=None, compare=False)  # the owner, when the source knows it

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "arn": self.arn,
            "type": self.type,
            "policy": None if self.policy is None else self.policy.document,
        }

    def covers(self, arn: str) -> bool:
        """Whether a request on ``arn`` meets this resource's policy: the resource itself, an object in a bucket,
        a qualified version or alias of a function."""
        own = self.arn
        if own is None:
            return False
        if arn == own:
            return True
        if self.type == "AWS::S3::Bucket":
            return arn.startswith(own + "/")
        if self.type == "AWS::Lambda::Function":
            return arn.startswith(own + ":")
        return False


@dataclass(frozen=True)
class Inventory:
    """Everything read from one or more sources.

    ``principals``, ``resources`` and ``unknown`` are what ``extract`` prints. ``policies`` holds every
    document found, each once and with the kind it is used as (a managed policy nobody uses and a group
    without members included), for ``validate``. ``sources`` names the sources read, in order.
    """

    principals: tuple[SourcePrincipal, ...] = ()
    resources: tuple[SourceResource, ...] = ()
    unknown: tuple[Unknown, ...] = ()
    policies: tuple[SourcePolicy, ...] = ()
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON shape (principals, resources, unknown), in source order."""
        return {
            "principals": [principal.to_dict() for principal in self.principals],
            "resources": [resource.to_dict() for resource in self.resources],
            "unknown": [unknown.to_dict() for unknown in self.unknown],
        }

    @classmethod
    def merge(cls, inventories: Iterable[Inventory]) -> Inventory:
        """One inventory holding each of ``inventories`` in order."""
        parts = list(inventories)
        return cls(
            principals=tuple(p for inv in parts for p in inv.principals),
            resources=tuple(r for inv in parts for r in inv.resources),
            unknown=tuple(u for inv in parts for u in inv.unknown),
            policies=tuple(p for inv in parts for p in inv.policies),
            sources=tuple(s for inv in parts for s in inv.sources),
        )

    @cached_property
    def unplaced(self) -> tuple[Unknown, ...]:
        """The unknown values attached to no principal or resource: they may concern any of them (an
        attachment whose role is unknown, a snapshot missing its last pages)."""
        entries: tuple[SourcePrincipal | SourceResource, ...] = (*self.principals, *self.resources)
        placed = {id(u) for entry in entries for u in entry.unknown}
        return tuple(u for u in self.unknown if id(u) not in placed)

    @cached_property
    def _principal_index(self) -> tuple[dict[str, list[SourcePrincipal]], dict[str, list[SourcePrincipal]]]:
        by_id: dict[str, list[SourcePrincipal]] = {}
        by_arn: dict[str, list[SourcePrincipal]] = {}
        for principal in self.principals:
            by_id.setdefault(principal.id, []).append(principal)
            if principal.arn is not None:
                by_arn.setdefault(principal.arn, []).append(principal)
        return by_id, by_arn

    def principal(self, ref: str) -> SourcePrincipal | None:
        """The principal whose id (or else ARN) is ``ref``; ``None`` when no source has it. Raises
        :class:`InvalidArgumentError` when two sources have a principal of that id or ARN."""
        by_id, by_arn = self._principal_index
        found = by_id.get(ref) or by_arn.get(ref) or []
        if len(found) > 1:
            where = ", ".join(p.source for p in found)
            raise InvalidArgumentError(
                f"{ref!r} names a principal in more than one source ({where})",
                hint="name it by an id or ARN that only one source has",
            )
        return found[0] if found else None

    def principal_ids(self) -> list[str]:
        """Every principal's id, for "did you mean" hints."""
        return [principal.id for principal in self.principals]

    def role_by_arn(self, arn: str) -> SourcePrincipal | None:
        """The role of ARN ``arn`` (its trust policy is what ``sts:AssumeRole`` on it meets)."""
        for principal in self._principal_index[1].get(arn, ()):
            if principal.type == "role":
                return principal
        return None

    @cached_property
    def _resource_index(self) -> dict[str, list[SourceResource]]:
        index: dict[str, list[SourceResource]] = {}
        for resource in self.resources:
            if resource.arn is not None:
                index.setdefault(resource.arn, []).append(resource)
        return index

    def resources_covering(self, arn: str) -> tuple[SourceResource, ...]:
        """The resources whose policy a request on ``arn`` meets (usually none or one)."""
        index = self._resource_index
        # The resource itself, the bucket of an object, the function of a qualified function ARN.
        keys = dict.fromkeys((arn, arn.split("/", 1)[0], arn.rsplit(":", 1)[0]))
        return tuple(r for key in keys for r in index.get(key, ()) if r.covers(arn))
