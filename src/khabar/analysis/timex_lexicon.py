"""Time expressions, the lexicon: ``data/time.json`` loaded and expanded into the word tables and
regex alternations the recogniser is built from, and the reading of Arabic number words. No I/O beyond
the package data file."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import regex

from .text import normalize

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
        # joined by و "and"; after an article on the first word the others take it too (الأربع والعشرين)
        self.pattern = f"(?:{compound}|{atoms})(?:{S}\u0648?{S0}(?:{ARTICLE})?(?:{atoms}))*"
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
            if w.startswith(ARTICLE) and w not in self.card and w[2:] in self.card:
                w = w[2:]  # the article: "الأربع والعشرين"
            elif w[:3] == "\u0648" + ARTICLE and w[3:] in self.card:
                w = w[3:]
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
