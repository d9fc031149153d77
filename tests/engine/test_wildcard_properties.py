"""Wildcard matching agrees with a small, obviously-correct reference matcher on generated patterns."""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from iam_tester.engine.matching import compile_actions
from iam_tester.engine.wildcard import arn_regex, glob_regex, plain

PATTERN_CHARS = st.text(alphabet="ab:/*?", max_size=14)
VALUE_CHARS = st.text(alphabet="ab:/", max_size=14)
RESOURCE_PART = 5  # colons before the resource part


def reference_glob(pattern: str, value: str) -> bool:
    """``*`` is any run of characters, ``?`` one character, everything else itself."""

    @cache
    def match(p: int, v: int) -> bool:
        if p == len(pattern):
            return v == len(value)
        char = pattern[p]
        if char == "*":
            return match(p + 1, v) or (v < len(value) and match(p, v + 1))
        if v == len(value):
            return False
        return (char == "?" or char == value[v]) and match(p + 1, v + 1)

    return match(0, 0)


def reference_arn(pattern: str, value: str, *, trailing_star_crosses: bool) -> bool:
    """The ARN dialect, spelled out: before the fifth colon of the pattern, ``?`` and ``*`` do not match a colon,
    except (when ``trailing_star_crosses``) a ``*`` that ends its segment; after it they match anything."""
    colons_before = [pattern[:i].count(":") for i in range(len(pattern))]

    @cache
    def match(p: int, v: int) -> bool:
        if p == len(pattern):
            return v == len(value)
        char = pattern[p]
        free = colons_before[p] >= RESOURCE_PART
        if char == "*":
            ends_segment = p + 1 == len(pattern) or pattern[p + 1] == ":"
            crosses = free or (trailing_star_crosses and ends_segment)
            if match(p + 1, v):
                return True
            return v < len(value) and (crosses or value[v] != ":") and match(p, v + 1)
        if v == len(value):
            return False
        if char == "?":
            return (free or value[v] != ":") and match(p + 1, v + 1)
        return char == value[v] and match(p + 1, v + 1)

    return match(0, 0)


@settings(max_examples=400)
@given(PATTERN_CHARS, VALUE_CHARS)
def test_plain_glob_matches_reference(pattern: str, value: str) -> None:
    """The plain dialect (actions, StringLike) agrees with the reference."""
    assert (glob_regex(plain(pattern)).fullmatch(value) is not None) == reference_glob(pattern, value)


@settings(max_examples=400)
@given(PATTERN_CHARS, VALUE_CHARS)
def test_resource_arn_matches_reference(pattern: str, value: str) -> None:
    """The Resource dialect (a * ending a segment may cross its colon) agrees with the reference."""
    got = arn_regex(plain(pattern), trailing_star_crosses_colons=True).fullmatch(value) is not None
    assert got == reference_arn(pattern, value, trailing_star_crosses=True)


@settings(max_examples=400)
@given(PATTERN_CHARS, VALUE_CHARS)
def test_condition_arn_matches_reference(pattern: str, value: str) -> None:
    """The ArnLike dialect (wildcards never leave their segment) agrees with the reference."""
    got = arn_regex(plain(pattern), trailing_star_crosses_colons=False).fullmatch(value) is not None
    assert got == reference_arn(pattern, value, trailing_star_crosses=False)


@settings(max_examples=200)
@given(st.text(alphabet="aBc*?", max_size=8), st.text(alphabet="AbC", max_size=8))
def test_actions_match_without_case(name_pattern: str, name: str) -> None:
    """An action pattern matches an action whatever the case of either, as the reference does on lower case."""
    matcher = compile_actions([f"s3:{name_pattern}"], negated=False)
    expected = reference_glob(f"s3:{name_pattern}".lower(), f"s3:{name}".lower())
    assert matcher.matches(f"s3:{name}".lower()) is expected
    assert compile_actions([f"S3:{name_pattern.upper()}"], negated=False).matches(f"s3:{name}".lower()) is expected


@settings(max_examples=200)
@given(st.lists(PATTERN_CHARS, min_size=1, max_size=3), VALUE_CHARS)
def test_not_action_is_the_complement(patterns: list[str], value: str) -> None:
    """NotAction matches exactly the actions Action does not."""
    actions = [f"s3:{p}" for p in patterns]
    action = f"s3:{value}"
    assert compile_actions(actions, negated=True).matches(action) is not compile_actions(
        actions, negated=False
    ).matches(action)
