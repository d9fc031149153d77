"""Explanations as data, built only when asked (``Evaluation.explain()``): every policy type's outcome, every
statement's trace with what failed, and the effective context, derived keys included."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..policy.model import Effect
from .combine import DecisionInputs, Verdict
from .context import RequestState, key_names
from .policies import CompiledPolicyType, TypeOutcome
from .results import Explanation, Outcome, PolicyType, PolicyTypeTrace, StatementRef, StatementTrace

if TYPE_CHECKING:
    from .policy_set import PolicySet

__all__ = ["explain"]

_FULL_ACCESS = "RCPFullAWSAccess"
_NOT_APPLIED = {
    PolicyType.IDENTITY: "not applied: only IAM users, role sessions and federated users have identity policies",
    PolicyType.BOUNDARY: "not applied: only IAM users and roles have permissions boundaries",
    PolicyType.SESSION: "not applied: session policies apply only to role sessions and federated users",
    PolicyType.SCP: "not applied: SCPs do not restrict service principals or service-linked roles",
    PolicyType.RCP: "not applied: RCPs do not restrict service-linked roles",
    PolicyType.RESOURCE: 'not applied: a request on no resource ("*") meets no resource-based policy',
}


def explain(policy_set: PolicySet, state: RequestState, inputs: DecisionInputs, verdict: Verdict) -> Explanation:
    caller = state.caller
    traces: list[PolicyTypeTrace] = []
    for compiled, outcome in zip(policy_set.rcps, inputs.rcps, strict=True):
        traces.append(_trace(compiled, outcome, state, verdict, rcp=True))
    for compiled, outcome in zip(policy_set.scps, inputs.scps, strict=True):
        traces.append(_trace(compiled, outcome, state, verdict))
    pairs: list[tuple[CompiledPolicyType | None, TypeOutcome | None]] = [
        (policy_set.resource, inputs.resource),
        (policy_set.identity, inputs.identity),
        (policy_set.boundary, inputs.boundary),
        (policy_set.session, inputs.session),
    ]
    for maybe_compiled, maybe_outcome in pairs:
        if maybe_compiled is None or maybe_outcome is None:
            continue
        ignore = maybe_compiled.policy_type is PolicyType.RESOURCE and policy_set.boundary is not None
        traces.append(
            _trace(maybe_compiled, maybe_outcome, state, verdict, deny_ignores_not_principal=ignore and caller.is_iam)
        )
    names = key_names(state.request.context, caller)
    effective = tuple((names.get(key, key), values) for key, values in state.context.items())
    return Explanation(verdict.decision, verdict.summary, verdict.deciding, tuple(traces), effective)


def _trace(
    compiled: CompiledPolicyType,
    outcome: TypeOutcome,
    state: RequestState,
    verdict: Verdict,
    *,
    rcp: bool = False,
    deny_ignores_not_principal: bool = False,
) -> PolicyTypeTrace:
    statements: list[StatementTrace] = []
    if rcp:
        ref = StatementRef(PolicyType.RCP, _FULL_ACCESS, _FULL_ACCESS, 0, Effect.ALLOW, compiled.level)
        statements.append(StatementTrace(ref, outcome.applies))
    for statement in compiled.statements:
        ignore = deny_ignores_not_principal and statement.is_deny and bool(statement.principals)
        ignore = ignore and statement.principals is not None and statement.principals.negated
        request = state.request
        statements.append(
            statement.trace(request.action, state.resource, state.caller, state.context, ignore_principal=ignore)
        )
    note = (verdict.notes or {}).get((compiled.policy_type, compiled.level))
    if not outcome.applies:
        note = _NOT_APPLIED[compiled.policy_type]
    elif deny_ignores_not_principal and any(
        s.principals is not None and s.principals.negated for s in compiled.statements
    ):
        note = note or (
            "a Deny with NotPrincipal denies every IAM principal that has a permissions boundary, whatever it lists"
        )
    result = outcome.outcome
    if rcp and result is Outcome.NO_MATCH and outcome.applies:
        result = Outcome.ALLOW  # RCPFullAWSAccess
    return PolicyTypeTrace(compiled.policy_type, result, tuple(statements), compiled.level, note)
