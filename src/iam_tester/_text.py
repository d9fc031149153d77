"""Text for people, written the same way by every report: a count with its noun, and data made safe to print."""

from __future__ import annotations

__all__ = ["count", "printable"]


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``1 policy``, ``2 policies``, ``0 warnings``: ``plural`` when English does not just add an s (a noun
    ending in a consonant and y takes ies without it being given)."""
    if number == 1:
        return f"{number} {noun}"
    if plural is None:
        plural = noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"
    return f"{number} {plural}"


def printable(text: str) -> str:
    """``text`` with every character that is not printable (controls, escape, NUL, ...) written as its
    Python escape, so data from a suite cannot move the cursor, recolour or clear a terminal."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
