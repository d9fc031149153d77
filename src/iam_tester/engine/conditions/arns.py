"""ARN condition operators: ``ArnEquals`` and ``ArnLike`` behave alike. "Each of the six colon-delimited
components of the ARN is checked separately and each can include multi-character match wildcards (*) or
single-character match wildcards (?)"; matching is case-sensitive. A policy value with fewer than six
components (such as ``"*"``) is matched as a plain wildcard pattern over the whole value.

Source: IAM User Guide, "Condition operators", Amazon Resource Name (ARN) condition operators (#Conditions_ARN).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..wildcard import Chunks, arn_regex, glob_regex
from .base import AnyMatch, Comparison, joined

__all__ = ["ARN_COMPARISONS"]

_SIX_COMPONENTS = 5  # colons


def _prepare(chunks: Chunks) -> object:
    if joined(chunks).count(":") >= _SIX_COMPONENTS:
        return arn_regex(chunks, trailing_star_crosses_colons=False)
    return glob_regex(chunks)


def _build(prepared: Sequence[object]) -> AnyMatch:
    patterns: tuple[re.Pattern[str], ...] = tuple(prepared)  # type: ignore[arg-type]
    return lambda value: any(p.fullmatch(value) is not None for p in patterns)


ARN_COMPARISONS = {"Like": Comparison(_prepare, _build)}
