"""A policy document, normalised: every element that may be a string or a list is a tuple.

These are the evaluator's input and the validator's output. Building one goes through
:mod:`iam_tester.policy.grammar`, so a :class:`PolicyDocument` is always well-formed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from .operators import ParsedOperator

__all__ = [
    "VERSION_2008",
    "VERSION_2012",
    "ConditionEntry",
    "Effect",
    "PolicyDocument",
    "PolicyKind",
    "Principal",
    "Statement",
]

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"


class Effect(enum.Enum):
    ALLOW = "Allow"
    DENY = "Deny"


class PolicyKind(enum.Enum):
    """Where a document is used; it decides which elements are required or forbidden, and the size limit."""

    IDENTITY = "identity"  # an inline policy of a role (where the sandbox puts it)
    USER = "user"  # an inline policy of a user
    GROUP = "group"  # an inline policy of a group
    MANAGED = "managed"
    RESOURCE = "resource"
    TRUST = "trust"
    SCP = "scp"
    RCP = "rcp"
    SESSION = "session"
    BOUNDARY = "boundary"  # a permissions boundary: a managed policy used as a boundary


@dataclass(frozen=True)
class Principal:
    """One entry of a Principal/NotPrincipal element. ``kind`` is AWS, Service, Federated or
    CanonicalUser; the bare ``"*"`` form is ``Principal("*", "*")``."""

    kind: str
    value: str


@dataclass(frozen=True)
class ConditionEntry:
    """One operator/key pair of a Condition block, with its values as strings (``true`` for JSON true)."""

    operator: ParsedOperator
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    """One statement. Exactly one of each pair (action/not_action, ...) is set, or neither for the
    elements a kind of policy does not use (no Resource in a trust policy, no Principal in an identity one)."""

    index: int
    effect: Effect
    sid: str | None = None
    action: tuple[str, ...] | None = None
    not_action: tuple[str, ...] | None = None
    resource: tuple[str, ...] | None = None
    not_resource: tuple[str, ...] | None = None
    principal: tuple[Principal, ...] | None = None
    not_principal: tuple[Principal, ...] | None = None
    conditions: tuple[ConditionEntry, ...] = ()

    @property
    def label(self) -> str:
        """How explanations name the statement: its Sid, or its position."""
        return self.sid if self.sid else f"Statement[{self.index}]"


@dataclass(frozen=True)
class PolicyDocument:
    """A well-formed policy. ``name`` is the file it came from or the name it was given."""

    name: str
    kind: PolicyKind
    statements: tuple[Statement, ...]
    version: str | None = None
    id: str | None = None
    raw: Any = field(default=None, compare=False, repr=False)

    @property
    def variables_enabled(self) -> bool:
        """Policy variables are only substituted under Version 2012-10-17 (IAM User Guide, "IAM JSON
        policy elements: Version")."""
        return self.version == VERSION_2012
