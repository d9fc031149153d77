"""The evaluator's entry point: compile a policy set once, then evaluate many requests against it.

Which policies apply to whom (decided from the IAM User Guide and the AWS Organizations User Guide):

- identity policies, the permissions boundary and the session policy apply to IAM callers (users, role
  sessions, federated users); the account root user has no identity policies and full access in its own
  account; a service principal has none either. A session policy applies only to sessions (role sessions and
  federated users): "If the principal is not a session principal, the enforcement code returns a final
  decision of Allow" without looking at one.
- SCPs apply to IAM callers and the root user of the principal's account, not to service principals and not
  to service-linked roles ("SCPs don't affect service-linked roles"). RCPs apply to every caller of a resource
  in the organization, service principals included, except service-linked roles. Requests by or on the
  management account are not affected by either: pass no SCPs/RCPs for them.
- A resource-based policy statement with ``NotPrincipal`` and ``Deny`` "will always deny any IAM principal that
  has a permissions boundary policy attached, regardless of the values specified in the NotPrincipal element"
  ("Permissions boundaries for IAM entities").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

from ..errors import InvalidArgumentError, Location, PolicyUsageError
from ..policy.arns import ACCOUNT_ID
from ..policy.describe import shown
from ..policy.load import ParsedText
from ..policy.model import PolicyDocument, PolicyKind
from .combine import DecisionInputs, Verdict, combine
from .context import RequestState, build_context
from .explain import explain
from .policies import CompiledPolicyType
from .principals import PrincipalKind, parse_request_principal
from .protections import TRUST_ACTIONS, protection, resource_policy_required
from .requests import checked_action, checked_resource, checked_text, matched_resource
from .results import Evaluation, Explanation, PolicyType, Request

__all__ = ["TRUST_ACTIONS", "PolicyInput", "PolicySet"]

_NO_PRINCIPAL_KINDS = frozenset(
    {
        PolicyKind.IDENTITY,
        PolicyKind.USER,
        PolicyKind.GROUP,
        PolicyKind.MANAGED,
        PolicyKind.BOUNDARY,
        PolicyKind.SESSION,
    }
)
_SLOT_KINDS: dict[str, frozenset[PolicyKind]] = {
    "identity": _NO_PRINCIPAL_KINDS,
    "boundary": _NO_PRINCIPAL_KINDS,
    "session": _NO_PRINCIPAL_KINDS,
    "resource": frozenset({PolicyKind.RESOURCE, PolicyKind.TRUST}),
    "scp": _NO_PRINCIPAL_KINDS | {PolicyKind.SCP},
    "rcp": frozenset({PolicyKind.RCP}),
}


@dataclass(frozen=True, eq=False)
class PolicySet:
    """Every policy that can take part in a request, compiled. Build it with :meth:`compile`; it is safe to
    share, and compares by identity."""

    identity: CompiledPolicyType
    boundary: CompiledPolicyType | None
    session: CompiledPolicyType | None
    resource: CompiledPolicyType | None
    scps: tuple[CompiledPolicyType, ...]
    rcps: tuple[CompiledPolicyType, ...]

    @classmethod
    def compile(
        cls,
        *,
        identity: Sequence[PolicyInput] = (),
        boundary: PolicyInput | None = None,
        session: PolicyInput | None = None,
        resource: PolicyInput | None = None,
        scps: Sequence[Sequence[PolicyInput]] | None = None,
        rcps: Sequence[Sequence[PolicyInput]] | None = None,
    ) -> PolicySet:
        """Compile the policies. ``scps``/``rcps`` are levels, the organization root first, then OUs, then the
        account; every SCP level must allow, and AWS's ``RCPFullAWSAccess`` is implied at every RCP level.

        Each policy is a :class:`~iam_tester.policy.PolicyDocument`, or a dict or JSON text, checked here as
        its slot's kind (a resource policy as a trust policy when it reads as one), raising
        :class:`~iam_tester.errors.PolicyError` when it is malformed.

        Raises :class:`~iam_tester.errors.PolicyUsageError` for a document of the wrong kind for its slot or a
        condition value its operator cannot use, and :class:`~iam_tester.errors.InvalidArgumentError` for an
        SCP level with no policy (AWS always has one attached: ``FullAWSAccess`` unless replaced).
        """
        identity_docs = tuple(_document(d, "identity", f"identity[{i}]") for i, d in enumerate(identity))
        singles = {
            slot: None if given is None else _document(given, slot, slot)
            for slot, given in (("boundary", boundary), ("session", session), ("resource", resource))
        }
        for document in identity_docs:
            _check_slot(document, "identity")
        for slot, single in singles.items():
            if single is not None:
                _check_slot(single, slot)
        scp_levels = [
            [_document(d, "scp", f"scps[{i}][{j}]") for j, d in enumerate(lv)] for i, lv in enumerate(scps or ())
        ]
        for index, level in enumerate(scp_levels):
            if not level:
                raise InvalidArgumentError(
                    f"SCP level {index} has no policy: every root, OU and account has at least one SCP attached",
                    hint="list FullAWSAccess (Allow * on *) for a level that restricts nothing",
                )
            for document in level:
                _check_slot(document, "scp")
        rcp_levels = [
            [_document(d, "rcp", f"rcps[{i}][{j}]") for j, d in enumerate(lv)] for i, lv in enumerate(rcps or ())
        ]
        for level in rcp_levels:
            for document in level:
                _check_slot(document, "rcp")

        def one(policy_type: PolicyType, slot: str) -> CompiledPolicyType | None:
            document = singles[slot]
            return None if document is None else CompiledPolicyType.compile(policy_type, (document,))

        return cls(
            identity=CompiledPolicyType.compile(PolicyType.IDENTITY, identity_docs),
            boundary=one(PolicyType.BOUNDARY, "boundary"),
            session=one(PolicyType.SESSION, "session"),
            resource=one(PolicyType.RESOURCE, "resource"),
            scps=tuple(CompiledPolicyType.compile(PolicyType.SCP, tuple(lv), i) for i, lv in enumerate(scp_levels)),
            rcps=tuple(CompiledPolicyType.compile(PolicyType.RCP, tuple(lv), i) for i, lv in enumerate(rcp_levels)),
        )

    def evaluate(self, request: Request) -> Evaluation:
        """Decide one request. Raises :class:`~iam_tester.errors.InvalidArgumentError` for a malformed action,
        resource or principal (see :mod:`.requests`)."""
        _, _, verdict = self._decide(request)
        # The explanation is recomputed from the request when asked: an Evaluation keeps no per-request
        # context or traces alive, which keeps memory (and the garbage collector's work) small when a caller
        # holds on to many evaluations.
        return Evaluation(
            request=request,
            decision=verdict.decision,
            deciding=verdict.deciding,
            summary=verdict.summary,
            _explain=partial(self._explain, request),
        )

    def _decide(self, request: Request) -> tuple[RequestState, DecisionInputs, Verdict]:
        resource = request.resource
        # The common case in one cheap test (this runs for every request); anything else gets the full
        # checks, which accept str subclasses and any Mapping and say what is wrong.
        if not (
            type(request.action) is str
            and type(resource) is str
            and type(request.principal) is str
            and type(request.context) is dict
            and (resource == "*" or (resource.startswith("arn:") and resource.count(":") >= 5))
        ):
            _check_request(request)
        caller = parse_request_principal(request.principal)
        action = checked_action(request.action)
        resource_account = request.resource_account or _account_of(resource) or caller.account
        context = build_context(request.context, caller, resource_account)
        matched = matched_resource(action, resource, caller.partition)
        state = RequestState(request, caller, action, resource_account, context, matched)
        inputs = self._inputs(state)
        # AWS's own rules (protections) are for authenticated callers: an anonymous one is decided by the policies.
        protected = protection(action, resource) if caller.kind is not PrincipalKind.ANONYMOUS else None
        return state, inputs, protected or combine(inputs)

    def _explain(self, request: Request) -> Explanation:
        state, inputs, verdict = self._decide(request)
        return explain(self, state, inputs, verdict)

    def _inputs(self, state: RequestState) -> DecisionInputs:
        # Written out plainly (no partials, no generators): this runs for every request.
        caller, action, context = state.caller, state.action, state.context
        resource = state.resource
        iam = caller.is_iam
        scp_applies = (iam or caller.kind is PrincipalKind.ROOT) and not caller.service_linked
        rcp_applies = not caller.service_linked
        resource_outcome = None
        if self.resource is not None:
            if state.request.resource == "*":
                # A resource-based policy is attached to a resource; a request on none (s3:ListAllMyBuckets,
                # kms:ListKeys) meets none, whatever the policy's patterns.
                resource_outcome = self.resource.silent()
            else:
                ignore = iam and self.boundary is not None
                resource_outcome = self.resource.analyse(
                    action, resource, caller, context, deny_ignores_not_principal=ignore
                )
        rcps = tuple(
            [level.analyse(action, resource, caller, context) if rcp_applies else level.silent() for level in self.rcps]
        )
        scps = tuple(
            [level.analyse(action, resource, caller, context) if scp_applies else level.silent() for level in self.scps]
        )
        identity = self.identity.analyse(action, resource, caller, context) if iam else self.identity.silent()
        boundary = session = None
        if self.boundary is not None:
            boundary = self.boundary.analyse(action, resource, caller, context) if iam else self.boundary.silent()
        if self.session is not None:
            if caller.is_session:
                session = self.session.analyse(action, resource, caller, context)
            else:
                session = self.session.silent()
        return DecisionInputs(
            caller,
            state.request.action,
            caller.account is not None
            and caller.account == state.resource_account
            and _partition_of(resource) in (None, caller.partition),
            # Key policies and trust policies must allow on their own terms (protections.py).
            resource_policy_required(action, resource, given=resource_outcome is not None and resource_outcome.applies),
            rcps,
            scps,
            resource_outcome,
            identity,
            boundary,
            session,
        )


def _check_request(request: Request) -> None:
    """Raise :class:`InvalidArgumentError` for a request the evaluator cannot decide (see :mod:`.requests`)."""
    checked_text(request.principal, "principal")
    checked_text(request.action, "action")
    checked_resource(checked_text(request.resource, "resource"))
    if not isinstance(request.context, Mapping):
        raise InvalidArgumentError(f"the request's context must be a mapping, not {shown(request.context)}")


PolicyInput = PolicyDocument | Mapping[str, Any] | str
"""A policy as :meth:`PolicySet.compile` takes it: a checked document, a dict, or JSON text."""

_SLOT_KIND = {
    "identity": PolicyKind.IDENTITY,
    "boundary": PolicyKind.BOUNDARY,
    "session": PolicyKind.SESSION,
    "scp": PolicyKind.SCP,
    "rcp": PolicyKind.RCP,
}


def _document(policy: object, slot: str, name: str) -> PolicyDocument:
    """``policy`` as a checked document of its slot's kind."""
    if isinstance(policy, PolicyDocument):
        return policy
    if isinstance(policy, (Mapping, str)):
        from ..policy.kinds import infer_kind
        from ..policy.validate import parse_policy

        raw = policy
        if isinstance(policy, str):
            from ..policy.load import parse_json_text

            parsed = parse_json_text(policy, name=name)
            raw = {} if not isinstance(parsed, ParsedText) else parsed.raw
        kind = _SLOT_KIND.get(slot) or (
            PolicyKind.TRUST if infer_kind(raw) is PolicyKind.TRUST else PolicyKind.RESOURCE
        )
        return parse_policy(policy, kind=kind, name=name)
    raise InvalidArgumentError(
        f"the {slot} policy {name} must be a PolicyDocument, a dict or JSON text, not {shown(policy)}",
        hint="read files with iam_tester.policy.load_policy_file",
    )


def _levels(levels: Sequence[Sequence[PolicyInput]] | None, slot: str) -> list[list[PolicyDocument]]:
    return [[_document(d, slot, f"{slot}s[{i}][{j}]") for j, d in enumerate(lv)] for i, lv in enumerate(levels or ())]


def _check_slot(document: PolicyDocument, slot: str) -> None:
    allowed = _SLOT_KINDS[slot]
    if document.kind in allowed:
        return
    kinds = ", ".join(sorted(k.value for k in allowed))
    raise PolicyUsageError(
        f"a {document.kind.value} policy cannot be used as {'an' if slot[0] in 'aeiou' else 'a'} {slot} policy",
        location=Location(document.name),
        code="wrong-policy-kind",
        hint=f"a {slot} policy must be read as one of: {kinds}",
    )


@lru_cache(maxsize=8192)
def _account_of(resource: str) -> str | None:
    parts = resource.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and ACCOUNT_ID.match(parts[4]):
        return parts[4]
    return None


@lru_cache(maxsize=8192)
def _partition_of(resource: str) -> str | None:
    """The partition an ARN names (``aws``, ``aws-cn``, ``aws-us-gov`` ...); ``None`` for ``*``. An account lives
    in one partition, so the same account ID in another partition is another account."""
    return resource.split(":", 2)[1] if resource.startswith("arn:") else None
