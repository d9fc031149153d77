"""Every policy type, analysed into one shared shape.

A :class:`CompiledPolicyType` holds the statements of one policy type (all identity policies together, the
boundary, the session policy, the resource policy) or of one SCP/RCP level. Its statements are indexed by the
service prefix of their actions, and the statements whose Action matches a given action are memoised, so a
request only looks at statements that can apply to it. :meth:`CompiledPolicyType.analyse` returns a
:class:`TypeOutcome`: the Allow statements that apply (with how they name the caller) and the Deny statements
that apply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from .._cache import BoundedCache
from ..policy.model import PolicyDocument
from .principals import Grant, PrincipalMatcher, RequestPrincipal
from .results import Outcome, PolicyType, StatementRef
from .statements import CompiledStatement, compile_statement
from .variables import Context

__all__ = ["CompiledPolicyType", "TypeOutcome"]


class TypeOutcome(NamedTuple):
    """What one policy type (or one SCP/RCP level) said about a request (a named tuple: it is built for every
    policy type of every request)."""

    policy_type: PolicyType
    level: int | None
    applies: bool  # False: this type does not take part for this caller (and says nothing)
    allows: tuple[tuple[StatementRef, Grant], ...] = ()
    denies: tuple[StatementRef, ...] = ()
    names: tuple[str, ...] = ()  # the policies of this type, for messages

    @property
    def allowed(self) -> bool:
        return bool(self.allows)

    @property
    def outcome(self) -> Outcome:
        if self.denies:
            return Outcome.DENY
        return Outcome.ALLOW if self.allows else Outcome.NO_MATCH

    def best_grant(self) -> Grant | None:
        return max((grant for _, grant in self.allows), default=None)


@dataclass
class CompiledPolicyType:
    policy_type: PolicyType
    level: int | None
    documents: tuple[PolicyDocument, ...]
    statements: tuple[CompiledStatement, ...]
    by_service: dict[str, tuple[int, ...]]
    any_service: tuple[int, ...]
    names: tuple[str, ...]
    _memo: BoundedCache[str, _Plan] = field(default_factory=lambda: BoundedCache(4096), repr=False)

    @classmethod
    def compile(
        cls, policy_type: PolicyType, documents: Sequence[PolicyDocument], level: int | None = None
    ) -> CompiledPolicyType:
        statements = tuple(
            compile_statement(document, statement, policy_type, level)
            for document in documents
            for statement in document.statements
        )
        by_service: dict[str, list[int]] = {}
        any_service: list[int] = []
        for position, statement in enumerate(statements):
            services = statement.actions.services
            if services is None:
                any_service.append(position)
            else:
                for service in services:
                    by_service.setdefault(service, []).append(position)
        return cls(
            policy_type,
            level,
            tuple(documents),
            statements,
            {service: tuple(positions) for service, positions in by_service.items()},
            tuple(any_service),
            tuple(d.name for d in documents),
        )

    def candidates(self, action: str) -> tuple[CompiledStatement, ...]:
        """The statements whose Action/NotAction matches ``action`` (lower-cased), in document order."""
        service = action.partition(":")[0]
        positions = sorted((*self.by_service.get(service, ()), *self.any_service))
        return tuple(s for s in (self.statements[p] for p in positions) if s.actions.matches(action))

    def _plan(self, action: str) -> _Plan:
        plan = self._memo.get(action)
        if plan is None:
            plan = self._memo.put(action, _Plan.of(self.candidates(action)))
        return plan

    def analyse(
        self,
        action: str,
        resource: str,
        caller: RequestPrincipal,
        context: Context,
        *,
        deny_ignores_not_principal: bool = False,
    ) -> TypeOutcome:
        """The fast path: which statements allow and which deny (``action`` lower-cased)."""
        plan = self._memo.get(action) or self._plan(action)
        if not plan.checks:
            if plan.outcome is None:
                plan.outcome = TypeOutcome(self.policy_type, self.level, True, plan.allows, plan.denies, self.names)
            return plan.outcome
        allows = list(plan.allows)
        denies = list(plan.denies)
        for ref, is_deny, principals, resource_test, conditions_test in plan.checks:
            grant: Grant | None = Grant.DIRECT
            if principals is not None and not (deny_ignores_not_principal and is_deny and principals.negated):
                grant = principals.grant(caller)
                if grant is None:
                    continue
            if resource_test is not None and not resource_test(resource, context):
                continue
            if conditions_test is not None and not conditions_test(context):
                continue
            if is_deny:
                denies.append(ref)
            else:
                allows.append((ref, grant or Grant.DIRECT))
        return TypeOutcome(self.policy_type, self.level, True, tuple(allows), tuple(denies), self.names)

    def silent(self) -> TypeOutcome:
        """The outcome of a type that does not take part for this caller."""
        return TypeOutcome(self.policy_type, self.level, False, names=self.names)


_Check = tuple[
    StatementRef,
    bool,
    "PrincipalMatcher | None",
    "Callable[[str, Context], bool] | None",
    "Callable[[Context], bool] | None",
]


@dataclass
class _Plan:
    """For one action: the statements that apply whatever the request (no resource, principal or condition to
    test, such as an SCP's ``Allow * on *``), and the rest as plain tuples to test in order."""

    allows: tuple[tuple[StatementRef, Grant], ...]
    denies: tuple[StatementRef, ...]
    checks: tuple[_Check, ...]
    outcome: TypeOutcome | None = None  # when nothing needs testing, the one outcome for every request

    @classmethod
    def of(cls, statements: Sequence[CompiledStatement]) -> _Plan:
        allows: list[tuple[StatementRef, Grant]] = []
        denies: list[StatementRef] = []
        checks: list[_Check] = []
        for s in statements:
            if s.principals is None and s.resource_test is None and s.conditions_test is None:
                if s.is_deny:
                    denies.append(s.ref)
                else:
                    allows.append((s.ref, Grant.DIRECT))
            else:
                checks.append((s.ref, s.is_deny, s.principals, s.resource_test, s.conditions_test))
        return cls(tuple(allows), tuple(denies), tuple(checks))
