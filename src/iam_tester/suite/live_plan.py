"""Which sandboxes a live run needs, what each one carries, and everything checked before any is created.

A case's permissions boundary goes to the sandbox as a document: it becomes a temporary managed policy,
deleted with the role (``temporary_iam_credentials(permissions_boundary_document=...)``).

Cases whose calls run under the same identity policies, permissions boundary and session policy share one
sandbox. A sandbox role carries one inline policy, so a case's identity policies become one document: their
statements in order, under their common ``Version`` (a Sid used twice gets a number, since IAM rejects a
repeated Sid). With no identity policy at all the role still needs a document, and gets one that grants
nothing: ``sts:GetCallerIdentity`` needs no permission (STS API Reference, GetCallerIdentity: "No
permissions are required to perform this operation").

Resource policies, SCPs and RCPs of a suite cannot be applied live: a live call meets the real resource
and the account's organization as they are. :func:`unapplied_note` says so for the report.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..engine import Decision, PolicySet, Request
from ..errors import InvalidInputError, SandboxError, SuiteError
from ..live.calls import CallCheckError, check_call
from ..live.clients import translate
from ..live.inputs import check_request
from ..live.readiness import ReadinessSettings
from ..policy import VERSION_2012, PolicyDocument, PolicyKind, compact_json, validate_policy
from .call_checks import call_location
from .model import DEFAULT_PRINCIPAL, Case, Expectation

if TYPE_CHECKING:
    import boto3

__all__ = [
    "PROBE_ACTION",
    "SandboxPlan",
    "check_sandbox_input",
    "checked_calls",
    "likely_allowed",
    "plan_sandboxes",
    "probe_predicted_allowed",
    "sandbox_policies",
    "unapplied_note",
    "with_probe_if_needed",
    "with_probe_statement",
]

# The probe for a sandbox with no call expected to be allowed: a read of the account's alias, harmless,
# with no resource (so "*"), allowed by one statement added to the role's policy — the statement
# propagates with the rest of the document, so its call succeeding shows the whole policy in force.
PROBE_ACTION = "iam:ListAccountAliases"
_PROBE_STATEMENT = {"Sid": "IamTesterPropagationProbe", "Effect": "Allow", "Action": PROBE_ACTION, "Resource": "*"}
_NO_PERMISSIONS = {
    "Sid": "IamTesterNoPermissions",
    "Effect": "Allow",
    "Action": "sts:GetCallerIdentity",
    "Resource": "*",
}


@dataclass(frozen=True)
class SandboxPlan:
    """One sandbox: the document its role carries (or, in session-policy mode, its session policy), its
    boundary and session policy, and the cases whose calls it makes, in input order."""

    number: int
    identity: Mapping[str, Any]
    identity_documents: tuple[PolicyDocument, ...]
    boundary: PolicyDocument | None
    session: PolicyDocument | None
    cases: tuple[Case, ...]
    probe: bool = False

    @property
    def description(self) -> str:
        """What the sandbox carries, by name: ``identity a.json, b.json; boundary c.json``."""
        parts = [f"identity {', '.join(doc.name for doc in self.identity_documents) or '(none)'}"]
        if self.boundary is not None:
            parts.append(f"boundary {self.boundary.name}")
        if self.session is not None:
            parts.append(f"session policy {self.session.name}")
        return "; ".join(parts)

    def with_probe(self) -> SandboxPlan:
        """The same sandbox, its document also allowing the probe (see :data:`PROBE_ACTION`)."""
        return replace(self, identity=with_probe_statement(self.identity), probe=True)


def with_probe_statement(document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` (an identity policy) with one more statement, allowing the probe."""
    probed = dict(document)
    statements = probed["Statement"]
    probed["Statement"] = [*(statements if isinstance(statements, list) else [statements]), dict(_PROBE_STATEMENT)]
    return probed


def probe_predicted_allowed(
    document: Mapping[str, Any],
    *,
    boundary: PolicyDocument | None = None,
    session: PolicyDocument | None = None,
    principal: str = DEFAULT_PRINCIPAL,
) -> bool:
    """Whether the evaluator predicts the probe allowed under ``document`` (already with the probe
    statement), a boundary and a session policy: if not, waiting for it would only end at the timeout."""
    report = validate_policy(document, kind=PolicyKind.IDENTITY, name="the sandbox's policy", catalog=False)
    if report.document is None or report.errors:  # over the size limit with the probe, say
        return False
    policy_set = PolicySet.compile(identity=[report.document], boundary=boundary, session=session)
    request = Request(action=PROBE_ACTION, resource="*", principal=principal)
    return policy_set.evaluate(request).decision is Decision.ALLOWED


def plan_sandboxes(cases: Sequence[Case], *, session_policy_mode: bool) -> list[SandboxPlan]:
    """One plan per distinct (identity, boundary, session) set of the cases that have a ``call``.

    :raises SuiteError: a case whose policies cannot be applied live in this mode, located at the case.
    """
    groups: dict[tuple[str, str | None, str | None], list[Case]] = {}
    for case in cases:
        if case.call is None:
            continue
        if session_policy_mode:
            _check_session_policy_mode(case)
        key = (
            compact_json([doc.raw for doc in case.policies.identity]),
            None if case.policies.boundary is None else compact_json(case.policies.boundary.raw),
            None if case.policies.session is None else compact_json(case.policies.session.raw),
        )
        groups.setdefault(key, []).append(case)
    plans = []
    for number, members in enumerate(groups.values(), start=1):
        slots = members[0].policies
        try:
            identity = merge_identity(slots.identity)
        except ValueError as exc:
            raise SuiteError(str(exc), location=members[0].location) from None
        plans.append(SandboxPlan(number, identity, slots.identity, slots.boundary, slots.session, tuple(members)))
    return plans


def merge_identity(documents: Sequence[PolicyDocument]) -> dict[str, Any]:
    """The identity documents as one inline policy (see the module's docstring); ValueError if their
    versions cannot be merged without changing what they mean."""
    if not documents:
        return {"Version": VERSION_2012, "Statement": [dict(_NO_PERMISSIONS)]}
    versions = {doc.version for doc in documents}
    version = next(iter(versions)) if len(versions) == 1 else VERSION_2012
    if len(versions) > 1:
        # Under 2008-10-17 (or no Version) "${aws:username}" is literal text; under 2012-10-17 a variable.
        literal = [doc.name for doc in documents if doc.version != VERSION_2012 and "${" in compact_json(doc.raw)]
        if literal:
            raise ValueError(
                f"the identity policies have different Versions and {literal[0]} uses '${{' without 2012-10-17: "
                "they cannot become the sandbox role's one inline policy without changing what it means"
            )
    statements: list[Any] = []
    used: set[str] = set()
    for doc in documents:
        raw = doc.raw["Statement"]
        for statement in raw if isinstance(raw, list) else [raw]:
            copied = copy.deepcopy(statement)
            sid = copied.get("Sid")
            if isinstance(sid, str) and sid:
                copied["Sid"] = _unique(sid, used)
            statements.append(copied)
    merged: dict[str, Any] = {"Statement": statements}
    if version is not None:
        merged = {"Version": version, **merged}
    return merged


def _unique(sid: str, used: set[str]) -> str:
    candidate, number = sid, 2
    while candidate in used:
        candidate, number = f"{sid}{number}", number + 1
    used.add(candidate)
    return candidate


def _check_session_policy_mode(case: Case) -> None:
    """With ``--session-policy`` no role is created and the identity policies are the session policy."""
    if case.policies.boundary is not None:
        raise SuiteError(
            "this case has a permissions boundary, and --session-policy creates no role to put it on",
            location=case.location,
            hint="drop --session-policy to run it in a new role",
        )
    if case.policies.session is not None:
        raise SuiteError(
            "with --session-policy the case's identity policies are the session policy; it cannot have "
            "its own session policy as well",
            location=case.location,
            hint="drop --session-policy: the identity policies then go on a new role, narrowed by the session policy",
        )


def unapplied_note(cases: Sequence[Case]) -> str | None:
    """What the report must say about the cases run live whose suite gives policies that stay offline."""
    kinds = []
    for slot, label in (("resource", "resource policies"), ("scps", "SCPs"), ("rcps", "RCPs")):
        if any(case.call is not None and getattr(case.policies, slot) for case in cases):
            kinds.append(label)
    if not kinds:
        return None
    return (
        f"the suite's {' and '.join(kinds)} cannot be applied live: the calls met the real resources and the "
        "account's organization as they are (the predictions include the suite's)"
    )


def checked_calls(plans: Sequence[SandboxPlan], session: boto3.Session) -> dict[int, str]:
    """Each case's operation as boto3's method name, once every call fits botocore's model."""
    from botocore.exceptions import BotoCoreError, NoRegionError

    available = session.get_available_services()
    clients: dict[str, Any] = {}
    methods: dict[int, str] = {}
    for plan in plans:
        for case in plan.cases:
            assert case.call is not None  # noqa: S101 - planned cases all have a call
            service = case.call.service
            try:
                if service in available and service not in clients:
                    clients[service] = session.client(service)  # type: ignore[call-overload]
                model = clients[service].meta.service_model if service in clients else None
                methods[id(case)] = check_call(service, case.call.operation, case.call.params, model, available)
            except CallCheckError as exc:
                raise SuiteError(str(exc), location=call_location(case, exc.field), hint=exc.hint) from None
            except NoRegionError as exc:
                raise translate(exc) from None
            except BotoCoreError as exc:
                raise SandboxError(f"cannot make a {service} client: {exc}") from None
    return methods


def with_probe_if_needed(plan: SandboxPlan, decisions: Mapping[int, Decision], *, session_policy: bool) -> SandboxPlan:
    """Add the propagation probe to a new role's policy when none of its calls is expected or predicted to
    be allowed — unless the evaluator says the probe would be denied anyway, or a case tests the probe's
    own action (the probe would change its answer)."""
    if session_policy:  # no new role: the policy applies at once
        return plan
    if any(likely_allowed(case, decisions[id(case)]) for case in plan.cases):
        return plan
    if any(case.action.lower() == PROBE_ACTION.lower() for case in plan.cases):
        return plan
    probed = plan.with_probe()
    allowed = probe_predicted_allowed(
        probed.identity, boundary=plan.boundary, session=plan.session, principal=plan.cases[0].principal
    )
    return probed if allowed else plan


def check_sandbox_input(
    plan: SandboxPlan, *, admin_role_arn: str | None, session_policy: bool, readiness: ReadinessSettings
) -> None:
    """What the sandbox itself will check, checked now for every sandbox, so that none is created when
    another one's input is bad."""
    try:
        check_request(
            policy_document=plan.identity,
            policy_source=f"the policy of {plan.description}",
            admin_role_arn=admin_role_arn,
            session_policy=session_policy,
            readiness=readiness,
            **sandbox_policies(plan),
        )
    except InvalidInputError as exc:
        first = plan.cases[0]
        raise SuiteError(
            f"the case's policies cannot be given to a sandbox as they are: {exc.message}",
            location=first.location,
            hint=exc.hint,
        ) from None


def sandbox_policies(plan: SandboxPlan) -> dict[str, Any]:
    """The sandbox's arguments for the boundary (which it makes a temporary managed policy) and the session
    policy (which it passes on its own AssumeRole of the new role)."""
    arguments: dict[str, Any] = {}
    if plan.boundary is not None:
        arguments.update(permissions_boundary_document=plan.boundary.raw, boundary_source=plan.boundary.name)
    if plan.session is not None:
        arguments["session_policy_document"] = plan.session.raw
    return arguments


def likely_allowed(case: Case, *decisions: Decision) -> bool:
    return case.expect is Expectation.ALLOWED or Decision.ALLOWED in decisions
