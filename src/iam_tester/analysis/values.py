"""Candidate values for one condition key: at least one value for every combination of the statements'
conditions on that key that some value achieves.

Per operator family ("IAM JSON policy elements: Condition operators"):

- strings and ARNs (``StringEquals``, ``StringEqualsIgnoreCase``, ``StringLike``, ``ArnLike``/``ArnEquals``) are
  regular languages: :func:`~.regular.explore` finds one value per combination, plus the empty string (a null
  data set for ``ForAllValues``/``ForAnyValue``);
- numbers and dates are ordered: the policy's constants cut the line into intervals; one value per constant, per
  gap between two and beyond each end covers them all;
- IP addresses: CIDR blocks are intervals of integers, treated the same way, per IP version;
- ``Bool``: ``true`` and ``false``; ``BinaryEquals``: the policy's values and one other.

Whether a candidate satisfies a condition is never decided here: the engine's own compiled condition says so.
A multivalued key takes sets of these values (as many as there are conditions that need a value to match).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable, Sequence
from decimal import MAX_EMAX, MIN_EMIN, Decimal, localcontext
from itertools import combinations, pairwise
from typing import TypeVar

from ..engine.variables import Context, parse_template
from ..engine.wildcard import Chunks, arn_regex, glob_regex
from ..policy.model import ConditionEntry
from ..policy.operators import ValueType
from ..policy.values import parse_binary, parse_date, parse_ip_network, parse_number
from .regular import ANY, Item, Language, explore, from_regex, literal

__all__ = ["FRESH", "resolved_values", "single_values", "value_sets"]

SAMPLE_ACCOUNT = "111122223333"
FRESH = "iam-tester-witness"
"""A value no policy names (the stand-in for "anything else")."""

T = TypeVar("T")
_NON_EMPTY = Language.of([((ANY, False), (ANY, True))])

_OTHER_BINARY = "aWFtLXRlc3Rlcg=="  # base-64 of "iam-tester"
_ARN_COLONS = 5
_MAX_SETS = 256


def resolved_values(entry: ConditionEntry, variables_enabled: bool, context: Context) -> list[Chunks]:
    """The entry's values with policy variables replaced from ``context``; a value whose variable has no value
    matches nothing and is left out (as the engine does)."""
    substitute = variables_enabled and entry.operator.base.variables
    out: list[Chunks] = []
    for value in entry.values:
        chunks, _ = parse_template(value, enabled=substitute).resolve(context)
        if chunks is not None:
            out.append(chunks)
    return out


def _joined(chunks: Chunks) -> str:
    return "".join(text for text, _ in chunks)


def _string_items(value_type: ValueType, relation: str, chunks: Chunks) -> tuple[Item, ...]:
    """The values one policy value matches, by the engine's rules (:mod:`iam_tester.engine.conditions`)."""
    text = _joined(chunks)
    if value_type is ValueType.ARN:
        if text.count(":") >= _ARN_COLONS:
            return from_regex(arn_regex(chunks, trailing_star_crosses_colons=False).pattern)
        return from_regex(glob_regex(chunks).pattern)
    if relation == "Like":
        return from_regex(glob_regex(chunks).pattern)
    if relation == "EqualsIgnoreCase":
        return literal(text.lower(), ignore_case=True)
    return literal(text)


def single_values(entries: Sequence[tuple[ConditionEntry, bool]], context: Context) -> list[str]:
    """Candidate single values for a key compared by ``entries`` (each with its document's variables flag)."""
    languages: list[Language] = []
    samples: list[str] = []
    numbers: set[Decimal] = set()
    dates: set[dt.datetime] = set()
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    binaries: list[str] = []
    booleans = False
    for entry, enabled in entries:
        spec = entry.operator.base
        values = resolved_values(entry, enabled, context)
        kind = spec.value_type
        if kind in (ValueType.STRING, ValueType.ARN):
            sequences = [_string_items(kind, spec.relation, c) for c in values]
            languages.append(Language.of(sequences))
            samples.extend(_sample(_joined(c)) for c in values)
        elif kind is ValueType.NUMERIC:
            numbers.update(_parsed(parse_number, values))
        elif kind is ValueType.DATE:
            dates.update(_parsed(parse_date, values))
        elif kind is ValueType.IP:
            networks.extend(_parsed(parse_ip_network, values))
        elif kind is ValueType.BOOL:
            booleans = True
        elif kind is ValueType.BINARY:
            binaries.extend(_joined(c) for c in values if _parsed(parse_binary, [c]))
    candidates: list[str] = list(samples)
    if languages:
        # The empty string is a value apart ("a null data set" to Null, ForAllValues and ForAnyValue), so the
        # walk is over non-empty values and the empty one is added on its own.
        found, _ = explore(_NON_EMPTY, languages)
        candidates.extend(found.values())
        candidates.append("")
    candidates.extend(_number_values(numbers))
    candidates.extend(_date_values(dates))
    candidates.extend(_ip_values(networks))
    if booleans:
        candidates.extend(("true", "false"))
    if binaries:
        candidates.extend(binaries)
        candidates.append(_OTHER_BINARY)
    if not candidates:
        candidates.append(FRESH)
    return list(dict.fromkeys(candidates))


def _sample(pattern: str) -> str:
    """A readable value a pattern matches: wildcards as ``x``, and in an ARN a real partition, region and
    account (a witness's ``aws:PrincipalArn`` can then name a principal that asks)."""
    parts = pattern.split(":", 5)
    if len(parts) == _ARN_COLONS + 1 and parts[0] == "arn":
        fills = ["arn", "aws", parts[2], "us-east-1", SAMPLE_ACCOUNT]
        parts = [fills[i] if part in ("*", "?") else part for i, part in enumerate(parts[:5])] + parts[5:]
        pattern = ":".join(parts)
    return pattern.replace("*", "x").replace("?", "x")


def _parsed(parse: Callable[[str], T], values: Sequence[Chunks]) -> list[T]:
    out: list[T] = []
    for chunks in values:
        try:
            out.append(parse(_joined(chunks)))
        except ValueError:
            continue  # a value the operator cannot read matches nothing
    return out


def _between(points: Sequence[T], below: T, above: T, middle: Callable[[T, T], T]) -> list[T]:
    """A point below the lowest, each point, one between each two, one above the highest."""
    if not points:
        return []
    out: list[T] = [below]
    for low, high in pairwise(points):
        out.extend((low, middle(low, high)))
    out.extend((points[-1], above))
    return out


def _number_values(numbers: set[Decimal]) -> list[str]:
    points = sorted(numbers)
    if not points:
        return []
    # A policy may write any exponent (1e1000000): work without exponent limits, and write numbers as the
    # decimal module does (1E+1000000, not a million digits), which parse_number reads back.
    with localcontext() as context:
        context.prec, context.Emax, context.Emin = 50, MAX_EMAX, MIN_EMIN
        below = points[0] - abs(points[0]) - 1
        above = points[-1] + abs(points[-1]) + 1
        chosen = _between(points, below, above, _middle)
    return [format(value, "f") if abs(value.adjusted()) < _PLAIN_DIGITS else str(value) for value in chosen]


_PLAIN_DIGITS = 30  # numbers this size and smaller are written out in full


def _middle(low: Decimal, high: Decimal) -> Decimal:
    """A number strictly between ``low`` and ``high``: their mean, to as many digits as that takes (50 do
    unless the two agree on their first 48, which only long literals can)."""
    middle = (low + high) / 2
    if low < middle < high:
        return middle
    with localcontext() as context:
        context.prec = max(low.adjusted(), high.adjusted()) - min(_exponent(low), _exponent(high)) + 3
        return (low + high) / 2


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def _date_values(dates: set[dt.datetime]) -> list[str]:
    points = sorted(dates)
    if not points:
        return []
    day = dt.timedelta(days=1)
    try:
        below, above = points[0] - day, points[-1] + day
    except OverflowError:
        below, above = points[0], points[-1]
    return [_iso(value) for value in _between(points, below, above, lambda a, b: a + (b - a) / 2)]


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _ip_values(networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> list[str]:
    out: list[str] = []
    for version, top in ((4, 2**32), (6, 2**128)):
        blocks = [n for n in networks if n.version == version]
        if not blocks:
            continue
        bounds = sorted({int(n.network_address) for n in blocks} | {int(n.broadcast_address) + 1 for n in blocks})
        points = [b for b in bounds if b < top]
        if bounds[0] > 0:
            points.insert(0, bounds[0] - 1)
        out.extend(str(ipaddress.ip_address(p) if version == 4 else ipaddress.IPv6Address(p)) for p in points)
    return out


def value_sets(
    singles: Sequence[str], entries: Sequence[tuple[ConditionEntry, bool]], *, multivalued: bool
) -> list[tuple[str, ...]]:
    """The value sets a key may take: each single value, and for a multivalued key the sets of up to as many
    values as there are conditions on it. Each condition asks whether some value matches or whether every one
    does ("Single-valued vs. multivalued context keys"), so any larger set answers them all as a subset that
    keeps one value per condition (a value that matches, or one that does not) answers them."""
    out: list[tuple[str, ...]] = [(value,) for value in singles]
    if not multivalued:
        return out
    for size in range(2, min(len(singles), max(len(entries), 1)) + 1):
        for combination in combinations(singles, size):
            out.append(combination)
            if len(out) >= _MAX_SETS:
                return out
    return out
