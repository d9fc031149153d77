"""The condition operators IAM knows, and how to read an operator name like ``ForAnyValue:StringLikeIfExists``.

Source: IAM User Guide, "IAM JSON policy elements: Condition operators"
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
and "Set operators for multivalued context keys" (reference_policies_condition-single-vs-multi-valued-context-keys).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .._cache import BoundedCache

__all__ = [
    "OPERATORS",
    "ORDER_RELATIONS",
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
    """One base operator, the one place that says what it does.

    ``relation`` is how a request value is compared with the policy's values (``Equals``, ``Like``,
    ``LessThan``, ...); the evaluator's comparison for an operator is the one its value type gives that
    relation, so an operator and its negation share one. ``negated`` operators are true when no value
    matches, and when the key is missing from the request. ``variables``: ``${...}`` policy variables are
    substituted in the policy's values.
    """

    name: str
    value_type: ValueType
    relation: str
    negated: bool = False
    variables: bool = False


def _specs() -> dict[str, OperatorSpec]:
    s, n, d, arn = ValueType.STRING, ValueType.NUMERIC, ValueType.DATE, ValueType.ARN
    specs = [
        # Strings: case-sensitive but for ...IgnoreCase; only StringLike has wildcards.
        OperatorSpec("StringEquals", s, "Equals", variables=True),
        OperatorSpec("StringNotEquals", s, "Equals", negated=True, variables=True),
        OperatorSpec("StringEqualsIgnoreCase", s, "EqualsIgnoreCase", variables=True),
        OperatorSpec("StringNotEqualsIgnoreCase", s, "EqualsIgnoreCase", negated=True, variables=True),
        OperatorSpec("StringLike", s, "Like", variables=True),
        OperatorSpec("StringNotLike", s, "Like", negated=True, variables=True),
        *(OperatorSpec(f"Numeric{rel}", n, rel) for rel in ORDER_RELATIONS),
        OperatorSpec("NumericNotEquals", n, "Equals", negated=True),
        *(OperatorSpec(f"Date{rel}", d, rel) for rel in ORDER_RELATIONS),
        OperatorSpec("DateNotEquals", d, "Equals", negated=True),
        OperatorSpec("Bool", ValueType.BOOL, "Equals", variables=True),
        OperatorSpec("BinaryEquals", ValueType.BINARY, "Equals"),
        OperatorSpec("IpAddress", ValueType.IP, "Within"),
        OperatorSpec("NotIpAddress", ValueType.IP, "Within", negated=True),
        # ArnEquals and ArnLike behave the same: both match wildcards in each ARN segment.
        OperatorSpec("ArnEquals", arn, "Like", variables=True),
        OperatorSpec("ArnLike", arn, "Like", variables=True),
        OperatorSpec("ArnNotEquals", arn, "Like", negated=True, variables=True),
        OperatorSpec("ArnNotLike", arn, "Like", negated=True, variables=True),
        OperatorSpec("Null", ValueType.NULL, "Null"),
    ]
    return {spec.name.lower(): spec for spec in specs}


ORDER_RELATIONS = ("Equals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")
"""The relations of the ordered families (numbers, dates): ``NumericLessThan``, ``DateGreaterThanEquals`` ..."""

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


_PARSE_CACHE: BoundedCache[str, ParsedOperator | None] = BoundedCache(1024)


def parse_operator(text: str) -> ParsedOperator | None:
    """Read an operator name; ``None`` when IAM would not know it.

    Names are matched without regard to case (``canonical`` gives the documented spelling, which the
    validator suggests). ``Null`` takes no ``IfExists``.
    """
    if text in _PARSE_CACHE:
        return _PARSE_CACHE[text]
    return _PARSE_CACHE.put(text, _parse(text))


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
