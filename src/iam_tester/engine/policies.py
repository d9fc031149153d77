"""Every policy type, analysed into one shared shape.

A :class:`CompiledPolicyType` holds the statements of one policy type (all identity policies together, the
boundary, the session policy, the resource policy) or of one SCP/RCP level. Its statements are indexed by the
service prefix of their actions, and the statements whose Action matches a given action are memoised, so a
request only looks at statements that can apply to it. :meth:`CompiledPolicyType.analyse` returns a
:class:`TypeOutcome`: the Allow statements that apply (with how they name the caller) and the Deny statements
that apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..policy.model import PolicyDocument
from .principals import Grant, RequestPrincipal
from .results import Outcome, PolicyType, StatementRef
from .statements import CompiledStatement, compile_statement
from .variables import Context

__all__ = ["CompiledPolicyType", "TypeOutcome"]

_CACHE_LIMIT = 4096


@dataclass(frozen=True)
class TypeOutcome:
    """What one policy type (or one SCP/RCP level) said about a request."""

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
    _memo: dict[str, tuple[CompiledStatement, ...]] = field(default_factory=dict, repr=False)

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
        )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.documents)

    def candidates(self, action: str) -> tuple[CompiledStatement, ...]:
        """The statements whose Action/NotAction matches ``action`` (lower-cased), in document order."""
        found = self._memo.get(action)
        if found is None:
            service = action.partition(":")[0]
            positions = sorted((*self.by_service.get(service, ()), *self.any_service))
            found = tuple(s for s in (self.statements[p] for p in positions) if s.actions.matches(action))
            if len(self._memo) >= _CACHE_LIMIT:
                self._memo.clear()
            self._memo[action] = found
        return found

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
        allows: list[tuple[StatementRef, Grant]] = []
        denies: list[StatementRef] = []
        for statement in self.candidates(action):
            if statement.is_deny and deny_ignores_not_principal and statement.principals is not None:
                grant: Grant | None = Grant.DIRECT if statement.principals.negated else statement.grant(caller)
            else:
                grant = statement.grant(caller)
            if grant is None or not statement.rest_applies(resource, context):
                continue
            if statement.is_deny:
                denies.append(statement.ref)
            else:
                allows.append((statement.ref, grant))
        return TypeOutcome(self.policy_type, self.level, True, tuple(allows), tuple(denies), self.names)

    def silent(self) -> TypeOutcome:
        """The outcome of a type that does not take part for this caller."""
        return TypeOutcome(self.policy_type, self.level, False, names=self.names)
