"""The one place where the policy types' outcomes become AWS's decision.

Source: IAM User Guide, "How AWS enforcement code logic evaluates requests to allow or deny access"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html),
"Cross-account policy evaluation logic" (reference_policies_evaluation-logic-cross-account.html),
"Permissions boundaries for IAM entities" (access_policies_boundaries.html) and "Session policies"
(access_policies.html#policies_session). In order:

1. An applicable Deny in any policy type is an explicit deny.
2. RCPs: every level must allow; ``RCPFullAWSAccess`` is attached at every level and cannot be detached, so
   each level always has an Allow. SCPs: every level (root, OUs, account) must have an applicable Allow.
3. Same account: a resource-based policy that names the caller directly (the user ARN, the role *session* ARN,
   the federated-user ARN, a service, ``"*"``) allows on its own: "an implicit deny in an identity-based
   policy, a permissions boundary, or a session policy does not impact the final decision". One that names
   the *role* ARN is "limited by an implicit deny in a permissions boundary or session policy". One that names
   the account delegates to IAM: the identity-based policies must allow. Otherwise the identity-based
   policies must allow, and so must the boundary and the session policy where there is one.
4. Cross account: the resource-based policy *and* the caller's side (identity policies, boundary, session
   policy) must both allow.
5. Role trust policies and KMS key policies "must explicitly allow access for principals": with such a policy
   given, an identity allow alone is not enough.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from .._cache import BoundedCache
from .policies import TypeOutcome
from .principals import Grant, PrincipalKind, RequestPrincipal
from .results import Decision, PolicyType, StatementRef

__all__ = ["DecisionInputs", "Verdict", "combine"]


class DecisionInputs(NamedTuple):
    caller: RequestPrincipal
    action: str
    same_account: bool
    resource_policy_required: bool
    rcps: tuple[TypeOutcome, ...]
    scps: tuple[TypeOutcome, ...]
    resource: TypeOutcome | None
    identity: TypeOutcome
    boundary: TypeOutcome | None
    session: TypeOutcome | None


class Verdict(NamedTuple):
    decision: Decision
    deciding: tuple[StatementRef, ...]
    summary: str
    notes: dict[tuple[PolicyType, int | None], str] | None = None


def combine(inputs: DecisionInputs) -> Verdict:
    denies: list[StatementRef] = []
    for outcome in (*inputs.rcps, *inputs.scps, inputs.resource, inputs.identity, inputs.boundary, inputs.session):
        if outcome is not None and outcome.denies:
            denies.extend(outcome.denies)
    if denies:
        return Verdict(Decision.EXPLICIT_DENY, tuple(denies), _summary("explicitDeny", denies))
    for scp in inputs.scps:
        if scp.applies and not scp.allowed:
            where = f"level {scp.level} ({', '.join(scp.names)})"
            return _implicit(f"no Allow statement in the SCPs at {where} applies to {inputs.action}")
    if inputs.caller.kind in _RESOURCE_POLICY_ONLY:
        return _service(inputs)
    return _iam(inputs)


# Callers without identity policies of their own: only a resource-based policy can allow them.
_RESOURCE_POLICY_ONLY = frozenset({PrincipalKind.SERVICE, PrincipalKind.IDENTITY_PROVIDER, PrincipalKind.ANONYMOUS})
_WHO = {
    PrincipalKind.SERVICE: "the service principal",
    PrincipalKind.IDENTITY_PROVIDER: "callers of the identity provider",
    PrincipalKind.ANONYMOUS: 'the anonymous caller (only a Principal of "*" or {"AWS": "*"} can)',
}


def _implicit(reason: str, notes: dict[tuple[PolicyType, int | None], str] | None = None) -> Verdict:
    return Verdict(Decision.IMPLICIT_DENY, (), f"implicitDeny: {reason}", notes or {})


def _allowed(deciding: tuple[StatementRef, ...], notes: dict[tuple[PolicyType, int | None], str]) -> Verdict:
    if not deciding:
        return Verdict(
            Decision.ALLOWED, deciding, "allowed: the account root user has full access in its account", notes
        )
    return Verdict(Decision.ALLOWED, deciding, _summary("allowed", deciding), notes)


_SUMMARIES: BoundedCache[tuple[str, tuple[int, ...]], tuple[tuple[StatementRef, ...], str]] = BoundedCache(4096)


def _summary(decision: str, refs: Sequence[StatementRef]) -> str:
    """``decision: statement; statement``, cached: the same statements decide many requests. The key is the
    statements' ids; the entry keeps the statements alive, so no other object can take one of those ids."""
    key = (decision, tuple(map(id, refs)))
    found = _SUMMARIES.get(key)
    if found is None:
        found = _SUMMARIES.put(key, (tuple(refs), f"{decision}: " + "; ".join(str(r) for r in refs)))
    return found[1]


def _refs(outcome: TypeOutcome | None, at_least: Grant = Grant.ACCOUNT) -> tuple[StatementRef, ...]:
    if outcome is None:
        return ()
    return tuple(ref for ref, grant in outcome.allows if grant >= at_least)


def _service(inputs: DecisionInputs) -> Verdict:
    """A service principal, a caller federated by an identity provider, or an anonymous caller has no identity
    policies: only a resource-based policy (for a federated caller, the role's trust policy) can allow it."""
    resource = inputs.resource
    if resource is not None and resource.best_grant() is not None:
        return _allowed(_refs(resource), {})
    who = _WHO[inputs.caller.kind]
    if inputs.caller.kind is PrincipalKind.ANONYMOUS:
        return _implicit(f"no resource-based policy statement allows {who}")
    return _implicit(f"no resource-based policy statement allows {who} {inputs.caller.text}")


def _iam(inputs: DecisionInputs) -> Verdict:
    """One pass: each branch that denies says why as it decides."""
    caller, resource = inputs.caller, inputs.resource
    notes: dict[tuple[PolicyType, int | None], str] = {}
    grant = resource.best_grant() if resource is not None and resource.applies else None
    limit = _limit(inputs)  # why the boundary or the session policy stops it, or None
    if inputs.same_account:
        if grant is Grant.DIRECT:
            _note_uncapped(inputs, notes, "names the caller directly")
            return _allowed(_refs(resource, Grant.DIRECT), notes)
        if grant is Grant.ROLE:
            if limit is not None:
                # The role grant would have sufficed without an identity allow; what stopped it is the limit
                # on it ("limited by an implicit deny in a permissions boundary or session policy").
                return _implicit(
                    f"the resource-based policy allows the caller's role, but {limit}, and that limits a role grant"
                )
            if not _identity_ok(inputs):
                notes[(PolicyType.IDENTITY, None)] = "not needed: the resource-based policy names the caller's role"
            return _allowed(_refs(resource, Grant.ROLE), notes)
        if grant is None and inputs.resource_policy_required:
            if resource is None:
                return _implicit(
                    "no key policy was given, and a KMS key's policy must allow the request (or delegate to the "
                    "account): IAM policies alone cannot "
                    "(https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html)"
                )
            return _implicit(f"the resource-based policy (a key policy or role trust policy) must allow {caller.text}")
        refused = _caller_side(inputs, limit)
        if refused is not None:
            return _implicit(refused, notes)
        return _allowed(_identity_refs(inputs) + _refs(resource), notes)
    if grant is None:
        if resource is None:
            return _implicit(
                f"cross-account request: no resource-based policy was given, and one must allow {inputs.action} "
                "besides the caller's own policies"
            )
        return _implicit(f"cross-account request: no statement in the resource-based policy allows {caller.text}")
    refused = _caller_side(inputs, limit)
    if refused is not None:
        return _implicit(refused, notes)
    return _allowed(_refs(resource) + _identity_refs(inputs), notes)


def _identity_ok(inputs: DecisionInputs) -> bool:
    """The account root user has no identity policies and full access in its own account."""
    return inputs.caller.kind is PrincipalKind.ROOT or inputs.identity.allowed


def _caller_side(inputs: DecisionInputs, limit: str | None) -> str | None:
    """Why the caller's own policies (identity, then boundary and session policy) do not allow, or ``None``."""
    if not _identity_ok(inputs):
        return f"no identity-based policy allows {inputs.action}"
    return limit


def _limit(inputs: DecisionInputs) -> str | None:
    """Why the permissions boundary or the session policy does not allow the request, or ``None``."""
    boundary = inputs.boundary
    if boundary is not None and boundary.applies and not boundary.allowed:
        return f"the permissions boundary {', '.join(boundary.names)} does not allow {inputs.action}"
    session = inputs.session
    if session is not None and session.applies:
        return None if session.allowed else f"the session policy {', '.join(session.names)} does not allow it"
    if inputs.caller.kind is PrincipalKind.FEDERATED_USER:
        # STS GetFederationToken: "If you do not pass a policy to this operation, the resulting temporary
        # credentials have no effective permissions" (except resource policies naming the session).
        return "a federated user session without a session policy has no permissions of its own"
    return None


def _identity_refs(inputs: DecisionInputs) -> tuple[StatementRef, ...]:
    return tuple(ref for ref, _ in inputs.identity.allows)


def _note_uncapped(inputs: DecisionInputs, notes: dict[tuple[PolicyType, int | None], str], how: str) -> None:
    reason = f"not applied: the resource-based policy {how}, which an implicit deny here does not limit"
    if not inputs.identity.allowed:
        notes[(PolicyType.IDENTITY, None)] = reason
    if inputs.boundary is not None and inputs.boundary.applies and not inputs.boundary.allowed:
        notes[(PolicyType.BOUNDARY, None)] = reason
    if inputs.session is not None and inputs.session.applies and not inputs.session.allowed:
        notes[(PolicyType.SESSION, None)] = reason
