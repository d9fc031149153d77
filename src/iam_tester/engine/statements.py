"""One statement, compiled: its action, resource, principal and condition tests, with a fast "does it apply?"
and a slow trace that lists every reason it does not.

A statement applies when its Action (or NotAction), Resource (or NotResource), Principal (or NotPrincipal, in
resource-based policies) and every condition match ("IAM JSON policy element reference").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import Location, PolicyUsageError
from ..policy.model import PolicyDocument, Statement
from .conditions import CompiledCondition, compile_condition
from .matching import ActionMatcher, ResourceMatcher, compile_actions, compile_resources
from .principals import Grant, PrincipalMatcher, RequestPrincipal, compile_principals
from .results import Mismatch, PolicyType, StatementRef, StatementTrace
from .variables import Context

__all__ = ["CompiledStatement", "compile_statement"]


@dataclass(frozen=True)
class CompiledStatement:
    ref: StatementRef
    is_deny: bool
    actions: ActionMatcher
    resources: ResourceMatcher | None  # None: no Resource element (a trust policy: the role itself)
    principals: PrincipalMatcher | None  # None: a policy type without a Principal element
    conditions: tuple[CompiledCondition, ...]
    # The hot path: None when the element cannot fail (no Resource, "Resource": "*", no conditions).
    resource_test: Callable[[str, Context], bool] | None
    conditions_test: Callable[[Context], bool] | None

    def grant(self, caller: RequestPrincipal) -> Grant | None:
        """How the statement's Principal names the caller; policies without one name everyone they apply to."""
        if self.principals is None:
            return Grant.DIRECT
        return self.principals.grant(caller)

    def trace(
        self,
        action: str,
        resource: str,
        caller: RequestPrincipal,
        context: Context,
        *,
        ignore_principal: bool = False,
    ) -> StatementTrace:
        """Every reason the statement does not apply (none when it does)."""
        mismatches: list[Mismatch] = []
        if not self.actions.matches(action.lower()):
            mismatches.append(_action_mismatch(self.actions, action))
        if self.resources is not None and not self.resources.matches(resource, context):
            mismatches.append(_resource_mismatch(self.resources, resource, context))
        if self.principals is not None and not ignore_principal and self.principals.grant(caller) is None:
            mismatches.append(_principal_mismatch(self.principals, caller))
        for condition in self.conditions:
            mismatch = condition.mismatch(context)
            if mismatch is not None:
                mismatches.append(mismatch)
        return StatementTrace(self.ref, not mismatches, tuple(mismatches))


def compile_statement(
    document: PolicyDocument, statement: Statement, policy_type: PolicyType, level: int | None
) -> CompiledStatement:
    ref = StatementRef(policy_type, document.name, statement.label, statement.index, statement.effect, level)
    enabled = document.variables_enabled
    if statement.action is not None:
        actions = compile_actions(statement.action, negated=False)
    else:
        actions = compile_actions(statement.not_action or ("*",), negated=statement.not_action is not None)
    resources: ResourceMatcher | None = None
    if statement.resource is not None:
        resources = compile_resources(statement.resource, negated=False, variables_enabled=enabled)
    elif statement.not_resource is not None:
        resources = compile_resources(statement.not_resource, negated=True, variables_enabled=enabled)
    principals: PrincipalMatcher | None = None
    if statement.principal is not None:
        principals = compile_principals(statement.principal, negated=False)
    elif statement.not_principal is not None:
        principals = compile_principals(statement.not_principal, negated=True)
    conditions: list[CompiledCondition] = []
    for entry in statement.conditions:
        try:
            conditions.append(compile_condition(entry, variables_enabled=enabled))
        except ValueError as exc:
            path = f"Statement[{statement.index}].Condition.{entry.operator.text}.{entry.key}"
            raise PolicyUsageError(
                f"{entry.operator.text} on {entry.key}: {exc}",
                location=Location(document.name, path),
                code="unusable-condition-value",
                hint="policy variables are substituted only under Version 2012-10-17, and only for string, ARN "
                "and Bool operators",
            ) from exc
    resource_test = None
    if resources is not None and not (not resources.negated and "*" in resources.patterns):
        resource_test = resources.matches
    return CompiledStatement(
        ref,
        statement.effect.value == "Deny",
        actions,
        resources,
        principals,
        tuple(conditions),
        resource_test,
        _all_of(tuple(c.test for c in conditions)),
    )


def _all_of(tests: tuple[Callable[[Context], bool], ...]) -> Callable[[Context], bool] | None:
    """One test for every condition of a statement (they are ANDed)."""
    if not tests:
        return None
    if len(tests) == 1:
        return tests[0]

    def every(context: Context) -> bool:
        for test in tests:  # noqa: SIM110 - a plain loop: no generator object per call on the hot path
            if not test(context):
                return False
        return True

    return every


def _action_mismatch(actions: ActionMatcher, action: str) -> Mismatch:
    listed = ", ".join(actions.patterns)
    if actions.negated:
        return Mismatch("NotAction", f"{action} is listed in NotAction [{listed}]", policy_values=actions.patterns)
    return Mismatch("Action", f"{action} is not matched by Action [{listed}]", policy_values=actions.patterns)


def _resource_mismatch(resources: ResourceMatcher, resource: str, context: Context) -> Mismatch:
    shown, variables = resources.resolved(context)
    listed = ", ".join(shown)
    unresolved = [name for name, value in variables if value is None]
    suffix = f" ({', '.join(unresolved)} has no value, so that entry matches nothing)" if unresolved else ""
    if resources.negated:
        message = f"{resource} is matched by NotResource [{listed}]{suffix}"
        return Mismatch("NotResource", message, policy_values=shown, variables=variables)
    message = f"{resource} is not matched by Resource [{listed}]{suffix}"
    return Mismatch("Resource", message, policy_values=shown, variables=variables)


def _principal_mismatch(principals: PrincipalMatcher, caller: RequestPrincipal) -> Mismatch:
    listed = tuple(f"{p.kind}:{p.value}" if p.kind != "*" else "*" for p in principals.entries)
    if principals.negated:
        message = f"NotPrincipal lists every identity of {caller.text} (its account and, for a session, its role)"
        return Mismatch("NotPrincipal", message, policy_values=listed)
    return Mismatch("Principal", f"Principal [{', '.join(listed)}] does not name {caller.text}", policy_values=listed)
