"""String condition operators: ``StringEquals``, ``StringEqualsIgnoreCase``, ``StringLike`` (and their ``Not``
forms, handled as negations). Case-sensitive except ``...IgnoreCase``; only ``StringLike`` has wildcards.

Source: IAM User Guide, "IAM JSON policy elements: Condition operators", String condition operators
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..wildcard import Chunks, glob_regex
from .base import AnyMatch, Comparison, joined

__all__ = ["STRING_COMPARISONS"]


def _equals(prepared: Sequence[object]) -> AnyMatch:
    values = frozenset(str(p) for p in prepared)
    return values.__contains__


def _equals_ignore_case(prepared: Sequence[object]) -> AnyMatch:
    values = frozenset(str(p) for p in prepared)
    return lambda value: value.lower() in values


def _like_prepare(chunks: Chunks) -> object:
    return glob_regex(chunks).pattern


def _like(prepared: Sequence[object]) -> AnyMatch:
    if not prepared:
        return lambda value: False
    pattern = re.compile("|".join(f"(?:{p})" for p in prepared), re.DOTALL)
    fullmatch = pattern.fullmatch
    return lambda value: fullmatch(value) is not None


STRING_COMPARISONS = {
    "Equals": Comparison(joined, _equals),
    "EqualsIgnoreCase": Comparison(lambda chunks: joined(chunks).lower(), _equals_ignore_case),
    "Like": Comparison(_like_prepare, _like),
}
