"""Mention candidates of the entities stage (split from ``entities``, a pure move): knowledge-base
matches and their disambiguation, tagger spans (clitics, titles and lists left out), their merge,
and the rule-built names on head nouns (organisations with their complements, ministries,
institutions named by a country, places named by a date).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import cached_property, lru_cache
from itertools import pairwise
from typing import Any

from ..model import Token
from .clitics import CLITIC_CHAINS
from .entity_lexicon import (
    _CONJ,
    _DATELINE_MARKS,
    _PREP,
    _PREP_PRONOUNS,
    _PRONOUN_ENDS,
    _QUOTE_MARKS,
    _TANWEEN,
    Cand,
    Lexicon,
    _forms,
    _is_arabic,
    _name_like,
    _ordinal_en,
    _org_head,
    _org_head_words,
    _org_heads,
    _strip_conj,
    _transliterate,
    with_proclitics,
)
from .kb import KB, Key
from .name_lexicons import bare, load_name_lexicons, org_name_end
from .outlets import find_outlets, load_outlets
from .place_names import find_places, load_place_names
from .places import load_place_heads
from .timexes import day_month_reader


class _MentionFinder:
    """The candidate-finding steps of ``EntityStage`` (a mixin: the stage holds the state)."""

    kb: KB
    lex: Lexicon
    tagger: Any
    given_names: frozenset[str]

    # ---- word tests of the scans (one set probe per word; see ``with_proclitics``) -------------

    @cached_property
    def kb_words(self) -> frozenset[str]:
        """Words with a reading that starts a KB name: the dictionary scan passes the others by."""
        return with_proclitics(k[0] for k in self.kb.index)

    @cached_property
    def headed_words(self) -> frozenset[str]:
        """Words on which a case of ``_headed_names`` may start (a skip, a place noun before a date
        or a name, a ministry, an institution, a head noun): the scan passes the others by."""
        lex = self.lex
        return lex.first_words | lex.head_words | lex.place_head_words | lex.ministry_words \
            | frozenset(load_place_heads().by_word)

    # ---- KB dictionary matching ------------------------------------------------------------

    def _disambiguate(self, hits: list[Cand], doc_norms: Counter[str]) -> None:
        """Read a name shared by several KB entries by the article's other places: عمان is
        Amman in an article about Jordan, Oman otherwise (the KB's priority decides alone)."""
        kb = self.kb
        adjective_countries = {e.id for w in doc_norms.keys() & kb.adjectives.keys() if (e := kb.country_of_adjective(w))}
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
        kb, n, words = self.kb, len(toks), self.kb_words
        after = 0  # a match starts at or after the end of the one before
        # only the words with a reading that starts a KB name are read (``kb_words``)
        for i in [k for k, t in enumerate(toks) if t.norm in words and t.norm.isalpha()]:
            if i < after:
                continue
            best: tuple[int, int, Cand] | None = None
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
                after = best[2].j
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
        cur: tuple[int, str] | None = None  # (first token, type) of the open span
        end = -1  # one past the last tag read: an O there (or the sentence's end) closes the span
        for k, tag in [(k, tag) for k, tag in enumerate(tags) if tag != "O"]:  # (most tags are O)
            if cur and (k != end or tag.startswith("B-") or tag[2:] != cur[1]):
                spans.append((cur[0], end, cur[1]))
                cur = None
            if cur is None and "-" in tag:
                cur = (k, tag[2:])
            end = k + 1
        if cur:
            spans.append((cur[0], end, cur[1]))
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
        date_heads, may_start = load_place_heads().by_word, self.headed_words
        starts = {c.i: c for c in cands}
        inside = {k for c in cands for k in range(c.i, c.j) if c.j - c.i > 1 or c.type != "LOC"}
        out: list[Cand] = []
        i = 0
        while i < n:
            # each test of a word's readings is one probe of the lexicon's ``*_words`` sets, and
            # the helpers below run only on words that pass theirs: most words start nothing
            norm = toks[i].norm
            if norm not in may_start:
                i += 1
                continue
            skips = lex.skip_by_first.get(norm)
            skip = next((len(k) for k in skips if tuple(t.norm for t in toks[i:i + len(k)]) == k), 0) \
                if skips else 0
            if skip:
                i += skip
                continue
            dated = self._date_named_place(toks, si, i, inside) if i + 1 < n and norm in date_heads else None
            if dated is not None:
                out.append(dated)
                i = dated.j
                continue
            if i not in inside and i + 1 < n and i + 1 not in inside and i + 1 not in starts \
                    and norm in lex.place_head_words \
                    and not toks[i + 1].norm.startswith("ال") and not toks[i + 1].norm.endswith(("ات", "يه")) \
                    and _name_like(toks[i + 1].norm, lex, self.kb, toks[i + 1].text):
                # "مدينة الموصل": the place is the word after the head (not a plural or an adjective:
                # "مدينة مهرجانات", "مدينة ساحلية")
                t = toks[i + 1]
                out.append(Cand(t.start, t.end, i + 1, i + 2, si, "LOC", (t.norm,), "rule"))
                i += 2
                continue
            form, off = None, 0
            if i not in inside and norm.isalpha():
                mini = (self._ministry(toks, si, i, starts) if norm in lex.ministry_words else None) \
                    or (self._institution(toks, si, i, starts) if norm in lex.first_words else None)
                if mini is not None:
                    out.append(mini)
                    i = mini.j
                    continue
                if norm in lex.head_words:
                    form, off = next((f, o) for f, o, _chain in _forms(toks[i]) if f in lex.heads)
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
                inner_en = c.kb.en if c.kb else _transliterate(" ".join(t.text for t in toks[c.i:c.j]), c.type)
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
                    inner_en = _transliterate(" ".join(t.text for t in toks[i + 1:end]))
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
        head_words = _org_head_words()
        held = {k for c in (*merged, *headed) if c.source != "tagger" or c.kb for k in range(c.i, c.j)}
        cover = {k: c for c in merged if c.source == "tagger" and not c.kb for k in range(c.i, c.j)}
        drop: set[int] = set()
        out: list[Cand] = []
        i = 0
        while i < n:
            hit = _org_head(toks[i].text, toks[i].norm) if toks[i].norm in head_words and i not in held else None
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

    def _scan_starts(self, doc_norms: Counter[str]) -> tuple[frozenset[str], frozenset[str]]:
        """The article's words that may start an outlet's name, and a gazetteer name: each word
        tested once (``_outlet_test``, ``_place_test``), not at each of its occurrences."""
        return frozenset(filter(_outlet_test(), doc_norms)), frozenset(filter(_place_test(), doc_norms))

    def _outlets(self, toks, si: int, cands: list[Cand], may_start: frozenset[str]) -> tuple[list[Cand], set[int]]:
        """News outlets and agencies (khabar.analysis.outlets) as ORG mentions, and the ids of the
        candidates they replace: tagger spans inside them, KB names inside a longer outlet name
        ("القدس" in "القدس العربي"), any name when a cue confirms the outlet (a quoted «الخليج» is
        the newspaper, not the Gulf). ``may_start``: the words of ``_scan_starts``."""
        out, gone = [], set()
        for o in find_outlets(toks, _forms, may_start.__contains__):
            inside = [c for c in cands if o.i <= c.i and c.j <= o.j]
            if any(c.i < o.j and o.i < c.j for c in cands if c not in inside) or (not o.cued and any(
                    c.source != "tagger" and (c.i, c.j) == (o.i, o.j) for c in inside)):
                continue  # another name overlaps it, or a KB/rule name is exactly this one
            gone.update(id(c) for c in inside)
            out.append(Cand(toks[o.i].start + o.off, toks[o.j - 1].end, o.i, o.j, si, "ORG", o.key, "outlet",
                            name_en=o.en))
        return out, gone

    def _places(self, toks, si: int, cands: list[Cand], may_start: frozenset[str]) -> list[Cand]:
        """Place names of the gazetteer in a place context, and lists after a place noun
        (khabar.analysis.place_names); a tagger span it shows to be a place is retyped LOC.
        ``may_start``: the words of ``_scan_starts``."""
        held = {k: (c.i, c.j, c.type, c.source == "tagger" and c.kb is None) for c in cands for k in range(c.i, c.j)}
        out = []
        for p in find_places(toks, held, _forms, lambda w, raw: _name_like(w, self.lex, self.kb, raw),
                             first_sentence=si == 0, may_start=may_start.__contains__):
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


@lru_cache(maxsize=1)
def _outlet_test() -> Callable[[str], bool]:
    """May a word start an outlet's name: has it a reading among the first words of the outlets'
    forms? (Latin words with capitals are always read: the forms are matched lower-cased.)"""
    words = with_proclitics(load_outlets().first_words)
    return lambda norm: norm in words or norm != norm.lower()


@lru_cache(maxsize=1)
def _place_test() -> Callable[[str], bool]:
    """May a word start a gazetteer name? A quick test that lets through every word with a
    reading (``_forms``) that starts one: a reading is the word less a proclitic chain of none,
    one or two letters, or that with its alef back (لل = ل + ال). The gazetteer's first words
    with every proclitic would make a set of 300,000 words; these sets are small."""
    gaz = load_place_names()
    words = frozenset(gaz.names) | gaz.prefixes
    words |= {w[1:] for w in words if w.startswith("ا")}
    one, two = (frozenset(c for c in CLITIC_CHAINS if len(c) == n) for n in (1, 2))
    return lambda norm: norm in words or (norm[:1] in one and norm[1:] in words) \
        or (norm[:2] in two and norm[2:] in words)
