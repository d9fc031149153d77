"""``BinaryEquals``: base-64 values compared as bytes; a request value that is not base-64 matches nothing.

Source: IAM User Guide, "Condition operators", Binary condition operators (#Conditions_BinaryEquals).
"""

from __future__ import annotations

from collections.abc import Sequence

from ...policy.values import parse_binary
from .base import AnyMatch, Comparison, joined

__all__ = ["BINARY_COMPARISONS"]


def _build(prepared: Sequence[object]) -> AnyMatch:
    wanted = frozenset(bytes(p) for p in prepared)  # type: ignore[call-overload]

    def any_match(value: str) -> bool:
        try:
            return parse_binary(value) in wanted
        except ValueError:
            return False

    return any_match


BINARY_COMPARISONS = {"binaryequals": Comparison(lambda chunks: parse_binary(joined(chunks)), _build)}
