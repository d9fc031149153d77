"""The search behind every question: for one action, a request for each way the policy sets can decide it the
way the question wants ("this set allows, that one does not"), or the proof that there is none.

Why it is complete. For a fixed caller and action, a request's decision depends only on which statements apply,
and a statement applies when its Resource and each of its conditions hold. So requests fall into *cells* —
same resource matches, same condition results — and every request in a cell is decided alike. The resource
cells come from :func:`~.regular.explore` over the statements' resource patterns within the action's resource
types (catalog ARN formats); the condition cells per key from :mod:`.values`. Without policy variables, the
resource and each condition key are independent, so the cells are the product of those per dimension.

Why it is fast. The decision is *monotone* in each statement: an Allow that applies more never turns an allow
into a deny, a Deny that applies more never turns a deny into an allow ("Policy evaluation logic"). So in each
dimension only the values that are best for the question are needed: a value that makes every wanted statement
apply at least as much and every unwanted one at most as much as another makes the other useless (a Pareto
frontier). Products of frontiers are small.

Policy variables (``${aws:username}``) tie a condition or resource to another key's value; those keys are
enumerated first, from the values the policies name, the atoms of their own conditions, and a fresh value.
Each candidate request is decided by the evaluator itself, which stays the one authority on decisions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import product

from ..engine import PolicySet, Request, StatementRef
from ..engine.context import derived_keys
from ..engine.matching import resource_template
from ..engine.policies import CompiledPolicyType
from ..engine.principals import PrincipalKind, RequestPrincipal, parse_request_principal
from ..engine.protections import AwsRule, RuleEffect, rules_for
from ..engine.statements import CompiledStatement
from ..engine.variables import Context, Template, Variable
from ..engine.wildcard import arn_regex
from ..errors import InvalidArgumentError
from ..policy.catalog import ActionInfo, Catalog
from ..policy.model import ConditionEntry, Statement
from . import relax
from .regular import Language, explore, from_regex
from .resources import ResourceUniverse
from .values import FRESH, single_values, value_sets

__all__ = ["Caller", "Party", "Search", "SearchResult", "Witness", "policy_types", "resource_regex", "statements_of"]

_CELL_LIMIT = 4096
_ASSIGNMENT_LIMIT = 64
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_PIECES = re.compile(r"[/*?]+|\$\{[^}]*\}")
_SPECIAL_VARIABLES = frozenset({"*", "?", "$"})
_RESOURCE_PART = 5
# Keys every request of an IAM caller has (the engine derives them from the caller): a witness may give them
# other values, but never leaves them out.
_ALWAYS_PRESENT = frozenset(
    {"aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:principalisawsservice", "aws:userid"}
)


@dataclass(frozen=True)
class Party:
    """One policy set and what the question wants of it: that it allows (``True``) or does not."""

    policy_set: PolicySet
    allowed: bool


@dataclass(frozen=True)
class Caller:
    """Who asks, where the resources are, and whether the keys AWS derives from the caller may vary.

    ``fixed`` is for a known principal (``access --principal``): its ``aws:PrincipalArn`` and the like are what
    they are. Otherwise they vary like any key: a policy is analysed for whoever may hold it.
    """

    principal: str
    resource_account: str
    fixed: bool = False
    region: str = "us-east-1"
    excluded: tuple[tuple[str, str], ...] = ()
    """(key, prefix) pairs: values of the key (lower-cased) starting with the prefix are not this caller's (an
    outsider's ``aws:PrincipalOrgID`` is not the organization's)."""

    @property
    def parsed(self) -> RequestPrincipal:
        return parse_request_principal(self.principal)

    @property
    def partition(self) -> str:
        return self.parsed.partition


@dataclass(frozen=True)
class Witness:
    """A request decided the way the question wants, and the statements of the first party that decided it."""

    request: Request
    deciding: tuple[StatementRef, ...]


@dataclass(frozen=True)
class SearchResult:
    witnesses: tuple[Witness, ...]
    complete: bool  # False: "no witness" proves nothing (a limit, or variables the search could not settle)
    why: str | None = None  # when not complete: why not

    @classmethod
    def cut_short(cls, witnesses: tuple[Witness, ...] = ()) -> SearchResult:
        return cls(witnesses, False, LIMIT_REACHED)


LIMIT_REACHED = (
    f"a search limit ({_CELL_LIMIT:,} cells, {_ASSIGNMENT_LIMIT} variable values, {relax.ATOM_LIMIT} "
    "variable-dependent parts or 20,000 automaton states) was reached before a witness was found or proved not "
    "to exist"
)


@dataclass(frozen=True)
class _View:
    statement: CompiledStatement
    helps: bool  # does this statement applying help the question?
    variables_enabled: bool
    templates: tuple[Template, ...] | None  # the Resource/NotResource patterns, None without one
    document: str


def policy_types(policy_set: PolicySet) -> list[CompiledPolicyType]:
    """Every compiled policy type of a set, in the engine's order."""
    types = [*policy_set.rcps, *policy_set.scps]
    types.extend(t for t in (policy_set.resource, policy_set.identity, policy_set.boundary, policy_set.session) if t)
    return types


def statements_of(policy_set: PolicySet) -> Iterator[tuple[CompiledStatement, bool, str]]:
    """Every compiled statement of a set, with its document's variables flag (``Version: 2012-10-17``) and
    name (a compiled statement keeps neither)."""
    for compiled in policy_types(policy_set):
        statements = iter(compiled.statements)
        for document in compiled.documents:
            for _ in document.statements:
                yield next(statements), document.variables_enabled, document.name


def _sources(policy_set: PolicySet) -> Iterator[Statement]:
    """The policy statements of a set, in :func:`statements_of`'s order."""
    for compiled in policy_types(policy_set):
        for document in compiled.documents:
            yield from document.statements


def _variables(view: _View) -> Iterator[Variable]:
    for template in view.templates or ():
        for part in template.parts:
            if isinstance(part, Variable):
                yield part
    for condition in view.statement.conditions:
        spec = condition.entry.operator.base
        if not (view.variables_enabled and spec.variables):
            continue
        for value in condition.entry.values:
            if "${" in value:
                for match in _PLACEHOLDER.finditer(value):
                    name = match.group(1).split(",", 1)[0].strip().lower()
                    if name not in _SPECIAL_VARIABLES:
                        yield Variable(match.group(0), name)


@dataclass
class Search:
    """Searches for requests that ``parties`` decide as wanted, for ``caller``; caches per policy set."""

    parties: tuple[Party, ...]
    caller: Caller
    catalog: Catalog
    _documents: dict[int, tuple[bool, str]] = field(default_factory=dict, repr=False)
    _resources: dict[tuple[object, ...], list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._source: dict[int, Statement] = {}
        # (values, the entries: kept alive so that their ids stay theirs)
        self._single_values: dict[tuple[tuple[int, bool], ...], tuple[list[str], object]] = {}
        self._relaxations: dict[tuple[object, ...], Search] = {}
        for party in self.parties:
            for (statement, enabled, name), source in zip(
                statements_of(party.policy_set), _sources(party.policy_set), strict=True
            ):
                self._documents[id(statement)] = (enabled, name)
                self._source[id(statement)] = source
        caller = self.caller.parsed
        self._derived: dict[str, tuple[str, ...]] = {name.lower(): (value,) for name, value in derived_keys(caller)}
        self._derived["aws:resourceaccount"] = (self.caller.resource_account,)
        self._spelling: dict[str, str] = {name.lower(): name for name, _ in derived_keys(caller)}
        self._spelling["aws:resourceaccount"] = "aws:ResourceAccount"
        self._caller = caller
        self.resources = ResourceUniverse(
            self.catalog, caller.partition, self.caller.resource_account, self.caller.region
        )
        self._excluded = self.caller.excluded
        # A caller that is not an IAM principal (anonymous, a service, a federated caller) has no aws:Principal*
        # keys but those the engine derives: no org ID, no tags.
        self._no_principal_keys = not (caller.is_iam or caller.kind is PrincipalKind.ROOT)

    # -- what takes part ---------------------------------------------------------------------------
    def relevant(self, action: str) -> list[_View]:
        """The statements that can apply to ``action`` (lower-cased) for this caller, with what they mean to
        the question."""
        views: list[_View] = []
        caller = self._caller
        for party in self.parties:
            for compiled in policy_types(party.policy_set):
                for statement in compiled.candidates(action):
                    principals = statement.principals
                    never = principals is not None and principals.grant(caller) is None
                    if never and not (statement.is_deny and principals.negated):  # type: ignore[union-attr]
                        continue  # never names this caller
                    enabled, document = self._documents[id(statement)]
                    resources = statement.resources
                    templates = None
                    if resources is not None:
                        templates = tuple(resource_template(p, enabled) for p in resources.patterns)
                    helps = statement.is_deny is not party.allowed
                    views.append(_View(statement, helps, enabled, templates, document))
        return views

    # -- the search --------------------------------------------------------------------------------
    def run(self, action: ActionInfo, *, want_all: bool) -> SearchResult:
        """Requests for ``action`` decided as wanted: one per distinct set of deciding statements of the first
        party (``want_all``), or the first found. When there is none, that is proved: through the variable-free
        rewritings of :mod:`.relax` where policy variables take part; a proof that fails leaves the answer
        incomplete, saying why."""
        views = self.relevant(action.full_name.lower())
        result = self.sampled(action, views, want_all=want_all)
        if result.witnesses or not result.complete:
            return result
        return relax.settle(self, action, views, want_all=want_all)

    def atoms(self, action: str) -> list[relax.Atom]:
        """The parts of the statements that can apply to ``action`` (lower-cased) that read a variable whose
        value may vary for this caller."""
        return self.atoms_of(self.relevant(action))

    def atoms_of(self, views: Sequence[_View]) -> list[relax.Atom]:
        return relax.atoms(((self._source[id(v.statement)], v.variables_enabled) for v in views), self.free)

    def free(self, key: str) -> bool:
        """May the value of ``key`` (lower-cased) vary for this caller?"""
        return self._fixed_values(key) is None

    def relaxed(self, true: frozenset[tuple[str, ...]], tried: relax.Tried | None = None) -> Search:
        """The search over the parties rewritten under one assignment of the atoms, the first party also
        refusing the variable values in ``tried`` (:func:`.relax.relaxed`)."""
        key = (true, relax.frozen(tried))
        found = self._relaxations.get(key)
        if found is None:
            parties = tuple(
                Party(relax.relaxed(p.policy_set, true, self.free, tried if i == 0 else None), p.allowed)
                for i, p in enumerate(self.parties)
            )
            found = self._relaxations[key] = Search(parties, self.caller, self.catalog)
            found.resources = self.resources  # the same universe: share what it has read
        return found

    def tried(self, views: Sequence[_View], extra: dict[str, set[str]]) -> relax.Tried | None:
        """Per key a policy variable reads: the values :meth:`sampled` tries with ``extra`` — every combination
        of them — or ``None`` when the combinations are more than it tries."""
        out: dict[str, set[tuple[str, ...] | None]] = {}
        assignments, complete = self._assignments(views, extra)
        if not complete:
            return None
        for sigma in assignments:
            for key, value in sigma.items():
                out.setdefault(key, set()).add(value)
        return out

    def sampled(
        self, action: ActionInfo, views: Sequence[_View], *, want_all: bool, extra: dict[str, set[str]] | None = None
    ) -> SearchResult:
        """The search with policy variables taking the values the policies suggest (and ``extra``): exact for
        each value tried, a proof of nothing for the others."""
        name = action.full_name
        found: dict[tuple[StatementRef, ...], Witness] = {}
        complete = True
        cells = 0
        assignments, assigned_all = self._assignments(views, extra or {})
        complete &= assigned_all
        for sigma in assignments:
            context = {k: v for k, v in sigma.items() if v is not None}
            candidates, explored = self._resource_frontier(views, action, context, better=True)
            complete &= explored
            keys = self._free_keys(views, sigma)
            choices = [self._frontier_values(key, entries, context, better=True) for key, entries in keys]
            for resource in candidates:
                for combination in product(*choices):
                    cells += 1
                    if cells > _CELL_LIMIT:
                        return SearchResult.cut_short(tuple(found.values()))
                    values = dict(sigma)
                    values.update(zip((key for key, _ in keys), combination, strict=True))
                    request = self.request(name, resource, values)
                    witness = self._check(request)
                    if witness is not None and witness.deciding not in found:
                        found[witness.deciding] = witness
                        if not want_all:
                            return SearchResult(tuple(found.values()), complete, None if complete else LIMIT_REACHED)
        return SearchResult(tuple(found.values()), complete, None if complete else LIMIT_REACHED)

    def always(self, action: ActionInfo, resource: str) -> bool:
        """Does the (single) party allow ``action`` on ``resource`` whatever the context? Checked on the worst
        contexts of each kind: the frontier for the opposite question."""
        name = action.full_name
        views = self.relevant(name.lower())
        found = self.atoms_of(views)
        if found:
            # Every request is decided as under one of the variable-free rewritings (.relax): allowed under all
            # of them is allowed for every value. More atoms than the limit: not shown, so not claimed.
            if len(found) > relax.ATOM_LIMIT:
                return False
            return all(self.relaxed(true).always(action, resource) for true in relax.assignments(found))
        assignments, _ = self._assignments(views, {})
        for sigma in assignments:
            context = {k: v for k, v in sigma.items() if v is not None}
            keys = self._free_keys(views, sigma)
            choices = [self._frontier_values(key, entries, context, better=False) for key, entries in keys]
            for combination in product(*choices):
                values = dict(sigma)
                values.update(zip((key for key, _ in keys), combination, strict=True))
                if self._check(self.request(name, resource, values)) is None:
                    return False
        return True

    def check(self, request: Request) -> Witness | None:
        """The witness, when every party decides ``request`` as wanted (the evaluator's word). When the caller
        may vary and the request names another one in its context (``aws:PrincipalArn``, ``aws:username``),
        the witness asks as that principal instead, if the evaluator decides it alike."""
        witness = self._check(request)
        if witness is None or self.caller.fixed:
            return witness
        realized = self._as_named_caller(request)
        if realized is not None:
            better = self._check(realized)
            if better is not None:
                return better
        return witness

    def _as_named_caller(self, request: Request) -> Request | None:
        context = dict(request.context)
        lowered = {key.lower(): key for key in context}
        named = context.get(lowered.get("aws:principalarn", ""))
        if not isinstance(named, str) and isinstance(context.get(lowered.get("aws:username", "")), str):
            named = f"arn:{self.caller.partition}:iam::{self._caller.account}:user/{context[lowered['aws:username']]}"
        if not isinstance(named, str) or named == request.principal:
            return None
        try:
            caller = parse_request_principal(named)
        except InvalidArgumentError:
            return None
        if not caller.is_iam:
            return None
        derived = {name.lower(): value for name, value in derived_keys(caller)}
        kept = {k: v for k, v in context.items() if derived.get(k.lower()) != v}
        return replace(request, principal=named, context=kept)

    def _check(self, request: Request) -> Witness | None:
        deciding: tuple[StatementRef, ...] = ()
        for position, party in enumerate(self.parties):
            evaluation = party.policy_set.evaluate(request)
            if (not evaluation.decision.denied) is not party.allowed:
                return None
            if position == 0:
                deciding = evaluation.deciding
        return Witness(request, deciding)

    # -- building requests -------------------------------------------------------------------------
    def request(self, action: str, resource: str, values: dict[str, tuple[str, ...] | None]) -> Request:
        context: dict[str, str | list[str]] = {}
        for key, value in values.items():
            derived = self._derived.get(key)
            if value is None:
                if derived is not None:
                    context[self._spelling.get(key, key)] = []  # the engine drops an empty list: the key is absent
                continue
            if derived is not None and value == derived:
                continue
            context[self._spelling.get(key, key)] = value[0] if len(value) == 1 else list(value)
        # S3 ARNs carry no account: say whose the resource is when it is not the caller's.
        owner = self.caller.resource_account if self.caller.resource_account != self._caller.account else None
        return Request(action, resource, self.caller.principal, resource_account=owner, context=context)

    # -- the dimensions ----------------------------------------------------------------------------
    def _assignments(
        self, views: Sequence[_View], extra: dict[str, set[str]]
    ) -> tuple[list[dict[str, tuple[str, ...] | None]], bool]:
        """Values for the keys that policy variables read (they tie other dimensions together); ``extra``: more
        values to try per key (those a variable-free rewriting suggested)."""
        names = sorted({v.key for view in views for v in _variables(view)})
        if not names:
            return [{}], True
        pieces = self._pieces(views)
        options: list[list[tuple[str, ...] | None]] = []
        for name in names:
            derived = self._derived.get(name)
            fixed = self._fixed_values(name)
            if fixed is not None:
                options.append(fixed)
                continue
            entries = [(c.entry, v.variables_enabled) for v in views for c in v.statement.conditions if c.key == name]
            singles = single_values(entries, {}) if entries else []
            suggested = sorted(extra.get(name, ()))
            values: list[tuple[str, ...] | None] = [(s,) for s in dict.fromkeys([*suggested, *singles, *pieces, FRESH])]
            if derived is not None:
                values.insert(0, derived)
            if name not in _ALWAYS_PRESENT:
                values.append(None)
            options.append([v for v in dict.fromkeys(values) if self._allowed(name, v)])
        assignments: list[dict[str, tuple[str, ...] | None]] = []
        for combination in product(*options):
            if len(assignments) >= _ASSIGNMENT_LIMIT:
                return assignments, False
            assignments.append(dict(zip(names, combination, strict=True)))
        return assignments, True

    @staticmethod
    def _pieces(views: Sequence[_View]) -> list[str]:
        """The literal words of the resource parts of the patterns: values a variable may need to take to make
        one pattern meet another."""
        out: list[str] = []
        for view in views:
            for template in view.templates or ():
                parts = template.text.split(":", _RESOURCE_PART)
                if len(parts) > _RESOURCE_PART:
                    out.extend(p for p in _PIECES.split(parts[_RESOURCE_PART]) if p)
        return list(dict.fromkeys(out))[:12]

    def _free_keys(
        self, views: Sequence[_View], sigma: dict[str, tuple[str, ...] | None]
    ) -> list[tuple[str, list[tuple[ConditionEntry, bool, object, bool]]]]:
        by_key: dict[str, list[tuple[ConditionEntry, bool, object, bool]]] = {}
        for view in views:
            for condition in view.statement.conditions:
                if condition.key in sigma:
                    continue
                by_key.setdefault(condition.key, []).append(
                    (condition.entry, view.variables_enabled, condition.test, view.helps)
                )
                self._spelling.setdefault(condition.key, condition.entry.key)
        return sorted(by_key.items())

    def _allowed(self, key: str, option: tuple[str, ...] | None) -> bool:
        if option is None:
            return True
        return not any(k == key and any(v.startswith(p) for v in option) for k, p in self._excluded)

    def _fixed_values(self, key: str) -> list[tuple[str, ...] | None] | None:
        """The only values ``key`` may take for this caller, or ``None`` when it may vary."""
        derived = self._derived.get(key)
        if derived is not None and self.caller.fixed:
            return [derived]
        if self._no_principal_keys and key.startswith("aws:principal"):
            return [derived] if derived is not None else [None]
        return None

    def _frontier_values(
        self,
        key: str,
        entries: Sequence[tuple[ConditionEntry, bool, object, bool]],
        context: Context,
        *,
        better: bool,
    ) -> list[tuple[str, ...] | None]:
        fixed = self._fixed_values(key)
        if fixed is not None:
            return fixed
        derived = self._derived.get(key)
        pairs = [(entry, enabled) for entry, enabled, _, _ in entries]
        singles = self._singles(pairs, context)
        if derived is not None:
            singles.insert(0, derived[0])
        options: list[tuple[str, ...] | None] = list(
            dict.fromkeys(value_sets(singles, pairs, multivalued=self._multivalued(key, pairs)))
        )
        if key not in _ALWAYS_PRESENT:
            options.append(None)
        options = [o for o in options if self._allowed(key, o)]
        vectors = []
        for option in options:
            trial = dict(context)
            if option is None:
                trial.pop(key, None)
            else:
                trial[key] = option
            vectors.append(tuple(test(trial) is (helps is better) for _, _, test, helps in entries))  # type: ignore[operator]
        return _pareto(options, vectors)

    def _singles(self, pairs: Sequence[tuple[ConditionEntry, bool]], context: Context) -> list[str]:
        """:func:`.values.single_values`, once per set of conditions that read no variable (every class of
        actions meets the same SCP conditions again)."""
        if any(enabled and "${" in value for entry, enabled in pairs for value in entry.values):
            return single_values(pairs, context)
        key = tuple((id(entry), enabled) for entry, enabled in pairs)
        found = self._single_values.get(key)
        if found is None:
            found = self._single_values[key] = (single_values(pairs, context), pairs)
        return list(found[0])

    def _multivalued(self, key: str, entries: Sequence[tuple[ConditionEntry, bool]]) -> bool:
        info = self.catalog.condition_key(key)
        if info is not None:
            return info.multivalued
        return any(entry.operator.qualifier is not None for entry, _ in entries)

    def _resource_frontier(
        self, views: Sequence[_View], action: ActionInfo, context: Context, *, better: bool
    ) -> tuple[list[str], bool]:
        tested = [v for v in views if v.statement.resource_test is not None and v.templates is not None]
        # AWS's rules that concern only some resources (a protected role, a KMS key) split cells like a pattern.
        rules = [rule for rule in rules_for(action.full_name.lower()) if rule.resources]
        if not tested and not rules:
            return self.resources.samples(action)[:1], True
        universe, samples = self.resources.language(action)
        # Equal pattern lists (the same statement in both versions, say) are one language to the walk.
        patterns = tuple(
            dict.fromkeys(tuple(sorted({_resolved(t, context) for t in v.templates or ()}, key=repr)) for v in tested)
        )
        key = (self.resources.formats(action), patterns, tuple(rule.name for rule in rules))
        candidates = self._resources.get(key)
        complete = True
        if candidates is None:
            languages = [
                Language.of(from_regex(resource_regex(c)) for c in group if c is not None) for group in patterns
            ]
            for rule in rules:
                languages.append(Language.of(from_regex(rule.resource_regex(p).pattern) for p in rule.resources or ()))
            found, complete = explore(universe, languages)
            pattern_samples = [_sample(c) for group in patterns for c in group if c is not None]
            candidates = [s for s in [*pattern_samples, *samples] if universe.matches(s)]
            candidates = list(dict.fromkeys([*candidates, *found.values()]))
            self._resources[key] = candidates
        vectors = [
            (
                *(v.statement.resources.matches(r, context) is (v.helps is better) for v in tested),  # type: ignore[union-attr]
                *(flag for rule in rules for flag in _rule_flags(rule, r, better)),
            )
            for r in candidates
        ]
        return _pareto(candidates, vectors), complete


def _rule_flags(rule: AwsRule, resource: str, better: bool) -> tuple[bool, ...]:
    """A rule's place in a resource's Pareto vector. A protection that denies never helps: the first party of
    every question must allow, and the protection denies for every party alike. Any other rule may help one
    party and not another, so both sides of it are kept (neither dominates)."""
    covered = rule.covers(resource)
    if rule.effect is RuleEffect.DENY:
        return ((not covered) is better,)
    return (covered, not covered)


def _resolved(template: Template, context: Context) -> tuple[tuple[str, bool], ...] | None:
    chunks, _ = template.resolve(context)
    return None if chunks is None else tuple(chunks)


def resource_regex(chunks: Sequence[tuple[str, bool]]) -> str:
    """The regular expression the engine matches a resolved Resource pattern with."""
    if "".join(text for text, _ in chunks) == "*":
        return ".*"
    return arn_regex(chunks, trailing_star_crosses_colons=True).pattern


def _sample(chunks: Sequence[tuple[str, bool]]) -> str:
    return "".join(text.replace("*", "x").replace("?", "x") if pattern else text for text, pattern in chunks)


def _pareto(options: Sequence[object], vectors: Sequence[tuple[bool, ...]]) -> list:  # type: ignore[type-arg]
    """The options no other option beats in every position (``True`` is better); the first of equals."""
    kept: list[tuple[object, tuple[bool, ...]]] = []
    for option, vector in zip(options, vectors, strict=True):
        if any(all(b >= a for a, b in zip(vector, other, strict=True)) for _, other in kept):
            continue
        kept = [(o, v) for o, v in kept if not all(a >= b for a, b in zip(vector, v, strict=True))]
        kept.append((option, vector))
    return [option for option, _ in kept]
