"""The shape every operator family shares: parse a policy value once, then test request values fast.

A family gives, for its *positive* operator (``StringEquals`` for ``StringNotEquals`` too), how to prepare one
policy value and how to build, from all prepared values, a test "does this request value match any of them?".
Negation, ``...IfExists``, ``ForAnyValue``/``ForAllValues``, ``Null`` and missing keys are applied on top of that
test in :mod:`.modifiers`, the same way for every family.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from ..wildcard import Chunks

__all__ = ["ORDERINGS", "AnyMatch", "Comparison", "joined", "member_of", "ordered"]

AnyMatch = Callable[[str], bool]
"""Does one request value match any of the statement's values (for the positive operator)?"""


@dataclass(frozen=True)
class Comparison:
    """One positive operator: ``prepare`` reads a policy value (``ValueError`` when it cannot be one);
    ``build`` turns the prepared values into an :data:`AnyMatch`."""

    prepare: Callable[[Chunks], object]
    build: Callable[[Sequence[object]], AnyMatch]


def joined(chunks: Chunks) -> str:
    """The text of a value whose wildcards do not matter."""
    return "".join(text for text, _ in chunks)


# The ordered families' relations (OperatorSpec.relation of NumericLessThan, DateGreaterThanEquals, ...).
ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "LessThanEquals": operator.le,
    "GreaterThan": operator.gt,
    "GreaterThanEquals": operator.ge,
}


def ordered(
    parse: Callable[[str], object], relation: Callable[[Any, Any], bool]
) -> Callable[[Sequence[object]], AnyMatch]:
    """A builder for an ordered comparison: the request value (parsed by ``parse``) stands on the left; a
    request value ``parse`` rejects matches nothing."""

    def build(prepared: Sequence[object]) -> AnyMatch:
        policy_values = tuple(prepared)

        def any_match(value: str) -> bool:
            try:
                parsed = parse(value)
            except ValueError:
                return False
            return any(relation(parsed, p) for p in policy_values)

        return any_match

    return build


def member_of(parse: Callable[[str], Hashable]) -> Callable[[Sequence[object]], AnyMatch]:
    """A builder for an equality test on parsed values (Bool, BinaryEquals): the request value, parsed, is
    one of the policy's; a request value ``parse`` rejects matches nothing."""

    def build(prepared: Sequence[object]) -> AnyMatch:
        wanted = frozenset(prepared)

        def any_match(value: str) -> bool:
            try:
                return parse(value) in wanted
            except ValueError:
                return False

        return any_match

    return build
