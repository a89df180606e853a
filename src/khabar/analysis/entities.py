"""The ``entities`` stage: mentions, in-article consolidation, titles, and KB linking.

Mentions come from two sources, merged:

- the statistical tagger (``khabar.analysis.ner.load_tagger().tag(tokens) -> BIO tags``) when it is
  installed; without it the stage still works from the KB alone;
- longest-match lookups of normalised token n-grams in the packaged KB (countries, cities,
  organisations, people), which add what the tagger missed and link what it found.

A proclitic (و ف ب ك ل) is left out of a mention when what remains is a known name, starts
with the article ال, or occurs elsewhere in the article on its own ("بطاجيكستان" -> "طاجيكستان").

Mentions of one real-world entity become one ``Entity``: same KB record, same normalised name,
a short PER name that ends or starts a longer one ("رئيسي" -> "إبراهيم رئيسي"), a short ORG
name that starts a longer one. Title phrases ("الرئيس الروسي", "وزير الخارجية السعودي",
"المتحدث باسم الوزارة") are parsed into (role, qualifier) and become ``title`` mentions of the
person they refer to: the person named right after the same title in the article, else the
person in the article whom the KB gives that role, else (with a publication date) the KB's
holder of that role at that date (such a title-only reference becomes a PER entity linked to
that person). A qualified title with no referent at all is kept as its own PER entity only as the
subject of speech (the quotes stage needs speakers such as "وقال وزير الصحة المصري"); a bare title
("الوزير") refers to the last matching title holder of the article or is dropped.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Any

from ..model import Document, Entity, Mention, Token
from .clitics import CLITIC_CHAINS, CONJUNCTIONS
from .generic_words import load_generic_words
from .kb import KB, KBEntry, Key, key_of, load_kb
from .name_lexicons import bare, load_name_lexicons, org_name_end, variant_key
from .outlets import find_outlets
from .place_names import find_places
from .places import load_place_heads
from .text import normalize
from .text.normalize import strip_invisible
from .timexes import day_month_reader
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

    def __post_init__(self) -> None:
        keys = [*self.titles, *self.honorifics, *self.institutions, *self.skip]
        self.firsts = frozenset(k[0] for k in keys if k)


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


def _load_tagger() -> Any | None:
    """The statistical tagger when its model loads, else None with a warning: a missing or broken
    model must not break analysis, nor pass silently for a working install (entities then come
    from the knowledge base and rules alone)."""
    from .ner import load_tagger  # type: ignore[attr-defined]

    try:
        return load_tagger()
    except Exception as exc:  # noqa: BLE001 - any model failure degrades to the rules, loudly
        warnings.warn(f"khabar: the NER tagger could not be loaded ({type(exc).__name__}: {exc}); "
                      "entities come from the knowledge base and rules only (reinstall khabar)",
                      RuntimeWarning, stacklevel=2)
        return None


# --------------------------------------------------------------------------------------------
# Mention candidates


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


class EntityStage:
    """Find, consolidate and link the named entities of an article."""

    name = "entities"
    reads = frozenset({"text", "sentences", "tokens", "published"})
    reads_optional: frozenset[str] = frozenset()
    writes = frozenset({"entities"})

    def __init__(self, tagger: Any | None = ..., kb: KB | None = None) -> None:
        self.kb = kb or load_kb()
        self.lex = load_lexicon()
        self.tagger = _load_tagger() if tagger is ... else tagger

    @property
    def given_names(self) -> frozenset[str]:
        """Normalised words known to be personal names (KB people, transliteration table)."""
        return _given_names()

    # ---- public -------------------------------------------------------------------------

    def __call__(self, doc: Document) -> Document:
        return doc.with_(entities=tuple(self.extract(doc)))

    def extract(self, doc: Document) -> list[Entity]:
        year = int(doc.published[:4]) if doc.published and doc.published[:4].isdigit() else None
        sents = [s.tokens for s in doc.sentences]
        doc_norms = Counter(t.norm for toks in sents for t in toks)
        kb_hits = [self._kb_matches(toks, si) for si, toks in enumerate(sents)]
        self._disambiguate([c for hits in kb_hits for c in hits], doc_norms)
        strong_ids = {c.kb.id for hits in kb_hits for c in hits if c.kb and not c.weak}
        tagged = None
        if self.tagger:
            all_tags = self._tag_document(sents)
            tagged = [self._tagger_spans(toks, si, tags, doc_norms)
                      for si, (toks, tags) in enumerate(zip(sents, all_tags))]
        merged = [self._merge(toks, si, kb_hits[si], tagged[si] if tagged else [], strong_ids)
                  for si, toks in enumerate(sents)]
        headed = [self._headed_names(toks, si, merged[si]) for si, toks in enumerate(sents)]
        for si, toks in enumerate(sents):  # "مجلس التنمية السياحية": head noun + complements
            merged[si], orgs = self._org_names(toks, si, merged[si], headed[si])
            headed[si].extend(orgs)
            outlets, gone = self._outlets(toks, si, merged[si] + headed[si])  # "CNN", "لـ«الغد»"
            merged[si] = [c for c in merged[si] if id(c) not in gone]
            headed[si] = [c for c in headed[si] if id(c) not in gone] + outlets
            headed[si].extend(self._places(toks, si, merged[si] + headed[si]))  # small places no tagger saw
        titles: list[TitleHit] = []
        for si, toks in enumerate(sents):
            titles.extend(self._titles(toks, si, merged[si] + headed[si]))
        cands: list[Cand] = [c for part in (merged, headed) for cs in part for c in cs]
        cands.extend(self._names_after_titles(sents, cands, titles))  # also fills tagger gaps
        cands.extend(self._surnames_after_speech(sents, cands))
        generic = load_generic_words()  # "لي" (to me), "التقرير" (the report): never a name alone
        alone = load_name_lexicons()  # and words the NER corpora almost never label alone ("الأمم")
        cands = [c for c in cands if c.kb is not None or c.source == "outlet" or not (
            generic.is_generic(c.key) or (c.source == "tagger" and alone.is_never_alone(c.key)))]
        cands.sort(key=lambda c: c.start)
        self._bind_titles(sents, cands, titles)
        for c in cands:  # "عادل بن أحمد الجبير" is the KB's "عادل الجبير"
            if c.type == "PER" and c.kb is None:
                c.kb = self.kb.person_by_first_last(_name_key(c.key, self.lex))
        # all per-call state stays in locals: one stage instance serves many threads at once
        clusters, cand_cluster = self._cluster(cands)
        self._attach_titles(clusters, cand_cluster, titles, year, sents)
        return self._entities(doc.text, clusters)

    # ---- KB dictionary matching ------------------------------------------------------------

    def _disambiguate(self, hits: list[Cand], doc_norms: Counter[str]) -> None:
        """Read a name shared by several KB entries by the article's other places: عمان is
        Amman in an article about Jordan, Oman otherwise (the KB's priority decides alone)."""
        kb = self.kb
        adjective_countries = {e.id for w in doc_norms if (e := kb.country_of_adjective(w))}
        # the context of a hit is every KB id linked by a hit of another name: kept as counts of
        # (id, name) pairs, updated as hits are relinked, rather than rebuilt for each hit
        linked: dict[str, Counter[Key]] = {}
        for h in hits:
            if h.kb:
                linked.setdefault(h.kb.id, Counter())[h.key] += 1
        for c in hits:
            options = kb.lookup_all(c.key) if c.kb else []
            if len(options) < 2:
                continue

            def in_context(x: str | None, key: Key = c.key) -> bool:
                names = linked.get(x) if x else None
                return x in adjective_countries or (bool(names) and (len(names) > 1 or key not in names))

            if in_context(c.kb.id) or in_context(c.kb.country):
                continue
            better = next((o for o in options if in_context(o.id) or (o.country and in_context(o.country))), None)
            if better is not None and better.type == c.kb.type:
                names = linked[c.kb.id]
                names[c.key] -= 1
                if not names[c.key]:
                    del names[c.key]
                linked.setdefault(better.id, Counter())[c.key] += 1
                c.kb = better

    def _kb_matches(self, toks: tuple[Token, ...], si: int) -> list[Cand]:
        out: list[Cand] = []
        kb, n = self.kb, len(toks)
        i = 0
        while i < n:
            best: tuple[int, int, Cand] | None = None
            if toks[i].norm.isalpha():
                for form, off, chain in _forms(toks[i]):
                    key: Key = (form,)
                    longest = None
                    L = 1
                    while True:  # grow the n-gram while it is a prefix of some KB name
                        if key in kb.index:
                            longest = (L, key)
                        if key not in kb.prefixes or i + L >= n:
                            break
                        key = key + (toks[i + L].norm,)
                        L += 1
                    if longest is None:
                        continue
                    L, key = longest
                    entry = kb.lookup(key)
                    if chain and chain[-1] in _PREP and not form.startswith("ال") and L == 1 \
                            and entry.kind not in ("person", "country", "city", "region"):
                        continue  # a bare preposition before a one-word organisation name needs ال
                    score = (L, 0 if not chain else -1)
                    if best is None or score > best[:2]:
                        c = Cand(toks[i].start + off, toks[i + L - 1].end, i, i + L, si, entry.type, key, "kb",
                                 entry, kb.lookup(key, allow_weak=False) is None,
                                 clitic=not toks[i].norm.endswith(form))  # "للمملكة" keeps its ل
                        best = (score[0], score[1], c)
            if best and best[2].j - best[2].i == 1 and i > 0 \
                    and kb.country_of_adjective(toks[i].norm) and toks[i - 1].norm not in self.lex.stopwords \
                    and any(f.startswith("ال") for f, _o, _c in _forms(toks[i - 1])):
                best = None  # an adjective after a definite noun: "الجوازات السعودية" (Saudi passports)
            if best:
                out.append(best[2])
                i = best[2].j
            else:
                i += 1
        return out

    # ---- tagger ----------------------------------------------------------------------------

    def _tag_document(self, sents: list[tuple[Token, ...]]) -> list[list[str]]:
        """BIO tags of every sentence, in one batch (the neural tagger is much faster batched)."""
        words = [[t.text for t in toks] for toks in sents]
        try:
            tag_sents = getattr(self.tagger, "tag_sents", None)
            return list(tag_sents(words)) if tag_sents else [self.tagger.tag(w) for w in words]
        except Exception:  # noqa: BLE001 - a tagger failure degrades to KB-only mentions
            return [[] for _ in sents]

    def _tagger_spans(self, toks: tuple[Token, ...], si: int, tags: list[str], doc_norms: Counter) -> list[Cand]:
        if not toks or not tags:
            return []
        spans: list[tuple[int, int, str]] = []
        cur: list[Any] | None = None
        for k, tag in enumerate(list(tags) + ["O"]):
            if cur and (tag == "O" or tag.startswith("B-") or tag[2:] != cur[2]):
                spans.append((cur[0], k, cur[2]))
                cur = None
            if tag != "O" and cur is None and "-" in tag:
                cur = [k, k + 1, tag[2:]]
        spans = [piece for span in spans for piece in self._split_list(toks, *span)]
        stop = self.lex.stopwords
        spans = [(i + (toks[i].norm in stop and j - i > 1), j, typ) for i, j, typ in spans]  # "هي ويندي شيرمان"
        spans = [sp for sp in (self._untitle(toks, *span) for span in spans) if sp]
        out = []
        for i, j, typ in spans:
            if typ not in ("PER", "ORG", "LOC", "MISC"):
                continue
            first = toks[i]
            start, key0 = first.start, first.norm
            rest = tuple(t.norm for t in toks[i + 1:j])
            # a clitic is not looked for in a known name or, for people, a given name ("كامل" is
            # not ك + "أمل")
            if not self.kb.lookup((key0,) + rest) and not (typ == "PER" and key0 in self.given_names):
                for form, off, _chain in _forms(first)[1:]:
                    if len(form) < 3 or form in self.lex.stopwords or _strip_conj(form) in self.lex.stopwords:
                        continue  # "بوليس" (police) is not ب + "وليس" (and is not)
                    if (self.kb.lookup((form,) + rest) or (form.startswith("ال") and len(form) > 3)
                            or doc_norms.get(form, 0) > 0 or (typ == "PER" and form in self.given_names)):
                        start, key0 = first.start + off, form
                        break
            # the conjunction و on an unknown name: "وقازاخستان" -> "قازاخستان", and on a person
            # named by one word once, "وماتيو" (a foreign name that begins with و, "ويندي شيرمان",
            # is seldom alone, and comes back as it is: "تريفور ويلموت ... وقال ويلموت"); not on
            # words whose و is their own (listed, or data-built from SaudiNewsNet)
            if (typ != "PER" or (j - i == 1 and doc_norms.get(key0, 0) == 1)) and start == first.start and key0[:1] == "و" and len(key0) >= 4 \
                    and len(first.text) == len(key0) and key0 not in self.lex.waw_names \
                    and key0 not in load_name_lexicons().waw_words and not self.kb.lookup((key0,) + rest) \
                    and not (typ == "PER" and key0 in self.given_names):
                start, key0 = first.start + 1, key0[1:]
            if not rest and (key0 in self.lex.not_names or key0 in self.lex.stopwords or len(key0) < 2):
                continue
            if typ == "PER" and rest and key0 in load_name_lexicons().place_starts and key0 not in self.given_names:
                typ = "LOC"  # "سيدي بوزيد", "عين الناقة": the corpora's place names start so
            if not any(_is_arabic(w) for w in (key0,) + rest):
                continue  # the tagger learnt Arabic: its guesses on Latin-script words are noise
            out.append(Cand(start, toks[j - 1].end, i, j, si, typ, (key0,) + rest, "tagger"))
        return out

    def _untitle(self, toks: tuple[Token, ...], i: int, j: int, typ: str) -> tuple[int, int, str] | None:
        """A PER span holding a title keeps only the name after it: "الرئيس فلاديمير بوتين" ->
        "فلاديمير بوتين"; with no name after the title ("كلام المرشد الأعلى") it is dropped, and
        the title is read as a title."""
        if typ != "PER":
            return i, j, typ
        lex = self.lex
        for p in range(i, j):
            if toks[p].norm not in lex.firsts:
                continue
            L = next((L for L in range(min(lex.max_title, j - p), 0, -1)
                      if tuple(t.norm for t in toks[p:p + L]) in lex.titles), 0)
            if L == 1 and toks[p].norm in self.given_names:
                continue  # "سلطان", "أمير" are also given names
            if L:
                return (p + L, j, typ) if p + L < j else None
        return i, j, typ

    def _split_list(self, toks: tuple[Token, ...], i: int, j: int, typ: str) -> list[tuple[int, int, str]]:
        """A tagged run of places joined by و is a list: "تركيا والهند" -> "تركيا", "والهند".

        Only for LOC (organisation names contain و: "وزارة الثقافة والإعلام").
        """
        if typ != "LOC" or j - i < 2:
            return [(i, j, typ)]
        cuts = [k for k in range(i + 1, j) if toks[k].norm[:1] == "و" and len(toks[k].norm) >= 4
                and toks[k].norm not in self.lex.waw_names]
        bounds = [i, *cuts, j]
        return [(a, b, typ) for a, b in pairwise(bounds)]

    def _merge(self, toks, si, kb_hits: list[Cand], tagged: list[Cand], strong_ids: set[str]) -> list[Cand]:
        """Tagger spans linked to KB matches they coincide with, plus KB matches the tagger missed."""
        out: list[Cand] = []
        used_kb: set[int] = set()
        tagged = [piece for t in tagged for piece in self._trim(t, kb_hits, toks)]
        for t in tagged:
            over = [(k, c) for k, c in enumerate(kb_hits) if c.start < t.end and t.start < c.end]
            longer = [c for _, c in over if c.start <= t.start and c.end >= t.end and (c.end - c.start) > (t.end - t.start)]
            if longer:
                continue  # the KB match covers the tagger span: keep the KB match below
            for _k, c in over:
                if c.kb and not (c.start >= t.start and c.end <= t.end) and not c.weak \
                        and 2 * (c.j - c.i) > max(c.j, t.j) - min(c.i, t.i):
                    # partial overlap: "بهيئة الهلال الأحمر" (KB) + "الهلال الأحمر السعودي" (tagger)
                    # is one name, linked to the KB record that covers most of it
                    first = c if c.start <= t.start else t
                    t.start, t.i, t.j, t.end = first.start, first.i, max(c.j, t.j), max(c.end, t.end)
                    t.key = first.key[:1] + tuple(x.norm for x in toks[first.i + 1:t.j])
                    t.kb, t.type = c.kb, c.kb.type
            for k, c in over:
                used_kb.add(k)
                if c.start >= t.start and c.end <= t.end and c.kb and (
                        c.key == t.key or (c.kb.type == t.type and 2 * (c.j - c.i) > t.j - t.i)):
                    t.kb = c.kb
                    if c.key == t.key:
                        t.type = c.kb.type
            out.append(t)
        tagged_spans = [(t.start, t.end) for t in tagged]
        for k, c in enumerate(kb_hits):
            if k in used_kb:
                continue
            if c.weak and not self._weak_ok(toks, c, strong_ids, tagged_spans):
                continue
            out.append(c)
        return out

    def _trim(self, t: Cand, kb_hits: list[Cand], toks) -> list[Cand]:
        """Cut a known name of another type off the edge of a tagger span: "تويتر نايف هزازي" (PER)
        starts with Twitter (ORG), so the person is "نايف هزازي"."""
        for c in kb_hits:
            if c.weak or c.kb is None or c.kb.type == t.type or not (t.i <= c.i and c.j <= t.j) \
                    or c.j - c.i >= t.j - t.i:
                continue
            if c.i == t.i:  # the known name starts the span: keep what follows it
                i, j = c.j, t.j
                start, key = toks[i].start, tuple(x.norm for x in toks[i:j])
            elif c.j == t.j:  # it ends the span: keep what precedes it (clitics already stripped)
                i, j = t.i, c.i
                start, key = t.start, t.key[:j - i]
            else:
                continue
            return [Cand(start, toks[j - 1].end, i, j, t.sent, t.type, key, "tagger")]
        return [t]

    def _weak_ok(self, toks, c: Cand, strong_ids: set[str], tagged_spans) -> bool:
        """An ambiguous alias counts when the article names the entity unambiguously elsewhere,
        the tagger marks it, or a cue word / title / honorific precedes it."""
        if c.kb and c.kb.id in strong_ids:
            return True
        if any(s < c.end and c.start < e for s, e in tagged_spans):
            return True
        if c.i == 0:  # a dateline: "سبق- أبها:" opens the article with its source
            return c.sent == 0 and c.j < len(toks) and toks[c.j].text in _DATELINE_MARKS
        prev = toks[c.i - 1].norm
        if prev in _QUOTE_MARKS and c.j < len(toks) and toks[c.j].norm in _QUOTE_MARKS:
            return True  # a quoted name: «سبق»
        cues = self.lex.cue_words
        if prev in cues or (prev[:1] in _CONJ and prev[1:] in cues):
            return True
        if c.type == "PER":
            for L in range(1, max(self.lex.max_honorific, self.lex.max_title) + 1):
                if c.i - L < 0:
                    break
                k = tuple(t.norm for t in toks[c.i - L:c.i])
                k0 = (_strip_conj(k[0]),) + k[1:]
                if k in self.lex.honorifics or k0 in self.lex.honorifics:
                    return True
        return False

    # long: one left-to-right scan whose head-noun cases share its cursor; left whole while the entities stage is rewritten (issue 14)
    def _headed_names(self, toks: tuple[Token, ...], si: int, cands: list[Cand]) -> list[Cand]:
        """Multi-word names built on a head noun: "جامعة جازان", "مهرجان الجنادرية", "مستشفى الملك فهد"."""
        lex, n = self.lex, len(toks)
        starts = {c.i: c for c in cands}
        inside = {k for c in cands for k in range(c.i, c.j) if c.j - c.i > 1 or c.type != "LOC"}
        out: list[Cand] = []
        i = 0
        while i < n:
            skip = next((len(k) for k in lex.skip if tuple(t.norm for t in toks[i:i + len(k)]) == k), 0) \
                if toks[i].norm in lex.firsts else 0
            if skip:
                i += skip
                continue
            dated = self._date_named_place(toks, si, i, inside) if i + 1 < n else None
            if dated is not None:
                out.append(dated)
                i = dated.j
                continue
            if i not in inside and i + 1 < n and i + 1 not in inside and i + 1 not in starts \
                    and any(f in lex.place_heads for f, _o, _c in _forms(toks[i])) \
                    and not toks[i + 1].norm.startswith("ال") and not toks[i + 1].norm.endswith(("ات", "يه")) \
                    and _name_like(toks[i + 1].norm, lex, self.kb, toks[i + 1].text):
                # "مدينة الموصل": the place is the word after the head (not a plural or an adjective:
                # "مدينة مهرجانات", "مدينة ساحلية")
                t = toks[i + 1]
                out.append(Cand(t.start, t.end, i + 1, i + 2, si, "LOC", (t.norm,), "rule"))
                i += 2
                continue
            form, off = None, 0
            if i not in inside and toks[i].norm.isalpha():
                mini = self._ministry(toks, si, i, starts) or self._institution(toks, si, i, starts)
                if mini is not None:
                    out.append(mini)
                    i = mini.j
                    continue
                for f, o, _chain in _forms(toks[i]):
                    if f in lex.heads:
                        form, off = f, o
                        break
            if form is None:
                i += 1
                continue
            typ = lex.heads[form]
            end = None
            k = i + 1
            while k < n and k - i <= 4:  # a known name within three words: "اللجنة المنظمة لمعرض الكتاب"
                c = starts.get(k)
                if c is not None and c.type == "PER" and k > i + 1:
                    break  # "الهيئة الإسلامية العالمية للمحامين سعد الغنيم": the person is not in the name
                if c is not None and c.type in ("LOC", "ORG", "PER"):
                    end = c.j
                    if typ == "LOC" and c.type == "LOC" and k == i + 1:
                        end = -1  # "مدينة عدن", "محافظة بيشة": the place itself is the mention
                    elif typ == "LOC" and c.type == "ORG":
                        end = None  # "طريق فرق الهلال الأحمر": a road is not named by an organisation
                    break
                w = toks[k].norm
                if not w.isalpha() or w in lex.stopwords or _TANWEEN & set(toks[k].text) \
                        or (w in lex.firsts and w not in lex.heads) \
                        or (toks[k].text.endswith(_PRONOUN_ENDS) and not toks[k].text.endswith("الله")):
                    break
                k += 1
            if end == -1:
                i += 1
                continue
            inner_en = None
            if end is not None and k == i + 1:  # the known name follows the head directly
                c = starts[k]
                inner_en = c.kb.en if c.kb else transliterate(" ".join(t.text for t in toks[c.i:c.j]), c.type)
            hon = next((L for L in range(lex.max_honorific, 0, -1)
                        if tuple(t.norm for t in toks[i + 1:i + 1 + L]) in lex.honorifics), 0)
            if end is None and (form in lex.direct_heads or hon) and i + 1 < n:
                k = i + 1
                words = 0
                k += hon
                while k < n and words < (3 if hon else 1) and _name_like(toks[k].norm, lex, self.kb):
                    k += 1
                    words += 1
                predicate = k < n and toks[k].norm in _PREP_PRONOUNS  # "جامعة معترف بها" (a recognised university)
                if words and not predicate and (hon or not toks[i + 1].norm.endswith(("يه", "ي"))):
                    end = k
                    inner_en = transliterate(" ".join(t.text for t in toks[i + 1:end]))
            if end is None:
                i += 1
                continue
            pattern = lex.heads_en.get(form[2:] if form.startswith("ال") and form not in lex.heads_en else form)
            out.append(Cand(toks[i].start + off, toks[end - 1].end, i, end, si, typ,
                            (form,) + tuple(t.norm for t in toks[i + 1:end]), "rule",
                            name_en=pattern.format(inner_en) if pattern and inner_en else None))
            i = end
        return out

    def _org_names(self, toks, si: int, merged: list[Cand], headed: list[Cand]) -> tuple[list[Cand], list[Cand]]:
        """Organisation names read from a head noun and its complements (khabar.analysis.name_lexicons):
        "الهيئة العامة للسياحة والتراث", "غرفة فض المنازعات".

        Returns the sentence's other candidates, less the tagger spans such a name replaces (inside
        it, or starting on its head: a tagged run "الهيئة ... والغرفة التجارية" is cut at the next
        name of the list), and the new names. Words held by KB or rule mentions are never taken.
        """
        lex, n = self.lex, len(toks)
        heads, stops = _org_heads()
        held = {k for c in (*merged, *headed) if c.source != "tagger" or c.kb for k in range(c.i, c.j)}
        cover = {k: c for c in merged if c.source == "tagger" and not c.kb for k in range(c.i, c.j)}
        drop: set[int] = set()
        out: list[Cand] = []
        i = 0
        while i < n:
            hit = _org_head(toks[i].text, toks[i].norm) if i not in held else None
            if hit is None:
                i += 1
                continue
            t = cover.get(i)
            t = None if t is not None and id(t) in drop else t  # the rest of a list cut at a head
            skip = next((len(k) for k in lex.skip if tuple(x.norm for x in toks[i:i + len(k)]) == k), 0) \
                if toks[i].norm in lex.firsts else 0  # "مجلس إدارة" (board of) precedes a name
            end = org_name_end(toks, i, hit[0], heads, stops, held.__contains__) \
                if not skip and (t is None or t.i == i) else None
            if end is None:
                i += max(skip, 1)
                continue
            if t is not None and t.j > end:  # the tagger saw more: up to the next name of a list
                split = next((k for k in range(end, t.j) if toks[k].norm[:1] == "و"
                              and bare(toks[k].norm[1:]) in heads), t.j)
                end = max(end, split)
            inner = [c for c in merged if c.source == "tagger" and not c.kb and c.i < end and c.j > i]
            if any(c.j > end for c in inner if c.i > i):
                end = min(c.i for c in inner if c.i > i and c.j > end)  # stop before a longer span
                if org_name_end(toks, i, hit[0], heads, stops, lambda k, e=end: k in held or k >= e) is None:
                    i += 1
                    continue
            drop.update(id(c) for c in inner if c.j <= end or c.i == i)
            out.append(Cand(toks[i].start + hit[1], toks[end - 1].end, i, end, si, "ORG",
                            (hit[0],) + tuple(x.norm for x in toks[i + 1:end]), "rule"))
            i = end
        return [c for c in merged if id(c) not in drop], out

    def _outlets(self, toks, si: int, cands: list[Cand]) -> tuple[list[Cand], set[int]]:
        """News outlets and agencies (khabar.analysis.outlets) as ORG mentions, and the ids of the
        candidates they replace: tagger spans inside them, KB names inside a longer outlet name
        ("القدس" in "القدس العربي"), any name when a cue confirms the outlet (a quoted «الخليج» is
        the newspaper, not the Gulf)."""
        out, gone = [], set()
        for o in find_outlets(toks, _forms):
            inside = [c for c in cands if o.i <= c.i and c.j <= o.j]
            if any(c.i < o.j and o.i < c.j for c in cands if c not in inside) or (not o.cued and any(
                    c.source != "tagger" and (c.i, c.j) == (o.i, o.j) for c in inside)):
                continue  # another name overlaps it, or a KB/rule name is exactly this one
            gone.update(id(c) for c in inside)
            out.append(Cand(toks[o.i].start + o.off, toks[o.j - 1].end, o.i, o.j, si, "ORG", o.key, "outlet",
                            name_en=o.en))
        return out, gone

    def _places(self, toks, si: int, cands: list[Cand]) -> list[Cand]:
        """Place names of the gazetteer in a place context, and lists after a place noun
        (khabar.analysis.place_names); a tagger span it shows to be a place is retyped LOC."""
        held = {k: (c.i, c.j, c.type, c.source == "tagger" and c.kb is None) for c in cands for k in range(c.i, c.j)}
        out = []
        for p in find_places(toks, held, _forms, lambda w, raw: _name_like(w, self.lex, self.kb, raw),
                             first_sentence=si == 0):
            if p.retype:
                for c in cands:
                    if (c.i, c.j) == (p.i, p.j):
                        c.type = "LOC"
            else:
                out.append(Cand(toks[p.i].start + p.off, toks[p.j - 1].end, p.i, p.j, si, "LOC", p.key, "rule"))
        return out

    def _date_named_place(self, toks, si: int, i: int, inside: set[int]) -> Cand | None:
        """"مدينة السادس من أكتوبر", "شارع 26 يوليو": a place noun (data/places.json) before a
        day and a month names a place; the timexes stage leaves the same phrase out."""
        head = load_place_heads().head(toks[i].norm)
        if head is None or i in inside:
            return None
        words = [t.norm for t in toks[i + 1:i + 6]]
        hit = day_month_reader()(words)
        if hit is None or any(k in inside for k in range(i + 1, i + 1 + hit[0])):
            return None
        used, day, cal, month = hit
        pattern, with_head = head
        a, j = (i if with_head else i + 1), i + 1 + used
        start = toks[a].start
        if with_head:  # leave a proclitic out: "بشارع" -> "شارع"
            start += next((off for f, off, _c in _forms(toks[i]) if load_place_heads().heads.get(f)), 0)
        name_en = pattern.format(f"{_ordinal_en(day)} of {load_place_heads().month_en(cal, month)}")
        return Cand(start, toks[j - 1].end, a, j, si, "LOC", tuple(t.norm for t in toks[a:j]), "rule",
                    name_en=name_en)

    def _institution(self, toks, si: int, i: int, starts: dict[int, Cand]) -> Cand | None:
        """ "الحكومة اليابانية", "حكومة اليابان", "السفارة الإيرانية" -> an ORG mention."""
        lex, kb, n = self.lex, self.kb, len(toks)
        if not any(f in lex.firsts for f, _o, _c in _forms(toks[i])):
            return None
        prev = (lex.titles.get((toks[i - 1].norm,)) or lex.titles.get((_strip_conj(toks[i - 1].norm),))) if i else None
        if prev is not None and prev.domain:
            return None  # "وزيرة الداخلية البريطانية" is a title, parsed later
        for form, off, _c in _forms(toks[i]):
            for L in (2, 1):
                pattern = lex.institutions.get((form,) + tuple(t.norm for t in toks[i + 1:i + L]))
                if pattern is None or i + L >= n:
                    continue
                j = i + L
                country = kb.country_of_adjective(toks[j].norm)
                if country is not None:
                    j += 1
                elif j in starts and starts[j].kb is not None and starts[j].kb.kind == "country":
                    country, j = starts[j].kb, starts[j].j
                else:
                    continue
                key = (form,) + tuple(t.norm for t in toks[i + 1:j])
                return Cand(toks[i].start + off, toks[j - 1].end, i, j, si, "ORG", key, "rule",
                            name_en=pattern.format(country.en))
        return None

    def _ministry(self, toks, si: int, i: int, starts: dict[int, Cand]) -> Cand | None:
        """ "وزارة الصحة", "وزارة الخارجية السعودية", "وزارة خارجية روسيا" -> an ORG mention."""
        lex, kb, n = self.lex, self.kb, len(toks)
        hit = next(((f, o) for f, o, _c in _forms(toks[i]) if f in lex.ministry), None)
        if hit is None:
            return None
        form, off = hit
        for L in range(min(lex.max_domain, n - i - 1), 0, -1):
            dom = lex.domains.get(tuple(t.norm for t in toks[i + 1:i + 1 + L]))
            if dom:
                break
        else:
            return None
        j = i + 1 + L
        country = None
        if j < n and kb.country_of_adjective(toks[j].norm):
            country, j = kb.country_of_adjective(toks[j].norm), j + 1
        elif j in starts and starts[j].kb is not None and starts[j].kb.kind == "country":
            country, j = starts[j].kb, starts[j].j
        key = (form,) + tuple(t.norm for t in toks[i + 1:j])
        entry = kb.lookup(key, allow_weak=False)
        name_en = f"Ministry of {dom[1]}" + (f" ({country.en})" if country else "")
        return Cand(toks[i].start + off, toks[j - 1].end, i, j, si, "ORG", key, "rule", entry,
                    name_en=None if entry else name_en)

    # ---- titles ------------------------------------------------------------------------------

    def _titles(self, toks: tuple[Token, ...], si: int, cands: list[Cand]) -> list[TitleHit]:
        lex, n = self.lex, len(toks)
        starts = {c.i: c for c in cands}
        covered = {k for c in cands for k in range(c.i, c.j) if c.type in ("PER", "LOC")}
        out: list[TitleHit] = []
        i = 0
        while i < n:
            hit = None
            if i not in covered and toks[i].norm.isalpha():
                for form, off, _chain in _forms(toks[i]):
                    if form not in lex.firsts:
                        continue
                    for L in range(min(lex.max_title, n - i), 0, -1):
                        key = (form,) + tuple(t.norm for t in toks[i + 1:i + L])
                        spec = lex.titles.get(key)
                        if spec:
                            hit = self._title_phrase(toks, si, i, i + L, off, spec, starts)
                            break
                    if hit:
                        break
            if hit is None and out and i + 1 < n:
                hit = self._counterpart(toks, i, out[-1])
            if hit:
                out.append(hit)
                i = hit.j
            else:
                i += 1
        return out

    def _counterpart(self, toks, i: int, before: TitleHit) -> TitleHit | None:
        """"وزير الصحة الأردني ... مع نظيره المصري": his counterpart holds the same post for the
        country of the adjective after it."""
        form, off = next(((f, o) for f, o, _c in _forms(toks[i]) if f in self.lex.counterparts), (None, 0))
        country = self.kb.country_of_adjective(toks[i + 1].norm) if form else None
        if country is None or before.qualifier is None or country.id == before.qualifier:
            return None
        return TitleHit(toks[i].start + off, toks[i + 1].end, before.sent, i, i + 2, before.role,
                        before.role_en, country.id, country.en)

    def _title_phrase(self, toks, si, i, j, off, spec: TitleSpec, starts: dict[int, Cand]) -> TitleHit | None:
        lex, kb, n = self.lex, self.kb, len(toks)
        role, role_en = spec.role, spec.en
        qual, qual_en = spec.qualifier, (kb.get(spec.qualifier).en if spec.qualifier else None)
        if spec.domain:
            for L in range(min(lex.max_domain, n - j), 0, -1):
                dom = lex.domains.get(tuple(t.norm for t in toks[j:j + L]))
                if dom:
                    role, role_en = f"{spec.role}_{dom[0]}", f"{spec.en} of {dom[1]}"
                    j += L
                    break
        # qualifier: nationality adjective, KB/tagger ORG/LOC, "في"/"ل" + place, "باسم" + phrase
        if qual is None and j < n:
            c = starts.get(j)
            if c is None and j + 1 < n and toks[j].norm == "في":  # "in"
                c = starts.get(j + 1)
                c = c if c and c.type == "LOC" else None
            if c is not None and c.type in ("ORG", "LOC"):
                qual = c.kb.id if c.kb else "text:" + " ".join(c.key)
                qual_en = c.kb.en if c.kb else c.name_en or transliterate(" ".join(t.text for t in toks[c.i:c.j]), c.type)
                j = c.j
            elif kb.country_of_adjective(toks[j].norm):
                e = kb.country_of_adjective(toks[j].norm)
                qual, qual_en = e.id, e.en
                j += 1
            elif spec.of:
                k = j
                while k < n and k - j < 3 and toks[k].norm.isalpha() and toks[k].norm not in lex.stopwords \
                        and k not in starts:
                    k += 1
                if k > j:
                    qual = "text:" + " ".join(t.norm for t in toks[j:k])
                    qual_en = transliterate(" ".join(t.text for t in toks[j:k]))
                    j = k
        if qual is not None and j < n and kb.country_of_adjective(toks[j].norm):
            e = kb.country_of_adjective(toks[j].norm)  # "رئيس مجلس الدوما الروسي"
            if qual.startswith("text:"):
                qual, qual_en = f"{qual}@{e.id}", f"{qual_en} ({e.en})"
            j += 1
        if qual is None and (spec.needs_qualifier or spec.of):
            return None
        if qual is None and spec.domain and role == spec.role and not toks[i].norm[off:].startswith("ال"):
            return None  # "وزير" alone without the article: "وزير سابق", not a reference
        # the post's location: "سفير إيران في موسكو", "مندوب روسيا لدى الأمم المتحدة"
        if qual is not None and j < n:
            j = self._post_location(toks, j, starts)
        # a name may follow unless the title ends in an unknown organisation's name, whose last
        # words cannot be told from the next phrase ("الأمين العام للغرفة ... بجدة جاهزية اللجان")
        last = next((c for c in starts.values() if c.j == j), None)
        open_end = qual is None or (not qual.startswith("text:") and (last is None or last.kb is not None))
        return TitleHit(toks[i].start + off, toks[j - 1].end, si, i, j, role, role_en, qual, qual_en,
                        open_end=open_end)

    def _post_location(self, toks, j: int, starts: dict[int, Cand]) -> int:
        """End of a title's post location, if one follows: "في موسكو", "لدى الأمم المتحدة",
        "بالمنطقة الشرقية", "بمنطقة المدينة المنورة" (in the region of ...); else ``j``."""
        n = len(toks)
        k = j
        if toks[k].norm in _POST_PREPS:
            k += 1
        if k < n and any(f in self.lex.place_heads or f in _REGION_NOUNS for f, _o, _c in _forms(toks[k])) \
                and k + 1 < n and k + 1 in starts:
            if k == j and not toks[k].norm.startswith(("ب", "في")):
                return j
            k += 1  # "(ب)منطقة" + the place
        c = starts.get(k)
        if c is None or (c.kb is None and c.source == "tagger") or c.type not in ("LOC", "ORG"):
            return j  # a known or head-noun name: "مدير الإدارة العامة ... بأمانة منطقة جازان"
        if k == j and not (c.start > toks[k].start and toks[k].norm[:1] == "ب"):
            return j  # a place right after the title must carry ب ("بالمنطقة الشرقية")
        return c.j

    def _names_after_titles(self, sents, cands: list[Cand], titles: list[TitleHit]) -> list[Cand]:
        """2-4 name-like words right after a title or honorific (or before ", title") are a PER name.

        Only words no other source claimed are used, so with a tagger this fills its gaps.
        """
        lex = self.lex
        taken = {(c.sent, k) for c in cands for k in range(c.i, c.j)}
        out = []
        # (sentence, first word, a known given name required): after a bare title ("الرئيس") the
        # next words are as often a verb or a noun as a name
        anchors = [(t.sent, t.j, t.qualifier is None) for t in titles if t.open_end]
        anchors += [(t.sent, t.j + 1, True) for t in titles if t.open_end and t.j < len(sents[t.sent])
                    and sents[t.sent][t.j].text in ("،", ",")]  # "السفير الروسي، فيتالي تشوركين"
        for t in titles:  # apposition: "وقال صالح كامل، رئيس مجلس إدارة ..." (name, comma, title)
            toks = sents[t.sent]
            if t.i >= 2 and toks[t.i - 1].text in ("،", ","):
                k = t.i - 1
                while k > 0 and t.i - 1 - k < 3 and (t.sent, k - 1) not in taken \
                        and _name_like(toks[k - 1].norm, lex, self.kb, toks[k - 1].text):
                    k -= 1
                while k < t.i - 1 and toks[k].norm.startswith("ال"):  # a full name starts with a first name
                    k += 1
                if t.i - 1 - k >= 2:
                    out.append(Cand(toks[k].start, toks[t.i - 2].end, k, t.i - 1, t.sent, "PER",
                                    tuple(x.norm for x in toks[k:t.i - 1]), "rule"))
                    taken.update((t.sent, x) for x in range(k, t.i - 1))
        for si, toks in enumerate(sents):
            for i in range(len(toks)):
                if toks[i].norm not in lex.firsts:
                    continue
                for L in range(lex.max_honorific, 0, -1):
                    if i + L <= len(toks) and tuple(t.norm for t in toks[i:i + L]) in lex.honorifics:
                        anchors.append((si, i + L, False))
                        break
        given = self.given_names
        for si, j, need_given in sorted(set(anchors)):
            toks = sents[si]
            while j < len(toks) and tuple(t.norm for t in toks[j:j + 1]) in lex.honorifics:
                j += 1
            k, words = j, 0
            while k < len(toks) and words < 4 and (si, k) not in taken \
                    and _name_like(toks[k].norm, lex, self.kb, toks[k].text):
                words += toks[k].norm not in lex.connectors  # "بن" links names: "فيصل بن خالد بن عبدالعزيز"
                k += 1
                # a family name with the article ends the name unless a connector follows:
                # "عادل بن أحمد الجبير الوفدَ" (the delegation is the object), but "عبد الله بن ..."
                w = toks[k - 1].norm
                if w.startswith("ال") and words >= 2 and toks[k - 2].norm not in ("عبد", "ابو") \
                        and not (k < len(toks) and toks[k].norm in lex.connectors):
                    break
            while k > j and toks[k - 1].norm in lex.connectors:
                k -= 1
            if need_given and j < len(toks) and toks[j].norm not in given:
                continue
            if k - j >= 2 and not toks[j].norm.startswith("ال"):  # a first name has no article
                out.append(Cand(toks[j].start, toks[k - 1].end, j, k, si, "PER",
                                tuple(t.norm for t in toks[j:k]), "rule"))
                taken.update((si, x) for x in range(j, k))
        return out

    def _surnames_after_speech(self, sents, cands: list[Cand]) -> list[Cand]:
        """A person's last name alone as the subject of a speech verb: "وأضاف كامل أن ..."

        The last name must belong to a multi-word PER name of the same article; only the speech
        verb context makes a common word ("كامل" = complete) safe to read as the name.
        """
        lex = self.lex
        verbs = {w for w in lex.speech_cues if len(w) > 2 and w not in _NOT_VERBS}
        surnames = {c.key[-1] for c in cands if c.type == "PER" and len(c.key) >= 2 and len(c.key[-1]) >= 3
                    and c.key[-1] not in lex.connectors}
        taken = {(c.sent, k) for c in cands for k in range(c.i, c.j)}
        out = []
        for si, toks in enumerate(sents):
            for k in range(1, len(toks)):
                w = toks[k].norm
                if w in surnames and (si, k) not in taken:
                    prev = toks[k - 1].norm
                    if prev in verbs or _strip_conj(prev) in verbs:
                        out.append(Cand(toks[k].start, toks[k].end, k, k + 1, si, "PER", (w,), "rule"))
        return out

    def _bind_titles(self, sents, cands: list[Cand], titles: list[TitleHit]) -> None:
        """A title directly followed by a PER name (honorifics may sit between) names that person."""
        by_start = {(c.sent, c.i): idx for idx, c in enumerate(cands) if c.type == "PER"}
        by_end: dict[tuple[int, int], list[int]] = {}  # PER names by where they end
        for idx, c in enumerate(cands):
            if c.type == "PER":
                by_end.setdefault((c.sent, c.j), []).append(idx)
        for t in titles:
            toks = sents[t.sent]
            k = t.j
            while k < len(toks):
                L = next((L for L in range(self.lex.max_honorific, 0, -1)
                          if tuple(x.norm for x in toks[k:k + L]) in self.lex.honorifics), 0)
                if not L:
                    break
                k += L
            if k < len(toks) and toks[k].text in ("،", ",") and (t.sent, k + 1) in by_start:
                k += 1  # "السفير الروسي، فيتالي تشوركين"
            if (t.sent, k) in by_start:
                t.target = by_start[(t.sent, k)]
            else:  # apposition: "NAME، TITLE" or "NAME TITLE" ("الأمير فيصل بن خالد أمير عسير")
                comma = t.i >= 2 and toks[t.i - 1].text in ("،", ",")
                end = t.i - 1 if comma else t.i
                if not comma and (t.sent, end) not in by_end and t.i >= 2 and toks[t.i - 1].norm in self.lex.firsts:
                    end = t.i - 1  # a rank word between: "روشان أبياسوف نائب رئيس مجلس المفتين"
                for idx in by_end.get((t.sent, end), ()):
                    if comma or self._fits(cands[idx], t):
                        t.target = idx

    def _fits(self, c: Cand, t: TitleHit) -> bool:
        """Can the title describe this person? (KB country and roles must not contradict it.)"""
        if c.kb is None:
            return True
        q = self.kb.get(t.qualifier)
        if q is not None and q.kind == "country" and c.kb.country and c.kb.country != q.id:
            return False  # "التقى بوتين الرئيس الإيراني": the title is the object, not Putin
        return not c.kb.roles or any(_role_match(t.role, r.role) for r in c.kb.roles)

    # ---- consolidation -----------------------------------------------------------------------

    def _cluster(self, cands: list[Cand]) -> tuple[list[_Cluster], dict[int, _Cluster]]:
        """Clusters of candidates, and the cluster of each candidate (by index into ``cands``)."""
        clusters: list[_Cluster] = []
        by_kb: dict[str, _Cluster] = {}
        by_key: dict[Key, _Cluster] = {}
        cand_cluster: dict[int, _Cluster] = {}
        # clusters by the proper prefixes / suffixes of their names, so that a short form looks
        # only at the clusters it could belong to (not at every cluster: linear in the text)
        by_prefix: dict[Key, dict[int, _Cluster]] = {}
        by_suffix: dict[Key, dict[int, _Cluster]] = {}
        # longer names first (honorifics aside: "آية الله رئيسي" is one word long), KB-linked first
        # among equals, so short forms can attach to them
        # spelling variants of foreign names are one name: "سيرغي" = "سيرجي" (ى/ي already fold)
        keys = [variant_key(_name_key(c.key, self.lex)) for c in cands]
        order = sorted(range(len(cands)), key=lambda k: (-len(keys[k]), cands[k].kb is None, cands[k].start))
        for k in order:
            c, key = cands[k], keys[k]
            cl = (by_kb.get(c.kb.id) if c.kb else None) or by_key.get(key) \
                or (by_key.get(("en:", c.name_en)) if c.name_en else None)
            if cl is None and (c.type == "PER" or (c.type == "ORG" and len(key) <= 2)):
                cl = _short_form_owner(key, c.type, by_prefix, by_suffix)
            if cl is None:
                cl = _Cluster()
                clusters.append(cl)
            cl.names.append(c)
            for n in range(1, len(key)):
                by_prefix.setdefault(key[:n], {})[id(cl)] = cl
                by_suffix.setdefault(key[-n:], {})[id(cl)] = cl
            if c.kb and cl.kb is None:
                cl.kb = c.kb
            if cl.kb:
                by_kb.setdefault(cl.kb.id, cl)
            by_key.setdefault(key, cl)
            if c.name_en:  # built names agree: "الحكومة اليابانية" = "حكومة اليابان"
                by_key.setdefault(("en:", c.name_en), cl)
            cand_cluster[k] = cl
        for cl in clusters:
            cl.type = cl.kb.type if cl.kb else Counter(c.type for c in cl.names).most_common(1)[0][0]
        return clusters, cand_cluster

    def _attach_titles(self, clusters: list[_Cluster], cand_cluster: dict[int, _Cluster],
                       titles: list[TitleHit], year: int | None, sents) -> None:
        bindings: list[tuple[int, TitleHit, _Cluster]] = []  # (position, title, cluster)
        # "المدير العام ورئيس مجلس المديرين": a title joined by و to the one before is the same person's
        chained = {b: a for a, b in pairwise(range(len(titles))) if titles[a].sent == titles[b].sent
                   and titles[a].j == titles[b].i and sents[titles[b].sent][titles[b].i].norm[:1] == "و"}
        for b, a in chained.items():
            if titles[b].target is None:
                titles[b].target = titles[a].target
        for t in titles:
            if t.target is not None:
                cl = cand_cluster[t.target]
                if cl.type == "PER":
                    cl.titles.append(t)
                    bindings.append((t.start, t, cl))
        by_kb = {cl.kb.id: cl for cl in clusters if cl.kb}
        own: dict[tuple[str, str | None], _Cluster] = {}
        got: dict[int, _Cluster] = {}  # title index -> the person it was attached to
        for ti, t in enumerate(titles):
            if t.target is not None:
                continue
            cl = got.get(chained[ti]) if ti in chained else None
            if cl is not None:
                bindings.append((t.start, t, cl))
            else:
                cl = self._resolve_title(t, bindings, clusters, by_kb, year)
            if cl is None and (t.qualifier is not None or t.role.startswith("minister_")):
                key = (t.role, t.qualifier)  # "وزير الحج والعمرة" is specific without a country
                cl = own.get(key)
                # a KB holder only for a qualified title: "وزير الصحة" alone could be any country's
                holders = self.kb.holders(t.role, t.qualifier, year) if year and cl is None and t.qualifier else []
                if cl is None and (len(holders) == 1 or self._speaker_context(sents[t.sent], t)):
                    cl = _Cluster(type="PER", kb=holders[0] if len(holders) == 1 else None)
                    clusters.append(cl)
                    own[key] = cl
                if cl is not None:  # later bare titles ("الوزير") refer back to this speaker
                    bindings.append((t.start, t, cl))
            if cl is not None:
                cl.titles.append(t)
                got[ti] = cl

    def _speaker_context(self, toks: tuple[Token, ...], t: TitleHit) -> bool:
        """Is this title the subject of a speech verb or the source of a report?

        A title with no named referent becomes an entity only then: the quotes stage needs such
        speakers ("وقال وزير الصحة المصري إن ..."), while a passing mention is not a named entity.
        """
        cues = self.lex.speech_cues
        words = [x.norm for x in toks[max(0, t.i - 3):t.i]] + [x.norm for x in toks[t.j:t.j + 2]]
        return any(w in cues or _strip_conj(w) in cues for w in words)

    def _resolve_title(self, t: TitleHit, bindings, clusters, by_kb, year) -> _Cluster | None:
        def same(b: TitleHit) -> bool:
            return _role_match(t.role, b.role) and (t.qualifier is None or b.qualifier in (None, t.qualifier))

        # 1. the same title bound to a name earlier in the article (nearest), else later
        before = [cl for pos, b, cl in bindings if pos < t.start and same(b)]
        if before:
            return before[-1]
        after = [cl for pos, b, cl in bindings if pos > t.start and same(b)]
        if after and len({id(cl) for cl in after}) == 1:
            return after[0]
        # 2. a person in the article whom the KB gives that role
        found = []
        for cl in clusters:
            if cl.kb and cl.type == "PER" and cl.names:
                roles = [r for r in cl.kb.roles
                         if _role_match(t.role, r.role) and (t.qualifier is None or r.of == t.qualifier)]
                if roles:
                    found.append((any(r.active(year) for r in roles), cl))
        active = [cl for ok, cl in found if ok]
        pick = active or [cl for _, cl in found]
        if len(pick) == 1:
            return pick[0]
        # 3. the KB's holder of that role at the publication date, if also named in the article
        if year and t.qualifier:
            holders = self.kb.holders(t.role, t.qualifier, year)
            if len(holders) == 1 and holders[0].id in by_kb:
                return by_kb[holders[0].id]
        return None

    # ---- output --------------------------------------------------------------------------

    def _entities(self, text: str, clusters: list[_Cluster]) -> list[Entity]:
        built = []
        for cl in clusters:
            mentions: dict[tuple[int, int], Mention] = {}
            for c in cl.names:
                s, e = _strip_honorifics(text, c, self.lex)
                mentions.setdefault((s, e), Mention(s, e, text[s:e], "name"))
            for t in cl.titles:
                mentions.setdefault((t.start, t.end), Mention(t.start, t.end, text[t.start:t.end], "title"))
            if not mentions:
                continue
            ms = tuple(sorted(mentions.values(), key=lambda m: (m.start, m.end)))
            names = [m for m in ms if m.kind == "name"]
            clitic = {(c.start, c.end) for c in cl.names if c.clitic}
            built_en = {(c.start, c.end): c.name_en for c in cl.names if c.name_en}
            if names:
                best = max(names, key=lambda m: ((m.start, m.end) not in clitic, len(m.text.split()), len(m.text), -m.start))
                name = best.text
                if (best.start, best.end) in clitic and cl.kb and cl.kb.ar:
                    name = cl.kb.ar[0]  # only "للدفاع المدني" in the text: the KB's "المديرية العامة ..."
            else:
                name = ms[0].text
            if cl.kb:
                name_en, kb_id = cl.kb.en, cl.kb.id
            elif names:
                name_en, kb_id = built_en.get((best.start, best.end)) or transliterate(name, cl.type), None
            else:
                t = cl.titles[0]
                name_en = f"{t.role_en} of {t.qualifier_en}" if t.qualifier_en else t.role_en
                kb_id = None
            built.append((ms[0].start, cl.type or "PER", strip_invisible(name), ms, name_en, kb_id))
        # one span belongs to one entity: the first (earliest-starting) keeps it
        seen: set[tuple[int, int]] = set()
        out = []
        for _first, typ, name, ms, name_en, kb_id in sorted(built, key=lambda b: b[0]):
            ms = tuple(m for m in ms if (m.start, m.end) not in seen)
            if not ms:
                continue
            seen.update((m.start, m.end) for m in ms)
            out.append(Entity(f"e{len(out) + 1}", typ, name, ms, name_en, kb_id))
        return out


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


def _short_form_owner(key: Key, typ: str, by_prefix: dict[Key, dict[int, _Cluster]],
                      by_suffix: dict[Key, dict[int, _Cluster]]) -> _Cluster | None:
    """The one cluster of this type with a longer name that ends (PER) or starts with ``key``.

    ``by_prefix`` / ``by_suffix``: clusters by the proper prefixes / suffixes of their names'
    keys (honorifics left out).
    """
    # a PER first name alone ("محمد") is too common to stand for a full name; a surname
    # ("رئيسي") or a longer start ("فيصل بن خالد") is not
    groups = [by_prefix.get(key, {})] if typ != "PER" or len(key) >= 2 else []
    if typ == "PER":
        groups.append(by_suffix.get(key, {}))
    owner: _Cluster | None = None
    for group in groups:
        for cl in group.values():
            if cl is owner or (cl.kb.type if cl.kb else cl.names[0].type) != typ:
                continue
            if owner is not None:
                return None  # two candidates: ambiguous
            owner = cl
    return owner


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


__all__ = ["EntityStage", "load_lexicon"]
