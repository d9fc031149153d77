"""Numeric condition operators, compared exactly as decimals. A request value that is not a number matches no
policy value (so ``NumericNotEquals`` on it is true, like every negation of "no match").

Source: IAM User Guide, "Condition operators", Numeric condition operators (#Conditions_Numeric).
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from ...policy.values import parse_number
from ..wildcard import Chunks
from .base import ORDERINGS, Comparison, joined, ordered

__all__ = ["NUMERIC_COMPARISONS"]


# Request values repeat across requests; parsing them once is the cheap way to make comparisons fast.
_request_number = lru_cache(maxsize=8192)(parse_number)


def _prepare(chunks: Chunks) -> Decimal:
    return parse_number(joined(chunks))


NUMERIC_COMPARISONS = {name: Comparison(_prepare, ordered(_request_number, order)) for name, order in ORDERINGS.items()}
