"""What AWS decides beyond the policies: a call that needs no permission, resources AWS protects, and requests
that only the resource's own policy can open. One table, :data:`AWS_RULES`, read by the evaluator
(:func:`protection`, :func:`resource_policy_required`) and by the analysis, which must treat the actions a rule
concerns apart from the others and look at resources on both sides of its patterns.

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
- KMS key policies and role trust policies "must explicitly allow access for principals" ("How AWS
  enforcement code logic evaluates requests to allow or deny access"): for KMS actions and the actions a
  trust policy decides, a resource policy that is given must allow on its own terms; and "unless the key
  policy explicitly allows it, you cannot use IAM policies to allow access to a KMS key" (KMS Developer Guide,
  "Key policies"), so a request on a key needs its key policy even when none is given. (A request on a role
  with no trust policy given is left to the identity policies: the trust policy is simply not modelled then.)

A protection (``allowed`` or ``explicitDeny``) names no statement: no policy can change it. The protections
are for authenticated callers; an anonymous caller is decided by the policies alone.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .._cache import BoundedCache
from .combine import Verdict
from .matching import ActionMatcher, compile_actions
from .results import Decision
from .wildcard import arn_regex, plain

__all__ = ["AWS_RULES", "TRUST_ACTIONS", "AwsRule", "RuleEffect", "protection", "resource_policy_required", "rules_for"]

# The actions a role's trust policy decides (lower-cased).
TRUST_ACTIONS = frozenset(
    {
        "sts:assumerole",
        "sts:assumerolewithsaml",
        "sts:assumerolewithwebidentity",
        "sts:tagsession",
        "sts:setsourceidentity",
        "sts:setcontext",
    }
)


class RuleEffect(enum.Enum):
    ALLOW = "allowed"  # AWS allows, whatever the policies say
    DENY = "explicitDeny"  # AWS denies, whatever the policies say
    OWN_POLICY = "own-policy"  # the resource's own policy must allow (a key policy, a role's trust policy)


@dataclass(frozen=True)
class AwsRule:
    """One rule of AWS's beyond the policies, for the actions ``actions`` matches.

    ``resources`` are ARN patterns, each of the six colon-separated parts matched on its own (as ``ArnLike``
    does; a ``*`` in the last part may cover anything): for ``ALLOW``/``DENY``, the resources the rule
    protects (``None``: every resource); for ``OWN_POLICY``, the resources that need their own policy even when
    none is given (with one given, it must allow on every resource).

    Each action pattern names its service (``kms:*``, not ``*`` or ``*:Get*``): :func:`rules_for` looks only
    at the services the rules name, so a rule that could match any service would silently never apply to most
    actions. A rule that does not raises :class:`ValueError` when it is built (at import, for the table).
    """

    name: str
    effect: RuleEffect
    action_patterns: tuple[str, ...]
    resources: tuple[str, ...] | None
    reason: str  # what the rule says, with its page
    actions: ActionMatcher = field(init=False, repr=False, compare=False)
    services: frozenset[str] = field(init=False, repr=False, compare=False)
    _resource_test: Callable[[str], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        actions = compile_actions(self.action_patterns, negated=False)
        services = actions.services
        if services is None:
            raise ValueError(
                f"AWS rule {self.name!r}: every action pattern must name its service, got {self.action_patterns}"
            )
        object.__setattr__(self, "actions", actions)
        object.__setattr__(self, "services", services)
        regexes = [self.resource_regex(p) for p in self.resources or ()]
        object.__setattr__(self, "_resource_test", lambda r: any(x.fullmatch(r) is not None for x in regexes))

    @staticmethod
    def resource_regex(pattern: str) -> re.Pattern[str]:
        """The regular expression of one of ``resources`` (the analysis builds its automata from it)."""
        return arn_regex(plain(pattern), trailing_star_crosses_colons=False)

    def covers(self, resource: str) -> bool:
        """Does the rule concern a request on ``resource``?"""
        return self.resources is None or self._resource_test(resource)


def _changes(*names: str) -> tuple[str, ...]:
    return tuple(f"iam:{name}" for name in names)


_POLICY_CHANGES = _changes(
    "CreatePolicyVersion", "DeletePolicy", "DeletePolicyVersion", "SetDefaultPolicyVersion", "TagPolicy", "UntagPolicy"
)
# What IAM lets anyone (with permission) do to a service-linked role: edit its description.
_ROLE_CHANGES_BUT_DESCRIPTION = _changes(
    "AttachRolePolicy",
    "DetachRolePolicy",
    "PutRolePolicy",
    "DeleteRolePolicy",
    "UpdateAssumeRolePolicy",
    "UpdateRole",
    "DeleteRole",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
    "TagRole",
    "UntagRole",
)

AWS_RULES: tuple[AwsRule, ...] = (
    AwsRule(
        "no-permission-needed",
        RuleEffect.ALLOW,
        ("sts:GetCallerIdentity",),
        None,
        "sts:GetCallerIdentity needs no permission: AWS allows it even when a policy denies it "
        "(https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)",
    ),
    AwsRule(
        "aws-managed-policy",
        RuleEffect.DENY,
        _POLICY_CHANGES,
        ("arn:*:*:*:aws:policy/*",),
        "AWS managed policies cannot be changed "
        "(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies)",
    ),
    AwsRule(
        "identity-center-role",
        RuleEffect.DENY,
        (*_ROLE_CHANGES_BUT_DESCRIPTION, "iam:UpdateRoleDescription"),
        ("arn:*:*:*:*:role/aws-reserved/sso.amazonaws.com/*",),
        "roles of IAM Identity Center (/aws-reserved/sso.amazonaws.com/) cannot be changed through IAM "
        "(https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html)",
    ),
    AwsRule(
        "service-linked-role",
        RuleEffect.DENY,
        _ROLE_CHANGES_BUT_DESCRIPTION,
        ("arn:*:*:*:*:role/aws-service-role/*",),
        "service-linked roles (/aws-service-role/) are changed only by their service; IAM can edit the "
        "description or DeleteServiceLinkedRole "
        "(https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html)",
    ),
    AwsRule(
        "aws-alias",
        RuleEffect.DENY,
        ("kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"),
        ("arn:*:*:*:*:alias/aws/*",),
        "KMS aliases beginning alias/aws/ are reserved for AWS managed keys "
        "(https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html)",
    ),
    AwsRule(
        "key-policy",
        RuleEffect.OWN_POLICY,
        ("kms:*",),
        ("arn:*:kms:*:*:key/*",),
        "a KMS key's policy must allow the request or delegate to the account (the default key policy does): "
        "IAM policies alone cannot (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html)",
    ),
    AwsRule(
        "trust-policy",
        RuleEffect.OWN_POLICY,
        tuple(sorted(TRUST_ACTIONS)),
        (),
        "a role's trust policy must allow the caller, or trust its account for its own policies to decide "
        "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html)",
    ),
)

_BY_ACTION: BoundedCache[str, tuple[AwsRule, ...]] = BoundedCache(4096)
# The services the rules name: an action of any other service has no rule (the analysis asks for every catalog
# action, far more than the cache holds).
_SERVICES = frozenset(service for rule in AWS_RULES for service in rule.services)


def rules_for(action: str) -> tuple[AwsRule, ...]:
    """The rules that concern ``action`` (lower-cased), in :data:`AWS_RULES` order."""
    found = _BY_ACTION.get(action)
    if found is None:
        if action.partition(":")[0] not in _SERVICES:
            return ()
        found = _BY_ACTION.put(action, tuple(rule for rule in AWS_RULES if rule.actions.matches(action)))
    return found


def protection(action: str, resource: str) -> Verdict | None:
    """AWS's own decision for ``action`` (lower-cased) on ``resource`` when no policy can change it, or ``None``."""
    rules = _BY_ACTION.get(action)  # the hot path: most actions have no rule
    if rules is None:
        rules = rules_for(action)
    for rule in rules:
        if rule.effect is not RuleEffect.OWN_POLICY and rule.covers(resource):
            decision = Decision(rule.effect.value)
            return Verdict(decision, (), f"{decision.value}: {rule.reason}", {})
    return None


def resource_policy_required(action: str, resource: str, *, given: bool) -> bool:
    """Must the resource's own policy allow ``action`` (lower-cased) on ``resource`` explicitly? ``given``: a
    resource policy takes part in the request."""
    rules = _BY_ACTION.get(action)
    if rules is None:
        rules = rules_for(action)
    return bool(rules) and any(r.effect is RuleEffect.OWN_POLICY and (given or r.covers(resource)) for r in rules)
