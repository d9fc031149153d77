"""``Bool``: ``true``/``false`` in any case; a request value that is neither matches nothing.

Source: IAM User Guide, "Condition operators", Boolean condition operators (#Conditions_Boolean).
"""

from __future__ import annotations

from ...policy.values import parse_bool
from .base import Comparison, joined, member_of

__all__ = ["BOOL_COMPARISONS"]

BOOL_COMPARISONS = {"Equals": Comparison(lambda chunks: parse_bool(joined(chunks)), member_of(parse_bool))}
