"""Roles, users and groups in a plan, with every policy that reaches them (Terraform AWS provider resources).

- ``aws_iam_role`` (``assume_role_policy``, ``inline_policy`` blocks, ``managed_policy_arns``,
  ``permissions_boundary``), ``aws_iam_user`` (``permissions_boundary``), ``aws_iam_group``;
- inline policies: ``aws_iam_role_policy``, ``aws_iam_user_policy``, ``aws_iam_group_policy``;
- attachments: ``aws_iam_role_policy_attachment``, ``aws_iam_user_policy_attachment``,
  ``aws_iam_group_policy_attachment`` and the exclusive ``aws_iam_policy_attachment``;
- group membership: ``aws_iam_user_group_membership``, ``aws_iam_group_membership``;
- managed policies defined in the plan (``aws_iam_policy``) or read by it (``data.aws_iam_policy``).

``inline_policy`` and ``managed_policy_arns`` are also *computed* by the provider (they reflect whatever the
role has after apply, including what separate ``aws_iam_role_policy`` resources put there), so they are read
only when the configuration sets them; a role's computed value otherwise repeats the separate resources. An
attachment or inline policy that names its role by an unknown value is linked through the configuration's
references; when nothing links it, it is an unknown that concerns every principal.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ...policy.model import PolicyKind
from ..build import DraftPrincipal, EntityDraft, ManagedRef
from ..inventory import SourcePolicy, Unknown
from .documents import Documents, PlanContext
from .plan import UNKNOWN_AFTER_APPLY, Instance, Plan

__all__ = ["IamFound", "read_iam"]

_KINDS = {"aws_iam_role": "role", "aws_iam_user": "user", "aws_iam_group": "group"}


@dataclass
class IamFound:
    """What the IAM resources of a plan hold (see :class:`~iam_tester.sources.build.SourceDraft`)."""

    principals: list[DraftPrincipal] = field(default_factory=list)
    managed_by_arn: dict[str, SourcePolicy] = field(default_factory=dict)
    managed_by_key: dict[str, SourcePolicy] = field(default_factory=dict)
    managed_unknown: dict[str, Unknown] = field(default_factory=dict)
    unplaced: list[Unknown] = field(default_factory=list)


def read_iam(plan: Plan, documents: Documents, context: PlanContext) -> IamFound:
    """Every role and user of ``plan`` with its policies, and the managed policies the plan defines."""
    return _Reader(plan, documents, context).read()


class _Reader:
    def __init__(self, plan: Plan, documents: Documents, context: PlanContext) -> None:
        self.plan = plan
        self.documents = documents
        self.context = context
        self.found = IamFound()
        self.entities: dict[str, EntityDraft] = {}  # by address
        self.by_name: dict[str, dict[str, EntityDraft]] = {kind: {} for kind in _KINDS.values()}

    def read(self) -> IamFound:
        self.managed_policies()
        for instance in self.plan.of_type(*_KINDS):
            self.entity(instance)
        self.inline("aws_iam_role_policy", "role", "aws_iam_role", PolicyKind.IDENTITY)
        self.inline("aws_iam_user_policy", "user", "aws_iam_user", PolicyKind.USER)
        self.inline("aws_iam_group_policy", "group", "aws_iam_group", PolicyKind.GROUP)
        self.attachments("aws_iam_role_policy_attachment", "role", "aws_iam_role")
        self.attachments("aws_iam_user_policy_attachment", "user", "aws_iam_user")
        self.attachments("aws_iam_group_policy_attachment", "group", "aws_iam_group")
        self.exclusive_attachments()
        self.memberships()
        for entity in self.entities.values():
            if entity.type != "group":
                self.found.principals.append(entity.principal())
        return self.found

    # -- definitions ----------------------------------------------------------------------------------
    def managed_policies(self) -> None:
        for instance in self.plan.of_type("aws_iam_policy"):
            name = instance.text("name") or instance.address
            arn = instance.text("arn") or self.arn(instance, "policy")
            found = self.documents.policy(instance, ("policy",), PolicyKind.MANAGED, name)
            if isinstance(found, SourcePolicy):
                found = replace(found, arn=arn)
                self.found.managed_by_key[instance.address] = found
                if arn:
                    self.found.managed_by_arn[arn] = found
            elif isinstance(found, Unknown):
                self.found.managed_unknown[instance.address] = found
                if arn:
                    self.found.managed_unknown[arn] = found
        for instance in self.plan.of_type("aws_iam_policy", mode="data"):
            arn = instance.text("arn")
            if arn and instance.text("policy"):
                found = self.documents.policy(instance, ("policy",), PolicyKind.MANAGED, instance.text("name") or arn)
                if isinstance(found, SourcePolicy):
                    self.found.managed_by_arn.setdefault(arn, replace(found, arn=arn))

    def entity(self, instance: Instance) -> None:
        kind = _KINDS[instance.type]
        name = instance.text("name")
        arn = instance.text("arn") or self.arn(instance, kind)
        entity = EntityDraft(instance.address, kind, arn)
        if arn is None:
            entity.unknown.append(Unknown(instance.address, "arn", self.arn_why(instance), self.context.source))
        self.entities[instance.address] = entity
        if name is not None:
            self.by_name[kind][name] = entity
        if kind == "group":
            return
        if kind == "role":
            found = self.documents.policy(instance, ("assume_role_policy",), PolicyKind.TRUST, name or instance.address)
            entity.keep(found, trust=True)
            self.role_blocks(entity, instance)
        boundary = self.policy_ref(instance, "permissions_boundary", instance.address)
        if isinstance(boundary, Unknown):
            entity.unknown.append(boundary)
        else:
            entity.boundary = boundary

    def role_blocks(self, entity: EntityDraft, instance: Instance) -> None:
        """``inline_policy`` and ``managed_policy_arns`` set in the role itself (see the module's docstring)."""
        for attribute in ("inline_policy", "managed_policy_arns"):
            configured = self.plan.configured(instance, attribute)
            if configured is False:
                continue
            if instance.unknown(attribute) and instance.after_unknown.get(attribute) is True:
                if configured:
                    why = f"{UNKNOWN_AFTER_APPLY}: the configuration sets it from values the plan does not know"
                    entity.unknown.append(Unknown(instance.address, attribute, why, self.context.source))
                continue
            values = instance.values.get(attribute) or []
            if not isinstance(values, list):
                raise self.plan.error(f"{instance.address} {attribute} must be a list", (*instance.parts, attribute))
            for index, value in enumerate(values):
                if attribute == "managed_policy_arns":
                    if isinstance(value, str) and value:
                        entity.managed.append(ManagedRef(instance.address, f"{attribute}[{index}]", arn=value))
                    continue
                name = value.get("name") if isinstance(value, dict) else None
                found = self.documents.policy(
                    instance, (attribute, index, "policy"), PolicyKind.IDENTITY, name or f"inline_policy[{index}]"
                )
                entity.keep(found)

    # -- what reaches an entity -----------------------------------------------------------------------
    def inline(self, resource_type: str, attribute: str, target_type: str, kind: PolicyKind) -> None:
        for instance in self.plan.of_type(resource_type):
            target = self.target(instance, attribute, target_type)
            if target is None:
                continue
            name = instance.text("name") or instance.address
            found = self.documents.policy(instance, ("policy",), kind, name)
            if isinstance(target, Unknown):
                self.found.unplaced.append(target)
                continue
            target.keep(found)

    def attachments(self, resource_type: str, attribute: str, target_type: str) -> None:
        for instance in self.plan.of_type(resource_type):
            target = self.target(instance, attribute, target_type)
            if isinstance(target, Unknown):
                self.found.unplaced.append(target)
            elif target is not None:
                target.attach(self.policy_ref(instance, "policy_arn", instance.address))

    def exclusive_attachments(self) -> None:
        for instance in self.plan.of_type("aws_iam_policy_attachment"):
            ref = self.policy_ref(instance, "policy_arn", instance.address)
            for attribute, kind in (("roles", "role"), ("users", "user"), ("groups", "group")):
                for target in self.targets(instance, attribute, kind):
                    target.attach(ref)

    def memberships(self) -> None:
        for instance in self.plan.of_type("aws_iam_user_group_membership"):
            user = self.target(instance, "user", "aws_iam_user")
            if isinstance(user, Unknown):
                self.found.unplaced.append(user)
            elif user is not None:
                user.groups.extend(self.targets(instance, "groups", "group"))
        for instance in self.plan.of_type("aws_iam_group_membership"):
            group = self.target(instance, "group", "aws_iam_group")
            if isinstance(group, Unknown):
                self.found.unplaced.append(group)
            elif group is not None:
                for user in self.targets(instance, "users", "user"):
                    user.groups.append(group)

    # -- following names and references ---------------------------------------------------------------
    def target(self, instance: Instance, attribute: str, target_type: str) -> EntityDraft | Unknown | None:
        """The entity ``attribute`` names: by its name, or through the configuration when the name is unknown;
        ``None`` for an entity the plan does not hold (it exists outside the plan)."""
        name = instance.text(attribute)
        if name is not None:
            return self.by_name[_KINDS[target_type]].get(name)
        if not instance.unknown(attribute):
            return None
        linked = self.plan.referenced(instance, attribute, (target_type,))
        if isinstance(linked, Instance):
            return self.entities.get(linked.address)
        return Unknown(instance.address, attribute, f"{UNKNOWN_AFTER_APPLY}, and {linked}", self.context.source)

    def targets(self, instance: Instance, attribute: str, kind: str) -> list[EntityDraft]:
        """The entities a list of names designates (those the plan holds); an unknown list is unplaced."""
        if instance.unknown(attribute):
            why = f"{UNKNOWN_AFTER_APPLY}: which {kind}s it concerns is not known"
            self.found.unplaced.append(Unknown(instance.address, attribute, why, self.context.source))
            return []
        names = instance.values.get(attribute) or []
        if not isinstance(names, list):
            return []
        return [self.by_name[kind][name] for name in names if isinstance(name, str) and name in self.by_name[kind]]

    def policy_ref(self, instance: Instance, attribute: str, holder: str) -> ManagedRef | Unknown | None:
        arn = instance.text(attribute)
        if arn is not None:
            return ManagedRef(holder, attribute, arn=arn)
        if not instance.unknown(attribute):
            return None
        linked = self.plan.referenced(instance, attribute, ("aws_iam_policy",))
        if isinstance(linked, Instance):
            return ManagedRef(holder, attribute, arn=linked.text("arn"), key=linked.address)
        data = self.plan.referenced(instance, attribute, ("aws_iam_policy",), mode="data")
        if isinstance(data, Instance) and data.text("arn"):
            return ManagedRef(holder, attribute, arn=data.text("arn"))
        return Unknown(holder, attribute, f"{UNKNOWN_AFTER_APPLY}, and {linked}", self.context.source)

    def arn(self, instance: Instance, kind: str) -> str | None:
        """The ARN IAM will give a role, user, group or policy: built from its path and name and the account."""
        name, account = instance.text("name"), self.context.account
        if name is None or account is None or instance.unknown("path"):
            return None
        path = instance.text("path") or "/"
        return f"arn:{self.context.partition}:iam::{account}:{kind}{path}{name}"

    def arn_why(self, instance: Instance) -> str:
        if instance.text("name") is None:
            return f"{UNKNOWN_AFTER_APPLY}: the name is generated (name_prefix) or comes from an unknown value"
        if instance.unknown("path"):
            return f"{UNKNOWN_AFTER_APPLY}: the path is not known"
        return self.context.missing_account()
