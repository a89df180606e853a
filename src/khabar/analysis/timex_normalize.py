"""Time expressions, normalisation: a span the recogniser found, read in its context, becomes a TIMEX3
type and value. The calendar arithmetic against the publication date (weekdays, nearest month, Hijri
to Gregorian with ``hijridate``), the day-and-month reader, and ``TimexValues``, the rule handlers the
tagger (``timex_recognize``) inherits. Values that count from an earlier date are written as
placeholders (``timex_anchors``). No I/O."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import regex

from .timex_anchors import anaphoric_value, same_period_value
from .timex_lexicon import (
    _VERB_SUFFIXES,
    ARTICLE,
    LAM,
    Lexicon,
    Numbers,
    _key,
    _n,
    _strip_clitics,
    load_lexicon,
)

# --------------------------------------------------------------------------- dates


def parse_published(published: str | None) -> dt.date | None:
    if not published:
        return None
    try:
        return dt.date.fromisoformat(str(published)[:10])
    except ValueError:
        return None


def _d(day: dt.date) -> str:
    return day.isoformat()


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    k = year * 12 + (month - 1) + n
    return k // 12, k % 12 + 1


def _weekday_date(pub: dt.date, wd: int, direction: str) -> dt.date:
    """The weekday ``wd`` (ISO 1..7) relative to ``pub``: 'past' on or before, 'past_strict'
    before, 'future' on or after, 'future_strict' after."""
    if direction.startswith("past"):
        delta = (pub.isoweekday() - wd) % 7
        if delta == 0 and direction == "past_strict":
            delta = 7
        return pub - dt.timedelta(days=delta)
    delta = (wd - pub.isoweekday()) % 7
    if delta == 0 and direction == "future_strict":
        delta = 7
    return pub + dt.timedelta(days=delta)


def _month_year(ref_y: int, ref_m: int, month: int, direction: str | None) -> int:
    """Year of ``month`` nearest to (ref_y, ref_m), or on/after or on/before it for a tense."""
    ref = ref_y * 12 + ref_m
    if direction == "future":
        return ref_y if month >= ref_m else ref_y + 1
    if direction == "future_strict":
        return ref_y if month > ref_m else ref_y + 1
    if direction == "past":
        return ref_y if month <= ref_m else ref_y - 1
    return min((ref_y - 1, ref_y, ref_y + 1), key=lambda y: (abs(y * 12 + month - ref), y))  # a tie: the past


def hijri_to_gregorian(y: int, m: int, d: int) -> dt.date | None:
    """Umm al-Qura conversion; None outside the supported range or for an invalid date."""
    from hijridate import Hijri

    try:
        return dt.date(*Hijri(y, m, d).to_gregorian().datetuple())
    except (ValueError, OverflowError):
        return None


def gregorian_to_hijri(day: dt.date) -> tuple[int, int, int] | None:
    from hijridate import Gregorian

    try:
        h = Gregorian(day.year, day.month, day.day).to_hijri()
    except (ValueError, OverflowError):
        return None
    return h.year, h.month, h.day


def _is_hijri_year(year: int, era: str | None, hijri_era: frozenset[str]) -> bool:
    if era:
        return era in hijri_era
    return 1300 <= year <= 1600


def _duration(n: float | int | None, unit: str) -> str:
    if n is None:
        num = "X"
    elif isinstance(n, float) and not n.is_integer():
        num = f"{n:g}"
    else:
        num = str(int(n))
    if unit == "DE":
        num, unit = (str(int(n) * 10) if n is not None and num != "X" and "." not in num else num), "Y"
    elif unit == "CE":
        num, unit = (str(int(n) * 100) if n is not None and num != "X" and "." not in num else num), "Y"
    if unit in ("H", "MIN", "S"):
        return f"PT{num}{'M' if unit == 'MIN' else unit}"
    return f"P{num}{unit}"


def _shift(pub: dt.date, n: int, unit: str) -> str:
    """Value of the date ``n`` units before ``pub`` (negative n: after), at the unit's grain."""
    if unit in ("Y", "DE", "CE"):
        year = pub.year - n * {"Y": 1, "DE": 10, "CE": 100}[unit]
        if year < 1:
            return "PAST_REF"  # before the common era: no calendar year to give
        if year > 9999:  # past the calendar datetime knows (published 9999-12-31): unknown
            return {"Y": "XXXX", "DE": "XXX", "CE": "XX"}[unit]
    if unit == "Y":
        return f"{pub.year - n:04d}"
    if unit == "DE":
        return str((pub.year - 10 * n) // 10)
    if unit == "CE":
        return str((pub.year - 100 * n) // 100)
    if unit == "M":
        y, m = _add_months(pub.year, pub.month, -n)
        return "PAST_REF" if y < 1 else "XXXX-XX" if y > 9999 else f"{y:04d}-{m:02d}"
    try:
        if unit == "W":
            y, w, _ = (pub - dt.timedelta(weeks=n)).isocalendar()
            return f"{y:04d}-W{w:02d}"
        if unit == "D":
            return _d(pub - dt.timedelta(days=n))
    except OverflowError:  # off the calendar: before year 1 is the past, after 9999 unknown
        return "PAST_REF" if n > 0 else {"W": "XXXX-WXX", "D": "XXXX-XX-XX"}[unit]
    return _d(pub)


def _period_value(pub: dt.date | None, unit: str, offset: int) -> str:
    """Value of 'this/last/next <unit>' relative to ``pub``."""
    if pub is None:
        return {"Y": "XXXX", "M": "XXXX-XX", "W": "XXXX-WXX", "DE": "XXX", "CE": "XX"}.get(unit, "XXXX")
    return _shift(pub, -offset, unit)


# --------------------------------------------------------------------------- context


@dataclass
class _Ctx:
    norm: str
    pub: dt.date | None
    sent_starts: list[int]
    sent_ends: list[int]
    original: str = ""  # the text as given, and where each normalised character came from in it
    offsets: Sequence[int] = ()

    def has_tanween(self, end: int) -> bool:
        """Whether the word ending at normalised ``end`` carries a tanween fatha in the text
        (deleted from the normalised copy): "مساءً"."""
        if not self.original or end == 0 or end > len(self.offsets) - 1:
            return False
        after = self.original[self.offsets[end - 1] + 1:self.offsets[end]]
        return "\u064b" in after

    def is_taa_marbuta(self, pos: int) -> bool:
        """Whether the normalised ه at ``pos`` was a taa marbuta ة in the text (a noun ending,
        never a verb's: normalisation writes both as ه)."""
        if not self.original or pos >= len(self.offsets):
            return True  # unknown: read as the noun ending, as before
        return self.original[self.offsets[pos]] == "\u0629"

    def sentence(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.sent_starts, pos) - 1
        if i < 0:
            return 0, len(self.norm)
        return self.sent_starts[i], self.sent_ends[i]

    def before(self, pos: int, chars: int = 80) -> str:
        s, _ = self.sentence(pos)
        return self.norm[max(s, pos - chars):pos]

    def after(self, pos: int, chars: int = 40) -> str:
        _, e = self.sentence(max(0, pos - 1))
        return self.norm[pos:min(e, pos + chars)]

    def prev_word(self, pos: int) -> str:
        """The word before ``pos`` (empty when punctuation intervenes)."""
        m = _PREV_WORD.search(self.norm, max(0, pos - 30), pos)
        return m.group(1) if m else ""

    def next_word(self, pos: int) -> str:
        """The word after ``pos`` (empty when punctuation intervenes)."""
        m = _NEXT_WORD.match(self.norm, pos, min(len(self.norm), pos + 30))
        return m.group(1) if m else ""

    def clause(self, start: int, end: int, before: int = 60, after: int = 30) -> str:
        """Text around a match, cut at clause punctuation (commas, quotes, brackets)."""
        (a, b), (c, d) = self.clause_spans(start, end, before, after)
        return self.norm[a:b] + " " + self.norm[c:d]

    def clause_spans(self, start: int, end: int, before: int = 60,
                     after: int = 30) -> tuple[tuple[int, int], tuple[int, int]]:
        """``clause`` as two spans of ``norm``: the text before the match and after it."""
        s, _ = self.sentence(start)
        a = max(s, start - before)
        breaks = list(_CLAUSE_BREAK.finditer(self.norm, a, start))
        if breaks:
            a = breaks[-1].end()
        _, e = self.sentence(max(0, end - 1))
        d = min(e, end + after)
        brk = _CLAUSE_BREAK.search(self.norm, end, d)
        if brk:
            d = brk.start()
        return (a, start), (end, d)


_PREV_WORD = regex.compile(r"(\w+)[^\S\n]*$")
_NEXT_WORD = regex.compile(r"[^\S\n]*(\w+)")
_CLAUSE_BREAK = regex.compile(r"[\u060c,\u061b;:\"'()\[\]\u00ab\u00bb\u201c\u201d.!?\u061f\n]")
_QUOTED = regex.compile(r"[\"'\u00ab\u201c]\w+[\"'\u00bb\u201d]")
_WORDS = regex.compile(r"\w+")

Handler = Callable[[regex.Match, _Ctx], "tuple[str, str] | None"]


class DayMonth:
    """Reads a day and a month at the start of normalised words ("السادس من أكتوبر", "15 مايو",
    "العاشر من رمضان"): the name of a place after مدينة/شارع (khabar.analysis.places). Cheap to build."""

    def __init__(self, lex: Lexicon | None = None) -> None:
        lex = lex or load_lexicon()
        self.num = Numbers(lex)
        self.gmonths = lex.map("months_gregorian")
        self.hmonths = lex.map("months_hijri")
        self.of_words = frozenset(_n(w) for w in lex.words("of"))

    def __call__(self, words: Sequence[str]) -> tuple[int, int, str, int] | None:
        """``(words used, day, calendar "G"|"H", month)``, or None."""
        if not words:
            return None
        first = words[0]
        day = int(first) if first.isdigit() and len(first) <= 2 else (
            self.num.ordinal(first) or self.num.value(first))
        if not day or day > 31:
            return None
        k = 1
        if k < len(words) and words[k] in self.of_words:
            k += 1  # "من" 'of'
        for n in (2, 1):  # "كانون الثاني", "ربيع الأول" before "أكتوبر"
            name = _key(" ".join(words[k:k + n]))
            if len(words) >= k + n and name in self.hmonths:
                return k + n, day, "H", self.hmonths[name]
            if len(words) >= k + n and name in self.gmonths:
                return k + n, day, "G", self.gmonths[name]
        return None


@lru_cache(maxsize=1)
def day_month_reader() -> DayMonth:
    return DayMonth()


class TimexValues:
    """The rule handlers of ``TimexTagger`` (their subclass): each reads a span its pattern found, in
    its context, and gives its type and value, or None when the context says it is no time expression.
    They use the word tables and patterns the tagger builds in its ``__init__``."""

    # ---------------------------------------------------------------- context
    def _tense(self, m: regex.Match, ctx: _Ctx) -> str | None:
        """'future' when the clause around the match has a future marker, else None. After the
        match the clause ends at a complement's أن/إن 'that': "أعلن الأحد أن الاجتماع سيعقد" is a
        past Sunday."""
        (a, b), (c, d) = ctx.clause_spans(m.start("t"), m.end("t"))
        for w in _WORDS.finditer(ctx.norm, c, d):
            if w.group() in self.clause_openers:
                d = w.start()
                break
        for lo, hi in ((a, b), (c, d)):
            for w in ctx.norm[lo:hi].split():
                w = w.strip(".,،؛:!?\"'()")
                bare = w[1:] if w[:1] in ("\u0648", "\u0641") else w  # strip و/ف "and"
                if w in self.future_markers or bare in self.future_markers:
                    return "future"
            if any(p.search(ctx.norm, lo, hi) for p in self._future_phrases):
                return "future"
            for fm in self._future_re.finditer(ctx.norm, lo, hi):
                word = fm.group("w")
                if word in self.future_stop or (word.endswith(self.noun_endings)
                                                and (word[-1] != "\u0647" or ctx.is_taa_marbuta(fm.end("w") - 1))):
                    continue  # a noun or name that starts like a future verb (سيطرة، سنيا، سيارات)
                return "future"
        return None

    def _pod_code(self, m: regex.Match, *groups: str) -> str | None:
        for g in groups:
            v = m.group(g) if g in m.re.groupindex else None
            if v:
                k = _key(v)
                return self.pod.get(k) or self.pod_adv.get(k)
        return None

    # ---------------------------------------------------------------- handlers
    def _dayref(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        pub = ctx.pub
        wd = self.weekdays.get(_key(m.group("wd"))) if m.group("wd") else None
        rel = self.reldays.get(_key(m.group("rel"))) if m.group("rel") else None
        start, end = m.start("t"), m.end("t")
        if wd is None and rel is None:
            return None
        if wd is not None and rel is None and not m.group("yom") and not m.group("pod"):
            prev = ctx.prev_word(m.start())
            if _strip_clitics(prev, self.wd_block) in self.wd_block:
                return None
            if ctx.next_word(end) in self.wd_block_after:
                return None  # "اللاعبون الأحد عشر" 'the eleven players'
            if " ".join(_WORDS.findall(ctx.after(end, 14))[:2]) in self.wd_block_after_phrases:
                return None  # "مستوى الاثنين في المائة" 'the two per cent level'
        if rel is not None and wd is None and m.group("adj"):
            if rel[1] == "NI" and self.rel_adj.get(_key(m.group("adj"))) == -2 and pub is not None:
                return "TIME", f"{_d(pub - dt.timedelta(days=2))}TNI"  # "الليلة قبل الماضية" 'the night before last'
            return None  # "اليوم السابق" is "the day before" (anaphoric), not today
        if rel is not None and not m.group("pod") and wd is None and _key(m.group("rel")) in self.rel_need_pod:
            return None  # "جيل الغد" 'the generation of tomorrow'; "صباح الغد", "غد الأحد" are days
        if rel is not None and wd is None and rel[0] == 0 and not m.group("pod"):  # "today", "tonight"
            if (ctx.next_word(end) in self.today_block_after
                    or ctx.prev_word(m.start()) in self.today_block_before):
                return None
            if _QUOTED.match(ctx.norm, max(0, start - 1)) and start > 0:
                return None  # «اليوم» in quotation marks is the name of a newspaper
            if m.group("clitic") and m.group("clitic")[-1:] in ("\u0644", "\u0628"):
                return None  # لليوم "for the day", باليوم "per day"
        pod = self._pod_code(m, "pod", "poda")
        if rel is not None and rel[1]:
            pod = pod or rel[1]
        if wd is not None:
            if pub is None:
                day_value = f"XXXX-WXX-{wd}"
            else:
                if rel is not None:
                    direction = "past" if rel[0] <= 0 else "future"
                    day = _weekday_date(pub, wd, direction)  # the weekday wins over أمس/غدا
                else:
                    adj = self.rel_adj.get(_key(m.group("adj"))) if m.group("adj") else None
                    if adj is not None and abs(adj) == 2:  # "الأحد قبل الماضي" 'Sunday before last'
                        day = _weekday_date(pub, wd, "past_strict" if adj < 0 else "future_strict")
                        return self._day_result(day + dt.timedelta(weeks=adj // 2), pod)
                    if adj == -1:
                        direction = "past_strict"
                    elif adj == 1:
                        direction = "future_strict"
                    elif self._tense(m, ctx) == "future":
                        direction = "future"
                    else:
                        direction = "past"
                    day = _weekday_date(pub, wd, direction)
                day_value = _d(day)
        else:
            day_value = _d(pub + dt.timedelta(days=rel[0])) if pub else "XXXX-XX-XX"
        if pod:
            return "TIME", f"{day_value}T{pod}"
        return "DATE", day_value

    @staticmethod
    def _day_result(day: dt.date, pod: str | None) -> tuple[str, str]:
        return ("TIME", f"{_d(day)}T{pod}") if pod else ("DATE", _d(day))

    def _month_num(self, name: str) -> tuple[str, int]:
        k = _key(name)
        if k in self.hmonths:
            return "H", self.hmonths[k]
        return "G", self.gmonths[k]

    def _year_of(self, m: regex.Match, g: str = "year", e: str = "era") -> tuple[str, int] | None:
        y = m.group(g) if g in m.re.groupindex else None
        if not y:
            return None
        era = m.group(e)
        year = int(y)
        return ("H" if _is_hijri_year(year, _key(era) if era else None, self.hijri_era) else "G"), year

    def _resolve_month(self, cal: str, month: int, m: regex.Match, ctx: _Ctx) -> tuple[str, int] | None:
        """(calendar, year) of a month named without a year."""
        adj = self.rel_adj.get(_key(m.group("adj"))) if m.group("adj") else None
        direction = {1: "future_strict", -1: "past"}.get(adj) if adj else None
        pub = ctx.pub
        if pub is None:
            return None
        if cal == "G":
            ref_y, ref_m = pub.year, pub.month
        else:
            h = gregorian_to_hijri(pub)
            if h is None:
                return None
            if adj == 0:
                return "H", h[0]
            ref_y, ref_m = h[0], h[1]
        # Without المقبل/الماضي the nearest month: the tense of the clause was tried and misled
        # more often than it helped (a future verb about last month's salaries, nouns read as verbs).
        return cal, _month_year(ref_y, ref_m, month, direction)

    def _date_value(self, cal: str, year: int | None, month: int, day: int | None) -> str:
        if year is None:
            return f"XXXX-{month:02d}" + (f"-{day:02d}" if day else "") if cal == "G" else \
                f"HXXXX-{month:02d}" + (f"-{day:02d}" if day else "")
        if cal == "G":
            if day:
                try:
                    return _d(dt.date(year, month, day))
                except ValueError:
                    return f"{year:04d}-{month:02d}"
            return f"{year:04d}-{month:02d}"
        if day:
            g = hijri_to_gregorian(year, month, day)
            return _d(g) if g else f"H{year}-{month:02d}-{day:02d}"
        return f"H{year}-{month:02d}"

    def _full_date(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        if m.group("dd"):
            day = int(m.group("dd"))
        elif m.group("dord"):
            day = self.num.ordinal(m.group("dord"))
        else:
            day = 1
        if not day or not 1 <= day <= 31:
            return None
        cal, month = self._month_num(m.group("mon"))
        yr = self._year_of(m)
        tail = self._of_year(cal, month, day, m, ctx)
        if tail is not None:
            return "DATE", tail
        if yr is not None:
            ycal, year = yr
            if ycal != cal and m.group("era"):
                return None
        else:
            res = self._resolve_month(cal, month, m, ctx)
            year = res[1] if res else None
        return "DATE", self._date_value(cal, year, month, day)

    def _of_year(self, cal: str, month: int, day: int | None, m: regex.Match, ctx: _Ctx) -> str | None:
        """Value of a Gregorian month (and day) "of the same / the next year" (a placeholder
        counted from the last year given) or "of last year" (from the publication date)."""
        if not m.group("ayear") or cal != "G":
            return None
        tail = f"-{month:02d}" + (f"-{day:02d}" if day else "")
        if m.group("yadj"):
            if ctx.pub is None:
                return "XXXX" + tail
            return self._date_value("G", ctx.pub.year + self.rel_adj[_key(m.group("yadj"))], month, day)
        offset = 0 if m.group("abefore") else self.anaphoric_after[_key(m.group("aafter"))][0]
        return anaphoric_value("Y", offset, tail)

    def _day_of_rel_month(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        day = int(m.group("dd")) if m.group("dd") else self.num.ordinal(m.group("dord"))
        if not day or not 1 <= day <= 31:
            return None
        if m.group("adj"):
            offset = self.rel_adj[_key(m.group("adj"))]
        elif m.group("dem"):
            offset = 0
        else:
            return None
        if ctx.pub is None:
            return "DATE", f"XXXX-XX-{day:02d}"
        y, mo = _add_months(ctx.pub.year, ctx.pub.month, offset)
        return "DATE", self._date_value("G", y, mo, day)

    def _month(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        name = _key(m.group("mon"))
        cal, month = self._month_num(name)
        yr = self._year_of(m)
        if name in self.ambiguous_months and not (m.group("mw") or m.group("mod") or yr or m.group("adj")
                                                  or m.group("ayear")):
            if m.group("clitic") or ctx.prev_word(m.start()) not in self.month_ctx:
                return None  # a clitic may be a letter of another word: باب "door" is not ب + آب
        tail = self._of_year(cal, month, None, m, ctx)
        if tail is not None:
            return "DATE", tail
        if yr is not None:
            year = yr[1]
        else:
            res = self._resolve_month(cal, month, m, ctx)
            year = res[1] if res else None
        return "DATE", self._date_value(cal, year, month, None)

    def _year(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        cal, year = self._year_of(m)  # type: ignore[misc]
        explicit = m.group("yw") or m.group("era") or m.group("mod") or m.group("part")
        if not explicit:
            if not 1900 <= year <= 2099:
                return None
            after = ctx.norm[m.end("t"):m.end("t") + 2]
            if regex.match(r"[.,٫٬]\d|%", after):
                return None
            clitic = m.group("clitic") or ""
            prev = ctx.prev_word(m.start())
            if not (prev in self.year_ctx or clitic.endswith("\u0628")
                    or (clitic == "\u0648" and regex.fullmatch(r"[\u0648]?[12]\d{3}", prev))):
                return None
        if m.group("part") and self._part_blocked(m, ctx):
            return None
        if cal == "H":
            return "DATE", f"H{year}"
        value = str(year)
        if m.group("part"):
            value += self._part_suffix(m)
        return "DATE", value

    def _part_number(self, m: regex.Match) -> tuple[str, int] | None:
        """(code, n) of "الربع الثالث" ('Q', 3), "السداسي الأخير" ('H', 2); None past the last part."""
        code = self.period_parts.get(_key(m.group("part")))
        if code is None:
            return None
        last = {"H": 2, "Q": 4}[code]
        word = _key(m.group("pord"))
        n = last if word in self.part_last else (self.num.ordinal(m.group("pord")) or 1)
        return (code, n) if n <= last else None

    def _part_suffix(self, m: regex.Match) -> str:
        part = self._part_number(m)
        return f"-{part[0]}{part[1]}" if part else ""

    def _part_blocked(self, m: regex.Match, ctx: _Ctx) -> bool:
        """"الفصل الأول من العام الدراسي" is a school term, not a quarter."""
        return ctx.next_word(m.end("t")) in self.part_blockers - self.of_words

    def _economic(self, ctx: _Ctx, pos: int) -> bool:
        """Whether the sentence at ``pos`` is about the economy (figures, profits, growth)."""
        s, e = ctx.sentence(pos)
        if "%" in ctx.norm[s:e]:
            return True
        return any(_strip_clitics(w, self.economic) in self.economic for w in _WORDS.findall(ctx.norm, s, e))

    def _part_alone(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        """"الربع الثالث", "السداسي الأول" without a year: in economic text, the latest such part
        that has begun by the publication date; in a future clause a later part of this year
        (results of a past quarter are often announced in the future tense)."""
        part = self._part_number(m)
        if part is None or ctx.next_word(m.end("t")) in self.part_blockers:
            return None  # "الربع الأول من المباراة" 'the first quarter of the match'
        if not self._economic(ctx, m.start("t")):
            return None
        code, n = part
        if ctx.pub is None:
            return "DATE", f"XXXX-{code}{n}"
        months = 6 if code == "H" else 3
        current = (ctx.pub.month - 1) // months + 1
        year = ctx.pub.year
        if n > current and self._tense(m, ctx) != "future":
            year -= 1
        return "DATE", f"{year:04d}-{code}{n}"

    def _rel_period(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        unit_word = _key(m.group("unit"))
        unit = self.rel_units[unit_word]
        adj_word = _key(m.group("adj")) if m.group("adj") else None
        yr = self._year_of(m)
        if yr is None and self._general(m, ctx):
            return None
        if m.group("part") and self._part_blocked(m, ctx):
            return None
        if adj_word in self.season_current:
            # "the new season" (الموسم) is the current one; "the new year" is ambiguous
            if not unit_word.endswith(_n("موسم")):
                return None
            offset = 0
        elif adj_word is not None:
            offset = self.rel_adj[adj_word]
        elif m.group("dem") or yr is not None:
            offset = 0
        elif (m.group("mod") or m.group("part")) and unit in ("Y", "M", "W"):
            offset = 0  # "منذ بداية العام", "نهاية الشهر", "النصف الأول من العام": the current one
        else:
            return None
        if yr is not None and unit == "Y":
            value = f"H{yr[1]}" if yr[0] == "H" else str(yr[1])
        else:
            value = _period_value(ctx.pub, unit, offset)
        if m.group("part") and unit == "Y" and not value.startswith("H"):
            value += self._part_suffix(m)
        return "DATE", value

    def _rel_plural(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        unit = self.rel_plural[_key(m.group("pl"))]
        adj = self.rel_adj[_key(m.group("adj"))]
        num = m.group("num") or m.group("num0")
        if num:
            n = self._number(num)
            if n is None or unit == "X":
                return None
            return "DURATION", _duration(n, unit)
        if m.group("fill") and unit != "X":
            # "الأيام القليلة المقبلة" 'the coming few days': a vague count, PXD (issue 14)
            return "DURATION", _duration(None, unit)
        return "DATE", {-1: "PAST_REF", 1: "FUTURE_REF"}.get(adj, "PRESENT_REF")

    def _number(self, text: str) -> float | None:
        """Digits ("2.500" with a thousands separator is 2500, "2.5" is 2.5), optionally times a
        number word ("130 ألف" = 130000), or number words."""
        parts = text.split()
        factor = 1
        if len(parts) == 2 and _key(parts[1]) in self.big_numbers:
            factor = self.big_numbers[_key(parts[1])]
            text = parts[0]
        if regex.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", text):
            return int(regex.sub(r"[.,]", "", text)) * factor
        t = text.replace(",", ".")
        if regex.fullmatch(r"\d+(?:\.\d+)?", t):
            v = float(t) * factor
            return int(v) if v.is_integer() else v
        return self.num.value(text)

    def _numeric_date(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        a, b, c = m.group("a"), int(m.group("b")), m.group("c")
        if len(a) == 4 and len(c) <= 2:
            year, month, day = int(a), b, int(c)
        elif len(c) == 4 and len(a) <= 2:
            year, month, day = int(c), b, int(a)
        else:
            return None
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        era = _key(m.group("era")) if m.group("era") else None
        if _is_hijri_year(year, era, self.hijri_era):
            if day > 30:
                return None
            return "DATE", self._date_value("H", year, month, day)
        if not 1800 <= year <= 2200:
            return None
        return "DATE", self._date_value("G", year, month, day)

    def _clock(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        if m.group("h"):
            h = int(m.group("h"))
        else:
            if m.group("bare") and not self._after_clock_context(m, ctx):
                return None
            word = _key(m.group("hw") or m.group("bare"))
            h = int(word) if word.isdigit() else self.clock_hours.get(word)
            if h is None:
                return None
        mi = int(m.group("mi")) if m.group("mi") else 0
        if m.group("frac"):
            frac = _key(m.group("frac"))
            f = self.clock_fracs.get(frac.rstrip("\u0627")) or self.clock_fracs.get(frac)  # ربعا -> ربع
            if f is None:
                return None
            if m.group("minus"):
                h, mi = (h - 1) % 24, 60 - f
            else:
                mi = f
        if not (0 <= h <= 24 and 0 <= mi <= 59):
            return None
        ampm = self.pod_clock.get(_key(m.group("ampm"))) if m.group("ampm") else None
        if ampm == "NIGHT":
            h = 0 if h == 12 else (h + 12 if 5 <= h < 12 else h)  # 10 at night = 22:00, 2 at night = 02:00
        elif (ampm == "PM" and h < 12) or (ampm == "PM12" and 1 <= h <= 5):
            h += 12
        elif ampm == "AM" and h == 12:
            h = 0
        day = "XXXX-XX-XX"
        pub = ctx.pub
        if m.group("rel") and pub:
            day = _d(pub + dt.timedelta(days=self.reldays[_key(m.group("rel"))][0]))
        elif m.group("wd") and pub:
            day = _d(_weekday_date(pub, self.weekdays[_key(m.group("wd"))],
                                   "future" if self._tense(m, ctx) == "future" else "past"))
        return "TIME", f"{day}T{h:02d}:{mi:02d}"

    def _after_clock_context(self, m: regex.Match, ctx: _Ctx) -> bool:
        """An hour in words without الساعة is one after a preposition ("في الخامسة عصرا") or at
        the start of a clause; after a noun it is that noun's ordinal ("الدقيقة الخامسة")."""
        if m.group("clitic"):
            return True  # "بالخامسة"، "وفي": a proclitic is not part of a noun before
        prev = ctx.prev_word(m.start())
        return not prev or _strip_clitics(prev, self.clock_ctx) in self.clock_ctx

    def _noon(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        return "TIME", f"XXXX-XX-XXT{self.noon[_key(m.group('noon'))]}"

    def _anaphoric(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        """"اليوم التالي", "الشهر نفسه", "نفس العام", "العام السابق": a placeholder that
        ``_resolve_anaphora`` counts from the last date given before it."""
        unit, gender = self.anaphoric_units[_key(m.group("unit"))]
        if self._general(m, ctx):
            return None
        offset = 0
        if m.group("aafter"):
            offset, agrees = self.anaphoric_after[_key(m.group("aafter"))]
            if agrees != gender:
                return None  # "تجد اليوم نفسها" 'finds itself today': a reflexive, not 'the same day'
        if ctx.next_word(m.end("t"))[:1] == LAM:
            return None  # "اليوم السابق للحادث" 'the day before the accident' counts from an event
        pod = self._pod_code(m, "pod") if unit == "D" else None
        year_offset = None  # "نفس الشهر من العام الماضي" 'the same month last year'
        if m.group("ayear"):
            if unit not in ("D", "M"):
                return None
            year_offset = (self.rel_adj[_key(m.group("yadj"))] if m.group("yadj")
                           else self.anaphoric_after[_key(m.group("yafter"))][0])
        value = anaphoric_value(unit, offset, year_offset=year_offset) + (f"T{pod}" if pod else "")
        return ("TIME" if unit == "N" or pod else "DATE"), value

    def _decade(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        prev = _strip_clitics(ctx.prev_word(m.start()), self.month_ctx)
        if prev not in self.month_ctx and not (m.group("dec") and m.group("cent")):
            return None  # after a noun it names something: "صندوق هجرة القرن الحادي والعشرين"
        if m.group("cord"):
            n = self.num.ordinal(m.group("cord"))
            if not n or not 1 <= n <= 21:
                return None
            century = n - 1  # the 20th century is the 1900s: TIMEX3 "19"
        elif m.group("adj"):
            if ctx.pub is None:
                return "DATE", "XX"
            century = ctx.pub.year // 100 + self.rel_adj[_key(m.group("adj"))]
        else:
            century = 19
        if not m.group("dec"):
            return "DATE", f"{century:02d}"
        after = _WORDS.findall(ctx.after(m.end("t"), 25))
        if len(after) >= 2 and after[0] in self.of_words and after[1] in self.age_words:
            return None  # "في الثمانينيات من عمره" 'in his eighties'
        if after and after[0] in self.decade_blockers:
            return None  # "الأربعينات المئوية" 'the forties Celsius'
        return "DATE", f"{century:02d}{self.decades[_key(m.group('dec'))]}"

    def _season(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        k = _key(m.group("season"))
        code = self.seasons.get(k) or self.seasons_construct.get(k)
        if code is None:
            return None
        adj = self.rel_adj.get(_key(m.group("adj"))) if m.group("adj") else None
        yr = self._year_of(m)
        if yr is not None:
            return ("DATE", f"{yr[1]:04d}-{code}") if yr[0] == "G" else None
        if m.group("yw"):  # "صيف العام الماضي", "صيف هذا العام": the season of that year
            if adj is None and not m.group("dem"):
                return None
            year = ctx.pub.year + (adj or 0) if ctx.pub else None
            return "DATE", f"{year:04d}-{code}" if year else f"XXXX-{code}"
        if adj is None and not (m.group("dem") or m.group("sw")):
            return None  # a bare season word is often a name ("الربيع العربي")
        if ctx.pub is None:
            return "DATE", f"XXXX-{code}"
        order = ["SP", "SU", "FA", "WI"]
        current = self.season_of_month[ctx.pub.month]
        season_year = ctx.pub.year - (1 if ctx.pub.month < 3 else 0)  # January belongs to last winter
        here, there = order.index(current), order.index(code)
        if adj == -1:
            year = season_year if there < here else season_year - 1
        elif adj == 1:
            year = season_year if there > here else season_year + 1
        else:
            year = season_year
        return "DATE", f"{year:04d}-{code}"

    def _since_point(self, m: regex.Match, ctx: _Ctx, cue: bool = False) -> bool:
        """Whether a count of units after منذ 'since' is a point in the past: right after a verb of
        a single past event ("توفي منذ عامين" 'died two years ago'); otherwise it is how long a
        state has lasted ("يعمل منذ عامين" 'has worked for two years'). With ``cue`` the match
        itself starts with منذ."""
        left = _CLAUSE_BREAK.split(ctx.before(m.start(), 80))[-1].split()
        i = len(left)
        if not cue:
            i -= 1
            while i >= 0 and len(left) - i <= 3 and left[i] in self.approx:
                i -= 1  # "منذ نحو 20 عاما"
            if i < 0 or _strip_clitics(left[i], self.since) not in self.since:
                return False
        if any(self._point_verb(w) for w in left[max(0, i - 2):i]):
            return True
        if i == 0:  # the clause starts with منذ ("ومنذ عامين بدأت ..."): its verb follows the count
            return any(self._point_verb(w) for w in _WORDS.findall(ctx.after(m.end("t"), 30))[:3])
        return False

    def _later(self, m: regex.Match, ctx: _Ctx, unit: str, n: float | int | None) -> str | None:
        """"بعد ذلك بيومين" 'two days later', "قبلها بأسبوع" 'a week before': a placeholder ``n``
        units after (before) the last date given, else None."""
        if (m.group("clitic") or "")[-1:] != "\u0628" or not isinstance(n, int) or unit not in "DWMY":
            return None  # the count takes ب 'by' after the cue
        left = _WORDS.findall(ctx.before(m.start(), 30))[-2:]
        for k in (2, 1):
            sign = self.later_cues.get(" ".join(left[-k:])) if len(left) >= k else None
            if sign is not None:
                return anaphoric_value(unit, sign * n)
        return None

    def _general(self, m: regex.Match, ctx: _Ctx) -> bool:
        """العام after a title or a noun is the adjective 'general': "المدير العام السابق" is 'the
        former director-general', not 'the previous year'."""
        if m.start("unit") != m.start("t"):
            return False  # a word precedes it in the match ("نفس العام", "نهاية العام")
        if _key(m.group("unit")) not in self.year_units:
            return False
        return _strip_clitics(ctx.prev_word(m.start()), self.general_before) in self.general_before

    def _later_one(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        unit = self.units[_key(m.group("unit"))][0]
        if unit not in "DWMY":
            return None
        return "DATE", anaphoric_value(unit, self.later_cues[_key(m.group("lc"))])

    def _point_verb(self, word: str) -> bool:
        """A form of a verb in ``since_point_verbs``: a proclitic و/ف and a subject or object
        suffix (-t, -a, -uu, -ha, -hu) are stripped ("وأطلقتها" -> أطلق)."""
        word = word[1:] if word[:1] in ("\u0648", "\u0641") and len(word) > 3 else word
        for suffix in _VERB_SUFFIXES:
            if word.endswith(suffix) and word[:len(word) - len(suffix)] in self.since_point_verbs:
                return True
        return word in self.since_point_verbs

    def _pod_alone(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        if ctx.prev_word(m.start()) in self.verb_particles:
            return None  # "قد ظهرا" 'the two had appeared': a verb, not 'at noon'
        if _key(m.group("poda")) in self.pod_need_tanween and not ctx.has_tanween(m.end("t")):
            return None  # "مساء الخير" 'good evening'; "مساءً" is 'in the evening'
        return "TIME", f"XXXX-XX-XXT{self.pod_adv[_key(m.group('poda'))]}"

    def _midnight(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        return "TIME", "XXXX-XX-XXT24:00"

    def _duration(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        unit, count = self.units[_key(m.group("unit"))]
        n = self._number(m.group("num"))
        if n is None or n == 0:
            return None
        if n >= 100 and ctx.norm.startswith(ARTICLE, m.start("t")) and not m.group("num")[:1].isdigit():
            return None  # "في المائة عام 2014" is 'per cent, (in) 2014', not a century
        if count == 2:  # "three two-years" does not occur; a number before a dual is a list
            return None
        later = self._later(m, ctx, unit, n)
        if later is not None:
            return "DATE", later
        if m.group("ago") or (isinstance(n, int) and self._since_point(m, ctx)):
            if ctx.pub is None or not isinstance(n, int):
                return "DATE", "PAST_REF" if ctx.pub is None else _shift(ctx.pub, int(n), unit)
            return "DATE", _shift(ctx.pub, n, unit)
        return "DURATION", _duration(n, unit)

    def _duration_one(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        unit, _ = self.units[_key(m.group("unit"))]
        return "DURATION", _duration(1, unit)

    def _duration_standalone(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        word = _key(m.group("unit"))
        if word.startswith(ARTICLE) and word not in self.units:
            word = word[2:]
        if word not in self.units:
            return None
        if _strip_clitics(ctx.prev_word(m.start()), self.name_particles) in self.name_particles:
            return None  # "اللواء محمد أبو قرنين": a family name
        unit, count = self.units[word]
        later = self._later(m, ctx, unit, count)
        if later is not None:
            return "DATE", later
        if count and (ctx.prev_word(m.start()) in self.ago or self._since_point(m, ctx)):
            # "قبل عامين"، "منذ عامين" 'two years ago': the year, not a duration
            return "DATE", _shift(ctx.pub, count, unit) if ctx.pub else "PAST_REF"
        return "DURATION", _duration(count, unit)

    def _duration_cue(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        unit, _ = self.units[_key(m.group("unit"))]
        nxt = ctx.next_word(m.end("t"))
        if nxt.startswith(ARTICLE) and len(nxt) > 3 and nxt not in self.not_construct:
            return None  # a construct: "قبل يوم الزفاف" is "before the wedding day"
        if nxt in self.reldays or nxt in self.weekdays:
            return None  # "منذ يوم أمس" 'since yesterday': the day is named, not counted
        cue = _key(m.group("cue"))
        if cue in self.ago or (cue in self.approx and ctx.prev_word(m.start()) in self.ago) or (
                cue in self.since and self._since_point(m, ctx, cue=True)):
            if ctx.pub is None:
                return "DATE", "PAST_REF"
            return "DATE", _shift(ctx.pub, 1, unit)
        return "DURATION", _duration(1, unit)

    def _duration_whole(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        k = _key(m.group("unit"))
        unit = self.rel_units.get(k) or ("D" if k in {_n("اليوم"), _n("يوم")} else None)  # "the day"
        if unit is None:
            return None
        return "DURATION", _duration(1, unit)

    def _duration_vague(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        unit, _ = self.units[_key(m.group("unit"))]
        clitic = m.group("clitic") or ""
        prev = ctx.prev_word(m.start())
        since = prev in self.since
        if m.group("ago") or (since and not (m.group("q") or m.group("va")) and self._since_point(m, ctx)):
            return "DATE", "PAST_REF"  # "قبل أيام"، "منذ أيام" 'days ago' (but "منذ سنوات طويلة" lasts)
        if not (m.group("q") or m.group("va") or since or clitic.endswith("\u0644")):
            return None
        return "DURATION", _duration(None, unit)

    def _set_adverb(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        return "SET", self.sets_adv[_key(m.group("adv"))]

    def _set_adjective(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        """"جوائز يومية" 'daily prizes', "بشكل شهري" 'monthly': an indefinite adjective after an
        indefinite noun. Before a definite noun the masculine form is a dual construct ("بعد يومي
        الراحة" 'after the two rest days'); after a proclitic or "معظم" it is a noun or a name."""
        if (m.group("clitic") or "")[-1:] in ("\u0628", "\u0644", "\u0643"):
            return None  # "بيومي" is the name Bayoumi, "بفصلي" 'of my dismissal'
        word = _key(m.group("setadj"))
        value = self.set_adjectives[word]
        nxt = ctx.next_word(m.end("t"))
        if nxt.startswith(ARTICLE) or nxt in self.month_words:
            if (word.endswith("\u064a") and " " not in word and value in ("P1D", "P1W", "P1M")
                    and _key(nxt) not in self.weekdays and nxt not in self.month_words):
                return "DURATION", value.replace("1", "2")
            return None  # "يومي الخميس والجمعة": the weekdays are the expressions
        prev = ctx.prev_word(m.start())
        if not prev or prev.startswith(ARTICLE) or prev[:1].isdigit() or prev in self.set_adj_block:
            return None
        return "SET", value

    def _same_period(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        yadj = self.rel_adj[_key(m.group("yadj"))]
        if yadj >= 0:
            return None  # "the same period of this year" is the period itself: left to the year rules
        yr = self._year_of(m)
        if yr is not None and yr[0] != "G":
            return None
        return "DATE", same_period_value(yadj, yr[1] if yr else None)

    def _set_every(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        unit, count = self.units[_key(m.group("unit"))]
        n = self._number(m.group("num")) if m.group("num") else count
        if n is None:
            return None
        return "SET", _duration(n, unit)

    def _set_weekday(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        k = _key(m.group("wd"))
        return "SET", f"XXXX-WXX-{self.weekdays.get(k) or self.weekdays_indef[k]}"

    def _vague(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        return "DATE", self.vague[_key(m.group("vague"))]

    def _vague_phrase(self, value: str) -> Handler:
        def handler(m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
            if value == "TODAY":
                return "DATE", _d(ctx.pub) if ctx.pub else "XXXX-XX-XX"
            return "DATE", value
        return handler

    def _holiday(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        name = _key(m.group("hol"))
        if name in self.holidays:
            specs = [self.holidays[name]]
        else:  # "the Eid": whichever of the two Eids is nearest
            if not (m.group("pod") or m.group("ordc") or m.group("per")):
                if ctx.prev_word(m.start()) not in self.eid_ctx:
                    return None
            specs = [self.holidays[_n("عيد الفطر")], self.holidays[_n("عيد الأضحى")]]  # Eid al-Fitr, al-Adha
        offset = (self.num.ordinal(m.group("ordc")) or 1) - 1 if m.group("ordc") else 0
        pod = self._pod_code(m, "pod")
        yr = self._year_of(m)
        pub = ctx.pub
        day: dt.date | None = None
        if yr is not None:
            cal, year = yr
            spec = specs[0]
            if spec[0] == "H" and cal == "H":
                day = hijri_to_gregorian(year, spec[1], spec[2])
            elif spec[0] == "G" and cal == "G":
                day = dt.date(year, spec[1], spec[2])
        elif pub is not None:
            options: list[dt.date] = []
            h = gregorian_to_hijri(pub)
            for spec in specs:
                for k in (-1, 0, 1):
                    if spec[0] == "H" and h:
                        g = hijri_to_gregorian(h[0] + k, spec[1], spec[2])
                    else:
                        g = dt.date(pub.year + k, spec[1], spec[2]) if spec[0] == "G" else None
                    if g:
                        options.append(g)
            if options:
                day = min(options, key=lambda o: abs((o - pub).days))
        if day is None:
            return ("TIME" if pod else "DATE"), "XXXX-XX-XX" + (f"T{pod}" if pod else "")
        day = day + dt.timedelta(days=offset)
        return ("TIME", f"{_d(day)}T{pod}") if pod else ("DATE", _d(day))
