"""Tokenisation that separates punctuation and numbers and exposes Arabic clitics.

Clitic segmentation is a light, rule-based analysis (no lexicon): proclitics و ف (and),
ب ك ل (prepositions), س (future, before an imperfect-verb prefix) and the article ال, and
the pronoun suffixes. It is conservative (a stem keeps at least three letters) and is
offered as candidate segments: stages that know better (NER, the KB) choose whether to use
a token's stem or the whole word.
"""

from __future__ import annotations

import re
from dataclasses import fields
from functools import lru_cache

from ...model import Token

# clitic_pieces lives in khabar.analysis.clitics (behind Token.segments); re-exported for its callers.
from ..clitics import clitic_pieces
from .normalize import INVISIBLE_CLASS, fold

__all__ = ["clitic_pieces", "tokenize"]

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

_fold_word = lru_cache(maxsize=200_000)(fold)  # news vocabulary repeats: fold each word once

# Token is a frozen dataclass, whose __init__ sets each field through object.__setattr__; one Token
# is made per word of every article, so tokenize fills the four slots directly, a quarter faster
# (tests/test_text.py checks that the tokens equal those the constructor makes).
_FIELDS = ("start", "end", "text", "norm")
assert tuple(f.name for f in fields(Token)) == _FIELDS, "tokenize fills Token's fields by name"
_new_token = object.__new__
_set_start, _set_end, _set_text, _set_norm = (getattr(Token, f).__set__ for f in _FIELDS)


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of ``text[start:end]`` with offsets into ``text``."""
    end = len(text) if end is None else end
    tokens: list[Token] = []
    for m in _TOKEN_RE.finditer(text, start, end):
        raw = m.group()
        tok = _new_token(Token)
        _set_start(tok, m.start())
        _set_end(tok, m.end())
        _set_text(tok, raw)
        _set_norm(tok, _fold_word(raw))
        tokens.append(tok)
    return tokens
