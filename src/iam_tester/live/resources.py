"""What the sandbox creates, as types: each knows how to undo itself and what to tell the user if it cannot.

A :class:`Resource` is one thing a sandbox run puts in the account — the role, its inline policy, a managed
policy attachment, a temporary boundary policy, the opt-in grant on the admin role. The undo machinery
(:mod:`.teardown`) only ever deals in these, so what is left behind, and the commands that remove it, come
from the same place as the undo itself rather than from display strings.

Deleting is ordered by IAM: DeleteRole fails with ``DeleteConflict`` while inline policies or attachments
remain, and DeletePolicy while a policy is still in use (IAM API Reference, DeleteRole and DeletePolicy).
The sandbox creates the role before its policies, so undoing in reverse order deletes them first.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .clients import CLEANUP_RETRY_CODES, call

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

__all__ = ["AdminGrant", "Resource", "RoleAttachment", "RoleInlinePolicy", "SandboxRole", "TemporaryPolicy"]


class Resource(ABC):
    """Something a sandbox run creates in the account."""

    @property
    @abstractmethod
    def undo_step(self) -> str:
        """What undoing it does, for progress: ``deleting role NAME``."""

    @property
    @abstractmethod
    def left_behind(self) -> str:
        """What stays in the account if undoing it fails: an ARN, or ``ARN (inline policy NAME)``."""

    @property
    @abstractmethod
    def remove_command(self) -> str:
        """The AWS CLI command that removes it by hand."""

    @property
    def sweep_command(self) -> str:
        """The ``iam-tester sweep`` invocation that finds and removes it once its sandbox has expired."""
        return "iam-tester sweep"

    @abstractmethod
    def undo(self, iam: IAMClient) -> None:
        """Remove it; raises :class:`~iam_tester.errors.AwsCallError` (``NoSuchEntity`` when already gone)."""


@dataclass(frozen=True)
class SandboxRole(Resource):
    """The temporary role itself."""

    name: str
    arn: str

    @property
    def undo_step(self) -> str:
        return f"deleting role {self.name}"

    @property
    def left_behind(self) -> str:
        return self.arn

    @property
    def remove_command(self) -> str:
        return f"aws iam delete-role --role-name {self.name}"

    def undo(self, iam: IAMClient) -> None:
        call(iam.delete_role, retry_codes=CLEANUP_RETRY_CODES, RoleName=self.name)


@dataclass(frozen=True)
class RoleInlinePolicy(Resource):
    """The policy under test, inline on the sandbox role: if it stays, so does the role."""

    role: SandboxRole
    policy_name: str

    @property
    def undo_step(self) -> str:
        return f"deleting inline policy {self.policy_name} of {self.role.name}"

    @property
    def left_behind(self) -> str:
        return self.role.arn

    @property
    def remove_command(self) -> str:
        return f"aws iam delete-role-policy --role-name {self.role.name} --policy-name {self.policy_name}"

    def undo(self, iam: IAMClient) -> None:
        call(
            iam.delete_role_policy,
            retry_codes=CLEANUP_RETRY_CODES,
            RoleName=self.role.name,
            PolicyName=self.policy_name,
        )


@dataclass(frozen=True)
class RoleAttachment(Resource):
    """A managed policy attached to the sandbox role: if it stays attached, the role stays too."""

    role: SandboxRole
    policy_arn: str

    @property
    def undo_step(self) -> str:
        return f"detaching {self.policy_arn} from {self.role.name}"

    @property
    def left_behind(self) -> str:
        return self.role.arn

    @property
    def remove_command(self) -> str:
        return f"aws iam detach-role-policy --role-name {self.role.name} --policy-arn {self.policy_arn}"

    def undo(self, iam: IAMClient) -> None:
        call(
            iam.detach_role_policy, retry_codes=CLEANUP_RETRY_CODES, RoleName=self.role.name, PolicyArn=self.policy_arn
        )


@dataclass(frozen=True)
class TemporaryPolicy(Resource):
    """A customer managed policy made for one run (a permissions boundary given as a document).

    It is only ever created with one version, so deleting it needs no DeletePolicyVersion first.
    """

    name: str
    arn: str

    @property
    def undo_step(self) -> str:
        return f"deleting policy {self.name}"

    @property
    def left_behind(self) -> str:
        return self.arn

    @property
    def remove_command(self) -> str:
        return f"aws iam delete-policy --policy-arn {self.arn}"

    def undo(self, iam: IAMClient) -> None:
        call(iam.delete_policy, retry_codes=CLEANUP_RETRY_CODES, PolicyArn=self.arn)


@dataclass(frozen=True)
class AdminGrant(Resource):
    """The seed's opt-in "may assume the sandbox role" inline policy on the admin role (not ours: only the
    policy is removed, never the role). ``sweep`` finds it through the sandbox role's ``grant-on`` tag or
    an admin role named to it."""

    admin_role_name: str
    admin_role_arn: str
    policy_name: str

    @property
    def undo_step(self) -> str:
        return f"removing the grant {self.policy_name} from role {self.admin_role_name}"

    @property
    def left_behind(self) -> str:
        return f"{self.admin_role_arn} (inline policy {self.policy_name})"

    @property
    def remove_command(self) -> str:
        return f"aws iam delete-role-policy --role-name {self.admin_role_name} --policy-name {self.policy_name}"

    @property
    def sweep_command(self) -> str:
        return f"iam-tester sweep --admin-role-arn {self.admin_role_arn}"

    def undo(self, iam: IAMClient) -> None:
        call(
            iam.delete_role_policy,
            retry_codes=CLEANUP_RETRY_CODES,
            RoleName=self.admin_role_name,
            PolicyName=self.policy_name,
        )
