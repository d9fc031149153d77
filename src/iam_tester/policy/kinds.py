"""What each kind of policy requires and forbids, in one table.

Every rule cites the page it comes from:

- Identity-based policies (inline, managed, boundaries) and session policies apply to whoever holds them,
  so IAM rejects a ``Principal``/``NotPrincipal`` in them. IAM User Guide, "IAM JSON policy elements:
  Principal" (reference_policies_elements_principal.html): "You cannot use the Principal element in an
  identity-based policy".
- ``NotPrincipal``: "You cannot use the NotPrincipal element in an IAM identity-based policy nor in an IAM
  role trust policy"; "NotPrincipal must be used with "Effect":"Deny""; SCPs and RCPs do not support it.
  IAM User Guide, "AWS JSON policy elements: NotPrincipal" (reference_policies_elements_notprincipal.html).
- Trust policies are resource-based policies whose resource is the role itself: they need a Principal and
  IAM rejects a Resource element ("Has prohibited field Resource"). IAM User Guide, "Roles terms and
  concepts" (role trust policy) and "IAM JSON policy elements: Resource".
- SCPs take no Principal ("SCP syntax error principal", IAM User Guide, "IAM policy validation check
  reference"); every SCP carries ``Version: 2012-10-17``; all characters, white space included, count
  towards the 5,120-character limit. AWS Organizations User Guide, "SCP syntax"
  (orgs_manage_policies_scps_syntax.html) and "Quotas and service limits for AWS Organizations".
- RCPs: Principal is required and must be ``"*"``; the elements are Version, Statement, Sid, Effect,
  Principal, Action, Resource, NotResource and Condition (no NotAction, no NotPrincipal); ``Allow`` is only
  supported for the AWS-managed ``RCPFullAWSAccess``; Version must be 2012-10-17; all characters count.
  AWS Organizations User Guide, "RCP syntax" (orgs_manage_policies_rcps_syntax.html).
- Sid: IAM policies take ASCII letters and digits only; services with resource-based policies have their
  own rules (S3 allows spaces). IAM User Guide, "IAM JSON policy elements: Sid".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .model import PolicyKind

__all__ = ["KIND_RULES", "KindRules", "infer_kind"]


@dataclass(frozen=True)
class KindRules:
    """The grammar rules that differ by kind of policy."""

    principal: str  # "forbidden", "required" or "optional"
    not_principal: bool  # may the NotPrincipal element appear at all
    resource: str  # "forbidden" or "required"
    not_action: bool = True
    principal_star_only: bool = False  # RCPs: Principal must be "*"
    allow_only_full_access: bool = False  # RCPs: Allow only in RCPFullAWSAccess
    version_required: bool = False  # Organizations policies must say Version 2012-10-17
    free_sid: bool = False  # the service, not IAM, decides what a Sid may contain
    counts_whitespace: bool = False  # Organizations counts every character towards the size limit


_IDENTITY = KindRules(principal="forbidden", not_principal=False, resource="required")

KIND_RULES: dict[PolicyKind, KindRules] = {
    PolicyKind.IDENTITY: _IDENTITY,
    PolicyKind.USER: _IDENTITY,
    PolicyKind.GROUP: _IDENTITY,
    PolicyKind.MANAGED: _IDENTITY,
    PolicyKind.BOUNDARY: _IDENTITY,
    PolicyKind.SESSION: _IDENTITY,
    PolicyKind.RESOURCE: KindRules(principal="required", not_principal=True, resource="required", free_sid=True),
    PolicyKind.TRUST: KindRules(principal="required", not_principal=False, resource="forbidden"),
    PolicyKind.SCP: KindRules(
        principal="forbidden",
        not_principal=False,
        resource="required",
        version_required=True,
        counts_whitespace=True,
    ),
    PolicyKind.RCP: KindRules(
        principal="required",
        not_principal=False,
        resource="required",
        not_action=False,
        principal_star_only=True,
        allow_only_full_access=True,
        version_required=True,
        counts_whitespace=True,
    ),
}


def infer_kind(raw: Any) -> PolicyKind:
    """The kind a document reads as when none is given: with a ``Principal`` (or ``NotPrincipal``) it is a
    resource-based policy, and a trust policy when, besides, no statement has a resource and every action is
    an ``sts:`` one; without, an identity policy. Anything that is not a policy object reads as identity (its
    errors are then reported as such)."""
    statements = raw.get("Statement") if isinstance(raw, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return PolicyKind.IDENTITY
    objects = [s for s in statements if isinstance(s, dict)]
    if not any("Principal" in s or "NotPrincipal" in s for s in objects):
        return PolicyKind.IDENTITY
    resourceless = not any("Resource" in s or "NotResource" in s for s in objects)
    return (
        PolicyKind.TRUST if resourceless and all(_sts_only(s.get("Action")) for s in objects) else PolicyKind.RESOURCE
    )


def _sts_only(action: Any) -> bool:
    actions = action if isinstance(action, list) else [action]
    return bool(actions) and all(isinstance(a, str) and a.lower().startswith("sts:") for a in actions)
