"""The shared text helpers: counts read as English, and data printed without control characters."""

from __future__ import annotations

import pytest

from iam_tester._text import count, printable


@pytest.mark.parametrize(
    ("number", "noun", "expected"),
    [
        (1, "policy", "1 policy"),
        (2, "resource policy", "2 resource policies"),
        (0, "warning", "0 warnings"),
        (3, "key", "3 keys"),
        (1, "step", "1 step"),
    ],
)
def test_count_reads_as_english(number: int, noun: str, expected: str) -> None:
    """One takes the noun, any other number its plural (ies after a consonant's y)."""
    assert count(number, noun) == expected


def test_printable_escapes_control_characters() -> None:
    """An escape sequence or a newline in data is shown escaped, printable text is left as it is."""
    assert printable("role/\x1b[2Jdev\n") == "role/\\x1b[2Jdev\\n"
    assert printable("arn:aws:s3:::reports/*") == "arn:aws:s3:::reports/*"
