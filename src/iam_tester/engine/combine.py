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
    if inputs.caller.kind is PrincipalKind.SERVICE:
        return _service(inputs)
    return _iam(inputs)


def _implicit(reason: str, notes: dict[tuple[PolicyType, int | None], str] | None = None) -> Verdict:
    return Verdict(Decision.IMPLICIT_DENY, (), f"implicitDeny: {reason}", notes or {})


def _allowed(deciding: tuple[StatementRef, ...], notes: dict[tuple[PolicyType, int | None], str]) -> Verdict:
    if not deciding:
        return Verdict(
            Decision.ALLOWED, deciding, "allowed: the account root user has full access in its account", notes
        )
    return Verdict(Decision.ALLOWED, deciding, _summary("allowed", deciding), notes)


_SUMMARIES: dict[tuple[str, tuple[int, ...]], tuple[tuple[StatementRef, ...], str]] = {}


def _summary(decision: str, refs: Sequence[StatementRef]) -> str:
    """``decision: statement; statement``, cached: the same statements decide many requests. The key is the
    statements' ids; the entry keeps the statements alive, so no other object can take one of those ids."""
    key = (decision, tuple(map(id, refs)))
    found = _SUMMARIES.get(key)
    if found is None:
        if len(_SUMMARIES) >= 4096:
            _SUMMARIES.clear()
        found = _SUMMARIES[key] = (tuple(refs), f"{decision}: " + "; ".join(str(r) for r in refs))
    return found[1]


def _refs(outcome: TypeOutcome | None, at_least: Grant = Grant.ACCOUNT) -> tuple[StatementRef, ...]:
    if outcome is None:
        return ()
    return tuple(ref for ref, grant in outcome.allows if grant >= at_least)


def _service(inputs: DecisionInputs) -> Verdict:
    """A service principal has no identity policies: only a resource-based policy can allow it."""
    resource = inputs.resource
    if resource is not None and resource.best_grant() is not None:
        return _allowed(_refs(resource), {})
    return _implicit(f"no resource-based policy statement allows the service principal {inputs.caller.text}")


def _iam(inputs: DecisionInputs) -> Verdict:
    caller, resource = inputs.caller, inputs.resource
    notes: dict[tuple[PolicyType, int | None], str] = {}
    grant = resource.best_grant() if resource is not None and resource.applies else None
    is_root = caller.kind is PrincipalKind.ROOT
    identity_ok = is_root or inputs.identity.allowed
    boundary_ok = inputs.boundary is None or not inputs.boundary.applies or inputs.boundary.allowed
    session_ok, session_reason = _session_ok(inputs)
    caller_side = identity_ok and boundary_ok and session_ok

    if inputs.same_account:
        if grant is Grant.DIRECT:
            _note_uncapped(inputs, notes, "names the caller directly")
            return _allowed(_refs(resource, Grant.DIRECT), notes)
        if grant is Grant.ROLE and boundary_ok and session_ok:
            if not identity_ok:
                notes[(PolicyType.IDENTITY, None)] = "not needed: the resource-based policy names the caller's role"
            return _allowed(_refs(resource, Grant.ROLE), notes)
        if caller_side and (grant is not None or not inputs.resource_policy_required):
            return _allowed(_identity_refs(inputs) + _refs(resource), notes)
    elif grant is not None and caller_side:
        return _allowed(_refs(resource) + _identity_refs(inputs), notes)

    reason = _reason(
        inputs,
        grant,
        identity_ok=identity_ok,
        boundary_ok=boundary_ok,
        session_ok=session_ok,
        session_why=session_reason,
    )
    return _implicit(reason, notes)


def _identity_refs(inputs: DecisionInputs) -> tuple[StatementRef, ...]:
    return tuple(ref for ref, _ in inputs.identity.allows)


def _session_ok(inputs: DecisionInputs) -> tuple[bool, str]:
    session = inputs.session
    if session is not None and session.applies:
        return session.allowed, f"the session policy {', '.join(session.names)} does not allow it"
    if inputs.caller.kind is PrincipalKind.FEDERATED_USER:
        # STS GetFederationToken: "If you do not pass a policy to this operation, the resulting temporary
        # credentials have no effective permissions" (except resource policies naming the session).
        return False, "a federated user session without a session policy has no permissions of its own"
    return True, ""


def _note_uncapped(inputs: DecisionInputs, notes: dict[tuple[PolicyType, int | None], str], how: str) -> None:
    reason = f"not applied: the resource-based policy {how}, which an implicit deny here does not limit"
    if not inputs.identity.allowed:
        notes[(PolicyType.IDENTITY, None)] = reason
    if inputs.boundary is not None and inputs.boundary.applies and not inputs.boundary.allowed:
        notes[(PolicyType.BOUNDARY, None)] = reason
    if inputs.session is not None and inputs.session.applies and not inputs.session.allowed:
        notes[(PolicyType.SESSION, None)] = reason


def _reason(
    inputs: DecisionInputs,
    grant: Grant | None,
    *,
    identity_ok: bool,
    boundary_ok: bool,
    session_ok: bool,
    session_why: str,
) -> str:
    action = inputs.action
    if not inputs.same_account and grant is None:
        if inputs.resource is None:
            return (
                f"cross-account request: no resource-based policy was given, and one must allow {action} "
                "besides the caller's own policies"
            )
        return f"cross-account request: no statement in the resource-based policy allows {inputs.caller.text}"
    if inputs.same_account and inputs.resource_policy_required and grant is None:
        return f"the resource-based policy (a key policy or role trust policy) must allow {inputs.caller.text}"
    if inputs.same_account and grant is Grant.ROLE and not (boundary_ok and session_ok):
        # The role grant would have sufficed without an identity allow; what stopped it is the limit on it
        # ("limited by an implicit deny in a permissions boundary or session policy").
        if not boundary_ok and inputs.boundary is not None:
            limit = f"the permissions boundary {', '.join(inputs.boundary.names)} does not allow {action}"
        else:
            limit = session_why
        return f"the resource-based policy allows the caller's role, but {limit}, and that limits a role grant"
    if not identity_ok:
        return f"no identity-based policy allows {action}"
    if not boundary_ok and inputs.boundary is not None:
        return f"the permissions boundary {', '.join(inputs.boundary.names)} does not allow {action}"
    if not session_ok:
        return session_why
    return f"nothing allows {action}"  # pragma: no cover - every denial above has a reason
