"""Agency credits in an article's text: "الرباط (و م ع) -", "دمشق - سانا -", "/ وام /",
"(د ب أ، أ ف ب)", "فرانس 24/ أ ف ب".

A credit says where the article came from. GUIDELINES counts every named organisation, and the
dev gold tags bylines such as "سبق-" as ORG, so the entities stage types whatever it found in a
credit ORG: the initials "(و م ع)" are never a person or a place. An agency named in running text
("ذكرت وكالة الأنباء السعودية" 'the Saudi Press Agency reported') is not a credit and is an
organisation anyway. The forms are those of ``data/credits.json``, which khabar.monitor.dedup
also reads (one home for the data).

A form counts as a credit only between credit delimiters: an opening bracket, slash or dash (or
the start of its sentence) before it, a closing bracket, slash, dash, colon or full stop (or the end
of its sentence) after it; credits listed together ("د ب أ، أ ف ب") share their delimiters. A short
name in brackets between the agency's full name and the rest of a sentence is a gloss, not a credit.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from ..model import Token
from .text.normalize import fold

_OPENERS = frozenset({"(", "[", "/", "-", "–", "—", "|"})
_CLOSERS = frozenset({")", "]", "/", "-", "–", "—", "|", ":", "."})
_LIST_MARKS = frozenset({"،", ",", "/", "و"})  # between two credits of one group; و = 'and'
_INNER_DOTS = frozenset({"."})  # "و.م.ع": the initials of an acronym written with dots


@lru_cache(maxsize=1)
def credits_data() -> dict:
    """``data/credits.json`` as read, once per process (khabar.monitor.dedup takes its dateline and
    credit-line data from here too)."""
    return json.loads(resources.files("khabar.data").joinpath("credits.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def agency_forms() -> frozenset[tuple[str, ...]]:
    """The agencies' forms as tuples of normalised words ("أ ف ب" -> ("ا", "ف", "ب"))."""
    return frozenset(tuple(re.findall(r"\w+", fold(e["form"]))) for e in credits_data()["agencies"])


def _form_end(toks: tuple[Token, ...], i: int, forms: frozenset[tuple[str, ...]], longest: int) -> int | None:
    """End (token index) of the longest agency form starting at token ``i``, dots between its
    letters skipped; None when none starts there."""
    words: list[str] = []
    best = None
    k = i
    while k < len(toks) and len(words) < longest:
        if words and toks[k].text in _INNER_DOTS and k + 1 < len(toks) and toks[k + 1].norm.isalnum():
            k += 1
            continue
        if not toks[k].norm.isalnum():
            break
        words.append(toks[k].norm)
        k += 1
        if tuple(words) in forms:
            best = k
    return best


def _gloss(toks: tuple[Token, ...], i: int, end: int) -> bool:
    """Is the form an agency's short name in brackets after its full name, within running text
    ("وكالة الأنباء الإيرانية (إرنا) أن ...")? Such a gloss names the source of a report."""
    if not (i >= 2 and toks[i - 1].text == "(" and toks[i - 2].norm.isalnum()):
        return False
    k = end
    while k < len(toks) and toks[k].text != ")":
        k += 1
    return k + 1 < len(toks) and toks[k + 1].text not in _CLOSERS  # not a dateline's dash or colon


@lru_cache(maxsize=1)
def _first_words() -> tuple[frozenset[str], int]:
    """The first words of the agencies' forms, and the most words a form has."""
    forms = agency_forms()
    return frozenset(f[0] for f in forms if f), max(map(len, forms), default=0)


def credit_spans(toks: tuple[Token, ...]) -> list[tuple[int, int]]:
    """Token ranges ``[i, j)`` of the agency credits in one sentence."""
    forms = agency_forms()
    firsts, longest = _first_words()
    out: list[tuple[int, int]] = []
    n, i = len(toks), 0
    while i < n:
        end = _form_end(toks, i, forms, longest) if toks[i].norm in firsts else None
        if end is None:
            i += 1
            continue
        prev = toks[i - 1].text if i else None
        opened = prev is None or prev in _OPENERS or (prev in _LIST_MARKS and bool(out) and out[-1][1] == i - 1)
        nxt = toks[end].text if end < n else None
        closed = nxt is None or nxt in _CLOSERS or (
            nxt in _LIST_MARKS and end + 1 < n and _form_end(toks, end + 1, forms, longest) is not None)
        if opened and closed and not _gloss(toks, i, end):
            out.append((i, end))
            i = end
        else:
            i += 1
    return out


__all__ = ["agency_forms", "credit_spans", "credits_data"]
