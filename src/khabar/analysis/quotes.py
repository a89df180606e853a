"""Quotations and speakers: direct, indirect and mixed reported speech, attributed to an entity.

Rule-based, driven by the cue lexicon ``data/cues.json`` (speech verbs in all their forms,
circumstantial participles such as مضيفا, prepositional cues such as حسب, impersonal cues such
as يقال) and the verbs mined into ``data/speech_acts.json``. For every cue the stage finds

* the reported content: the words inside quotation marks, the words after ``قال:``, the clause
  after إن/أن, or the cue's object, up to the end of the sentence, the next continuing cue
  (مضيفا، وأشار ...) or the closing mark;
* the speaker: the noun phrase after the cue (VSO), before it (SVO, "من جانبه X ..."), the
  antecedent of a relative cue (الذي قال), or, when the subject is dropped (وأضاف), the previous
  speaker. Speaker phrases are linked to the entities an earlier stage found (a title mention
  such as "الرئيس الروسي" resolves to the person it names); phrases no entity covers become new
  entities (anonymous sources such as "مصدر مسؤول" with mention kind ``nominal``).

The stage works without an entities stage (it then finds every speaker phrase itself) and
never changes an existing entity other than adding mentions of its speaker phrases.

This module is the stage: it joins the parts and assembles the quotes. Modules beside it:
``quote_cues`` loads the cue lexicon (curated and corpus-mined verbs); ``quote_spans`` finds the
cues and builds the quoted spans; ``quote_speakers`` resolves speakers by rule; ``speakers``
re-ranks the speakers the rules found with a model trained on gold.
"""

from __future__ import annotations

import bisect
from typing import Any

from ..model import Document, Quote, Span
from .quote_cues import Cue, Lexicon, load_lexicon
from .quote_spans import _AR_COMMA, _PUNCT_TRIM, _QUOTE_CHARS, _Analyzer, _Cand, quote_mark_spans
from .quote_speakers import _Resolver
from .speakers import Layout, Ranker, load_ranker, resolve_speakers

# re-exported: callers and tests import these from the stage module
__all__ = ["QuoteStage", "extract_quotes", "load_lexicon", "quote_mark_spans", "who_said_what"]


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in _PUNCT_TRIM:
        s += 1
    while e > s and text[e - 1] in _PUNCT_TRIM:
        e -= 1
    if e > s and text[e - 1] in _QUOTE_CHARS and sum(ch in _QUOTE_CHARS for ch in text[s:e]) % 2 == 1:
        e -= 1  # a closing mark whose opening mark is outside the span
        while e > s and text[e - 1] in _PUNCT_TRIM:
            e -= 1
    if e > s and text[s] in _QUOTE_CHARS and sum(ch in _QUOTE_CHARS for ch in text[s:e]) % 2 == 1:
        s += 1
    return s, e


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def _narrator_cut(an: _Analyzer, s: int, e: int) -> int:
    """End a report at a closing quotation mark that a comma and a narrator's comment follow
    ("... «الكلمات»، وهو ما ..."): the comment is the article's, not the speaker's."""
    starts, toks, L = an.starts, an.toks, an.L
    for _o, c in an.qspans[bisect.bisect_left(an.qopens, s):bisect.bisect_left(an.qopens, e)]:
        x = bisect.bisect_right(starts, c)
        if c >= e or x >= len(toks) or toks[x].text not in (_AR_COMMA, ","):
            continue
        for phrase in an.lex.narrator_comments:
            if tuple(L[y] for y in range(x + 1, min(x + 1 + len(phrase), len(toks)))) == phrase \
                    and toks[x].start < e:
                return c + 1
    return e


def extract_quotes(doc: Document, lex: Lexicon | None = None, ranker: Ranker | None = None,
                   learned: bool = True) -> Document:
    """Find the quotations of ``doc`` and their speakers; return the document with both.

    The rules give each quotation a first speaker; unless ``learned`` is off (as when the ranker
    is trained on them), the learned ranker of ``khabar.analysis.speakers`` then has the last word.
    """
    lex = lex or load_lexicon()
    if not doc.sentences:
        return doc
    an = _Analyzer(doc, lex)
    cands = an.analyze()
    # a continuing cue (وأضاف، مشيرا، حسب المصدر ...) ends the content of the quotation before it
    def continues(k: int, cue: Cue, conj: bool) -> bool:
        if k > 0 and an.L[k - 1] in lex.relatives:
            return False  # الذي أكد فيه: a nested report, the outer one goes on
        return (cue.kind == "participle" or (conj and cue.kind in ("verb", "noun")) or k in an.nominal_ok
                or (cue.kind == "verb" and k > 0 and an.is_comma(k - 1)))

    stops = sorted([an.toks[k].start for k, cue, conj in an.cue_tokens if continues(k, cue, conj)]
                   # an attribution in parentheses, "... (قال فلان)", ends the report before it
                   + [an.toks[k - 1].start for k, _c, _j in an.cue_tokens if k > 0 and an.toks[k - 1].text == "("])
    for c in cands:
        if c.mode == "relative" and not c.bounded:
            # a nested report in a relative clause ends with its clause (at the next comma)
            commas = (doc.text.find(_AR_COMMA, c.start, c.end), doc.text.find(",", c.start, c.end))
            comma = min((p for p in commas if p > 0), default=-1)
            if comma > 0:
                c.end = comma
        if not c.bounded:
            x = bisect.bisect_right(stops, c.start)
            if x < len(stops) and stops[x] < c.end:
                c.end = stops[x]
            c.end = _narrator_cut(an, c.start, c.end)
        c.start, c.end = _trim(doc.text, c.start, c.end)
    cands = sorted((c for c in cands if c.end - c.start >= 3), key=lambda c: an.toks[c.cue_i].start)
    # a cue inside an earlier quotation reports nothing new unless it opens a relative
    # clause (كلام المرشد الذي أكد فيه أن ...) or names its own speaker inside an indirect
    # report (قال فلان إن الوزير أكد أن ...): a nested quotation
    kept: list[_Cand] = []
    for c in cands:
        pos = an.toks[c.cue_i].start
        recent = kept[-12:]  # cues come in text order: only the last quotations can contain this one
        around = [k for k in recent if k.start <= pos < k.end]
        if around and c.mode == "np" and c.np is not None and not c.bounded and all(
                k.kind == "indirect" and not k.bounded and k.start <= c.start and c.end <= k.end
                and an.toks[c.np[0]].start >= k.start for k in around):
            c.nested = True  # قال فلان إن الوزير أكد أن ...: a report inside a report, with its own subject
        elif c.mode != "relative" and around:
            continue
        if c.mode != "relative" and any(_overlap((k.start, k.end), (c.start, c.end)) > 0.8 for k in recent):
            continue
        kept.append(c)
    future = [tuple(t.norm for t in an.toks[c.np[0]:c.np[1]] if t.norm[:1].isalnum())
              for c in kept if c.np is not None]
    res = _Resolver(an, [f for f in future if f])
    resolved = res.resolve(kept)
    quotes = []
    for n, (c, sp, span) in enumerate(sorted(resolved, key=lambda r: (r[0].start, r[0].end)), 1):
        kind = c.kind
        inside = an.qspans[bisect.bisect_left(an.qopens, c.start):bisect.bisect_right(an.qopens, c.end)]
        if kind == "indirect" and any(an.words_between(o, cl) >= 2 for o, cl in inside if cl <= c.end):
            kind = "mixed"
        cue_tok = an.toks[c.cue_i]
        quotes.append(Quote(
            id=f"q{n}", start=c.start, end=c.end, text=doc.text[c.start:c.end], kind=kind,
            speaker=sp.key if sp is not None else None,
            speaker_mention=Span.of(doc.text, *span) if span else None,
            cue=Span.of(doc.text, cue_tok.start, cue_tok.end),
        ))
    out = doc.with_(entities=res.entities_out(), quotes=tuple(quotes))
    if not learned:
        return out
    lay = Layout(None, an.starts, [t.norm for t in an.toks], an.sent, [a for a, _b in an.sbounds])
    return resolve_speakers(out, ranker, lay)


class QuoteStage:
    """Pipeline stage ``quotes``: fills ``doc.quotes`` and adds speaker entities and mentions.

    It uses the entities of an earlier stage when there are any (run it after ``entities``);
    without them it finds every speaker phrase itself.
    """

    name = "quotes"
    reads = frozenset({"text", "sentences", "tokens"})
    reads_optional = frozenset({"entities", "timexes"})
    writes = frozenset({"quotes", "entities"})
    extends = frozenset({"entities"})  # speakers are added; earlier entities and their ids stay

    def __init__(self, learned: bool = True) -> None:
        self.lexicon = load_lexicon()
        self.learned = learned
        self.ranker = load_ranker() if learned else None

    def __call__(self, doc: Document) -> Document:
        return extract_quotes(doc, self.lexicon, self.ranker, self.learned)


def who_said_what(doc: Document) -> list[dict[str, Any]]:
    """Rows (speaker, English name, type, kind, cue, quote) for reports and ``khabar quotes``."""
    rows = []
    for q in doc.quotes:
        e = doc.entity(q.speaker)
        rows.append({
            "speaker": e.name if e else (q.speaker_mention.text if q.speaker_mention else None),
            "name_en": e.name_en if e else None,
            "type": e.type if e else None,
            "kind": q.kind, "cue": q.cue.text if q.cue else None, "quote": q.text,
        })
    return rows
