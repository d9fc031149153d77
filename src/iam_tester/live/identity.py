"""Who is calling: the principal behind the session's credentials, and how a trust policy names it.

A trust policy must name exactly the calling principal (IAM User Guide, "AWS JSON policy elements:
Principal"): an IAM user by its ARN; a role session by its *role's* ARN, including the role's path
(``arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123``)
— the session ARN ``arn:aws:sts::…:assumed-role/NAME/SESSION`` drops the path, so it is looked up with
``iam:GetRole``; the account root only when the caller is the root user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import AwsCallError, SandboxError
from ..policy.arns import IAM_PRINCIPAL_ARN
from .clients import Actor, call, session_or_default

if TYPE_CHECKING:
    import boto3

__all__ = ["CallerIdentity", "identify", "parse_principal_arn", "whoami"]


@dataclass(frozen=True)
class CallerIdentity:
    """The calling principal, as ``sts:GetCallerIdentity`` reports it, plus the role ARN with path.

    ``kind`` is ``user``, ``assumed-role``, ``root``, ``federated-user`` or ``other``; ``role_arn``
    is set for an ``assumed-role`` session (the role's ARN with its path).
    """

    arn: str
    account: str
    user_id: str
    kind: str
    partition: str
    role_arn: str | None = None
    role_name: str | None = None
    session_name: str | None = None

    @property
    def is_role_session(self) -> bool:
        """True for an assumed-role session: assuming another role from it is role chaining."""
        return self.kind == "assumed-role"

    @property
    def trust_principal(self) -> str:
        """The ARN a trust policy must name so that this caller may assume the role."""
        if self.kind == "assumed-role" and self.role_arn:
            return self.role_arn
        if self.kind in {"user", "root"}:
            return self.arn
        raise SandboxError(
            f"the caller {self.arn} cannot assume roles ({self.kind} credentials)",
            hint="use credentials of an IAM user or a role, or pass --admin-role-arn with a role you may assume",
        )


def parse_principal_arn(arn: str) -> tuple[str, str, str, str]:
    """``(partition, service, account, resource)`` of an IAM/STS principal ARN; ValueError if it is not one."""
    match = IAM_PRINCIPAL_ARN.match(arn)
    if not match:
        raise ValueError(f"not an IAM or STS principal ARN: {arn!r}")
    return match["partition"], match["service"], match["account"], match["resource"]


def identify(actor: Actor) -> CallerIdentity:
    """The identity behind ``actor``'s credentials (one ``GetCallerIdentity``; one ``GetRole`` for a session)."""
    reply = call(actor.sts().get_caller_identity)
    arn, account, user_id = reply["Arn"], reply["Account"], reply["UserId"]
    partition, service, _, resource = parse_principal_arn(arn)
    if service == "sts" and resource.startswith("assumed-role/"):
        _, role_name, session = resource.split("/", 2)
        # The session ARN has no path; the trust policy needs the role's real ARN (SSO roles live
        # under /aws-reserved/sso.amazonaws.com/...). Reading it needs iam:GetRole on the caller's role.
        try:
            role = call(actor.iam().get_role, RoleName=role_name)["Role"]
        except AwsCallError as exc:
            exc.hint = (
                f"the sandbox names your role {role_name} in the new role's trust policy and needs its path: "
                "allow iam:GetRole on it, or pass --admin-role-arn with a role you may assume"
            )
            raise
        return CallerIdentity(arn, account, user_id, "assumed-role", partition, role["Arn"], role_name, session)
    if service == "iam" and resource == "root":
        return CallerIdentity(arn, account, user_id, "root", partition)
    if service == "iam" and resource.startswith("user/"):
        return CallerIdentity(arn, account, user_id, "user", partition)
    if service == "sts" and resource.startswith("federated-user/"):
        return CallerIdentity(arn, account, user_id, "federated-user", partition)
    return CallerIdentity(arn, account, user_id, "other", partition)


def whoami(session: boto3.Session | None = None) -> CallerIdentity:
    """The principal behind ``session`` (default: a new ``boto3.Session()``), with its role's ARN and path."""
    return identify(Actor(session_or_default(session)))
