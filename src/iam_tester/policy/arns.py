"""Does a resource ARN written in a policy fit a resource type's ARN format?

The catalog gives each resource type a format such as ``arn:${Partition}:s3:::${BucketName}/${ObjectName}``;
a policy writes ARNs with ``*`` and ``?`` wildcards and ``${...}`` policy variables
(IAM User Guide, "IAM JSON policy elements: Resource": wildcards may appear in any segment of an ARN). The
ARN fits when some real ARN matches both: each of the six colon-separated segments is checked for a
common string, the last segment (the resource, which may itself hold colons) in full.

A placeholder stands for one or more characters of any kind, except the names AWS documents as never holding
a ``/`` (:data:`NO_SLASH`): "Bucket names can consist only of lowercase letters, numbers, periods (.), and
hyphens (-)" (Amazon S3 User Guide, "General purpose bucket naming rules"), and likewise DynamoDB tables,
SQS queues, SNS topics, Lambda functions, KMS key IDs, EC2 resource IDs, Regions and partitions. That is
what makes ``arn:aws:s3:::bucket/*`` not a bucket. AWS-owned resources of some types carry no account in
their ARN (Systems Manager's public documents and parameters: ``arn:aws:ssm:*::document/AWS-RunShellScript``);
for those the account may be empty (``account_optional``).
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "ACCOUNT_ID",
    "IAM_PRINCIPAL_ARN",
    "NO_SLASH",
    "arn_fits_format",
    "format_regex",
    "placeholder_regex",
    "split_arn",
]

ACCOUNT_ID = re.compile(r"\d{12}\Z")
"""An AWS account ID: exactly twelve digits."""
IAM_PRINCIPAL_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):(?P<service>iam|sts)::(?P<account>\d{12}):(?P<resource>.+)\Z"
)
"""An IAM or STS ARN of a principal (``iam::ACCOUNT:user/...``, ``sts::ACCOUNT:assumed-role/...``), in any
partition (``aws``, ``aws-cn``, ``aws-us-gov`` ...); the resource part is checked by whoever reads it."""

_STAR = 0  # any run of characters, possibly empty
_ANY = 1  # exactly one character
_STAR_NO_SLASH = 2  # any run of characters without "/", possibly empty
_ANY_NO_SLASH = 3  # exactly one character, not "/"
Token = int | str
_STARS = (_STAR, _STAR_NO_SLASH)
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>")
_ACCOUNTS = frozenset({"${Account}", "${AccountId}"})

NO_SLASH = frozenset(
    {
        "${Partition}",
        "${Region}",
        "${Account}",
        "${AccountId}",
        "${BucketName}",
        "${AccessPointName}",
        "${TableName}",
        "${QueueName}",
        "${TopicName}",
        "${FunctionName}",
        "${KeyId}",
        "${InstanceId}",
        "${ImageId}",
        "${SnapshotId}",
        "${VolumeId}",
        "${SecurityGroupId}",
        "${SubnetId}",
        "${VpcId}",
    }
)
"""The catalog's placeholders for names that never hold a ``/`` (see the module docstring)."""


def split_arn(arn: str) -> tuple[str, str, str, str, str, str] | None:
    """``arn:partition:service:region:account:resource`` in its six parts, or ``None``."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]


@lru_cache(maxsize=8192)
def arn_fits_format(policy_arn: str, arn_format: str, *, account_optional: bool = False) -> bool:
    """Could some ARN match both the policy's ARN pattern and the resource type's format?"""
    policy = split_arn(policy_arn)
    expected = split_arn(arn_format)
    if policy is None or expected is None:
        return False
    return all(
        _segments_meet(p, e, account_optional=account_optional) for p, e in zip(policy[1:], expected[1:], strict=True)
    )


@lru_cache(maxsize=8192)
def _segments_meet(policy_segment: str, format_segment: str, *, account_optional: bool) -> bool:
    if policy_segment == "*":
        return True  # "*" matches anything, the empty string too
    pattern = _policy_tokens(policy_segment)
    expected = _format_tokens(format_segment, account_optional)
    if all(isinstance(t, str) for t in pattern):
        return format_regex(format_segment, account_optional=account_optional).fullmatch(policy_segment) is not None
    return _intersects(pattern, expected)


def _policy_tokens(segment: str) -> tuple[Token, ...]:
    # A policy variable stands for a value known only at request time: any run of characters.
    segment = _PLACEHOLDER.sub("*", segment)
    return tuple(_STAR if c == "*" else _ANY if c == "?" else c for c in segment)


def _format_tokens(segment: str, account_optional: bool) -> tuple[Token, ...]:
    tokens: list[Token] = []
    position = 0
    for match in _PLACEHOLDER.finditer(segment):
        tokens.extend(segment[position : match.start()])
        name = match.group()
        if account_optional and name in _ACCOUNTS:
            tokens.append(_STAR_NO_SLASH)
        elif name in NO_SLASH:
            tokens.extend((_ANY_NO_SLASH, _STAR_NO_SLASH))  # a named part of an ARN is at least one character
        else:
            tokens.extend((_ANY, _STAR))
        position = match.end()
    tokens.extend(segment[position:])
    return tuple(tokens)


@lru_cache(maxsize=4096)
def format_regex(arn_format: str, *, account_optional: bool = False) -> re.Pattern[str]:
    """A catalog ARN format (or one segment of it) as a regular expression for concrete ARNs: each placeholder
    is one or more characters, none of them ``/`` for the names in :data:`NO_SLASH`."""
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(arn_format):
        parts.append(re.escape(arn_format[position : match.start()]))
        name = match.group()
        if account_optional and name in _ACCOUNTS:
            parts.append("[^/]*")
        else:
            parts.append("[^/]+" if name in NO_SLASH else ".+")
        position = match.end()
    parts.append(re.escape(arn_format[position:]))
    return re.compile("".join(parts), re.DOTALL)


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


def _single_meet(a: Token, b: Token) -> bool:
    """Can two one-character tokens (a character, ``_ANY`` or ``_ANY_NO_SLASH``) stand for the same character?"""
    if _ANY in (a, b):
        return True
    if _ANY_NO_SLASH in (a, b):
        other = b if a == _ANY_NO_SLASH else a
        return other != "/"
    return a == b


def _swallows(star: Token, single: Token) -> bool:
    """Can a star token take one more character that ``single`` stands for?"""
    return star == _STAR or _single_meet(_ANY_NO_SLASH, single)


def _intersects(left: tuple[Token, ...], right: tuple[Token, ...]) -> bool:
    """Do two wildcard patterns (stars, one-character tokens and literal characters) share a matching string?"""
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
        if a in _STARS:
            stack.append((i + 1, j))  # the star matches nothing more
            if b is not None and b not in _STARS and _swallows(a, b):
                stack.append((i, j + 1))  # the star swallows the other side's character
        if b in _STARS:
            stack.append((i, j + 1))
            if a is not None and a not in _STARS and _swallows(b, a):
                stack.append((i + 1, j))
        if a is not None and b is not None and a not in _STARS and b not in _STARS and _single_meet(a, b):
            stack.append((i + 1, j + 1))
    return False
