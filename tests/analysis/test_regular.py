"""The automata of :mod:`iam_tester.analysis.regular`: they accept exactly what the engine's compiled patterns
match, and :func:`explore` finds a string for every combination of matches that some string has."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iam_tester.analysis.regular import Language, explore, from_regex, literal
from iam_tester.engine.wildcard import arn_regex, glob_regex, plain

from ..strategies import fuzz

CHARS = "ab:/*?"
patterns = st.text(alphabet=CHARS, max_size=8)
subjects = st.text(alphabet="ab:/x", max_size=9)


@fuzz(200)
@given(pattern=patterns, subject=subjects)
def test_glob_automaton_matches_the_engine(pattern: str, subject: str) -> None:
    """A plain wildcard pattern (Action, StringLike) accepts what the engine's regex fullmatches."""
    regex = glob_regex(plain(pattern))
    assert Language.of([from_regex(regex.pattern)]).matches(subject) is (regex.fullmatch(subject) is not None)


@fuzz(200)
@given(segments=st.lists(patterns, min_size=6, max_size=6), subject=subjects, crossing=st.booleans())
def test_arn_automaton_matches_the_engine(segments: list[str], subject: str, crossing: bool) -> None:
    """An ARN pattern (Resource, ArnLike) accepts what the engine's regex fullmatches, segment rules included."""
    regex = arn_regex(plain(":".join(segments)), trailing_star_crosses_colons=crossing)
    text = "arn:aws:s3:us-east-1:1:" + subject
    assert Language.of([from_regex(regex.pattern)]).matches(text) is (regex.fullmatch(text) is not None)


def test_an_unknown_construct_is_refused() -> None:
    """A regex construct the engine does not emit is an error, not a silent misreading."""
    with pytest.raises(ValueError, match="unexpected"):
        from_regex("a+")


@fuzz(60)
@given(first=patterns, second=patterns)
def test_explore_finds_every_combination_short_strings_have(first: str, second: str) -> None:
    """Every matched/not-matched combination some short string has is found, with a string that has it."""
    regexes = [glob_regex(plain(p)) for p in (first, second)]
    languages = [Language.of([from_regex(r.pattern)]) for r in regexes]
    found, complete = explore(None, languages)
    assert complete
    for length in range(5):
        for letters in itertools.product("ab:/x", repeat=length):
            text = "".join(letters)
            vector = tuple(r.fullmatch(text) is not None for r in regexes)
            assert vector in found
    for vector, text in found.items():
        assert tuple(r.fullmatch(text) is not None for r in regexes) == vector


def test_ignore_case_literals_accept_either_case() -> None:
    """``StringEqualsIgnoreCase`` values accept any case of their characters."""
    language = Language.of([literal("red", ignore_case=True)])
    assert language.matches("RED")
    assert language.matches("rEd")
    assert not language.matches("reds")
