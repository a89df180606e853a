"""Near-duplicate news texts: the same article republished by another outlet (no I/O here).

Outlets that republish an agency's article add a dateline ("الرياض - واس:") and a credit line
("(رويترز)", "نقلا عن ..."). On a short article those few words weigh enough to push a MinHash
estimate under the threshold, so texts are compared on their words without them
(:func:`article_words`; the forms are language data in ``data/credits.json``), and a candidate
that the MinHash/LSH lookup (khabar.monitor.watch) finds is confirmed on the exact word 3-gram sets
(:func:`same_article`) rather than on the 64-value estimate, whose spread (about +-0.05 at 0.8)
decided borderline cases by chance.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..analysis.credits import agency_forms, credits_data
from ..analysis.text.normalize import fold
from ..settings import CANDIDATE_SIMILARITY, CONTAINED_SHARE, EXTRA_SHINGLES, SAME_ARTICLE_JACCARD

# Words, and the punctuation that delimits datelines and credit lines; other marks are ignored.
_TOKEN_RE = re.compile(r"\w+|[-–—:()\[\].!?؟\n]")  # ؟ is the Arabic question mark
_DELIMS = frozenset("-–—:")
_SENTENCE_END = frozenset(".!?؟\n")


@dataclass(frozen=True, slots=True)
class Credits:
    """Agency names and credit-line openings, each as a tuple of folded words."""

    agencies: frozenset[tuple[str, ...]]
    prefixes: frozenset[tuple[str, ...]]
    max_dateline_words: int
    max_credit_words: int


def _words(form: str) -> tuple[str, ...]:
    return tuple(t for t in _TOKEN_RE.findall(fold(form)) if t[0].isalnum() or t[0] == "_")


@lru_cache(maxsize=1)
def load_credits() -> Credits:
    raw = credits_data()  # one reader of data/credits.json, shared with the entities stage
    return Credits(agency_forms(), frozenset(_words(e["form"]) for e in raw["credit_prefixes"]),
                   int(raw["max_dateline_words"]), int(raw["max_credit_words"]))


def _is_word(tok: str) -> bool:
    return tok[0].isalnum() or tok[0] == "_"


def _agency_at(words: list[str], i: int, credits: Credits) -> int:
    """Length of the agency name starting at ``words[i]`` (the longest), 0 if none."""
    best = 0
    for name in credits.agencies:
        if len(name) > best and tuple(words[i:i + len(name)]) == name:
            best = len(name)
    return best


def _strip_dateline(toks: list[str], credits: Credits) -> list[str]:
    """Drop a leading dateline: a few words (a place, an agency in parentheses) closed by a dash
    or colon before any sentence ends, then an agency name right after it."""
    words = 0
    for i, tok in enumerate(toks):
        if tok in _DELIMS:
            if words == 0 and not any(t == "(" for t in toks[:i]):
                return toks  # a text that opens with a dash: nothing to drop
            toks = toks[i + 1:]
            break
        if tok in _SENTENCE_END or (_is_word(tok) and (words := words + 1) > credits.max_dateline_words):
            return toks
    else:
        return toks
    # "الرياض - واس:" (Riyadh - SPA:): the agency after the place goes too
    j = next((k for k, t in enumerate(toks) if _is_word(t)), None)
    if j is not None and all(t in "()" for t in toks[:j]):
        n = _agency_at(toks, j, credits)
        if n:
            k = j + n
            while k < len(toks) and (toks[k] in _DELIMS or toks[k] in "()"):
                k += 1
            toks = toks[k:]
    return toks


def _strip_credit(toks: list[str], credits: Credits) -> list[str]:
    """Drop a trailing credit: an agency in parentheses or after a dash closing the text, or a
    short last segment (after a sentence end) that is in parentheses, is an agency name, or
    opens like a credit line ("نقلا عن": reported from)."""
    end = len(toks)
    while end and toks[end - 1] in _SENTENCE_END:
        end -= 1
    if end and toks[end - 1] == ")" and "(" in toks[:end]:  # "... (رويترز)" (Reuters)
        open_at = max(i for i in range(end) if toks[i] == "(")
        inner = sum(_is_word(t) for t in toks[open_at + 1:end - 1])
        if 0 < inner <= 4 and any(_is_word(t) for t in toks[:open_at]):
            return toks[:open_at]
    for n in range(1, 5):  # "... - واس" (- SPA)
        if end - n - 1 > 0 and toks[end - n - 1] in _DELIMS and \
                tuple(toks[end - n:end]) in credits.agencies:
            return toks[:end - n - 1]
    start = end
    while start and toks[start - 1] not in _SENTENCE_END:
        start -= 1
    words = [t for t in toks[start:end] if _is_word(t)]
    if start == 0 or not words or len(words) > credits.max_credit_words:
        return toks
    if any(tuple(words[:len(p)]) == p for p in credits.prefixes) or tuple(words) in credits.agencies:
        return toks[:start]
    return toks


def article_words(text: str, folded: str | None = None) -> list[str]:
    """The normalised words of a news text without a leading dateline and a trailing credit
    line (at most one of each, plus a trailing agency in parentheses). ``folded`` is
    ``fold(text)`` when the caller has it already."""
    credits = load_credits()
    toks = _TOKEN_RE.findall(fold(text) if folded is None else folded)
    stripped = _strip_credit(_strip_credit(_strip_dateline(toks, credits), credits), credits)
    words = [t for t in stripped if t[0].isalnum() or t[0] == "_"]  # _is_word, inlined: once per token
    return words or [t for t in toks if _is_word(t)]  # a text that is all credit stays itself


def shingles(text: str, size: int = 3, folded: str | None = None) -> frozenset[str]:
    """Word ``size``-grams of :func:`article_words` (one shingle for a shorter text)."""
    words = article_words(text, folded)
    if len(words) <= size:
        return frozenset((" ".join(words),))
    return frozenset(map(" ".join, zip(*(words[k:] for k in range(size)))))  # the n-grams, without slicing


def same_article(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two shingle sets are one article: Jaccard similarity at least 0.8, or the smaller
    set (nearly) inside the larger one, which has only a dateline's or a credit line's worth more."""
    inter = len(a & b)
    if not inter:
        return False
    small, large = sorted((len(a), len(b)))
    if inter / (small + large - inter) >= SAME_ARTICLE_JACCARD:
        return True
    return inter >= CONTAINED_SHARE * small and large - inter <= EXTRA_SHINGLES


def confirmed_duplicate(text: str, signature: np.ndarray, candidates: Iterable[tuple[str, bytes]],
                        text_of: Callable[[str], str | None], grams: frozenset[str] | None = None) -> str | None:
    """The id of a candidate (id, stored MinHash signature) whose text (``text_of(id)``) is the
    same article as ``text`` (whose :func:`shingles` are ``grams`` when the caller has them); the
    most similar by estimate is tried first."""
    ranked = sorted(((float(np.mean(signature == np.frombuffer(blob, dtype=">u8").astype(np.uint64))), aid)
                     for aid, blob in candidates), reverse=True)
    mine = grams
    for estimate, aid in ranked:
        if estimate < CANDIDATE_SIMILARITY:
            break
        other = text_of(aid)
        if other is None:
            continue
        mine = mine if mine is not None else shingles(text)
        if same_article(mine, shingles(other)):
            return aid
    return None
