"""What the analyses return: frozen data, every finding with a concrete request the evaluator decided.

Reporters (text, JSON, SARIF) only read these. ``to_dict`` gives the JSON shapes of DESIGN.md, "Analysis".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..engine import Request, StatementRef

__all__ = [
    "AccessReport",
    "ActionAccess",
    "DiffReport",
    "Exposure",
    "ExposureReport",
    "Finding",
    "Undecided",
    "request_dict",
]


def request_dict(request: Request) -> dict[str, Any]:
    """A witness request as data: ``action``, ``resource``, ``principal``, ``context`` (and the resource's
    account when it is given)."""
    data: dict[str, Any] = {
        "action": request.action,
        "resource": request.resource,
        "principal": request.principal,
        "context": dict(request.context),
    }
    if request.resource_account is not None:
        data["resource_account"] = request.resource_account
    return data


@dataclass(frozen=True)
class ActionAccess:
    """One catalog action a principal may perform.

    ``resources`` are the Resource patterns of the statements that grant it (those that fit the action's
    resource types); ``conditional`` is true when no resource is allowed whatever the request context, and
    ``conditions`` then names the condition keys that decide; ``aws_rules`` are AWS's rules beyond the policies
    that concern it (``name: what it means here``: a KMS key's policy assumed to delegate to the account, the
    resources AWS protects, a call that needs no permission); ``witness`` (when asked for) is an allowed
    request, checked by the evaluator.
    """

    action: str
    access_level: str
    resources: tuple[str, ...]
    conditional: bool
    conditions: tuple[str, ...]
    risks: tuple[str, ...]
    aws_rules: tuple[str, ...] = ()
    witness: Request | None = None

    @property
    def service(self) -> str:
        return self.action.split(":", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "access_level": self.access_level,
            "resources": list(self.resources),
            "conditional": self.conditional,
            "conditions": list(self.conditions),
            "risks": list(self.risks),
            "aws_rules": list(self.aws_rules),
            **({"witness": request_dict(self.witness)} if self.witness is not None else {}),
        }


@dataclass(frozen=True)
class Undecided:
    """Actions the search could not finish (a limit cut it short before a witness was found): they may be
    allowed, and are counted as such by a gate."""

    actions: tuple[str, ...]
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {"actions": list(self.actions), "why": self.why}


@dataclass(frozen=True)
class AccessReport:
    """Everything a principal may do, action by action, sorted by action."""

    principal: str
    actions: tuple[ActionAccess, ...]
    undecided: tuple[Undecided, ...]
    catalog_version: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "principal": self.principal,
            "actions": [a.to_dict() for a in self.actions],
            "undecided": [u.to_dict() for u in self.undecided],
            "catalog_version": self.catalog_version,
        }


@dataclass(frozen=True)
class Finding:
    """Access one side gives and the other does not: the action, the resource pattern and principal of the
    statement that grants it, its conditions (as in a policy's Condition block, ``None`` without), and a
    witness request the granting side allows and the other does not (both checked by the evaluator)."""

    action: str
    resource: str
    principal: str | None
    conditions: dict[str, dict[str, list[str]]] | None
    witness: Request
    granted_by: tuple[StatementRef, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "resource": self.resource,
            "principal": self.principal,
            "conditions": self.conditions,
            "witness": request_dict(self.witness),
            "granted_by": [ref.to_dict() for ref in self.granted_by],
        }


@dataclass(frozen=True)
class DiffReport:
    """What NEW allows that OLD does not (``new_access``) and the reverse (``removed_access``)."""

    new_access: tuple[Finding, ...]
    removed_access: tuple[Finding, ...]
    undecided: tuple[Undecided, ...] = ()

    @property
    def adds_access(self) -> bool:
        """True when NEW may allow something OLD does not: a finding, or a search that could not finish."""
        return bool(self.new_access or self.undecided)

    def to_dict(self) -> dict[str, Any]:
        return {
            "new_access": [f.to_dict() for f in self.new_access],
            "removed_access": [f.to_dict() for f in self.removed_access],
            "undecided": [u.to_dict() for u in self.undecided],
        }


@dataclass(frozen=True)
class Exposure:
    """Who outside gets an action: ``who`` is ``anonymous``, ``any AWS account``, an account ID, a principal
    ARN or a service; ``conditions`` are those of the granting statement."""

    who: str
    kind: str  # anonymous | any-account | account | principal | service | federated
    action: str
    resource: str
    conditions: dict[str, dict[str, list[str]]] | None
    witness: Request

    def to_dict(self) -> dict[str, Any]:
        return {
            "who": self.who,
            "kind": self.kind,
            "action": self.action,
            "resource": self.resource,
            "conditions": self.conditions,
            "witness": request_dict(self.witness),
        }


@dataclass(frozen=True)
class ExposureReport:
    """Access a resource or trust policy gives outside its account (or organization)."""

    resource_account: str
    org_id: str | None
    exposures: tuple[Exposure, ...]
    undecided: tuple[Undecided, ...] = ()

    @property
    def exposed(self) -> bool:
        return bool(self.exposures or self.undecided)

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource_account": self.resource_account,
            "org_id": self.org_id,
            "exposures": [e.to_dict() for e in self.exposures],
            "undecided": [u.to_dict() for u in self.undecided],
        }
