"""Creating the sandbox: the role, its policies, an optional temporary boundary and the opt-in grant.

Every create runs inside :meth:`~.teardown.Teardown.creating`, so its undo is registered *before* the
request goes out (see :mod:`.teardown`); cleanup then removes exactly what exists, in reverse order. Only
what this run created is ever deleted: the names are fresh and random, and an entity found under one of
them is adopted only if it carries exactly this run's tags.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import AwsCallError
from ..policy import VERSION_2012, compact_json
from .clients import call, collect
from .naming import (
    DESCRIPTION,
    INLINE_POLICY_NAME,
    MAX_SESSION_DURATION,
    ROLE_PATH,
    boundary_policy_name,
    grant_policy_name,
    tags,
    tags_of,
)
from .resources import AdminGrant, RoleAttachment, RoleInlinePolicy, SandboxRole, TemporaryPolicy
from .teardown import Created, Registered, Teardown
from .trust import TrustPolicy

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_iam.type_defs import TagTypeDef

__all__ = ["RoleSpec", "build_role"]


@dataclass(frozen=True)
class RoleSpec:
    """What to create: the role, its trust, its policies, and the optional boundary document and grant.

    ``account`` and ``partition`` are where the role is made (the acting principal's account), so that its
    ARN — and the undo that deletes it — is known before CreateRole is sent.
    """

    name: str
    account: str
    partition: str
    trust: TrustPolicy
    policy_json: str
    created_by: str
    created_at: datetime
    expires: datetime
    duration_seconds: int
    managed_policy_arns: Sequence[str] = ()
    permissions_boundary_arn: str | None = None
    boundary_policy_json: str | None = None  # a document to make into a temporary boundary policy
    grant_to_role_arn: str | None = None  # the admin role to give the seed's "may assume" policy

    @property
    def role_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:role{ROLE_PATH}{self.name}"

    @property
    def grant_to_role_name(self) -> str | None:
        return None if self.grant_to_role_arn is None else self.grant_to_role_arn.rsplit("/", 1)[-1]

    def tags(self) -> list[TagTypeDef]:
        return tags(created_by=self.created_by, expires=self.expires, grant_on=self.grant_to_role_name)


def build_role(
    iam: Callable[[], IAMClient], spec: RoleSpec, teardown: Teardown, report: Callable[[str, str], None]
) -> str:
    """Create the boundary policy, role, inline policy, attachments and grant; return the role ARN.

    ``iam`` returns the client to use at the time of each call (an admin role's credentials may be renewed).
    """
    boundary_arn = spec.permissions_boundary_arn
    if spec.boundary_policy_json is not None:
        boundary_arn = _create_boundary(iam, spec, spec.boundary_policy_json, teardown, report)

    role = SandboxRole(spec.name, spec.role_arn)
    report("create", f"creating role {ROLE_PATH}{spec.name}")
    with teardown.creating(role) as entry:
        _create_role(iam, spec, boundary_arn, entry)

    with teardown.creating(RoleInlinePolicy(role, INLINE_POLICY_NAME)):
        call(iam().put_role_policy, RoleName=spec.name, PolicyName=INLINE_POLICY_NAME, PolicyDocument=spec.policy_json)

    for arn in spec.managed_policy_arns:
        with teardown.creating(RoleAttachment(role, arn)):
            call(iam().attach_role_policy, RoleName=spec.name, PolicyArn=arn)

    if spec.grant_to_role_arn is not None:
        _grant(iam, spec, admin_arn=spec.grant_to_role_arn, teardown=teardown, report=report)
    return role.arn


def _create_role(iam: Callable[[], IAMClient], spec: RoleSpec, boundary_arn: str | None, entry: Registered) -> None:
    params: dict[str, Any] = {
        "RoleName": spec.name,
        "Path": ROLE_PATH,
        "AssumeRolePolicyDocument": spec.trust.to_json(),
        "Description": DESCRIPTION,
        # AssumeRole's DurationSeconds may not exceed the role's MaxSessionDuration.
        "MaxSessionDuration": max(MAX_SESSION_DURATION, spec.duration_seconds),
        "Tags": spec.tags(),
    }
    if boundary_arn is not None:
        params["PermissionsBoundary"] = boundary_arn
    try:
        call(iam().create_role, **params)
    except AwsCallError as exc:
        # A retried CreateRole whose first attempt did reach IAM answers EntityAlreadyExists. The name is
        # fresh and random, so the role is ours if it carries exactly our tags: adopt it (so it gets
        # cleaned up). Until that is confirmed it is never touched, and anything else is left alone.
        if exc.code != "EntityAlreadyExists":
            raise
        entry.mark(Created.NOT_OURS)
        existing = call(iam().get_role, RoleName=spec.name)["Role"]
        existing_tags = tags_of(collect(iam(), "list_role_tags", "Tags", RoleName=spec.name))
        if existing.get("Path") != ROLE_PATH or existing_tags != tags_of(spec.tags()):
            entry.mark(Created.NO)  # nothing of this run's exists under that name
            exc.hint = f"a role named {spec.name} exists and was not made by this run; it was left alone"
            raise
        entry.mark(Created.YES)


def _create_boundary(
    iam: Callable[[], IAMClient],
    spec: RoleSpec,
    document: str,
    teardown: Teardown,
    report: Callable[[str, str], None],
) -> str:
    """A temporary customer managed policy to serve as the role's permissions boundary (under /iam-tester/,
    tagged like the role, so that sweep finds it if this run cannot delete it)."""
    name = boundary_policy_name(spec.name)
    policy = TemporaryPolicy(name, f"arn:{spec.partition}:iam::{spec.account}:policy{ROLE_PATH}{name}")
    report("create", f"creating the boundary policy {ROLE_PATH}{name}")
    with teardown.creating(policy):
        call(
            iam().create_policy,
            PolicyName=name,
            Path=ROLE_PATH,
            PolicyDocument=document,
            Description="Temporary permissions boundary made by iam-tester; deleted on exit (else `iam-tester sweep`).",
            Tags=tags(created_by=spec.created_by, expires=spec.expires),
        )
    return policy.arn


def _grant(
    iam: Callable[[], IAMClient],
    spec: RoleSpec,
    *,
    admin_arn: str,
    teardown: Teardown,
    report: Callable[[str, str], None],
) -> None:
    """The seed's symmetric grant, opt-in: an inline policy on the admin role allowing it to assume the sandbox role."""
    admin = admin_arn.rsplit("/", 1)[-1]
    name = grant_policy_name(spec.name)
    document = {
        "Version": VERSION_2012,
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": spec.role_arn}],
    }
    report("create", f"granting role {admin} sts:AssumeRole on {spec.name} (--grant-admin-role)")
    with teardown.creating(AdminGrant(admin, admin_arn, name)):
        call(iam().put_role_policy, RoleName=admin, PolicyName=name, PolicyDocument=compact_json(document))
