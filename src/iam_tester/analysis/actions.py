"""Catalog actions as bit masks: which actions each statement matches (computed once per statement, with the
engine's own action matcher), and the actions split into classes that every statement treats alike.

Actions are a finite set — the catalog's — so "some action" is decided by enumerating them. A request's decision
depends on its action only through which statements' Action/NotAction match it and which of AWS's own rules
concern it (:mod:`iam_tester.engine.protections`), so actions alike in both form one class, searched once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from ..engine.matching import ActionMatcher, compile_actions, service_of
from ..policy.catalog import ActionInfo, Catalog

__all__ = ["ActionIndex", "members", "partition"]


class IndexedAction(NamedTuple):
    """A catalog action of an index (a named tuple: the index holds every one of the catalog's 22,000)."""

    name: str  # as the catalog spells it, e.g. "s3:GetObject"
    lowered: str
    info: ActionInfo


class ActionIndex:
    """The catalog actions of some services, numbered; masks have bit ``i`` set for action ``i``."""

    def __init__(self, catalog: Catalog, services: Iterable[str]) -> None:
        self.catalog = catalog
        self.actions: list[IndexedAction] = []
        self._ranges: dict[str, tuple[int, int]] = {}
        chosen = sorted({s.lower() for s in services if catalog.has_service(s)})
        # Every service (NotAction, "*"): the whole catalog in one read of its index.
        every = catalog.all_actions() if len(chosen) == len(catalog.services) else None
        for service in chosen:
            first = len(self.actions)
            actions = every[service] if every is not None else catalog.actions(service)
            for lowered, info in sorted(actions.items()):
                self.actions.append(IndexedAction(f"{service}:{info.name}", f"{service}:{lowered}", info))
            self._ranges[service] = (first, len(self.actions))
        self.full = (1 << len(self.actions)) - 1
        self._pattern_masks: dict[str, int] = {}

    @classmethod
    def for_matchers(cls, catalog: Catalog, granting: Iterable[ActionMatcher]) -> ActionIndex:
        """The services some granting statement can reach: all of them when one has a wildcard service or
        ``NotAction``, else only those named."""
        services: set[str] = set()
        for matcher in granting:
            named = matcher.services
            if named is None:
                return cls(catalog, catalog.services)
            services |= named
        return cls(catalog, services)

    def mask(self, matcher: ActionMatcher) -> int:
        """The actions ``matcher`` (an Action or NotAction element) matches."""
        positive = 0
        for pattern in matcher.patterns:
            positive |= self._pattern_mask(pattern.lower())
        return self.full & ~positive if matcher.negated else positive

    def _pattern_mask(self, pattern: str) -> int:
        found = self._pattern_masks.get(pattern)
        if found is not None:
            return found
        if pattern == "*":
            mask = self.full
        else:
            test = compile_actions([pattern], negated=False).matches
            service = service_of(pattern)
            ranges = [self._ranges[service]] if service in self._ranges else []
            if service is None:
                ranges = list(self._ranges.values())
            mask = 0
            for first, end in ranges:
                for position in range(first, end):
                    if test(self.actions[position].lowered):
                        mask |= 1 << position
        self._pattern_masks[pattern] = mask
        return mask


def members(mask: int) -> list[int]:
    """The positions of the set bits of ``mask``, lowest first."""
    bits = bin(mask)[:1:-1]
    return [position for position, bit in enumerate(bits) if bit == "1"]


def partition(universe: int, masks: Sequence[int]) -> list[tuple[int, frozenset[int]]]:
    """Split ``universe`` into classes whose members are in exactly the same ``masks``; each class with the
    indices of the masks it is in."""
    classes: list[tuple[int, frozenset[int]]] = [(universe, frozenset())] if universe else []
    for index, mask in enumerate(masks):
        if not mask:
            continue
        refined: list[tuple[int, frozenset[int]]] = []
        for members_mask, signature in classes:
            inside = members_mask & mask
            if inside:
                refined.append((inside, signature | {index}))
            outside = members_mask & ~mask
            if outside:
                refined.append((outside, signature))
        classes = refined
    return classes
