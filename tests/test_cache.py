"""The bounded memo behind the evaluator's and the policy layer's caches."""

from __future__ import annotations

from iam_tester._cache import BoundedCache
from iam_tester.policy.operators import _PARSE_CACHE, parse_operator


def test_put_clears_when_full() -> None:
    """A full cache forgets every entry before it takes a new one, so it never holds more than its limit."""
    cache: BoundedCache[int, str] = BoundedCache(3)
    for number in range(3):
        assert cache.put(number, str(number)) == str(number)
    assert dict(cache) == {0: "0", 1: "1", 2: "2"}
    cache.put(3, "3")
    assert dict(cache) == {3: "3"}


def test_operator_names_from_user_text_stay_bounded() -> None:
    """Parsing many distinct operator names (user text) keeps the parse cache within its limit."""
    for number in range(_PARSE_CACHE.limit * 3):
        assert parse_operator(f"StringEquals{number}") is None
    assert len(_PARSE_CACHE) <= _PARSE_CACHE.limit
    assert parse_operator("ForAnyValue:StringLikeIfExists") is not None
