"""Does a resource ARN written in a policy fit a resource type's ARN format?

The catalog gives each resource type a format such as ``arn:${Partition}:s3:::${BucketName}/${ObjectName}``;
a policy writes ARNs with ``*`` and ``?`` wildcards and ``${...}`` policy variables
(IAM User Guide, "IAM JSON policy elements: Resource": wildcards may appear in any segment of an ARN). The
ARN fits when some real ARN matches both: each of the six colon-separated segments is checked for a
common string, the last segment (the resource, which may itself hold colons) in full.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["ACCOUNT_ID", "IAM_PRINCIPAL_ARN", "arn_fits_format", "placeholder_regex", "split_arn"]

ACCOUNT_ID = re.compile(r"\d{12}\Z")
"""An AWS account ID: exactly twelve digits."""
IAM_PRINCIPAL_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):(?P<service>iam|sts)::(?P<account>\d{12}):(?P<resource>.+)\Z"
)
"""An IAM or STS ARN of a principal (``iam::ACCOUNT:user/...``, ``sts::ACCOUNT:assumed-role/...``), in any
partition (``aws``, ``aws-cn``, ``aws-us-gov`` ...); the resource part is checked by whoever reads it."""

_STAR = 0  # any run of characters, possibly empty
_ANY = 1  # exactly one character
Token = int | str
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>")


def split_arn(arn: str) -> tuple[str, str, str, str, str, str] | None:
    """``arn:partition:service:region:account:resource`` in its six parts, or ``None``."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]


@lru_cache(maxsize=8192)
def arn_fits_format(policy_arn: str, arn_format: str) -> bool:
    """Could some ARN match both the policy's ARN pattern and the resource type's format?"""
    policy = split_arn(policy_arn)
    expected = split_arn(arn_format)
    if policy is None or expected is None:
        return False
    return all(_segments_meet(p, e) for p, e in zip(policy[1:], expected[1:], strict=True))


@lru_cache(maxsize=8192)
def _segments_meet(policy_segment: str, format_segment: str) -> bool:
    if policy_segment == "*":
        return True  # "*" matches anything, the empty string too
    pattern = _policy_tokens(policy_segment)
    expected = _format_tokens(format_segment)
    if all(isinstance(t, str) for t in pattern):
        return placeholder_regex(format_segment).fullmatch(policy_segment) is not None
    return _intersects(pattern, expected)


def _policy_tokens(segment: str) -> tuple[Token, ...]:
    # A policy variable stands for a value known only at request time: any run of characters.
    segment = _PLACEHOLDER.sub("*", segment)
    return tuple(_STAR if c == "*" else _ANY if c == "?" else c for c in segment)


def _format_tokens(segment: str) -> tuple[Token, ...]:
    tokens: list[Token] = []
    position = 0
    for match in _PLACEHOLDER.finditer(segment):
        tokens.extend(segment[position : match.start()])
        tokens.extend((_ANY, _STAR))  # a named part of an ARN is at least one character
        position = match.end()
    tokens.extend(segment[position:])
    return tuple(tokens)


@lru_cache(maxsize=4096)
def placeholder_regex(text: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """``text`` as a regular expression in which each catalog placeholder (``${BucketName}``, ``<id>``)
    stands for one or more characters of any kind."""
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append(re.escape(text[position : match.start()]))
        parts.append(".+")
        position = match.end()
    parts.append(re.escape(text[position:]))
    return re.compile("".join(parts), (re.IGNORECASE if ignore_case else 0) | re.DOTALL)


def _intersects(left: tuple[Token, ...], right: tuple[Token, ...]) -> bool:
    """Do two wildcard patterns (``_STAR``, ``_ANY`` and literal characters) share a matching string?"""
    end = (len(left), len(right))
    stack = [(0, 0)]
    seen: set[tuple[int, int]] = set()
    while stack:
        state = stack.pop()
        if state in seen:
            continue
        seen.add(state)
        if state == end:
            return True
        i, j = state
        a = left[i] if i < end[0] else None
        b = right[j] if j < end[1] else None
        if a == _STAR:
            stack.append((i + 1, j))  # the star matches nothing more
            if b is not None and b != _STAR:
                stack.append((i, j + 1))  # the star swallows the other side's character
        if b == _STAR:
            stack.append((i, j + 1))
            if a is not None and a != _STAR:
                stack.append((i + 1, j))
        if a is not None and b is not None and _STAR not in (a, b) and (_ANY in (a, b) or a == b):
            stack.append((i + 1, j + 1))
    return False
