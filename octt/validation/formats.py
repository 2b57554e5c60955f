"""String formats used by the OCPP 1.6 JSON schemas, checked strictly: ``date-time`` and ``uri``.

jsonschema asserts ``format: date-time`` only when an optional third-party library is installed,
so octt checks it itself. The OCPP 1.6 schemas use exactly two formats (``date-time`` 28 times,
``uri`` twice: GetDiagnostics.req and UpdateFirmware.req ``location``); nothing else needs a
checker.

date-time — JSON Schema draft-04 §7.3.1 defers to RFC 3339 §5.6 ``date-time``:

    full-date "T" partial-time time-offset
    YYYY-MM-DD T hh:mm:ss[.frac] (Z | +hh:mm | -hh:mm)

Decisions, all following RFC 3339:

* ASCII digits only (a Python ``\\d`` would also match e.g. Arabic-Indic digits).
* The separator ``T`` and the UTC designator ``Z`` may be lower case: RFC 3339 §5.6 NOTE says they
  "may alternatively be lower case". A space instead of ``T`` (RFC 3339 §5.6's readability remark)
  is *not* the grammar and is rejected.
* Seconds are mandatory, the fraction optional and of any length (OCPP 1.6 §3.15: "Message senders
  MAY save data usage by omitting insignificant fractions of seconds").
* The offset is mandatory: a date-time without one is a local time of unknown zone.
* The calendar is checked (2026-02-30 is rejected; 2024-02-29 accepted; proleptic Gregorian leap
  rules, so year 0000 is a leap year). Hours 00–23, minutes 00–59, seconds 00–59.
* A leap second (``:60``) is accepted only where RFC 3339 §5.7 allows one: at 23:59:60 UTC on the
  last day of a month, after applying the offset.

uri — draft-04 §7.3.6 says "a valid URI, according to RFC 3986", i.e. an absolute URI with a scheme
(relative references are a later draft's ``uri-reference``). Checked loosely: a scheme (RFC 3986
§3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )), a colon, then at least one character and no
whitespace or control characters. Percent-encoding and the authority syntax are not judged: the
OCPP 1.6 field type is ``anyURI``, which XML Schema defines very leniently.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))",
    re.ASCII,
)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f]+")

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def _leap_second_allowed(
    year: int, month: int, day: int, hour: int, minute: int, offset_minutes: int
) -> bool:
    """RFC 3339 §5.7: second 60 only at 23:59:60 UTC on the last day of a month."""
    try:
        utc = datetime(year, month, day, hour, minute) - timedelta(minutes=offset_minutes)
    except (ValueError, OverflowError):  # year 0000, or shifted beyond year 1..9999
        return False
    return (utc.hour, utc.minute) == (23, 59) and utc.day == _days_in_month(utc.year, utc.month)


def _match(text: str) -> tuple[re.Match[str], int] | None:
    """The regex match and the offset in minutes east of UTC, if `text` is an RFC 3339 date-time."""
    m = _DATE_TIME.fullmatch(text)
    if m is None:
        return None
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    hour, minute, second = int(m[4]), int(m[5]), int(m[6])
    if not 1 <= month <= 12 or not 1 <= day <= _days_in_month(year, month):
        return None
    if hour > 23 or minute > 59 or second > 60:
        return None
    if m[8] is not None:
        offset = 0
    else:
        off_h, off_m = int(m[10]), int(m[11])
        if off_h > 23 or off_m > 59:
            return None
        offset = (off_h * 60 + off_m) * (-1 if m[9] == "-" else 1)
    if second == 60 and not _leap_second_allowed(year, month, day, hour, minute, offset):
        return None
    return m, offset


def is_date_time(value: object) -> bool:
    """True for an RFC 3339 §5.6 date-time string. Non-strings are not this checker's concern
    (JSON Schema: a format applies only to instances of its type), so they pass."""
    if not isinstance(value, str):
        return True
    return _match(value) is not None


def utc_offset_minutes(text: str) -> int | None:
    """The offset of an RFC 3339 date-time in minutes east of UTC (0 for Z, +00:00 and -00:00),
    or None if `text` is not one."""
    found = _match(text)
    return None if found is None else found[1]


def parse_date_time(text: str) -> datetime | None:
    """An aware datetime for an RFC 3339 date-time, or None if `text` is not one.

    Fractions beyond microseconds are truncated. A leap second is mapped to the last microsecond
    of its minute (Python datetimes have no second 60). Year 0000 is valid RFC 3339 but not a
    Python datetime: None.
    """
    found = _match(text)
    if found is None:
        return None
    m, offset = found
    year = int(m[1])
    if year == 0:
        return None
    second, micro = int(m[6]), int((m[7] or ".0")[1:7].ljust(6, "0"))
    if second == 60:
        second, micro = 59, 999_999
    tz = UTC if offset == 0 else timezone(timedelta(minutes=offset))
    return datetime(year, int(m[2]), int(m[3]), int(m[4]), int(m[5]), second, micro, tzinfo=tz)


def is_uri(value: object) -> bool:
    """Loose RFC 3986 absolute-URI check (see the module docstring). Non-strings pass."""
    if not isinstance(value, str):
        return True
    return _URI.fullmatch(value) is not None
