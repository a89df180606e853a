"""Quotations, first half: finding the cues of a sentence and building the quoted span.

``_Analyzer`` walks the tokens of a document, finds the cues of the lexicon (speech verbs,
participles such as مضيفا 'adding', prepositional cues such as حسب 'according to', impersonal
cues) and, for each, the reported content (direct inside quotation marks or after قال: 'said:',
indirect after إن/أن 'that', mixed, or post-posed before the cue) and the tokens naming its
speaker. Linking those words to an entity is ``quote_speakers``'s job; ``quotes`` is the stage
that joins both.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..model import Document, Token
from .generic_words import load_generic_words
from .name_lexicons import is_honorific
from .quote_cues import Cue, Lexicon, _light, _n

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
_HA = "ه"  # the feminine ending ة as normalisation writes it
_PLURAL = ("ين", "ون")  # sound masculine plural endings (بالمواطنين 'the citizens'): people
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


_COMMAS = (_AR_COMMA, ",")
# 'it came in (a statement)': the words after في name the source; needs إن/أن close by
_DOC_CUE = Cue(lemma="جاء", kind="verb", strict=True)


def _covered(starts: list[int], spans: list[tuple[int, int]]) -> frozenset[int]:
    """Indices of the tokens (by start offset) that begin inside one of ``spans``."""
    out: set[int] = set()
    for s, e in spans:
        out.update(range(bisect.bisect_left(starts, s), bisect.bisect_left(starts, e)))
    return frozenset(out)


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
        self.reported: set[int] = set()  # cue tokens that gave a report so far
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

    def names_people(self, k: int, cue: Cue, skip: int = 0) -> bool:
        """Whether the object at token k (after ``skip`` letters of a preposition) names people:
        a word of the cue's list, a title, a plural in ين/ون, or a person's name close by."""
        w = self.L[k][skip:]
        if w in cue.not_objects or w in self.lex.nominal_heads or w in self.lex.agent_heads or w.endswith(_PLURAL):
            return True
        return any((m := self.mention_at(self.toks[x].start + (skip if x == k else 0))) is not None and m[3] == "PER"
                   for x in range(k, min(k + 4, len(self.toks))))

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

    def opens_report(self, k: int, cue: Cue) -> bool:
        """A complementizer, or the object preposition إلى, right after token k (مؤكدة أن، مشيرة إلى).
        على and عن do not count: مشددة على / معبرة عن are as often adjectives ('strict on',
        'expressive of') and حالة مؤكدة على الأقل 'a confirmed case at least'."""
        n = k + 1
        return n < len(self.toks) and (self.toks[n].norm in self.lex.complementizers
                                       or (self.L[n] == _ILA and _ILA in cue.obj))

    def trailer_after(self, close: int, se: int) -> bool:
        """Only a circumstance of the speaking follows the closing mark at ``close`` up to the end
        of the content: a phrase opening with a preposition or time word (في مقابلة، خلال زيارته،
        لوكالة ...), not more reported words."""
        x = bisect.bisect_right(self.starts, close)
        while x < se and not self.is_word(x):
            x += 1
        if x >= se:
            return True
        w = self.L[x]
        return (w in self.lex.np_stop or w in _IN_FORMS or self.is_pp_object(x)) and \
            sum(1 for y in range(x, se) if self.is_word(y)) <= 8

    def masdar_at(self, a: int, se: int) -> int | None:
        """The first stance noun with a possessive pronoun (رفضه، قلقها) in the words after a cue,
        before any comma, complementizer, quotation mark or other cue: the start of the report."""
        for x in range(a, min(se, a + 9)):
            t = self.toks[x]
            if not self.is_word(x) or t.norm in self.lex.complementizers:
                return None
            if self.lex.masdar_stem(self.L[x]) is not None and self.mention_at(t.start) is None:
                return x
            if x > a and self.cue_at(x)[0] is not None:
                return None
        return None

    def main_subject(self, i: int) -> tuple[int, int] | None:
        """The subject of the clause a participle cue follows, when no cue opens that clause:
        "وأصدرت وزارة الصحة بيانا ...، مبرزة أن": وزارة الصحة. The verb must agree with the
        participle (feminine ت with a feminine participle), and the subject must be an entity
        mention or a title or source noun."""
        toks, lex, L = self.toks, self.lex, self.L
        ss = self.sent_start(i)
        if any(self.cue_at(x)[0] is not None for x in range(ss, i)):
            return None  # the participle continues that cue's report
        x = ss
        while x < i and (not self.is_word(x) or L[x] in lex.conj_particles):
            x += 1
        if x + 1 >= i:
            return None
        verb = L[x][1:] if L[x][:1] in _CONJ and len(L[x]) > 3 else L[x]
        feminine = toks[i].norm.endswith(_HA)  # مبرزة (ة read as ه after normalisation)
        if feminine != (verb.endswith(_TA) and len(verb) >= 4):
            return None
        a = x + 1
        m = self.mention_at(toks[a].start)
        if m is None and L[a] not in lex.nominal_heads and L[a] not in lex.org_heads and L[a] not in lex.agent_heads:
            return None
        b = bisect.bisect_left(self.starts, m[1]) if m is not None else (
            self.definite_np_end(a, i) or self.np_end(a, i))
        a, b, _ = self.clean_np(a, min(b, i), Cue("", "verb"))
        return (a, b) if a < b else None

    def next_paragraph(self, x: int) -> tuple[int, int] | None:
        """Token range of the paragraph after token x's, when no word follows x in its own."""
        toks, para = self.toks, self.para(self.toks[x].start)
        y = x + 1
        while y < len(toks) and self.para(toks[y].start) == para:
            if self.is_word(y):
                return None
            y += 1
        if y >= len(toks):
            return None
        b = y
        while b < len(toks) and self.para(toks[b].start) == self.para(toks[y].start):
            b += 1
        return y, b

    def unmarked_direct(self, i: int, se: int) -> tuple[_Cand, int] | None:
        """Speech with neither quotation marks nor a colon, kept to what marks it otherwise:
        a first-person opening after the subject ("وقال الوزير نحن ..."), or a cue and subject that
        close their paragraph, the next one opening in the first person or with إن 'that'. The
        speech runs to the end of its paragraph."""
        toks, lex, L = self.toks, self.lex, self.L
        npe = self.np_end(i + 1, se)
        if npe <= i + 1:
            return None
        kind = "direct"
        first = None
        for x in range(i + 2, min(se, i + 14)):
            if self.is_comma(x) or toks[x].norm in lex.complementizers or self.cue_at(x)[0] is not None:
                break
            if L[x] in lex.first_person:
                first = x
                break
        if first is not None:
            k, npe = first, min(npe, first)
            end = k
            while end < len(toks) and self.para(toks[end].start) == self.para(toks[k].start):
                end += 1
        else:
            nxt = self.next_paragraph(npe - 1)
            if nxt is None:
                return None
            k, end = nxt
            if toks[k].norm in lex.complementizers:
                k, kind = k + 1, "indirect"
            elif L[k] not in lex.first_person:
                return None
        if sum(1 for x in range(k, end) if self.is_word(x)) < 4:
            return None
        s, e = self.content_to(k, end)
        return _Cand(i, self.lex.forms.get(toks[i].norm, Cue("", "verb")), False, s, e, kind, "np"), npe

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
            if cue.not_subjects and any(self.L[x] in cue.not_subjects for x in range(
                    max(self.sent_start(k), k - 8), min(self.sent_end(k), k + 4))):
                continue  # أدانت المحكمة المتهم: a verdict, not a statement
            if cue.kind == "participle" and not t.norm.endswith(_ALIF) and not (
                    k > 0 and self.toks[k - 1].text[-1:] in _COMMAS + (".", _SEMI, ";", "؟", "?", "!", ":")) \
                    and not self.opens_report(k, cue):
                continue  # مشيرة/مؤكدين only as a clause after a comma or before أن/إلى (not متابعة 'follow-up')
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
                if cue.kind in ("verb", "participle"):
                    self.reported.add(k)
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
            if cue.not_objects and t.norm[:1] == _BA and L[k] not in cue.obj and self.names_people(k, cue, 1):
                break  # رحب فلان بجميع الحضور: people welcomed; a later ب is no object of the cue
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
        if found is None and cue.masdar and cue.kind == "verb" and (x := self.masdar_at(j, se)) is not None:
            found, how = x, "masdar"  # أعلن الوزير رفضه ...: the subject ends at the stance noun
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
                if k >= end and (nxt := self.next_paragraph(found)) is not None:
                    k, end = nxt  # "وقال الوزير:" closes its line; the speech is the next paragraph
                    op = self.tok_is_open(k)
                    if op is not None and self.para(op[1]) == self.para(toks[k].start):
                        cand = _Cand(i, cue, conj, op[0] + 1, op[1], "direct", "np", bounded=True)
                        k = end
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
                if op is not None and self.words_between(op[0], op[1]) >= 3 and (
                        self.words_between(op[1] + 1, toks[se - 1].end) == 0 or self.trailer_after(op[1], se)):
                    cand = _Cand(i, cue, conj, op[0] + 1, op[1], "direct", "np", bounded=True)
                else:
                    s, e = self.content_to(k, se)
                    cand = _Cand(i, cue, conj, s, e, "indirect", "np")
        elif how == "masdar":
            s, e = self.content_to(found, se)
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
            elif i > 0 and L[i - 1] in lex.relatives:
                np_b, k = i + 1, j  # التي استنكرت القصف: the subject is the antecedent; the object follows
                while k < se and (not self.is_word(k) or k in self.timex_toks):
                    k += 1  # الذي أعلن الثلاثاء: 'announced on Tuesday', a passive with its date
            else:
                np_b = self.bare_np_end(i + 1, se)
                k = np_b
                while k < se and (not self.is_word(k) or k in self.timex_toks or L[k] in lex.manner):
                    k += 1  # أعلن فلان مساء أمس ترحيبه / أدانت بشدة: when and how, not what
            nxt, nxt_conj = self.cue_at(k) if k < se else (None, False)
            if cue.not_objects and k < se and self.names_people(k, cue):
                return None  # أدانت المحكمة المتهم: a person convicted, nothing reported
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
        if cand is None and how is None and cue.kind == "verb" and not (cue.bare or cue.strict or cue.cognition):
            direct = self.unmarked_direct(i, se)
            if direct is not None:
                cand, np_b = direct
        if cand is None:
            return None
        if cue.kind == "impersonal":
            cand.mode = "none"
            return cand
        if cue.kind == "participle":
            cand.mode = "participle"
            subj = self.main_subject(i)
            if subj is not None:
                cand.np = subj  # the subject of the clause, not the last speaker
            return cand
        relayed = self.relay_source(i + 1, np_b, _n(cue.lemma) in lex.relay_lemmas)
        a, b, doc_pp = self.clean_np(relayed or i + 1, np_b, cue) if cue is not _DOC_CUE else (i + 2, np_b, None)
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

    def is_relay_verb(self, k: int) -> bool:
        """Token k is a relaying verb (نقلت، ينقل), also with an object pronoun (نقلته 'relayed it')."""
        w = self.toks[k].norm
        for suf in ("", "هم", "ها", "ه"):  # object pronouns 'them', 'her/it', 'him/it'
            if w.endswith(suf) and (cue := self.lex.forms.get(w[: len(w) - len(suf)])) is not None:
                return _n(cue.lemma) in self.lex.relay_lemmas
        return False

    def relay_source(self, a: int, b: int, relay: bool) -> int | None:
        """Where the relayed source starts in the words a..b after a cue: past عن after a relaying
        verb (``relay``: نقلت وكالة تاس عن الوزارة قولها) or after نقلا (ذكرت الصحيفة نقلا عن متحدث).
        The medium before it only passes the words on; the source is the speaker."""
        lex = self.lex
        for x in range(a, min(b, a + 12) - 1):
            if self.is_comma(x):
                return None
            if self.L[x] == lex.relay_prep and (relay or (x > a and self.L[x - 1] in lex.relay_markers)):
                return x + 1
        return None

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
        return self.definite_np_end(k, se) or a

    def definite_np_end(self, k: int, se: int) -> int | None:
        """Where a subject headed by a title or an organisation noun ends before a bare object:
        the words of a definite phrase (heads in construct, then words with ال or a preposition
        with ال, or names), up to the first word that is none of these (وانتقد النائب المستقل
        أداء الحكومة: the object starts at أداء 'performance')."""
        lex, L = self.lex, self.L
        if not (L[k] in lex.agent_heads or L[k] in lex.org_heads or L[k] in lex.nominal_heads
                or L[k] in lex.anonymous_heads):
            return None
        definite = False
        x = k
        while x < se and x < k + 8:
            w = L[x]
            if w in lex.manner:
                return x if definite else None
            if not self.is_word(x) or w in lex.np_stop or self.toks[x].norm in lex.complementizers:
                return None
            m = self.mention_at(self.toks[x].start)
            if m is not None:
                x, definite = max(x + 1, bisect.bisect_left(self.starts, m[1])), True
                if x < se and self.mention_at(self.toks[x].start) is None and not L[x].startswith(_LAM):
                    return x if se - x >= 2 else None  # a name ends the subject (its complement opens with ل)
                continue
            if w.startswith((_ART, _LIL, _BA + _ART, _WA + _ART)):
                x, definite = x + 1, True
                continue
            if not definite:
                x += 1  # رئيس الوزراء: a head in construct
                continue
            return x if se - x >= 2 else None
        return None

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
        start, end = self.named_apposition(start, end, b) or (start, end)
        while start < end and (toks[start].text[0] in _QUOTE_CHARS or L[start] in lex.speech_nouns):
            start += 1
        while end > start and (toks[end - 1].text[0] in _QUOTE_CHARS or L[end - 1] == _FI):
            if toks[end - 1].text[0] in _QUOTE_CHARS and \
                    sum(ch in _QUOTE_CHARS for ch in self.text[toks[start].start:toks[end - 1].end]) % 2 == 0:
                break  # the closing mark of a quoted name («إياتا»)
            end -= 1
        return start, end, doc_pp

    def named_apposition(self, start: int, end: int, b: int) -> tuple[int, int] | None:
        """A person named after the title phrase start..end and a comma, up to the content at ``b``
        (عالم المناخ في جامعة ريدينغ، البروفيسور فلان، إن ...: the named person speaks): honorifics,
        then a person mention (or, without one, two to four words after an honorific), then only
        a comma. Only when the title phrase names no person itself. Returns its token span."""
        comma = next((z for z in range(end, b) if self.is_comma(z)), None) if end > start else None
        if comma is None or any(m[3] == "PER" for m in self.mentions_overlapping(
                self.toks[start].start, self.toks[comma].start)):
            return None
        a = x = comma + 1
        while x < b and is_honorific(self.toks[x].norm):
            x += 1
        m = self.mention_at(self.toks[x].start) if x < b else None
        if m is not None and m[3] == "PER":
            y = bisect.bisect_left(self.starts, m[1])
        elif x > a:
            y = next((z for z in range(x, min(b, x + 5)) if not self.is_word(z)), b)
            if not 2 <= y - x <= 4:
                return None
        else:
            return None
        return (a, y) if all(not self.is_word(z) for z in range(y, b)) else None

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
                if (c2 is not None and c2.kind == "verb") or self.is_relay_verb(k):
                    verb_cue = k
                    consumed.add(k)
                k += 1
                if k < se and L[k] == _FI:
                    k += 1
                while k < se and verb_cue is not None and (L[k] in lex.after_verb or L[k] in lex.np_skip):
                    k += 1  # حسب ما أفاد به المصدر: 'what the source stated (it)'; به is no source
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
        # يذكر أن ...، بحسب إحصاءات اللجنة: the reported clause follows the narrator's أن
        n = next((x for x in range(ss, i - 2) if toks[x].norm in lex.narration), None)
        if n is not None and toks[n + 1].norm in lex.complementizers:
            a = max(a, n + 2)  # not across commas: the clause after the last comma, as before
        if fa is None and any(x in self.reported for x in range(a, i)):
            # وقال الوزير إن "..." وفق ما نقلته الوكالة: the medium of that report, which ends here
            self.nominal_ok.add(i)
            return None
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
            if np_b < se and self.is_comma(np_b) and L[np_a] in lex.doc_nouns and \
                    not (np_b + 1 < se and self.cue_at(np_b + 1)[0] is not None):
                b = np_b  # وحسب معطيات وزارة الصحة، ...: a comma closes a document's source phrase
            c = b
            while c < se and not self.is_word(c):
                c += 1
            if se - c < 3:
                return None
            s, e = self.content_to(c, se)
            cand = _Cand(i, cue, False, s, e, "indirect", "np", (np_a, b))
        if verb_cue is not None and cand.np is not None and \
                (relayed := self.relay_source(verb_cue + 1, se, self.is_relay_verb(verb_cue))) is not None:
            # وفق ما نقلته الوكالة عن تاجر: the trader speaks, the agency relays
            cand.np, skip = (relayed, self.np_end(relayed, se)), 0
        if cand.np is not None and cand.np[1] - cand.np[0] > 1 and toks[cand.np[1] - 1].text == ")" and \
                "(" not in self.text[toks[cand.np[0]].start:toks[cand.np[1] - 1].start]:
            cand.np = (cand.np[0], cand.np[1] - 1)  # (وفق معطيات الوزارة): the closing parenthesis
        consumed.update(range(i + 1, np_b))
        cand.np_skip = skip
        return cand
