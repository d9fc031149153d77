"""The catalog actions a question is about, split into classes that the policy sets treat alike.

A class is searched once, on one member (per set of resource types when a statement's Resource is more than
``*``); each member's own witness is then re-checked by the evaluator.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from ..engine.principals import PrincipalKind
from ..engine.protections import AWS_RULES, AwsRule, RuleEffect
from ..engine.statements import CompiledStatement
from ..policy.catalog import Catalog
from .actions import ActionIndex, IndexedAction, members, partition
from .results import Undecided
from .search import LIMIT_REACHED, Party, Search, SearchResult, Witness, statements_of

__all__ = ["ActionClass", "GroupResult", "action_classes", "granting_statements", "scan", "undecided_groups"]


@dataclass(frozen=True)
class ActionClass:
    """Actions every statement and every rule of AWS's (:data:`~iam_tester.engine.protections.AWS_RULES`)
    treat alike, with those statements (of every party) and rules."""

    actions: tuple[IndexedAction, ...]
    statements: tuple[CompiledStatement, ...]
    rules: tuple[AwsRule, ...] = ()

    @property
    def resources_matter(self) -> bool:
        """Does some statement here test the resource (a Resource other than ``*``, or a NotResource), or some
        rule protect only some resources?"""
        return any(s.resource_test is not None for s in self.statements) or any(r.resources for r in self.rules)


def granting_statements(party: Party, caller_kind: PrincipalKind) -> list[CompiledStatement]:
    """The Allow statements that can grant on their own for this kind of caller: identity policies for IAM
    callers, the resource policy for every caller."""
    policy_set = party.policy_set
    types = [policy_set.resource] if policy_set.resource is not None else []
    if caller_kind not in (PrincipalKind.SERVICE, PrincipalKind.ROOT):
        types.append(policy_set.identity)
    return [s for t in types if t is not None for s in t.statements if not s.is_deny and not _synthetic(s)]


def _synthetic(statement: CompiledStatement) -> bool:
    return statement.ref.policy.startswith("(")


def action_classes(
    catalog: Catalog,
    parties: Sequence[Party],
    caller_kind: PrincipalKind,
    *,
    scope: Sequence[CompiledStatement] | None = None,
    differing_only: bool = False,
) -> list[ActionClass]:
    """The classes of the catalog actions that the ``scope`` statements reach (default: the first party's
    granting statements). With ``differing_only`` (two parties), the classes whose matching statements are the
    same in both are left out: both parties decide every request for them alike."""
    granting = list(scope) if scope is not None else granting_statements(parties[0], caller_kind)
    # What AWS allows whatever the policies say (GetCallerIdentity) is access of every authenticated caller
    # (protections are not for anonymous ones).
    allowing = []
    if scope is None and caller_kind is not PrincipalKind.ANONYMOUS:
        allowing = [r.actions for r in AWS_RULES if r.effect is RuleEffect.ALLOW]
    if caller_kind is PrincipalKind.ROOT and scope is None:
        index = ActionIndex(catalog, catalog.services)
        candidates = index.full
    else:
        index = ActionIndex.for_matchers(catalog, [*(s.actions for s in granting), *allowing])
        candidates = 0
        for matcher in [*(s.actions for s in granting), *allowing]:
            candidates |= index.mask(matcher)
    owners: list[int] = []
    statements: list[CompiledStatement] = []
    flags: list[bool] = []
    for position, party in enumerate(parties):
        for statement, enabled, _ in statements_of(party.policy_set):
            owners.append(position)
            statements.append(statement)
            flags.append(enabled)
    masks = [index.mask(s.actions) for s in statements]
    # AWS decides the actions a rule concerns by more than the policies (the engine's one table of such rules):
    # they are classes of their own, so that a representative never stands for an action decided otherwise.
    masks += [index.mask(rule.actions) for rule in AWS_RULES]
    same_shape = len(parties) == 2 and _shape(parties[0]) == _shape(parties[1])
    classes: list[ActionClass] = []
    for mask, signature in partition(candidates, masks):
        chosen = sorted(i for i in signature if i < len(statements))
        if differing_only and same_shape:
            sides = [Counter(_content(statements[i], flags[i]) for i in chosen if owners[i] == side) for side in (0, 1)]
            if sides[0] == sides[1]:
                continue
        rules = tuple(AWS_RULES[i - len(statements)] for i in sorted(signature) if i >= len(statements))
        classes.append(
            ActionClass(tuple(index.actions[i] for i in members(mask)), tuple(statements[i] for i in chosen), rules)
        )
    return classes


def _shape(party: Party) -> tuple[object, ...]:
    """Which policy types a set has: a type present on one side only changes decisions by being there."""
    policy_set = party.policy_set
    present = (policy_set.boundary, policy_set.session, policy_set.resource)
    return (*(p is not None for p in present), len(policy_set.scps), len(policy_set.rcps))


def _content(statement: CompiledStatement, variables_enabled: bool) -> tuple[object, ...]:
    """What a statement says, without where it stands (two equal statements decide every request alike)."""
    ref = statement.ref
    resources = statement.resources
    principals = statement.principals
    conditions = tuple(sorted((c.entry.operator.canonical, c.key, c.entry.values) for c in statement.conditions))
    return (
        ref.policy_type,
        ref.level,
        ref.effect,
        tuple(sorted(p.lower() for p in statement.actions.patterns)),
        statement.actions.negated,
        (tuple(sorted(resources.patterns)), resources.negated) if resources is not None else None,
        (tuple(sorted(map(repr, principals.entries))), principals.negated) if principals is not None else None,
        conditions,
        variables_enabled and _mentions_variables(statement),
    )


def _mentions_variables(statement: CompiledStatement) -> bool:
    resources = statement.resources
    texts = [
        *(resources.patterns if resources is not None else ()),
        *(v for c in statement.conditions for v in c.entry.values),
    ]
    return any("${" in text for text in texts)


@dataclass(frozen=True)
class GroupResult:
    """The witnesses found for a group of actions searched together (one class, one set of resource types),
    the first member's search standing for the group's, each member's re-checked by the evaluator;
    ``undecided``: members without a witness whose search could not prove there is none (they may be
    allowed), each with why."""

    witnesses: tuple[tuple[IndexedAction, tuple[Witness, ...]], ...]
    undecided: tuple[tuple[IndexedAction, str], ...]


def scan(
    search: Search,
    classes: Sequence[ActionClass],
    *,
    want_all: bool,
    recheck: bool = True,
    per_action: bool = False,
) -> Iterator[GroupResult]:
    """Search each class once (per set of resource types when resources matter) and carry the witnesses over
    to every member, re-checking each with the evaluator. Without ``recheck`` every member gets the
    representative's witnesses as they are: for answers that report no witness per action, where the class
    construction stands for them. With ``per_action``, a member that the representative's witnesses do not
    fit — none found included — is searched on its own: every action is then decided by its own search, which
    is how the class construction is checked."""
    for klass in classes:
        groups: dict[tuple[str, ...], list[IndexedAction]] = {}
        if klass.resources_matter:
            for action in klass.actions:
                formats = search.resources.formats(action.info)
                groups.setdefault(formats, []).append(action)
        else:
            groups[()] = list(klass.actions)
        for group in groups.values():
            yield _search_group(
                search,
                group,
                want_all=want_all,
                same_resources=klass.resources_matter,
                recheck=recheck or per_action,
                per_action=per_action,
            )


def _search_group(
    search: Search,
    group: Sequence[IndexedAction],
    *,
    want_all: bool,
    same_resources: bool,
    recheck: bool,
    per_action: bool,
) -> GroupResult:
    representative = group[0]
    result = search.run(representative.info, want_all=want_all)
    if not result.witnesses and not per_action:
        return GroupResult((), () if result.complete else tuple((a, _why(result)) for a in group))
    if not recheck:
        return GroupResult(tuple((action, result.witnesses) for action in group), ())
    found: list[tuple[IndexedAction, tuple[Witness, ...]]] = []
    undecided: list[tuple[IndexedAction, str]] = []
    for action in group:
        resource = None if same_resources else search.resources.samples(action.info)[0]
        checked = []
        for witness in result.witnesses:
            request = replace(witness.request, action=action.name, resource=resource or witness.request.resource)
            verified = search.check(request)
            if verified is not None:
                checked.append(verified)
        own = result
        if not checked and action is not representative:
            # The evaluator has the last word: a member the class's witnesses do not fit is searched alone.
            own = search.run(action.info, want_all=want_all)
            checked = list(own.witnesses)
        if checked:
            found.append((action, tuple(checked)))
        elif not own.complete:
            undecided.append((action, _why(own)))
    return GroupResult(tuple(found), tuple(undecided))


def _why(result: SearchResult) -> str:
    return result.why or LIMIT_REACHED


def undecided_groups(pairs: Sequence[tuple[str, str]]) -> tuple[Undecided, ...]:
    """(action, why) pairs as one :class:`~.results.Undecided` per reason."""
    by_why: dict[str, list[str]] = {}
    for action, why in pairs:
        by_why.setdefault(why, []).append(action)
    return tuple(Undecided(tuple(dict.fromkeys(actions)), why) for why, actions in by_why.items())
