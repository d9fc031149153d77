"""From what a reader found to the inventory: managed policy attachments resolved across sources.

A reader knows the roles and users of its source, their inline policies, and which managed policies each one
attaches, but an attached policy may be defined in another source (an AWS managed policy that an account
snapshot holds, a customer managed policy deployed by another stack) or only in the live account. So a reader
produces a :class:`SourceDraft` whose attachments are :class:`ManagedRef` s, and :func:`finish` resolves them
over every source read together; an attachment nothing resolves becomes an :class:`Unknown` of the principal,
by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .inventory import Inventory, SourcePolicy, SourcePrincipal, SourceResource, Unknown

__all__ = [
    "DraftPrincipal",
    "EntityDraft",
    "ManagedFetcher",
    "ManagedRef",
    "SourceDraft",
    "finish",
    "is_aws_managed",
]

ManagedFetcher = Callable[[str], "SourcePolicy | None"]
"""Reads a managed policy's default version by ARN (live), or says ``None`` when there is no such policy."""


def is_aws_managed(arn: str) -> bool:
    """Whether ``arn`` names an AWS managed policy (``arn:aws:iam::aws:policy/...``)."""
    parts = arn.split(":", 5)
    return len(parts) == 6 and parts[4] == "aws" and parts[5].startswith("policy/")


@dataclass(frozen=True)
class ManagedRef:
    """A managed policy attached to a principal (or used as its boundary), named by ARN, or by ``key`` — the id
    of the policy's definition in the same source, when its ARN is not known yet. ``holder`` and
    ``attribute`` say where the attachment is written, for the unknown it becomes when nothing resolves it."""

    holder: str
    attribute: str
    arn: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class DraftPrincipal:
    """A role or user as a reader found it: inline policies (a user's groups' included) resolved, managed ones
    still references."""

    id: str
    arn: str | None
    type: str
    inline: tuple[SourcePolicy, ...] = ()
    managed: tuple[ManagedRef, ...] = ()
    boundary: ManagedRef | None = None
    trust: SourcePolicy | None = None
    unknown: tuple[Unknown, ...] = ()


@dataclass(eq=False)
class EntityDraft:
    """A role, user or group while a reader links policies to it (mutable until :meth:`principal`)."""

    id: str
    type: str  # "role", "user" or "group"
    arn: str | None
    inline: list[SourcePolicy] = field(default_factory=list)
    managed: list[ManagedRef] = field(default_factory=list)
    boundary: ManagedRef | None = None
    trust: SourcePolicy | None = None
    unknown: list[Unknown] = field(default_factory=list)
    groups: list[EntityDraft] = field(default_factory=list)

    def keep(self, found: SourcePolicy | Unknown | None, *, trust: bool = False) -> None:
        """An inline (or, with ``trust``, the trust) policy found for this entity, or why it is unknown."""
        if isinstance(found, Unknown):
            self.unknown.append(found)
        elif found is not None and trust:
            self.trust = found
        elif found is not None:
            self.inline.append(found)

    def attach(self, ref: ManagedRef | Unknown | None) -> None:
        """A managed policy attached to this entity, or why the attachment is unknown."""
        if isinstance(ref, Unknown):
            self.unknown.append(ref)
        elif ref is not None:
            self.managed.append(ref)

    def principal(self) -> DraftPrincipal:
        """The principal, a user's groups' inline and managed policies (and unknowns) included, each group once."""
        inline, managed, unknown = list(self.inline), list(self.managed), list(self.unknown)
        for group in {id(group): group for group in self.groups}.values():
            inline.extend(group.inline)
            managed.extend(group.managed)
            unknown.extend(u for u in group.unknown if u.attribute != "arn")
        return DraftPrincipal(
            self.id, self.arn, self.type, tuple(inline), tuple(managed), self.boundary, self.trust, tuple(unknown)
        )


@dataclass(frozen=True)
class SourceDraft:
    """What one reader found in one source.

    ``managed_by_arn`` and ``managed_by_key`` are the managed policies the source defines (by ARN when known,
    and by the id of their definition); ``managed_unknown`` those it defines without a known document, by ARN
    or id. ``unplaced`` holds unknowns that concern no one principal or resource; ``policies`` every document
    found, for validation.
    """

    source: str
    principals: tuple[DraftPrincipal, ...] = ()
    resources: tuple[SourceResource, ...] = ()
    managed_by_arn: dict[str, SourcePolicy] = field(default_factory=dict)
    managed_by_key: dict[str, SourcePolicy] = field(default_factory=dict)
    managed_unknown: dict[str, Unknown] = field(default_factory=dict)
    unplaced: tuple[Unknown, ...] = ()
    policies: tuple[SourcePolicy, ...] = ()


def finish(drafts: Sequence[SourceDraft], fetch: ManagedFetcher | None = None) -> Inventory:
    """The inventory of every draft, each attachment resolved: by the id of its definition in its own source,
    then by ARN in its own source, in any other source, and finally through ``fetch`` when given."""
    everywhere: dict[str, SourcePolicy] = {}
    for draft in drafts:
        for arn, policy in draft.managed_by_arn.items():
            everywhere.setdefault(arn, policy)
    fetched: dict[str, SourcePolicy | None] = {}
    inventories = []
    for draft in drafts:
        resolved: dict[int, SourcePolicy | Unknown] = {}

        def resolve(
            ref: ManagedRef, draft: SourceDraft = draft, resolved: dict[int, SourcePolicy | Unknown] = resolved
        ) -> SourcePolicy | Unknown:
            # A group's attachments are shared by its users: resolve each once, so they share one Unknown.
            found = resolved.get(id(ref))
            if found is None:
                found = resolved[id(ref)] = _resolve(ref, draft, everywhere, fetched, fetch)
            return found

        principals = tuple(_principal(p, resolve, draft.source) for p in draft.principals)
        unknown: dict[Unknown, None] = {}
        for principal in principals:
            unknown.update(dict.fromkeys(principal.unknown))
        for resource in draft.resources:
            unknown.update(dict.fromkeys(resource.unknown))
        unknown.update(dict.fromkeys(draft.unplaced))
        inventories.append(
            Inventory(
                principals=principals,
                resources=draft.resources,
                unknown=tuple(unknown),
                policies=draft.policies,
                sources=(draft.source,),
            )
        )
    return Inventory.merge(inventories)


def _principal(
    draft: DraftPrincipal, resolve: Callable[[ManagedRef], SourcePolicy | Unknown], source: str
) -> SourcePrincipal:
    identity = list(draft.inline)
    unknown = list(draft.unknown)
    for ref in draft.managed:
        found = resolve(ref)
        if isinstance(found, Unknown):
            unknown.append(found)
        else:
            identity.append(found)
    boundary = None
    if draft.boundary is not None:
        found = resolve(draft.boundary)
        if isinstance(found, Unknown):
            unknown.append(found)
        else:
            boundary = found
    return SourcePrincipal(
        id=draft.id,
        arn=draft.arn,
        type=draft.type,
        identity=tuple(identity),
        boundary=boundary,
        trust=draft.trust,
        unknown=tuple(dict.fromkeys(unknown)),
        source=source,
    )


def _resolve(
    ref: ManagedRef,
    draft: SourceDraft,
    everywhere: dict[str, SourcePolicy],
    fetched: dict[str, SourcePolicy | None],
    fetch: ManagedFetcher | None,
) -> SourcePolicy | Unknown:
    for name in (ref.key, ref.arn):
        if name is None:
            continue
        local = draft.managed_by_key.get(name) if name is ref.key else draft.managed_by_arn.get(name)
        if local is not None:
            return local
        unknown = draft.managed_unknown.get(name)
        if unknown is not None:
            why = f"the managed policy it attaches ({unknown.id}) has an unknown {unknown.attribute}: {unknown.why}"
            return Unknown(ref.holder, ref.attribute, why, draft.source)
    arn = ref.arn
    if arn is None:  # pragma: no cover - readers give an ARN or a key they define
        return Unknown(ref.holder, ref.attribute, "the managed policy it attaches is not known", draft.source)
    other = everywhere.get(arn)
    if other is not None:
        return other
    if fetch is not None:
        if arn not in fetched:
            fetched[arn] = fetch(arn)
        live = fetched[arn]
        if live is not None:
            return live
        return Unknown(
            ref.holder, ref.attribute, f"the managed policy {arn} does not exist in the account", draft.source
        )
    if is_aws_managed(arn):
        why = (
            f"the AWS managed policy {arn} is in no source: add an account snapshot that holds it "
            "(gaad:...), or read it live (--live-managed-policies)"
        )
    else:
        why = (
            f"the managed policy {arn} is not defined in any source given: add the source that defines it, or "
            "read it from the account (--live-managed-policies)"
        )
    return Unknown(ref.holder, ref.attribute, why, draft.source)
