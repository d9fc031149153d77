"""Load the data-driven evaluator cases (``tests/engine/cases/*.yaml``) into policy sets and requests.

A case file has a ``doc`` (the AWS documentation page its cases come from; a case may name its own), optional
``defaults`` (``principal``, ``context``, ``policies``) and ``cases``. A case has ``name``, ``policies``
(``null`` removes a default; ``identity`` list, ``boundary``, ``session``, ``resource``, ``trust``, and ``scps``
and ``rcps`` as lists of levels),
``request`` (``action``, ``resource``, ``principal``, ``resource_account``, ``context``), ``expect`` and optionally
``deciding`` (``type:policy:statement`` strings, in order) and ``because`` (text the decision's summary contains:
its reason and, for AWS's own protections, its page).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from iam_tester.engine import PolicySet, Request
from iam_tester.policy import PolicyDocument, PolicyKind, parse_policy

CASES = Path(__file__).parent / "cases"


@dataclass(frozen=True)
class Case:
    file: str
    name: str
    doc: str
    policies: dict[str, Any]
    request: dict[str, Any]
    expect: str
    deciding: tuple[str, ...] | None
    because: str | None = None

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"

    def policy_set(self) -> PolicySet:
        p = self.policies
        resource = None
        if p.get("resource"):
            resource = _document(p["resource"], PolicyKind.RESOURCE, "resource")
        elif p.get("trust"):
            resource = _document(p["trust"], PolicyKind.TRUST, "trust")
        return PolicySet.compile(
            identity=[_document(d, PolicyKind.IDENTITY, f"identity{i}") for i, d in enumerate(p.get("identity", []))],
            boundary=_document(p["boundary"], PolicyKind.BOUNDARY, "boundary") if p.get("boundary") else None,
            session=_document(p["session"], PolicyKind.SESSION, "session") if p.get("session") else None,
            resource=resource,
            scps=_levels(p.get("scps"), PolicyKind.SCP, "scp"),
            rcps=_levels(p.get("rcps"), PolicyKind.RCP, "rcp"),
        )

    def to_request(self) -> Request:
        r = self.request
        return Request(
            action=r["action"],
            resource=r["resource"],
            principal=r["principal"],
            resource_account=r.get("resource_account"),
            context=r.get("context", {}),
        )


def _document(raw: Any, kind: PolicyKind, default_name: str) -> PolicyDocument:
    if isinstance(raw, dict) and "document" in raw:
        return parse_policy(raw["document"], kind=kind, name=raw.get("name", default_name))
    return parse_policy(raw, kind=kind, name=default_name)


def _levels(raw: Any, kind: PolicyKind, prefix: str) -> list[list[PolicyDocument]] | None:
    if raw is None:
        return None
    return [[_document(d, kind, f"{prefix}{level}.{i}") for i, d in enumerate(docs)] for level, docs in enumerate(raw)]


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        defaults = data.get("defaults", {})
        for raw in data["cases"]:
            request = {"principal": defaults.get("principal"), **raw["request"]}
            context = {**defaults.get("context", {}), **raw["request"].get("context", {})}
            request["context"] = context
            policies = {**defaults.get("policies", {}), **raw.get("policies", {})}
            deciding = raw.get("deciding")
            cases.append(
                Case(
                    file=path.stem,
                    name=raw["name"],
                    doc=raw.get("doc", data.get("doc", "")),
                    policies=policies,
                    request=request,
                    expect=raw["expect"],
                    deciding=tuple(deciding) if deciding is not None else None,
                    because=raw.get("because"),
                )
            )
    return cases
