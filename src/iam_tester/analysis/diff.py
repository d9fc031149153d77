"""What NEW allows that OLD does not, and the reverse, each finding with a request that proves it.

``diff`` compares two versions of one policy in its place: an identity policy (held by a role whose other
policies allow nothing), a permissions boundary, session policy, SCP or RCP (over identity policies that allow
everything, so that only the cap decides), or a resource or trust policy (for every principal it names, an
outside account, a principal of its own account, and — with their identity policies allowing everything or
nothing — so that only the resource policy decides). The search is :mod:`.search`'s: sound, so "no new access"
is said only when no request exists that NEW allows and OLD does not; where a limit cuts a search short, the
actions are reported as undecided, which a gate counts as new access.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..engine import PolicySet, PolicyType
from ..engine.principals import ANONYMOUS, parse_request_principal
from ..errors import InvalidArgumentError
from ..policy.arns import ACCOUNT_ID, IAM_PRINCIPAL_ARN, split_arn
from ..policy.catalog import Catalog, get_catalog
from ..policy.model import PolicyDocument, PolicyKind
from ..policy.validate import parse_policy
from .access import delegating_policy
from .classes import action_classes, scan, undecided_groups
from .findings import deduplicated, finding_for
from .results import DiffReport, Finding, Undecided
from .search import Caller, Party, Search, statements_of

if TYPE_CHECKING:  # the source readers load only for a diff of sources (.inventory), not at every start-up
    from .inventory import PrincipalPolicies

__all__ = ["DIFF_KINDS", "diff_policies", "diff_principal"]

DIFF_KINDS = ("identity", "boundary", "session", "scp", "rcp", "resource", "trust")
"""Where the compared policy sits (``--type``)."""

_ACCOUNT = "111122223333"
_OUTSIDER = "999988887777"
_SLOT_TYPES = {
    "identity": PolicyType.IDENTITY,
    "boundary": PolicyType.BOUNDARY,
    "session": PolicyType.SESSION,
    "scp": PolicyType.SCP,
    "rcp": PolicyType.RCP,
    "resource": PolicyType.RESOURCE,
    "trust": PolicyType.RESOURCE,
}
_ALLOW_ALL_NAME = "(the principal's own policies, assumed to allow everything)"


def allow_all() -> PolicyDocument:
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    return parse_policy(document, kind=PolicyKind.MANAGED, name=_ALLOW_ALL_NAME)


@dataclass(frozen=True)
class _Setting:
    """One way to put the compared policy in place: who asks, the two policy sets, how findings name them."""

    caller: Caller
    old: PolicySet
    new: PolicySet
    label: str | None


def diff_policies(
    old: PolicyDocument,
    new: PolicyDocument,
    *,
    kind: str = "identity",
    account: str | None = None,
    catalog: Catalog | None = None,
) -> DiffReport:
    """Compare two versions of a policy of ``kind`` (one of :data:`DIFF_KINDS`). ``account`` is the account
    the policy lives in (default: the one its ARNs name, else 111122223333)."""
    if kind not in DIFF_KINDS:
        raise InvalidArgumentError(f"unknown policy type {kind!r}", hint=f"use one of: {', '.join(DIFF_KINDS)}")
    catalog = catalog or get_catalog()
    account = account or _account_named(old, new) or _ACCOUNT
    return _diff(_settings(old, new, kind, account), _SLOT_TYPES[kind], catalog)


def diff_principal(
    old: PrincipalPolicies | None, new: PrincipalPolicies, *, account: str, catalog: Catalog | None = None
) -> DiffReport:
    """Compare what a principal's identity policies and boundary allow in two versions (``old`` ``None``: the
    principal is new, and so is everything it may do). Findings name the principal by its id."""
    caller = Caller(new.arn or f"arn:aws:iam::{account}:role/iam-tester-witness", account, fixed=new.arn is not None)
    delegating = delegating_policy(account)
    empty = PolicySet.compile(resource=delegating)
    old_set = PolicySet.compile(identity=old.identity, boundary=old.boundary, resource=delegating) if old else empty
    new_set = PolicySet.compile(identity=new.identity, boundary=new.boundary, resource=delegating)
    return _diff([_Setting(caller, old_set, new_set, new.id)], PolicyType.IDENTITY, catalog or get_catalog())


def _diff(settings: Sequence[_Setting], slot: PolicyType, catalog: Catalog) -> DiffReport:
    new_access: list[Finding] = []
    removed: list[Finding] = []
    undecided: list[Undecided] = []
    for setting in settings:
        for granting, other, out in ((setting.new, setting.old, new_access), (setting.old, setting.new, removed)):
            findings, gaps = _compare(granting, other, setting, slot, catalog)
            out.extend(findings)
            if out is new_access:
                undecided.extend(gaps)
    return DiffReport(tuple(deduplicated(new_access)), tuple(deduplicated(removed)), tuple(undecided))


def _account_named(*documents: PolicyDocument) -> str | None:
    for document in documents:
        for statement in document.statements:
            for pattern in statement.resource or statement.not_resource or ():
                parts = split_arn(pattern)
                if parts is not None and ACCOUNT_ID.match(parts[4]):
                    return parts[4]
    return None


def _settings(old: PolicyDocument, new: PolicyDocument, kind: str, account: str) -> list[_Setting]:
    delegating = delegating_policy(account)
    if kind == "identity":
        caller = Caller(f"arn:aws:iam::{account}:role/iam-tester-witness", account)
        return [
            _Setting(
                caller,
                PolicySet.compile(identity=[old], resource=delegating),
                PolicySet.compile(identity=[new], resource=delegating),
                None,
            )
        ]
    if kind in ("boundary", "session", "scp", "rcp"):
        caller = Caller(f"arn:aws:iam::{account}:role/iam-tester-witness", account)

        def compiled(document: PolicyDocument) -> PolicySet:
            slots: dict[str, object] = {"boundary": document} if kind == "boundary" else {}
            if kind == "session":
                slots = {"session": document}
            elif kind == "scp":
                slots = {"scps": [[document]]}
            elif kind == "rcp":
                slots = {"rcps": [[document]]}
            return PolicySet.compile(identity=[allow_all()], resource=delegating, **slots)  # type: ignore[arg-type]

        return [_Setting(caller, compiled(old), compiled(new), None)]
    return _resource_settings(old, new, account, trust=kind == "trust")


def _resource_settings(old: PolicyDocument, new: PolicyDocument, account: str, *, trust: bool) -> list[_Setting]:
    """For a resource or trust policy: every principal either version names, an outside account, a principal
    of the resource's own account and (for a resource policy) an anonymous caller; each IAM caller with
    identity policies allowing everything, and (in the resource's account, where a resource policy can grant
    on its own) nothing."""
    callers: dict[str, str | None] = {} if trust else {ANONYMOUS: "anonymous"}
    for document in (old, new):
        for statement in document.statements:
            for principal in (*(statement.principal or ()), *(statement.not_principal or ())):
                text = _caller_for(principal.kind, principal.value)
                if text is not None:
                    callers.setdefault(text, principal.value)
    callers.setdefault(f"arn:aws:iam::{_OUTSIDER}:role/iam-tester-witness", "any AWS account")
    callers.setdefault(f"arn:aws:iam::{account}:role/iam-tester-witness", f"a principal of {account}")
    everything = allow_all()
    settings: list[_Setting] = []
    for text, label in callers.items():
        parsed = parse_request_principal(text)
        caller = Caller(text, account, fixed=True)
        identities = [[everything]] if parsed.is_iam else [[]]
        if parsed.account == account:
            identities.append([])
        for identity in identities:
            settings.append(
                _Setting(
                    caller,
                    PolicySet.compile(identity=identity, resource=old),
                    PolicySet.compile(identity=identity, resource=new),
                    label,
                )
            )
    return settings


def _caller_for(kind: str, value: str) -> str | None:
    """A request principal standing for a Principal entry (an account by a role in it)."""
    if kind in ("Service", "Federated"):
        return value if _parses(value) else None
    if kind != "AWS" or value == "*":
        return None
    if ACCOUNT_ID.match(value):
        return f"arn:aws:iam::{value}:role/iam-tester-witness"
    match = IAM_PRINCIPAL_ARN.match(value)
    if match and match["service"] == "iam" and match["resource"] == "root":
        return f"arn:{match['partition']}:iam::{match['account']}:role/iam-tester-witness"
    return value if _parses(value) else None


def _parses(text: str) -> bool:
    try:
        parse_request_principal(text)
    except InvalidArgumentError:
        return False
    return True


def _compare(
    granting: PolicySet, other: PolicySet, setting: _Setting, slot: PolicyType, catalog: Catalog
) -> tuple[list[Finding], list[Undecided]]:
    parties = (Party(granting, True), Party(other, False))
    search = Search(parties, setting.caller, catalog)
    # New access for an action needs the granting side's slot to allow it (an identity policy, a boundary, an
    # SCP, a session policy must), or — for a resource policy or an RCP, which other policies may stand in
    # for — the other side's slot to have denied it.
    scope = [s for s, _, _ in statements_of(granting) if s.ref.policy_type is slot and not s.is_deny]
    if slot in (PolicyType.RESOURCE, PolicyType.RCP):
        scope += [s for s, _, _ in statements_of(other) if s.ref.policy_type is slot and s.is_deny]
    statements = {id(s.ref): s for p in parties for s, _, _ in statements_of(p.policy_set)}
    kind = setting.caller.parsed.kind
    findings: list[Finding] = []
    gaps: list[tuple[str, str]] = []
    classes = action_classes(catalog, parties, kind, scope=scope, differing_only=True)
    for group in scan(search, classes, want_all=True):
        gaps.extend((action.name, why) for action, why in group.undecided)
        for action, witnesses in group.witnesses:
            for witness in witnesses:
                findings.append(finding_for(action.name, witness, statements, slot, setting.label))
    return findings, list(undecided_groups(gaps))
