"""Time expressions, recognition: ``TimexTagger`` builds its patterns from the lexicon
(``timex_lexicon``), runs each rule only around its key words, keeps the longest disjoint candidates,
drops those that name a place, and maps the spans back to the original text; the values come from the
handlers it inherits (``timex_normalize.TimexValues``). No I/O."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex

from .places import load_place_heads
from .text import normalize
from .timex_anchors import is_anaphoric
from .timex_anchors import resolve as resolve_anaphoric
from .timex_lexicon import (
    ARTICLE,
    LAM,
    S0,
    B,
    E,
    Lexicon,
    Numbers,
    P,
    S,
    _alt,
    _key,
    _LexMap,
    _n,
    _strip_clitics,
    _word_re,
    load_lexicon,
)
from .timex_normalize import DayMonth, Handler, TimexValues, _Ctx, _d, _weekday_date, parse_published

# --------------------------------------------------------------------------- candidates


@dataclass(frozen=True, slots=True)
class _Cand:
    start: int  # normalised offsets
    end: int
    type: str
    value: str
    rank: int
    rule: str = ""


_LINE = regex.compile(r"[^\n]+")
# Keys for numbers: any number, a four-digit number, a number before a date or clock separator.
_NUMBER_KEYS = frozenset({"DIGITS", "YEAR", "DATESEP"})
_DATE_SEPARATORS = frozenset("/-.:")
# The keys of a number, by (four digits, a date or clock separator follows): built once, not per number.
_NUMBER_KINDS = {(year, sep): frozenset({"DIGITS"} | ({"YEAR"} if year else set()) | ({"DATESEP"} if sep else set()))
                 for year in (False, True) for sep in (False, True)}
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
    "_part_alone": ("period_parts",),
    "_set_adjective": ("set_adjectives",),
    "_numeric_date": ("DATESEP",),
    "_clock": ("clock_word", "DATESEP", "parts_of_day_after_clock"),
    "_noon": ("noon_phrases",),
    "_anaphoric": ("anaphoric_units",),
    "_same_period": ("period_words",),
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
# What joins two weekdays of one span of days: "السبت والأحد", "ليل الخميس - الجمعة".
_AND_JOIN = regex.compile(r"[^\S\n]*(?:\u0648|[-\u2013/])[^\S\n]*")
_UNANCHORED_CLOCK = regex.compile(r"XXXX-XX-XXT\d")
_FULL_DATE = regex.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR_DIGITS = regex.compile(r"(?<!\d)\d{4}(?!\d)")


class TimexTagger(TimexValues):
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
        self._load_context_words(lex)
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

    def _load_context_words(self, lex: Lexicon) -> None:
        """Word tables that the handlers read around a match: tense, parts of the year, sets."""
        # "على أن يعود": only before an imperfect verb ("أكد على أن ما تم" is 'stressed that')
        imperfect = _n(lex.raw["imperfect_prefixes"])
        self._future_phrases = [regex.compile(f"{B}{_word_re(_n(p))}{S}[{imperfect}]\\w{{2,}}")
                                for p in lex.words("future_phrases")]
        self.clause_openers = lex.set("clause_openers")
        self.plural_rel_adj = lex.map("plural_relative_adjectives")
        self.wd_block_after_phrases = lex.set("weekday_blockers_after_phrases")
        self.part_last = lex.set("period_part_last")
        self.part_blockers = lex.set("period_part_blockers_after")
        self.economic = lex.set("economic_context")
        self.set_adjectives = lex.map("set_adjectives")
        self.set_adj_block = lex.set("set_adjective_blockers_before")
        self.verb_particles = lex.set("verb_particles")
        self.pod_need_tanween = lex.set("parts_of_day_need_tanween")
        self.name_particles = lex.set("name_particles")

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
        PORD = rf"(?:{self.num.ordinal_pattern}|{lx.alt('period_part_last')})"
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
            (rf"(?:(?P<part>{PART}){S}(?P<pord>{PORD}){S}(?:{OF}{S}|\u0644(?=\u0644))?)?(?:(?P<mod>{MOD}){S}(?:{OF}{S})?)?"
             rf"(?:(?P<yw>{YW}){S0})?{year()}", self._year, 4),
            # this/last/next week, month, year, season
            (rf"(?:(?P<part>{PART}){S}(?P<pord>{PORD}){S}(?:{OF}{S}|\u0644(?=\u0644)))?(?:(?P<mod>{MOD}){S}(?:{OF}{S})?)?"
             rf"(?:(?P<dem>{THIS}){S})?(?P<unit>{RELU})(?:{S}(?P<adj>{RELADJ}|{SEASONCUR}))?"
             rf"(?:{S}{year()})?", self._rel_period, 5),
            # a part of the year without the year, in economic text: "الربع الثالث", "السداسي الأول"
            (rf"(?P<part>{PART}){S}(?P<pord>{PORD})", self._part_alone, 5),
            # the past three years, the coming days, recent times; "خمس السنوات المقبلة"
            (rf"(?:(?P<num0>{NUMW}|\d+){S})?(?P<pl>{RELPL})(?:{S}(?:{ARTICLE})?(?P<num>{NUMW}|\d+))?(?:{S}(?P<fill>{PLFILL}))?{S}(?P<adj>{RELADJ})",
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
            # "الفترة ذاتها من العام الماضي" 'the same period of last year' (counted: ``_same_period``)
            (rf"(?:(?P<abefore>{ABEFORE}){S}{lx.alt('period_words')}|{lx.alt('period_words')}{S}{lx.alt('same_period_after')})"
             rf"{S}{OF}{S}(?P<ayear>{AYEAR}){S}(?P<yadj>{RELADJ})(?:{S0}{year()})?", self._same_period, 3),
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
             rf"(?:(?:{ARTICLE}{S0})?(?P<num>\d+(?:[.,]\d+)*(?:{S}{BIG})?){S0}|(?:{ARTICLE})?(?P<num>{NUMW}){S})(?P<unit>{UNIT})",
             self._duration, 3),
            (rf"(?P<unit>{SING1}){S}(?P<one>{ONE})", self._duration_one, 3),
            (rf"(?P<unit>(?:{ARTICLE})?{STANDALONE})(?:{S}{DUALREL})?", self._duration_standalone, 6),
            (rf"(?P<whole>{WHOLE}){S}(?P<unit>{RELU}|{DAYW})", self._duration_whole, 4),
            (rf"(?:(?P<ago>{AGO}){S})?(?:(?P<q>{VQ}){S})?(?P<unit>{PLURAL})(?:{S}(?P<va>{VAFTER}))?",
             self._duration_vague, 6),
            # sets
            (rf"(?P<adv>{SETADV})", self._set_adverb, 5),
            (rf"(?P<setadj>{lx.alt('set_adjectives')})", self._set_adjective, 5),
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
        self._rules_of_words: dict[frozenset[str], frozenset[int]] = {}  # filled by _rule_windows
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
                    e = m.end()
                    sep = norm[e:e + 2].strip()[:1] in _DATE_SEPARATORS
                    out.append((m.start(), e, i, _NUMBER_KINDS[len(w) == 4, sep]))
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
        rules_of = self._rules_of_words
        for s, e, i, words in hits:
            rules = rules_of.get(words)
            if rules is None:  # the rules of a set of key words, worked out once per set
                rules = rules_of[words] = frozenset(r for w in words for r in self._rules_of_key.get(w, ()))
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

    def _coordinated_weekdays(self, chosen: list[_Cand], ctx: _Ctx) -> list[_Cand]:
        """"السبت والأحد", "يومي الخميس والجمعة المقبلين": two weekdays joined by و are days of
        one week, the second after the first. A 'next / last' after the second (also a dual,
        المقبلين) sets the direction of both; a pair whose first day is the publication day or
        later starts from it, a past one ends on the second, on or before the publication date."""
        out: list[_Cand] = []
        for c in chosen:
            prev = out[-1] if out else None
            if (prev is None or ctx.pub is None or c.rule != "_dayref" or prev.rule != "_dayref"
                    or not _FULL_DATE.match(prev.value) or not _FULL_DATE.match(c.value)
                    or not _AND_JOIN.fullmatch(ctx.norm, prev.end, c.start)):
                out.append(c)
                continue
            wd1 = self._named_weekday(ctx.norm[prev.start:prev.end])
            wd2 = self._named_weekday(ctx.norm[c.start:c.end])
            if (wd1 is None or wd2 is None or wd1 == wd2
                    or self._relative_words(ctx.norm[prev.start:prev.end]) > 1):
                out.append(c)  # the first has its own week ("أمس الأربعاء والخميس المقبل")
                continue
            delta = dt.timedelta(days=(wd2 - wd1) % 7)
            sign = self._direction_after(ctx, c)
            first = dt.date.fromisoformat(prev.value[:10])
            if sign > 0 or (sign == 0 and first >= ctx.pub):  # from today on: "today and tomorrow"
                if sign > 0:
                    first = _weekday_date(ctx.pub, wd1, "future_strict")
                second = first + delta
            else:
                second = _weekday_date(ctx.pub, wd2, "past_strict" if sign < 0 else "past")
                first = second - delta
            out[-1] = _Cand(prev.start, prev.end, prev.type, _d(first) + prev.value[10:], prev.rank, prev.rule)
            out.append(_Cand(c.start, c.end, c.type, _d(second) + c.value[10:], c.rank, c.rule))
        return out

    def _relative_words(self, norm_text: str) -> int:
        """How many words of a weekday span say which week it is (أمس، المقبل...), plus one for
        the weekday itself: 1 for a bare weekday."""
        words = [_key(w) for w in norm_text.split()]
        return 1 + sum(1 for w in words if w in self.rel_adj or w in self.reldays)

    def _direction_after(self, ctx: _Ctx, c: _Cand) -> int:
        """+1 / -1 for 'next' / 'last' in the span of ``c`` or right after it (المقبلين), else 0."""
        for w in ctx.norm[c.start:c.end].split():
            if _key(w) in self.rel_adj:
                return self.rel_adj[_key(w)]
        return self.plural_rel_adj.get(ctx.next_word(c.end), 0)

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
        ctx = _Ctx(norm, parse_published(published), starts, ends, text, offs)
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
        chosen = self._coordinated_weekdays(chosen, ctx)
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
