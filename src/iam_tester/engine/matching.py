"""Action and resource matchers, compiled once per statement.

- Actions ("IAM JSON policy elements: Action"): "The prefix and the action name are case insensitive"; ``*`` and
  ``?`` are wildcards anywhere. ``NotAction`` "explicitly matches everything except the specified list".
- Resources ("IAM JSON policy elements: Resource"): ARNs compare case-sensitively with the resource-ARN
  wildcard rules of :mod:`.wildcard`; policy variables are substituted only in the resource part, after the
  fifth colon ("You can't use a variable to replace parts of the ARN before the fifth colon"), and a resource
  whose variable has no value "will not match any resource". ``NotResource`` matches every resource except
  those listed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .._cache import BoundedCache
from .variables import Context, Template, parse_template
from .wildcard import Chunks, arn_regex, glob_regex, has_wildcard, plain

__all__ = [
    "ActionMatcher",
    "ResourceMatcher",
    "compile_actions",
    "compile_resources",
    "resource_template",
    "service_of",
]

_RESOURCE_PART = 5  # colons before the resource part of an ARN


def service_of(action_pattern: str) -> str | None:
    """The service prefix of an action pattern, lower-cased; ``None`` when it has a wildcard (``*``, ``s*:Get``)."""
    service, sep, _ = action_pattern.partition(":")
    if not sep or has_wildcard(service):
        return None
    return service.lower()


@dataclass(frozen=True)
class ActionMatcher:
    """Action or NotAction; ``matches`` takes the request's action lower-cased."""

    patterns: tuple[str, ...]
    negated: bool
    matches: Callable[[str], bool]

    @property
    def services(self) -> frozenset[str] | None:
        """The services this element can match, or ``None`` when it could match any (wildcards, NotAction)."""
        if self.negated:
            return None
        found = {service_of(p) for p in self.patterns}
        if None in found:
            return None
        return frozenset(s for s in found if s is not None)


def compile_actions(patterns: Sequence[str], *, negated: bool) -> ActionMatcher:
    lowered = [p.lower() for p in patterns]
    exact = frozenset(p for p in lowered if not has_wildcard(p))
    wild = [p for p in lowered if has_wildcard(p)]
    test: Callable[[str], bool]
    if "*" in wild:
        test = _always
    elif wild:
        regex = re.compile("|".join(f"(?:{glob_regex(plain(p)).pattern})" for p in wild), re.DOTALL)
        fullmatch = regex.fullmatch

        def test(action: str) -> bool:
            return action in exact or fullmatch(action) is not None

    else:
        test = exact.__contains__
    matches = (lambda action: not test(action)) if negated else test
    return ActionMatcher(tuple(patterns), negated, matches)


def _always(_: str) -> bool:
    return True


@dataclass(frozen=True)
class ResourceMatcher:
    """Resource or NotResource. ``matches`` is the fast test; ``resolved`` gives the patterns after variable
    substitution and each variable's value, for explanations."""

    patterns: tuple[str, ...]
    negated: bool
    matches: Callable[[str, Context], bool]
    resolved: Callable[[Context], tuple[tuple[str, ...], tuple[tuple[str, str | None], ...]]]


def compile_resources(patterns: Sequence[str], *, negated: bool, variables_enabled: bool) -> ResourceMatcher:
    templates = tuple(resource_template(p, variables_enabled) for p in patterns)
    any_match: Callable[[str, Context], bool]
    if any(t.text == "*" for t in templates):

        def any_match(resource: str, context: Context) -> bool:
            return True

    elif not any(t.has_variables for t in templates):
        fixed = _combined([plain(t.text) for t in templates])

        def any_match(resource: str, context: Context) -> bool:
            return fixed(resource)

    else:
        cache: BoundedCache[tuple[Chunks | None, ...], Callable[[str], bool]] = BoundedCache(2048)

        def any_match(resource: str, context: Context) -> bool:
            key = tuple(t.resolve(context)[0] for t in templates)
            test = cache.get(key)
            if test is None:
                test = cache.put(key, _combined([chunks for chunks in key if chunks is not None]))
            return test(resource)

    def resolved(context: Context) -> tuple[tuple[str, ...], tuple[tuple[str, str | None], ...]]:
        shown: list[str] = []
        variables: list[tuple[str, str | None]] = []
        for template in templates:
            chunks, pairs = template.resolve(context)
            shown.append(template.text if chunks is None else "".join(text for text, _ in chunks))
            variables.extend(pairs)
        return tuple(shown), tuple(variables)

    if negated:
        return ResourceMatcher(tuple(patterns), True, lambda r, c: not any_match(r, c), resolved)
    return ResourceMatcher(tuple(patterns), False, any_match, resolved)


def resource_template(pattern: str, variables_enabled: bool) -> Template:
    """A Resource pattern split into policy text and variables, which count only after the fifth colon (the
    analysis resolves resource patterns with it too)."""
    if not variables_enabled or "${" not in pattern:
        return Template((pattern,), pattern)
    cut = _after_colons(pattern, _RESOURCE_PART)
    if cut < 0:
        return Template((pattern,), pattern)
    head, tail = pattern[:cut], parse_template(pattern[cut:], enabled=True)
    return Template((head, *tail.parts) if head else tail.parts, pattern)


def _after_colons(text: str, count: int) -> int:
    position = -1
    for _ in range(count):
        position = text.find(":", position + 1)
        if position < 0:
            return -1
    return position + 1


def _combined(patterns: Sequence[Chunks]) -> Callable[[str], bool]:
    if not patterns:
        return lambda resource: False
    regexes = [_resource_regex(chunks) for chunks in patterns]
    regex = re.compile("|".join(f"(?:{r.pattern})" for r in regexes), re.DOTALL)
    fullmatch = regex.fullmatch
    return lambda resource: fullmatch(resource) is not None


def _resource_regex(chunks: Chunks) -> re.Pattern[str]:
    text = "".join(t for t, _ in chunks)
    if text == "*":
        return re.compile(".*", re.DOTALL)
    return arn_regex(chunks, trailing_star_crosses_colons=True)
