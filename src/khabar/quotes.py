"""Quotations and speakers: direct, indirect and mixed reported speech, attributed to an entity.

Rule-based, driven by the cue lexicon ``data/cues.json`` (speech verbs in all their forms,
circumstantial participles such as مضيفا, prepositional cues such as حسب, impersonal cues such
as يقال). For every cue the stage finds

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
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from .model import Document, Entity, Mention, Quote, Span, Token
from .text.normalize import normalize

# Quotation marks: openers, closers, and marks used both ways.
_OPEN_CLOSE = {"«": "»", "“": "”", "„": "“", "‹": "›", '"': '"', "»": "«", "”": "“"}
_QUOTE_CHARS = set("«»“”„‹›\"")
_PUNCT_TRIM = " \t\r\n.,،؛;:!?؟…-–—ـ"


def _n(s: str) -> str:
    return normalize(s).text


@dataclass(frozen=True, slots=True)
class Cue:
    """One cue form: what kind of cue it is and how it takes its content."""

    lemma: str
    kind: str  # verb | participle | nominal | impersonal | noun
    obj: tuple[str, ...] = ()
    bare: bool = False
    strict: bool = False
    cognition: bool = False
    source_prep: str | None = None


@dataclass(frozen=True)
class Lexicon:
    forms: dict[str, Cue]
    exclude_bare: frozenset[str]
    narration: frozenset[str]
    complementizers: frozenset[str]
    not_before_comp: frozenset[str]
    relatives: frozenset[str]
    openers: tuple[tuple[str, ...], ...]
    groups: frozenset[str]
    np_stop: frozenset[str]
    np_skip: frozenset[str]
    speech_nouns: frozenset[str]
    doc_nouns: frozenset[str]
    source_nouns: frozenset[str]
    org_heads: frozenset[str]
    misc_heads: frozenset[str]
    nominal_heads: frozenset[str]
    need_next: dict[str, str]

    def lookup(self, tok: Token) -> tuple[Cue | None, bool]:
        """The cue a token is (if any) and whether it carries a conjunction و/ف."""
        norm = tok.norm
        cue = self.forms.get(norm)
        if cue is not None and norm not in self.exclude_bare:
            return cue, False
        if len(norm) > 3 and norm[0] in "وف":
            cue = self.forms.get(norm[1:])
            if cue is not None:
                return cue, True
        return None, False


def _set(items: list[str]) -> frozenset[str]:
    return frozenset(_n(x) for x in items)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Read and expand the packaged cue lexicon (built once per process)."""
    raw = json.loads(resources.files("khabar.data").joinpath("cues.json").read_text(encoding="utf-8"))
    forms: dict[str, Cue] = {}
    psuf, isuf, partsuf = raw["perfect_suffixes"], raw["imperfect_suffixes"], raw["participle_suffixes"]

    def add(form: str, cue: Cue) -> None:
        forms.setdefault(_n(form), cue)

    for v in raw["verbs"]:
        opts = dict(lemma=v["perfect"], obj=tuple(_n(p) for p in v.get("obj", [])), bare=v.get("bare", False),
                    strict=v.get("strict", False), cognition=v.get("cognition", False),
                    source_prep=_n(v["source_prep"]) if v.get("source_prep") else None)
        verb = Cue(kind="verb", **opts)
        part = Cue(kind="participle", **opts)
        for f in v.get("forms", []):
            add(f, verb)
        for f in v.get("participles", []):
            add(f, part)
        if v.get("only_forms") or "forms" in v:
            continue
        for s in psuf:
            add(v["perfect"] + s, verb)
        imp = v.get("imperfect")
        if imp:
            stems = [imp] if v.get("no_imperfect") else [imp, "ت" + imp[1:]]
            if v.get("no_imperfect"):
                stems = ["ت" + imp[1:]]
            for st in stems:
                for s in isuf:
                    add(st + s, verb)
        if v.get("participle"):
            for s in partsuf:
                if s:
                    add(v["participle"] + s, part)
    for f in raw["verbal_nouns"]["forms"]:
        add(f, Cue(lemma=f, kind="noun", strict=True))
    for f in raw["impersonal"]["forms"]:
        forms[_n(f)] = Cue(lemma=f, kind="impersonal", strict=True)
    for f in raw["nominal"]["forms"]:
        forms[_n(f)] = Cue(lemma=f, kind="nominal")
    narration = _set(raw["narration"]["forms"])
    for f in narration:
        forms.pop(f, None)
    return Lexicon(
        forms=forms,
        exclude_bare=_set(raw["exclude_bare"]["forms"]),
        narration=narration,
        complementizers=_set(raw["complementizers"]),
        not_before_comp=_set(raw["not_before_complementizer"]),
        relatives=_set(raw["relative_pronouns"]),
        openers=tuple(tuple(_n(w) for w in o.split()) for o in raw["continuation_openers"]),
        groups=_set(raw["group_speakers"]["forms"]),
        np_stop=_set(raw["np_stop_words"]),
        np_skip=_set(raw["np_skip_words"]),
        speech_nouns=_set(raw["speech_nouns"]),
        doc_nouns=_set(raw["doc_nouns"]),
        source_nouns=_set(raw["source_nouns"]),
        org_heads=_set(raw["org_heads"]),
        misc_heads=_set(raw["misc_heads"]),
        nominal_heads=_set(raw["nominal_heads"]),
        need_next={_n(k): _n(v) for k, v in raw["nominal"]["need_next_prefix"].items()},
    )


# ----------------------------------------------------------------------------- quotation marks


def quote_mark_spans(text: str) -> list[tuple[int, int]]:
    """``(open, close)`` character positions of quotation-mark pairs, paragraph by paragraph.

    ``close`` is the index of the closing mark, or the end of the paragraph when the opening
    mark is never closed there (news style often leaves a quotation open to the line's end).
    A closing-only mark (» or ”) opens a quotation when a letter follows it (»المنجل»).
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        a, b = pos, pos + len(line)
        pos = b + 1
        current: tuple[int, str] | None = None
        for i in range(a, b):
            c = text[i]
            if c not in _QUOTE_CHARS:
                continue
            if current is None:
                nxt = text[i + 1] if i + 1 < b else " "
                if c in "»”›" and not (nxt.isalpha() or nxt in "\u064b\u064c"):
                    continue  # a stray closing mark
                current = (i, c)
                continue
            o = current[1]
            closes = c == _OPEN_CLOSE.get(o) or (o in "“„\"" and c in "”“\"") or (o in "»«" and c in "»«")
            if closes:
                spans.append((current[0], i))
                current = None
            elif c in "«„":
                spans.append((current[0], i))  # an unbalanced mark ends where a new one opens
                current = (i, c)
        if current is not None:
            end = b
            while end > current[0] + 1 and text[end - 1].isspace():
                end -= 1
            spans.append((current[0], end))
    return spans


# ----------------------------------------------------------------------------- analysis


@dataclass
class _Cand:
    cue_i: int
    cue: Cue
    conj: bool
    start: int
    end: int
    kind: str
    mode: str  # np | drop | participle | none | relative | before
    np: tuple[int, int] | None = None
    bounded: bool = False  # content closed by a quotation mark (not cut by later cues)
    doc_pp: str | None = None  # a document noun in the cue's PP (في بيان) -> the speaker's
    nested: bool = False


@dataclass
class _Speaker:
    key: str  # entity id
    tokens: tuple[str, ...]
    spans: list[tuple[int, int]] = field(default_factory=list)


class _Analyzer:
    def __init__(self, doc: Document, lex: Lexicon):
        self.doc, self.lex, self.text = doc, lex, doc.text
        self.toks: list[Token] = []
        self.sent: list[int] = []
        self.sbounds: list[tuple[int, int]] = []
        for si, s in enumerate(doc.sentences):
            a = len(self.toks)
            self.toks.extend(s.tokens)
            self.sent.extend([si] * len(s.tokens))
            self.sbounds.append((a, len(self.toks)))
        self.starts = [t.start for t in self.toks]
        self.newlines = [i for i, c in enumerate(self.text) if c == "\n"]
        self.qspans = quote_mark_spans(self.text)
        self.open_at = {o: (o, c) for o, c in self.qspans}
        self.close_at = {c: (o, c) for o, c in self.qspans}
        self.qstarts = sorted(self.qspans)
        # entity mentions (from an earlier stage), by start offset
        self.mentions: list[tuple[int, int, str, str]] = sorted(
            (m.start, m.end, e.id, e.type) for e in doc.entities for m in e.mentions
        )
        self.mstarts = [m[0] for m in self.mentions]

    # --- helpers on tokens
    def para(self, pos: int) -> int:
        return bisect.bisect_right(self.newlines, pos)

    def words_between(self, a: int, b: int) -> int:
        i = bisect.bisect_left(self.starts, a)
        n = 0
        while i < len(self.toks) and self.toks[i].start < b:
            if self.toks[i].norm[:1].isalnum():
                n += 1
            i += 1
        return n

    def in_direct(self, pos: int) -> bool:
        """Inside a quotation of three words or more (a quotation, not a quoted name)."""
        i = bisect.bisect_right(self.qstarts, (pos, 10**12)) - 1
        while i >= 0:
            o, c = self.qstarts[i]
            if o < pos < c and self.words_between(o, c) >= 3:
                return True
            if c < pos and i < len(self.qstarts) and o < pos - 2000:
                break
            i -= 1
        return False

    def tok_is_open(self, k: int) -> tuple[int, int] | None:
        t = self.toks[k]
        if t.text[0] in _QUOTE_CHARS:
            for p in range(t.start, t.end):
                if p in self.open_at:
                    return self.open_at[p]
        return None

    def is_comp(self, k: int, cue: Cue) -> bool:
        t = self.toks[k]
        if t.norm not in self.lex.complementizers:
            return False
        if k > 0:
            prev = self.toks[k - 1].norm
            if prev in self.lex.not_before_comp and prev not in cue.obj:
                return False
        return True

    def has_prefix(self, t: Token, letter: str) -> bool:
        return any(s.kind == "prefix" and _n(s.text) == letter for s in t.segments)

    def is_obj(self, k: int, cue: Cue) -> bool:
        t = self.toks[k]
        if t.norm in cue.obj:
            return True
        return "ب" in cue.obj and self.has_prefix(t, "ب") and t.norm not in ("باسم",)

    def sent_end(self, k: int) -> int:
        return self.sbounds[self.sent[k]][1]

    def sent_start(self, k: int) -> int:
        return self.sbounds[self.sent[k]][0]

    def is_word(self, k: int) -> bool:
        return self.toks[k].norm[:1].isalnum()

    # --- content spans
    def content_to(self, k0: int, k_end: int) -> tuple[int, int]:
        """Character span from token k0 to the end of token k_end-1."""
        if k0 >= k_end:
            return (self.toks[k0].start, self.toks[k0].start) if k0 < len(self.toks) else (0, 0)
        return self.toks[k0].start, self.toks[k_end - 1].end

    def colon_end(self, k: int) -> int:
        """Token index where words after ``قال:`` end: the paragraph, at most 3 more sentences
        and not past a sentence holding another cue."""
        si = self.sent[k]
        end = self.sbounds[si][1]
        para = self.para(self.toks[k].start)
        for sj in range(si + 1, min(si + 4, len(self.sbounds))):
            a, b = self.sbounds[sj]
            if a >= b or self.para(self.toks[a].start) != para:
                break
            if any(self.lex.lookup(self.toks[x])[0] is not None for x in range(a, b)):
                break
            end = b
        return end

    # --- cue analysis
    def analyze(self) -> list[_Cand]:
        cands: list[_Cand] = []
        consumed: set[int] = set()
        self.cue_tokens: list[tuple[int, Cue, bool]] = []
        for k, t in enumerate(self.toks):
            cue, conj = self.lex.lookup(t)
            if cue is None or self.in_direct(t.start):
                continue
            self.cue_tokens.append((k, cue, conj))
        for k, cue, conj in self.cue_tokens:
            if k in consumed:
                continue
            if cue.kind == "nominal":
                c = self.nominal(k, cue, consumed)
            else:
                c = self.verbal(k, cue, conj, consumed)
            if c is not None and c.end > c.start:
                cands.append(c)
        return cands

    def np_region_consume(self, a: int, b: int, consumed: set[int]) -> None:
        consumed.update(range(a, b))

    def verbal(self, i: int, cue: Cue, conj: bool, consumed: set[int]) -> _Cand | None:
        toks, lex = self.toks, self.lex
        se = self.sent_end(i)
        limit = min(se, i + 30)
        found, kind_found = None, None
        # "أوضح ذلك الناطق": the content precedes the cue
        j = i + 1
        while j < se and toks[j].norm in (_n("أيضا"),):
            j += 1
        if cue.kind in ("verb",) and j < se and toks[j].norm == _n("ذلك") and i > self.sent_start(i) + 2:
            a = self.sent_start(i)
            if toks[a].norm in ("و",):
                a += 1
            npe = self.np_end(j + 1, se)
            self.np_region_consume(i + 1, npe, consumed)
            s, e = self.content_to(a, i)
            return _Cand(i, cue, conj, s, e, "indirect", "before", (j + 1, npe))
        k = i + 1
        while k < limit:
            t = toks[k]
            if t.text in (":", "："):
                found, kind_found = k, "colon"
                break
            if self.tok_is_open(k) is not None:
                o, c = self.tok_is_open(k)
                if self.words_between(o, c) >= 3:
                    found, kind_found = k, "mark"
                    break
                # a short quoted name: skip past it
                while k + 1 < limit and toks[k + 1].start <= c:
                    k += 1
                k += 1
                continue
            if self.is_comp(k, cue):
                found, kind_found = k, "comp"
                break
            if cue.obj and self.is_obj(k, cue) and (cue.kind != "participle" or k <= i + 2):
                if k + 1 < se and self.is_comp(k + 1, cue):
                    found, kind_found = k + 1, "comp"
                else:
                    found, kind_found = k, "obj"
                break
            if cue.kind == "participle" and k > i + 2:
                break
            c2, conj2 = lex.lookup(t)
            if c2 is not None and c2.kind in ("verb", "participle") and conj2:
                break
            k += 1
        cand: _Cand | None = None
        np_a, np_b = i + 1, found if found is not None else i + 1
        if kind_found == "colon":
            k = found + 1
            if k < se and self.tok_is_open(k) is not None:
                o, c = self.tok_is_open(k)
                cand = _Cand(i, cue, conj, o + 1, c, "direct", "np", bounded=True)
            else:
                if k < len(toks) and self.is_comp(k, cue):
                    k += 1
                end = self.colon_end(found)
                if k < end:
                    s, e = self.content_to(k, end)
                    cand = _Cand(i, cue, conj, s, e, "direct", "np")
        elif kind_found == "mark":
            o, c = self.tok_is_open(found)
            cand = _Cand(i, cue, conj, o + 1, c, "direct", "np", bounded=True)
        elif kind_found == "comp":
            np_b = found - 1 if found - 1 > i and toks[found - 1].norm in cue.obj else found
            k = found + 1
            if k < se and toks[k].text in (":",):
                k += 1
            if k < se:
                op = self.tok_is_open(k)
                if op is not None and self.words_between(op[0], op[1]) >= 3 and \
                        self.words_between(op[1] + 1, toks[se - 1].end) == 0:
                    cand = _Cand(i, cue, conj, op[0] + 1, op[1], "direct", "np", bounded=True)
                else:
                    s, e = self.content_to(k, se)
                    cand = _Cand(i, cue, conj, s, e, "indirect", "np")
        elif kind_found == "obj":
            t = toks[found]
            k = found + 1 if t.norm in cue.obj else found
            if k < se:
                s, e = self.content_to(k, se)
                if t.norm not in cue.obj:  # ب attached: content starts after the clitic
                    s = next((g.end for g in t.segments if g.kind == "prefix" and _n(g.text) == "ب"), s)
                cand = _Cand(i, cue, conj, s, e, "indirect", "np")
        elif cue.bare and not cue.strict:
            if cue.kind == "participle":
                np_b = i + 1
                k = i + 1
                while k < se and toks[k].norm in lex.np_skip:
                    k += 1
            else:
                np_b = self.bare_np_end(i + 1, se)
                k = np_b
                while k < se and not self.is_word(k):
                    k += 1
            if se - k >= 2:
                s, e = self.content_to(k, se)
                cand = _Cand(i, cue, conj, s, e, "indirect", "np")
        else:
            # «...»، قال فلان: the speaker follows the quotation
            b = i - 1
            while b >= 0 and toks[b].text in ("،", ",", "-", "–"):
                b -= 1
            if b >= 0 and toks[b].text[-1:] in _QUOTE_CHARS:
                for p in range(toks[b].end - 1, toks[b].start - 1, -1):
                    if p in self.close_at:
                        o, c = self.close_at[p]
                        if self.words_between(o, c) >= 3:
                            cand = _Cand(i, cue, conj, o + 1, c, "direct", "np", bounded=True)
                            np_b = self.np_end(i + 1, se)
                        break
        if cand is None:
            return None
        if cue.kind == "impersonal":
            cand.mode = "none"
            return cand
        if cue.kind == "participle":
            cand.mode = "participle"
            return cand
        # the speaker phrase
        a, b, doc_pp = self.clean_np(np_a, np_b, cue)
        self.np_region_consume(i + 1, np_b, consumed)
        cand.doc_pp = doc_pp
        if a < b:
            cand.np = (a, b)
        else:
            cand.mode = "drop"
            if i > 0 and toks[i - 1].norm in lex.relatives:
                cand.mode = "relative"
        if cue.cognition and cand.np is None:
            return None
        if cue.kind == "noun" and cand.np is None:
            cand.mode = "drop"
        # a strict cue needs a subject or a complementizer close by
        if cue.strict and kind_found == "comp" and found - i > 12 and cand.np is None:
            return None
        return cand

    def np_end(self, a: int, se: int) -> int:
        """End of a noun phrase starting at ``a`` (stops at commas, prepositions, relatives...)."""
        k = a
        while k < se and k < a + 12:
            t = self.toks[k]
            if not self.is_word(k) and t.text[0] not in _QUOTE_CHARS and t.text not in ("(", ")"):
                break
            if k > a and (t.norm in self.lex.np_stop or t.norm in self.lex.relatives
                          or t.norm in self.lex.complementizers):
                break
            if k > a and self.lex.lookup(t)[0] is not None:
                break
            k += 1
        return k

    def bare_np_end(self, a: int, se: int) -> int:
        """Subject of a cue whose content is a bare object (أكد فلان نجاح ...).

        Only an entity mention or a phrase ending in a comma is taken as the subject; otherwise
        the subject is dropped and the content starts right after the cue.
        """
        k = a
        while k < se and self.toks[k].norm in self.lex.np_skip:
            k += 1
        if k >= se:
            return a
        m = self.mention_at(self.toks[k].start)
        if m is None:
            # a title phrase followed by a mention (وصف الرئيس الإيراني إبراهيم رئيسي ...)
            for j in range(k + 1, min(k + 6, se)):
                m2 = self.mention_at(self.toks[j].start)
                if m2 is not None and m2[3] == "PER":
                    m = m2
                    break
        if m is not None:
            j = bisect.bisect_left(self.starts, m[1])
            if j < se and self.toks[j].text in ("،", ","):
                # apposition up to the next comma
                for x in range(j + 1, min(j + 12, se)):
                    if self.toks[x].text in ("،", ","):
                        return x + 1
            return j
        for x in range(k, min(k + 8, se)):
            if self.toks[x].text in ("،", ","):
                return x + 1 if x > k else a
            if self.toks[x].norm in self.lex.np_stop:
                break
        return a

    def mention_at(self, pos: int) -> tuple[int, int, str, str] | None:
        i = bisect.bisect_left(self.mstarts, pos)
        if i < len(self.mentions) and self.mentions[i][0] == pos:
            return self.mentions[i]
        return None

    def clean_np(self, a: int, b: int, cue: Cue) -> tuple[int, int, str | None]:
        """Trim the words between a cue and its content to the speaker phrase.

        Drops leading adverbs and prepositional phrases (لـ"الوطن"، في بيان), stops at the
        first comma, preposition, relative pronoun or date. Returns (start, end, doc noun of a
        في-phrase such as "في بيان", if any).
        """
        toks, lex = self.toks, self.lex
        doc_pp = None
        k = a
        if cue.source_prep:
            for x in range(a, b):
                if toks[x].norm == cue.source_prep:
                    return x + 1, self.np_end(x + 1, b), None
            return a, a, None
        while k < b:
            t = toks[k]
            if t.norm in lex.np_skip or not self.is_word(k) and t.text[0] not in _QUOTE_CHARS:
                k += 1
                continue
            if t.norm in lex.np_stop:
                # a leading prepositional phrase: the subject follows its comma, if any
                if k + 1 < b and toks[k + 1].norm in lex.doc_nouns:
                    doc_pp = toks[k + 1].norm
                comma = next((x for x in range(k, b) if toks[x].text in ("،", ",")), None)
                if comma is None:
                    return a, a, doc_pp
                k = comma + 1
                continue
            if self.has_prefix(t, "ل") or t.norm in ("ل", "لـ") or t.text in ("لـ", "ل"):
                k += 1
                # the object of ل: a quoted name, or a noun and its definite adjectives
                if k < b and self.tok_is_open(k) is not None:
                    o, c = self.tok_is_open(k)
                    while k < b and toks[k].start <= c:
                        k += 1
                while k < b and toks[k].norm.startswith("ال") and toks[k].norm not in lex.nominal_heads:
                    k += 1
                continue
            break
        start = k
        end = start
        while end < b:
            t = toks[end]
            if t.text in ("،", ",", ":", ";", "؛", "(", ")") or t.norm in lex.complementizers:
                break
            if end > start and (t.norm in lex.np_stop or t.norm in lex.relatives):
                if t.norm == _n("في") and end + 1 < b and toks[end + 1].norm in lex.doc_nouns:
                    doc_pp = toks[end + 1].norm
                break
            if t.text[0] in _QUOTE_CHARS:
                end += 1
                continue
            if not self.is_word(end):
                break
            if end > start and lex.lookup(t)[0] is not None:
                break
            end += 1
        # strip quotation marks and speech nouns at the edges (كلام المرشد -> المرشد)
        while start < end and (toks[start].text[0] in _QUOTE_CHARS or toks[start].norm in lex.speech_nouns):
            start += 1
        while end > start and toks[end - 1].text[0] in _QUOTE_CHARS:
            end -= 1
        return start, end, doc_pp

    def nominal(self, i: int, cue: Cue, consumed: set[int]) -> _Cand | None:
        toks, lex = self.toks, self.lex
        se, ss = self.sent_end(i), self.sent_start(i)
        if i + 1 >= se:
            return None
        if i > 0 and toks[i - 1].norm in (_n("على"), _n("من")):
            return None  # على حسب الاتفاق: 'according to the agreement'
        need = lex.need_next.get(cue.lemma and _n(cue.lemma))
        k = i + 1
        if need:
            t = toks[k]
            if need == "ل":
                if t.norm in ("ل", "لـ") or t.text in ("لـ",):
                    k += 1
                elif not t.norm.startswith("ل"):
                    return None
            elif t.norm != need:
                return None
            else:
                k += 1
        verb_cue = None
        if k < se and toks[k].norm == _n("ما") or _n(cue.lemma).endswith("ما"):
            if toks[k].norm == _n("ما"):
                k += 1
            if k < se:
                c2, _ = lex.lookup(toks[k])
                if c2 is not None and c2.kind == "verb":
                    verb_cue = k
                    consumed.add(k)
                k += 1
                if k < se and toks[k].norm == _n("في"):
                    k += 1
        if k >= se:
            return None
        t = toks[k]
        if t.text.startswith("ل") and self.has_prefix(t, "ل") and need == "ل":
            pass
        head_ok = (
            verb_cue is not None or t.norm in lex.source_nouns or self.mention_at(t.start) is not None
            or t.text[0] in _QUOTE_CHARS or t.norm.lstrip("ل") in lex.source_nouns
            or any(t.norm.endswith(h) for h in (_n("وكالة"), _n("صحيفة")))
        )
        if not head_ok:
            return None
        np_a = k
        np_b = self.np_end(k, se)
        # clause before the cue
        a = ss
        for x in range(i - 1, ss - 1, -1):
            if toks[x].text in ("،", ",") and x < i - 1:
                a = x + 1
                break
        while a < i and (toks[a].norm in ("و",) or not self.is_word(a)):
            a += 1
        before_words = sum(1 for x in range(a, i) if self.is_word(x))
        if before_words >= 3:
            s, e = self.content_to(a, i)
            cand = _Cand(i, cue, False, s, e, "indirect", "np", (np_a, np_b))
        else:
            # وبحسب البيان اغرى ...: the content follows the source phrase
            b = np_a + 1
            while b < np_b and (toks[b].norm.startswith("ال") or self.mention_at(toks[b].start)):
                b += 1
            m = self.mention_at(toks[np_a].start)
            if m is not None:
                b = max(b, bisect.bisect_left(self.starts, m[1]))
            c = b
            while c < se and not self.is_word(c):
                c += 1
            if se - c < 3:
                return None
            s, e = self.content_to(c, se)
            cand = _Cand(i, cue, False, s, e, "indirect", "np", (np_a, b))
        self.np_region_consume(i + 1, np_b, consumed)
        return cand


# ----------------------------------------------------------------------------- speakers


class _Resolver:
    def __init__(self, an: _Analyzer):
        self.an, self.lex, self.doc = an, an.lex, an.doc
        self.entities: dict[str, Entity] = {e.id: e for e in an.doc.entities}
        self.order: list[str] = [e.id for e in an.doc.entities]
        self.new_mentions: dict[str, list[Mention]] = {}
        self.speakers: list[_Speaker] = []
        self.last: _Speaker | None = None
        self.doc_source: dict[str, _Speaker] = {}
        n = 0
        for e in an.doc.entities:
            digits = "".join(ch for ch in e.id if ch.isdigit())
            n = max(n, int(digits) if digits else 0)
        self.next_id = n + 1

    def tokens_norm(self, a: int, b: int) -> tuple[str, ...]:
        out = []
        for t in self.an.toks[a:b]:
            if t.norm[:1].isalnum():
                out.append(t.norm[1:] if t.norm[:1] in "وف" and len(t.norm) > 3 and
                           _n(t.text[1:]) in (s.norm for s in ()) else t.norm)
        return tuple(out)

    @staticmethod
    def contains(long: tuple[str, ...], short: tuple[str, ...]) -> bool:
        n = len(short)
        return n > 0 and any(long[x:x + n] == short for x in range(len(long) - n + 1))

    def add_mention(self, key: str, s: int, e: int, kind: str) -> None:
        ent = self.entities[key]
        for m in list(ent.mentions) + self.new_mentions.get(key, []):
            if m.start < e and s < m.end:
                return
        self.new_mentions.setdefault(key, []).append(Mention(s, e, self.doc.text[s:e], kind))

    def new_entity(self, a: int, b: int) -> str:
        toks = self.an.toks
        s, e = toks[a].start, toks[b - 1].end
        head = toks[a].norm
        head2 = head[1:] if head[:1] in "وف" and len(head) > 3 else head
        if head in self.lex.misc_heads or head2 in self.lex.misc_heads:
            etype = "MISC"
        elif head in self.lex.org_heads or head2 in self.lex.org_heads:
            etype = "ORG"
        else:
            etype = "PER"
        kind = "nominal" if (head in self.lex.nominal_heads or head2 in self.lex.nominal_heads
                             or etype == "MISC") else "name"
        key = f"e{self.next_id}"
        self.next_id += 1
        text = self.doc.text[s:e]
        self.entities[key] = Entity(key, etype, text, (Mention(s, e, text, kind),))
        self.order.append(key)
        return key

    def speaker_for(self, key: str) -> _Speaker:
        for sp in self.speakers:
            if sp.key == key:
                return sp
        ent = self.entities[key]
        toks = tuple(_n(w) for w in ent.name.split())
        sp = _Speaker(key, toks)
        self.speakers.append(sp)
        return sp

    def resolve_np(self, a: int, b: int, before: int) -> _Speaker | None:
        """The speaker a phrase names: an entity it mentions, a known speaker, or a new one."""
        an, lex = self.an, self.lex
        toks = an.toks
        words = tuple(t.norm for t in toks[a:b] if t.norm[:1].isalnum())
        if not words:
            return None
        if words[0] in lex.groups or (len(words) == 1 and words[0][1:] in lex.groups):
            recent: list[_Speaker] = []
            for sp in reversed(self.speakers):
                if sp not in recent:
                    recent.append(sp)
                if len(recent) == 2:
                    break
            if recent:
                first = min(recent, key=lambda sp: sp.spans[0][0] if sp.spans else 10**9)
                return first
        s, e = toks[a].start, toks[b - 1].end
        # 1. entity mentions inside the phrase (from the entities stage)
        hits = [m for m in an.mentions if m[0] < e and s < m[1]]
        if hits:
            per = [m for m in hits if m[3] == "PER"]
            first_tok_mention = [m for m in hits if m[0] <= s + 1]
            pick = None
            if per:
                pick = per[-1]
            elif first_tok_mention:
                pick = first_tok_mention[0]
            elif not (words[0] in lex.nominal_heads or words[0] in lex.doc_nouns):
                orgs = [m for m in hits if m[3] == "ORG"]
                pick = orgs[0] if orgs else None
            if pick is not None:
                sp = self.speaker_for(pick[2])
                if not (pick[0] <= s and pick[1] >= e):
                    self.add_mention(pick[2], s, e, "title")
                sp.spans.append((s, e))
                return sp
        # 2. a document named earlier as a statement (البيان، الرسالة)
        if len(words) == 1 and words[0] in lex.doc_nouns:
            key = words[0][2:] if words[0].startswith("ال") else words[0]
            if key in self.doc_source:
                return self.doc_source[key]
        # 3. a speaker already known: the phrase is part of its name, or contains it
        for sp in reversed(self.speakers):
            if self.contains(sp.tokens, words) or (len(sp.tokens) >= 1 and self.contains(words, sp.tokens)):
                self.add_mention(sp.key, s, e, "title" if words[0] in lex.nominal_heads else "name")
                sp.spans.append((s, e))
                sp.tokens = sp.tokens if len(sp.tokens) >= len(words) else words
                return sp
            for (ps, pe) in sp.spans:
                ptoks = tuple(_n(w) for w in self.doc.text[ps:pe].split())
                if self.contains(ptoks, words) or self.contains(words, ptoks):
                    self.add_mention(sp.key, s, e, "title" if words[0] in lex.nominal_heads else "name")
                    sp.spans.append((s, e))
                    return sp
        # 4. a title used earlier right before a person's name (مع الرئيس الروسي فلاديمير بوتين)
        if words[0] in lex.nominal_heads and an.mentions:
            phrase = self.doc.text[s:e]
            pos = self.doc.text.find(phrase)
            while 0 <= pos < s:
                after = pos + len(phrase)
                j = after
                while j < len(self.doc.text) and self.doc.text[j] == " ":
                    j += 1
                m = an.mention_at(j)
                if m is not None and m[3] == "PER":
                    sp = self.speaker_for(m[2])
                    self.add_mention(m[2], s, e, "title")
                    sp.spans.append((s, e))
                    return sp
                pos = self.doc.text.find(phrase, pos + 1)
        # 5. a new speaker entity
        key = self.new_entity(a, b)
        sp = _Speaker(key, words, [(s, e)])
        self.speakers.append(sp)
        return sp

    def subject_before(self, i: int) -> tuple[int, int] | None:
        """SVO subject: the phrase opening the clause that the cue ends (منصور ... أكد أن)."""
        an, lex, toks = self.an, self.lex, self.an.toks
        ss = an.sent_start(i)
        a = ss
        for x in range(i - 1, ss - 1, -1):
            if toks[x].text in ("،", ",", ":") or toks[x].norm in lex.complementizers:
                a = x + 1
                break
        # "من جانبه الرئيس الروسي ..." at the start of the sentence
        op = self.opener(ss)
        if op is not None and op < i and (a <= op):
            a = op
        while a < i and not an.is_word(a) and toks[a].text[0] not in _QUOTE_CHARS:
            a += 1
        if a >= i or i - a > 10:
            return None
        t = toks[a]
        if t.norm in lex.np_stop or t.norm[:1] in "وف" and an.lookup_safe(a) or t.norm in lex.relatives:
            return None
        if t.norm[:1] in "وف" and len(t.norm) > 3 and op is None:
            return None
        ok = (an.mention_at(t.start) is not None or t.text[0] in _QUOTE_CHARS or t.norm in lex.nominal_heads
              or any(self.contains(sp.tokens, (t.norm,)) for sp in self.speakers) or op is not None)
        if not ok:
            return None
        b = a
        while b < i:
            tb = toks[b]
            if b > a and (tb.norm in lex.np_stop or tb.norm in lex.relatives or tb.norm in lex.complementizers
                          or tb.norm.startswith("و") and tb.norm[1:] in lex.np_stop):
                break
            if not an.is_word(b) and tb.text[0] not in _QUOTE_CHARS:
                break
            b += 1
        x, y, _ = an.clean_np(a, b, Cue("", "verb"))
        return (x, y) if x < y else None

    def opener(self, ss: int) -> int | None:
        """Index after a sentence-initial 'من جانبه' / 'بدوره' (for his part), if any."""
        toks = self.an.toks
        for words in self.lex.openers:
            n = len(words)
            seq = [t.norm for t in toks[ss:ss + n]]
            if seq and seq[0][:1] == "و" and len(seq[0]) > 2 and seq[0][1:] == words[0]:
                seq[0] = seq[0][1:]
            if tuple(seq) == words:
                return ss + n
        return None

    def antecedent(self, i: int) -> tuple[int, int] | None:
        """The phrase a relative pronoun before the cue refers to (X، الذي قال)."""
        an, toks, lex = self.an, self.an.toks, self.lex
        b = i - 1  # the relative pronoun
        x = b - 1
        if x >= 0 and toks[x].text in ("،", ","):
            x -= 1
        end = x + 1
        ss = an.sent_start(i)
        a = end
        while x >= ss and end - x <= 7:
            t = toks[x]
            if not an.is_word(x) or t.norm in lex.complementizers or lex.lookup(t)[0] is not None:
                break
            if t.norm in lex.np_stop and t.norm != _n("في"):
                break
            a = x
            x -= 1
        while a < end and (toks[a].norm == _n("في") or toks[a].norm in lex.speech_nouns):
            a += 1
        return (a, end) if a < end else None

    def sentence_subject(self, i: int) -> _Speaker | None:
        """The subject of the sentence's first clause, if it names a known speaker or entity."""
        an, toks = self.an, self.an.toks
        ss = an.sent_start(i)
        op = self.opener(ss)
        a = op if op is not None else ss
        b = min(i, a + 8)
        region = tuple(t.norm for t in toks[a:b])
        for sp in reversed(self.speakers):
            if self.contains(region, sp.tokens[-1:]) or self.contains(region, sp.tokens):
                return sp
        for x in range(a, b):
            m = an.mention_at(toks[x].start)
            if m is not None and m[3] == "PER":
                return self.speaker_for(m[2])
        return None

    def other_party(self, i: int) -> _Speaker | None:
        """For 'من جانبه، أكد ...' without a subject: the latest person who is not the last speaker."""
        an = self.an
        pos = an.toks[i].start
        for m in reversed([m for m in an.mentions if m[1] <= pos and m[3] in ("PER", "ORG")]):
            if self.last is None or m[2] != self.last.key:
                return self.speaker_for(m[2])
        for sp in reversed(self.speakers):
            if sp is not self.last:
                return sp
        return None

    def resolve(self, cands: list[_Cand]) -> list[tuple[_Cand, _Speaker | None, tuple[int, int] | None]]:
        out = []
        an = self.an
        by_sentence: dict[int, _Speaker | None] = {}
        for c in cands:
            sp: _Speaker | None = None
            span: tuple[int, int] | None = None
            si = an.sent[c.cue_i]
            if c.mode == "none":
                out.append((c, None, None))
                continue
            if c.mode in ("np", "before") and c.np is not None:
                a, b = c.np
                sp = self.resolve_np(a, b, c.cue_i)
                span = (an.toks[a].start, an.toks[b - 1].end) if sp is not None else None
            elif c.mode == "relative":
                ante = self.antecedent(c.cue_i)
                if ante is not None:
                    sp = self.resolve_np(ante[0], ante[1], c.cue_i)
                    span = (an.toks[ante[0]].start, an.toks[ante[1] - 1].end)
                c.nested = True
            elif c.mode == "participle":
                sp = by_sentence.get(si) or self.sentence_subject(c.cue_i) or self.last
            else:  # dropped subject
                subj = self.subject_before(c.cue_i)
                ss = an.sent_start(c.cue_i)
                op = self.opener(ss)
                prev_tok = an.toks[c.cue_i - 1].norm if c.cue_i > 0 else ""
                if subj is not None:
                    sp = self.resolve_np(subj[0], subj[1], c.cue_i)
                    span = (an.toks[subj[0]].start, an.toks[subj[1] - 1].end)
                elif op is not None and op < c.cue_i:
                    sp = self.other_party(c.cue_i)
                elif prev_tok in (_n("عندما"), _n("حين"), _n("حينما"), _n("بعدما"), _n("وهو")):
                    sp = self.sentence_subject(c.cue_i) or self.last
                elif by_sentence.get(si) is not None:
                    sp = by_sentence[si]
                else:
                    sp = self.last or self.sentence_subject(c.cue_i)
            if c.doc_pp and sp is not None:
                key = c.doc_pp[2:] if c.doc_pp.startswith("ال") else c.doc_pp
                self.doc_source[key] = sp
            if sp is not None and not c.nested:
                self.last = sp
                by_sentence[si] = sp
            out.append((c, sp, span))
        return out

    def entities_out(self) -> tuple[Entity, ...]:
        out = []
        for key in self.order:
            e = self.entities[key]
            extra = self.new_mentions.get(key)
            if extra:
                ms = tuple(sorted(list(e.mentions) + extra, key=lambda m: (m.start, m.end)))
                e = Entity(e.id, e.type, e.name, ms, e.name_en, e.kb_id)
            out.append(e)
        return tuple(out)


def _lookup_safe(self: _Analyzer, k: int) -> bool:
    return self.lex.lookup(self.toks[k])[0] is not None


_Analyzer.lookup_safe = _lookup_safe  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------- assembly


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in _PUNCT_TRIM:
        s += 1
    while e > s and text[e - 1] in _PUNCT_TRIM:
        e -= 1
    # a closing mark whose opening mark is not in the span, and vice versa
    inner = text[s:e]
    if e > s and text[e - 1] in _QUOTE_CHARS and sum(ch in _QUOTE_CHARS for ch in inner) % 2 == 1:
        e -= 1
        while e > s and text[e - 1] in _PUNCT_TRIM:
            e -= 1
    inner = text[s:e]
    if e > s and text[s] in _QUOTE_CHARS and sum(ch in _QUOTE_CHARS for ch in inner) % 2 == 1:
        s += 1
    return s, e


def extract_quotes(doc: Document, lex: Lexicon | None = None) -> Document:
    """Find the quotations of ``doc`` and their speakers; return the document with both."""
    lex = lex or load_lexicon()
    if not doc.sentences:
        return doc
    an = _Analyzer(doc, lex)
    cands = an.analyze()
    # continuing cues (وأضاف، مشيرا، حسب ...) end the content of the quotation before them
    stops = sorted(an.toks[k].start for k, cue, conj in an.cue_tokens
                   if (cue.kind == "participle" or (conj and cue.kind == "verb") or cue.kind == "nominal")
                   and not (k > 0 and an.toks[k - 1].norm in lex.relatives))
    for c in cands:
        if c.bounded:
            continue
        i = bisect.bisect_right(stops, c.start)
        if i < len(stops) and stops[i] < c.end:
            c.end = stops[i]
    for c in cands:
        c.start, c.end = _trim(doc.text, c.start, c.end)
    cands = [c for c in cands if c.end - c.start >= 3]
    cands.sort(key=lambda c: an.toks[c.cue_i].start)
    # a cue inside the content of an earlier quotation reports nothing new unless it is
    # a relative clause (الذي أكد فيه أن: a nested quotation)
    kept: list[_Cand] = []
    for c in cands:
        pos = an.toks[c.cue_i].start
        inside = any(k.start <= pos < k.end for k in kept)
        if inside and c.mode != "relative":
            continue
        if any(_overlap((k.start, k.end), (c.start, c.end)) > 0.8 for k in kept):
            continue
        for k in kept:
            if k.kind != "direct" and '"' in doc.text[k.start:k.end]:
                pass
        kept.append(c)
    res = _Resolver(an)
    resolved = res.resolve(kept)
    quotes = []
    for n, (c, sp, span) in enumerate(sorted(resolved, key=lambda r: r[0].start), 1):
        kind = c.kind
        body = doc.text[c.start:c.end]
        if kind == "indirect" and any(ch in _QUOTE_CHARS for ch in body):
            spans = [(o, cl) for o, cl in an.qspans if c.start <= o and cl <= c.end]
            if any(an.words_between(o, cl) >= 2 for o, cl in spans):
                kind = "mixed"
        cue_tok = an.toks[c.cue_i]
        quotes.append(Quote(
            id=f"q{n}", start=c.start, end=c.end, text=body, kind=kind,
            speaker=sp.key if sp is not None else None,
            speaker_mention=Span.of(doc.text, *span) if span else None,
            cue=Span.of(doc.text, cue_tok.start, cue_tok.end),
        ))
    return doc.with_(entities=res.entities_out(), quotes=tuple(quotes))


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


class QuoteStage:
    """Pipeline stage ``quotes``: fills ``doc.quotes`` and adds speaker entities/mentions.

    It uses the entities of an earlier stage when there are any (run it after ``entities``);
    without them it finds every speaker phrase itself.
    """

    name = "quotes"
    requires = frozenset({"sentences", "tokens"})
    provides = frozenset({"quotes"})

    def __init__(self) -> None:
        self.lexicon = load_lexicon()

    def __call__(self, doc: Document) -> Document:
        return extract_quotes(doc, self.lexicon)


def who_said_what(doc: Document) -> list[dict[str, Any]]:
    """Rows (speaker, English name, kind, quote) for reports and the ``quotes`` command."""
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
