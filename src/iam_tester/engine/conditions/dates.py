"""Date condition operators: ISO 8601 (W3C profile) or epoch seconds on either side, compared as instants.

Source: IAM User Guide, "Condition operators", Date condition operators (#Conditions_Date). Parsing is
:func:`iam_tester.policy.values.parse_date` (a value without a zone is UTC).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from ...policy.values import parse_date
from ..wildcard import Chunks
from .base import ORDERINGS, Comparison, joined, ordered

__all__ = ["DATE_COMPARISONS"]


# Request values repeat across requests; parsing them once is the cheap way to make comparisons fast.
_request_date = lru_cache(maxsize=8192)(parse_date)


def _prepare(chunks: Chunks) -> dt.datetime:
    return parse_date(joined(chunks))


DATE_COMPARISONS = {name: Comparison(_prepare, ordered(_request_date, order)) for name, order in ORDERINGS.items()}
