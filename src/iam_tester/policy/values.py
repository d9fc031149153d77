"""Parse condition values into the type their operator compares as.

Each parser returns the parsed value or raises :class:`ValueError` with a message fit for a user. The
same parsers serve validation (is this a valid value for the operator?) and the evaluator (compile the
policy's values once; parse the request's values per request).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import ipaddress
import re
from decimal import Decimal, InvalidOperation

__all__ = [
    "IpNetwork",
    "parse_binary",
    "parse_bool",
    "parse_date",
    "parse_ip_network",
    "parse_number",
]

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")


def parse_number(text: str) -> Decimal:
    """A Numeric* value: an integer or a decimal ("10", "-2.5"). Compared exactly, as decimals."""
    if not _NUMBER.match(text.strip()):
        raise ValueError(f"{text!r} is not a number")
    try:
        return Decimal(text.strip())
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid decimals
        raise ValueError(f"{text!r} is not a number") from exc


# The W3C profile of ISO 8601 (https://www.w3.org/TR/NOTE-datetime), which the IAM User Guide names for
# Date operators ("IAM JSON policy elements: Condition operators", Date condition operators), plus
# epoch seconds. Compact forms like 20200101T000000Z are accepted too: AWS's own request context values
# (aws:CurrentTime) are written both ways.
_W3C_DATE = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?P<fraction>\.\d+)?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?)?)?)?\Z"
)
_COMPACT_DATE = re.compile(
    r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2})(?P<minute>\d{2})(?P<second>\d{2})?(?P<fraction>\.\d+)?(?P<tz>Z|[+-]\d{2}:?\d{2})?)?\Z"
)
_EPOCH = re.compile(r"-?\d+(?:\.\d+)?\Z")


def parse_date(text: str) -> dt.datetime:
    """A Date* value: ISO 8601 (W3C profile) or epoch seconds; a missing zone means UTC."""
    value = text.strip()
    if _EPOCH.match(value) and not (len(value) in (4, 8) and "." not in value and not value.startswith("-")):
        # A bare 4- or 8-digit string reads as a year or a compact date, as ISO 8601 says; longer
        # runs of digits are epoch seconds.
        try:
            return dt.datetime.fromtimestamp(float(value), tz=dt.timezone.utc)
        except (OverflowError, OSError, ValueError) as exc:  # past year 9999, or before year 1
            raise ValueError(f"{text!r} is out of the range of dates (years 1 to 9999)") from exc
    match = _W3C_DATE.match(value) or _COMPACT_DATE.match(value)
    if not match:
        raise ValueError(f"{text!r} is not a date (use ISO 8601, e.g. 2026-01-31T12:00:00Z, or epoch seconds)")
    parts = match.groupdict()
    try:
        tz = _parse_zone(parts["tz"])
        fraction = parts["fraction"]
        micro = round(float(fraction) * 1_000_000) if fraction else 0
        written = dt.datetime(
            int(parts["year"]),
            int(parts["month"] or 1),
            int(parts["day"] or 1),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            min(micro, 999_999),
            tzinfo=tz,
        )
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date: {exc}") from exc
    try:
        # The instant in UTC: 0001-01-01T00:00:00+14:00 is in year 0, which no date holds.
        return written.astimezone(dt.timezone.utc)
    except OverflowError as exc:
        raise ValueError(f"{text!r} is out of the range of dates (years 1 to 9999, in UTC)") from exc


def _parse_zone(text: str | None) -> dt.tzinfo:
    if not text or text == "Z":
        return dt.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return dt.timezone(sign * offset)


def parse_bool(text: str) -> bool:
    """A Bool value: ``true`` or ``false``, in any case."""
    lowered = text.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise ValueError(f"{text!r} is not a boolean (use true or false)")


def parse_ip_network(text: str) -> IpNetwork:
    """An IpAddress value: an IPv4 or IPv6 address or CIDR block ("203.0.113.0/24", "2001:db8::/32")."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not an IP address or CIDR block") from exc


def parse_binary(text: str) -> bytes:
    """A BinaryEquals value: base-64 encoded bytes."""
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{text!r} is not base-64 encoded") from exc
