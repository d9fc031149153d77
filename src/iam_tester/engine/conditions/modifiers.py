"""What every operator shares: negation, ``...IfExists``, ``ForAnyValue``/``ForAllValues``, ``Null``, and the
rules for a key missing from the request.

Sources, IAM User Guide:

- "Condition operators": "If the key that you specify in a policy condition is not present in the request
  context, the values do not match and the condition is false. If the policy condition requires that the key
  is not matched, such as StringNotLike or ArnNotLike, and the right key is not present, the condition is true.
  This logic applies to all condition operators except ...IfExists and Null check." ``...IfExists``: "If the
  key is not present, evaluate the condition element as true." ``Null``: ``true`` means the key is absent or
  null (only empty values): the multivalued-key pages guard "context keys with empty values" with ``Null: false``.
- "Single-valued vs. multivalued context keys": ``ForAllValues`` is true when every request value matches
  (and when the key is missing or "resolves to a null dataset, such as an empty string"); ``ForAnyValue`` is
  true when at least one does (false when missing or null).
  A negated operator under a set operator tests each request value against *all* policy values
  (``ForAllValues:StringNotEquals``: no request value is one of the listed values).
- "Condition element": several values for one key are ORed; several keys and operators are ANDed (the caller
  ANDs the compiled conditions).

Decided here, where the pages are silent: an operator without a set operator, given a key with several
values, is true when any value matches (and its negation when none does); a qualifier on ``Null`` is ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..._cache import BoundedCache
from ...policy.model import ConditionEntry
from ...policy.operators import SetQualifier
from ...policy.values import parse_bool
from ..results import Mismatch
from ..variables import Context, Template
from ..wildcard import Chunks
from .base import AnyMatch, Comparison

__all__ = ["CompiledCondition", "null_condition", "operator_condition"]


@dataclass(frozen=True)
class CompiledCondition:
    """One operator/key pair, ready to test a context; ``mismatch`` explains a false result (slow path)."""

    entry: ConditionEntry
    key: str  # lower-cased
    test: Callable[[Context], bool]
    mismatch: Callable[[Context], Mismatch | None]


def null_condition(entry: ConditionEntry) -> CompiledCondition:
    """``Null``: ``"true"`` holds when the key is absent, ``"false"`` when it is present."""
    key = entry.key.lower()
    wanted = tuple(parse_bool(v) for v in entry.values)

    def test(context: Context) -> bool:
        absent = _null(context.get(key))
        return any(w == absent for w in wanted)

    def mismatch(context: Context) -> Mismatch | None:
        if test(context):
            return None
        present = context.get(key)
        state = "absent" if present is None else "empty (a null value)" if _null(present) else "present"
        want = "absent or empty" if wanted[0] else "present with a value"
        return Mismatch(
            element="Condition",
            message=f"Null {entry.key}={'/'.join(entry.values)} wants the key {want}, but it is {state}",
            key=entry.key,
            operator=entry.operator.canonical,
            policy_values=entry.values,
            request_values=present,
        )

    return CompiledCondition(entry, key, test, mismatch)


def operator_condition(
    entry: ConditionEntry, comparison: Comparison, templates: Sequence[Template], prepared: Sequence[object] | None
) -> CompiledCondition:
    """Any operator but ``Null``. ``prepared`` holds the parsed values when no value has a variable; otherwise
    the values are resolved and parsed per request (cached by their resolved text)."""
    key = entry.key.lower()
    operator = entry.operator
    decide = _decider(operator.base.negated, operator.if_exists, operator.qualifier)
    if prepared is not None:
        fixed = comparison.build(prepared)

        def test(context: Context) -> bool:
            return decide(context.get(key), fixed)

    else:
        resolve = _resolver(comparison, templates)

        def test(context: Context) -> bool:
            return decide(context.get(key), resolve(context)[0])

    def mismatch(context: Context) -> Mismatch | None:
        values = context.get(key)
        variables: tuple[tuple[str, str | None], ...] = ()
        if prepared is not None:
            any_match, shown = fixed, entry.values
        else:
            any_match, shown, variables = _resolver(comparison, templates)(context)
        if decide(values, any_match):
            return None
        return Mismatch(
            element="Condition",
            message=_message(entry, values, shown, variables),
            key=entry.key,
            operator=operator.canonical,
            policy_values=shown,
            request_values=values,
            variables=variables,
        )

    return CompiledCondition(entry, key, test, mismatch)


Resolved = tuple[AnyMatch, tuple[str, ...], tuple[tuple[str, str | None], ...]]


def _resolver(comparison: Comparison, templates: Sequence[Template]) -> Callable[[Context], Resolved]:
    cache: BoundedCache[tuple[Chunks | None, ...], AnyMatch] = BoundedCache(1024)

    def resolve(context: Context) -> Resolved:
        resolved = [t.resolve(context) for t in templates]
        chunk_key = tuple(chunks for chunks, _ in resolved)
        any_match = cache.get(chunk_key)
        if any_match is None:
            ready: list[object] = []
            for chunks in chunk_key:
                if chunks is None:
                    continue  # an unresolved variable: this value matches nothing
                try:
                    ready.append(comparison.prepare(chunks))
                except ValueError:
                    continue  # substituted text that is not of the operator's type matches nothing
            any_match = cache.put(chunk_key, comparison.build(ready))
        shown = tuple(
            "".join(text for text, _ in chunks) if chunks is not None else t.text
            for t, (chunks, _) in zip(templates, resolved, strict=True)
        )
        variables = tuple(pair for _, pairs in resolved for pair in pairs)
        return any_match, shown, variables

    return resolve


def _decider(
    negated: bool, if_exists: bool, qualifier: SetQualifier | None
) -> Callable[[tuple[str, ...] | None, AnyMatch], bool]:
    # map() rather than generator expressions: this is the hot path of every conditional statement.
    if qualifier is SetQualifier.FOR_ALL_VALUES:

        def decide(values: tuple[str, ...] | None, any_match: AnyMatch) -> bool:
            if not values or not any(values):  # missing, or a null data set such as an empty string
                return True
            if negated:
                return not any(map(any_match, values))
            return all(map(any_match, values))

    elif qualifier is SetQualifier.FOR_ANY_VALUE:

        def decide(values: tuple[str, ...] | None, any_match: AnyMatch) -> bool:
            if not values or not any(values):  # missing, or a null data set such as an empty string
                return if_exists
            if negated:
                return not all(map(any_match, values))
            return any(map(any_match, values))

    else:
        missing = if_exists or negated

        def decide(values: tuple[str, ...] | None, any_match: AnyMatch) -> bool:
            if not values:
                return missing
            matched = any_match(values[0]) if len(values) == 1 else any(map(any_match, values))
            return matched is not negated

    return decide


def _null(values: tuple[str, ...] | None) -> bool:
    """Is the key null: absent, or present with only empty values? "ForAllValues ... also returns true if there
    are no context keys in the request or if the context key value resolves to a null dataset, such as an empty
    string", and the same pages guard against "context keys with empty values" with ``Null: false``."""
    return not values or not any(values)


def _message(
    entry: ConditionEntry,
    values: tuple[str, ...] | None,
    shown: tuple[str, ...],
    variables: tuple[tuple[str, str | None], ...],
) -> str:
    operator = entry.operator.canonical
    unresolved = [name for name, value in variables if value is None]
    suffix = ""
    if unresolved:
        suffix = f" ({', '.join(unresolved)} has no value in the request, so that value matches nothing)"
    if not values:
        return f"{entry.key} is not in the request context, so {operator} is false{suffix}"
    wanted = ", ".join(repr(v) for v in shown)
    got = ", ".join(repr(v) for v in values)
    return f"{entry.key} is {got}; {operator} [{wanted}] is false{suffix}"
