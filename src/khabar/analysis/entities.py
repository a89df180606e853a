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

This module keeps the stage (its steps in order, consolidation and output) and re-exports the
public names; the mention steps are in ``entity_mentions``, the title steps in ``entity_titles``,
the lexicon, records and shared word tests in ``entity_lexicon``.
"""

from __future__ import annotations

import warnings
from collections import Counter
from itertools import chain, pairwise
from operator import attrgetter
from typing import Any

from ..model import Document, Entity, Mention, Token
from .credits import credit_spans
from .entity_lexicon import (
    Cand,
    Lexicon,
    TitleHit,
    TitleSpec,
    _Cluster,
    _given_names,
    _name_key,
    _role_match,
    _strip_conj,
    _strip_honorifics,
    _transliterate,
    load_lexicon,
)
from .entity_mentions import _MentionFinder
from .entity_titles import _TitleReader
from .generic_words import load_generic_words
from .kb import KB, Key, load_kb
from .name_lexicons import load_name_lexicons, variant_key
from .text.normalize import strip_invisible


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


class EntityStage(_MentionFinder, _TitleReader):
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
        doc_norms = Counter(map(attrgetter("norm"), chain.from_iterable(sents)))
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
        outlet_words, place_words = self._scan_starts(doc_norms)
        for si, toks in enumerate(sents):  # "مجلس التنمية السياحية": head noun + complements
            merged[si], orgs = self._org_names(toks, si, merged[si], headed[si])
            headed[si].extend(orgs)
            outlets, gone = self._outlets(toks, si, merged[si] + headed[si], outlet_words)  # "CNN", "لـ«الغد»"
            merged[si] = [c for c in merged[si] if id(c) not in gone]
            headed[si] = [c for c in headed[si] if id(c) not in gone] + outlets
            headed[si].extend(self._places(toks, si, merged[si] + headed[si], place_words))  # small places no tagger saw
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
        credits = {si: spans for si, toks in enumerate(sents) if (spans := credit_spans(toks))}
        for c in cands:  # "(و م ع)", "/ وام /": the credited agency is an organisation (GUIDELINES,
            if any(a < c.j and c.i < b for a, b in credits.get(c.sent, ())):  # as the dev gold's "سبق-"),
                c.type = "ORG"  # whatever the tagger read in its initials
        cands.sort(key=lambda c: c.start)
        self._bind_titles(sents, cands, titles)
        for c in cands:  # "عادل بن أحمد الجبير" is the KB's "عادل الجبير"
            if c.type == "PER" and c.kb is None:
                c.kb = self.kb.person_by_first_last(_name_key(c.key, self.lex))
        # all per-call state stays in locals: one stage instance serves many threads at once
        clusters, cand_cluster = self._cluster(cands)
        self._attach_titles(clusters, cand_cluster, titles, year, sents)
        return self._entities(doc.text, clusters)
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
                name_en, kb_id = built_en.get((best.start, best.end)) or _transliterate(name, cl.type), None
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


# re-exported: callers and tests import these from the stage module
__all__ = ["Cand", "EntityStage", "Lexicon", "TitleHit", "TitleSpec", "load_lexicon"]
