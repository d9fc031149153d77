"""A witness turned into a finding: the action, and the resource pattern and conditions of the statement that
granted it."""

from __future__ import annotations

from collections.abc import Sequence

from ..engine import PolicyType
from ..engine.matching import compile_resources
from ..engine.statements import CompiledStatement
from .results import Finding
from .search import Witness

__all__ = ["deduplicated", "finding_for"]


def finding_for(
    action: str, witness: Witness, statements: dict[int, CompiledStatement], slot: PolicyType, label: str | None
) -> Finding:
    granted = [statements[id(r)] for r in witness.deciding if id(r) in statements]
    own = [s for s in granted if s.ref.policy_type is slot] or granted
    resource = "*"
    conditions: dict[str, dict[str, list[str]]] | None = None
    for statement in own:
        if statement.resources is not None:
            matcher = statement.resources
            resource = ("NotResource " if matcher.negated else "") + ", ".join(matcher.patterns)
            for pattern in matcher.patterns:
                if not matcher.negated and _single_match(pattern, witness.request.resource):
                    resource = pattern
                    break
        if statement.conditions:
            conditions = {}
            for condition in statement.conditions:
                entry = condition.entry
                conditions.setdefault(entry.operator.text, {})[entry.key] = list(entry.values)
        break
    return Finding(action, resource, label, conditions, witness.request, tuple(s.ref for s in own))


def _single_match(pattern: str, resource: str) -> bool:
    return compile_resources([pattern], negated=False, variables_enabled=False).matches(resource, {})


def deduplicated(findings: Sequence[Finding]) -> list[Finding]:
    seen: dict[tuple[object, ...], Finding] = {}
    for finding in findings:
        key = (finding.action, finding.resource, finding.principal, repr(finding.conditions))
        seen.setdefault(key, finding)
    return sorted(seen.values(), key=lambda f: (f.action.lower(), f.principal or "", f.resource))
