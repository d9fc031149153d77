"""Wildcards (``*`` and ``?``) compiled once into regular expressions.

Three dialects, from the IAM User Guide:

- **plain** ("IAM JSON policy elements: Action", and ``StringLike`` in "Condition operators"): ``*`` is any run
  of characters, ``?`` any one character, anywhere in the value;
- **resource ARN** ("IAM JSON policy elements: Resource",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html): wildcards
  work within one colon-separated segment, but "If the ``*`` wildcard is the last character of a resource
  ARN segment, it can expand to match beyond the colon boundaries"; after the fifth colon (the resource
  part) ``*`` also covers ``/`` and ``:`` ("The asterisk character can expand to replace everything within a
  segment, including characters like a forward slash");
- **condition ARN** (``ArnLike``/``ArnEquals``, "Condition operators", ARN condition operators): "Each of the
  six colon-delimited components of the ARN is checked separately", so a wildcard never leaves its segment.

Patterns arrive as *chunks*: ``(text, is_pattern)``. Text from a policy variable is literal (``${*}`` exists
precisely because a literal ``*`` would otherwise be a wildcard), so only ``is_pattern`` chunks have wildcards.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["Chunks", "arn_regex", "glob_regex", "has_wildcard", "plain"]

Chunks = Sequence[tuple[str, bool]]

_ANY = ".*"
_ONE = "."
_ANY_IN_SEGMENT = "[^:]*"
_ONE_IN_SEGMENT = "[^:]"
_SEGMENTS_BEFORE_RESOURCE = 5


def plain(text: str) -> tuple[tuple[str, bool], ...]:
    """A pattern that is policy text only (no substituted variables)."""
    return ((text, True),)


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def glob_regex(chunks: Chunks, *, ignore_case: bool = False) -> re.Pattern[str]:
    """The plain dialect: ``*`` and ``?`` anywhere, matched against the whole value."""
    parts: list[str] = []
    for text, is_pattern in chunks:
        if not is_pattern:
            parts.append(re.escape(text))
            continue
        for char in text:
            if char == "*":
                parts.append(_ANY)
            elif char == "?":
                parts.append(_ONE)
            else:
                parts.append(re.escape(char))
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile("".join(parts), flags)


def arn_regex(chunks: Chunks, *, trailing_star_crosses_colons: bool) -> re.Pattern[str]:
    """An ARN pattern: wildcards stay inside the first five colon-separated segments, and are free in the
    resource part after the fifth colon.

    ``trailing_star_crosses_colons`` is the Resource element's rule (a ``*`` that ends a segment may run on
    past the colon); ARN condition operators check each segment on its own and pass ``False``.
    """
    flat: list[tuple[str, bool]] = [(char, is_pattern) for text, is_pattern in chunks for char in text]
    parts: list[str] = []
    colons = 0
    for i, (char, is_pattern) in enumerate(flat):
        in_resource_part = colons >= _SEGMENTS_BEFORE_RESOURCE
        if char == ":" and not in_resource_part:
            colons += 1
            parts.append(":")
        elif is_pattern and char == "*":
            if in_resource_part:
                parts.append(_ANY)
            else:
                ends_segment = i + 1 == len(flat) or flat[i + 1][0] == ":"
                parts.append(_ANY if trailing_star_crosses_colons and ends_segment else _ANY_IN_SEGMENT)
        elif is_pattern and char == "?":
            parts.append(_ONE if in_resource_part else _ONE_IN_SEGMENT)
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)
