"""Common words that are never a name on their own (لي 'to me', التقرير 'the report'), from
``data/generic_words.json``; the entities and quotes stages consult them, and the corpus views
leave speakers named only by them unranked."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .clitics import CONJUNCTIONS
from .text.normalize import normalize

_CONJ = CONJUNCTIONS  # the conjunctions 'and', 'so'
_ART = "ال"  # the definite article


@dataclass(frozen=True)
class GenericWords:
    """Normalised forms: pronoun-like words, generic nouns, and the words only the corpus views
    leave unranked (anonymous sources such as مراقبون 'observers')."""

    pronouns: frozenset[str]
    nouns: frozenset[str]
    unranked: frozenset[str] = frozenset()

    def _of(self, norm_word: str, group: frozenset[str]) -> bool:
        return norm_word in group or (norm_word[:1] in _CONJ and norm_word[1:] in group)

    def is_pronoun(self, norm_word: str) -> bool:
        return self._of(norm_word, self.pronouns)

    def is_noun(self, norm_word: str) -> bool:
        return self._of(norm_word, self.nouns)

    def is_generic(self, norm_words: tuple[str, ...]) -> bool:
        """Is a phrase (normalised words) one common word, which cannot name an entity by itself?"""
        return len(norm_words) == 1 and (self.is_pronoun(norm_words[0]) or self.is_noun(norm_words[0]))

    def names_no_one(self, norm_word: str) -> bool:
        """Is one word, with or without conjunction and article, in any group (a speaker's name made
        only of such words is ranked by no corpus view)?"""
        groups = (self.pronouns, self.nouns, self.unranked)
        w = norm_word[1:] if norm_word[:1] in _CONJ and len(norm_word) > 2 else norm_word
        forms = {norm_word, w} | {f[len(_ART):] for f in (norm_word, w) if f.startswith(_ART)}
        return any(f in g or _ART + f in g for f in forms for g in groups)

    def head(self, norm_word: str) -> str:
        """A generic noun without conjunction and article (الوزاره -> وزاره), to find its antecedent."""
        w = norm_word[1:] if norm_word[:1] in _CONJ and norm_word[1:] in self.nouns else norm_word
        return w[len(_ART):] if w.startswith(_ART) else w


@lru_cache(maxsize=1)
def load_generic_words() -> GenericWords:
    path = resources.files("khabar.data").joinpath("generic_words.json")
    raw = json.loads(path.read_text(encoding="utf-8"))

    def forms(group: str) -> frozenset[str]:
        return frozenset(normalize(w).text for w in raw[group]["forms"])

    return GenericWords(forms("pronouns"), forms("generic_nouns"), forms("unranked"))
