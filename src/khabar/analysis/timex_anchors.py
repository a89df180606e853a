"""Anchor arithmetic for time expressions that refer back to a date given earlier in the text.

"في اليوم التالي" ('the next day'), "الشهر نفسه" ('the same month'), "العام السابق" ('the previous
year'), "نوفمبر من العام نفسه" ('November of the same year') count from the last date before them
that is precise enough (a day for a day, a month for a month, a year for a year), not from the
publication date; only without such an anchor they count from the publication date. The recogniser
(``khabar.timexes``) writes such an expression's value as a placeholder (``anaphoric_value``), and
``resolve`` replaces it once the expressions before it are known. No I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import regex

# A placeholder: "@" unit offset [tail], e.g. "@D+1" the next day, "@Y+0-11" November of the same
# year, "@D+1TMO" the next morning, "@M+0Y-1" the same month a year before. Units: D day, N night, W week, M month, Y year.
_PLACEHOLDER = regex.compile(r"@(?P<unit>[DNWMY])(?P<off>[+-]\d+)(?P<tail>(?:-\d{2}){0,2})"
                         r"(?:Y(?P<yoff>[+-]\d+))?(?P<pod>T[A-Z]{2})?")
# A value that fixes a calendar year, month or day ("2019", "2019-03", "2019-03-03T10:00").
_ANCHOR = regex.compile(r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?(?=$|T)")
# "The same period of last year": "@S" year offset, or "=" a year given with it ("@S-1", "@S=2014").
_SAME_PERIOD = regex.compile(r"@S(?:(?P<off>[+-]\d+)|=(?P<year>\d{4}))")
# A value naming a part of a year (a half, quarter, season or month): "2015-H1", "2015-07". A day or a
# week is no period to compare with: "the same period of last year" after one is the year.
_PART_OF_YEAR = regex.compile(r"(?P<y>\d{4})(?P<part>-(?:H[12]|Q[1-4]|SP|SU|FA|WI|\d{2}))$")
_GRAIN_NEEDED = {"D": 3, "N": 3, "W": 3, "M": 2, "Y": 1}
_UNKNOWN = {"D": "XXXX-XX-XX", "N": "XXXX-XX-XXTNI", "W": "XXXX-WXX", "M": "XXXX-XX", "Y": "XXXX"}


def anaphoric_value(unit: str, offset: int, tail: str = "", year_offset: int | None = None) -> str:
    """The placeholder for ``offset`` units from the anchor (``tail``: "-MM" or "-MM-DD" after a
    year, for a month or day of the anchor's year; ``year_offset``: that many years from it, for
    'the same month of the previous year')."""
    return f"@{unit}{offset:+d}{tail}" + (f"Y{year_offset:+d}" if year_offset is not None else "")


def same_period_value(year_offset: int, year: int | None = None) -> str:
    """The placeholder of "the same period" ``year_offset`` years from the one last named, or of
    the year given with it ("الفترة ذاتها من العام الماضي 2014")."""
    return f"@S={year:04d}" if year is not None else f"@S{year_offset:+d}"


def _same_period(m: regex.Match, before: Sequence[str], published: dt.date | None) -> str:
    """The part of the year last named (a half, quarter, month...) in the year of ``m``."""
    part = None
    for v in reversed(before):
        p = _PART_OF_YEAR.match(v)
        if p is not None:
            part = p
            break
    if m.group("year"):
        year = int(m.group("year"))
    elif part is not None:
        year = int(part.group("y")) + int(m.group("off"))
    elif published is not None:
        year = published.year + int(m.group("off"))
    else:
        return "XXXX"
    if not 1 <= year <= 9999:
        return "XXXX"
    return f"{year:04d}" + (part.group("part") if part is not None else "")


def is_anaphoric(value: str) -> bool:
    return value.startswith("@")


def _parts(value: str) -> tuple[int, ...] | None:
    """(year[, month[, day]]) of a value that names a calendar date, else None."""
    m = _ANCHOR.match(value)
    if m is None:
        return None
    return tuple(int(g) for g in (m.group("y"), m.group("m"), m.group("d")) if g)


def resolve(value: str, before: Sequence[str], published: dt.date | None) -> str:
    """The value of a placeholder, counted from the last of ``before`` (values of the expressions
    before it, in text order) that is precise enough, else from ``published``."""
    sp = _SAME_PERIOD.fullmatch(value)
    if sp is not None:
        return _same_period(sp, before, published)
    m = _PLACEHOLDER.fullmatch(value)
    if m is None:
        return value
    unit, off, tail, pod = m.group("unit"), int(m.group("off")), m.group("tail"), m.group("pod") or ""
    yoff = int(m.group("yoff") or 0)
    need = _GRAIN_NEEDED[unit]
    base: tuple[int, ...] | None = None
    for v in reversed(before):
        p = _parts(v)
        if p is not None and len(p) >= need:
            base = p
            break
    if base is None and published is not None:
        base = (published.year, published.month, published.day)
    if base is None:
        return (_UNKNOWN[unit] + pod) if not tail else "XXXX" + tail
    try:
        if unit == "Y":
            year = base[0] + off
            return f"{year:04d}{tail}" if 1 <= year <= 9999 else "XXXX" + tail
        if unit == "M":
            k = (base[0] + yoff) * 12 + base[1] - 1 + off
            return f"{k // 12:04d}-{k % 12 + 1:02d}" if 12 <= k < 120000 else "XXXX-XX"
        day = dt.date(base[0] + yoff, *base[1:3])
        if unit == "W":
            y, w, _ = (day + dt.timedelta(weeks=off)).isocalendar()
            return f"{y:04d}-W{w:02d}"
        day += dt.timedelta(days=off)
    except (ValueError, OverflowError):  # an invalid anchor or off the calendar: unknown
        return _UNKNOWN[unit] + pod
    return day.isoformat() + ("TNI" if unit == "N" else pod)
