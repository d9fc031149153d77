"""The shape every operator family shares: parse a policy value once, then test request values fast.

A family gives, for its *positive* operator (``StringEquals`` for ``StringNotEquals`` too), how to prepare one
policy value and how to build, from all prepared values, a test "does this request value match any of them?".
Negation, ``...IfExists``, ``ForAnyValue``/``ForAllValues``, ``Null`` and missing keys are applied on top of that
test in :mod:`.modifiers`, the same way for every family.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..wildcard import Chunks

__all__ = ["AnyMatch", "Comparison", "joined"]

AnyMatch = Callable[[str], bool]
"""Does one request value match any of the statement's values (for the positive operator)?"""


@dataclass(frozen=True)
class Comparison:
    """One positive operator: ``prepare`` reads a policy value (``ValueError`` when it cannot be one);
    ``build`` turns the prepared values into an :data:`AnyMatch`."""

    prepare: Callable[[Chunks], object]
    build: Callable[[Sequence[object]], AnyMatch]


def joined(chunks: Chunks) -> str:
    """The text of a value whose wildcards do not matter."""
    return "".join(text for text, _ in chunks)
