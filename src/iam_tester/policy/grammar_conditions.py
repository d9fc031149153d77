"""The grammar of the Condition element: operators, keys and values.

Sources: IAM User Guide, "IAM JSON policy elements: Condition" and "Condition operators"
(reference_policies_elements_condition_operators.html): condition key names are not case-sensitive; a
``...IfExists`` suffix may follow any operator except ``Null``, which already tests whether a key exists
(IAM policy validation check reference, "Error - Null with if exists"); two keys of one operator that
differ only by case are rejected ("Error - Duplicate keys with different case").
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from .describe import number_text, shown
from .findings import Severity
from .model import ConditionEntry
from .operators import OPERATORS, ParsedOperator, ValueType, parse_operator
from .sourcemap import PathPart
from .values import parse_binary, parse_bool, parse_date, parse_ip_network, parse_number

__all__ = ["ConditionGrammar", "kind_of"]

_VARIABLE = "${"


class _Reporter(Protocol):
    def add(
        self, severity: Severity, code: str, message: str, path: Sequence[PathPart], *, key: bool = False
    ) -> None: ...

    def error(self, code: str, message: str, path: Sequence[PathPart], *, key: bool = False) -> None: ...

    def note_variable(self, path: tuple[PathPart, ...]) -> None: ...


class ConditionGrammar:
    """Checks one statement's Condition block and reads it into :class:`ConditionEntry` values."""

    def __init__(self, reporter: _Reporter) -> None:
        self.reporter = reporter

    def conditions(self, raw: dict[str, Any], path: tuple[PathPart, ...]) -> tuple[ConditionEntry, ...]:
        if "Condition" not in raw:
            return ()
        block = raw["Condition"]
        where = (*path, "Condition")
        if not isinstance(block, dict):
            self.reporter.error(
                "invalid-condition-block",
                'Condition must be an object of operators, each an object of keys: {"StringEquals": {"aws:username": '
                f'"alice"}}}}, not {kind_of(block)}',
                where,
            )
            return ()
        entries: list[ConditionEntry] = []
        operators_seen: dict[str, str] = {}
        for operator_text, keys in block.items():
            op_path = (*where, operator_text)
            if not isinstance(operator_text, str):
                self._not_a_string("a condition operator", operator_text, op_path)
                continue
            operator = parse_operator(operator_text)
            if operator is None:
                self._unknown_operator(operator_text, op_path)
                continue
            canonical = operator.canonical.lower()
            if canonical in operators_seen:
                self.reporter.error(
                    "duplicate-key-case",
                    f"operator {operator_text!r} repeats {operators_seen[canonical]!r} (operator names are not "
                    "case-sensitive); merge their keys into one block",
                    op_path,
                    key=True,
                )
            operators_seen[canonical] = operator_text
            if not isinstance(keys, dict):
                self.reporter.error(
                    "invalid-condition-block",
                    f"the {operator_text} block must be an object of condition keys to values, not {kind_of(keys)}",
                    op_path,
                )
                continue
            keys_seen: dict[str, str] = {}
            for key, values in keys.items():
                key_path = (*op_path, key)
                if not isinstance(key, str):
                    self._not_a_string("a condition key", key, key_path)
                    continue
                if key.lower() in keys_seen:
                    self.reporter.error(
                        "duplicate-key-case",
                        f"condition key {key!r} repeats {keys_seen[key.lower()]!r}: condition key names are not "
                        "case-sensitive, so IAM rejects both; keep one and list all values under it",
                        key_path,
                        key=True,
                    )
                keys_seen[key.lower()] = key
                entry = self._entry(operator, key, values, key_path)
                if entry is not None:
                    entries.append(entry)
        return tuple(entries)

    def _not_a_string(self, what: str, value: object, path: tuple[PathPart, ...]) -> None:
        # JSON keys are always strings; a dict from Python (or YAML) can have others.
        self.reporter.error("wrong-type", f"{what} must be a string, not {kind_of(value)}", path, key=True)

    def _unknown_operator(self, text: str, path: tuple[PathPart, ...]) -> None:
        base = text.split(":", 1)[-1].lower()
        if base == "nullifexists":
            self.reporter.error(
                "null-ifexists",
                "Null takes no IfExists: Null already tests whether the key exists; write Null",
                path,
                key=True,
            )
            return
        self.reporter.error("unknown-operator", _unknown_operator_message(text), path, key=True)

    def _entry(
        self, operator: ParsedOperator, key: str, raw_values: Any, path: tuple[PathPart, ...]
    ) -> ConditionEntry | None:
        if not key:
            self.reporter.error("invalid-condition-key", "a condition key may not be empty", path, key=True)
            return None
        items = raw_values if isinstance(raw_values, list) else [raw_values]
        if not items:
            self.reporter.error("empty-list", f"the values of {key} are an empty list; give at least one value", path)
            return None
        values: list[str] = []
        for i, item in enumerate(items):
            item_path = (*path, i) if isinstance(raw_values, list) else path
            if isinstance(item, float) and not math.isfinite(item):
                # JSON's 1e400 (or YAML's 1.0e+400, .inf) reads as infinity: its text, "inf", is a value the
                # user never wrote, and no operator compares it as meant.
                self.reporter.error(
                    "invalid-condition-value",
                    f"{operator.text} on {key}: {_unreadable_number(item)}; quote it to keep it as written",
                    item_path,
                )
                return None
            text = _condition_text(item)
            if text is None:
                self.reporter.error(
                    "wrong-type",
                    f"a condition value must be a string, number or boolean, not {kind_of(item)}",
                    item_path,
                )
                return None
            if _VARIABLE in text:
                self.reporter.note_variable(item_path)
            problem = _value_problem(operator, text)
            if problem:
                self.reporter.error("invalid-condition-value", f"{operator.text} on {key}: {problem}", item_path)
                return None
            values.append(text)
        if operator.base.value_type is ValueType.NULL and operator.qualifier is not None:
            self.reporter.add(
                Severity.WARNING,
                "set-operator-on-null",
                f"{operator.qualifier.value}:Null tests each value, but Null asks whether the key exists; "
                "write plain Null",
                path,
                key=True,
            )
        return ConditionEntry(operator=operator, key=key, values=tuple(values))


def _value_problem(operator: ParsedOperator, text: str) -> str | None:
    """Why ``text`` cannot be a value of ``operator``'s type, or ``None`` when it can."""
    spec = operator.base
    if spec.variables and _VARIABLE in text:
        return None  # checked after substitution, at evaluation time
    parsers: dict[ValueType, Callable[[str], object]] = {
        ValueType.NUMERIC: parse_number,
        ValueType.DATE: parse_date,
        ValueType.BOOL: parse_bool,
        ValueType.NULL: parse_bool,
        ValueType.IP: parse_ip_network,
        ValueType.BINARY: parse_binary,
    }
    parser = parsers.get(spec.value_type)
    if parser is None:
        return None
    try:
        parser(text)
    except ValueError as exc:
        return str(exc)
    return None


def _unreadable_number(value: float) -> str:
    if math.isnan(value):
        return "YAML's .nan is not a number"
    return "a number too large to read (beyond ±1.8e308)"


def _condition_text(item: Any) -> str | None:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, (int, float)):
        return number_text(item)
    if isinstance(item, str):
        return item
    return None


def _unknown_operator_message(text: str) -> str:
    names = [spec.name for spec in OPERATORS.values()]
    base = text.split(":", 1)[-1]
    close = difflib.get_close_matches(base, names, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"unknown condition operator {text!r}{hint}"


def kind_of(value: Any) -> str:
    """How a message names a JSON value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        text = number_text(value)
        return "a number too long to read" if text is None else f"the number {shown(value)}"
    if isinstance(value, str):
        return f"the string {shown(value)}"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    # Only a dict from Python, or YAML's explicit tags (!!timestamp, !!binary, !!set), get this far.
    return f"a value of type {type(value).__name__}"
