"""The IAM and resource-policy resources of one template (AWS CloudFormation User Guide, "AWS resource and
property types reference").

IAM: ``AWS::IAM::Role`` (``AssumeRolePolicyDocument``, ``Policies``, ``ManagedPolicyArns``,
``PermissionsBoundary``), ``AWS::IAM::User`` (``Groups`` too), ``AWS::IAM::Group``, ``AWS::IAM::Policy`` and
``AWS::IAM::ManagedPolicy`` (attached through their ``Roles``, ``Users`` and ``Groups``),
``AWS::IAM::RolePolicy``, ``AWS::IAM::UserPolicy``, ``AWS::IAM::GroupPolicy``, ``AWS::IAM::UserToGroupAddition``.
Resource policies: ``AWS::S3::BucketPolicy``, ``AWS::SQS::QueuePolicy``, ``AWS::SNS::TopicPolicy``,
``AWS::KMS::Key``, ``AWS::Lambda::Permission`` (assembled into the function's policy),
``AWS::SecretsManager::ResourcePolicy``, ``AWS::ECR::Repository``.

A principal, policy or attachment is found by logical ID when the template refers to it with ``Ref`` /
``Fn::GetAtt`` (so a role whose name CloudFormation generates is still linked), and by name otherwise. A
resource whose ``Condition`` is false is not created; one whose condition cannot be known is an unknown.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from ...policy.jsontext import JsonTextError, load_json
from ...policy.model import PolicyKind
from ...policy.sourcemap import PathPart, format_path
from ..arns import queue_arn
from ..build import EntityDraft, ManagedRef, SourceDraft
from ..inventory import Origin, SourcePolicy, SourceResource, Unknown
from ..lambda_permissions import permission_statement, policy_of
from .intrinsics import NO_VALUE, Template, Unresolvable

__all__ = ["read_template"]

_ENTITY_TYPES = {"AWS::IAM::Role": "role", "AWS::IAM::User": "user", "AWS::IAM::Group": "group"}
_NAME_PROPS = {"role": "RoleName", "user": "UserName", "group": "GroupName"}
_INLINE_KINDS = {"role": PolicyKind.IDENTITY, "user": PolicyKind.USER, "group": PolicyKind.GROUP}
_SAM = "AWS::Serverless-2016-10-31"


def read_template(template: Template, source: str) -> SourceDraft:
    """Everything ``template`` says about principals and resource policies."""
    return _Reader(template, source).read()


class _Reader:
    def __init__(self, template: Template, source: str) -> None:
        self.t = template
        self.source = source
        self.entities: dict[str, EntityDraft] = {}
        self.by_name: dict[str, dict[str, EntityDraft]] = {kind: {} for kind in _NAME_PROPS}
        self.policies: list[SourcePolicy] = []
        self.unplaced: list[Unknown] = []
        self.managed_by_arn: dict[str, SourcePolicy] = {}
        self.managed_by_key: dict[str, SourcePolicy] = {}
        self.managed_unknown: dict[str, Unknown] = {}
        self.resources: list[SourceResource] = []
        self.functions: dict[str, tuple[str, list[dict[str, Any]], str]] = {}

    def read(self) -> SourceDraft:
        self.transforms()
        present = [
            (logical, resource) for logical, resource in self.t.resources.items() if self.present(logical, resource)
        ]
        for logical, resource in present:
            if resource["Type"] in _ENTITY_TYPES:
                self.entity(logical, _ENTITY_TYPES[resource["Type"]])
        for logical, resource in present:
            handler = _HANDLERS.get(resource["Type"])
            if handler is not None:
                handler(self, logical)
        for arn, (holder, statements, logical) in self.functions.items():
            where = ("Resources", logical, "Properties")
            origin = Origin(
                self.source,
                self.t.display,
                holder,
                "policy (from AWS::Lambda::Permission)",
                where,
                False,
                self.t.source_map,
            )
            policy = SourcePolicy(holder, PolicyKind.RESOURCE, policy_of(statements), origin)
            self.policies.append(policy)
            self.resources.append(SourceResource(holder, arn, "AWS::Lambda::Function", policy, (), self.source))
        principals = [e.principal() for e in self.entities.values() if e.type != "group"]
        return SourceDraft(
            source=self.source,
            principals=tuple(principals),
            resources=tuple(self.resources),
            managed_by_arn=self.managed_by_arn,
            managed_by_key=self.managed_by_key,
            managed_unknown=self.managed_unknown,
            unplaced=tuple(self.unplaced),
            policies=tuple(self.policies),
        )

    def transforms(self) -> None:
        transform = self.t.data.get("Transform")
        names = transform if isinstance(transform, list) else [transform] if transform is not None else []
        for name in names:
            if name == "AWS::LanguageExtensions":
                continue  # its functions (Fn::ToJsonString, Fn::Length, FindInMap defaults) are evaluated here
            why = f"the template still has its Transform {name}: the resources it makes are not in it"
            if name == _SAM:
                why += (
                    "; read the processed template (`sam build`, or "
                    "`aws cloudformation get-template --template-stage Processed`)"
                )
            self.unplaced.append(Unknown("Transform", str(name), why, self.source))

    def present(self, logical: str, resource: Any) -> bool:
        where = ("Resources", logical)
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            raise self.t.error("a resource is a mapping with a `Type`", where)
        if "Condition" not in resource:
            return True
        try:
            return self.t.condition(resource["Condition"], (*where, "Condition"))
        except Unresolvable as exc:
            if resource["Type"] in _HANDLERS or resource["Type"] in _ENTITY_TYPES:
                self.unplaced.append(
                    Unknown(logical, "Condition", f"whether it is created is not known: {exc.why}", self.source)
                )
            return False

    # -- documents ------------------------------------------------------------------------------------
    def document(
        self, logical: str, path: Sequence[PathPart], kind: PolicyKind, name: str
    ) -> SourcePolicy | Unknown | None:
        """The policy document at ``path`` in the resource's properties (``None``: there is none)."""
        raw: Any = self.t.properties(logical)
        for part in path:
            raw = (
                raw.get(part)
                if isinstance(raw, dict)
                else raw[part]
                if isinstance(raw, list) and isinstance(part, int) and part < len(raw)
                else None
            )
        attribute = "Properties." + format_path(path)
        where = ("Resources", logical, "Properties", *path)
        if raw is None:
            return None
        try:
            document = self.t.resolve(raw, where)
        except Unresolvable as exc:
            return Unknown(logical, attribute, exc.why, self.source)
        if document is NO_VALUE:
            return None
        embedded = isinstance(document, str)
        if embedded:
            try:
                document = load_json(document)
            except JsonTextError as exc:
                raise self.t.error(f"the policy document is not JSON: {exc.message}", where) from None
        if not isinstance(document, dict):
            raise self.t.error("a policy document must be a mapping (or JSON text)", where)
        origin = Origin(self.source, self.t.display, logical, attribute, where, embedded, self.t.source_map)
        policy = SourcePolicy(name=name, kind=kind, document=document, origin=origin)
        self.policies.append(policy)
        return policy

    # -- principals -----------------------------------------------------------------------------------
    def entity(self, logical: str, kind: str) -> None:
        try:
            arn: str | None = self.t.attribute(logical, "Arn")
            why = ""
        except Unresolvable as exc:
            arn, why = None, exc.why
        entity = EntityDraft(logical, kind, arn)
        if arn is None:
            entity.unknown.append(Unknown(logical, "arn", why, self.source))
        self.entities[logical] = entity
        with contextlib.suppress(Unresolvable):  # a generated name: found by logical ID only
            self.by_name[kind][self.t.name(logical, _NAME_PROPS[kind])] = entity
        properties = self.t.properties(logical)
        if kind == "role":
            self.keep(
                entity, self.document(logical, ("AssumeRolePolicyDocument",), PolicyKind.TRUST, logical), trust=True
            )
        for index, item in enumerate(self.listed(logical, "Policies")):
            name = item.get("PolicyName") if isinstance(item, dict) else None
            label = (
                self.t.text(name, ("Resources", logical, "Properties", "Policies", index, "PolicyName"))
                if name
                else f"Policies[{index}]"
            )
            self.keep(entity, self.document(logical, ("Policies", index, "PolicyDocument"), _INLINE_KINDS[kind], label))
        for index, item in enumerate(self.listed(logical, "ManagedPolicyArns")):
            self.attach(
                entity,
                self.policy_ref(item, logical, f"Properties.ManagedPolicyArns[{index}]", ("ManagedPolicyArns", index)),
            )
        if "PermissionsBoundary" in properties and kind != "group":
            found = self.policy_ref(
                properties["PermissionsBoundary"], logical, "Properties.PermissionsBoundary", ("PermissionsBoundary",)
            )
            if isinstance(found, Unknown):
                entity.unknown.append(found)
            elif found is not None:
                entity.boundary = found

    def listed(self, logical: str, prop: str) -> list[Any]:
        value = self.t.properties(logical).get(prop)
        if value is None:
            return []
        if isinstance(value, dict):  # an intrinsic making the list (Fn::If, Ref to a list parameter ...)
            try:
                value = self.t.resolve(value, ("Resources", logical, "Properties", prop))
            except Unresolvable as exc:
                self.unplaced.append(Unknown(logical, f"Properties.{prop}", exc.why, self.source))
                return []
        if not isinstance(value, list):
            raise self.t.error(f"`{prop}` must be a list", ("Resources", logical, "Properties", prop))
        return [item for item in value if item is not NO_VALUE]

    def target(
        self, value: Any, kind: str, holder: str, attribute: str, where: tuple[PathPart, ...]
    ) -> EntityDraft | Unknown | None:
        """The role, user or group ``value`` names: by ``Ref`` to its logical ID, or by name (``None``: one the
        template does not define)."""
        if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in self.entities:
            found = self.entities[value["Ref"]]
            return found if found.type == kind else None
        try:
            name = self.t.text(value, where)
        except Unresolvable as exc:
            return Unknown(holder, attribute, exc.why, self.source)
        return self.by_name[kind].get(name.rsplit("/", 1)[-1])

    def policy_ref(
        self, value: Any, holder: str, attribute: str, path: tuple[PathPart, ...]
    ) -> ManagedRef | Unknown | None:
        """A managed policy named by ARN, or by ``Ref``/``Fn::GetAtt PolicyArn`` to one the template defines."""
        target = _referenced(value)
        if target is not None and self.t.resources.get(target, {}).get("Type") == "AWS::IAM::ManagedPolicy":
            try:
                arn: str | None = self.t.attribute(target, "PolicyArn")
            except Unresolvable:
                arn = None
            return ManagedRef(holder, attribute, arn=arn, key=target)
        try:
            resolved = self.t.resolve(value, ("Resources", holder, "Properties", *path))
        except Unresolvable as exc:
            return Unknown(holder, attribute, exc.why, self.source)
        if resolved is NO_VALUE or resolved in ("", None):
            return None
        return ManagedRef(holder, attribute, arn=str(resolved))

    def attach(self, entity: EntityDraft | Unknown | None, ref: ManagedRef | Unknown | None) -> None:
        if isinstance(entity, Unknown):
            self.unplaced.append(entity)
        elif entity is not None:
            entity.attach(ref)

    def keep(
        self, entity: EntityDraft | Unknown | None, found: SourcePolicy | Unknown | None, *, trust: bool = False
    ) -> None:
        if isinstance(entity, Unknown):
            self.unplaced.append(entity)
        elif entity is not None:
            entity.keep(found, trust=trust)

    # -- policies and attachments ---------------------------------------------------------------------
    def targets(self, logical: str, *, each: Any) -> None:
        """Call ``each(entity_or_unknown, kind)`` for every role, user and group the resource lists."""
        for prop, kind in (("Roles", "role"), ("Users", "user"), ("Groups", "group")):
            for index, value in enumerate(self.listed(logical, prop)):
                where = ("Resources", logical, "Properties", prop, index)
                each(self.target(value, kind, logical, f"Properties.{prop}[{index}]", where), kind)

    def iam_policy(self, logical: str) -> None:
        name = self.t.properties(logical).get("PolicyName")
        label = self.t.text(name, ("Resources", logical, "Properties", "PolicyName")) if name else logical
        documents: dict[str, SourcePolicy | Unknown | None] = {}

        def each(target: EntityDraft | Unknown | None, kind: str) -> None:
            if kind not in documents:
                documents[kind] = self.document(logical, ("PolicyDocument",), _INLINE_KINDS[kind], label)
            self.keep(target, documents[kind])

        self.targets(logical, each=each)

    def managed_policy(self, logical: str) -> None:
        found = self.document(logical, ("PolicyDocument",), PolicyKind.MANAGED, logical)
        try:
            arn: str | None = self.t.attribute(logical, "PolicyArn")
        except Unresolvable:
            arn = None
        if isinstance(found, SourcePolicy):
            if "ManagedPolicyName" in self.t.properties(logical):
                found = SourcePolicy(
                    self.t.name(logical, "ManagedPolicyName"), found.kind, found.document, found.origin, arn
                )
            self.managed_by_key[logical] = found
            if arn:
                self.managed_by_arn[arn] = found
        elif isinstance(found, Unknown):
            self.managed_unknown[logical] = found
        self.targets(
            logical,
            each=lambda target, kind: self.attach(target, ManagedRef(logical, "Properties", arn=arn, key=logical)),
        )

    def single_inline(self, logical: str, prop: str, kind: str) -> None:
        properties = self.t.properties(logical)
        target = self.target(
            properties.get(prop), kind, logical, f"Properties.{prop}", ("Resources", logical, "Properties", prop)
        )
        name = properties.get("PolicyName")
        label = self.t.text(name, ("Resources", logical, "Properties", "PolicyName")) if name else logical
        self.keep(target, self.document(logical, ("PolicyDocument",), _INLINE_KINDS[kind], label))

    def user_to_group(self, logical: str) -> None:
        properties = self.t.properties(logical)
        group = self.target(
            properties.get("GroupName"),
            "group",
            logical,
            "Properties.GroupName",
            ("Resources", logical, "Properties", "GroupName"),
        )
        if isinstance(group, Unknown):
            self.unplaced.append(group)
            return
        for index, value in enumerate(self.listed(logical, "Users")):
            where = ("Resources", logical, "Properties", "Users", index)
            user = self.target(value, "user", logical, f"Properties.Users[{index}]", where)
            if isinstance(user, Unknown):
                self.unplaced.append(user)
            elif user is not None and group is not None:
                user.groups.append(group)

    def user_groups(self, logical: str) -> None:
        user = self.entities[logical]
        for index, value in enumerate(self.listed(logical, "Groups")):
            where = ("Resources", logical, "Properties", "Groups", index)
            group = self.target(value, "group", logical, f"Properties.Groups[{index}]", where)
            if isinstance(group, Unknown):
                user.unknown.append(group)
            elif group is not None:
                user.groups.append(group)

    # -- resource policies ----------------------------------------------------------------------------
    def resource_policy(self, logical: str, prop: str, cfn_type: str, arns: list[str | Unknown]) -> None:
        found = self.document(logical, (prop,), PolicyKind.RESOURCE, logical)
        if found is None:
            return
        policy = found if isinstance(found, SourcePolicy) else None
        for arn in arns:
            unknown = [a for a in (arn, found) if isinstance(a, Unknown)]
            known = arn if isinstance(arn, str) else None
            self.resources.append(
                SourceResource(logical, known, cfn_type, policy, tuple(unknown), self.source, account=self.t.account)
            )

    def resource_arn(
        self, value: Any, logical: str, attribute: str, where: tuple[PathPart, ...], *, attr: str, build: Any
    ) -> str | Unknown:
        """The ARN of the resource ``value`` names: a ``Ref`` to one in the template (its ``attr``), or a name,
        URL or ARN (through ``build``)."""
        target = _referenced(value)
        try:
            if target is not None and target in self.t.resources:
                return str(self.t.attribute(target, attr))
            return str(build(self.t.text(value, where)))
        except Unresolvable as exc:
            return Unknown(logical, attribute, exc.why, self.source)

    def bucket_policy(self, logical: str) -> None:
        where = ("Resources", logical, "Properties", "Bucket")
        arn = self.resource_arn(
            self.t.properties(logical).get("Bucket"),
            logical,
            "Properties.Bucket",
            where,
            attr="Arn",
            build=lambda name: name if name.startswith("arn:") else f"arn:{self.t.partition}:s3:::{name}",
        )
        self.resource_policy(logical, "PolicyDocument", "AWS::S3::Bucket", [arn])

    def queue_policy(self, logical: str) -> None:
        arns = [
            self.resource_arn(
                value,
                logical,
                f"Properties.Queues[{i}]",
                ("Resources", logical, "Properties", "Queues", i),
                attr="Arn",
                build=self.queue_arn,
            )
            for i, value in enumerate(self.listed(logical, "Queues"))
        ]
        self.resource_policy(logical, "PolicyDocument", "AWS::SQS::Queue", arns)

    def queue_arn(self, url: str) -> str:
        arn = queue_arn(url, self.t.partition)
        if arn is None:
            raise Unresolvable(f"{url!r} is not a queue URL")
        return arn

    def topic_policy(self, logical: str) -> None:
        arns = [
            self.resource_arn(
                value,
                logical,
                f"Properties.Topics[{i}]",
                ("Resources", logical, "Properties", "Topics", i),
                attr="TopicArn",
                build=str,
            )
            for i, value in enumerate(self.listed(logical, "Topics"))
        ]
        self.resource_policy(logical, "PolicyDocument", "AWS::SNS::Topic", arns)

    def key(self, logical: str) -> None:
        why = f"AWS chooses the ID of the key {logical} when it creates it"
        self.resource_policy(logical, "KeyPolicy", "AWS::KMS::Key", [Unknown(logical, "arn", why, self.source)])

    def secret_policy(self, logical: str) -> None:
        where = ("Resources", logical, "Properties", "SecretId")
        arn = self.resource_arn(
            self.t.properties(logical).get("SecretId"),
            logical,
            "Properties.SecretId",
            where,
            attr="Id",
            build=self.secret_arn,
        )
        self.resource_policy(logical, "ResourcePolicy", "AWS::SecretsManager::Secret", [arn])

    def secret_arn(self, value: str) -> str:
        if value.startswith("arn:"):
            return value
        raise Unresolvable(f"the secret {value!r} is named, and its ARN ends with a suffix Secrets Manager chooses")

    def repository(self, logical: str) -> None:
        try:
            arns: list[str | Unknown] = [str(self.t.attribute(logical, "Arn"))]
        except Unresolvable as exc:
            arns = [Unknown(logical, "arn", exc.why, self.source)]
        self.resource_policy(logical, "RepositoryPolicyText", "AWS::ECR::Repository", arns)

    def permission(self, logical: str) -> None:
        properties = self.t.properties(logical)
        where = ("Resources", logical, "Properties")
        target = _referenced(properties.get("FunctionName"))
        holder = target if target in self.t.resources else logical
        try:
            function = self.t.text(properties.get("FunctionName"), (*where, "FunctionName"))
            arn = function if function.startswith("arn:") else self.t.regional_arn("lambda", f"function:{function}")
            values = {
                key: self.t.text(properties[key], (*where, key)) if key in properties else None
                for key in (
                    "Action",
                    "Principal",
                    "SourceArn",
                    "SourceAccount",
                    "PrincipalOrgID",
                    "FunctionUrlAuthType",
                )
            }
        except Unresolvable as exc:
            gap = Unknown(logical, "Properties", exc.why, self.source)
            self.resources.append(SourceResource(logical, None, "AWS::Lambda::Function", None, (gap,), self.source))
            return
        statement = permission_statement(
            sid=logical,
            action=values["Action"] or "lambda:InvokeFunction",
            principal=values["Principal"] or "*",
            resource=arn,
            source_arn=values["SourceArn"],
            source_account=values["SourceAccount"],
            principal_org_id=values["PrincipalOrgID"],
            function_url_auth_type=values["FunctionUrlAuthType"],
        )
        self.functions.setdefault(arn, (holder, [], logical))[1].append(statement)


def _referenced(value: Any) -> str | None:
    """The logical ID a ``Ref`` or ``Fn::GetAtt`` names, if ``value`` is one."""
    if isinstance(value, dict) and len(value) == 1:
        ((name, argument),) = value.items()
        if name == "Ref" and isinstance(argument, str):
            return argument
        if name == "Fn::GetAtt":
            if isinstance(argument, str):
                return argument.split(".", 1)[0]
            if isinstance(argument, list) and argument and isinstance(argument[0], str):
                return argument[0]
    return None


_HANDLERS: dict[str, Any] = {
    "AWS::IAM::User": _Reader.user_groups,
    "AWS::IAM::Policy": _Reader.iam_policy,
    "AWS::IAM::ManagedPolicy": _Reader.managed_policy,
    "AWS::IAM::RolePolicy": lambda r, logical: r.single_inline(logical, "RoleName", "role"),
    "AWS::IAM::UserPolicy": lambda r, logical: r.single_inline(logical, "UserName", "user"),
    "AWS::IAM::GroupPolicy": lambda r, logical: r.single_inline(logical, "GroupName", "group"),
    "AWS::IAM::UserToGroupAddition": _Reader.user_to_group,
    "AWS::S3::BucketPolicy": _Reader.bucket_policy,
    "AWS::SQS::QueuePolicy": _Reader.queue_policy,
    "AWS::SNS::TopicPolicy": _Reader.topic_policy,
    "AWS::KMS::Key": _Reader.key,
    "AWS::SecretsManager::ResourcePolicy": _Reader.secret_policy,
    "AWS::ECR::Repository": _Reader.repository,
    "AWS::Lambda::Permission": _Reader.permission,
}
