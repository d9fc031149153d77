"""Policy variables without sampling: the proof that no value of a variable gives a witness.

The search (:mod:`.search`) tries a variable (``${aws:username}``) with the values the policies suggest. That
finds witnesses, but trying values proves nothing about the others. This module makes "none" a proof.

An *atom* is a part of a statement that reads a variable whose value may vary: a Resource or NotResource
pattern, or a condition whose values name one. For a given request, each atom is true or false. Rewriting the
policies under one assignment of truths — a true pattern widened to what any value could make of it (the
variable as ``*``; in the resource part of an ARN, ``*`` covers anything), a false pattern removed, a true
condition removed, a statement with a false condition made to match no action — gives variable-free policies
that decide *that* request exactly as the real ones do. So every real witness is a witness of the rewritten
policies under its own assignment, and when the exact variable-free search finds none under any assignment,
there is none. Atoms are shared by their text: the same pattern in two versions of a policy is one atom, true
or false for both alike, which keeps an unchanged statement from looking like a change.

A witness of the rewritten policies is only a hint: the values it suggests (what the widened ``*`` covered)
are tried for real, and when none gives a witness the answer is "undecided", naming the variables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from typing import TYPE_CHECKING

from ..engine import PolicySet, Request
from ..engine.matching import resource_template
from ..engine.variables import Template, Variable, parse_template
from ..engine.wildcard import glob_regex, plain
from ..policy.model import ConditionEntry, Effect, PolicyDocument, PolicyKind, Principal, Statement
from ..policy.operators import ParsedOperator, parse_operator
from .regular import Item, Language, explore, from_regex, literal

if TYPE_CHECKING:
    from ..policy.catalog import ActionInfo
    from .search import Search, SearchResult, _View

__all__ = ["ATOM_LIMIT", "Atom", "Tried", "assignments", "atoms", "frozen", "hints", "relaxed", "settle"]

ATOM_LIMIT = 6
"""Variable-dependent parts rewritten at once: up to 2**6 variable-free searches per round."""
VERSION = "2012-10-17"

Free = Callable[[str], bool]
"""Whether a (lower-cased) key's value may vary for the caller (a fixed principal's ``aws:username`` does not)."""

_SPECIAL = frozenset({"*", "?", "$"})


@dataclass(frozen=True)
class Atom:
    """A part of a statement that reads a variable that may vary. ``key`` identifies it across policies (its
    text); ``shown`` is what a report names; ``template`` reads values back from a request."""

    key: tuple[str, ...]
    shown: str
    variables: tuple[str, ...]  # lower-cased keys
    template: Template
    condition_key: str | None  # for a condition: the key whose value the template describes
    entry: ConditionEntry | None = None


def _free_variables(template: Template, free: Free) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(
            p.key for p in template.parts if isinstance(p, Variable) and p.key not in _SPECIAL and free(p.key)
        )
    )


def _pattern_atom(pattern: str, free: Free) -> Atom | None:
    template = resource_template(pattern, True)
    names = _free_variables(template, free)
    if not names:
        return None
    return Atom(("resource", pattern), pattern, names, template, None)


def _condition_atom(entry: ConditionEntry, free: Free) -> Atom | None:
    if not entry.operator.base.variables:
        return None
    templates = [parse_template(v, enabled=True) for v in entry.values]
    names = tuple(dict.fromkeys(n for t in templates for n in _free_variables(t, free)))
    if not names:
        return None
    key = ("condition", entry.operator.text.lower(), entry.key.lower(), *entry.values)
    shown = f"{entry.operator.text} {entry.key} {' or '.join(entry.values)}"
    # One template stands for the hints; the first value with a variable.
    template = next(t for t in templates if _free_variables(t, free))
    return Atom(key, shown, names, template, entry.key.lower(), entry)


def atoms(statements: Iterable[tuple[Statement | None, bool]], free: Free) -> list[Atom]:
    """The atoms of ``statements`` (each with its document's variables flag), each once."""
    found: dict[tuple[str, ...], Atom] = {}
    for statement, enabled in statements:
        if statement is None or not enabled:
            continue
        for pattern in statement.resource or statement.not_resource or ():
            atom = _pattern_atom(pattern, free)
            if atom is not None:
                found.setdefault(atom.key, atom)
        for entry in statement.conditions:
            atom = _condition_atom(entry, free)
            if atom is not None:
                found.setdefault(atom.key, atom)
    return list(found.values())


def assignments(found: Sequence[Atom]) -> Iterator[frozenset[tuple[str, ...]]]:
    """Every assignment of truths to the atoms that can happen, as the set of the true ones. One where an atom
    holds and another that holds whenever it does not, or where two atoms that never hold together both hold,
    is left out (:func:`_relation`); the others are all kept, possible or not."""
    pairs = [(a.key, b.key, _relation(a, b)) for a in found for b in found if a is not b]
    implied = [(a, b) for a, b, relation in pairs if relation == "implies"]
    exclusive = [(a, b) for a, b, relation in pairs if relation == "excludes"]
    keys = [atom.key for atom in found]
    for size in range(len(keys) + 1):
        for chosen in combinations(keys, size):
            true = frozenset(chosen)
            if any(a in true and b not in true for a, b in implied):
                continue
            if any(a in true and b in true for a, b in exclusive):
                continue
            yield true


def _relation(a: Atom, b: Atom) -> str | None:
    """``implies``: ``b`` holds whenever ``a`` does, for every value of the variable; ``excludes``: they never
    hold together. Shown for the plain shape only — one variable once, between what comes before and after it
    (``a/${u}`` and ``a/${u}*``; ``StringEquals ${u}`` and ``StringLike ${u}*`` on one key): ``a`` implies
    ``b`` when its before and after are each within ``b``'s; when two Resource patterns have the same head and
    the same fixed-length before, the variable sits at the same place in both, and afters that share no string
    exclude each other. Anything else is not claimed, which only keeps an assignment that cannot happen."""
    if a.condition_key != b.condition_key:
        return None
    shape_a, shape_b = _shape(a), _shape(b)
    if shape_a is None or shape_b is None:
        return None
    (head_a, before_a, variable_a, after_a), (head_b, before_b, variable_b, after_b) = shape_a, shape_b
    if variable_a != variable_b or head_a != head_b:
        return None
    if _included(before_a, before_b) and _included(after_a, after_b):
        return "implies"
    # The same place needs a fixed length before the variable: no "*" there, nor in the ARN's head (a "*"
    # ending a head segment may run on past colons). Conditions are left out: a key given several values may
    # meet each condition with another.
    aligned = a.condition_key is None and "*" not in head_a and all(not star for _, star in before_a)
    if aligned and before_a == before_b and _disjoint(after_a, after_b):
        return "excludes"
    return None


def relaxed(
    policy_set: PolicySet, true: frozenset[tuple[str, ...]], free: Free, tried: Tried | None = None
) -> PolicySet:
    """``policy_set`` rewritten under one assignment: atoms in ``true`` hold, every other atom does not; with
    ``tried``, it also refuses every request whose variables all take values already tried (an RCP level of its
    own: RCPs apply to every caller, anonymous ones included)."""

    def document(doc: PolicyDocument) -> PolicyDocument:
        if not doc.variables_enabled:
            return doc
        return replace(doc, statements=tuple(_statement(s, true, free) for s in doc.statements))

    def single(compiled: object) -> PolicyDocument | None:
        documents = getattr(compiled, "documents", None)
        return document(documents[0]) if documents else None

    return PolicySet.compile(
        identity=[document(d) for d in policy_set.identity.documents],
        boundary=single(policy_set.boundary),
        session=single(policy_set.session),
        resource=single(policy_set.resource),
        scps=[[document(d) for d in level.documents] for level in policy_set.scps],
        rcps=[
            *([document(d) for d in level.documents] for level in policy_set.rcps),
            *([[_refusal(tried)]] if tried else []),
        ],
    )


Tried = dict[str, set[tuple[str, ...] | None]]
"""Per key a variable reads: the values a search tried (``None``: the key absent)."""


def frozen(tried: Tried | None) -> object:
    return None if tried is None else tuple(sorted((k, frozenset(v)) for k, v in tried.items()))


def _refusal(tried: Tried) -> PolicyDocument:
    """A Deny of every request whose variable keys all hold a value in ``tried`` — or are absent where that was
    tried (``IfExists``). The values are literal (``$`` written ``${$}``, so nothing in them reads as a
    variable)."""
    entries: list[ConditionEntry] = []
    for key, options in sorted(tried.items()):
        values = tuple(sorted({o[0].replace("$", "${$}") for o in options if o is not None and len(o) == 1}))
        if not values:
            entries.append(ConditionEntry(_operator("Null"), key, ("true",)))
            continue
        entries.append(
            ConditionEntry(_operator("StringEqualsIfExists" if None in options else "StringEquals"), key, values)
        )
    statement = Statement(
        index=0,
        effect=Effect.DENY,
        sid="ValuesAlreadyTried",
        action=("*",),
        resource=("*",),
        principal=(Principal("*", "*"),),
        conditions=tuple(entries),
    )
    return PolicyDocument("(values already tried)", PolicyKind.RCP, (statement,), VERSION)


def _operator(name: str) -> ParsedOperator:
    parsed = parse_operator(name)
    if parsed is None:  # pragma: no cover - the names above are IAM's
        raise ValueError(name)
    return parsed


def _statement(statement: Statement, true: frozenset[tuple[str, ...]], free: Free) -> Statement:
    kept: list[ConditionEntry] = []
    for entry in statement.conditions:
        atom = _condition_atom(entry, free)
        if atom is None:
            kept.append(entry)
        elif atom.key not in true:
            return replace(statement, action=(), not_action=None)  # a false condition: it never applies
    changes: dict[str, object] = {"conditions": tuple(kept)}
    bounds = _bounds(statement, free)
    for element in ("resource", "not_resource"):
        patterns: tuple[str, ...] | None = getattr(statement, element)
        if patterns is None:
            continue
        rewritten: list[str] = []
        for pattern in patterns:
            atom = _pattern_atom(pattern, free)
            if atom is None:
                rewritten.append(pattern)
            elif atom.key in true:
                rewritten.extend(_widened(atom.template, free, bounds))
        changes[element] = tuple(dict.fromkeys(rewritten))
    return replace(statement, **changes)  # type: ignore[arg-type]


def _bounds(statement: Statement, free: Free) -> dict[str, tuple[str, ...]]:
    """Per free key, the patterns its value matches whenever the statement applies: those of a plain
    ``StringLike`` (or ``StringEquals``, its values made literal) on the key in the same statement."""
    bounds: dict[str, tuple[str, ...]] = {}
    for entry in statement.conditions:
        operator = entry.operator
        relation = operator.base.relation
        key = entry.key.lower()
        plain_positive = operator.qualifier is None and not operator.if_exists and relation in ("Equals", "Like")
        if not plain_positive or operator.base.name != f"String{relation}" or not free(key) or key in bounds:
            continue
        if any("${" in value for value in entry.values):
            continue
        bounds[key] = tuple(value if relation == "Like" else _literal(value) for value in entry.values)
    return bounds


def _literal(value: str) -> str:
    """``value`` as resource-pattern text that matches it alone (``${*}``, ``${?}``, ``${$}`` for the
    characters a pattern reads otherwise)."""
    return "".join(f"${{{c}}}" if c in "*?$" else c for c in value)


def _widened(template: Template, free: Free, bounds: dict[str, tuple[str, ...]]) -> list[str]:
    """The patterns that cover what any value of the free variables could make of ``template``: each variable
    as ``*`` (variables come only after the fifth colon, where ``*`` covers anything), or — when the statement
    bounds it (:func:`_bounds`) — as each pattern its value must match."""
    out = [""]
    for part in template.parts:
        if isinstance(part, str):
            choices: tuple[str, ...] = (part,)
        elif part.key not in _SPECIAL and free(part.key):
            choices = bounds.get(part.key, ("*",))
        else:
            choices = (part.text,)
        out = [done + choice for done in out for choice in choices]
    return out


def hints(atom: Atom, resource: str, context: dict[str, tuple[str, ...]]) -> dict[str, set[str]]:
    """Values of the atom's variables that would make it hold for ``resource`` or the condition key's value in
    ``context`` (lower-cased keys): read back through the template, the variables as groups."""
    if atom.condition_key is None:
        parts = resource.split(":", 5)
        texts = [parts[-1]] if len(parts) == 6 else []  # an ARN's six parts
        template = _resource_part(atom.template)
    else:
        texts = list(context.get(atom.condition_key, ()))
        template = atom.template
    out: dict[str, set[str]] = {}
    for greedy in (True, False):
        regex, names = _capturing(template, greedy)
        for text in texts:
            match = regex.fullmatch(text) or regex.search(text)
            if match is None:
                continue
            for position, name in enumerate(names):
                out.setdefault(name, set()).add(match.group(position + 1))
    return out


def _resource_part(template: Template) -> Template:
    """The part of a resource template after the fifth colon: a template with variables is built as that head
    (policy text) followed by the resource part's pieces (:func:`~iam_tester.engine.matching.resource_template`)."""
    return Template(template.parts[1:], "")


def _capturing(template: Template, greedy: bool) -> tuple[re.Pattern[str], list[str]]:
    """A regular expression with a group per variable (a variable used again must repeat its value), and the
    keys of the groups in order. Only a guess at values (``*`` is read as a wildcard even for StringEquals):
    whatever it suggests is tried by the evaluator."""
    pieces: list[str] = []
    names: list[str] = []
    for part in template.parts:
        if isinstance(part, str):
            pieces.append("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in part))
        elif part.key in _SPECIAL:
            pieces.append(re.escape(part.key))
        elif part.key in names:
            pieces.append(f"(?:\\{names.index(part.key) + 1})")
        else:
            names.append(part.key)
            pieces.append(f"(.*{'' if greedy else '?'})")
    return re.compile("".join(pieces), re.DOTALL), names


Shape = tuple[str, tuple[Item, ...], Variable, tuple[Item, ...]]


def _shape(atom: Atom) -> Shape | None:
    """``(head, before, variable, after)`` for a pattern with one variable once (``before``/``after`` as the
    values they match), or ``None``."""
    if atom.entry is None:
        head, *rest = atom.template.parts
        if not isinstance(head, str):
            return None
        like = True
    else:
        operator = atom.entry.operator
        relation = operator.base.relation
        plain_positive = operator.qualifier is None and not operator.if_exists and relation in ("Equals", "Like")
        if len(atom.entry.values) != 1 or not plain_positive or operator.base.name != f"String{relation}":
            return None
        head, rest, like = "", list(atom.template.parts), relation == "Like"
    variables = [p for p in rest if isinstance(p, Variable)]
    if len(variables) != 1 or variables[0].key in _SPECIAL:
        return None
    at = rest.index(variables[0])
    before, after = "".join(map(str, rest[:at])), "".join(map(str, rest[at + 1 :]))
    return head, _items(before, like), variables[0], _items(after, like)


def _items(text: str, like: bool) -> tuple[Item, ...]:
    """The strings ``text`` matches: as a glob (``StringLike``, a Resource's resource part) or literally."""
    return from_regex(glob_regex(plain(text)).pattern) if like else literal(text)


def _included(smaller: tuple[Item, ...], larger: tuple[Item, ...]) -> bool:
    """Is every string ``smaller`` matches matched by ``larger``?"""
    found, complete = explore(None, [Language.of([smaller]), Language.of([larger])])
    return complete and (True, False) not in found


def _disjoint(first: tuple[Item, ...], second: tuple[Item, ...]) -> bool:
    """Do ``first`` and ``second`` match no string in common?"""
    found, complete = explore(None, [Language.of([first]), Language.of([second])])
    return complete and (True, True) not in found


_ROUNDS = 3


def settle(search: Search, action: ActionInfo, views: Sequence[_View], *, want_all: bool) -> SearchResult:
    """After the values tried gave no witness: prove there is none, or find one, or say why neither.

    Each round rewrites the policies under every possible assignment of the atoms, refusing the values already
    tried (each of them was searched exactly); no witness of any rewriting proves there is none. A witness of a
    rewriting suggests values (what a widened ``*`` covered, the variable keys of its context); those are tried
    for real, and the next round refuses them too.
    """
    from .search import SearchResult  # not at the top: search imports this module

    found = search.atoms_of(views)
    if not found:
        return SearchResult((), True)
    if len(found) > ATOM_LIMIT:
        return SearchResult.cut_short()
    extra: dict[str, set[str]] = {}
    for _ in range(_ROUNDS):
        tried = search.tried(views, extra)
        if tried is None:
            return SearchResult.cut_short()
        suggested: dict[str, set[str]] = {}
        relaxed_witness, complete = False, True
        for true in assignments(found):
            result = search.relaxed(true, tried).run(action, want_all=False)
            complete &= result.complete
            for witness in result.witnesses:
                relaxed_witness = True
                _suggest(suggested, found, true, witness.request)
        if not complete:
            return SearchResult.cut_short()
        if not relaxed_witness:
            return SearchResult((), True)
        fresh = {k: v - extra.get(k, set()) for k, v in suggested.items()}
        if not any(fresh.values()):
            break
        for key, values in fresh.items():
            extra.setdefault(key, set()).update(values)
        retry = search.sampled(action, views, want_all=want_all, extra=extra)
        if retry.witnesses or not retry.complete:
            return retry
    names = ", ".join(dict.fromkeys(f"${{{n}}}" for atom in found for n in atom.variables))
    why = (
        f"depends on {names} ({'; '.join(atom.shown for atom in found)}): no value tried gives a witness, and the "
        "search cannot prove that no value does"
    )
    return SearchResult((), False, why)


def _suggest(
    out: dict[str, set[str]], found: Sequence[Atom], true: frozenset[tuple[str, ...]], request: Request
) -> None:
    """The values a rewriting's witness suggests for the variables: those its context gives them, and those
    that make its true atoms hold for its resource or condition values."""
    context = {k.lower(): (v,) if isinstance(v, str) else tuple(v) for k, v in request.context.items()}
    for atom in found:
        for name in atom.variables:
            out.setdefault(name, set()).update(context.get(name, ()))
        if atom.key in true:
            for name, values in hints(atom, request.resource, context).items():
                out.setdefault(name, set()).update(values)
