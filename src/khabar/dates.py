"""Calendar dates: the one place where khabar parses and validates them (no I/O).

Dates travel as ISO strings ``YYYY-MM-DD`` (the ``published`` field of khabar.article/1, the
``--from``/``--to`` filters, the store's columns). Two strictnesses, on purpose:

- what a user types (a CLI option, an API field, a web form) must be exactly ``YYYY-MM-DD``
  (``exact=True``, :func:`is_date`), so that a typo is an error, not another date;
- what an input file or a feed carries may be a longer timestamp ("2021-08-19T10:00:00Z"),
  cut to its date (the default), since publishers write many forms.

Time expressions inside the text are the timexes stage's business (khabar.analysis.timexes).
"""

from __future__ import annotations

import re
import time
from datetime import date
from email.utils import parsedate_to_datetime

from .errors import InputError

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"  # also the API's query parameter pattern (OpenAPI)
_DATE_RE = re.compile(DATE_PATTERN)
# The calendar day or month a TIMEX3 value names ("2021-08-18TEV" -> "2021-08-18", "2021-09").
_TIMEX_DATE_RE = re.compile(r"(\d{4}-\d{2}-\d{2}|\d{4}-\d{2})(?![\d])")


def parse_date(value: str, *, exact: bool = False) -> str:
    """The ISO date ``YYYY-MM-DD`` of ``value``, or :class:`InputError` (one line).

    ``exact``: only ``YYYY-MM-DD`` itself (user input); else a longer timestamp is cut to its
    first 10 characters (input files, feeds).
    """
    text = str(value).strip()
    if exact and not _DATE_RE.match(text):
        raise InputError(f"invalid date {value!r}: expected YYYY-MM-DD")
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        raise InputError(f"invalid date {value!r}: expected YYYY-MM-DD") from None


def is_date(value: str) -> bool:
    """Whether ``value`` is exactly a valid ``YYYY-MM-DD`` date."""
    try:
        parse_date(value, exact=True)
    except InputError:
        return False
    return True


def date_ordinal(value: str | None) -> int | None:
    """The proleptic Gregorian ordinal of a date or timestamp (day arithmetic), None if not one."""
    try:
        return date.fromisoformat(value[:10]).toordinal() if value else None
    except ValueError:
        return None


def timex_date(timex_value: str | None) -> str | None:
    """The calendar day or month a timex value names ("2021-08-18TEV" -> "2021-08-18"), else None."""
    m = _TIMEX_DATE_RE.match(timex_value) if timex_value else None
    return m.group(1) if m else None


def from_compact(digits: str | None) -> str | None:
    """``YYYYMMDD`` (gold files, GDELT) as ``YYYY-MM-DD``; None when it is not eight digits."""
    digits = str(digits or "")
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}" if len(digits) == 8 and digits.isdigit() else None


def year_fraction(digits: str) -> float | None:
    """GDELT's FractionDate (year + day-of-year / 365, months counted as 30 days) of ``YYYYMMDD...``."""
    if len(digits) < 8 or not digits[:8].isdigit():
        return None
    y, m, d = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    return round(y + ((m - 1) * 30 + d) / 365.0, 4)


def from_struct_time(value: time.struct_time | None) -> str | None:
    """A parsed feed date (``time.struct_time``, as feedparser gives) as ``YYYY-MM-DD``."""
    return time.strftime("%Y-%m-%d", value) if value else None


def from_http_date(value: str | None) -> str | None:
    """The date of an HTTP header date (RFC 9110, e.g. Last-Modified), None when unreadable."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        return None
