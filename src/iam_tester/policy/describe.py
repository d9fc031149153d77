"""Show a value from a user's file inside a message: bounded, and safe for any value.

A plain ``repr`` in an error message is a trap with hostile input: a 5,000-digit integer cannot be
turned into text at all (Python's guard against slow conversions raises ``ValueError``), a list nested
a thousand deep raises :class:`RecursionError`, and a YAML alias bomb is a list that expands to billions
of items. :func:`shown` never raises and never prints more than about a line.
"""

from __future__ import annotations

import datetime as dt
import reprlib
from typing import Any

__all__ = ["number_text", "shown"]

_REPR = reprlib.Repr()
_REPR.maxlevel = 2
_REPR.maxstring = 80
_REPR.maxother = 80
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = _REPR.maxfrozenset = 4
_REPR.maxlong = 40


def shown(value: Any) -> str:
    """``repr(value)``, shortened with ``...`` past about 80 characters."""
    if isinstance(value, (dt.date, dt.datetime)):  # only YAML's explicit !!timestamp makes these
        return f"the date {value.isoformat()}"
    try:
        return _REPR.repr(value)
    except (ValueError, RecursionError):
        return "a number too long to show" if isinstance(value, int) else f"a {type(value).__name__}"


def number_text(value: float) -> str | None:
    """A JSON/YAML number as its full text (``10``, ``2.5``), or ``None`` when it is too long to convert."""
    try:
        return str(value)
    except ValueError:  # more digits than sys.get_int_max_str_digits()
        return None
