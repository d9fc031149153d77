"""The condition operators IAM knows, and how to read an operator name like ``ForAnyValue:StringLikeIfExists``.

Source: IAM User Guide, "IAM JSON policy elements: Condition operators"
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
and "Set operators for multivalued context keys" (reference_policies_condition-single-vs-multi-valued-context-keys).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "OPERATORS",
    "OperatorSpec",
    "ParsedOperator",
    "SetQualifier",
    "ValueType",
    "parse_operator",
]


class ValueType(enum.Enum):
    """What an operator compares its values as."""

    STRING = "String"
    NUMERIC = "Numeric"
    DATE = "Date"
    BOOL = "Bool"
    BINARY = "Binary"
    IP = "IpAddress"
    ARN = "Arn"
    NULL = "Null"


class SetQualifier(enum.Enum):
    """The set operators for multivalued context keys."""

    FOR_ANY_VALUE = "ForAnyValue"
    FOR_ALL_VALUES = "ForAllValues"


@dataclass(frozen=True)
class OperatorSpec:
    """One base operator. ``negated`` operators are true when the key is missing from the request."""

    name: str
    value_type: ValueType
    negated: bool = False
    wildcards: bool = False  # ``*`` and ``?`` in the policy's values are wildcards
    variables: bool = False  # ``${...}`` policy variables are substituted in the policy's values
    ignore_case: bool = False


def _specs() -> dict[str, OperatorSpec]:
    s, n, d = ValueType.STRING, ValueType.NUMERIC, ValueType.DATE
    specs = [
        OperatorSpec("StringEquals", s, variables=True),
        OperatorSpec("StringNotEquals", s, negated=True, variables=True),
        OperatorSpec("StringEqualsIgnoreCase", s, variables=True, ignore_case=True),
        OperatorSpec("StringNotEqualsIgnoreCase", s, negated=True, variables=True, ignore_case=True),
        OperatorSpec("StringLike", s, wildcards=True, variables=True),
        OperatorSpec("StringNotLike", s, negated=True, wildcards=True, variables=True),
        OperatorSpec("NumericEquals", n),
        OperatorSpec("NumericNotEquals", n, negated=True),
        OperatorSpec("NumericLessThan", n),
        OperatorSpec("NumericLessThanEquals", n),
        OperatorSpec("NumericGreaterThan", n),
        OperatorSpec("NumericGreaterThanEquals", n),
        OperatorSpec("DateEquals", d),
        OperatorSpec("DateNotEquals", d, negated=True),
        OperatorSpec("DateLessThan", d),
        OperatorSpec("DateLessThanEquals", d),
        OperatorSpec("DateGreaterThan", d),
        OperatorSpec("DateGreaterThanEquals", d),
        OperatorSpec("Bool", ValueType.BOOL, variables=True),
        OperatorSpec("BinaryEquals", ValueType.BINARY),
        OperatorSpec("IpAddress", ValueType.IP),
        OperatorSpec("NotIpAddress", ValueType.IP, negated=True),
        # ArnEquals and ArnLike behave the same: both match wildcards in each ARN segment.
        OperatorSpec("ArnEquals", ValueType.ARN, wildcards=True, variables=True),
        OperatorSpec("ArnLike", ValueType.ARN, wildcards=True, variables=True),
        OperatorSpec("ArnNotEquals", ValueType.ARN, negated=True, wildcards=True, variables=True),
        OperatorSpec("ArnNotLike", ValueType.ARN, negated=True, wildcards=True, variables=True),
        OperatorSpec("Null", ValueType.NULL),
    ]
    return {spec.name.lower(): spec for spec in specs}


OPERATORS: dict[str, OperatorSpec] = _specs()
"""Base operators by lower-cased name."""

_IF_EXISTS = "ifexists"


@dataclass(frozen=True)
class ParsedOperator:
    """An operator as written in a policy, split into its set qualifier, base operator and IfExists."""

    text: str
    base: OperatorSpec
    qualifier: SetQualifier | None = None
    if_exists: bool = False

    @property
    def canonical(self) -> str:
        """The operator's name as AWS documents it."""
        prefix = f"{self.qualifier.value}:" if self.qualifier else ""
        return f"{prefix}{self.base.name}{'IfExists' if self.if_exists else ''}"


_PARSE_CACHE: dict[str, ParsedOperator | None] = {}


def parse_operator(text: str) -> ParsedOperator | None:
    """Read an operator name; ``None`` when IAM would not know it.

    Names are matched without regard to case (``canonical`` gives the documented spelling, which the
    validator suggests). ``Null`` takes no ``IfExists``.
    """
    if text in _PARSE_CACHE:
        return _PARSE_CACHE[text]
    parsed = _parse(text)
    _PARSE_CACHE[text] = parsed
    return parsed


def _parse(text: str) -> ParsedOperator | None:
    rest = text.lower()
    qualifier: SetQualifier | None = None
    if ":" in rest:
        prefix, rest = rest.split(":", 1)
        matches = [q for q in SetQualifier if q.value.lower() == prefix]
        if not matches:
            return None
        qualifier = matches[0]
    if_exists = False
    base = OPERATORS.get(rest)
    if base is None and rest.endswith(_IF_EXISTS):
        base = OPERATORS.get(rest[: -len(_IF_EXISTS)])
        if_exists = True
        if base is not None and base.value_type is ValueType.NULL:
            return None
    if base is None:
        return None
    return ParsedOperator(text=text, base=base, qualifier=qualifier, if_exists=if_exists)
