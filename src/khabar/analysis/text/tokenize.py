"""Tokenisation that separates punctuation and numbers and exposes Arabic clitics.

Clitic segmentation is a light, rule-based analysis (no lexicon): proclitics و ف (and),
ب ك ل (prepositions), س (future, before an imperfect-verb prefix) and the article ال, and
the pronoun suffixes. It is conservative (a stem keeps at least three letters) and is
offered as candidate segments: stages that know better (NER, the KB) choose whether to use
a token's stem or the whole word.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ...model import Token
from .normalize import INVISIBLE_CLASS, fold

_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u0640"
# Invisible format characters (ZWSP, ZWNJ, RLM, word joiner, soft hyphen...) between two letters
# are part of the word (its norm drops them); elsewhere they are no token at all.
_LETTER = rf"(?:[^\W\d_]|[{_MARKS}])"
_TOKEN_RE = re.compile(
    rf"(?P<num>\d+(?:[.,٫٬]\d+)*%?)"  # numbers, Arabic-Indic digits included
    rf"|(?P<word>{_LETTER}(?:{_LETTER}|[{INVISIBLE_CLASS}]+(?={_LETTER}))*)"
    rf"|(?P<punct>(?P<mark>(?![{INVISIBLE_CLASS}])[^\w\s])(?P=mark)*)"  # a run of the same mark is one token
    r"|(?P<other>_+)"
)

# Normalised forms (see normalize.py): alef variants are bare ا, taa marbuta is ه.
_CONJ = "وف"  # and, so
_PREP = "بكل"  # with/in, like, for/to
_FUTURE = "س"  # future marker, only before imperfect prefixes
_IMPERFECT = "يتنا"  # imperfect-verb prefixes (أ normalised to ا)
_SUFFIXES = ("هما", "كما", "هم", "هن", "كم", "كن", "نا", "ها", "ني", "ه", "ك")
_MIN_STEM = 3


@lru_cache(maxsize=200_000)
def clitic_pieces(raw: str, norm: str) -> tuple[tuple[int, int, str], ...]:
    """Candidate clitic pieces ``(start, end, kind)`` of one word, offsets relative to it."""
    if len(raw) != len(norm) or len(norm) <= _MIN_STEM or not "\u0621" <= norm[0] <= "\u064a":
        return ()  # words with diacritics keep their form unsplit (offsets would not align 1:1)
    i = 0
    pieces: list[tuple[int, int, str]] = []
    if norm[i] in _CONJ and len(norm) - i - 1 >= _MIN_STEM:
        pieces.append((i, i + 1, "prefix"))
        i += 1
    if norm[i] in _PREP and len(norm) - i - 1 >= _MIN_STEM:
        if norm[i] == "ل" and norm.startswith("ل", i + 1) and len(norm) - i - 2 >= _MIN_STEM - 1:
            pieces.append((i, i + 1, "prefix"))  # لل = ل + (ا)ل
            pieces.append((i + 1, i + 2, "prefix"))
            i += 2
        elif norm.startswith("ال", i + 1) and len(norm) - i - 3 >= _MIN_STEM - 1:
            pieces.append((i, i + 1, "prefix"))
            i += 1
    elif norm[i] == _FUTURE and len(norm) > i + 1 and norm[i + 1] in _IMPERFECT and len(norm) - i - 1 >= _MIN_STEM + 1:
        pieces.append((i, i + 1, "prefix"))
        i += 1
    if norm.startswith("ال", i) and len(norm) - i - 2 >= _MIN_STEM - 1:
        pieces.append((i, i + 2, "prefix"))
        i += 2
    end = len(norm)
    if not any(k == "prefix" and norm[a:b] == "ال" for a, b, k in pieces):  # no suffix after the article
        for suf in _SUFFIXES:
            if raw.endswith(suf, i) and end - len(suf) - i >= _MIN_STEM:  # raw: ة is not the pronoun ه
                end -= len(suf)
                break
    if not pieces and end == len(norm):
        return ()
    pieces.append((i, end, "stem"))
    if end < len(norm):
        pieces.append((end, len(norm), "suffix"))
    return tuple(pieces)


_fold_word = lru_cache(maxsize=200_000)(fold)  # news vocabulary repeats: fold each word once


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of ``text[start:end]`` with offsets into ``text``."""
    end = len(text) if end is None else end
    tokens: list[Token] = []
    for m in _TOKEN_RE.finditer(text, start, end):
        raw = m.group()
        tokens.append(Token(m.start(), m.end(), raw, _fold_word(raw)))
    return tokens
