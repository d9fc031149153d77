"""What a principal may do: its policies expanded into the catalog actions some request allows.

Every catalog action an identity policy's Allow reaches (``NotAction`` and ``*`` included, so up to the whole
catalog) is a candidate; the search (:mod:`.search`) finds an allowed request for it or proves there is none.
The resource's own policy is assumed to delegate to the caller's account — as a KMS key's default key policy
and a bucket without a policy do — so that identity policies, boundaries, session policies and SCPs decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..engine import PolicySet
from ..engine.matching import compile_resources
from ..engine.principals import PrincipalKind, parse_request_principal
from ..engine.protections import RuleEffect, rules_for
from ..engine.results import PolicyType
from ..engine.statements import CompiledStatement
from ..errors import InvalidArgumentError
from ..policy.arns import arn_fits_format
from ..policy.catalog import Catalog, get_catalog
from ..policy.model import PolicyDocument, PolicyKind
from ..policy.risky import risky_actions
from ..policy.validate import parse_policy
from .actions import IndexedAction
from .classes import action_classes, scan, undecided_groups
from .narrow import cap_patterns, narrowed
from .results import AccessReport, ActionAccess
from .search import Caller, Party, Search, Witness, statements_of

__all__ = ["WITNESS_PRINCIPAL", "delegating_policy", "effective_access"]

WITNESS_PRINCIPAL = "arn:aws:iam::111122223333:role/iam-tester-witness"
"""Who asks when no principal is given: a role holding the policies, in AWS's documentation account."""

DELEGATING_POLICY_NAME = "(the resource's policy, assumed to delegate to the caller's account)"
OWN_POLICY_ASSUMED = "depends on the resource's own policy, assumed here to delegate to the account"
"""How ``access`` presents an action whose resource's own policy must allow (a KMS key, a role to assume)."""


def delegating_policy(account: str, partition: str = "aws") -> PolicyDocument:
    """A resource policy that leaves the decision to the caller's account's IAM policies ("How AWS enforcement
    code logic evaluates requests": a resource policy naming the account delegates to its identity policies)."""
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                "Action": "*",
                "Resource": "*",
            }
        ],
    }
    return parse_policy(document, kind=PolicyKind.RESOURCE, name=DELEGATING_POLICY_NAME)


def effective_access(
    *,
    identity: Sequence[PolicyDocument] = (),
    boundary: PolicyDocument | None = None,
    session: PolicyDocument | None = None,
    scps: Sequence[Sequence[PolicyDocument]] | None = None,
    rcps: Sequence[Sequence[PolicyDocument]] | None = None,
    principal: str | None = None,
    witnesses: bool = False,
    catalog: Catalog | None = None,
) -> AccessReport:
    """Every catalog action ``principal`` (default: a role holding the policies, whose derived keys such as
    ``aws:PrincipalArn`` may then be anything) may perform on some resource in its account, with some context.

    Each class of actions that the policies treat alike is searched once, on one member. With ``witnesses``,
    every action gets its own allowed request, each re-checked by the evaluator (slower: one decision per
    action).

    Raises :class:`~iam_tester.errors.InvalidArgumentError` for a principal that has no identity policies
    (a service or anonymous) and :class:`~iam_tester.errors.PolicyUsageError` for a document in the wrong slot.
    """
    catalog = catalog or get_catalog()
    caller_text = principal or WITNESS_PRINCIPAL
    parsed = parse_request_principal(caller_text)
    if not parsed.is_iam and parsed.kind is not PrincipalKind.ROOT:
        raise InvalidArgumentError(
            f"{caller_text} has no identity policies: access expands an IAM principal's policies",
            hint="use exposure for who a resource or trust policy lets in",
        )
    account = parsed.account or "111122223333"
    policy_set = PolicySet.compile(
        identity=identity,
        boundary=boundary,
        session=session,
        resource=delegating_policy(account, parsed.partition),
        scps=scps,
        rcps=rcps,
    )
    caller = Caller(caller_text, account, fixed=principal is not None)
    search = Search((Party(policy_set, True),), caller, catalog)
    statements = {id(s.ref): s for s, _, _ in statements_of(policy_set)}
    risky = risky_actions()
    caps = [t for t in (policy_set.boundary, policy_set.session, *policy_set.scps) if t is not None]
    entries: list[ActionAccess] = []
    undecided: list[tuple[str, str]] = []
    classes = action_classes(catalog, search.parties, parsed.kind)
    for group in scan(search, classes, want_all=True, recheck=witnesses, per_action=witnesses):
        undecided.extend((action.name, why) for action, why in group.undecided)
        # Class mode: the first member's search stands for the group's; per action: each its own.
        shared = _Conditions.of(search, *group.witnesses[0]) if group.witnesses and not witnesses else None
        reached: dict[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]], tuple[str, ...]] = {}
        granted_by: dict[int, list[tuple[str, bool]]] = {}  # class mode: every member shares its witnesses
        for action, found_here in group.witnesses:
            conditions = shared or _Conditions.of(search, action, found_here)
            granted = granted_by.get(id(found_here))
            if granted is None:
                granted = granted_by[id(found_here)] = _granted(found_here, statements)
            # Only patterns other than "*" need the action's resource types (read per service: slow en masse).
            formats = search.resources.formats(action.info) if any(p != "*" for p, _ in granted) else ()
            # The caps (boundary, session policy, SCPs) narrow the patterns (.narrow); only for typed actions.
            capped = cap_patterns(caps, action.lowered) if caps and search.resources.formats(action.info) else ()
            if (formats, capped) not in reached:
                reached[(formats, capped)] = _reached(search, action, granted, capped)
            risk = risky.get(action.lowered)
            entries.append(
                ActionAccess(
                    action=action.name,
                    access_level=action.info.access_level,
                    resources=reached[(formats, capped)],
                    conditional=conditions.conditional,
                    conditions=conditions.keys,
                    risks=(f"{risk.category}: {risk.why}",) if risk else (),
                    aws_rules=_rule_notes(search, action),
                    witness=found_here[0].request if witnesses else None,
                )
            )
    entries.sort(key=lambda e: e.action.lower())
    return AccessReport(caller_text, tuple(entries), undecided_groups(undecided), catalog.version)


@dataclass(frozen=True)
class _Conditions:
    """Whether an action is allowed only under conditions (no witness's resource is allowed whatever the
    context), and then the condition keys that decide."""

    conditional: bool
    keys: tuple[str, ...]

    @classmethod
    def of(cls, search: Search, action: IndexedAction, found: Sequence[Witness]) -> _Conditions:
        conditional = not any(search.always(action.info, w.request.resource) for w in found)
        return cls(conditional, _condition_keys(search, action) if conditional else ())


def _rule_notes(search: Search, action: IndexedAction) -> tuple[str, ...]:
    """AWS's rules beyond the policies (the engine's table) that concern ``action`` on its resource types."""
    notes: list[str] = []
    for rule in rules_for(action.lowered):
        if rule.resources and not any(_fits(p, search.resources.formats(action.info)) for p in rule.resources):
            continue  # about resources this action is never requested on (kms:ListKeys and keys)
        if rule.effect is RuleEffect.ALLOW:
            notes.append(f"{rule.name}: {rule.reason}")
        elif rule.effect is RuleEffect.DENY:
            notes.append(f"{rule.name}: never on {', '.join(rule.resources or ())}: {rule.reason}")
        else:
            notes.append(f"{rule.name}: {OWN_POLICY_ASSUMED}: {rule.reason}")
    return tuple(notes)


def _condition_keys(search: Search, action: IndexedAction) -> tuple[str, ...]:
    """The condition keys of the statements that can apply to ``action``, as the policies spell them, and the
    keys their policy variables read where those may vary."""
    names: dict[str, str] = {}
    for view in search.relevant(action.lowered):
        for condition in view.statement.conditions:
            names.setdefault(condition.key, condition.entry.key)
    for atom in search.atoms(action.lowered):
        for key in atom.variables:
            names.setdefault(key, key)
    return tuple(sorted(names.values(), key=str.lower))


def _granted(witnesses: Sequence[Witness], statements: dict[int, CompiledStatement]) -> list[tuple[str, bool]]:
    """The Resource (or NotResource, ``True``) patterns of the identity statements that granted the witnesses."""
    out: dict[tuple[str, bool], None] = {}
    for witness in witnesses:
        for ref in witness.deciding:
            statement = statements.get(id(ref))
            if statement is None or ref.policy_type is not PolicyType.IDENTITY or statement.resources is None:
                continue
            matcher = statement.resources
            if matcher.negated:
                out[("NotResource " + ", ".join(matcher.patterns), True)] = None
            else:
                out.update(((pattern, False), None) for pattern in matcher.patterns)
    return list(out)


def _reached(
    search: Search, action: IndexedAction, granted: Sequence[tuple[str, bool]], capped: tuple[tuple[str, ...], ...]
) -> tuple[str, ...]:
    """The patterns to list for ``action``: the granted ones that fit its resource types, narrowed by the caps'
    patterns ``capped`` (a NotResource is listed as it is)."""
    typed = search.resources.formats(action.info)
    listed = _resources(typed if any(p != "*" for p, _ in granted) else (), granted)
    if not capped:
        return listed
    negated = {p for p, is_negated in granted if is_negated}
    plain = [p for p in listed if p not in negated]
    kept = narrowed(plain, capped, search.resources.language(action.info)[0]) if plain else ()
    return (*(p for p in kept if _fits(p, typed)), *(p for p in listed if p in negated)) or listed


def _resources(formats: Sequence[str], granted: Sequence[tuple[str, bool]]) -> tuple[str, ...]:
    """The granted patterns that fit the action's resource types."""
    return tuple(p for p, negated in granted if negated or _fits(p, formats)) or ("*",)


def _fits(pattern: str, formats: Sequence[str]) -> bool:
    if pattern == "*":
        return True
    if not formats:
        return compile_resources([pattern], negated=False, variables_enabled=False).matches("*", {})
    return any(arn_fits_format(pattern, f) for f in formats)
