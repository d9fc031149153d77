"""What the evaluator returns: the decision in AWS's words, and why, as frozen data.

Reporters (text, JSON, JUnit, the ``explain`` tree) only read these; they never re-derive a reason.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..policy.model import Effect

__all__ = [
    "DEFAULT_PRINCIPAL",
    "Decision",
    "Evaluation",
    "Explanation",
    "Mismatch",
    "Outcome",
    "PolicyType",
    "PolicyTypeTrace",
    "Request",
    "StatementRef",
    "StatementTrace",
]


class Decision(str, enum.Enum):
    """AWS's three outcomes ("Policy evaluation logic", IAM User Guide). A ``str``: a decision equals its
    value (``evaluation.decision == "allowed"``)."""

    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"

    @property
    def denied(self) -> bool:
        return self is not Decision.ALLOWED


class PolicyType(enum.Enum):
    """The kinds of policy that take part in one request's evaluation."""

    RCP = "rcp"
    SCP = "scp"
    RESOURCE = "resource"
    IDENTITY = "identity"
    BOUNDARY = "boundary"
    SESSION = "session"


class Outcome(enum.Enum):
    """What one policy type (or one SCP/RCP level) said about the request on its own."""

    ALLOW = "allow"  # some statement allowed it, none denied it
    DENY = "deny"  # some statement explicitly denied it
    NO_MATCH = "noMatch"  # no statement applied: an implicit deny where this type must allow


DEFAULT_PRINCIPAL = "arn:aws:iam::111122223333:role/iam-tester"
"""Who asks when a request, a suite or ``explain`` names no principal: a role in an example account."""


@dataclass(frozen=True)
class Request:
    """One request to decide.

    ``principal`` is who asks (default :data:`DEFAULT_PRINCIPAL`): an IAM user, role, assumed-role session or
    federated-user ARN, an account root ARN or ID, or a service principal (``s3.amazonaws.com``).
    ``resource_account`` is the account owning the resource; when ``None`` it is read from the resource ARN,
    and for ARNs that carry no account (S3) it is the principal's account. ``context`` maps condition keys
    (matched without regard to case) to one value or a list of values; keys AWS derives from the principal
    (``aws:username``, ``aws:PrincipalArn``, ...) are added when not given.
    """

    action: str
    resource: str
    principal: str = DEFAULT_PRINCIPAL
    resource_account: str | None = None
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class StatementRef:
    """Names one statement: which policy (file or given name), of which type, and which statement."""

    policy_type: PolicyType
    policy: str
    statement: str  # the Sid, or "Statement[i]" when it has none
    index: int
    effect: Effect
    level: int | None = None  # for SCPs and RCPs: 0 is the organization root, then OUs, then the account

    def __str__(self) -> str:
        where = f" (level {self.level})" if self.level is not None else ""
        return f"{self.effect.value} statement {self.statement} in {self.policy_type.value} policy {self.policy}{where}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "policyType": self.policy_type.value,
            "policy": self.policy,
            "statement": self.statement,
            "index": self.index,
            "effect": self.effect.value,
        }
        if self.level is not None:
            data["level"] = self.level
        return data


@dataclass(frozen=True)
class Mismatch:
    """Why a statement did not apply: which element failed and with what values.

    ``element`` is ``Action``, ``NotAction``, ``Resource``, ``NotResource``, ``Principal``,
    ``NotPrincipal`` or ``Condition``. For a condition, ``key`` and ``operator`` name it,
    ``policy_values`` are the statement's values after variable substitution, ``request_values`` the
    request's (``None`` when the key is missing) and ``variables`` the resolved policy variables.
    """

    element: str
    message: str
    key: str | None = None
    operator: str | None = None
    policy_values: tuple[str, ...] = ()
    request_values: tuple[str, ...] | None = None
    variables: tuple[tuple[str, str | None], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"element": self.element, "message": self.message}
        if self.key is not None:
            data["key"] = self.key
        if self.operator is not None:
            data["operator"] = self.operator
        if self.policy_values:
            data["policyValues"] = list(self.policy_values)
        if self.key is not None:
            data["requestValues"] = None if self.request_values is None else list(self.request_values)
        if self.variables:
            data["variables"] = dict(self.variables)
        return data


@dataclass(frozen=True)
class StatementTrace:
    """One statement's part in the decision: did it apply, and if not, every reason it did not."""

    ref: StatementRef
    applies: bool
    mismatches: tuple[Mismatch, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.ref.to_dict(),
            "applies": self.applies,
            "mismatches": [m.to_dict() for m in self.mismatches],
        }


@dataclass(frozen=True)
class PolicyTypeTrace:
    """What one policy type (or one SCP/RCP level) said, with every statement's trace.

    ``note`` records a rule that changed how this type counted (for example: a permissions boundary
    does not cap a resource policy that names the role session).
    """

    policy_type: PolicyType
    outcome: Outcome
    statements: tuple[StatementTrace, ...] = ()
    level: int | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "policyType": self.policy_type.value,
            "outcome": self.outcome.value,
            "statements": [s.to_dict() for s in self.statements],
        }
        if self.level is not None:
            data["level"] = self.level
        if self.note is not None:
            data["note"] = self.note
        return data


@dataclass(frozen=True)
class Explanation:
    """The full account of one decision: per policy type, per statement, and the context used."""

    decision: Decision
    summary: str
    deciding: tuple[StatementRef, ...]
    policies: tuple[PolicyTypeTrace, ...]
    context: tuple[tuple[str, tuple[str, ...]], ...] = ()  # the effective context, derived keys included

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision.value,
            "summary": self.summary,
            "deciding": [r.to_dict() for r in self.deciding],
            "policies": [p.to_dict() for p in self.policies],
            "context": {key: list(values) for key, values in self.context},
        }

    def text(self, *, width: int = 120) -> str:
        """The explanation as the plain-text tree ``iam-tester explain`` prints (without colours)."""
        from .tree import explanation_tree, plain_text  # rich is imported only when text is asked for

        return plain_text(explanation_tree(None, self), width=width)

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class Evaluation:
    """A decision, the statements that made it, and (computed on demand) the full explanation.

    ``deciding`` holds the Deny statements for an explicit deny, the Allow statements that granted
    access for an allow, and nothing for an implicit deny (``summary`` then says which policy type
    had no matching Allow).
    """

    request: Request
    decision: Decision
    deciding: tuple[StatementRef, ...]
    summary: str
    _explain: Callable[[], Explanation] = field(repr=False, compare=False, hash=False)

    def explain(self) -> Explanation:
        """Every policy type's and statement's part in the decision (slower: computed when asked)."""
        return self._explain()
