"""News outlets and agencies named in an article (issue 14/15): "وكالة الأناضول", "CNN",
"في تصريح لموزاييك", "لـ«اليوم السابع»", "بيت لحم- معا-".

The names are language data (``data/outlets.json``): forms that name an outlet wherever they
stand, and ``weak`` forms that are also ordinary words ("الغد" 'tomorrow', "البيان" 'the
statement'), read as the outlet only with evidence: a cue word before them ("صحيفة", "وكالة"),
quotation marks around them, or the delimiters of a dateline or credit ("- معا -", "(السوداني)").
Outlets with a KB record are left to the KB. The entities stage turns the spans found here into
ORG mentions (no I/O here besides loading the packaged file).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..model import Token
from .clitics import CONJUNCTIONS
from .text import tokenize

_CONJ = CONJUNCTIONS  # و 'and', ف 'so'
_QUOTES = frozenset({'"', "'", "«", "»", "“", "”"})
_OPENERS = frozenset({"(", "[", "/", "-", "–", "—", "--"})  # before a credit: "(السوداني)", "- معا -"
_CLOSERS = frozenset({")", "]", "/", "-", "–", "—", "--", ":", "."})

Forms = Callable[[Token], Sequence[tuple[str, int, str]]]


@dataclass(frozen=True, slots=True)
class Outlets:
    """Forms (normalised words; Latin ones lower-cased) -> (English name, weak)."""

    forms: dict[tuple[str, ...], tuple[str, bool]]
    prefixes: frozenset[tuple[str, ...]]
    cue_words: frozenset[str]

    @property
    def first_words(self) -> frozenset[str]:
        """The first words of the forms (what a reading must be to start an outlet's name)."""
        return frozenset(k[0] for k in self.forms if k)


def _words(text: str) -> tuple[str, ...]:
    return tuple(t.norm.lower() for t in tokenize(text))


@lru_cache(maxsize=1)
def load_outlets() -> Outlets:
    raw = json.loads(resources.files("khabar.data").joinpath("outlets.json").read_text(encoding="utf-8"))
    forms: dict[tuple[str, ...], tuple[str, bool]] = {}
    for o in raw["outlets"]:
        for group, weak in (("ar", False), ("latin", False), ("weak", True)):
            for form in o.get(group, ()):
                forms.setdefault(_words(form), (o["en"], weak))
    prefixes = frozenset(k[:n] for k in forms for n in range(1, len(k)))
    return Outlets(forms, prefixes, frozenset(w for c in raw["cue_words"] for w in _words(c)))


@dataclass(frozen=True, slots=True)
class OutletSpan:
    """An outlet named at tokens ``[i, j)`` (the first from char offset ``off``); ``cued``: a cue
    word, quotation marks or credit delimiters confirm it."""

    i: int
    j: int
    off: int
    key: tuple[str, ...]
    en: str
    cued: bool


def find_outlets(toks: Sequence[Token], forms: Forms, may_start: Callable[[str], bool] | None = None) -> list[OutletSpan]:
    """Outlet names in one sentence: strong forms anywhere, weak ones with evidence.

    ``may_start``, for speed: False for a normalised word none of whose readings (``forms``),
    lower-cased, is the first word of an outlet's form (``Outlets.first_words``); such a word is
    passed by without reading it.
    """
    data = load_outlets()
    out: list[OutletSpan] = []
    n, i = len(toks), 0
    while i < n:
        norm = toks[i].norm
        if may_start is not None and not may_start(norm):
            i += 1
            continue
        best = None
        readings = forms(toks[i]) if norm.isalpha() else ((norm, 0, ""),)
        for form, off, chain in readings:
            key, k, found = (form.lower(),), i + 1, None
            while True:
                if key in data.forms:
                    found = (k, key)
                if key not in data.prefixes or k >= n:
                    break
                key, k = key + (toks[k].norm.lower(),), k + 1
            if found and (best is None or found[0] > best[0]):
                best = (found[0], found[1], off, chain)
        if best is None:
            i += 1
            continue
        j, key, off, chain = best
        en, weak = data.forms[key]
        cued = _cued(toks, i, j, chain, data.cue_words)
        if cued or not weak:
            out.append(OutletSpan(i, j, off, key, en, cued))
            i = j
        else:
            i += 1
    return out


def _cued(toks: Sequence[Token], i: int, j: int, chain: str, cue_words: frozenset[str]) -> bool:
    """Is the name at ``[i, j)`` (read after the proclitics ``chain``) marked as an outlet's?"""
    prev = toks[i - 1].norm if i else ""
    nxt = toks[j].norm if j < len(toks) else ""
    if prev in _QUOTES and nxt in _QUOTES:
        return True  # «اليوم السابع», لـ"الغد"
    if not chain and prev in _OPENERS and (nxt in _CLOSERS or j == len(toks)):
        return True  # a credit: "(السوداني)", "- معا -", "/ بنا /"
    cue = prev[1:] if prev[:1] in _CONJ and prev[1:] in cue_words else prev
    return cue in cue_words


__all__ = ["OutletSpan", "Outlets", "find_outlets", "load_outlets"]
