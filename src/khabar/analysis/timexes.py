"""Time expressions: recognise Arabic dates, times, durations and sets, normalise them TIMEX3-style.

Matching runs on the normalised text (``khabar.analysis.text.normalize``) with patterns built from the
lexicon in ``data/time.json``; every span is mapped back to the original text. Values are resolved
against the publication date: a weekday is the most recent such day on or before it unless the
clause looks future (a future verb, "next", "tomorrow"), a month without a year is the nearest one
(in the direction of the tense when there is one), Hijri dates are converted to Gregorian with the
Umm al-Qura calendar (``hijridate``). Without a publication date relative expressions keep ``X``
placeholders instead of a guess.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import regex

from ..model import Document, Timex
from .places import load_place_heads
from .text import normalize
from .timex_anchors import anaphoric_value, is_anaphoric
from .timex_anchors import resolve as resolve_anaphoric

# --------------------------------------------------------------------------- lexicon

S = r"[^\S\n]+"  # horizontal white space (an expression never crosses a line)
S0 = r"[^\S\n]*"
B = r"(?<!\w)"
E = r"(?!\w)"
# Proclitics left outside the span: conjunction و/ف, then a preposition ب/ك/ل.
P = r"(?P<clitic>[\u0648\u0641]?(?:[\u0628\u0643\u0644])?)"
ARTICLE = "\u0627\u0644"  # the definite article ال
LAM = "\u0644"  # the preposition ل, which swallows the article's alef (ل + العام -> للعام)


def _n(word: str) -> str:
    return normalize(word).text


def _word_re(word: str) -> str:
    """Regex for one normalised lexicon entry: spaces are any horizontal space; after the
    preposition ل an initial article appears as لل."""
    parts = [regex.escape(p) for p in word.split()]
    if parts and word.startswith(ARTICLE):
        parts[0] = f"(?:{ARTICLE}|(?<={LAM}){LAM})" + regex.escape(word.split()[0][2:])
    return S.join(parts)


def _trie_re(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, factored as a trie (one branch per next character, the
    longer word first), which the regex engine runs much faster than a flat alternation."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        end = "" in node
        branches = [(S if ch == " " else regex.escape(ch)) + emit(child)
                    for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return f"(?:{body})?" if len(branches) > 1 or len(branches[0]) > 1 else f"{body}?"
        return body

    return emit(trie)


def _alt(words: Iterable[str]) -> str:
    """Regex for a word list (normalised); entries with the article also match after ل as لل."""
    uniq = {" ".join(_n(w).split()) for w in words}
    with_article = {w[len(ARTICLE):] for w in uniq if w.startswith(ARTICLE) and len(w) > len(ARTICLE)}
    plain = {w for w in uniq if not (w.startswith(ARTICLE) and len(w) > len(ARTICLE))}
    parts = []
    if with_article:
        parts.append(f"(?:{ARTICLE}|(?<={LAM}){LAM})(?:{_trie_re(with_article)})")
    if plain:
        parts.append(f"(?:{_trie_re(plain)})")
    return "(?:" + "|".join(parts) + ")"


class _LexMap(dict):
    """A lexicon map that also finds an entry written with the article after the preposition ل
    (a match "لموسم" from "للموسم" finds "الموسم")."""

    def _alias(self, key: object) -> object:
        if isinstance(key, str) and key[:1] == LAM and not key.startswith(ARTICLE):
            return ARTICLE + key[1:]
        return None

    def __missing__(self, key: object) -> Any:
        alias = self._alias(key)
        if alias is not None and dict.__contains__(self, alias):
            return dict.__getitem__(self, alias)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or dict.__contains__(self, self._alias(key))

    def get(self, key: object, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


def _norm_map(d: dict[str, Any]) -> _LexMap:
    return _LexMap({_n(k): v for k, v in d.items() if not k.startswith("_")})


def _key(s: str) -> str:
    """Lookup key of a matched string: single spaces, an initial لل read as ال."""
    s = " ".join(s.split())
    if s.startswith(LAM + LAM):
        s = ARTICLE + s[2:]
    return s


@dataclass(frozen=True)
class Lexicon:
    raw: dict[str, Any]

    def words(self, name: str) -> list[str]:
        v = self.raw[name]
        return list(v) if isinstance(v, (list, dict)) else [v]

    def map(self, name: str) -> dict[str, Any]:
        return _norm_map(self.raw[name])

    def set(self, name: str) -> frozenset[str]:
        return frozenset(_n(w) for w in self.words(name))

    def alt(self, *names: str) -> str:
        out: list[str] = []
        for name in names:
            out.extend(self.words(name))
        return _alt(out)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    raw = resources.files("khabar.data").joinpath("time.json").read_text(encoding="utf-8")
    return Lexicon(json.loads(raw))


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


# --------------------------------------------------------------------------- numbers


class Numbers:
    """Arabic number words -> int ("خمسة وعشرين" -> 25, "ثلاثة آلاف" -> 3000)."""

    def __init__(self, lex: Lexicon) -> None:
        self.card = lex.map("cardinals")
        self.compound_only = lex.map("cardinal_compound_only")
        self.teen = lex.set("ones_before_ten")
        self.mult = lex.set("multipliers")
        atoms = _alt(list(lex.raw["cardinals"]))
        compound = _alt(list(lex.raw["cardinal_compound_only"])) + S + _alt(lex.raw["ones_before_ten"])
        self.pattern = f"(?:{compound}|{atoms})(?:{S}\u0648?{S0}(?:{atoms}))*"  # joined by و "and"
        self.ordinals = lex.map("ordinals")
        self.ordinal_tens = lex.map("ordinal_tens")
        self.construct = lex.map("ordinals_construct")
        ords = _alt(list(lex.raw["ordinals"]))
        tens = _alt(list(lex.raw["ordinal_tens"]))
        teen = _alt(lex.raw["ordinal_teen"])
        self.ordinal_pattern = f"(?:{ords}(?:{S}{teen})?(?:{S}\u0648{S0}{tens})?|{tens})"

    def value(self, text: str) -> int | None:
        total, cur = 0, 0
        words = [_key(w) for w in text.split()]
        for i, w in enumerate(words):
            if w[:1] == "\u0648" and w not in self.card and w[1:] in self.card:
                w = w[1:]  # a leading و "and"
            v = self.card.get(w, self.compound_only.get(w))
            if v is None:
                return None
            if w in self.teen and 0 < cur < 10 and i > 0:
                cur += 10
            elif w in self.mult and v == 1000:
                total += (cur or 1) * 1000
                cur = 0
            elif w in self.mult and cur and cur < 10:
                cur *= v
            else:
                cur += v
        return total + cur

    def ordinal(self, text: str) -> int | None:
        words = [_key(w) for w in text.split()]
        val = 0
        for w in words:
            w2 = w[1:] if w.startswith("\u0648") and w[1:] in self.ordinal_tens else w
            if w2 in self.ordinal_tens:
                val += self.ordinal_tens[w2]
            elif w2 in self.ordinals:
                val += self.ordinals[w2]
            elif w2 in self.construct:
                val += self.construct[w2]
            elif w2 in self.teen:  # "ten" in 11th..19th
                val += 10
            else:
                return None
        return val or None


# --------------------------------------------------------------------------- candidates


@dataclass(frozen=True, slots=True)
class _Cand:
    start: int  # normalised offsets
    end: int
    type: str
    value: str
    rank: int
    rule: str = ""



@dataclass
class _Ctx:
    norm: str
    pub: dt.date | None
    sent_starts: list[int]
    sent_ends: list[int]

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
        left = self.before(start, before)
        right = self.after(end, after)
        left = _CLAUSE_BREAK.split(left)[-1]
        right = _CLAUSE_BREAK.split(right)[0]
        return left + " " + right


_PREV_WORD = regex.compile(r"(\w+)[^\S\n]*$")
_NEXT_WORD = regex.compile(r"[^\S\n]*(\w+)")
_CLAUSE_BREAK = regex.compile(r"[\u060c,\u061b;:\"'()\[\]\u00ab\u00bb\u201c\u201d.!?\u061f\n]")

_LINE = regex.compile(r"[^\n]+")
# Keys for numbers: any number, a four-digit number, a number before a date or clock separator.
_NUMBER_KEYS = frozenset({"DIGITS", "YEAR", "DATESEP"})
_DATE_SEPARATORS = frozenset("/-.:")
_TOKEN = regex.compile(r"\d+|[^\W\d_]+")  # digits and letters apart: "3سنوات", "أغسطس2013"
_Hit = tuple[int, int, int, frozenset[str]]  # start, end, chunk index, key words
# How far from a key word a time expression may start or end ("النصف الأول من العام", "غرة شهر
# ربيع الأول 1437 هـ", "الساعة التاسعة والنصف مساء يوم الخميس").
_WINDOW_BEFORE = 64
_WINDOW_AFTER = 96
# Lexicon lists whose words a rule needs (by handler name); rules not listed always run.
_RULE_KEYS: dict[str, tuple[str, ...]] = {
    "_dayref": ("weekdays", "relative_days"),
    "_full_date": ("months_gregorian", "months_hijri"),
    "_month": ("months_gregorian", "months_hijri"),
    "_day_of_rel_month": ("relative_units",),
    "_year": ("YEAR",),
    "_rel_period": ("relative_units",),
    "_rel_plural": ("relative_units_plural",),
    "_numeric_date": ("DATESEP",),
    "_clock": ("clock_word", "DATESEP", "parts_of_day_after_clock"),
    "_noon": ("noon_phrases",),
    "_anaphoric": ("anaphoric_units",),
    "_season": ("seasons", "seasons_construct"),
    "_decade": ("decades", "century_word"),
    "_later_one": ("later_cues",),
    "_midnight": ("midnight",),
    "_pod_alone": ("parts_of_day_alone",),
    "_duration": ("units",),
    "_duration_one": ("units",),
    "_duration_standalone": ("standalone_ok",),
    "_duration_whole": ("whole_cues",),
    "_duration_vague": ("units",),
    "_duration_cue": ("units",),
    "_set_adverb": ("sets_adverbs",),
    "_set_every": ("every",),
    "_set_weekday": ("every",),
    "_vague": ("vague_words",),
    "_holiday": ("holidays", "eid"),
}
_QUOTED = regex.compile(r"[\"'\u00ab\u201c]\w+[\"'\u00bb\u201d]")
_UNANCHORED_CLOCK = regex.compile(r"XXXX-XX-XXT\d")
_FULL_DATE = regex.compile(r"\d{4}-\d{2}-\d{2}")
_WORDS = regex.compile(r"\w+")
_YEAR_DIGITS = regex.compile(r"(?<!\d)\d{4}(?!\d)")

Handler = Callable[[regex.Match, _Ctx], "tuple[str, str] | None"]


# Suffixes of a past-tense verb (normalised): -tuhaa, -tuhu, -t, -aa, -uu, -haa, -hu, -hum.
_VERB_SUFFIXES = ("\u062a\u0647\u0627", "\u062a\u0647", "\u062a\u0627", "\u062a", "\u0627",
                  "\u0648\u0627", "\u0647\u0627", "\u0647\u0645", "\u0647")


def _strip_clitics(word: str, known: frozenset[str]) -> str:
    """``word`` without a proclitic و/ف and then ب/ل/ك when the rest is in ``known`` ("وحتى" ->
    "حتى", "بشارع" -> "شارع")."""
    if word in known:
        return word
    rest = word[1:] if word[:1] in ("\u0648", "\u0641") else word
    if rest in known:
        return rest
    if rest[:1] in ("\u0628", "\u0644", "\u0643") and rest[1:] in known:
        return rest[1:]
    return word


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


class TimexTagger:
    """Finds and normalises time expressions in a text (no I/O, built once)."""

    def __init__(self, lex: Lexicon | None = None) -> None:
        self.lex = lex = lex or load_lexicon()
        self.num = Numbers(lex)
        self.weekdays = lex.map("weekdays")
        self.weekdays_indef = lex.map("weekdays_indefinite")
        self.gmonths = lex.map("months_gregorian")
        self.hmonths = lex.map("months_hijri")
        self.ambiguous_months = lex.set("ambiguous_months")
        self.month_ctx = lex.set("month_context_before")
        self.year_ctx = lex.set("year_context_before")
        self.hijri_era = lex.set("hijri_era")
        self.pod = lex.map("parts_of_day")
        self.pod_adv = lex.map("parts_of_day_adverbs")
        self.pod_clock = lex.map("parts_of_day_after_clock")
        self.reldays = lex.map("relative_days")
        self.rel_adj = lex.map("relative_adjectives")
        self.season_current = lex.set("season_current")
        self.units: dict[str, tuple[str, int | None]] = _LexMap()
        for unit, forms in lex.raw["units"].items():
            for form, count in forms.items():
                self.units[_n(form)] = (unit, count)
        self.rel_units = lex.map("relative_units")
        self.rel_plural = lex.map("relative_units_plural")
        self.period_parts = lex.map("period_parts")
        self.sets_adv = lex.map("sets_adverbs")
        self.vague = lex.map("vague_words")
        self.clock_hours = lex.map("clock_hours")
        self.clock_fracs = lex.map("clock_fractions")
        self.holidays = lex.map("holidays")
        self.wd_block = lex.set("weekday_blockers_before")
        self.wd_block_after = lex.set("weekday_blockers_after")
        self.rel_need_pod = lex.set("relative_days_with_part_of_day")
        self.today_block_after = lex.set("today_blockers_after")
        self.today_block_before = lex.set("today_blockers_before")
        self.eid_ctx = lex.set("eid_context_before")
        self.future_markers = lex.set("future_markers")
        self.future_stop = lex.set("future_prefix_stoplist")
        self.noun_endings = tuple(sorted(lex.set("noun_endings")))
        self.imperfect = _n(lex.raw["imperfect_prefixes"])
        self.future_prefix = _n(lex.raw["future_prefix"])
        self.ago = lex.set("ago")
        self.whole_cues = lex.set("whole_cues")
        self.not_construct = lex.set("not_construct")
        self.approx = lex.set("approximately")
        self.since = lex.set("since")
        self.big_numbers = lex.map("big_number_words")
        self.day_month = DayMonth(lex)
        self.anaphoric_units = lex.map("anaphoric_units")
        self.anaphoric_after = lex.map("anaphoric_after")
        self.anaphoric_before = lex.set("anaphoric_before")
        self.date_name_heads = lex.set("date_name_heads")
        self.seasons = lex.map("seasons")
        self.seasons_construct = lex.map("seasons_construct")
        self.season_of_month = {m: code for code, months in lex.raw["season_months"].items() for m in months}
        self.since_point_verbs = lex.set("since_point_verbs")
        self.later_cues = lex.map("later_cues")
        self.general_before = lex.set("general_before")
        self.year_units = frozenset(_n(w) for w, (u, _) in lex.raw["anaphoric_units"].items() if u == "Y")
        self.clock_ctx = lex.set("clock_context_before")
        self.noon = lex.map("noon_phrases")
        self.decades = lex.map("decades")
        self.age_words = lex.set("age_words")
        self.decade_blockers = lex.set("decade_blockers_after")
        self.of_words = lex.set("of")
        self.month_words = self.gmonths.keys() | self.hmonths.keys()
        self.rules: list[tuple[regex.Pattern, Handler, int]] = []
        self._build()

    # ---------------------------------------------------------------- patterns
    # long: the stage's pattern table, one pattern per case; left whole while the timexes stage is rewritten (issue 14)
    def _build(self) -> None:
        lx = self.lex
        WD = lx.alt("weekdays")
        MON = lx.alt("months_gregorian", "months_hijri")
        GM = lx.alt("months_gregorian")
        PODN = lx.alt("parts_of_day")
        PODA = lx.alt("parts_of_day_adverbs")
        RELDAY = lx.alt("relative_days")
        RELADJ = lx.alt("relative_adjectives")
        HON = lx.alt("month_honorifics")
        THIS = lx.alt("this")
        OF = lx.alt("of")
        DAYW = lx.alt("day_word", "the_day_word")
        MW = lx.alt("month_word")
        YW = lx.alt("year_words")
        ERA = lx.alt("hijri_era", "gregorian_era")
        MOD = lx.alt("period_modifiers")
        PART = lx.alt("period_parts")
        ORD = self.num.ordinal_pattern
        ORDC = lx.alt("ordinals_construct")
        NUMW = self.num.pattern
        FIRST = lx.alt("first_of_month")
        # what may join a weekday and its date: a comma, "الموافق" ("corresponding to")
        self._join = regex.compile(rf"{S0}(?:[,\u060c]{S0})?(?:{lx.alt('corresponding')}{S})?")
        units_all = [w for forms in lx.raw["units"].values() for w in forms]
        UNIT = _alt(units_all)
        plurals = [w for forms in lx.raw["units"].values() for w, c in forms.items() if c is None]
        PLURAL = _alt(plurals)
        singulars_one = [w for forms in lx.raw["units"].values() for w, c in forms.items() if c == 1]
        SING1 = _alt(singulars_one)
        STANDALONE = lx.alt("standalone_ok")
        SING_CUE = lx.alt("singular_after_cue")
        CUES = lx.alt("duration_cues")
        WHOLE = lx.alt("whole_cues")
        RELU = lx.alt("relative_units")
        RELPL = lx.alt("relative_units_plural")
        SEASONCUR = lx.alt("season_current")
        SETADV = lx.alt("sets_adverbs")
        EVERY = lx.alt("every")
        VAGUE = lx.alt("vague_words")
        ONE = lx.alt("one_after_unit")
        VQ = lx.alt("vague_quantities")
        VAFTER = lx.alt("vague_after_plural")
        AGO = lx.alt("ago")
        CLOCK = lx.alt("clock_word")
        CLOCKH = lx.alt("clock_hours")
        FRAC = lx.alt("clock_fractions")
        AND = lx.alt("clock_and")
        MINUS = lx.alt("clock_minus")
        PODC = lx.alt("parts_of_day_after_clock")
        ZONE = lx.alt("clock_zone_after")
        HOL = lx.alt("holidays")
        EID = lx.alt("eid")
        HOLPER = lx.alt("holiday_periods")
        HOLDAYS = lx.alt("holiday_days_word")
        HOLTR = lx.alt("holiday_trailing")
        MIDNIGHT = lx.alt("midnight")
        MONTH_REL = _alt([w for w, u in lx.raw["relative_units"].items() if u == "M"])
        DUALREL = lx.alt("dual_relative_adjectives")
        PLFILL = lx.alt("plural_fillers")
        WDI = lx.alt("weekdays_indefinite")
        APPROX = lx.alt("approximately")
        BIG = lx.alt("big_number_words")
        PODA_ALONE = lx.alt("parts_of_day_alone")
        AUNIT = lx.alt("anaphoric_units")
        AAFTER = lx.alt("anaphoric_after")
        ABEFORE = lx.alt("anaphoric_before")
        AYEAR = _alt([w for w, (u, _) in lx.raw["anaphoric_units"].items() if u == "Y"])
        SEASON = lx.alt("seasons")
        SEASONC = lx.alt("seasons_construct")
        SEASONW = lx.alt("season_word")
        NOON = lx.alt("noon_phrases")
        DECADE = lx.alt("decades")
        LATER = lx.alt("later_cues")
        CENTURY = lx.alt("century_word")

        def year(g: str = "year", e: str = "era") -> str:
            return rf"(?P<{g}>[12]\d{{3}})(?!\d)(?:{S0}(?P<{e}>{ERA}){E})?"

        year_tail = rf"(?:{S0}[,\u060c]?{S0}(?:{OF}{S})?(?:{YW}{S0})?{year()})"
        equiv = rf"(?:{S0}[(/\-\u2013]?{S0}(?P<mon2>{GM}){S0}\)?)"
        # "of the same / the next / last year" after a month: "نوفمبر من العام نفسه"
        ayear_tail = (rf"(?:{S}{OF}{S}(?:(?P<abefore>{ABEFORE}){S}(?P<ayear>{AYEAR})"
                      rf"|(?P<ayear>{AYEAR}){S}(?:(?P<aafter>{AAFTER})|(?P<yadj>{RELADJ}))))")
        rules: list[tuple[str, Handler, int]] = [
            # weekdays and relative days, with a part of the day
            (rf"(?:(?P<pod>{PODN}){S}(?:{OF}{S})?)?"
             rf"(?:(?:(?P<dem>{THIS}){S})?(?P<yom>{DAYW}){S}(?P<wd>{WD})"
             rf"|(?P<rel>{RELDAY})(?:{S}(?:(?P<yom>{DAYW}){S})?(?P<wd>{WD}))?"
             rf"|(?P<wd>{WD}))"
             rf"(?:{S}(?P<adj>{RELADJ}))?(?:{S}(?P<poda>{PODA}))?", self._dayref, 1),
            # full dates: day month [year]
            (rf"(?:(?P<dd>\d{{1,2}})(?:{S}{OF})?(?:{S}{MW})?|(?P<dord>{ORD}){S}(?:{OF}(?:{S}{MW})?|{MW})"
             rf"|(?P<first>{FIRST})(?:{S}{OF})?(?:{S}{MW})?)"
             rf"{S}(?P<mon>{MON}){equiv}?(?:{S}(?P<adj>{RELADJ}|{HON}))?(?:{year_tail}|{ayear_tail})?",
             self._full_date, 2),
            # a day of this/last/next month: "السابع من الشهر الماضي"
            (rf"(?:(?P<dd>\d{{1,2}})|(?P<dord>{ORD})){S}{OF}{S}(?:(?P<dem>{THIS}){S})?(?P<unit>{MONTH_REL})"
             rf"(?:{S}(?P<adj>{RELADJ}))?", self._day_of_rel_month, 2),
            # months: [modifier] [month] name [year]
            (rf"(?:(?P<mod>{MOD}){S}(?:{OF}{S})?)?(?:(?P<mw>{MW}){S})?(?P<mon>{MON}){equiv}?"
             rf"(?:{S}(?P<adj>{RELADJ}|{HON}))?(?:{year_tail}|{ayear_tail})?", self._month, 3),
            # years
            (rf"(?:(?P<part>{PART}){S}(?P<pord>{ORD}){S}(?:{OF}{S}|\u0644(?=\u0644))?)?(?:(?P<mod>{MOD}){S}(?:{OF}{S})?)?"
             rf"(?:(?P<yw>{YW}){S0})?{year()}", self._year, 4),
            # this/last/next week, month, year, season
            (rf"(?:(?P<part>{PART}){S}(?P<pord>{ORD}){S}(?:{OF}{S}|\u0644(?=\u0644))?)?(?:(?P<mod>{MOD}){S}(?:{OF}{S})?)?"
             rf"(?:(?P<dem>{THIS}){S})?(?P<unit>{RELU})(?:{S}(?P<adj>{RELADJ}|{SEASONCUR}))?"
             rf"(?:{S}{year()})?", self._rel_period, 5),
            # the past three years, the coming days, recent times
            (rf"(?P<pl>{RELPL})(?:{S}(?:{ARTICLE})?(?P<num>{NUMW}|\d+))?(?:{S}(?P<fill>{PLFILL}))?{S}(?P<adj>{RELADJ})",
             self._rel_plural, 5),
            # numeric dates 22-9-1436هـ, 1/ 6/ 1428, 2015-07-21
            (rf"(?P<a>\d{{1,4}}){S0}(?P<sep>[/\-.]){S0}(?P<b>\d{{1,2}}){S0}(?P=sep){S0}(?P<c>\d{{1,4}})(?!\d)"
             rf"(?:{S0}(?P<era>{ERA}){E})?", self._numeric_date, 2),
            # clock times
            (rf"(?:{CLOCK}{S}(?:(?:{ARTICLE}{S0})?(?P<h>\d{{1,2}})(?:[:.](?P<mi>\d{{2}}))?|(?P<hw>{CLOCKH}))"
             rf"|(?P<h>\d{{1,2}}):(?P<mi>\d{{2}})(?!\d)"
             # an hour in words without الساعة, only when a part of the day follows: "الثالثة فجرا"
             rf"|(?P<bare>{CLOCKH}|\d{{1,2}}(?![\d:.]))(?=(?:{S}(?:{AND}{S0}{FRAC}|{MINUS}{S0}{FRAC}\u0627?))?{S}(?:{OF}{S})?{PODC}{E}))"
             rf"(?:{S}(?:(?P<and>{AND}){S0}(?P<frac>{FRAC})|(?P<minus>{MINUS}){S0}(?P<frac>{FRAC}\u0627?)))?"
             rf"(?:{S}(?:{OF}{S})?(?P<ampm>{PODC})(?:{S}(?:(?P<rel>{RELDAY})|(?:{DAYW}{S})?(?P<wd>{WD})))?)?"
             rf"(?:{S}(?P<zone>{ZONE}))?", self._clock, 2),
            (rf"(?P<midnight>{MIDNIGHT})", self._midnight, 6),
            (rf"(?P<noon>{NOON})", self._noon, 6),
            # the same / the next / the previous day, month, year: counted from the last date given
            (rf"(?:(?P<pod>{PODN}){S}(?:{OF}{S})?)?"
             rf"(?:(?P<abefore>{ABEFORE}){S}(?P<unit>{AUNIT})|(?P<unit>{AUNIT}){S}(?P<aafter>{AAFTER}))"
             rf"(?:{S}{OF}{S}(?P<ayear>{AYEAR}){S}(?:(?P<yadj>{RELADJ})|(?P<yafter>{AAFTER})))?",
             self._anaphoric, 4),
            # "بعد ذلك بيوم" 'a day later', "قبلها بأسبوع" 'a week before' (counts: ``_later``)
            (rf"(?P<lc>{LATER}){S}\u0628(?P<t>(?P<unit>{SING_CUE}))", self._later_one, 4),
            # decades and centuries: "التسعينيات", "ستينيات القرن الماضي", "القرن التاسع عشر"
            (rf"(?:(?P<dec>{DECADE})(?:{S}(?:{OF}{S})?(?P<cent>{CENTURY}){S}(?:(?P<adj>{RELADJ})|(?P<cord>{ORD})))?"
             rf"|(?P<cent>{CENTURY}){S}(?P<cord>{ORD}))", self._decade, 3),
            # seasons: "صيف 2019", "صيف العام الماضي", "الشتاء المقبل", "هذا الصيف", "فصل الخريف"
            (rf"(?:(?:(?P<dem>{THIS}){S})?(?:(?P<sw>{SEASONW}){S})?(?P<season>{SEASON})(?:{S}(?P<adj>{RELADJ}))?"
             rf"|(?P<season>{SEASONC}){S}(?:(?:(?P<dem>{THIS}){S})?(?P<yw>{YW})(?:{S}(?P<adj>{RELADJ}))?"
             rf"(?:{S0}{year()})?|{year()}))", self._season, 3),
            (rf"(?P<poda>{PODA_ALONE})", self._pod_alone, 7),
            # durations: number + unit, [ago]
            (rf"(?:(?P<ago>{AGO}){S}(?:{APPROX}{S})?)?"
             rf"(?:(?:{ARTICLE}{S0})?(?P<num>\d+(?:[.,]\d+)*(?:{S}{BIG})?){S0}|(?P<num>{NUMW}){S})(?P<unit>{UNIT})",
             self._duration, 3),
            (rf"(?P<unit>{SING1}){S}(?P<one>{ONE})", self._duration_one, 3),
            (rf"(?P<unit>(?:{ARTICLE})?{STANDALONE})(?:{S}{DUALREL})?", self._duration_standalone, 6),
            (rf"(?P<whole>{WHOLE}){S}(?P<unit>{RELU}|{DAYW})", self._duration_whole, 4),
            (rf"(?:(?P<ago>{AGO}){S})?(?:(?P<q>{VQ}){S})?(?P<unit>{PLURAL})(?:{S}(?P<va>{VAFTER}))?",
             self._duration_vague, 6),
            # sets
            (rf"(?P<adv>{SETADV})", self._set_adverb, 5),
            (rf"{EVERY}{S}(?:(?P<num>\d+|{NUMW}){S0})?(?P<unit>{UNIT})", self._set_every, 4),
            (rf"{EVERY}{S}(?:{DAYW}{S})?(?P<wd>{WD}|{WDI})", self._set_weekday, 4),
            # vague references
            (rf"(?P<vague>{VAGUE})", self._vague, 7),
            # holidays
            (rf"(?:(?P<pod>{PODN}){S}(?:{OF}{S})?)?(?:(?P<ordc>{ORDC}|{ORD}){S}{HOLDAYS}{S})?"
             rf"(?:(?P<per>{HOLPER}){S})?(?P<hol>{HOL}|{EID})(?:{S}{HOLTR})?"
             rf"(?:{S}(?:(?P<dem>{THIS}){S}{YW}|(?:{YW}{S0})?{year()}))?", self._holiday, 2),
        ]
        self._key_stop = self.lex.set("key_stopwords")
        keys: dict[str, frozenset[str] | None] = {
            name: self._first_words(*lists) for name, lists in _RULE_KEYS.items()}
        rule_keys: list[frozenset[str] | None] = [keys.get(getattr(h, "__name__", "")) for _, h, _ in rules]
        for phrase, (span, value) in self.lex.map("vague_phrases").items():
            rule_keys.append(frozenset({self._key_word(phrase) or phrase}))
            span = _n(span)
            i = phrase.find(span)
            pre, post = phrase[:i], phrase[i + len(span):]
            pat = (S.join(regex.escape(w) for w in pre.split()) + (S if pre.strip() else "")
                   + f"(?P<t>{_word_re(span)})" + (S if post.strip() else "")
                   + S.join(regex.escape(w) for w in post.split()))
            rules.append((pat, self._vague_phrase(value), 6))
        cue_rule = (rf"{B}(?P<cue>{CUES}){S}{P}(?P<t>(?P<unit>{SING_CUE})){E}", self._duration_cue, 6)
        rule_keys.append(keys["_duration_cue"])
        all_keys = set().union(*(k for k in rule_keys if k)) - _NUMBER_KEYS
        self._rules_of_key: dict[str, list[int]] = {}
        for i, ks in enumerate(rule_keys):
            for k in ks or ():
                self._rules_of_key.setdefault(k, []).append(i)
        self._all_keys = frozenset(all_keys)
        self._key_forms = self._surface_forms(all_keys)
        self.rules = []
        for pat, handler, rank in rules:
            if "(?P<t>" not in pat:
                pat = f"(?P<t>{pat})"
            self.rules.append((regex.compile(f"{B}{P}{pat}{E}", regex.V1), handler, rank))
        self.rules.append((regex.compile(cue_rule[0], regex.V1), cue_rule[1], cue_rule[2]))
        self.rule_keys = rule_keys
        fut = regex.escape(self.future_prefix)
        self._future_re = regex.compile(rf"{B}[\u0648\u0641]?(?P<w>{fut}[{self.imperfect}]\w{{2,7}}){E}")

    def _key_word(self, entry: str) -> str | None:
        """The word of a lexicon entry that a text must contain for the entry to match: the first
        one that is not a common function word ("في الماضي" -> الماضي)."""
        words = _n(entry).split()
        for w in words:
            if w not in self._key_stop:
                return w
        return words[0] if words else None

    def _first_words(self, *lists: str) -> frozenset[str] | None:
        """Key words of the entries of some lexicon lists: a rule runs only around them
        (``DIGITS``: any number)."""
        out: set[str] = set()
        for name in lists:
            if name in _NUMBER_KEYS:
                out.add(name)
                continue
            v = self.lex.raw[name]
            words = [w for forms in v.values() for w in forms] if name == "units" else list(v)
            out.update(k for k in map(self._key_word, words) if k)
        return frozenset(out)

    @staticmethod
    def _surface_forms(keys: Iterable[str]) -> dict[str, frozenset[str]]:
        """Every written form of the key words (with the proclitics و ف ب ك ل, the article, لل
        for ل + the article) -> the key words it stands for, so that finding key words in a text
        is one dictionary lookup per word."""
        forms: dict[str, set[str]] = {}
        clitics = ["", "\u0648", "\u0641"]  # none, و, ف
        preps = ["", "\u0628", "\u0643", "\u0644"]  # none, ب, ك, ل
        for k in keys:
            bare = k[len(ARTICLE):] if k.startswith(ARTICLE) else k
            words = {k, ARTICLE + k, bare}
            for c in clitics:
                for p in preps:
                    for stem in {k, ARTICLE + bare}:
                        forms.setdefault(c + p + stem, set()).update(words)
                forms.setdefault(c + LAM + LAM + bare, set()).update(words)  # لل: ل + the article
        return {f: frozenset(w) for f, w in forms.items()}

    def _key_hits(self, norm: str, chunks: list[tuple[int, int]]) -> list[_Hit]:
        """``(start, end, chunk, key words)`` of every key word (see ``_RULE_KEYS``) in the text."""
        out: list[_Hit] = []
        forms = self._key_forms
        for i, (a, b) in enumerate(chunks):
            for m in _TOKEN.finditer(norm, a, b):
                w = m.group()
                if w[0].isdigit():
                    kinds = {"DIGITS"}
                    if len(w) == 4:
                        kinds.add("YEAR")
                    if norm[m.end():m.end() + 2].strip()[:1] in _DATE_SEPARATORS:
                        kinds.add("DATESEP")
                    out.append((m.start(), m.end(), i, frozenset(kinds)))
                    continue
                words = forms.get(w)
                if words is not None:
                    out.append((m.start(), m.end(), i, words))
        return out

    def _rule_windows(self, norm: str, hits: list[_Hit],
                      chunks: list[tuple[int, int]]) -> dict[int, list[tuple[int, int]]]:
        """For each rule (by index), the stretches of text around the hits of its key words, within
        their sentence, merged."""
        per_rule: dict[int, list[tuple[int, int, int]]] = {}
        for s, e, i, words in hits:
            rules = {r for w in words for r in self._rules_of_key.get(w, ())}
            for r in rules:
                per_rule.setdefault(r, []).append((s, e, i))
        return {r: self._windows(norm, rh, chunks) for r, rh in per_rule.items()}

    @staticmethod
    def _windows(norm: str, hits: list[tuple[int, int, int]],
                 chunks: list[tuple[int, int]]) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for s, e, i in hits:
            lo, hi = chunks[i]
            a, b = max(lo, s - _WINDOW_BEFORE), min(hi, e + _WINDOW_AFTER)
            while b < hi and (norm[b].isalnum() or norm[b] == "_"):
                b += 1  # never cut a word: the pattern's end boundary would match inside it
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], b))
            else:
                out.append((a, b))
        return out

    # ---------------------------------------------------------------- context
    def _tense(self, m: regex.Match, ctx: _Ctx) -> str | None:
        """'future' when the clause around the match has a future marker, else None."""
        window = ctx.clause(m.start("t"), m.end("t"))
        for w in window.split():
            w = w.strip(".,،؛:!?\"'()")
            bare = w[1:] if w[:1] in ("\u0648", "\u0641") else w  # strip و/ف "and"
            if w in self.future_markers or bare in self.future_markers:
                return "future"
        for fm in self._future_re.finditer(window):
            word = fm.group("w")
            if word in self.future_stop or word.endswith(self.noun_endings):
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
        if rel is not None and wd is None and m.group("adj"):
            return None  # "اليوم السابق" is "the day before" (anaphoric), not today
        if rel is not None and not m.group("pod") and _key(m.group("rel")) in self.rel_need_pod:
            return None  # "جيل الغد" 'the generation of tomorrow'; "صباح الغد" is a day
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
        if cal == "H":
            return "DATE", f"H{year}"
        value = str(year)
        if m.group("part"):
            value += self._part_suffix(m)
        return "DATE", value

    def _part_suffix(self, m: regex.Match) -> str:
        code = self.period_parts.get(_key(m.group("part")))
        n = self.num.ordinal(m.group("pord")) or 1
        if (code == "H" and n <= 2) or (code == "Q" and n <= 4):
            return f"-{code}{n}"
        return ""

    def _rel_period(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        unit_word = _key(m.group("unit"))
        unit = self.rel_units[unit_word]
        adj_word = _key(m.group("adj")) if m.group("adj") else None
        yr = self._year_of(m)
        if yr is None and self._general(m, ctx):
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
        if m.group("num"):
            n = self._number(m.group("num"))
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
        return "TIME", f"XXXX-XX-XXT{self.pod_adv[_key(m.group('poda'))]}"

    def _midnight(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        return "TIME", "XXXX-XX-XXT24:00"

    def _duration(self, m: regex.Match, ctx: _Ctx) -> tuple[str, str] | None:
        unit, count = self.units[_key(m.group("unit"))]
        n = self._number(m.group("num"))
        if n is None or n == 0:
            return None
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

    def _merge_weekday_dates(self, chosen: list[_Cand], ctx: _Ctx) -> list[_Cand]:
        """"الأحد 2 أغسطس", "يوم الأربعاء الموافق 6/10/1436هـ": a weekday followed by a full date of
        that weekday is one expression with the date's value (and the weekday's part of the day)."""
        out: list[_Cand] = []
        for c in chosen:
            prev = out[-1] if out else None
            if (prev is not None and prev.rule == "_dayref" and c.type == "DATE"
                    and _FULL_DATE.fullmatch(c.value) and self._join.fullmatch(ctx.norm, prev.end, c.start)):
                wd = self._named_weekday(ctx.norm[prev.start:prev.end])
                if wd is not None and dt.date.fromisoformat(c.value).isoweekday() == wd:
                    pod = prev.value[10:] if prev.type == "TIME" else ""
                    out[-1] = _Cand(prev.start, c.end, "TIME" if pod else "DATE", c.value + pod,
                                    prev.rank, prev.rule)
                    continue
            out.append(c)
        return out

    def _named_weekday(self, norm_text: str) -> int | None:
        for w in norm_text.split():
            k = _key(w)
            if k in self.weekdays:
                return self.weekdays[k]
        return None

    def _anchor_clock_times(self, chosen: list[_Cand], ctx: _Ctx) -> list[_Cand]:
        """A clock time without a day takes the last full date before it in its sentence, else the
        publication date; in a sentence with a recurrence ("daily at nine") it stays unanchored."""
        out: list[_Cand] = []
        for i, c in enumerate(chosen):
            if _UNANCHORED_CLOCK.match(c.value):
                s, e = ctx.sentence(c.start)
                same = [o for o in chosen if s <= o.start < e and o is not c]
                day = None
                if not any(o.type == "SET" for o in same):
                    prior = [o for o in chosen[:i] if s <= o.start and _FULL_DATE.match(o.value)]
                    if prior:
                        day = prior[-1].value[:10]
                    elif ctx.pub is not None:
                        day = _d(ctx.pub)
                if day:
                    c = _Cand(c.start, c.end, c.type, day + c.value[10:], c.rank, c.rule)
            out.append(c)
        return out

    @staticmethod
    def _resolve_anaphora(chosen: list[_Cand], ctx: _Ctx) -> list[_Cand]:
        """Placeholders ("the next day", "the same year") counted from the dates before them."""
        out: list[_Cand] = []
        for c in chosen:
            if is_anaphoric(c.value):
                value = resolve_anaphoric(c.value, [o.value for o in out], ctx.pub)
                if is_anaphoric(value):  # a placeholder the resolver does not know: never leak it
                    value = "XXXX"
                c = _Cand(c.start, c.end, c.type, value, c.rank, c.rule)
            out.append(c)
        return out

    # ---------------------------------------------------------------- places named by a date
    def _names_place(self, norm: str, c: _Cand) -> bool:
        """A day-and-month date right after a place noun (مدينة السادس من أكتوبر) is the
        place's name, not a time expression (data/places.json)."""
        if c.type != "DATE":
            return False
        before = norm[max(0, c.start - 40):c.start].split()
        if not before:
            return False
        if load_place_heads().head(before[-1]) is None:
            # a movement named by a date ("قوى 14 آذار"); with its year it is that date
            if (_strip_clitics(before[-1], self.date_name_heads) not in self.date_name_heads
                    or _YEAR_DIGITS.search(norm, c.start, c.end)):
                return False
        hit = self.day_month(norm[c.start:c.end].split())
        return hit is not None

    # ---------------------------------------------------------------- driver
    def find(self, text: str, published: str | None = None,
             sentences: Sequence[tuple[int, int]] | None = None) -> list[tuple[int, int, str, str]]:
        """``(start, end, type, value)`` of every time expression, offsets into ``text``."""
        nz = normalize(text)
        norm = nz.text
        offs = nz.offsets
        if sentences:
            starts = [bisect.bisect_left(offs, s) for s, _ in sentences]
            ends = [bisect.bisect_left(offs, e) for _, e in sentences]
        else:
            starts, ends = [0], [len(norm)]
        ctx = _Ctx(norm, parse_published(published), starts, ends)
        undated = _Ctx(norm, None, starts, ends)
        cands: list[_Cand] = []
        # Each rule runs only around its key words, within their sentence (or line).
        if sentences:
            chunks = list(zip(starts, ends, strict=True))
        else:
            chunks = [m.span() for m in _LINE.finditer(norm)]
        windows_of = self._rule_windows(norm, self._key_hits(norm, chunks), chunks)
        for r, ((pattern, handler, rank), keys) in enumerate(zip(self.rules, self.rule_keys, strict=True)):
            windows = windows_of.get(r, ()) if keys is not None else chunks
            for a, b in windows:
                for m in pattern.finditer(norm, a, b):
                    if m.start("t") == m.end("t"):
                        continue
                    try:
                        res = handler(m, ctx)
                    except (OverflowError, ValueError):
                        # Date arithmetic ran off the calendar (published 0001-01-01 or 9999-12-31):
                        # the expression stays, its value is unknown (as without a date).
                        res = handler(m, undated)
                    if res is None:
                        continue
                    typ, value = res
                    name = getattr(handler, "__name__", "")
                    cands.append(_Cand(m.start("t"), m.end("t"), typ, value, rank, name))
        cands.sort(key=lambda c: (-(c.end - c.start), c.rank, c.start))
        # chosen spans are disjoint: kept sorted, an overlap can only be with the one starting
        # last before c ends (a bisect, not a scan of all: linear in the text)
        taken_starts: list[int] = []
        taken_ends: list[int] = []
        chosen: list[_Cand] = []
        for c in cands:
            k = bisect.bisect_left(taken_starts, c.end)
            if k and taken_ends[k - 1] > c.start:
                continue
            taken_starts.insert(k, c.start)
            taken_ends.insert(k, c.end)
            chosen.append(c)
        chosen = [c for c in chosen if not self._names_place(norm, c)]
        chosen = self._merge_weekday_dates(sorted(chosen, key=lambda c: c.start), ctx)
        chosen = self._anchor_clock_times(chosen, ctx)
        chosen = self._resolve_anaphora(chosen, ctx)
        out = []
        for c in chosen:
            s, e = nz.span(c.start, c.end)
            if s > 0 and text[s] == LAM and text[s - 1] == LAM:  # include the ل of لل
                s -= 1
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e <= s:
                continue
            if c.value == "PRESENT_REF" and text[s] == "\u0622":  # آلان is the name Alain, not الآن "now"
                continue
            out.append((s, e, c.type, c.value))
        return out


@lru_cache(maxsize=1)
def default_tagger() -> TimexTagger:
    return TimexTagger()


def extract_timexes(text: str, published: str | None = None,
                    sentences: Sequence[tuple[int, int]] | None = None) -> list[Timex]:
    """Time expressions of ``text`` as ``Timex`` records with ids t1, t2, ..."""
    found = default_tagger().find(text, published, sentences)
    return [Timex(f"t{i}", s, e, text[s:e], typ, value) for i, (s, e, typ, value) in enumerate(found, 1)]


class TimexStage:
    """Pipeline stage ``timexes``: fills ``Document.timexes``."""

    name = "timexes"
    reads = frozenset({"text", "sentences", "published"})
    reads_optional: frozenset[str] = frozenset()
    writes = frozenset({"timexes"})

    def __init__(self) -> None:
        self.tagger = default_tagger()

    def __call__(self, doc: Document) -> Document:
        sents = [(s.start, s.end) for s in doc.sentences]
        found = self.tagger.find(doc.text, doc.published, sents)
        timexes = tuple(Timex(f"t{i}", s, e, doc.text[s:e], typ, value)
                        for i, (s, e, typ, value) in enumerate(found, 1))
        return doc.with_(timexes=timexes)
