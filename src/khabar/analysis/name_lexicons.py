"""Data-built name lexicons for the entities stage (``data/name_lexicons.json``, made by
``scripts/build_name_lexicons.py`` from label counts of ANERcorp, WikiFANE and NewsFANE):

- organisation head nouns and how often a phrase on them is an organisation's name, read here
  into multi-word names: the head plus its complements ("مجلس التنمية السياحية" the Tourism
  Development Council, "الهيئة العامة للسياحة والتراث" the General Authority for Tourism and
  Heritage, "غرفة فض المنازعات" the Dispute Resolution Chamber);
- words that are almost never a name on their own ("الأمم" 'the nations' outside "الأمم المتحدة");
- words that end a name ("السابق" 'former'), words whose first letter و is not 'and', and the
  first words of place names ("سيدي بوزيد" Sidi Bouzid is a town, not "Sidi" + a patronymic).

No I/O besides loading the packaged file; the reader works on the stage's tokens.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..model import Token
from .text.normalize import normalize

_ART = "ال"  # the definite article
_LIL = "لل"  # the preposition ل 'for, of' + the article
_WAL = "وال"  # the conjunction و 'and' + the article
_CONJ = ("و", "ف")  # and, so
_PREP_ART = ("بال", "كال", "فال", _LIL)  # a preposition (with, like) or so + the article: no construct link
# Feminine adjective endings (normalised): ة, the elative ى/ا ("العليا" 'the supreme')
_FEMININE_ENDS = ("ه", "ي", "ا")
_TANWEEN = frozenset("\u064b\u064c\u064d")  # indefinite endings: not inside a name
_PRONOUN_ENDS = ("ه", "ها", "هم", "هما", "هن", "كم")  # possessive suffixes (raw spelling)
MAX_COMPLEMENTS = 7
MAX_ADJECTIVES = 3  # definite words in a row: more are a description ("... اليميني المتطرف")
STRONG_SHARE = 0.3  # a phrase on a head this often an organisation's name needs one complement


@dataclass(frozen=True, slots=True)
class NameLexicons:
    """``org_heads``: bare head noun -> (share as a name with the article, share without it; None
    where the corpora had too few); ``never_alone``: normalised words."""

    org_heads: dict[str, tuple[float | None, float | None]]
    never_alone: frozenset[str]
    closers: frozenset[str] = frozenset()  # "السابق" (former): ends a name, never continues one
    waw_words: frozenset[str] = frozenset()  # "واشنطن": the first letter و is not 'and'
    place_starts: frozenset[str] = frozenset()  # "سيدي" in "سيدي بوزيد": a place, not a person

    def is_never_alone(self, key: tuple[str, ...]) -> bool:
        """Is a candidate (normalised words, clitics stripped) one word that names nothing alone?"""
        if len(key) != 1:
            return False
        w = key[0]
        return w in self.never_alone or (w[:1] in _CONJ and len(w) > 3 and w[1:] in self.never_alone)


@lru_cache(maxsize=1)
def load_name_lexicons() -> NameLexicons:
    raw = json.loads(resources.files("khabar.data").joinpath("name_lexicons.json").read_text(encoding="utf-8"))
    heads = {w: (v[2], v[3]) for w, v in raw["org_heads"].items()}
    # a closer's feminine form closes too ("البالغ" 'aged' -> "البالغة"), however rare in the corpora
    closers = frozenset(raw["name_closers"]) | {w + "ه" for w in raw["name_closers"] if not w.endswith("ه")}
    return NameLexicons(heads, frozenset(raw["never_alone"]), closers,
                        frozenset(raw["waw_words"]), frozenset(raw["place_starts"]))


# Letters that transcribe the same foreign sound, folded for comparing names (after normalise(),
# which already folds ى/ي, ة/ه and the hamza carriers): g written غ, ج, گ or چ ("سيرغي" = "سيرجي"
# Sergei), v written ڤ or ف, p written پ or ب.
_VARIANTS = str.maketrans({"غ": "ج", "گ": "ج", "چ": "ج", "ڤ": "ف", "پ": "ب"})


def variant_key(key: tuple[str, ...]) -> tuple[str, ...]:
    """A name's normalised words with spelling variants of foreign sounds folded."""
    return tuple(w.translate(_VARIANTS) for w in key)


def bare(form: str) -> str:
    """A head noun without the article ("الهيئه" -> "هيئه")."""
    return form[len(_ART):] if form.startswith(_ART) and len(form) > 4 else form


@lru_cache(maxsize=1)
def _body_heads() -> tuple[frozenset[str], frozenset[str]]:
    """Body nouns (without article) and honorifics ("الفريق" a general's rank, also 'the team')."""
    raw = json.loads(resources.files("khabar.data").joinpath("titles.json").read_text(encoding="utf-8"))
    return (frozenset(bare(normalize(w).text) for w in raw["body_heads"]),
            frozenset(normalize(w).text for w in raw["honorifics"]))


def is_honorific(norm_word: str) -> bool:
    """Is a normalised word an honorific or rank of titles.json ("العقيد" colonel, "الدكتور")?"""
    return norm_word in _body_heads()[1]


def heads_a_body(norm_word: str) -> bool:
    """Does a phrase on this word (normalised, proclitics allowed) name an organisation: is it a
    data-built organisation head ("المجلس" the council) or a body noun of titles.json ("القيادة"
    the command, "الخارجية" the foreign ministry)? A speaker phrase on it is then no person."""
    heads, (bodies, honorifics) = load_name_lexicons().org_heads, _body_heads()
    forms = [norm_word] + ([norm_word[1:]] if norm_word[:1] in _CONJ and len(norm_word) > 3 else [])
    for w in forms:
        if w in honorifics:
            return False
        w = _ART + w[len(_LIL):] if w.startswith(_LIL) and len(w) > 4 else w
        if bare(w) in heads or bare(w) in bodies:
            return True
    return False


def org_name_end(toks: tuple[Token, ...], i: int, form: str, heads: dict[str, tuple[float | None, float | None]],
                 stops: Collection[str], blocked: Callable[[int], bool]) -> int | None:
    """End (token index) of an organisation name that starts with the head ``form`` (token ``i``
    without proclitics), or None.

    Complements: definite words (adjectives, or a genitive after an indefinite head), a genitive
    with ل + article ("للسياحة"), more of them joined by و ("والتراث"), and an indefinite noun in
    a construct chain that ends in a definite one ("صندوق هجرة القرن"). The name ends at the first
    other word, at a word another mention holds (``blocked``), and before "و + head" (the next
    name of a list: "... والغرفة التجارية"). A head whose phrases the corpora seldom label as a
    name ("الحكومة الحالية" 'the current government') needs two complements besides a construct link.
    """
    definite = form.startswith(_ART)
    share = heads.get(bare(form), (None, None))[0 if definite else 1]
    n, k, end, count, run = len(toks), i + 1, None, 0, 0
    prev_definite = definite
    while k < n and count < MAX_COMPLEMENTS and not blocked(k):
        raw, w = toks[k].text, toks[k].norm
        if not w.isalpha() or w in stops or _TANWEEN & set(raw):
            break
        if w.startswith(_ART) and len(w) > 3:
            if definite and not count and form.endswith("ه") and not w.endswith(_FEMININE_ENDS):
                break  # the adjective of a feminine head agrees: "الغرفة التجارية", not "الغرفة الضريح"
            run += 1  # (a definite word takes no possessive: "التحكم" ends in كم, not 'your')
            if run > MAX_ADJECTIVES:
                break
            count, end, prev_definite = count + 1, k + 1, True
        elif w.startswith(_LIL) and len(w) > 4 and count and prev_definite:
            count, end, run = count + 1, k + 1, 0  # "الهيئة العامة للسياحة"
        elif w.startswith(_WAL) and len(w) > 5 and count and prev_definite:
            if bare(w[1:]) in heads:
                break  # "والغرفة التجارية": the next organisation of a list
            count, end, run = count + 1, k + 1, 0  # "للسياحة والتراث"
        elif not prev_definite and not count and w[:1] != "ي" and not raw.endswith(_PRONOUN_ENDS) \
                and not w.startswith(_PREP_ART) \
                and k + 1 < n and toks[k + 1].norm.startswith(_ART) and not blocked(k + 1):
            # (not a verb in the imperfect: "مجلس يضم الأعضاء" 'a council that includes the members')
            count, prev_definite = count + 1, False  # "غرفة فض المنازعات": a construct chain
        else:
            break
        k += 1
    if end is None:
        return None
    chain = int(not definite and end > i + 2 and not toks[i + 1].norm.startswith(_ART))
    if end - i - 1 - chain < (1 if share is not None and share >= STRONG_SHARE else 2):
        return None  # the construct link does not count: "مركز قلب الدفاع" is a player's position
    return end


__all__ = ["NameLexicons", "bare", "heads_a_body", "is_honorific", "load_name_lexicons", "org_name_end", "variant_key"]
