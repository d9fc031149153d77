"""``BinaryEquals``: base-64 values compared as bytes; a request value that is not base-64 matches nothing.

Source: IAM User Guide, "Condition operators", Binary condition operators (#Conditions_BinaryEquals).
"""

from __future__ import annotations

from ...policy.values import parse_binary
from .base import Comparison, joined, member_of

__all__ = ["BINARY_COMPARISONS"]

BINARY_COMPARISONS = {"Equals": Comparison(lambda chunks: parse_binary(joined(chunks)), member_of(parse_binary))}
