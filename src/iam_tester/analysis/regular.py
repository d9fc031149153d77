"""IAM's wildcard patterns as small automata, and a search for one string per "which patterns match" answer.

Every pattern IAM compares strings with — a Resource ARN, a ``StringLike`` value, an ``ArnLike`` value, a
``StringEquals`` value, a resource type's ARN format from the catalog — is a sequence of *items*: one character
from a set, or any number of characters from a set (``*`` is any run of characters, ``[^:]*`` a run inside one
ARN segment). A set of such patterns is a regular language; :func:`explore` walks the product of their automata
breadth first and returns, for every combination of matched / not matched that some string achieves, the
shortest such string. That is what makes the analysis complete: a request is decided the same way for every
resource (or condition value) in one combination, so one string per combination covers them all.

Patterns come from the engine's own compiled regular expressions (:func:`from_regex` reads the few constructs
:mod:`iam_tester.engine.wildcard` emits), so wildcard rules are written once, in the engine.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["ANY", "NOT_COLON", "CharSet", "Item", "Language", "explore", "from_regex", "literal"]


@dataclass(frozen=True)
class CharSet:
    """The characters one item accepts: those listed, or (``negated``) all others."""

    chars: frozenset[str]
    negated: bool = False

    def __contains__(self, char: object) -> bool:
        return (char in self.chars) is not self.negated


ANY = CharSet(frozenset(), negated=True)
NOT_COLON = CharSet(frozenset(":"), negated=True)

Item = tuple[CharSet, bool]
"""One character from the set, or (``True``) any number of them."""


def literal(text: str, *, ignore_case: bool = False) -> tuple[Item, ...]:
    """The items matching exactly ``text`` (in any case with ``ignore_case``)."""
    return tuple(_char_item(c, ignore_case) for c in text)


@lru_cache(maxsize=4096)
def _char_item(char: str, ignore_case: bool) -> Item:
    chars = frozenset({char, char.lower(), char.upper()}) if ignore_case else frozenset(char)
    return (CharSet(chars), False)


_TOKENS = (("[^:]*", (NOT_COLON, True)), ("[^:]", (NOT_COLON, False)), (".*", (ANY, True)), (".", (ANY, False)))
_SPECIAL = frozenset("\\.^$*+?{}[]|()")


def from_regex(pattern: str) -> tuple[Item, ...]:
    """The items of a regular expression made by :mod:`iam_tester.engine.wildcard` (escaped characters,
    ``.``, ``.*``, ``[^:]`` and ``[^:]*``); ``ValueError`` for anything else, so a new construct there is
    noticed here rather than silently misread."""
    items: list[Item] = []
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "\\" and position + 1 < len(pattern):
            items.append((CharSet(frozenset(pattern[position + 1])), False))
            position += 2
            continue
        for token, item in _TOKENS:
            if pattern.startswith(token, position):
                items.append(item)
                position += len(token)
                break
        else:
            if char in _SPECIAL:
                raise ValueError(f"unexpected {char!r} at {position} in the pattern {pattern!r}")
            items.append((CharSet(frozenset(char)), False))
            position += 1
    return tuple(items)


@dataclass
class Language:
    """The union of item sequences, as one automaton whose state is a bit mask of positions.

    Sequence ``j`` occupies positions ``base_j .. base_j + len_j``; the last is its accepting position.
    """

    sequences: tuple[tuple[Item, ...], ...]
    _items: list[Item | None] = field(default_factory=list, repr=False)
    _closure: list[int] = field(default_factory=list, repr=False)
    _steps: dict[tuple[int, str], int] = field(default_factory=dict, repr=False)
    start: int = 0
    accepting: int = 0

    def __post_init__(self) -> None:
        for sequence in self.sequences:
            self._items.extend(sequence)
            self._items.append(None)
        size = len(self._items)
        self._closure = [0] * (size + 1)
        for position in range(size - 1, -1, -1):
            mask = 1 << position
            item = self._items[position]
            if item is not None and item[1]:
                mask |= self._closure[position + 1]  # a starred item may match nothing
            self._closure[position] = mask
        base = 0
        for sequence in self.sequences:
            self.start |= self._closure[base]
            self.accepting |= 1 << (base + len(sequence))
            base += len(sequence) + 1

    @classmethod
    def of(cls, sequences: Iterable[Sequence[Item]]) -> Language:
        return cls(tuple(tuple(s) for s in sequences))

    def step(self, mask: int, char: str) -> int:
        key = (mask, char)
        found = self._steps.get(key)
        if found is not None:
            return found
        result = 0
        rest = mask
        while rest:
            low = rest & -rest
            position = low.bit_length() - 1
            rest ^= low
            item = self._items[position]
            if item is not None and char in item[0]:
                result |= self._closure[position] if item[1] else self._closure[position + 1]
        self._steps[key] = result
        return result

    def accepts(self, mask: int) -> bool:
        return bool(mask & self.accepting)

    def matches(self, text: str) -> bool:
        mask = self.start
        for char in text:
            mask = self.step(mask, char)
            if not mask:
                return False
        return self.accepts(mask)

    def characters(self) -> set[str]:
        return {c for sequence in self.sequences for charset, _ in sequence for c in charset.chars}


_FILLERS = "xyzwvq0123456789"


def explore(
    universe: Language | None, predicates: Sequence[Language], *, limit: int = 20_000
) -> tuple[dict[tuple[bool, ...], str], bool]:
    """For every combination of the ``predicates`` matched / not matched that some string of ``universe`` (any
    string when ``None``) achieves, the shortest such string; and whether the walk finished within ``limit``
    automaton states (when it did not, some combinations may be missing)."""
    languages: list[Language] = [universe, *predicates] if universe is not None else list(predicates)
    seen_chars: set[str] = set()
    for language in languages:
        seen_chars |= language.characters()
    # One character stands for all those no pattern names (they behave alike everywhere).
    filler = next((c for c in _FILLERS if c not in seen_chars), "\u2603")
    alphabet = [filler, *sorted(seen_chars)]
    offset = 1 if universe is not None else 0
    start = tuple(language.start for language in languages)
    found: dict[tuple[bool, ...], str] = {}
    seen = {start}
    queue: deque[tuple[tuple[int, ...], str]] = deque([(start, "")])
    while queue:
        state, text = queue.popleft()
        if universe is None or universe.accepts(state[0]):
            vector = tuple(p.accepts(m) for p, m in zip(predicates, state[offset:], strict=True))
            found.setdefault(vector, text)
        for char in alphabet:
            if universe is not None:
                first = universe.step(state[0], char)
                if not first:
                    continue  # no resource of the universe goes on this way
                following = (first, *(p.step(m, char) for p, m in zip(predicates, state[1:], strict=True)))
            else:
                following = tuple(language.step(mask, char) for language, mask in zip(languages, state, strict=True))
            if following in seen:
                continue
            if len(seen) >= limit:
                return found, False
            seen.add(following)
            queue.append((following, text + char))
    return found, True
