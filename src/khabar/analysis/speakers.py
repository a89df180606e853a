"""Speaker resolution learned from gold: candidates, features and a logistic-regression ranker.

The quotes stage finds each quotation and a first speaker by rule (``quote_speakers._Resolver``). This
module then looks at every entity that could have said it (entities mentioned around the cue,
title mentions, anonymous sources the rules created, the previous speaker for a dropped
subject), describes each with a few features (distance and position around the cue, entity
type, mention kind, title-of links, salience, whether the rules picked it) and ranks them with
a conditional logistic regression whose weights ship in ``data/speaker_ranker.json`` (trained
by ``scripts/train_speakers.py`` on the dev gold articles; numpy only at run time).

Two constraints hold whatever the ranker says: a title mention resolves to the named person it
stands for when the article names one (title immediately before the name somewhere in the
text), and a generic noun (a report, a company, a pronoun) is never a PER speaker.
"""

from __future__ import annotations

import bisect
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from operator import mul

import numpy as np

from ..model import Document, Entity, Quote, Span
from .generic_words import GenericWords, load_generic_words
from .text.normalize import normalize

FEATURES = (
    "rule_pick",  # the rule resolver chose this entity
    "rule_pick_explicit",  # ... reading a subject phrase at the cue (not a dropped subject)
    "rule_phrase",  # a mention overlaps the phrase the rules read as the speaker
    "previous_speaker",  # the (rule) speaker of the quotation before: a dropped subject
    "type_per", "type_org", "type_loc", "type_misc",
    "kind_title", "kind_nominal",  # the kind of the mention nearest the cue
    "after_cue",  # right after the cue, before the content (قال الوزير ...)
    "before_cue_same_sentence",  # SVO subject or the antecedent of a relative cue
    "after_cue_same_sentence",  # further after the cue in its sentence
    "sentence_before", "two_sentences_before",
    "log_distance",  # tokens between the mention and the cue
    "sentence_initial",  # among the first three tokens of its sentence (a subject)
    "after_preposition",  # the object of a preposition (لوكالة، مع الرئيس): an addressee or a medium
    "in_other_quote",  # inside another quotation's words
    "in_timex",  # part of a time expression
    "log_mentions",  # salience: mentions in the article
    "log_quotes_before",  # quotations the rules gave this entity before this one
    "generic",  # its name is a common word (التقرير، الشركة، هو)
    "title_only",  # only title or nominal mentions
    "named_with_title",  # a named person with a title mention
)
_PREV_WINDOW = 2  # sentences before the cue's sentence that candidates may come from
# prepositions and clitic prepositions whose object is not a speaker: 'in', 'from', 'to', 'on',
# 'about', 'with', 'to/for' (the clitic ل)
_PREPOSITIONS = frozenset(normalize(w).text for w in ("في", "من", "إلى", "على", "عن", "مع", "لـ", "ل"))
_COMMAS = frozenset({"،", ","})  # Arabic and Latin commas
_LAM = normalize("ل").text  # the clitic preposition 'to/for' (لوكالة 'to the agency')


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entity that may have said a quotation, through the mention nearest its cue."""

    entity: str
    mention: tuple[int, int]
    features: tuple[float, ...]


@dataclass(frozen=True)
class Ranker:
    """Weights of the conditional logistic regression (one per name in ``FEATURES``)."""

    weights: np.ndarray

    def scores(self, cands: list[Candidate]) -> list[float]:
        # a few candidates of 25 features: plain Python beats building a numpy array each time
        w = self.weights.tolist()
        return [sum(map(mul, c.features, w)) for c in cands]  # the same products, summed in the same order

    @classmethod
    def from_dict(cls, d: dict) -> Ranker:
        missing = [f for f in FEATURES if f not in d["weights"]]
        if missing:
            raise ValueError(f"speaker ranker weights lack features: {', '.join(missing)}")
        return cls(np.array([d["weights"][f] for f in FEATURES], dtype=float))

    def to_dict(self) -> dict:
        return {"features": list(FEATURES), "weights": {f: round(float(w), 5) for f, w in zip(FEATURES, self.weights)}}


@lru_cache(maxsize=1)
def load_ranker() -> Ranker:
    raw = json.loads(resources.files("khabar.data").joinpath("speaker_ranker.json").read_text(encoding="utf-8"))
    return Ranker.from_dict(raw)


@lru_cache(maxsize=1)
def _honorifics() -> frozenset[str]:
    raw = json.loads(resources.files("khabar.data").joinpath("titles.json").read_text(encoding="utf-8"))
    return frozenset(w for h in raw["honorifics"] + raw["rank_complements"] for w in normalize(h).text.split())


class Layout:
    """Token and sentence positions of a document, for distances and positions around a cue
    (the quotes stage passes its own, so that they are not listed twice)."""

    def __init__(self, doc: Document | None, starts: list[int] | None = None, norms: list[str] | None = None,
                 sent_of: list[int] | None = None, sent_first: list[int] | None = None):
        self.starts: list[int] = starts or []
        self.norms: list[str] = norms or []
        self.sent_of: list[int] = sent_of or []
        self.sent_first: list[int] = sent_first or []
        for si, s in enumerate(doc.sentences if doc is not None else ()):
            self.sent_first.append(len(self.starts))
            for t in s.tokens:
                self.starts.append(t.start)
                self.norms.append(t.norm)
                self.sent_of.append(si)

    def token(self, pos: int) -> int:
        """Index of the token starting at or before ``pos``."""
        return max(0, bisect.bisect_right(self.starts, pos) - 1)


def _is_generic(ent: Entity, generic: GenericWords) -> bool:
    return _generic_name(ent.name, generic)


@lru_cache(maxsize=1 << 14)
def _generic_name(name: str, generic: GenericWords) -> bool:
    words = tuple(w for w in normalize(name).text.split() if w[:1].isalnum())
    # (an anonymous source such as مصدر مسؤول 'an official source' is specific: not generic)
    return bool(words) and all(generic.is_pronoun(w) or generic.is_noun(w) for w in words)


def title_links(doc: Document, lay: Layout | None = None, only: set[str] | None = None) -> dict[str, str]:
    """Title-only PER entities (those in ``only``, when given) -> the named person a title stands
    for: somewhere in the text one of the title's mentions (or its words) comes right before a
    mention of a named PER entity, with nothing but honorifics (الدكتور، الشيخ) between."""
    lay = lay or Layout(doc)
    if not lay.starts:
        return {}
    honorifics = _honorifics()
    titles = [e for e in doc.entities if e.type == "PER" and e.mentions and (only is None or e.id in only)
              and not any(m.kind == "name" for m in e.mentions)]
    if not titles:
        return {}
    name_at: dict[int, str] = {}
    for e in doc.entities:
        if e.type == "PER" and any(m.kind == "name" for m in e.mentions):
            for m in e.mentions:
                name_at.setdefault(lay.token(m.start), e.id)
    links: dict[str, str] = {}
    holders = [(e.id, [_title_words(m.text) for m in e.mentions if m.kind == "title"]) for e in doc.entities
               if e.type == "PER" and any(m.kind == "name" for m in e.mentions)]
    for e in titles:
        ends = {m.end for m in e.mentions}
        pos = doc.text.find(e.name)
        while pos >= 0:
            ends.add(pos + len(e.name))
            pos = doc.text.find(e.name, pos + 1)
        for end in sorted(ends):
            x = bisect.bisect_left(lay.starts, end)
            if x + 1 < len(lay.starts) and lay.norms[x] in _COMMAS and x not in name_at:
                x += 1  # "المتحدث باسم الحكومة، فلان،": the name in apposition after a comma
            while x < len(lay.starts) and x not in name_at and lay.norms[x] in honorifics:
                x += 1  # رئيس البلدية الدكتور فلان: an honorific between the title and the name
            hit = name_at.get(x)
            if hit is not None and hit != e.id:
                links[e.id] = hit
                break
        if e.id not in links:
            # a shorter form of a title the article gave a named person ("المتحدث باسم الوزارة" after
            # "المتحدث باسم وزارة الخارجية فلان"): the same first word, its other words among the title's
            words = [_title_words(m.text) for m in e.mentions]
            found = {pid for pid, held in holders for t in held for w in words
                     if w and t and w[0] == t[0] and set(w) <= set(t)}
            if len(found) == 1:
                links[e.id] = found.pop()
    return links


def _title_words(text: str) -> tuple[str, ...]:
    """A title's normalised words without conjunction and article ("والمتحدث" -> "متحدث")."""
    out = []
    for w in normalize(text).text.split():
        if w[:1] in "وف" and len(w) > 3 and w[1:3] == "ال":  # and, so + the article
            w = w[1:]
        if w.startswith(("لل", "ال")) and len(w) > 4:  # for the, the
            w = w[2:]
        if w[:1].isalnum():
            out.append(w)
    return tuple(out)


class _Context:
    """What the features need from a document, computed once: token positions, every mention
    by token and by start, the quotations and time expressions around each mention, per-entity
    facts. A quotation's candidates then cost a few bisections (linear in the text overall)."""

    def __init__(self, doc: Document, generic: GenericWords, lay: Layout | None = None):
        self.doc, self.lay = doc, lay or Layout(doc)
        lay = self.lay
        self.ents = list(doc.entities)
        self.index = {e.id: x for x, e in enumerate(self.ents)}
        self.facts = []  # (type, mentions, generic, no name mention, name with a title mention)
        rows = []
        for x, e in enumerate(self.ents):
            kinds = {m.kind for m in e.mentions}
            self.facts.append((e.type, len(e.mentions), _is_generic(e, generic), "name" not in kinds,
                               "name" in kinds and bool(kinds & {"title", "nominal"})))
            rows += [(lay.token(m.start), m.start, m.end, m.kind, x) for m in e.mentions]
        rows.sort()
        self.rows = rows
        self.row_toks = [r[0] for r in rows]
        self.by_entity: dict[int, list[int]] = {}  # rows of each entity, in text order
        for n, r in enumerate(rows):
            self.by_entity.setdefault(r[4], []).append(n)
        self.by_start = sorted(range(len(rows)), key=lambda n: rows[n][1])
        self.starts = [rows[n][1] for n in self.by_start]
        self.max_len = max((r[2] - r[1] for r in rows), default=0)
        self.quotes_at: list[list[str]] = [[] for _ in rows]  # ids of the quotations around a mention
        for q in doc.quotes:
            for n in self.starting_in(q.start, q.end):
                self.quotes_at[n].append(q.id)
        self.in_timex = [False] * len(rows)
        for t in doc.timexes:
            for n in self.starting_in(t.start, t.end):
                self.in_timex[n] = True

    def starting_in(self, a: int, b: int) -> list[int]:
        return self.by_start[bisect.bisect_left(self.starts, a):bisect.bisect_left(self.starts, b)]

    def nearest_of(self, x: int, ci: int, q: Quote) -> int | None:
        """The row of entity x nearest token ci outside q's words (two neighbours each side)."""
        own = self.by_entity.get(x, [])
        toks = [self.rows[n][0] for n in own]
        k = bisect.bisect_left(toks, ci)
        best = None
        for n in own[max(0, k - 3):k + 3]:
            if not (q.start <= self.rows[n][1] < q.end):
                d = abs(self.rows[n][0] - ci)
                if best is None or d < best[0]:
                    best = (d, n)
        return None if best is None else best[1]

    def candidates(self, q: Quote, previous: str | None, said_before: dict[str, int]) -> list[Candidate]:
        """Every entity that may have said ``q``, with its features (see ``FEATURES``)."""
        lay, rows, text = self.lay, self.rows, self.doc.text
        if q.cue is None or not lay.starts:
            return []
        ci = lay.token(q.cue.start)
        cs = lay.sent_of[ci]
        lo = lay.sent_first[max(0, cs - _PREV_WINDOW)]
        hi = lay.sent_first[cs + 1] if cs + 1 < len(lay.sent_first) else len(lay.starts)
        phrase = (q.speaker_mention.start, q.speaker_mention.end) if q.speaker_mention else None
        content_tok = lay.token(q.start)
        near = list(range(bisect.bisect_left(self.row_toks, lo), bisect.bisect_left(self.row_toks, hi)))
        for key in (q.speaker, previous):
            x = self.index.get(key) if key is not None else None
            n = self.nearest_of(x, ci, q) if x is not None else None
            if n is not None:
                near.append(n)
        best: dict[int, tuple[float, int]] = {}
        for n in near:
            k, ms, _me, _kind, x = rows[n]
            if q.start <= ms < q.end:
                continue  # the quotation's own words
            d = abs(k - ci) + (0.5 if k > ci else 0.0)  # on a tie, the mention before the cue
            if x not in best or (d, n) < best[x]:
                best[x] = (d, n)
        on_phrase: set[int] = set()
        if phrase is not None:
            for n in self.starting_in(phrase[0] - self.max_len, phrase[1]):
                if rows[n][2] > phrase[0] and not (q.start <= rows[n][1] < q.end):
                    on_phrase.add(rows[n][4])
        out: list[Candidate] = []
        for x in sorted(best):
            e = self.ents[x]
            n = best[x][1]
            k, ms, me, kind, _x = rows[n]
            ks = lay.sent_of[k]
            after_cue = ci < k <= ci + 4 and (k <= content_tok or q.start < q.cue.start)
            prev_norm = lay.norms[k - 1] if k > 0 else ""
            glued_lam = lay.starts[k] < ms and text[ms - 1:ms] == _LAM  # لوكالة: ل on the word
            etype, n_mentions, generic, title_only, named_with_title = self.facts[x]
            f = (
                float(e.id == q.speaker),
                float(e.id == q.speaker and phrase is not None),
                float(x in on_phrase),
                float(e.id == previous),
                float(etype == "PER"), float(etype == "ORG"), float(etype == "LOC"), float(etype == "MISC"),
                float(kind == "title"), float(kind == "nominal"),
                float(after_cue),
                float(ks == cs and k < ci),
                float(ks == cs and k > ci and not after_cue),
                float(ks == cs - 1), float(ks == cs - 2),
                math.log1p(abs(k - ci)),
                float(k - lay.sent_first[ks] < 3),
                float(prev_norm in _PREPOSITIONS or glued_lam),
                float(any(qid != q.id for qid in self.quotes_at[n])),
                float(self.in_timex[n]),
                math.log1p(n_mentions),
                math.log1p(said_before.get(e.id, 0)),
                float(generic),
                float(title_only),
                float(named_with_title),
            )
            out.append(Candidate(e.id, (ms, me), f))
        return out


def quote_candidates(doc: Document, lay: Layout | None = None) -> list[list[Candidate]]:
    """Candidates for each quotation of ``doc`` (as the quotes stage's rules left it), in order."""
    ctx = _Context(doc, load_generic_words(), lay)
    said_before: dict[str, int] = {}
    previous: str | None = None
    by_id = {}
    spans = sorted((q.start, q.end, q.id) for q in doc.quotes)
    opens = [a for a, _b, _i in spans]
    for q in sorted(doc.quotes, key=lambda q: q.cue.start if q.cue else q.start):
        by_id[q.id] = ctx.candidates(q, previous, said_before)
        if q.speaker is not None:
            said_before[q.speaker] = said_before.get(q.speaker, 0) + 1
            pos = q.cue.start if q.cue else q.start
            k = bisect.bisect_right(opens, pos)
            # (a report nested in another one leaves the dropped subject to the outer one;
            # quotations never nest deeply: the last few opened before the cue are enough)
            if not any(a <= pos < b and i != q.id for a, b, i in spans[max(0, k - 12):k]):
                previous = q.speaker
    return [by_id[q.id] for q in doc.quotes]


def resolve_speakers(doc: Document, ranker: Ranker | None = None, lay: Layout | None = None) -> Document:
    """Re-rank the speakers the rules gave ``doc``'s quotations; quotes the rules left without a
    speaker (impersonal cues: يقال) stay without one."""
    if all(q.speaker is None for q in doc.quotes):
        return doc
    ranker = ranker or load_ranker()
    generic = load_generic_words()
    ents = {e.id: e for e in doc.entities}
    lay = lay or Layout(doc)
    picks = []
    for q, cands in zip(doc.quotes, quote_candidates(doc, lay)):
        pick = None
        if q.speaker is not None and cands:
            scores = ranker.scores(cands)
            for x in sorted(range(len(cands)), key=lambda x: -scores[x]):  # (stable: ties keep text order)
                e = ents[cands[x].entity]
                if not (e.type == "PER" and _is_generic(e, generic)):  # a common word never names a person who speaks
                    pick = cands[x]
                    break
        picks.append((pick, bool(cands)))
    links = title_links(doc, lay, {p.entity for p, _c in picks if p is not None})
    quotes = []
    for q, (pick, ranked) in zip(doc.quotes, picks):
        if q.speaker is None or not ranked:
            quotes.append(q)
            continue
        if pick is None:  # only common words to choose from: no speaker rather than a wrong one
            quotes.append(Quote(q.id, q.start, q.end, q.text, q.kind, None, None, q.cue))
            continue
        key = links.get(pick.entity, pick.entity)
        if key == q.speaker:
            quotes.append(q)
            continue
        mention = pick.mention if key == pick.entity else None
        if mention is not None and lay.sent_of[lay.token(mention[0])] != lay.sent_of[lay.token(q.cue.start)]:
            mention = None  # a dropped subject: the speaker is not named at the cue
        quotes.append(Quote(q.id, q.start, q.end, q.text, q.kind, key,
                            Span.of(doc.text, *mention) if mention else None, q.cue))
    return doc.with_(quotes=tuple(quotes))
