"""What AWS decides whatever the policies say: a call that needs no permission, and resources AWS protects.

Each rule gives the decision, the reason and the page it comes from:

- ``sts:GetCallerIdentity``: "No permissions are required to perform this operation. If an administrator
  attaches a policy to your identity that explicitly denies access to the sts:GetCallerIdentity action, you
  can still perform this operation" (STS API Reference, GetCallerIdentity). Allowed.
- AWS managed policies (``arn:aws:iam::aws:policy/...``): "You cannot change the permissions defined in AWS
  managed policies" (IAM User Guide, "AWS managed policies"). Changing one is denied.
- Roles of IAM Identity Center (path ``/aws-reserved/sso.amazonaws.com/``) are managed by Identity Center and
  cannot be changed through IAM (IAM Identity Center User Guide, "Permission sets": "you can't modify the
  roles ... in IAM"). Service-linked roles (path ``/aws-service-role/``) are changed only by their service;
  IAM lets you edit the description and delete them with ``DeleteServiceLinkedRole`` (IAM User Guide, "Using
  service-linked roles"). Changing either through other IAM calls is denied.
- KMS aliases beginning ``alias/aws/`` are reserved for AWS managed keys: "The alias name cannot begin with
  aws/" (KMS Developer Guide, "Create an alias"). Creating, changing or deleting one is denied.

A protection is an ``explicitDeny`` that names no statement: no policy can allow it.
"""

from __future__ import annotations

from .combine import Verdict
from .results import Decision

__all__ = ["protection"]

_GET_CALLER_IDENTITY = (
    "sts:GetCallerIdentity needs no permission: AWS allows it even when a policy denies it "
    "(https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)"
)
_MANAGED_POLICY = (
    "AWS managed policies cannot be changed "
    "(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies)"
)
_SSO_ROLE = (
    "roles of IAM Identity Center (/aws-reserved/sso.amazonaws.com/) cannot be changed through IAM "
    "(https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html)"
)
_SERVICE_LINKED = (
    "service-linked roles (/aws-service-role/) are changed only by their service; IAM can edit the description or "
    "DeleteServiceLinkedRole (https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html)"
)
_AWS_ALIAS = (
    "KMS aliases beginning alias/aws/ are reserved for AWS managed keys "
    "(https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html)"
)

_POLICY_CHANGES = frozenset(
    f"iam:{a}"
    for a in (
        "createpolicyversion",
        "deletepolicy",
        "deletepolicyversion",
        "setdefaultpolicyversion",
        "tagpolicy",
        "untagpolicy",
    )
)
_ROLE_CHANGES = frozenset(
    f"iam:{a}"
    for a in (
        "attachrolepolicy",
        "detachrolepolicy",
        "putrolepolicy",
        "deleterolepolicy",
        "updateassumerolepolicy",
        "updaterole",
        "updateroledescription",
        "deleterole",
        "putrolepermissionsboundary",
        "deleterolepermissionsboundary",
        "tagrole",
        "untagrole",
    )
)
# What IAM lets anyone (with permission) do to a service-linked role.
_SERVICE_LINKED_ALLOWED = frozenset({"iam:updateroledescription"})
_ALIAS_CHANGES = frozenset({"kms:createalias", "kms:deletealias", "kms:updatealias"})
_ACTIONS = frozenset({"sts:getcalleridentity", *_POLICY_CHANGES, *_ROLE_CHANGES, *_ALIAS_CHANGES})


def protection(action: str, resource: str) -> Verdict | None:
    """AWS's own decision for ``action`` (lower-cased) on ``resource`` when no policy can change it, or ``None``."""
    if action not in _ACTIONS:
        return None
    if action == "sts:getcalleridentity":
        return Verdict(Decision.ALLOWED, (), f"allowed: {_GET_CALLER_IDENTITY}", {})
    parts = resource.split(":", 5)
    if len(parts) != 6:
        return None
    account, name = parts[4], parts[5]
    if action in _POLICY_CHANGES and account == "aws" and name.startswith("policy/"):
        return _denied(_MANAGED_POLICY)
    if action in _ROLE_CHANGES and name.startswith("role/aws-reserved/sso.amazonaws.com/"):
        return _denied(_SSO_ROLE)
    if action in _ROLE_CHANGES and action not in _SERVICE_LINKED_ALLOWED and name.startswith("role/aws-service-role/"):
        return _denied(_SERVICE_LINKED)
    if action in _ALIAS_CHANGES and name.startswith("alias/aws/"):
        return _denied(_AWS_ALIAS)
    return None


def _denied(reason: str) -> Verdict:
    return Verdict(Decision.EXPLICIT_DENY, (), f"explicitDeny: {reason}", {})
