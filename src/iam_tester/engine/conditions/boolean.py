"""``Bool``: ``true``/``false`` in any case; a request value that is neither matches nothing.

Source: IAM User Guide, "Condition operators", Boolean condition operators (#Conditions_Boolean).
"""

from __future__ import annotations

from collections.abc import Sequence

from ...policy.values import parse_bool
from .base import AnyMatch, Comparison, joined

__all__ = ["BOOL_COMPARISONS"]


def _build(prepared: Sequence[object]) -> AnyMatch:
    wanted = frozenset(bool(p) for p in prepared)

    def any_match(value: str) -> bool:
        try:
            return parse_bool(value) in wanted
        except ValueError:
            return False

    return any_match


BOOL_COMPARISONS = {"bool": Comparison(lambda chunks: parse_bool(joined(chunks)), _build)}
