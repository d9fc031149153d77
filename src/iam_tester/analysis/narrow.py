"""The resources an action reaches, narrowed by the caps over the identity policies.

An identity policy may grant ``s3:*`` on ``*`` while its permissions boundary allows ``s3:GetObject`` only on
``arn:aws:s3:::app-data/*``: the principal reaches that bucket's objects alone. A request is allowed only if
every cap allows it too — the boundary, the session policy, each SCP level ("Policy evaluation logic",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html) — so the resources
reached lie within each cap's Allow patterns for the action.

Two glob patterns rarely intersect in one glob. Each identity pattern ``p`` and cap pattern ``q`` is compared
over the action's resources (its resource types' ARNs): when ``q`` lies within ``p``, ``q`` is what is
reached; when ``p`` lies within ``q``, ``p``; when they share no resource, neither; otherwise ``p`` stays — the
list may say more than the truth, never less.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..engine.matching import resource_template
from ..engine.policies import CompiledPolicyType
from .regular import Language, explore, from_regex
from .search import resource_regex

__all__ = ["cap_patterns", "narrowed"]


def cap_patterns(caps: Sequence[CompiledPolicyType], action: str) -> tuple[tuple[str, ...], ...]:
    """Per cap, the Resource patterns of its Allow statements for ``action`` (lower-cased); a cap that does not
    narrow (a ``*``, a NotResource, a policy variable) is left out."""
    found: list[tuple[str, ...]] = []
    for cap in caps:
        patterns: list[str] = []
        for statement in cap.candidates(action):
            if statement.is_deny:
                continue
            resources = statement.resources
            if resources is None or resources.negated or any(p == "*" or "${" in p for p in resources.patterns):
                patterns = []
                break
            patterns.extend(resources.patterns)
        if patterns:
            found.append(tuple(dict.fromkeys(patterns)))
    return tuple(found)


def narrowed(granted: Sequence[str], caps: Sequence[Sequence[str]], universe: Language) -> tuple[str, ...]:
    """``granted`` (the identity patterns reaching an action) narrowed by each cap's patterns, over the
    action's resources ``universe``. A pattern with a policy variable is kept as it is."""
    current = list(granted)
    for cap in caps:
        reached: list[str] = []
        for p in current:
            if "${" in p:
                reached.append(p)
                continue
            for q in cap:
                reached.extend(_meet(p, q, universe))
        current = list(dict.fromkeys(reached))
    return tuple(current) or tuple(granted)


def _meet(p: str, q: str, universe: Language) -> tuple[str, ...]:
    """What of ``p`` and ``q`` to list for the resources both match (see the module docstring)."""
    if q in (p, "*"):
        return (p,)
    if p == "*":  # every resource of the action: q's that are the action's
        found, complete = explore(universe, [_language(q)])
        return (q,) if (True,) in found or not complete else ()
    found, complete = explore(universe, [_language(p), _language(q)])
    if not complete:
        return (p,)  # the walk stopped early: keep what is known to be granted
    if (True, True) not in found:
        return ()
    if (False, True) not in found:
        return (q,)  # q lies within p
    return (p,)


def _language(pattern: str) -> Language:
    """The resources ``pattern`` matches, as the engine matches a Resource pattern (``*`` crossing colons at
    its end)."""
    chunks, _ = resource_template(pattern, False).resolve({})
    if chunks is None:  # only a variable left unresolved gives none, and variables are off here
        raise ValueError(f"the Resource pattern {pattern!r} did not resolve")
    return Language.of([from_regex(resource_regex(chunks))])
