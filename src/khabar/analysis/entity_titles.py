"""Titles of the entities stage (split from ``entities``, a pure move): title phrases with their
domain, qualifier and post ("وزير الخارجية السعودي", "سفير إيران في موسكو"), the names that
follow or precede them, last names alone after a speech verb, and which person a title binds to.
"""

from __future__ import annotations

from ..model import Token
from .entity_lexicon import (
    _NOT_VERBS,
    _POST_PREPS,
    _REGION_NOUNS,
    Cand,
    Lexicon,
    TitleHit,
    TitleSpec,
    _forms,
    _name_like,
    _role_match,
    _strip_conj,
    _transliterate,
)
from .kb import KB


class _TitleReader:
    """The title steps of ``EntityStage`` (a mixin: the stage holds the state)."""

    kb: KB
    lex: Lexicon
    given_names: frozenset[str]

    # ---- titles ------------------------------------------------------------------------------

    def _titles(self, toks: tuple[Token, ...], si: int, cands: list[Cand]) -> list[TitleHit]:
        lex, n = self.lex, len(toks)
        starts = {c.i: c for c in cands}
        covered = {k for c in cands for k in range(c.i, c.j) if c.type in ("PER", "LOC")}
        out: list[TitleHit] = []
        i = 0
        while i < n:
            hit = None
            norm = toks[i].norm
            if i not in covered and norm in lex.first_words and norm.isalpha():  # (no title starts elsewhere)
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
            if hit is None and out and i + 1 < n and norm in lex.counterpart_words:
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
                qual_en = c.kb.en if c.kb else c.name_en or _transliterate(" ".join(t.text for t in toks[c.i:c.j]), c.type)
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
                    qual_en = _transliterate(" ".join(t.text for t in toks[j:k]))
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
            for i in [i for i, t in enumerate(toks) if t.norm in lex.firsts]:  # (an honorific's first word)
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
        if not surnames:
            return []
        taken = {(c.sent, k) for c in cands for k in range(c.i, c.j)}
        out = []
        for si, toks in enumerate(sents):
            for k in [k for k, t in enumerate(toks) if k and t.norm in surnames]:
                w = toks[k].norm
                if (si, k) not in taken:
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
