"""Security findings: statements IAM accepts that give away more than anyone should hold.

Each finding says what could happen and how to fix it; docs/validate.md cites the page behind each.

- ``full-admin``: ``Allow`` of every action on every resource in a policy a principal holds. IAM User Guide,
  "Security best practices in IAM" ("Apply least-privilege permissions").
- ``privilege-escalation``: actions that let the holder raise their own permissions, allowed on every
  resource: IAM's "Permissions management" actions that grant (the catalog's access level: attach, put,
  create or set a policy version, update a trust policy, remove a permissions boundary) and the documented
  escalation paths beside them, the ``iam:`` entries of the documented risky-actions list (:mod:`.risky`) —
  ``iam:PassRole`` without ``iam:PassedToService`` ("Granting a user permissions to pass a role to an AWS
  service"), creating access keys or console passwords for other users, adding a user to a group (Rhino
  Security Labs, "AWS IAM Privilege Escalation - Methods and Mitigation").
- ``public-access``: a resource-based or trust policy that allows ``"*"`` (or ``{"AWS": "*"}``) with no
  condition that narrows the caller to an organization, account, source or network. IAM User Guide,
  "AWS JSON policy elements: Principal" ("we strongly recommend that you do not use a wildcard ... unless you
  intend to grant public or anonymous access") and "AWS global condition context keys". A Deny is fine.
- ``oidc-trust-without-subject``: a role trusting an OIDC provider with no condition on its ``sub`` claim:
  ``aud`` is the same for every user of the provider, so any repository, pipeline or service account of
  anyone can assume the role. IAM User Guide, "Configuring a role for GitHub OIDC identity provider"
  ("the condition ... sub ... is required") and "Create a role for OpenID Connect federation".
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from .findings import Finding, Severity
from .model import ConditionEntry, Effect, PolicyDocument, PolicyKind, Statement
from .operators import SetQualifier
from .paths import Locator
from .risky import PRIVILEGE_ESCALATION, risky_actions

if TYPE_CHECKING:
    from .catalog import Catalog

__all__ = ["NARROWING_KEYS", "security_findings"]

_HELD = frozenset({PolicyKind.IDENTITY, PolicyKind.USER, PolicyKind.GROUP, PolicyKind.MANAGED})
_WITH_PRINCIPAL = frozenset({PolicyKind.RESOURCE, PolicyKind.TRUST})

# Permissions-management actions that only take permissions away (they do not escalate), except removing a
# permissions boundary, which lifts a limit.
_REMOVING = ("Delete", "Detach")
_LIFTS_A_LIMIT = frozenset({"deleterolepermissionsboundary", "deleteuserpermissionsboundary"})

# Resource patterns that name every IAM entity of a kind (in any account).
_EVERY = frozenset({"*", "role/*", "user/*", "group/*", "policy/*"})

NARROWING_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:SourceOwner",
        "aws:SourceVpce",
        "aws:SourceVpc",
        "aws:SourceIp",
        "aws:userid",
        "aws:username",
        "kms:CallerAccount",
        "s3:DataAccessPointAccount",
        "s3:DataAccessPointArn",
        "sts:ExternalId",
    )
)
"""Condition keys that narrow who the caller can be (or where from). A principal tag does not: anyone can tag
the principals of their own account."""

# Identity providers whose audience is yours alone (a Cognito identity pool ID): aud does narrow there.
_OWN_AUDIENCE = frozenset({"cognito-identity.amazonaws.com"})
_WEB_IDENTITY_ACTIONS = ("sts:assumerolewithwebidentity",)


def security_findings(document: PolicyDocument, locator: Locator, catalog: Catalog | None) -> list[Finding]:
    """The security findings for ``document`` (``catalog``: to expand action wildcards; ``None`` skips the
    privilege-escalation check, which needs it)."""
    findings: list[Finding] = []
    for statement in document.statements:
        if statement.effect is not Effect.ALLOW or statement.action is None:
            continue
        if document.kind in _HELD:
            findings.extend(_full_admin(statement, locator))
            if catalog is not None:
                findings.extend(_escalation(statement, locator, catalog))
        if document.kind in _WITH_PRINCIPAL:
            findings.extend(_public(statement, locator, document.kind))
        if document.kind is PolicyKind.TRUST:
            findings.extend(_oidc(statement, locator))
    return findings


def _every_action(actions: Iterable[str]) -> bool:
    return any(a in ("*", "*:*") for a in actions)


def _full_admin(statement: Statement, locator: Locator) -> list[Finding]:
    if not _every_action(statement.action or ()) or "*" not in (statement.resource or ()):
        return []
    return [
        locator.finding(
            Severity.WARNING,
            "full-admin",
            "Allow of every action on every resource: whoever holds this policy can do anything in the account, "
            "including granting themselves and others more; grant the actions and resources the task needs",
            (*locator.statement(statement), "Action"),
            key=True,
        )
    ]


def _escalating(catalog: Catalog) -> list[str]:
    actions = [
        info.full_name
        for info in catalog.actions("iam").values()
        if "Permissions management" in info.access_level
        and (not info.name.startswith(_REMOVING) or info.name.lower() in _LIFTS_A_LIMIT)
    ]
    # The documented list (shared with ``access``) adds the paths the catalog files under "Write" rather than
    # "Permissions management" (iam:PassRole, iam:CreateAccessKey ...). Only its iam: entries: this finding
    # judges IAM actions on every IAM entity; the other services' entries act through roles that already exist
    # (sts:AssumeRole, ssm:SendCommand ...), and ``access`` calls those out.
    documented = [
        risk.action
        for risk in risky_actions().values()
        if risk.category == PRIVILEGE_ESCALATION and risk.action.lower().startswith("iam:")
    ]
    return sorted({*actions, *documented})


def _on_everything(resources: tuple[str, ...] | None) -> bool:
    for resource in resources or ():
        if resource == "*":
            return True
        parts = resource.split(":", 5)
        if len(parts) == 6 and parts[2] in ("iam", "*") and parts[5] in _EVERY:
            return True
    return False


def _escalation(statement: Statement, locator: Locator, catalog: Catalog) -> list[Finding]:
    actions = statement.action or ()
    if _every_action(actions) or not _on_everything(statement.resource):
        return []
    found = [
        name
        for name in _escalating(catalog)
        if any(fnmatchcase(name.lower(), pattern.lower()) for pattern in actions)
        and not (name == "iam:PassRole" and _narrowed(statement.conditions, ("iam:passedtoservice",)))
    ]
    if not found:
        return []
    shown = ", ".join(found[:4]) + (f" and {len(found) - 4} more" if len(found) > 4 else "")
    how = (
        "; to let a service use roles, add a condition on iam:PassedToService"
        if found == ["iam:PassRole"]
        else "; name the roles, users and policies it may manage"
    )
    return [
        locator.finding(
            Severity.WARNING,
            "privilege-escalation",
            f"{shown} on every resource lets whoever holds this policy give themselves more permissions (pass an "
            f"admin role to a service, attach or rewrite a policy, make keys for another user){how}",
            (*locator.statement(statement), "Action"),
            key=True,
        )
    ]


def _narrowed(conditions: tuple[ConditionEntry, ...], keys: Iterable[str]) -> bool:
    """Does some condition require one of ``keys`` to match given values (so a request without the key, or
    with any other value, fails)? Negated operators, ``...IfExists``, ``ForAllValues`` and values that are
    only wildcards do not narrow."""
    wanted = frozenset(keys)
    for entry in conditions:
        operator = entry.operator
        if entry.key.lower() not in wanted or operator.base.negated or operator.if_exists:
            continue
        if operator.qualifier is SetQualifier.FOR_ALL_VALUES or operator.base.name == "Null":
            continue
        if all(set(value) <= {"*", "?"} for value in entry.values):
            continue
        return True
    return False


def _public(statement: Statement, locator: Locator, kind: PolicyKind) -> list[Finding]:
    everyone = [p for p in statement.principal or () if p.value == "*" and p.kind in ("*", "AWS")]
    if not everyone or _narrowed(statement.conditions, NARROWING_KEYS):
        return []
    actions = ", ".join((statement.action or ())[:3])
    what = "assume this role" if kind is PolicyKind.TRUST else f"call {actions} on this resource"
    return [
        locator.finding(
            Severity.WARNING,
            "public-access",
            f'Principal "*" with no condition that narrows the caller: anyone (any AWS account, and anonymous '
            f"callers where the service allows them) can {what}; name the principals, or add a condition on "
            "aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceArn, aws:SourceAccount or aws:SourceVpce",
            (*locator.statement(statement), "Principal"),
            key=True,
        )
    ]


def _oidc(statement: Statement, locator: Locator) -> list[Finding]:
    actions = [a.lower() for a in statement.action or ()]
    if not any(fnmatchcase(target, a) for a in actions for target in _WEB_IDENTITY_ACTIONS):
        return []
    findings = []
    for principal in statement.principal or ():
        if principal.kind != "Federated":
            continue
        host = principal.value.split(":oidc-provider/", 1)[1] if ":oidc-provider/" in principal.value else None
        if host is None or host in _OWN_AUDIENCE:
            continue
        if _narrowed(statement.conditions, (f"{host}:sub".lower(),)):
            continue
        findings.append(
            locator.finding(
                Severity.WARNING,
                "oidc-trust-without-subject",
                f"this role trusts the OIDC provider {host} without a condition on {host}:sub: the audience (aud) "
                "is the same for everyone who uses the provider, so any of their workloads (any GitHub "
                f"repository, GitLab project or cluster service account) can assume it; add StringEquals or "
                f"StringLike on {host}:sub naming yours (for GitHub: repo:ORG/REPO:ref:refs/heads/main)",
                (*locator.statement(statement), "Principal"),
                key=True,
            )
        )
    return findings
