"""One small bounded memo for the hot paths: a dict that forgets everything once it is full.

The evaluator and the policy layer memoise work keyed on user text (operator names, actions, resolved
policy variables). A plain dict would grow without bound on hostile or huge input; an LRU's bookkeeping
costs more per hit than the rare refill after a clear, because the working set is almost always far below
the limit. A hit is a plain ``dict.get``.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["BoundedCache"]

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(dict[K, V]):
    """A dict of at most ``limit`` entries: :meth:`put` clears it first when it is full."""

    __slots__ = ("limit",)

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: K, value: V) -> V:
        """Store ``value`` under ``key`` (clearing every entry first when full) and return it."""
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value
