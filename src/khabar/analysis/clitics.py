"""Arabic clitics: the one home of the proclitic/suffix data and of the ways khabar strips them.

The letters live in ``data/clitics.toml``. Words are in normalised spelling. Four strippers, which
differ on purpose because their callers need different things (each says why):

- :func:`clitic_pieces`: one conservative segmentation with offsets (``Token.segments``, the
  corpus search index, summary word keys): a stem keeps at least three letters, ب/ك/ل only
  come off before the article, so a word always gets the same single analysis;
- :func:`strip_proclitics`: the NER features choose among every proclitic sequence by corpus
  frequency ("وزير", minister, is not و + زير; "وموسكو" is و + Moscow);
- :func:`clitic_forms`: name matching strips conjunction/preposition chains but keeps the
  article ("الشيك", the cheque, is not the name "شيك");
- :func:`variants`: every candidate form, for lexicon lookups that want recall (event
  triggers), where the lexicon itself filters the wrong ones.

This module is imported by ``khabar.model`` (behind ``Token.segments``), so it imports no khabar
module: it sits directly under ``khabar.analysis``, whose ``__init__`` loads nothing, rather than
under ``analysis/text``, whose ``__init__`` imports the tokenizer (which imports the model).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from importlib import resources

_DATA = tomllib.loads(resources.files("khabar.data").joinpath("clitics.toml").read_text(encoding="utf-8"))

CONJUNCTIONS: tuple[str, ...] = tuple(_DATA["conjunctions"])  # و ف: and, so
PREPOSITIONS: tuple[str, ...] = tuple(_DATA["prepositions"])  # ب ك ل: with/in, like, for/to
ARTICLE: str = _DATA["article"]  # ال: the
FUTURE: str = _DATA["future"]  # س: will
IMPERFECT_PREFIXES: tuple[str, ...] = tuple(_DATA["imperfect_prefixes"])
SUFFIXES: tuple[str, ...] = tuple(sorted(_DATA["suffixes"], key=len, reverse=True))  # longest first
LI_ARTICLE: str = _DATA["li_article"]  # لل: ل + (ا)ل, "for the"
_LIL, _LAM, _ALEF = LI_ARTICLE, LI_ARTICLE[0], ARTICLE[0]


def chains(prepositions: Iterable[str] = PREPOSITIONS) -> tuple[str, ...]:
    """Conjunction and/or preposition chains ("وب", "ول", "و", "ب", ...), longest first: what may
    stand before a word that is written the same everywhere else ("وروسيا", "بطاجيكستان")."""
    return tuple(sorted({c + p for c in ("", *CONJUNCTIONS) for p in ("", *prepositions)} - {""},
                        key=lambda c: (-len(c), c)))


CLITIC_CHAINS: tuple[str, ...] = chains()
# Every proclitic sequence, longest first: a chain, optionally the article; لل and its chains.
PROCLITICS: tuple[str, ...] = tuple(sorted({
    c + p + a
    for c in ("", *CONJUNCTIONS)
    for p in ("", *PREPOSITIONS)
    for a in ("", ARTICLE)
} | {c + _LIL for c in ("", *CONJUNCTIONS)} - {""}, key=len, reverse=True))


# --------------------------------------------------------------------------- segmentation

_MIN_STEM = 3  # clitic_pieces: letters a stem keeps
# SUFFIXES grouped by length, longest first: a word ends with at most one suffix of each length.
_SUFFIXES_BY_LENGTH: tuple[tuple[int, frozenset[str]], ...] = tuple(
    (n, frozenset(s for s in SUFFIXES if len(s) == n)) for n in sorted({len(s) for s in SUFFIXES if s}, reverse=True))


@lru_cache(maxsize=200_000)
def clitic_pieces(raw: str, norm: str) -> tuple[tuple[int, int, str], ...]:
    """Candidate clitic pieces ``(start, end, kind)`` of one word, offsets relative to it; kind is
    prefix, stem or suffix. Empty when the word is unsplit."""
    if len(raw) != len(norm) or len(norm) <= _MIN_STEM or not "\u0621" <= norm[0] <= "\u064a":
        return ()  # words with diacritics keep their form unsplit (offsets would not align 1:1)
    i = 0
    pieces: list[tuple[int, int, str]] = []
    if norm[i] in CONJUNCTIONS and len(norm) - i - 1 >= _MIN_STEM:
        pieces.append((i, i + 1, "prefix"))
        i += 1
    if norm[i] in PREPOSITIONS and len(norm) - i - 1 >= _MIN_STEM:
        if norm.startswith(_LIL, i) and len(norm) - i - 2 >= _MIN_STEM - 1:
            pieces.append((i, i + 1, "prefix"))  # لل = ل + (ا)ل
            pieces.append((i + 1, i + 2, "prefix"))
            i += 2
        elif norm.startswith(ARTICLE, i + 1) and len(norm) - i - 3 >= _MIN_STEM - 1:
            pieces.append((i, i + 1, "prefix"))
            i += 1
    elif (norm[i] == FUTURE and len(norm) > i + 1 and norm[i + 1] in IMPERFECT_PREFIXES
          and len(norm) - i - 1 >= _MIN_STEM + 1):
        pieces.append((i, i + 1, "prefix"))
        i += 1
    end = len(norm)
    if norm.startswith(ARTICLE, i) and end - i - 2 >= _MIN_STEM - 1:
        pieces.append((i, i + 2, "prefix"))
        i += 2
    else:  # no suffix after the article
        # The longest suffix (raw: ة is not the pronoun ه) that leaves a stem; one set lookup per
        # length instead of an endswith per suffix (this runs once per new word of every article).
        for n, sufs in _SUFFIXES_BY_LENGTH:
            if end - n - i >= _MIN_STEM and raw[end - n:] in sufs:
                end -= n
                break
    if not pieces and end == len(norm):
        return ()
    pieces.append((i, end, "stem"))
    if end < len(norm):
        pieces.append((end, len(norm), "suffix"))
    return tuple(pieces)


@lru_cache(maxsize=100_000)
def without_prefixes(word: str) -> str:
    """A normalised word without the proclitics :func:`clitic_pieces` finds (suffixes kept): the
    form the corpus search index stores, so that a query word always matches itself."""
    pieces = clitic_pieces(word, word)
    if pieces and pieces[0][2] == "prefix":
        return word[next(a for a, _b, k in pieces if k != "prefix"):]
    return word


# --------------------------------------------------------------------------- NER and names

_MIN_NER_STEM = 2  # strip_proclitics: letters a stem keeps


def strip_proclitics(key: str, proclitics: Sequence[str], count: Callable[[str], int]) -> tuple[str, str]:
    """(proclitics, stem): the stripping whose stem is most frequent by ``count``; the whole word
    when none is more frequent than it. لل + X gives the stem الX (ل + the article)."""
    best, best_count = "", count(key)
    for pre in proclitics:
        if len(key) - len(pre) >= _MIN_NER_STEM and key.startswith(pre):
            rest = key[len(pre):]
            if pre.endswith(_LIL):
                rest = ARTICLE + rest
            c = count(rest)
            if c > best_count:
                best, best_count = pre, c
    if not best:
        return "", key
    rest = key[len(best):]
    return best, (ARTICLE + rest if best.endswith(_LIL) else rest)


def clitic_forms(key: str, min_len: int = 3) -> list[str]:
    """A normalised word without each conjunction/preposition chain it may start with (لل + X
    gives lX, "للبنان", and also الX, "للسعودية"); the article stays, since "الشيك" is not the
    name "شيك"."""
    out = []
    for chain in CLITIC_CHAINS:
        if key.startswith(chain) and len(key) - len(chain) >= min_len:
            rest = key[len(chain):]
            out.append(rest)
            if chain.endswith(_LAM) and rest.startswith(_LAM):
                out.append(_ALEF + rest)
    return out


# --------------------------------------------------------------------------- lexicon lookups

_MIN_LEN = 3  # variants: letters a form keeps


@lru_cache(maxsize=65536)
def variants(norm: str) -> frozenset[str]:
    """Forms of a normalised word with proclitics and a pronoun suffix stripped."""
    out = {norm}
    stage = {norm}
    if len(norm) > _MIN_LEN and norm[0] in CONJUNCTIONS:
        stage.add(norm[1:])
    nxt = set(stage)
    for w in stage:
        if len(w) > _MIN_LEN and w[0] in PREPOSITIONS:
            rest = w[1:]
            nxt.add(rest)
            if w.startswith(_LIL):  # لل = ل + (ا)ل
                nxt.add(_ALEF + rest)
        if len(w) > _MIN_LEN + 1 and w[0] == FUTURE and w[1] in IMPERFECT_PREFIXES:  # future prefix
            nxt.add(w[1:])
    stage = nxt
    nxt = set(stage)
    for w in stage:
        if w.startswith(ARTICLE) and len(w) - 2 >= _MIN_LEN - 1:
            nxt.add(w[2:])
    out |= nxt
    for w in list(nxt):
        for suf in SUFFIXES:
            # With a proclitic stripped too, a one-letter suffix leaves at least four letters:
            # وزارة (ministry) is not و + زار + ه (and visited him).
            least = _MIN_LEN + 1 if w != norm and len(suf) == 1 else _MIN_LEN
            if w.endswith(suf) and len(w) - len(suf) >= least:
                base = w[: -len(suf)]
                out.add(base)
                if base.endswith("ت"):  # taa marbuta written ت before a suffix: زيارته
                    out.add(base[:-1] + "ه")
                break
    return frozenset(out)
