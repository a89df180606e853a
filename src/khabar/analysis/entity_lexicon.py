"""Language data and working types of the entities stage (split from ``entities``, a pure move).

The title lexicon read from ``data/titles.json`` (titles, honorifics, domains, head nouns), the
candidate and title-hit records the stage passes between its steps, the proclitic forms of a
word, and the small word tests (name-like words, organisation heads, role matching) that the
mention and title readers share.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ..model import Token
from .clitics import CLITIC_CHAINS, CONJUNCTIONS
from .kb import KB, KBEntry, Key, key_of, load_kb
from .name_lexicons import bare, load_name_lexicons
from .text import normalize
from .translit import transliterate

_CONJ = CONJUNCTIONS  # and, so
_PREP = ("ب", "ك", "ل")  # with/in, like, for/to

# Preposition + pronoun after a word marks it as a predicate ("معترف بها" = recognised by it).
_PREP_PRONOUNS = frozenset({"بها", "به", "لها", "له", "فيها", "فيه", "عليها", "عليه", "منها", "منه"})
_TANWEEN = frozenset("\u064b\u064c\u064d")  # indefinite endings: a word with them is not part of a name
_DATELINE_MARKS = frozenset({"-", "–", "—", ":", "/"})
_POST_PREPS = frozenset({"في", "لدي"})  # in, at (normalised لدى)
_REGION_NOUNS = frozenset({"منطقه", "محافظه"})  # region, governorate (normalised)
_QUOTE_MARKS = frozenset({'"', "'", "«", "»", "“", "”"})


@dataclass(frozen=True, slots=True)
class TitleSpec:
    role: str
    en: str
    domain: bool = False
    of: bool = False
    needs_qualifier: bool = False
    qualifier: str | None = None  # implied qualifier (ISO code resolved to a KB id)


@dataclass
class Lexicon:
    honorifics: set[Key]
    titles: dict[Key, TitleSpec]
    domains: dict[Key, tuple[str, str]]
    stopwords: frozenset[str]
    connectors: frozenset[str]
    max_title: int
    max_domain: int
    max_honorific: int
    heads: dict[str, str]  # normalised head noun -> entity type
    speech_cues: frozenset[str]  # speech verbs and complementisers around a quoted speaker
    waw_names: frozenset[str]  # names that begin with و (not the conjunction)
    not_names: frozenset[str]  # words a tagger may mark that are not entity names here
    heads_en: dict[str, str]  # head noun -> English pattern ("{} University")
    ministry: frozenset[str]  # "وزارة" (ministry) and its forms
    institutions: dict[Key, str]  # "الحكومة" -> "Government of {}"
    place_heads: frozenset[str]  # "مدينة": the next word is a place name
    skip: frozenset[Key]  # "مجلس إدارة": precedes an organisation name, not part of it
    cue_words: frozenset[str]  # "صحيفة" (newspaper) before an ambiguous alias confirms it
    direct_heads: frozenset[str]
    counterparts: frozenset[str] = frozenset()  # "نظيره" (his counterpart)
    firsts: frozenset[str] = field(init=False)  # first words of titles, honorifics, institutions, skips
    # The scans ask of every word of an article whether one of its readings (``_forms``: the
    # word, or the word less a proclitic chain) is in one of the word lists above: these sets of
    # the words that have such a reading answer it by one probe (built by ``with_proclitics``).
    first_words: frozenset[str] = field(init=False)  # a reading in ``firsts``
    head_words: frozenset[str] = field(init=False)  # a reading in ``heads``
    place_head_words: frozenset[str] = field(init=False)  # a reading in ``place_heads``
    ministry_words: frozenset[str] = field(init=False)  # a reading in ``ministry``
    counterpart_words: frozenset[str] = field(init=False)  # a reading in ``counterparts``
    skip_by_first: dict[str, tuple[Key, ...]] = field(init=False)  # ``skip`` by first word, in set order

    def __post_init__(self) -> None:
        keys = [*self.titles, *self.honorifics, *self.institutions, *self.skip]
        self.firsts = frozenset(k[0] for k in keys if k)
        self.first_words = with_proclitics(self.firsts)
        self.head_words = with_proclitics(self.heads)
        self.place_head_words = with_proclitics(self.place_heads)
        self.ministry_words = with_proclitics(self.ministry)
        self.counterpart_words = with_proclitics(self.counterparts)
        by_first: dict[str, list[Key]] = {}
        for k in self.skip:  # (the scan took the first match in the set's order: kept)
            if k:
                by_first.setdefault(k[0], []).append(k)
        self.skip_by_first = {w: tuple(ks) for w, ks in by_first.items()}


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    raw = json.loads(resources.files("khabar.data").joinpath("titles.json").read_text(encoding="utf-8"))
    kb = load_kb()
    titles: dict[Key, TitleSpec] = {}
    for t in raw["titles"]:
        q = t.get("qualifier")
        q = (kb.by_iso(q).id if kb.by_iso(q) else None) if q else None
        spec = TitleSpec(t["role"], t["en"], bool(t.get("domain")), bool(t.get("of")),
                         bool(t.get("needs_qualifier")), q)
        for ar in t["ar"]:
            titles.setdefault(key_of(ar), spec)
    honor = {key_of(h) for h in raw["honorifics"]}
    # a rank with its complement (اللواء أركان حرب، العميد الركن) is one honorific, never a name
    honor |= {h + key_of(c) for h in list(honor) for c in raw["rank_complements"]}
    domains = {key_of(k): (v[0], v[1]) for k, v in raw["domains"].items()}
    return Lexicon(
        honorifics=honor, titles=titles, domains=domains,
        stopwords=frozenset(w for s in raw["stopwords"] for w in key_of(s)),
        connectors=frozenset(w for s in raw["name_connectors"] for w in key_of(s)),
        max_title=max(len(k) for k in titles), max_domain=max(len(k) for k in domains),
        max_honorific=max(len(k) for k in honor),
        heads={w: typ for typ in ("ORG", "MISC", "LOC") for h in raw["name_heads"][typ] for w in key_of(h)},
        direct_heads=frozenset(w for h in raw["name_heads"]["direct"] for w in key_of(h)),
        speech_cues=frozenset(w for h in raw["speech_cues"] for w in key_of(h)),
        waw_names=frozenset(w for h in raw["waw_initial_names"] for w in key_of(h)),
        not_names=frozenset(w for h in raw["not_names"] for w in key_of(h)),
        skip=frozenset(key_of(h) for h in raw["skip_before_names"]),
        cue_words=frozenset(w for h in raw["cue_words"] for w in key_of(h)),
        place_heads=frozenset(w for h in raw["place_heads"] for w in key_of(h)),
        institutions={key_of(k): v for k, v in raw["institutions"].items() if not k.startswith("_")},
        ministry=frozenset(w for h in raw["ministry_heads"] for w in key_of(h)),
        heads_en={key_of(k)[0]: v for k, v in raw["name_heads_en"].items() if not k.startswith("_")},
        counterparts=frozenset(w for h in raw.get("counterparts", []) for w in key_of(h)),
    )


@dataclass
class Cand:
    """A candidate name mention (character span on the original text)."""

    start: int
    end: int
    i: int  # first token index (within the sentence)
    j: int  # one past the last token index
    sent: int
    type: str
    key: Key  # normalised words, clitics stripped
    source: str  # "tagger" | "kb" | "rule" | "outlet" (a cued outlet: "/ بنا /" is not 'with us')
    kb: KBEntry | None = None
    weak: bool = False  # matched only through an ambiguous alias
    clitic: bool = False  # the token's first letters are a proclitic the span could not leave out
    name_en: str | None = None  # English name built from the parts (head-noun names)


@dataclass
class TitleHit:
    start: int
    end: int
    sent: int
    i: int
    j: int  # token range of the whole title phrase
    role: str
    role_en: str
    qualifier: str | None  # KB id (country/org) or "text:<normalised>" or None
    qualifier_en: str | None
    target: int | None = None  # index into the name candidates it is bound to
    open_end: bool = True  # a name may follow (no place/organisation phrase closes the title)


@dataclass
class _Cluster:
    names: list[Cand] = field(default_factory=list)
    titles: list[TitleHit] = field(default_factory=list)
    kb: KBEntry | None = None
    type: str | None = None


def _forms(tok: Token) -> tuple[tuple[str, int, str], ...]:
    """(normalised form, char offset into the token, stripped chain) for a token, whole form first.

    Stripped forms drop a proclitic chain; for "لل" the article is restored ("للسعودية" ->
    "السعودية") while the span keeps both lams.
    """
    return _word_forms(tok.text, tok.norm)


@lru_cache(maxsize=65536)
def _word_forms(text: str, n: str) -> tuple[tuple[str, int, str], ...]:
    out = [(n, 0, "")]
    # offsets of normalised characters in the word (diacritics make them differ from 1:1)
    offsets = normalize(text).offsets if len(text) != len(n) else range(len(n) + 1)
    for chain in CLITIC_CHAINS:  # "وب", "ول", "و", "ب", ... longest first
        if n.startswith(chain) and len(n) - len(chain) >= 2:
            rest = n[len(chain):]
            if chain.endswith("ل") and rest.startswith("ل") and len(rest) >= 3:
                out.append(("ا" + rest, offsets[len(chain) - 1], chain))  # لل: ل + (ا)ل; the span keeps both
            out.append((rest, offsets[len(chain)], chain))
    return tuple(out)


def with_proclitics(forms: Iterable[str]) -> frozenset[str]:
    """The normalised words that have a reading (``_word_forms``) in ``forms``, so that
    ``norm in with_proclitics(S)`` answers ``any(f in S for f, _o, _c in _forms(tok))`` by one
    probe (a reading depends on the norm alone). The readings of ``_word_forms`` read backwards:
    the form itself; a proclitic chain + a form of two letters or more ("ب" + "جامعه"); a chain
    ending in ل + a form "ال..." of four letters or more less its alef, since ل + ال is written لل
    ("ل" + "الجامعه" -> "للجامعه")."""
    out: set[str] = set()
    for f in forms:
        out.add(f)
        if len(f) >= 2:
            out.update(c + f for c in CLITIC_CHAINS)
        if f.startswith("ال") and len(f) >= 4:
            out.update(c + f[1:] for c in CLITIC_CHAINS if c.endswith("ل"))
    return frozenset(out)


# Word starts that mark a preposition/conjunction + article, not the start of a name.
_NON_NAME_STARTS = ("لل", "بال", "كال", "وال", "فال", "وب", "ول")
# Pronoun suffixes written with ه/هم/ها (the raw word; taa marbuta ة is not one of them).
_PRONOUN_ENDS = ("ه", "ها", "هم", "هما", "هن", "كم")


def _name_like(w: str, lex: Lexicon, kb: KB, raw: str | None = None) -> bool:
    """Could this word be part of a personal or organisation name (no lexicon of common words)?"""
    if not (w.isalpha() and len(w) > 1) or w in lex.stopwords or w in lex.heads or (w,) in lex.titles \
            or _strip_conj(w) in lex.stopwords or (w in lex.firsts and w not in lex.connectors):
        return False  # a title word ("المتحدث") starts the next phrase, it is not part of a name
    if any(f in lex.heads for f, _o, _c in _word_forms(raw or w, w)[1:]):
        return False  # "بجامعة" (at the university of) starts an organisation, not a person
    if kb.country_of_adjective(w) is not None or w.startswith(_NON_NAME_STARTS):
        return False
    if raw is not None and len(w) >= 5 and w.endswith("نا"):
        return False  # a verb with "we": "بذلنا"
    return raw is None or raw.endswith("الله") or not raw.endswith(_PRONOUN_ENDS)


@lru_cache(maxsize=1 << 14)
def _transliterate(name: str, entity_type: str | None = None) -> str:
    """``transliterate``, remembered: the names no KB record spells recur across a feed's
    articles, and spelling one out looks up each of its words in the name lists again."""
    return transliterate(name, entity_type)


def _ordinal_en(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# Speech cues that are not verbs (complementisers, prepositions): not used before a bare surname.
_NOT_VERBS = frozenset({"ان", "عن", "حسب", "بحسب", "وفقا"})


@lru_cache(maxsize=1)
def _org_heads() -> tuple[dict[str, tuple[float | None, float | None]], frozenset[str]]:
    """Organisation head nouns (the data-built ones, then the hand list of ``titles.json``, whose
    phrases need two complements) and the words that end such a name (stopwords, the first words
    of titles: "رئيس" 'head of', and the data-built closers: "السابق" 'former')."""
    lex = load_lexicon()
    heads = dict(load_name_lexicons().org_heads)
    for w, typ in lex.heads.items():
        if typ == "ORG":
            heads.setdefault(bare(w), (None, None))
    stops = lex.stopwords | {w for w in lex.firsts if bare(w) not in heads} | load_name_lexicons().closers
    return heads, frozenset(stops)


@lru_cache(maxsize=1)
def _org_head_words() -> frozenset[str]:
    """The words ``_org_head`` can find a head in (one probe passes the others by)."""
    heads = _org_heads()[0]
    return with_proclitics(f for h in heads for f in (h, "ال" + h) if bare(f) in heads)


@lru_cache(maxsize=65536)
def _org_head(text: str, norm: str) -> tuple[str, int] | None:
    """(head form, char offset) when a word is an organisation head noun, proclitics aside ("بمجلس")."""
    if not norm.isalpha():
        return None
    heads = _org_heads()[0]
    return next(((f, o) for f, o, _c in _word_forms(text, norm) if bare(f) in heads), None)


@lru_cache(maxsize=1)
def _given_names() -> frozenset[str]:
    from .translit import known_names

    return frozenset(load_kb().name_words | {w for k in known_names() for w in k})


def _is_arabic(word: str) -> bool:
    return any("\u0621" <= ch <= "\u064a" for ch in word)


def _role_match(title_role: str, role: str) -> bool:
    """A generic title ("الوزير": minister) covers specific roles (minister_foreign)."""
    return role == title_role or role.startswith(title_role + "_")


def _strip_conj(w: str) -> str:
    return w[1:] if len(w) > 3 and w[0] in _CONJ else w


def _name_key(key: Key, lex: Lexicon) -> Key:
    """Key without leading honorifics ("اية الله رئيسي" -> ("رئيسي",))."""
    k = key
    changed = True
    while changed and len(k) > 1:
        changed = False
        for L in range(min(lex.max_honorific, len(k) - 1), 0, -1):
            if k[:L] in lex.honorifics:
                k, changed = k[L:], True
                break
    return k


def _strip_honorifics(text: str, c: Cand, lex: Lexicon) -> tuple[int, int]:
    """Character span of a name mention without leading honorifics (for PER)."""
    if c.type != "PER":
        return c.start, c.end
    nk = _name_key(c.key, lex)
    drop = len(c.key) - len(nk)
    if not drop:
        return c.start, c.end
    s = c.start
    for _ in range(drop):
        sp = text.find(" ", s, c.end)
        if sp < 0:
            return c.start, c.end
        s = sp
        while s < c.end and text[s].isspace():
            s += 1
    return s, c.end
