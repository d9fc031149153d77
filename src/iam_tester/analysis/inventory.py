"""The analyses over policies where they live: a principal's policies taken from an inventory (docs/sources.md).

Every document is checked as its kind (grammar only: a snapshot of a thousand roles is read fast); a value the
source cannot know (a policy known only after apply, an attachment defined elsewhere) fails closed unless
``allow_unknown`` — an analysis that went on without it could say less than the truth.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..errors import InvalidArgumentError
from ..policy import PolicyDocument
from ..sources import Inventory, SourcePolicy, SourcePrincipal
from ..sources.validation import validate_source_policy

__all__ = ["PrincipalPolicies", "principal_policies", "principals_of"]


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
