"""Who outside a resource's account (or outside an organization) a resource or trust policy lets in.

The callers tried are those that can be outside: an anonymous caller (for a resource policy), a role in an
account no policy names (standing for any AWS account), a role in each account the policy names other than
the resource's own, each principal ARN of another account it names, each service and each identity provider
(for a trust policy's ``Federated``). An IAM caller's own policies are assumed to allow everything — what it
may do is what the resource's policy lets it. With an organization ID, an outsider's ``aws:PrincipalOrgID``
is another organization's or absent. Each exposure is a witness request the evaluator allows.
"""

from __future__ import annotations

from ..engine import PolicySet, PolicyType
from ..engine.principals import ANONYMOUS, parse_request_principal
from ..errors import InvalidArgumentError
from ..policy.arns import ACCOUNT_ID, IAM_PRINCIPAL_ARN
from ..policy.catalog import Catalog, get_catalog
from ..policy.model import PolicyDocument
from .classes import action_classes, scan, undecided_groups
from .diff import allow_all
from .findings import finding_for
from .results import Exposure, ExposureReport
from .search import Caller, Party, Search, statements_of

__all__ = ["exposure"]

_OUTSIDER = "999988887777"
_ORG_KEYS = ("aws:principalorgid", "aws:principalorgpaths")
_ORDER = {"anonymous": 0, "any-account": 1, "account": 2, "principal": 3, "federated": 4, "service": 5}


def _callers(document: PolicyDocument, account: str, *, trust: bool) -> dict[str, tuple[str, str]]:
    """Request principal -> (who, kind) for every caller outside ``account`` worth trying."""
    found: dict[str, tuple[str, str]] = {}
    if not trust:
        found[ANONYMOUS] = ("anonymous", "anonymous")
    found[f"arn:aws:iam::{_OUTSIDER}:role/iam-tester-witness"] = ("any AWS account", "any-account")
    for statement in document.statements:
        for principal in (*(statement.principal or ()), *(statement.not_principal or ())):
            value = principal.value
            if principal.kind == "Service":
                if _parses(value):  # not a service principal (another case, a typo): it lets no service in
                    found.setdefault(value, (value, "service"))
            elif principal.kind == "Federated":
                provider = value if value.startswith("arn:") else None
                if provider is not None and _parses(provider):
                    found.setdefault(provider, (value, "federated"))
            elif principal.kind == "AWS" and value != "*":
                named = _account_of(value)
                if named is None or named == account:
                    continue
                if ACCOUNT_ID.match(value) or value.endswith(":root"):
                    found.setdefault(f"arn:aws:iam::{named}:role/iam-tester-witness", (named, "account"))
                elif _parses(value):
                    found.setdefault(value, (value, "principal"))
    return found


def _parses(text: str) -> bool:
    try:
        parse_request_principal(text)
    except InvalidArgumentError:
        return False
    return True


def _account_of(value: str) -> str | None:
    if ACCOUNT_ID.match(value):
        return value
    match = IAM_PRINCIPAL_ARN.match(value)
    return match["account"] if match else None


def exposure(
    document: PolicyDocument,
    *,
    account: str = "111122223333",
    org_id: str | None = None,
    catalog: Catalog | None = None,
) -> ExposureReport:
    """Access ``document`` (a resource or trust policy of a resource in ``account``) gives outside the account,
    or outside organization ``org_id``."""
    catalog = catalog or get_catalog()
    trust = document.kind.value == "trust"
    excluded = tuple((key, org_id) for key in _ORG_KEYS) if org_id is not None else ()
    exposures: list[Exposure] = []
    gaps: list[tuple[str, str]] = []
    for principal, (who, kind) in _callers(document, account, trust=trust).items():
        parsed = parse_request_principal(principal)
        identity = [allow_all()] if parsed.is_iam else []
        policy_set = PolicySet.compile(identity=identity, resource=document)
        party = Party(policy_set, True)
        caller = Caller(principal, account, fixed=True, excluded=excluded)
        search = Search((party,), caller, catalog)
        statements = {id(s.ref): s for s, _, _ in statements_of(policy_set)}
        scope = [s for s, _, _ in statements_of(policy_set) if s.ref.policy_type is PolicyType.RESOURCE]
        classes = action_classes(catalog, (party,), parsed.kind, scope=scope)
        for group in scan(search, classes, want_all=True):
            gaps.extend((action.name, why) for action, why in group.undecided)
            for action, witnesses in group.witnesses:
                for witness in witnesses:
                    finding = finding_for(action.name, witness, statements, PolicyType.RESOURCE, who)
                    exposures.append(
                        Exposure(who, kind, finding.action, finding.resource, finding.conditions, finding.witness)
                    )
    unique = {(e.who, e.action, e.resource, repr(e.conditions)): e for e in exposures}
    ordered = sorted(unique.values(), key=lambda e: (_ORDER.get(e.kind, 9), e.who, e.action.lower()))
    return ExposureReport(account, org_id, tuple(ordered), undecided_groups(gaps))
