"""Numeric condition operators, compared exactly as decimals. A request value that is not a number matches no
policy value (so ``NumericNotEquals`` on it is true, like every negation of "no match").

Source: IAM User Guide, "Condition operators", Numeric condition operators (#Conditions_Numeric).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ...policy.values import parse_number
from ..wildcard import Chunks
from .base import AnyMatch, Comparison, joined

__all__ = ["NUMERIC_COMPARISONS", "ordered"]


def ordered(
    parse: Callable[[str], object], relation: Callable[[Any, Any], bool]
) -> Callable[[Sequence[object]], AnyMatch]:
    """A builder for an ordered comparison: the request value (parsed by ``parse``) stands on the left."""

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


# Request values repeat across requests; parsing them once is the cheap way to make comparisons fast.
_request_number = lru_cache(maxsize=8192)(parse_number)


def _prepare(chunks: Chunks) -> Decimal:
    return parse_number(joined(chunks))


_RELATIONS: dict[str, Callable[[Any, Any], bool]] = {
    "equals": operator.eq,
    "lessthan": operator.lt,
    "lessthanequals": operator.le,
    "greaterthan": operator.gt,
    "greaterthanequals": operator.ge,
}

NUMERIC_COMPARISONS = {
    f"numeric{name}": Comparison(_prepare, ordered(_request_number, relation)) for name, relation in _RELATIONS.items()
}
