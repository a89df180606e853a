"""Time expressions: recognise Arabic dates, times, durations and sets, normalise them TIMEX3-style.

Matching runs on the normalised text (``khabar.analysis.text.normalize``) with patterns built from the
lexicon in ``data/time.json``; every span is mapped back to the original text. Values are resolved
against the publication date: a weekday is the most recent such day on or before it unless the
clause looks future (a future verb, "next", "tomorrow"), a month without a year is the nearest one
(in the direction of the tense when there is one), Hijri dates are converted to Gregorian with the
Umm al-Qura calendar (``hijridate``). Without a publication date relative expressions keep ``X``
placeholders instead of a guess.

The stage is split by concern: ``timex_lexicon`` (the word tables from ``data/time.json``),
``timex_recognize`` (patterns, rules and filters that find the spans), ``timex_normalize`` (a span's
TIMEX3 value) beside ``timex_anchors`` (values counted from an earlier date). This module is the
pipeline stage and re-exports the public names.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from ..model import Document, Timex
from .timex_lexicon import Lexicon, Numbers, load_lexicon
from .timex_normalize import (
    DayMonth,
    Handler,
    day_month_reader,
    gregorian_to_hijri,
    hijri_to_gregorian,
    parse_published,
)
from .timex_recognize import TimexTagger

__all__ = [
    "DayMonth", "Handler", "Lexicon", "Numbers", "TimexStage", "TimexTagger", "day_month_reader",
    "default_tagger", "extract_timexes", "gregorian_to_hijri", "hijri_to_gregorian", "load_lexicon",
    "parse_published",
]


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
