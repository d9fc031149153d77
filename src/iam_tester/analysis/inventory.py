"""The analyses over policies where they live: a principal's policies taken from an inventory (docs/sources.md).

Every document is checked as its kind (grammar only: a snapshot of a thousand roles is read fast); a value the
source cannot know (a policy known only after apply, an attachment defined elsewhere) fails closed unless
``allow_unknown`` — an analysis that went on without it could say less than the truth.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..errors import InvalidArgumentError, Location, SourceError
from ..policy import PolicyDocument
from ..policy.arns import ACCOUNT_ID, split_arn
from ..policy.sourcemap import PathPart, SourceMap
from ..sources import Inventory, SourcePolicy, SourcePrincipal, SourceResource, SourceSpec
from ..sources.build import ManagedFetcher, finish
from ..sources.files import read_json_file
from ..sources.tfplan import plan_draft
from ..sources.validation import validate_source_policy
from .results import DiffReport

__all__ = [
    "PrincipalPolicies",
    "diff_inventories",
    "plan_before_and_after",
    "principal_policies",
    "principals_of",
]


@dataclass(frozen=True)
class PrincipalPolicies:
    """A principal from a source: its id, the ARN it asks as (``None`` when the source cannot know it), its
    identity policies (a user's groups' included) and its permissions boundary."""

    id: str
    arn: str | None
    identity: tuple[PolicyDocument, ...]
    boundary: PolicyDocument | None


def _document(policy: SourcePolicy) -> PolicyDocument:
    return validate_source_policy(policy, catalog=False).raise_for_errors()


def principal_policies(found: SourcePrincipal, *, allow_unknown: bool = False) -> PrincipalPolicies:
    """The documents of one principal of an inventory."""
    unknown = [u for u in found.unknown if u.attribute != "arn"]
    if unknown and not allow_unknown:
        listed = "; ".join(str(u) for u in unknown)
        raise InvalidArgumentError(
            f"the principal {found.id} has policies its source cannot know: {listed}",
            hint="analyse it without them with --allow-unknown (the answer may then say less than the truth)",
        )
    boundary = _document(found.boundary) if found.boundary is not None else None
    return PrincipalPolicies(found.id, found.arn, tuple(_document(p) for p in found.identity), boundary)


def principals_of(
    inventory: Inventory, refs: Sequence[str] | None, *, allow_unknown: bool = False
) -> Iterator[PrincipalPolicies]:
    """The principals named by id or ARN (every one, in the inventory's order, when ``refs`` is ``None``)."""
    if refs is None:
        chosen = list(inventory.principals)
    else:
        chosen = []
        for ref in refs:
            found = inventory.principal(ref)
            if found is None:
                known = ", ".join(inventory.principal_ids()[:10]) or "none"
                raise InvalidArgumentError(f"no principal {ref!r} in the sources", hint=f"principals: {known}")
            chosen.append(found)
    for found in chosen:
        yield principal_policies(found, allow_unknown=allow_unknown)


def diff_inventories(old: Inventory, new: Inventory, *, allow_unknown: bool = False) -> DiffReport:
    """What the principals and resources of ``new`` allow that those of ``old`` do not, matched by id: each
    principal's identity policies and boundary, each role's trust policy, each resource's policy. A principal
    or resource only in ``new`` brings all its access as new; one only in ``old``, as removed."""
    from .diff import diff_principal

    reports: list[DiffReport] = []
    old_principals = {p.id: p for p in old.principals}
    new_principals = {p.id: p for p in new.principals}
    for ref in sorted(old_principals.keys() | new_principals.keys()):
        before, after = old_principals.get(ref), new_principals.get(ref)
        account = _account(after or before)
        if after is not None:
            found_before = principal_policies(before, allow_unknown=allow_unknown) if before else None
            reports.append(
                diff_principal(found_before, principal_policies(after, allow_unknown=allow_unknown), account=account)
            )
        elif before is not None:
            gone = diff_principal(None, principal_policies(before, allow_unknown=allow_unknown), account=account)
            reports.append(DiffReport((), gone.new_access, ()))
        trusts = (before.trust if before else None, after.trust if after else None)
        if any(trusts):
            reports.append(_documents_diff(trusts, "trust", account, ref))
    old_resources = {r.id: r for r in old.resources}
    new_resources = {r.id: r for r in new.resources}
    for ref in sorted(old_resources.keys() | new_resources.keys()):
        policies = (_policy_of(old_resources.get(ref)), _policy_of(new_resources.get(ref)))
        if any(policies):
            resource = new_resources.get(ref) or old_resources.get(ref)
            reports.append(_documents_diff(policies, "resource", _account(resource), ref))
    return DiffReport(
        tuple(f for r in reports for f in r.new_access),
        tuple(f for r in reports for f in r.removed_access),
        tuple(u for r in reports for u in r.undecided),
    )


def _policy_of(resource: SourceResource | None) -> SourcePolicy | None:
    return resource.policy if resource is not None else None


def _account(found: SourcePrincipal | SourceResource | None) -> str:
    arn = found.arn if found is not None else None
    parts = split_arn(arn) if arn else None
    return parts[4] if parts is not None and ACCOUNT_ID.match(parts[4]) else "111122223333"


def _documents_diff(
    policies: tuple[SourcePolicy | None, SourcePolicy | None], kind: str, account: str, ref: str
) -> DiffReport:
    """One resource or trust policy in two versions; a missing version allows nothing."""
    from .diff import diff_policies

    documents = [_document(p) if p is not None else None for p in policies]
    template = next(d for d in documents if d is not None)
    empty = dataclasses.replace(template, statements=(), name=f"(no policy on {ref})")
    old, new = (d if d is not None else empty for d in documents)
    report = diff_policies(old, new, kind=kind, account=account)
    label = lambda f: dataclasses.replace(f, principal=f"{f.principal} on {ref}" if f.principal else ref)  # noqa: E731
    return DiffReport(tuple(map(label, report.new_access)), tuple(map(label, report.removed_access)), report.undecided)


def plan_before_and_after(spec: SourceSpec, fetch: ManagedFetcher | None = None) -> tuple[Inventory, Inventory]:
    """A Terraform plan as two inventories: the state before it (its ``prior_state``, read like a state's
    ``values``; empty for a first apply) and the state it plans ("Terraform JSON output format"). ``fetch``
    reads the managed policies the plan attaches but does not define (:func:`~iam_tester.sources.managed_fetcher`)."""
    data, source_map = read_json_file(spec.file, spec.display, "Terraform plan JSON")
    after = finish([plan_draft(data, spec, source_map)], fetch)
    prior = data.get("prior_state") if isinstance(data, dict) else None
    if not isinstance(prior, dict) or not isinstance(prior.get("values"), dict):
        existing = _existing(data)
        if existing is not None:
            # Not a first apply: with no state to read "before" from, every grant would look new and every
            # removal go unseen.
            raise SourceError(
                f"the plan changes resources that exist ({existing}) but holds no prior_state to compare with",
                location=Location(spec.display, "prior_state"),
                hint="write the plan with `terraform show -json PLANFILE`, which includes the state it was made "
                "from, or compare two sources (diff OLD NEW)",
            )
        return Inventory(sources=(str(spec),)), after
    before_data = {key: value for key, value in data.items() if key in ("format_version", "configuration")}
    before_data["values"] = prior["values"]
    before_data["prior_state"] = prior  # data sources read while planning (the account, the region)
    # Paths into before_data are paths into prior_state of the file (locations stay right).
    before = finish([plan_draft(before_data, spec, _BeforeMap(source_map))], fetch)
    return before, after


def _existing(data: object) -> str | None:
    """The address of a resource the plan updates or deletes (one that exists before it), if any."""
    changes = data.get("resource_changes") if isinstance(data, dict) else None
    for change in changes if isinstance(changes, list) else ():
        detail = change.get("change") if isinstance(change, dict) else None
        if isinstance(detail, dict) and detail.get("before") is not None:
            return str(change.get("address", "a resource"))
    return None


class _BeforeMap:
    """Positions in the plan file of a path into the "before" view (``values`` is ``prior_state.values``)."""

    def __init__(self, inner: SourceMap) -> None:
        self.inner = inner

    def position(self, path: Sequence[PathPart], *, key: bool = False) -> tuple[int, int] | None:
        if path and path[0] == "values":
            path = ("prior_state", *path)
        return self.inner.position(path, key=key)
