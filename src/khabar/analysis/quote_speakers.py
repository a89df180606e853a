"""Quotations, second half: rule speaker resolution.

``_Resolver`` links the speaker tokens ``quote_spans`` found to entities, in text order: subject
phrases before or after the cue, titles and descriptions that name an earlier person (الرئيس
الروسي 'the Russian president'), generic nouns that refer back (الوزارة 'the ministry'), and
pronoun-drop continuations (وأضاف 'and he added') that keep the previous speaker. Phrases no
entity covers become new entities. The learned ranker that has the last word is ``speakers``.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from ..model import Entity, Mention
from .name_lexicons import heads_a_body, is_honorific
from .quote_cues import Cue, _light, _n
from .quote_spans import (
    _ART,
    _COMMAS,
    _CONJ,
    _COORD,
    _FI,
    _IN_FORMS,
    _LAM,
    _LIL,
    _QAD,
    _QUOTE_CHARS,
    _WA,
    _WHEN,
    _Analyzer,
    _Cand,
)


@dataclass
class _Speaker:
    key: str  # entity id
    tokens: tuple[str, ...]
    spans: list[tuple[int, int]] = field(default_factory=list)
    cache: list[tuple[str, ...]] = field(default_factory=list)
    cache_key: Any = None


@lru_cache(maxsize=1)
def _informing_verbs() -> frozenset[str]:
    """Verbs of informing someone (أبلغ 'informed'), lightly normalised (data/titles.json)."""
    raw = json.loads(resources.files("khabar.data").joinpath("titles.json").read_text(encoding="utf-8"))
    return frozenset(_light(w) for w in raw["informing_verbs"])


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
        if w not in self.lex.nominal_heads and heads_a_body(_n(w)):
            return "ORG", False  # "القيادة العامة ..." (the general command): a body speaks
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
        ref = id(sp)  # each index maps a key to {id: speaker}
        for name in names[done:]:
            self.by_name.setdefault(" ".join(name), {})[ref] = sp
            self.by_last.setdefault(name[-1], {})[ref] = sp
            if len(name) >= 2:
                self.by_first2.setdefault(name[:2], {})[ref] = sp
            for x in range(len(name)):
                for y in range(x + 1, len(name) + 1):
                    self.by_run.setdefault(" ".join(name[x:y]), {})[ref] = sp
                if x + 2 <= len(name):
                    self.by_pair.setdefault(" ".join(name[x:x + 2]), {})[ref] = sp
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
            if per and per[0][0] > s + 1 and (head in lex.org_heads or heads_a_body(_n(head))) \
                    and all(L[x].startswith(_ART) or L[x] in lex.nominal_heads
                            for x in range(a + 1, b) if toks[x].end <= per[0][0] and an.is_word(x)):
                per = []  # "إدارة الرئيس بايدن" (the Biden administration): the body speaks, not the person
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

    def informs(self, i: int) -> bool:
        """Is the cue at token ``i`` a verb of informing someone (وأبلغ 'and he informed')?"""
        w = self.an.L[i]
        verbs = _informing_verbs()
        return w in verbs or (w[:1] in _CONJ and w[1:] in verbs)

    def informer(self, a: int, b: int) -> tuple[int, int]:
        """The subject in the phrase ``[a, b)`` after a verb of informing. A quoted name first is
        the outlet informed ("وأبلغ «الوطن» مصدر ..." a source told Al-Watan): the subject follows it."""
        toks = self.an.toks
        if a > 0 and toks[a - 1].text in _QUOTE_CHARS:
            close = next((x for x in range(a, min(a + 4, b - 1)) if toks[x].text in _QUOTE_CHARS), None)
            if close is not None:
                a = close + 1
        return a, self.subject_end(a, b)

    def subject_end(self, a: int, b: int) -> int:
        """End of the subject in the phrase ``[a, b)`` after a verb of informing: the addressee
        follows it ("أبلغ الوزير السفير الأمريكي": the minister informed the US ambassador). The
        subject ends where another entity's mention starts, or where a new definite title or
        organisation head starts (the phrase's first entity and its own titles stay whole)."""
        an, lex, toks, L = self.an, self.lex, self.an.toks, self.an.L
        s, e = toks[a].start, toks[b - 1].end
        hits = an.mentions_overlapping(s, e)
        first = next((m[2] for m in hits if m[0] <= s + 1), None)
        if first is None and hits and (not L[a].startswith(_ART) or is_honorific(toks[a].norm)):
            first = hits[0][2]  # "مدير الأمن العام اللواء فلان", "العقيد فلان": a title before its name
        covered_to = max((m[1] for m in hits if m[2] == first), default=s)
        for x in range(a + 1, b):
            pos = toks[x].start
            m = next((m for m in hits if m[0] <= pos < m[1]), None)
            if m is not None:
                if m[2] != first and m[0] >= pos:
                    return x  # another entity starts here
                continue
            if pos >= covered_to and L[x].startswith(_ART) and (
                    L[x] in lex.nominal_heads or L[x] in lex.org_heads or heads_a_body(_n(L[x]))):
                return x  # "رئيس الجمهورية الوزيرَ الأول": a second definite title or body
        return b

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
                if self.informs(c.cue_i):
                    a, b = self.informer(a, b)
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

