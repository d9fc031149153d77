"""Condition operators: one module per family, plus :mod:`.modifiers` for what they all share.

:func:`compile_condition` turns one :class:`~iam_tester.policy.model.ConditionEntry` into a
:class:`~.modifiers.CompiledCondition` with its policy values parsed once.
"""

from __future__ import annotations

from ...policy.model import ConditionEntry
from ...policy.operators import ValueType
from ..variables import parse_template
from .arns import ARN_COMPARISONS
from .base import Comparison
from .binary import BINARY_COMPARISONS
from .boolean import BOOL_COMPARISONS
from .dates import DATE_COMPARISONS
from .ip import IP_COMPARISONS
from .modifiers import CompiledCondition, null_condition, operator_condition
from .numeric import NUMERIC_COMPARISONS
from .strings import STRING_COMPARISONS

__all__ = ["COMPARISONS", "CompiledCondition", "compile_condition"]

COMPARISONS: dict[ValueType, dict[str, Comparison]] = {
    ValueType.STRING: STRING_COMPARISONS,
    ValueType.NUMERIC: NUMERIC_COMPARISONS,
    ValueType.DATE: DATE_COMPARISONS,
    ValueType.BOOL: BOOL_COMPARISONS,
    ValueType.BINARY: BINARY_COMPARISONS,
    ValueType.IP: IP_COMPARISONS,
    ValueType.ARN: ARN_COMPARISONS,
}
"""Each family's comparison per :attr:`~iam_tester.policy.operators.OperatorSpec.relation`."""


def compile_condition(entry: ConditionEntry, *, variables_enabled: bool) -> CompiledCondition:
    """Compile one condition; raises ``ValueError`` for a value its operator cannot use."""
    spec = entry.operator.base
    if spec.value_type is ValueType.NULL:
        return null_condition(entry)
    comparison = COMPARISONS[spec.value_type][spec.relation]
    substitute = variables_enabled and spec.variables
    templates = tuple(parse_template(value, enabled=substitute) for value in entry.values)
    if any(t.has_variables for t in templates):
        return operator_condition(entry, comparison, templates, None)
    prepared = [comparison.prepare(((value, True),)) for value in entry.values]
    return operator_condition(entry, comparison, templates, prepared)
