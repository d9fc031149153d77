"""Date condition operators: ISO 8601 (W3C profile) or epoch seconds on either side, compared as instants.

Source: IAM User Guide, "Condition operators", Date condition operators (#Conditions_Date). Parsing is
:func:`iam_tester.policy.values.parse_date` (a value without a zone is UTC).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from typing import Any

from ...policy.values import parse_date
from ..wildcard import Chunks
from .base import Comparison, joined
from .numeric import ordered

__all__ = ["DATE_COMPARISONS"]


def _prepare(chunks: Chunks) -> dt.datetime:
    return parse_date(joined(chunks))


_RELATIONS: dict[str, Callable[[Any, Any], bool]] = {
    "equals": operator.eq,
    "lessthan": operator.lt,
    "lessthanequals": operator.le,
    "greaterthan": operator.gt,
    "greaterthanequals": operator.ge,
}

DATE_COMPARISONS = {
    f"date{name}": Comparison(_prepare, ordered(parse_date, relation)) for name, relation in _RELATIONS.items()
}
