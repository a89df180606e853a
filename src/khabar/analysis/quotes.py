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

Modules beside it: ``quote_cues`` loads the cue lexicon (curated and corpus-mined verbs);
``speakers`` re-ranks the speakers the rules found with a model trained on gold.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..model import Document, Entity, Mention, Quote, Span, Token
from .generic_words import load_generic_words
from .quote_cues import Cue, Lexicon, _light, _n, load_lexicon
from .speakers import Layout, Ranker, load_ranker, resolve_speakers

# Quotation marks: openers, closers, and marks used both ways.
_OPEN_CLOSE = {"«": "»", "“": "”", "„": "“", "‹": "›", '"': '"', "»": "«", "”": "“"}
_QUOTE_CHARS = set("«»“”„‹›\"")
# spaces and punctuation (Arabic comma, semicolon, question mark, tatweel) trimmed off content
_PUNCT_TRIM = " \t\r\n.,،؛;:!?؟…-–—ـ"
_WORD_RE = re.compile(r"[^\W_]+")
_QUOTE_RE = re.compile("[" + re.escape("".join(sorted(_QUOTE_CHARS))) + "]")


# Function words and clitics that the rules test directly, in light normalisation; word lists
# that may grow live in data/cues.json.
_FI, _WA_FI = "في", "وفي"  # 'in', 'and in' (في بيان: 'in a statement')
_IN_FORMS = (_FI, _WA_FI)
_ALA, _MIN, _AN, _ILA = "على", "من", "عن", "الى"  # 'on', 'from', 'about', 'to'
_ON_FROM = (_ALA, _MIN)
_GLUE_PREPS = (_ALA, _MIN, _AN, _ILA)
_DHALIKA = "ذلك"  # 'that' (أوضح ذلك فلان: 'so-and-so explained that'; the content precedes)
_MA = "ما"  # 'what' (بحسب ما أكد: 'according to what he affirmed')
_ART = "ال"  # the definite article
_LAM, _LAM_T, _LIL = "ل", "لـ", "لل"  # 'to/for'; written with a tatweel; with the article
_LAM_FORMS = (_LAM, _LAM_T)
_BA = "ب"  # the clitic preposition 'with/by'
_WA, _FA = "و", "ف"  # the conjunctions 'and', 'so'
_CONJ = _WA + _FA
_COORD = (_WA, _FA, "ثم", "لكن", "ولكن")  # 'and', 'so', 'then', 'but', 'and but'
_QAD = ("قد", "لقد", "فقد")  # the particle 'has (already)'
_WHEN = ("عندما", "حين", "حينما", "بعدما", "وهو", "وهي")  # 'when', 'when', 'when', 'after', 'he/she being'
_NAFS = "نفس"  # 'self' (أعلنت عن نفسها: 'presented itself', not a report)
_BISM = "باسم"  # 'in the name of' (الناطق باسم: 'the spokesman of'; not the object ب)
_PRONOUN_SUFFIXES = ("هما", "هم", "ها", "ه")  # object pronouns 'them two', 'them', 'her/it', 'him/it'
_TA = "ت"  # imperfect prefix of the third person feminine
_ALIF = "ا"  # the accusative ending of a participle (مضيفا)
_SEMI, _AR_COMMA = "؛", "،"  # Arabic semicolon and comma


# ----------------------------------------------------------------------------- quotation marks


def quote_mark_spans(text: str) -> list[tuple[int, int]]:
    """``(open, close)`` character positions of quotation-mark pairs, paragraph by paragraph.

    ``close`` is the index of the closing mark, or the end of the paragraph when the opening
    mark is never closed there (news style often leaves a quotation open to the line's end).
    A closing-only mark (» or ”) opens a quotation when a letter follows it (»المنجل»).
    """
    spans: list[tuple[int, int]] = []
    marks = [m.start() for m in _QUOTE_RE.finditer(text)]
    if not marks:
        return spans
    pos = 0
    mi = 0
    for line in text.split("\n"):
        a, b = pos, pos + len(line)
        pos = b + 1
        current: tuple[int, str] | None = None
        while mi < len(marks) and marks[mi] < a:
            mi += 1
        while mi < len(marks) and marks[mi] < b:
            i = marks[mi]
            mi += 1
            c = text[i]
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
    np_skip: int = 0  # characters of a clitic ل to leave out of the speaker phrase (وفقا لتقرير)


@dataclass
class _Speaker:
    key: str  # entity id
    tokens: tuple[str, ...]
    spans: list[tuple[int, int]] = field(default_factory=list)
    cache: list[tuple[str, ...]] = field(default_factory=list)
    cache_key: Any = None



_COMMAS = (_AR_COMMA, ",")
# 'it came in (a statement)': the words after في name the source; needs إن/أن close by
_DOC_CUE = Cue(lemma="جاء", kind="verb", strict=True)


class _LazyLight:
    """Light forms of the tokens, computed when first looked at (most tokens never are)."""

    __slots__ = ("cache", "toks")

    def __init__(self, toks: list[Token]):
        self.toks = toks
        self.cache: list[str | None] = [None] * len(toks)

    def __getitem__(self, k: int) -> str:
        v = self.cache[k]
        if v is None:
            v = self.cache[k] = _light(self.toks[k].text)
        return v

    def __len__(self) -> int:
        return len(self.toks)


class _Analyzer:
    """Finds cues and, for each, the reported content and the words naming its speaker."""

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
        self.L = _LazyLight(self.toks)
        self.starts = [t.start for t in self.toks]
        self.newlines = [m.start() for m in re.finditer("\n", self.text)]
        self.qspans = quote_mark_spans(self.text)
        self.open_at = {o: (o, c) for o, c in self.qspans}
        self.close_at = {c: (o, c) for o, c in self.qspans}
        self.direct_spans = [(o, c) for o, c in self.qspans if self.words_between(o, c) >= 3]
        # quotation spans never nest and come in text order: a bisect finds the one around a position
        self.direct_opens = [o for o, _c in self.direct_spans]
        self.qopens = [o for o, _c in self.qspans]
        # entity mentions from an earlier stage: (start, end, entity id, type)
        self.mentions: list[tuple[int, int, str, str]] = sorted(
            (m.start, m.end, e.id, e.type) for e in doc.entities for m in e.mentions
        )
        self.mstarts = [m[0] for m in self.mentions]
        self.mlen = max((m[1] - m[0] for m in self.mentions), default=0)
        self._per_after: dict[str, list[int]] | None = None
        # tokens inside a time expression (الأسبوع الماضي 'last week'): never a speaker's words
        self.timex_toks = _covered(self.starts, [(x.start, x.end) for x in doc.timexes])
        self.generic = load_generic_words()
        self.cue_tokens: list[tuple[int, Cue, bool]] = []
        self.nominal_ok: set[int] = set()
        self._cue_cache: dict[int, tuple[Cue | None, bool]] = {}

    # --- small helpers
    def para(self, pos: int) -> int:
        return bisect.bisect_right(self.newlines, pos)

    def words_between(self, a: int, b: int, cap: int = 3) -> int:
        """Number of words in text[a:b], counted up to ``cap`` (enough for every test here)."""
        n = 0
        for _ in _WORD_RE.finditer(self.text, a, b):
            n += 1
            if n >= cap:
                break
        return n

    def in_direct(self, pos: int) -> bool:
        k = bisect.bisect_left(self.direct_opens, pos) - 1
        return k >= 0 and pos < self.direct_spans[k][1]

    def mentions_overlapping(self, s: int, e: int) -> list[tuple[int, int, str, str]]:
        """Mentions overlapping text[s:e], in order (a bisect on the starts, not a scan)."""
        lo = bisect.bisect_right(self.mstarts, s - self.mlen)
        hi = bisect.bisect_left(self.mstarts, e)
        return [m for m in self.mentions[lo:hi] if m[0] < e and s < m[1]]

    def mentions_before(self, pos: int, types: tuple[str, ...]) -> Iterator[tuple[int, int, str, str]]:
        """Mentions of these types ending at or before ``pos``, latest (by start) first."""
        for x in range(bisect.bisect_right(self.mstarts, pos) - 1, -1, -1):
            m = self.mentions[x]
            if m[1] <= pos and m[3] in types:
                yield m

    _SUFFIX_KEY = 30  # characters: longer phrase ends are looked for the slow way

    def per_after(self, phrase: str, before: int) -> tuple[int, int, str, str] | None:
        """The PER mention right after (spaces between) the first occurrence of ``phrase`` that
        starts before ``before`` and is so followed, or None.

        Same answer as scanning ``text.find(phrase)`` from the start, but PER mention starts are
        indexed by the end of the word before them, so a call does not read the whole text.
        """
        text = self.text
        tail = phrase.rsplit(" ", 1)[-1]
        if not tail or len(tail) > self._SUFFIX_KEY:  # (also a phrase ending in a space)
            return self._per_after_scan(phrase, before)
        if self._per_after is None:
            index: dict[str, list[int]] = {}
            for x, m in enumerate(self.mentions):
                if m[3] != "PER" or (x and self.mstarts[x - 1] == m[0]):
                    continue  # mention_at gives the first mention at a position
                k = m[0]
                while k > 0 and text[k - 1] == " ":
                    k -= 1
                r = max(text.rfind(" ", 0, k) + 1, k - self._SUFFIX_KEY)
                for a in range(r, k):
                    index.setdefault(text[a:k], []).append(m[0])
            self._per_after = index
        for j in self._per_after.get(tail, ()):
            k = j
            while k > 0 and text[k - 1] == " ":
                k -= 1
            pos = k - len(phrase)
            if pos >= before:
                break
            if pos >= 0 and text.startswith(phrase, pos):
                return self.mention_at(j)
        return None

    def _per_after_scan(self, phrase: str, before: int) -> tuple[int, int, str, str] | None:
        text = self.text
        pos = text.find(phrase)
        while 0 <= pos < before:
            j = pos + len(phrase)
            while j < len(text) and text[j] == " ":
                j += 1
            m = self.mention_at(j)
            if m is not None and m[3] == "PER":
                return m
            pos = text.find(phrase, pos + 1)
        return None

    def tok_is_open(self, k: int) -> tuple[int, int] | None:
        t = self.toks[k]
        if t.text[0] in _QUOTE_CHARS:
            for p in range(t.start, t.end):
                if p in self.open_at:
                    return self.open_at[p]
        return None

    def is_word(self, k: int) -> bool:
        return self.toks[k].norm[:1].isalnum()

    def is_comma(self, k: int) -> bool:
        return self.toks[k].text in _COMMAS

    def is_comp(self, k: int, cue: Cue) -> bool:
        if self.toks[k].norm not in self.lex.complementizers:
            return False
        if k > 0 and self.L[k - 1] in self.lex.not_before_comp and self.L[k - 1] not in cue.obj:
            return False
        return True

    def is_obj(self, k: int, cue: Cue) -> bool:
        w = self.L[k]
        if w in cue.obj:
            return True
        return (_BA in cue.obj and w.startswith(_BA) and len(w) >= 4 and w not in self.lex.np_stop
                and self.toks[k].norm not in self.lex.complementizers and not w.startswith(_BISM)
                and w not in self.lex.ba_words)

    def sent_end(self, k: int) -> int:
        return self.sbounds[self.sent[k]][1]

    def content_end(self, k: int) -> int:
        """End of the reported content starting in k's sentence: the sentence, continued
        over sentences that end in a semicolon within the paragraph."""
        si = self.sent[k]
        end = self.sbounds[si][1]
        while si + 1 < len(self.sbounds) and end > 0 and self.toks[end - 1].text in (_SEMI, ";"):
            a, b = self.sbounds[si + 1]
            if a >= b or self.para(self.toks[a].start) != self.para(self.toks[end - 1].start):
                break
            si, end = si + 1, b
        return end

    def sent_start(self, k: int) -> int:
        return self.sbounds[self.sent[k]][0]

    def mention_at(self, pos: int) -> tuple[int, int, str, str] | None:
        i = bisect.bisect_left(self.mstarts, pos)
        if i < len(self.mentions) and self.mentions[i][0] == pos:
            return self.mentions[i]
        return None

    def content_to(self, k0: int, k_end: int) -> tuple[int, int]:
        if k0 >= k_end:
            return (0, 0)
        return self.toks[k0].start, self.toks[k_end - 1].end

    def cue_at(self, k: int) -> tuple[Cue | None, bool]:
        """The cue token k is, if any, and whether a conjunction or particle precedes it."""
        hit = self._cue_cache.get(k)
        if hit is None:
            hit = self._cue_cache[k] = self._cue_at(k)
        return hit

    def _cue_at(self, k: int) -> tuple[Cue | None, bool]:
        t, lex = self.toks[k], self.lex
        norm = t.norm
        cue = lex.forms.get(norm)
        conj = False
        after_particle = k > 0 and self.L[k - 1] in lex.conj_particles
        if cue is not None and cue.strict and k > 0 and self.toks[k - 1].text in _COMMAS:
            after_particle = True  # بدوره، بين فلان أن ...: a clause of its own
        if cue is not None and norm in lex.exclude_bare and not after_particle:
            cue = None
        if cue is None and len(norm) > 3 and norm[0] in _CONJ:
            cue = lex.forms.get(norm[1:])
            conj = cue is not None
        if cue is None and (norm in lex.document_cues or norm[1:] in lex.document_cues) and \
                k + 2 < len(self.toks) and self.L[k + 1] == _FI and (
                self.L[k + 2] in lex.doc_nouns or self.L[k + 2] in lex.event_nouns):
            # وجاء في بيان لـ...: 'it came in a statement of ...'
            return _DOC_CUE, norm not in lex.document_cues
        if cue is None:
            # an object pronoun on the verb (ووصفها بأنها ...: 'and he described it as')
            hit = lex.suffixed.get(norm)
            if hit is None or not _light(t.text).endswith(hit[2]):  # not ة read as the pronoun ه
                return None, False
            cue, conj = hit[0], hit[1]
        if k > 0 and self.L[k - 1] in lex.conj_particles:
            conj = True
        return cue, conj

    def colon_end(self, k: int) -> int:
        """Where words after ``قال:`` end: the paragraph, at most 3 more sentences, and not
        past a sentence that holds another cue."""
        si = self.sent[k]
        end = self.sbounds[si][1]
        para = self.para(self.toks[k].start)
        for sj in range(si + 1, min(si + 4, len(self.sbounds))):
            a, b = self.sbounds[sj]
            if a >= b or self.para(self.toks[a].start) != para:
                break
            if any(self.cue_at(x)[0] is not None for x in range(a, b)):
                break
            end = b
        return end

    # --- cue analysis
    def analyze(self) -> list[_Cand]:
        cands: list[_Cand] = []
        consumed: set[int] = set()
        any_form = self.lex.any_form
        for k, t in enumerate(self.toks):
            if t.norm not in any_form:
                continue
            cue, conj = self.cue_at(k)
            if cue is None or self.in_direct(t.start):
                continue
            if k > 0 and self.L[k - 1] in self.lex.negations:
                continue  # لم يعلن ...: nothing was said
            if cue.skip_if_next and k + 1 < len(self.toks) and self.L[k + 1] in cue.skip_if_next:
                continue
            if cue.kind == "participle" and not t.norm.endswith(_ALIF) and not (
                    k > 0 and self.toks[k - 1].text[-1:] in _COMMAS + (".", _SEMI, ";", "؟", "?", "!", ":")):
                continue  # مشيرة/مؤكدين only as a clause after a comma (not متابعة 'follow-up')
            if k > 0 and self.L[k - 1] in self.lex.relative_like and cue.kind != "nominal" and not (
                    k > 1 and self.lex.forms.get(self.toks[k - 2].norm, Cue("", "")).kind == "nominal"):
                continue  # ما قاله 'what he said', من يدعون 'those who claim'
            self.cue_tokens.append((k, cue, conj))
        self.known: set[tuple[str, ...]] = set()
        # words that end a known speaker name (not a bare title) or are one: see bare_np_end
        self.known_heads: set[str] = set()
        self.deferred: list[tuple[int, Cue, bool]] = []
        for k, cue, conj in self.cue_tokens:
            if k in consumed:
                continue
            if cue.kind == "nominal":
                c = self.nominal(k, cue, consumed)
                if c is not None:
                    self.nominal_ok.add(k)
            else:
                c = self.verbal(k, cue, conj, consumed)
            if c is not None and c.end > c.start:
                cands.append(c)
                words = tuple(t.norm for t in self.toks[c.np[0]:c.np[1]]
                              if t.norm[:1].isalnum()) if c.np else ()
                if words:
                    self.known.add(words)
                    if words[0] not in self.lex.nominal_norm or len(words) == 1:
                        self.known_heads.add(words[-1])
        # cues with a bare object, once the names of the other speakers are known
        for k, cue, conj in self.deferred:
            if k in consumed:
                continue
            c = self.verbal(k, cue, conj, consumed, bare_pass=True)
            if c is not None and c.end > c.start:
                cands.append(c)
        return cands

    # long: the verb-cue rule cascade (subject, object, content), read top to bottom; left whole while the quotes stage is rewritten (issue 14)
    def verbal(self, i: int, cue: Cue, conj: bool, consumed: set[int],
               bare_pass: bool = False) -> _Cand | None:
        toks, lex, L = self.toks, self.lex, self.L
        se = self.content_end(i)
        j = i + 1
        while j < se and L[j] in lex.np_skip and L[j] != _light(_DHALIKA):
            j += 1
        # "..., أوضح ذلك الناطق": the content precedes the cue
        if cue.kind == "verb" and j < se and L[j] == _light(_DHALIKA) and i > self.sent_start(i) + 2:
            a = self.sent_start(i)
            while a < i and (toks[a].norm == _WA or not self.is_word(a)):
                a += 1
            npe = self.np_end(j + 1, se)
            consumed.update(range(i + 1, npe))
            s, e = self.content_to(a, i)
            return _Cand(i, cue, conj, s, e, "indirect", "before", (j + 1, npe) if npe > j + 1 else None)
        limit = min(se, i + 40)
        found, how, obj_fallback = None, None, None
        first = j
        k = i + 1
        comps, any_form, obj_norms = lex.complementizers, lex.any_form, lex.obj_norms
        while k < limit:
            t = toks[k]
            if t.text in (":", "："):
                if k - i <= 25 and not any(toks[x].text in "()" for x in range(i + 1, k)):
                    found, how = k, "colon"
                break
            op = self.tok_is_open(k) if t.text[0] in _QUOTE_CHARS else None
            if op is not None:
                after_source = k > 0 and L[k - 1] in lex.name_heads
                if self.words_between(op[0], op[1]) >= 3 and not after_source:
                    found, how = k, "mark"
                    break
                while k + 1 < limit and toks[k + 1].start <= op[1]:
                    k += 1  # a quoted name: part of the phrase
                k += 1
                continue
            if t.norm in comps and self.is_comp(k, cue):
                if cue.strict and k - i > 15:
                    break  # a weak cue (تضمن، بين) reports only with a complementizer close by
                found, how = k, "comp"
                break
            if cue.kind == "noun" and k > i + 3:
                break  # تأكيد على أن / تصريحه أن: a verbal noun reports only with a close complementizer
            if cue.obj and cue.kind != "noun" and (t.norm in obj_norms or t.norm[:1] == _BA) \
                    and self.is_obj(k, cue):
                if k + 1 < se and self.is_comp(k + 1, cue):
                    found, how = k + 1, "comp"
                    break
                if cue.comp_after_obj:
                    pass  # تحدث عن الاقتصاد 'spoke about the economy': a topic, not a report
                elif k == first or (cue.kind == "participle" and k <= i + 2):
                    found, how = k, "obj"
                    break
                elif obj_fallback is None and cue.kind != "participle":
                    obj_fallback = k
            if cue.kind == "participle" and k > i + 3:
                break
            other = self.cue_at(k)[0] if k > i + 1 and t.norm in any_form else None
            if other is not None and other.kind not in ("nominal", "noun"):
                break
            k += 1
        if found is None and obj_fallback is not None:
            found, how = obj_fallback, "obj"
        cand: _Cand | None = None
        np_b = found if found is not None else i + 1
        if how == "colon":
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
        elif how == "mark":
            o, c = self.tok_is_open(found)
            cand = _Cand(i, cue, conj, o + 1, c, "direct", "np", bounded=True)
        elif how == "comp":
            if found - 1 > i and L[found - 1] in cue.obj:
                np_b = found - 1
            k = found + 1
            if k < se and toks[k].text == ":":
                k += 1
            if k < se:
                op = self.tok_is_open(k)
                if op is not None and self.words_between(op[0], op[1]) >= 3 and \
                        self.words_between(op[1] + 1, toks[se - 1].end) == 0:
                    cand = _Cand(i, cue, conj, op[0] + 1, op[1], "direct", "np", bounded=True)
                else:
                    s, e = self.content_to(k, se)
                    cand = _Cand(i, cue, conj, s, e, "indirect", "np")
        elif how == "obj":
            k = found + 1 if L[found] in cue.obj else found
            if k < se and not L[k].startswith(_NAFS):  # أعلنت عن نفسها: not a report
                s, e = self.content_to(k, se)
                if L[found] not in cue.obj:  # ب attached to the object: content after the clitic
                    s += 1
                cand = _Cand(i, cue, conj, s, e, "indirect", "np")
        elif cue.bare and cue.imperfect and not bare_pass:
            return None  # مطبوعات توضح أحدث الأساليب: a description, not a report
        elif cue.bare and not cue.strict and cue.kind != "participle" and not bare_pass:
            self.deferred.append((i, cue, conj))
            return None
        elif cue.bare and not cue.strict:
            if cue.kind == "participle":
                np_b, k = i + 1, j
            else:
                np_b = self.bare_np_end(i + 1, se)
                k = np_b
                while k < se and (not self.is_word(k) or k in self.timex_toks):
                    k += 1  # أعلن فلان مساء أمس ترحيبه: the date says when, it is not reported
            nxt, nxt_conj = self.cue_at(k) if k < se else (None, False)
            if se - k >= 2 and not (nxt is not None and (nxt.kind == "participle" or nxt_conj)):
                # (not "...، مشيرا إلى" right after the subject: that is the next report)
                s, e = self.content_to(k, se)
                cand = _Cand(i, cue, conj, s, e, "indirect", "np")
        else:
            # «...»، قال فلان: the speaker follows the quotation
            b = i - 1
            while b >= 0 and (toks[b].text in _COMMAS or toks[b].text in ("-", "–")):
                b -= 1
            if b >= 0 and toks[b].text[-1:] in _QUOTE_CHARS:
                for p in range(toks[b].end - 1, toks[b].start - 1, -1):
                    if p in self.close_at:
                        o, c = self.close_at[p]
                        if self.words_between(o, c) >= 3:
                            cand = _Cand(i, cue, conj, o + 1, c, "direct", "np", bounded=True)
                            np_b = self.np_end(i + 1, se)
                        break
        if cand is None and cue.kind == "verb" and not conj and not (cue.bare and not bare_pass):
            post = self.post_posed(i, se)
            if post is not None:
                cand, np_b = post
        if cand is None:
            return None
        if cue.kind == "impersonal":
            cand.mode = "none"
            return cand
        if cue.kind == "participle":
            cand.mode = "participle"
            return cand
        a, b, doc_pp = self.clean_np(i + 1, np_b, cue) if cue is not _DOC_CUE else (i + 2, np_b, None)
        consumed.update(range(i + 1, np_b))
        cand.doc_pp = doc_pp
        if a < b:
            cand.np = (a, b)
        else:
            cand.mode = "relative" if i > 0 and L[i - 1] in lex.relatives else "drop"
        if cue.cognition and cand.np is None:
            return None
        return cand

    def post_posed(self, i: int, se: int) -> tuple[_Cand, int] | None:
        """An attribution after its report: "CLAUSE، قال فلان." or "CLAUSE (قال فلان)".

        The cue, without a conjunction, follows a comma or an opening parenthesis and is
        followed only by its subject (and a short phrase such as للصحفيين); the report is the
        clause before, from the sentence start or the last complementizer. Returns the
        candidate and the end of the subject phrase.
        """
        toks, lex, L = self.toks, self.lex, self.L
        ss = self.sent_start(i)
        b = i - 1
        if b <= ss or toks[b].text not in _COMMAS + ("(",):
            return None
        npe = self.np_end(i + 1, se)
        if npe <= i + 1:
            return None  # no subject after the cue
        rest = [x for x in range(npe, se) if self.is_word(x)]
        if len(rest) > 4 or any(toks[x].norm in lex.complementizers for x in rest):
            return None
        a = ss
        for x in range(b - 1, ss - 1, -1):
            if toks[x].norm in lex.complementizers or self.cue_at(x)[0] is not None:
                if toks[x].norm not in lex.complementizers:
                    return None  # the clause is already some other cue's report
                a = x + 1
                break
        while a < b and (toks[a].norm == _WA or L[a] in lex.conj_particles or not self.is_word(a)):
            a += 1
        if sum(1 for x in range(a, b) if self.is_word(x)) < 3:
            return None
        s, e = self.content_to(a, b)
        return _Cand(i, self.lex.forms.get(toks[i].norm, Cue("", "verb")), False, s, e, "indirect", "np"), npe

    def np_end(self, a: int, se: int) -> int:
        """End of a noun phrase starting at ``a`` (stops at commas, prepositions, relatives...)."""
        k = a
        while k < se and k < a + 12:
            t, w = self.toks[k], self.L[k]
            if not self.is_word(k) and t.text[0] not in _QUOTE_CHARS and t.text not in "()":
                break
            if k > a and (w in self.lex.np_stop or w in self.lex.relatives
                          or t.norm in self.lex.complementizers
                          or self.cue_at(k)[0] is not None):
                break
            if k > a and w == _FI and k + 1 < se and self.L[k + 1] in self.lex.event_nouns:
                break
            k += 1
        return k

    def bare_np_end(self, a: int, se: int) -> int:
        """Where the subject of a cue with a bare object ends (أكد فلان نجاح ...).

        Only an entity mention (with its apposition) or a phrase closed by a comma counts as
        the subject; otherwise the subject is dropped and the content follows the cue.
        """
        k = a
        while k < se and self.L[k] in self.lex.np_skip:
            k += 1
        if k >= se:
            return a
        m = self.mention_at(self.toks[k].start)
        if m is None:
            for x in range(k + 1, min(k + 6, se)):  # a title before a name
                m2 = self.mention_at(self.toks[x].start)
                if m2 is not None and m2[3] == "PER":
                    m = m2
                    break
                if self.is_comma(x) or self.L[x] in self.lex.np_stop:
                    break
        if m is None:
            # a speaker named elsewhere in the article (ووصف الخبير هذه الحالة ...)
            for x in range(k, min(k + 10, se)):
                if self.is_comma(x) or self.L[x] in self.lex.np_stop:
                    break
                if self.toks[x].norm in self.known_heads:
                    m = (self.toks[k].start, self.toks[x].end, "", "PER")
                    break
        if m is not None:
            x = bisect.bisect_left(self.starts, m[1])
            while x < se and (m2 := self.mention_at(self.toks[x].start)) is not None and m2[3] == "PER":
                x = bisect.bisect_left(self.starts, m2[1])  # a title mention, then the name
            if x < se and self.is_comma(x):
                for y in range(x + 1, min(x + 14, se)):
                    if self.is_comma(y):
                        return y + 1
            return x
        for x in range(k, min(k + 14, se)):
            if self.is_comma(x):
                return x + 1 if x > k else a
            if self.L[x] in self.lex.np_stop or (self.cue_at(x)[0] is not None and x > k):
                break
        return a

    def is_pp_object(self, k: int) -> bool:
        """A word carrying the preposition ل that names an addressee or medium (لوكالة، للصحفيين)."""
        w = self.L[k]
        if w in _LAM_FORMS or self.toks[k].text in _LAM_FORMS:
            return True
        return w.startswith(_LIL) or (w.startswith(_LAM) and (w[1:] in self.lex.source_nouns
                                                               or w[1:] in self.lex.doc_nouns))

    def clean_np(self, a: int, b: int, cue: Cue) -> tuple[int, int, str | None]:
        """Trim the words between a cue and its content to the speaker phrase.

        Drops leading adverbs and prepositional phrases (لـ"الوطن"، في بيان), stops at the
        first comma, preposition, relative pronoun, date or event phrase (في بيان). Returns
        (start, end, the document noun of a "في بيان"-like phrase, if any).
        """
        toks, lex, L = self.toks, self.lex, self.L
        doc_pp = None
        for x in range(a, b - 1):
            if L[x] == _FI and L[x + 1] in lex.event_nouns:
                doc_pp = L[x + 1][2:] if L[x + 1].startswith(_ART) else L[x + 1]
                break
        if cue.source_prep:
            for x in range(a, b):
                if L[x] == cue.source_prep:
                    return x + 1, self.np_end(x + 1, b), doc_pp
            return a, a, doc_pp
        k = a
        while k < b:
            t = toks[k]
            if L[k] in lex.np_skip or k in self.timex_toks or self.generic.is_pronoun(t.norm) \
                    or (not self.is_word(k) and t.text[0] not in _QUOTE_CHARS):
                k += 1
                continue
            if L[k] in lex.np_stop or L[k] in _IN_FORMS:
                comma = next((x for x in range(k, b) if self.is_comma(x)), None)
                if comma is None:
                    return a, a, doc_pp
                k = comma + 1
                continue
            if self.is_pp_object(k):
                k += 1
                if k < b and self.tok_is_open(k) is not None:
                    _o, c = self.tok_is_open(k)
                    while k < b and toks[k].start <= c:
                        k += 1
                elif k < b and toks[k].text[0] in _QUOTE_CHARS:  # a mark the pairing did not open
                    close = next((x for x in range(k + 1, min(k + 5, b))
                                  if toks[x].text[0] in _QUOTE_CHARS), None)
                    if close is not None:
                        k = close + 1
                while k < b and L[k].startswith(_ART) and L[k] not in lex.nominal_heads:
                    k += 1
                continue
            break
        if k < b and (L[k] in lex.relative_like or L[k] in lex.negations):
            return a, a, doc_pp  # ما أعلنه الوزير ... / لا يمكن ...: a clause, not a speaker
        start = end = k
        while end < b and end < start + 20:
            t, w = toks[end], L[end]
            if t.text in _COMMAS or t.text in (":", ";", _SEMI, "(", ")") or t.norm in lex.complementizers \
                    or end in self.timex_toks:
                break
            if end > start and (w in lex.np_stop or w in lex.relatives) and not (
                    w in _GLUE_PREPS and L[end - 1] in lex.np_glue):
                break
            if end > start and w == _FI and (
                    (end + 1 < b and L[end + 1] in lex.event_nouns) or L[start] in lex.anonymous_heads):
                break  # في بيان ...; مصادر محلية في مناطق ...: the source is "مصادر محلية"
            if t.text[0] in _QUOTE_CHARS:
                end += 1
                continue
            if not self.is_word(end):
                break
            if end > start and (self.cue_at(end)[0] is not None or t.text in _LAM_FORMS or (
                    w.startswith(_LAM) and not w.startswith(_LIL) and w[1:] in lex.source_nouns)):
                break  # وقال المصدر لوكالة الأنباء: the medium is not part of the speaker
            end += 1
        while start < end and (toks[start].text[0] in _QUOTE_CHARS or L[start] in lex.speech_nouns):
            start += 1
        while end > start and (toks[end - 1].text[0] in _QUOTE_CHARS or L[end - 1] == _FI):
            if toks[end - 1].text[0] in _QUOTE_CHARS and \
                    sum(ch in _QUOTE_CHARS for ch in self.text[toks[start].start:toks[end - 1].end]) % 2 == 0:
                break  # the closing mark of a quoted name («إياتا»)
            end -= 1
        return start, end, doc_pp

    def close_comp(self, np_a: int, np_b: int, se: int) -> int | None:
        """A complementizer right after a source phrase, or past its relative clause."""
        comp = next((x for x in range(np_a + 1, min(np_a + 15, se))
                     if self.toks[x].norm in self.lex.complementizers), None)
        if comp is None or comp + 2 >= se:
            return None
        if comp <= np_b + 1 or (np_b < se and self.L[np_b] in self.lex.relatives):
            return comp
        return None

    # long: the noun-cue rule cascade, read top to bottom; left whole while the quotes stage is rewritten (issue 14)
    def nominal(self, i: int, cue: Cue, consumed: set[int]) -> _Cand | None:
        toks, lex, L = self.toks, self.lex, self.L
        se, ss = self.sent_end(i), self.sent_start(i)
        if i + 1 >= se:
            return None
        if i > 0 and L[i - 1] in _ON_FROM:
            return None  # على حسب الاتفاق: 'according to the agreement'
        need = lex.need_next.get(_n(cue.lemma))
        k = i + 1
        if need:
            if need == _LAM:
                if toks[k].text in _LAM_FORMS:
                    k += 1
                elif not L[k].startswith(_LAM):
                    return None
            elif L[k] != need:
                return None
            else:
                k += 1
        verb_cue = None
        if k < se and (L[k] == _MA or _n(cue.lemma).endswith(_MA)):
            if L[k] == _MA:
                k += 1
            if k < se:
                c2, _ = self.cue_at(k)
                if c2 is not None and c2.kind == "verb":
                    verb_cue = k
                    consumed.add(k)
                k += 1
                if k < se and L[k] == _FI:
                    k += 1
        if k >= se:
            return None
        t, w = toks[k], L[k]
        head_ok = (
            verb_cue is not None or w in lex.source_nouns or self.mention_at(t.start) is not None
            or t.text[0] in _QUOTE_CHARS or (w.startswith(_LAM) and w[1:] in lex.source_nouns)
            or (w.startswith(_ART) and w in lex.org_heads)
        )
        if not head_ok:
            return None
        skip = 1 if (need == _LAM and w.startswith(_LAM) and toks[k].text[:2] not in (_LAM_T,)) else 0
        np_a = k
        np_b = self.np_end(k, se)
        # وبحسب التقرير فإنه ...: the content follows "فإن"
        fa = next((x for x in range(np_a + 1, min(np_a + 15, se))
                   if toks[x].norm[:1] == _FA and toks[x].norm[1:] in lex.complementizers), None)
        # the clause before the cue, from the previous comma or the sentence start
        a = ss
        for x in range(i - 2, ss - 1, -1):
            if self.is_comma(x):
                a = x + 1
                break
        while a < i and (toks[a].norm == _WA or not self.is_word(a)):
            a += 1
        if fa is not None and fa + 2 < se:
            s, e = self.content_to(fa + 1, se)
            cand = _Cand(i, cue, False, s, e, "indirect", "np", (np_a, min(np_b, fa)))
        elif sum(1 for x in range(a, i) if self.is_word(x)) >= 3:
            s, e = self.content_to(a, i)
            cand = _Cand(i, cue, False, s, e, "indirect", "np", (np_a, np_b))
        elif a >= i and ss > 0 and toks[ss - 1].text in (_SEMI, ";") and \
                self.para(toks[ss - 1].start) == self.para(toks[i].start):
            # "...؛ بحسب مسؤول في الشركة": the clause before the semicolon
            ps = self.sent_start(ss - 1)
            pa = next((x + 1 for x in range(ss - 3, ps - 1, -1) if self.is_comma(x)), ps)
            s, e = self.content_to(pa, ss - 1)
            cand = _Cand(i, cue, False, s, e, "indirect", "np", (np_a, np_b))
        elif (comp := self.close_comp(np_a, np_b, se)) is not None:
            # ووفقا لتقرير ... أن ...: the content follows the complementizer
            s, e = self.content_to(comp + 1, se)
            cand = _Cand(i, cue, False, s, e, "indirect", "np", (np_a, min(np_b, comp)))
        else:
            # وبحسب البيان اغرى ...: the content follows the source phrase
            b = np_a + 1
            while b < np_b and (L[b].startswith(_ART) or self.mention_at(toks[b].start)):
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
        consumed.update(range(i + 1, np_b))
        cand.np_skip = skip
        return cand


# ----------------------------------------------------------------------------- speakers


def _covered(starts: list[int], spans: list[tuple[int, int]]) -> frozenset[int]:
    """Indices of the tokens (by start offset) that begin inside one of ``spans``."""
    out: set[int] = set()
    for s, e in spans:
        out.update(range(bisect.bisect_left(starts, s), bisect.bisect_left(starts, e)))
    return frozenset(out)


def _contains(long: tuple[str, ...], short: tuple[str, ...]) -> bool:
    """``short`` occurs as a run of whole words in ``long``."""
    if not short or len(short) > len(long):
        return False
    return f" {' '.join(short)} " in f" {' '.join(long)} "


class _Resolver:
    """Links speaker phrases to entities, in text order, keeping the last speaker for
    pronoun-drop continuations (وأضاف ...)."""

    def __init__(self, an: _Analyzer, future: list[tuple[str, ...]]):
        self.an, self.lex, self.doc = an, an.lex, an.doc
        self.entities: dict[str, Entity] = {e.id: e for e in an.doc.entities}
        self.order: list[str] = [e.id for e in an.doc.entities]
        self.new_mentions: dict[str, list[Mention]] = {}
        self.speakers: list[_Speaker] = []
        self.recent: list[_Speaker] = []
        self.last: _Speaker | None = None
        self.doc_source: dict[str, _Speaker] = {}
        self.future = future
        # the first place of each distinct future phrase (sentence_subject wants the earliest)
        self.future_first: dict[tuple[str, ...], int] = {}
        for x, name in enumerate(future):
            self.future_first.setdefault(name, x)
        self._openers: dict[int, int | None] = {}
        # Indexes that let a lookup visit only the speakers that can match (linear in the text):
        # a speaker's rank in the search order, and speakers by runs of words of their names.
        self.by_key: dict[str, _Speaker] = {}
        self.created: dict[int, int] = {}  # id(speaker) -> place in self.speakers
        self.last_recent: dict[int, int] = {}  # id(speaker) -> its last place in self.recent
        self.by_run: dict[str, dict[int, _Speaker]] = {}  # any run of a name's words
        self.by_name: dict[str, dict[int, _Speaker]] = {}  # a whole name
        self.by_pair: dict[str, dict[int, _Speaker]] = {}  # two consecutive words of a name
        self.by_last: dict[str, dict[int, _Speaker]] = {}  # the last word of a name
        self.by_first2: dict[tuple[str, ...], dict[int, _Speaker]] = {}  # a name's first two words
        self.indexed: dict[int, int] = {}  # id(speaker) -> names already indexed
        self._heads: dict[str, list[tuple[int, int, int, str]]] | None = None  # see mention_heads
        self._rank: dict[str, int] = {}
        n = 0
        for e in an.doc.entities:
            digits = "".join(ch for ch in e.id if ch.isdigit())
            n = max(n, int(digits) if digits else 0)
        self.next_id = n + 1

    # --- entities
    def words(self, a: int, b: int) -> tuple[str, ...]:
        return tuple(t.norm for t in self.an.toks[a:b] if t.norm[:1].isalnum())

    def add_mention(self, key: str, s: int, e: int, kind: str) -> None:
        ent = self.entities[key]
        for m in list(ent.mentions) + self.new_mentions.get(key, []):
            if m.start < e and s < m.end:
                return
        mention = Mention(s, e, self.doc.text[s:e], kind)
        self.new_mentions.setdefault(key, []).append(mention)
        self._index_heads(key, mention)

    def mention_heads(self) -> dict[str, list[tuple[int, int, int, str]]]:
        """Mentions of non-place entities by the words a generic noun may refer back with (an
        organisation's every word, another entity's first word, without the article): sorted
        (start, entity rank, end, entity id), built at the first use and kept up to date."""
        if self._heads is None:
            self._heads = {}
            self._rank = {key: r for r, key in enumerate(self.order)}
            for key in self.order:
                for m in list(self.entities[key].mentions) + self.new_mentions.get(key, []):
                    self._index_heads(key, m)
        return self._heads

    def _index_heads(self, key: str, m: Mention) -> None:
        if self._heads is None:
            return
        ent = self.entities[key]
        if ent.type == "LOC":
            return
        rank = self._rank.setdefault(key, len(self._rank))
        words = [w[len(_ART):] if w.startswith(_ART) else w for w in _n(m.text).split()]
        for w in set(words if ent.type == "ORG" else words[:1]):
            bisect.insort(self._heads.setdefault(w, []), (m.start, rank, m.end, key))

    def head_kind(self, a: int, skip_chars: int = 0) -> tuple[str, bool]:
        """Entity type and whether the phrase is a description (nominal) from its first word."""
        w = self.an.L[a][skip_chars:]
        if w[:1] in _CONJ and len(w) > 3 and w[1:] in (self.lex.org_heads | self.lex.nominal_heads):
            w = w[1:]
        if w in self.lex.misc_heads:
            return "MISC", True
        if w in self.lex.org_heads:
            return "ORG", False
        return "PER", w in self.lex.nominal_heads

    def new_speaker(self, a: int, b: int, skip_chars: int = 0) -> _Speaker:
        toks = self.an.toks
        s, e = toks[a].start + skip_chars, toks[b - 1].end
        etype, nominal = self.head_kind(a, skip_chars)
        key = f"e{self.next_id}"
        self.next_id += 1
        text = self.doc.text[s:e]
        mention = Mention(s, e, text, "nominal" if nominal else "name")
        self.entities[key] = Entity(key, etype, text, (mention,))
        self.order.append(key)
        self._index_heads(key, mention)
        sp = _Speaker(key, self.words(a, b), [(s, e)])
        self._register(sp)
        return sp

    def speaker_for(self, key: str) -> _Speaker:
        sp = self.by_key.get(key)
        if sp is not None:
            return sp
        ent = self.entities[key]
        sp = _Speaker(key, tuple(_n(w) for w in ent.name.split()),
                      [(m.start, m.end) for m in ent.mentions])
        self._register(sp)
        return sp

    def _register(self, sp: _Speaker) -> None:
        self.by_key.setdefault(sp.key, sp)
        self.created[id(sp)] = len(self.speakers)
        self.speakers.append(sp)
        self._index(sp)

    def _index(self, sp: _Speaker) -> None:
        """Index the names of ``sp`` not indexed yet (names only grow: spans are appended)."""
        names = self.names(sp)
        done = self.indexed.get(id(sp), 0)
        for name in names[done:]:
            ref = {id(sp): sp}
            self.by_name.setdefault(" ".join(name), {}).update(ref)
            self.by_last.setdefault(name[-1], {}).update(ref)
            if len(name) >= 2:
                self.by_first2.setdefault(name[:2], {}).update(ref)
            for x in range(len(name)):
                for y in range(x + 1, len(name) + 1):
                    self.by_run.setdefault(" ".join(name[x:y]), {}).update(ref)
                if x + 2 <= len(name):
                    self.by_pair.setdefault(" ".join(name[x:x + 2]), {}).update(ref)
        self.indexed[id(sp)] = len(names)

    def _first_in_order(self, found: dict[int, _Speaker], test) -> _Speaker | None:
        """The first speaker passing ``test`` in the order the resolver searches speakers: those
        never reported yet, latest created first, then the recent speakers, latest first."""
        def rank(sp: _Speaker) -> tuple[int, int]:
            last = self.last_recent.get(id(sp))
            return (0, -self.created[id(sp)]) if last is None else (1, -last)

        for sp in sorted(found.values(), key=rank):
            if test(sp):
                return sp
        return None

    def _runs(self, index: dict[str, dict[int, _Speaker]], words: tuple[str, ...]) -> dict[int, _Speaker]:
        """Speakers indexed under any run of ``words``."""
        found: dict[int, _Speaker] = {}
        for x in range(len(words)):
            for y in range(x + 1, len(words) + 1):
                found.update(index.get(" ".join(words[x:y]), {}))
        return found

    def names(self, sp: _Speaker) -> list[tuple[str, ...]]:
        key = (sp.tokens, len(sp.spans))
        if sp.cache_key != key:
            out = [sp.tokens]
            for s, e in sp.spans:
                out.append(tuple(w for w in (_n(x) for x in self.doc.text[s:e].split()) if w[:1].isalnum()))
            sp.cache = [n for n in out if n]
            sp.cache_key = key
        return sp.cache

    def note(self, sp: _Speaker, s: int, e: int, words: tuple[str, ...]) -> _Speaker:
        head = _light(self.doc.text[s:e].split()[0]) if words else ""
        kind = "title" if head in self.lex.nominal_heads else "name"
        self.add_mention(sp.key, s, e, kind)
        if (s, e) not in sp.spans:
            sp.spans.append((s, e))
            self._index(sp)
        return sp

    # --- resolution of a phrase
    # long: the speaker cascade (entity, known speaker, new speaker); left whole while the quotes stage is rewritten (issue 14)
    def resolve_np(self, a: int, b: int, skip_chars: int = 0) -> _Speaker | None:
        """The speaker a phrase names: an entity it mentions, a known speaker, or a new one."""
        an, lex, L = self.an, self.lex, self.an.L
        toks = an.toks
        words = self.words(a, b)
        if not words:
            return None
        s, e = toks[a].start + skip_chars, toks[b - 1].end
        lw = tuple(L[x] for x in range(a, b) if an.is_word(x))
        # two speakers named together (الرئيسان): the first of the last two
        if lw[0] in lex.groups or (lw[0][:1] == _WA and lw[0][1:] in lex.groups):
            pair: list[_Speaker] = []
            for sp in reversed(self.recent):
                if sp not in pair:
                    pair.append(sp)
                if len(pair) == 2:
                    break
            if pair:
                return min(pair, key=lambda sp: self.created[id(sp)])
        # 'the former' / 'the latter' (حيث يؤكد الأول ...، فيما أكد الآخر ...)
        if len(lw) == 1 and (lw[0] in lex.former or lw[0] in lex.latter):
            pair: list[str] = []
            for m in an.mentions_before(s, ("PER", "ORG")):
                if m[2] not in pair:
                    pair.append(m[2])
                if len(pair) == 2:
                    return self.speaker_for(pair[1] if lw[0] in lex.former else pair[0])
            return None
        # "the same source" (المصدر نفسه)
        if any(w in lex.same_source for w in lw) and self.last is not None:
            return self.last
        # a document named before as a statement (البيان، الرسالة)
        if len(lw) <= 2 and lw[0] in lex.doc_nouns:
            key = lw[0][2:] if lw[0].startswith(_ART) else lw[0]
            if key in self.doc_source:
                return self.doc_source[key]
        # a document of an organisation (تحقيق لصحيفة الغارديان، تقرير المجلس العالمي ...): the organisation
        if len(lw) >= 2 and lw[0] in lex.doc_nouns and not lw[0].startswith(_ART):
            nxt = L[a + 1]
            if nxt.startswith(_LAM) and not nxt.startswith(_LIL) and (
                    nxt[1:] in lex.org_heads or nxt[1:] in lex.source_nouns):
                return self.resolve_np(a + 1, b, skip_chars=1)
            if nxt.startswith(_ART) and nxt in lex.org_heads:
                return self.resolve_np(a + 1, b)
        # 1. entity mentions inside the phrase (from the entities stage)
        hits = an.mentions_overlapping(s, e)
        if hits and (lw[0] in lex.anonymous_heads or lw[0][1:] in lex.anonymous_heads):
            # مسؤول في مكتب الرئيس فلان: the official speaks, not the president
            hits = [m for m in hits if m[0] <= s + 1]
        if hits:
            head = lw[0]
            per = [m for m in hits if m[3] == "PER"]
            at_start = [m for m in hits if m[0] <= s + 1]
            orgs = [m for m in hits if m[3] == "ORG"]
            pick = None
            if per:
                pick = per[0]
            elif at_start:
                pick = at_start[0]
            elif (head in lex.doc_nouns and orgs) or (head not in lex.nominal_heads and orgs):
                pick = orgs[0]
            if pick is not None:
                sp = self.speaker_for(pick[2])
                if not (pick[0] <= s and pick[1] >= e):
                    self.note(sp, s, e, words)
                return sp
        # a common word alone (الوزارة 'the ministry', لي 'to me') names no new entity, nor the
        # speaker whose phrase merely contains it ("مصادر من الهيئة"): an earlier entity named with
        # the same noun (وزارة الخارجية), else no speaker entity
        if self.an.generic.is_generic(words):
            return self.antecedent_of(words[0], s, e)
        # 2. a speaker already known: the phrase is part of one of its names, or contains one
        # (only the speakers indexed under the phrase's words are looked at)
        sp = self._first_in_order(self.by_run.get(" ".join(words), {}),
                                  lambda sp: any(_contains(name, words) for name in self.names(sp)))
        if sp is not None:
            return self.note(sp, s, e, words)

        def within(sp: _Speaker) -> bool:
            return any((name[0] not in lex.nominal_norm or len(name) >= 2) and _contains(words, name)
                       and not (len(name) == 1 and name[0] in lex.nominal_norm) for name in self.names(sp))

        sp = self._first_in_order(self._runs(self.by_name, words), within)
        if sp is not None:
            return self.note(sp, s, e, words)
        # 2b. the same title (الناطق باسم النيابة ... / الناطق باسم النيابة العامة ...)
        if lw[0] in lex.nominal_heads and len(words) >= 2:
            same = [sp for sp in self.by_first2.get(words[:2], {}).values() if id(sp) in self.last_recent]
            if same:
                return self.note(max(same, key=lambda sp: self.last_recent[id(sp)]), s, e, words)
        # 3. a title used earlier right before a person's name (مع الرئيس الروسي فلاديمير بوتين)
        if lw[0] in lex.nominal_heads and an.mentions:
            m = an.per_after(self.doc.text[s:e], s)
            if m is not None:
                return self.note(self.speaker_for(m[2]), s, e, words)
        # 4. a new speaker
        return self.new_speaker(a, b, skip_chars)

    def antecedent_of(self, word: str, s: int, e: int) -> _Speaker | None:
        """The entity mentioned last before ``s`` with the generic noun ``word`` among its words
        (an organisation's: any of them, "إدارة شرطة المدينة"; others': the first, so that
        "مصادر من الهيئة" is not "الهيئة")."""
        generic = self.an.generic
        if not generic.is_noun(word):
            return None
        places = self.mention_heads().get(generic.head(word), [])
        # the mention starting last among those ending by s; on a tie, the earliest entity
        best: tuple[int, str] | None = None
        k = bisect.bisect_left(places, (s,))
        while k > 0:
            k -= 1
            start, _rank, end, key = places[k]
            if best is not None and start < best[0]:
                break
            if end <= s:
                best = (start, key)
        if best is None:
            return None
        sp = self.speaker_for(best[1])
        self.add_mention(sp.key, s, e, "nominal")
        if (s, e) not in sp.spans:
            sp.spans.append((s, e))
            self._index(sp)  # as note() does: the speaker indexes cover every name it has
        return sp

    def keeps_mention(self, a: int, b: int) -> bool:
        """An anonymous source named by a generic noun (المصادر): kept as speaker_mention."""
        words = self.words(a, b)
        return len(words) == 1 and self.an.generic.is_noun(words[0])

    # --- speakers the cue does not name
    def opener(self, ss: int) -> int | None:
        """Index after a sentence-initial 'من جانبه' / 'بدوره' (for his part), if any."""
        if ss not in self._openers:
            self._openers[ss] = self._opener(ss)
        return self._openers[ss]

    def _opener(self, ss: int) -> int | None:
        L = self.an.L
        for words in self.lex.openers:
            n = len(words)
            seq = [L[x] for x in range(ss, min(ss + n, len(L)))]
            if seq and seq[0][:1] == _WA and len(seq[0]) > 2 and seq[0][1:] == words[0]:
                seq[0] = seq[0][1:]
            if tuple(seq) == words:
                return ss + n
        return None

    def subject_before(self, i: int) -> tuple[int, int] | None:
        """SVO subject: the phrase opening the clause the cue closes (منصور ... أكد أن,
        وكان المحامي خالد ... قد أكد, من جانبه الرئيس الروسي ... قال)."""
        an, lex, toks, L = self.an, self.lex, self.an.toks, self.an.L
        ss = an.sent_start(i)
        a = ss
        for x in range(i - 1, ss - 1, -1):
            if toks[x].text in _COMMAS + (":",) or toks[x].norm in lex.complementizers:
                a = x + 1
                break
        op = self.opener(ss)
        if op is not None and a <= op:
            a = op
        while a < i and (L[a] in lex.conj_particles or L[a] in _COORD
                         or (not an.is_word(a) and toks[a].text[0] not in _QUOTE_CHARS)):
            a += 1
        if a >= i and op is not None and op < i:
            # من جانبه الرئيس الفرنسي إيمانويل ماكرون ...، قال: the phrase after the opener
            y = an.np_end(op, i)
            x, y, _ = an.clean_np(op, y, Cue("", "verb"))
            return (x, y) if x < y else None
        if a >= i - 1 and L[ss] in lex.copulas and i - ss <= 14:
            # وكان المحامي فلان الفلاني، قد أكد أن ...
            comma = next((x for x in range(ss, i) if an.is_comma(x)), None)
            if comma is not None:
                a, i = ss, comma
        copula = a < i and L[a] in lex.copulas
        if copula:
            a += 1
        b = i
        while b > a and L[b - 1] in _QAD:
            b -= 1
        if a >= b or b - a > 10:
            return None
        w = L[a]
        if w in lex.np_stop or w in lex.relatives or w == _FI or an.cue_at(a)[0] is not None:
            return None
        if w[:1] in _CONJ and len(w) > 3 and op is None and not copula and \
                an.mention_at(toks[a].start) is None:
            return None
        x, y, _ = an.clean_np(a, b, Cue("", "verb"))
        return (x, y) if x < y else None

    def antecedent(self, i: int) -> tuple[int, int] | None:
        """The phrase a relative pronoun before the cue refers to (X، الذي قال)."""
        an, toks, lex, L = self.an, self.an.toks, self.lex, self.an.L
        x = i - 2
        if x >= 0 and an.is_comma(x):
            x -= 1
        end = x + 1
        ss = an.sent_start(i)
        a = end
        while x >= ss and end - x <= 7:
            if not an.is_word(x) or toks[x].norm in lex.complementizers or an.cue_at(x)[0] is not None:
                break
            if L[x] in lex.np_stop:
                break
            a = x
            x -= 1
        while a < end and (L[a] == _FI or L[a] in lex.speech_nouns):
            a += 1
        return (a, end) if a < end else None

    def sentence_subject(self, i: int, guess: bool) -> _Speaker | None:
        """The subject of the sentence's first clause: a known or later speaker named there,
        a person mention, or (``guess``) the phrase after its first word."""
        an, toks, L, lex = self.an, self.an.toks, self.an.L, self.lex
        ss = an.sent_start(i)
        op = self.opener(ss)
        a = op if op is not None else ss
        b = min(i, a + 10)
        region = tuple(toks[x].norm for x in range(a, b))

        def named(sp: _Speaker) -> bool:
            for name in self.names(sp):
                grams = [name[x:x + 2] for x in range(len(name) - 1)]
                if _contains(region, name) or any(_contains(region, g) for g in grams) or (
                        name[0] not in lex.nominal_norm and _contains(region, name[-1:])):
                    return True
            return False

        found = self._runs(self.by_name, region)
        found.update(self._runs(self.by_pair, region))
        for w in region:
            found.update(self.by_last.get(w, {}))
        sp = self._first_in_order(found, named)
        if sp is not None:
            return sp
        # the earliest future phrase found in the region, at its first place there
        runs = [(self.future_first[r], x) for x in range(len(region)) for y in range(x + 1, len(region) + 1)
                if (r := region[x:y]) in self.future_first]
        if runs:
            first = self.future[min(runs)[0]]
            x = next(x for x in range(a, b - len(first) + 1) if region[x - a:x - a + len(first)] == first)
            return self.resolve_np(x, x + len(first))
        for x in range(a, b):
            m = an.mention_at(toks[x].start)
            if m is not None and m[3] == "PER":
                return self.speaker_for(m[2])
        if not guess:
            return None
        x = a
        while x < b and (L[x] in lex.conj_particles or L[x] in _COORD or not an.is_word(x)):
            x += 1
        if x < b and (L[x] in lex.np_stop or L[x] in _IN_FORMS):
            return None
        x += 1  # the verb
        if x >= i:
            return None
        y = an.np_end(x, i)
        if y <= x or an.cue_at(x)[0] is not None or L[x] in lex.np_stop:
            return None
        x, y, _ = an.clean_np(x, y, Cue("", "verb"))
        return self.resolve_np(x, y) if x < y else None

    def previous_subject(self, i: int) -> _Speaker | None:
        """A person who is the subject of the sentence before (وألقى فلان كلمة. وقال ...)."""
        an = self.an
        si = an.sent[i]
        if si == 0:
            return None
        a, b = an.sbounds[si - 1]
        op = self.opener(a)
        if op is not None and op < b and an.L[op] not in _COMMAS and an.is_word(op):
            # أما النائب فارس سعيد، ...، فكانت مقاربته ... . واعتبر أن ...
            y = an.np_end(op, b)
            x, y, _ = an.clean_np(op, y, Cue("", "verb"))
            if x < y:
                return self.resolve_np(x, y)
        for x in range(a, min(a + 4, b)):
            m = an.mention_at(an.toks[x].start)
            if m is not None and m[3] == "PER":
                return self.speaker_for(m[2])
        return None

    def other_party(self, i: int) -> _Speaker | None:
        """'من جانبه، أكد ...' without a subject: the latest person who is not the last speaker."""
        an = self.an
        pos = an.toks[i].start
        for m in an.mentions_before(pos, ("PER", "ORG")):
            if self.last is None or m[2] != self.last.key:
                return self.speaker_for(m[2])
        for sp in reversed(self.recent):
            if sp is not self.last:
                return sp
        return None

    def resolve(self, cands: list[_Cand]) -> list[tuple[_Cand, _Speaker | None, tuple[int, int] | None]]:
        out = []
        an = self.an
        by_sentence: dict[int, _Speaker] = {}
        last_sentence = -1
        for c in cands:
            sp: _Speaker | None = None
            span: tuple[int, int] | None = None
            si = an.sent[c.cue_i]
            toks = an.toks
            if c.mode == "none":
                out.append((c, None, None))
                continue
            if c.np is not None:
                a, b = c.np
                sp = self.resolve_np(a, b, c.np_skip)
                span = (toks[a].start + c.np_skip, toks[b - 1].end) \
                    if sp is not None or self.keeps_mention(a, b) else None
            elif c.mode == "relative":
                ante = self.antecedent(c.cue_i)
                if ante is not None:
                    sp = self.resolve_np(*ante)
                    span = (toks[ante[0]].start, toks[ante[1] - 1].end)
                c.nested = True
            elif c.mode == "participle":
                sp = by_sentence.get(si) or self.sentence_subject(c.cue_i, False) or self.last \
                    or self.sentence_subject(c.cue_i, True)
            else:  # the subject is not after the cue
                subj = self.subject_before(c.cue_i)
                op = self.opener(an.sent_start(c.cue_i))
                prev = an.L[c.cue_i - 1] if c.cue_i > 0 else ""
                if subj is not None:
                    sp = self.resolve_np(*subj)
                    span = (toks[subj[0]].start, toks[subj[1] - 1].end) \
                        if sp is not None or self.keeps_mention(*subj) else None
                elif op is not None and op < c.cue_i:
                    sp = self.other_party(c.cue_i)
                elif prev in _WHEN:
                    sp = self.sentence_subject(c.cue_i, True) or self.last
                elif si in by_sentence:
                    sp = by_sentence[si]
                else:
                    ps = self.previous_subject(c.cue_i) if si - 1 > last_sentence else None
                    sp = ps or self.last or self.sentence_subject(c.cue_i, True)
            if c.doc_pp and sp is not None:
                self.doc_source[c.doc_pp] = sp
            if sp is not None and not c.nested:
                self.last = sp
                by_sentence[si] = sp
                self.last_recent[id(sp)] = len(self.recent)
                self.recent.append(sp)
                last_sentence = si
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


# ----------------------------------------------------------------------------- assembly


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
