"""A suite, loaded and resolved: every case carries its own request, expectation and policy set.

Suite-level defaults are already applied, so a :class:`Case` is self-contained; cases that share the
same resolved documents share the same :class:`PolicySlots` contents, which the runner uses to compile
each distinct policy set once.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

from ..engine.results import DEFAULT_PRINCIPAL, Decision, Request
from ..errors import Location
from ..policy.findings import Finding
from ..policy.model import PolicyDocument
from ..policy.sourcemap import PathPart

__all__ = [
    "DEFAULT_PRINCIPAL",
    "Call",
    "Case",
    "ContextValue",
    "Expectation",
    "Locator",
    "PolicySlots",
    "Suite",
]

# Who asks when a suite (or `explain`) names no principal: a role in the account the AWS
# documentation uses for examples. A role ARN stands for any of its sessions.

ContextValue: TypeAlias = "str | tuple[str, ...]"


class Locator(Protocol):
    """Finds the line of a place in a suite file (computed on demand: most runs never need it)."""

    def location(self, parts: Sequence[PathPart], *, key: bool = False) -> Location: ...


class Expectation(enum.Enum):
    """What a case expects: one of AWS's decisions, or ``denied`` for either kind of deny."""

    ALLOWED = "allowed"
    DENIED = "denied"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"

    def matches(self, decision: Decision) -> bool:
        """Whether ``decision`` meets this expectation."""
        return decision in _MEETS[self]

    @classmethod
    def parse(cls, text: str) -> Expectation | None:
        """The expectation spelled ``text`` (case-insensitively), or ``None``."""
        return _SPELLED.get(text.strip().lower())


# Looked up once per case: plain dicts, not enum attribute look-ups.
_MEETS = {
    Expectation.ALLOWED: frozenset({Decision.ALLOWED}),
    Expectation.DENIED: frozenset({Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY}),
    Expectation.EXPLICIT_DENY: frozenset({Decision.EXPLICIT_DENY}),
    Expectation.IMPLICIT_DENY: frozenset({Decision.IMPLICIT_DENY}),
}
_SPELLED = {member.value.lower(): member for member in Expectation}


@dataclass(frozen=True)
class PolicySlots:
    """The documents one request is evaluated against, one field per kind of policy.

    ``scps`` and ``rcps`` are levels, the organization root first; each level holds at least one
    document. ``trust`` is a role's trust policy: a case whose action the trust policy decides
    (``sts:AssumeRole*``, ``sts:TagSession`` ...) meets it as the resource's policy.
    """

    identity: tuple[PolicyDocument, ...] = ()
    boundary: PolicyDocument | None = None
    session: PolicyDocument | None = None
    resource: PolicyDocument | None = None
    scps: tuple[tuple[PolicyDocument, ...], ...] = ()
    rcps: tuple[tuple[PolicyDocument, ...], ...] = ()
    trust: PolicyDocument | None = None

    def identity_key(self) -> tuple[object, ...]:
        """A key equal for two slots holding the very same document objects (not merely equal ones).

        Documents are resolved once per file and once per inline occurrence, so cases inheriting the
        suite's defaults share one key and one compiled policy set.
        """

        def one(doc: PolicyDocument | None) -> int | None:
            return None if doc is None else id(doc)

        return (
            tuple(id(d) for d in self.identity),
            one(self.boundary),
            one(self.session),
            one(self.resource),
            tuple(tuple(id(d) for d in level) for level in self.scps),
            tuple(tuple(id(d) for d in level) for level in self.rcps),
            one(self.trust),
        )

    @property
    def empty(self) -> bool:
        return not (
            self.identity or self.boundary or self.session or self.resource or self.scps or self.rcps or self.trust
        )


@dataclass(frozen=True)
class Call:
    """A real API call for live runs: ``service`` and ``operation`` as boto3 names them, and its params."""

    service: str
    operation: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def describe(self) -> str:
        """``s3.get_object(Bucket='reports', Key='q1.csv')``."""
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{self.service}.{self.operation}({arguments})"


@dataclass(frozen=True)
class Case:
    """One expectation: a request, the policies it is decided against, and what should come out.

    ``expect`` is ``None`` for a case that only reports its decision. ``location`` points at the case
    in its suite file.
    """

    name: str
    index: int
    action: str
    resource: str
    principal: str
    policies: PolicySlots
    locator: Locator = field(hash=False, compare=False, repr=False)
    resource_account: str | None = None
    context: Mapping[str, ContextValue] = field(default_factory=dict, hash=False, compare=False)
    expect: Expectation | None = None
    call: Call | None = None

    @property
    def location(self) -> Location:
        """Where the case is written: its suite file, ``cases[i]`` and the line."""
        return self.locator.location(("cases", self.index))

    def request(self) -> Request:
        """The request the evaluator decides (multi-valued context keys as lists)."""
        context = {key: list(value) if isinstance(value, tuple) else value for key, value in self.context.items()}
        return Request(
            action=self.action,
            resource=self.resource,
            principal=self.principal,
            resource_account=self.resource_account,
            context=context,
        )


@dataclass(frozen=True)
class Suite:
    """A loaded suite: where it came from (as the user should read it), its name and its cases in order."""

    path: str
    name: str
    cases: tuple[Case, ...]
    # Validation warnings of the policies this suite was first to load (each policy's, once per run).
    warnings: tuple[Finding, ...] = ()
    # Every file (or, for a cdk.out source, directory) it reads, absolute: itself, its policy files, its
    # sources. A report must never be written over one of them.
    inputs: tuple[str, ...] = ()
