"""Read JSON text strictly, the way IAM reads a policy, and say where it breaks.

``json.loads`` alone accepts more than JSON and fails in ways that are not :class:`json.JSONDecodeError`:
it reads ``NaN`` and ``Infinity`` (RFC 8259 has no such values, and IAM rejects them), it reads a
``\\ud800`` escape into a lone surrogate (not a character: the text cannot even be encoded to send to
AWS), it raises :class:`RecursionError` for arrays nested a few hundred levels deep and
:class:`ValueError` for an integer of more than 4,300 digits (Python's guard against slow
conversions). :func:`load_json` turns each of these into one :class:`JsonTextError` with the line
and column, so callers handle a single exception.

The positions of the rarer problems are found by a small scan that runs only once something is
wrong; reading well-formed text costs one regular-expression search beyond ``json.loads``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

__all__ = ["BOM", "JsonTextError", "line_column", "load_json"]

BOM = "\ufeff"

# A string, a bracket, or a number: enough to find positions in text that json.loads has read (or
# read up to the problem). Strings are matched whole, so nothing inside one is mistaken for a token.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|-?Infinity|NaN|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?')
# A surrogate escape, or a surrogate character in text handed over from Python: only then are the
# strings decoded one by one to find a lone half (a valid pair decodes to one character).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LONG_INTEGER = 4300  # CPython's default sys.get_int_max_str_digits()
_WHITESPACE = re.compile(r"[ \t\n\r]*")


class JsonTextError(ValueError):
    """The text is not JSON that IAM would read: ``message`` says why, at 1-based ``line`` and ``column``."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{message} (line {line}, column {column})")
        self.message = message
        self.line = line
        self.column = column


class _NotJsonConstant(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _reject_constant(name: str) -> Any:
    raise _NotJsonConstant(name)


def load_json(text: str, *, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None) -> Any:
    """The value of ``text``; raises :class:`JsonTextError` (and nothing else) when it is not strict JSON."""
    try:
        value = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=object_pairs_hook)
    except json.JSONDecodeError as exc:
        comma = _trailing_comma(text, exc.pos)
        if comma is not None:
            raise _error(text, comma, "a comma after the last item, which JSON does not allow: remove it") from None
        message = exc.msg
        if exc.pos == 0 and text.startswith(BOM):
            message = "the text starts with a byte-order mark (U+FEFF)"
        raise JsonTextError(message, exc.lineno, exc.colno) from None
    except _NotJsonConstant as exc:
        offset = _first_token(text, lambda token: token.lstrip("-") in ("NaN", "Infinity"))
        raise _error(text, offset, f"{exc.name} is not a JSON value (write a number or a string)") from None
    except RecursionError:
        depth, offset = _deepest(text)
        raise _error(text, offset, f"arrays and objects nested {depth:,} levels deep: too deep to read") from None
    except ValueError:  # only the integer-length guard raises a plain ValueError from json.loads
        offset = _first_token(text, lambda token: token[:1] in "-0123456789" and _digits(token) > _LONG_INTEGER)
        token = _TOKEN.match(text, offset)
        digits = f"{_digits(token.group()):,} " if token else ""
        raise _error(text, offset, f"a number of {digits}digits: too long to read") from None
    if _may_hold_surrogates(text):
        _no_lone_surrogates(text)
    return value


def _may_hold_surrogates(text: str) -> bool:
    # Cheap tests first: a literal `\u` prefix search, then (for text that is not ASCII) an encoding
    # that fails only on a surrogate; a regular expression over every character costs ten times more.
    if _SURROGATE_ESCAPE.search(text):
        return True
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _error(text: str, offset: int, message: str) -> JsonTextError:
    line, column = line_column(text, offset)
    return JsonTextError(message, line, column)


def _trailing_comma(text: str, pos: int) -> int | None:
    """Where the trailing comma is, when that is why the parser stopped at ``pos``: the most common slip in
    hand-written JSON. Python's parser reports it at the closing bracket (before 3.13) or at the comma
    (3.13 and later); both are told at the comma, with one message."""
    if pos >= len(text):
        return None
    if text[pos] == ",":
        end = _WHITESPACE.match(text, pos + 1).end()  # type: ignore[union-attr]  # `*` always matches
        return pos if text[end : end + 1] in ("]", "}") else None
    if text[pos] in "]}":
        before = len(text[:pos].rstrip(" \t\n\r")) - 1
        return before if before >= 0 and text[before] == "," else None
    return None


def _digits(token: str) -> int:
    return len(token.lstrip("-").split(".")[0].split("e")[0].split("E")[0])


def _first_token(text: str, wanted: Callable[[str], bool]) -> int:
    for match in _TOKEN.finditer(text):
        if wanted(match.group()):
            return match.start()
    return 0


def _deepest(text: str) -> tuple[int, int]:
    """The deepest nesting in ``text`` and where it is first reached."""
    depth = deepest = 0
    where = 0
    for match in _TOKEN.finditer(text):
        char = match.group()[0]
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, match.start()
        elif char in "]}":
            depth -= 1
    return deepest, where


def _no_lone_surrogates(text: str) -> None:
    for match in _TOKEN.finditer(text):
        token = match.group()
        if not token.startswith('"'):
            continue
        decoded = json.loads(token)
        lone = _SURROGATE.search(decoded)
        if lone:
            raise _error(
                text,
                match.start(),
                f"the string holds \\u{ord(lone.group()):04x}, half of a UTF-16 surrogate pair: not a character",
            )
