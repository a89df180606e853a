"""Event coding: who did what to whom, when and where, in PLOVER types with CAMEO codes.

Triggers (Arabic verbs in their usual conjugations, event nouns and multi-word phrases) come
from the packaged lexicon ``data/events.json`` and are matched with dict lookups on
normalised token forms with their clitics stripped, so matching is cheap. For each trigger
the actors are chosen from the candidate actor mentions of its clause by word-order rules of
news Arabic (verb-subject-object, subject before the verb after إن/أن, "مع" companions,
victims after numbers), the time is the nearest dated time expression of the sentence and
the location a place entity introduced by في/ب/قرب.

Candidates are the entities' mentions (names and titles) when the entities stage ran, plus
unnamed collective actors from the lexicon (protesters, gunmen, the army...), which are no
entity: their text is kept in ``actor1_mention``/``actor2_mention`` with ``actor1`` None.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources

from ..model import Document, Event, Sentence, Span, Timex, Token
from .clitics import CONJUNCTIONS, variants
from .text import normalize

_CONJ = "".join(CONJUNCTIONS)  # proclitics "and", "so" (a string: heads are lstrip()ped of them)
_ACTOR_TYPES = frozenset({"PER", "ORG", "LOC"})
_FORCEFUL = frozenset({"ASSAULT", "COERCE"})  # types whose quantified objects are victims
_ANCHOR_TYPES = frozenset({"DATE", "TIME"})
_NO_HIT: tuple[tuple, tuple] = ((), ())  # shared value for words that start no trigger
_VERB_WINDOW = 6  # tokens after a verb in which its subject is looked for
_QUOTES = frozenset('"\'«»“”')  # quotation marks (normalised) may stand between subject and verb
_ARTICLE = "ال"  # the definite article
_MARKS = re.compile("[\u064b-\u0652\u0640]")  # harakat and tatweel, which may follow a suffix


def _n(word: str) -> str:
    return normalize(word).text


@dataclass(frozen=True)
class Entry:
    type: str
    cameo: str | None
    pos: str  # verb | noun | phrase
    next: frozenset[str] = frozenset()
    window: int = 3
    unless: frozenset[str] = frozenset()  # words that, within the window after, cancel it


@dataclass
class Lexicon:
    single: dict[str, list[Entry]] = field(default_factory=dict)
    phrases: dict[str, list[tuple[tuple[str, ...], Entry]]] = field(default_factory=dict)
    intent: frozenset[str] = frozenset()
    negators: frozenset[str] = frozenset()
    agents: frozenset[str] = frozenset()
    patients: frozenset[str] = frozenset()
    modifiers: frozenset[str] = frozenset()
    duals: frozenset[str] = frozenset()
    dual_kind: dict[str, str] = field(default_factory=dict)  # dual word -> PER | LOC | ANY
    relatives: frozenset[str] = frozenset()
    undergo: frozenset[str] = frozenset()
    need_actor: frozenset[str] = frozenset()
    preps: frozenset[str] = frozenset()  # every preposition: ends a verb's subject search
    numbers: frozenset[str] = frozenset()
    companion: frozenset[str] = frozenset()
    target: frozenset[str] = frozenset()
    location: frozenset[str] = frozenset()
    breaks: frozenset[str] = frozenset()
    particles: frozenset[str] = frozenset()
    stop: frozenset[str] = frozenset()
    anaphoric: frozenset[str] = frozenset()  # عقب 'after': before a noun naming an earlier event
    agent_cues: frozenset[str] = frozenset()  # نفذه 'carried out by': the actor of the noun before follows
    agent_cue_phrases: frozenset[tuple[str, ...]] = frozenset()  # من قبل 'by'
    agent_cue_first: frozenset[str] = frozenset()  # the first words of those phrases
    agent_cue_forms: frozenset[str] = frozenset()  # cue words as written, with و/ف: a quick test per sentence
    possessive: tuple[str, ...] = ()  # suffixes of "قواته" 'its forces'
    hit_cache: dict[str, tuple[tuple, tuple]] = field(default_factory=dict)


def _verb_forms(past: str, imperf: str) -> set[str]:
    forms = {past + s for s in ("", "ت", "ا", "وا", "تا", "ن", "نا", "تم")}
    for pre in "يتنا":
        forms |= {pre + imperf + s for s in ("", "ون", "ان", "ا", "وا", "ين", "ن")}
    return forms


def _noun_forms(noun: str) -> set[str]:
    if noun.endswith("ه"):
        return {noun, noun[:-1] + "تين", noun[:-1] + "تان"}
    if noun.endswith(("ات", "ي")):
        return {noun}
    return {noun, noun + "ا", noun + "ين", noun + "ان"}


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The packaged trigger lexicon, normalised and indexed (built once)."""
    raw = json.loads(resources.files("khabar.data").joinpath("events.json").read_text(encoding="utf-8"))
    lex = Lexicon()
    for item in raw["triggers"]:
        nxt = frozenset(_n(w) for w in item.get("next", ()))
        unless = frozenset(_n(w) for w in item.get("unless_next", ()))
        make = lambda pos: Entry(item["type"], item.get("cameo"), pos, nxt, int(item.get("window", 3)), unless)  # noqa: E731, B023 - called within this iteration
        exclude = {_n(w) for w in item.get("exclude", ())}
        verbs: set[str] = set()
        if "verb" in item:
            verbs |= _verb_forms(_n(item["verb"][0]), _n(item["verb"][1]))
        verbs |= {_n(w) for w in item.get("forms", ())}
        nouns: set[str] = set()
        for w in item.get("nouns", ()):
            nouns |= _noun_forms(_n(w))
        for pos, forms in (("verb", verbs - exclude), ("noun", nouns - exclude)):
            entry = make(pos)
            for f in forms:
                if len(f) >= 2:
                    lex.single.setdefault(f, []).append(entry)
        for p in item.get("phrases", ()):
            words = tuple(_n(w) for w in p.split())
            lex.phrases.setdefault(words[0], []).append((words, make("phrase")))
    for key in lex.phrases:
        lex.phrases[key].sort(key=lambda pe: -len(pe[0]))  # longest first

    def words(key: str) -> frozenset[str]:
        return frozenset(_n(w) for w in raw.get(key, ()))

    lex.intent, lex.negators = words("intent_cues"), words("negators")
    lex.agents, lex.patients, lex.modifiers = words("agents"), words("patients"), words("agent_modifiers")
    lex.dual_kind = {_n(w): kind for kind, ws in raw.get("dual_refs", {}).items() for w in ws}
    lex.duals, lex.numbers = frozenset(lex.dual_kind), words("number_words")
    lex.relatives, lex.undergo = words("relative_pronouns"), words("undergo_verbs")
    lex.need_actor = frozenset(raw.get("actor_required_types", ()))
    lex.preps = lex.companion | lex.target | words("other_preps")
    lex.companion, lex.target = words("companion_preps"), words("target_preps")
    lex.location, lex.breaks = words("location_preps"), words("clause_breaks")
    lex.particles, lex.stop = words("verb_particles"), words("not_triggers")
    lex.anaphoric = words("anaphoric_before")
    lex.agent_cues = words("agent_cues")
    lex.agent_cue_phrases = frozenset(tuple(_n(w) for w in p.split()) for p in raw.get("agent_cue_phrases", ()))
    lex.agent_cue_first = frozenset(p[0] for p in lex.agent_cue_phrases)
    lex.agent_cue_forms = frozenset(c + w for w in lex.agent_cues | lex.agent_cue_first for c in ("", *CONJUNCTIONS))
    lex.possessive = tuple(sorted(words("possessive_suffixes"), key=len, reverse=True))
    return lex


@dataclass
class Candidate:
    """A possible actor: an entity mention or an unnamed collective actor, in token indices."""

    first: int
    last: int
    start: int
    end: int
    entity: str | None = None
    etype: str | None = None
    marker: str | None = None  # None (bare) | with | target | oblique
    patient: bool = False  # a victim word (اشخاص, مدنيين): never the one who acts in an assault
    counted: bool = False  # preceded by a number ("قتل 58 شخصا"): a victim when after the verb
    dual: str | None = None  # PER | LOC | ANY for "الرئيسان", "البلدين", "الجانبين"
    agent_word: bool = False


@dataclass
class Trigger:
    first: int
    last: int
    entry: Entry
    intent: bool = False


def _token_range(tokens: tuple[Token, ...], start: int, end: int) -> tuple[int, int] | None:
    idx = [i for i, t in enumerate(tokens) if t.end > start and t.start < end]
    return (idx[0], idx[-1]) if idx else None


def _clitic_prefix(norm: str, form_set: frozenset[str]) -> str:
    """Proclitic letters (و ف ب ل ك, and the ل of لل) in front of the matched form of a token."""
    for k in range(0, min(3, len(norm) - 1)):
        rest = norm[k:]
        if any(v in form_set for v in (rest, rest[2:] if rest.startswith("ال") else "")) or (
                k == 0 and any(v in form_set for v in variants(norm) if len(v) < len(norm) and norm.startswith(v))):
            return norm[:k]
    return ""


class EventStage:
    """Pipeline stage ``events``: PLOVER/CAMEO events with actors, time and location.

    Uses ``entities`` and ``timexes`` when earlier stages provided them (actors, time and
    location stay None otherwise, events are still found), so it only requires tokens.
    """

    name = "events"
    reads = frozenset({"text", "sentences", "tokens", "published"})
    reads_optional = frozenset({"entities", "timexes"})
    writes = frozenset({"events"})

    def __init__(self) -> None:
        self.lex = load_lexicon()

    def __call__(self, doc: Document) -> Document:
        return doc.with_(events=tuple(extract_events(doc, self.lex)))


def extract_events(doc: Document, lex: Lexicon | None = None) -> list[Event]:
    """Events of a segmented document (entities and timexes are used when present)."""
    lex = lex or load_lexicon()
    mentions = [(m.start, m.end, e.id, e.type) for e in doc.entities for m in e.mentions]
    mentions.sort()
    mstarts = [m[0] for m in mentions]
    # timex positions by start, so that each sentence looks only at its own (linear in the text)
    torder = sorted(range(len(doc.timexes)), key=lambda k: doc.timexes[k].start)
    tstarts = [doc.timexes[k].start for k in torder]
    events: list[Event] = []
    coded: set[str] = set()  # event types coded so far (a set: linear in long texts)
    pairs: dict[str, tuple[str, str]] = {}  # last two-party actors by kind, for "الرئيسان", "البلدين"
    etypes = {e.id: e.type for e in doc.entities}
    for si, sent in enumerate(doc.sentences):
        if not sent.tokens:
            continue
        lo, hi = bisect.bisect_left(mstarts, sent.start), bisect.bisect_left(mstarts, sent.end)
        tlo, thi = bisect.bisect_left(tstarts, sent.start), bisect.bisect_left(tstarts, sent.end)
        found = [ev for ev in _sentence_events(doc, si, sent, mentions[lo:hi],
                                               [doc.timexes[k] for k in sorted(torder[tlo:thi])], lex, pairs)
                 if not _refers_back(sent, ev, coded, lex)]
        for ev in found:
            if ev.actor1 and ev.actor2:
                pairs["ANY"] = (ev.actor1, ev.actor2)
                if etypes.get(ev.actor1) == etypes.get(ev.actor2):
                    pairs[etypes[ev.actor1]] = (ev.actor1, ev.actor2)
        events.extend(found)
        coded.update(ev.type for ev in found)
    return [replace(ev, id=f"v{i + 1}") for i, ev in enumerate(events)]


def _refers_back(sent: Sentence, ev: Event, coded: set[str], lex: Lexicon) -> bool:
    """"وقال عقب اللقاء" ('after the meeting'): a definite event noun after a time preposition
    names an event of its type already coded, not a new one."""
    if ev.type not in coded:
        return False
    k = next((k for k, t in enumerate(sent.tokens) if t.start == ev.trigger.start), None)
    if k is None or k == 0 or not sent.tokens[k].norm.startswith(_ARTICLE):
        return False
    return sent.tokens[k - 1].norm in lex.anaphoric


def _hits(lex: Lexicon, norm: str) -> tuple[tuple, tuple]:
    """Phrases starting with, and single entries matching, one word (cached per lexicon)."""
    cache = lex.hit_cache
    got = cache.get(norm)
    if got is None:
        got = _NO_HIT
        single, phrases_of = lex.single, lex.phrases
        # most words start nothing: test their forms before sorting and collecting them
        if norm not in lex.stop and any(v in single or v in phrases_of for v in variants(norm)):
            forms = sorted(variants(norm), key=lambda v: (-len(v), v))  # least stripped first
            phrases = sorted((pe for v in forms for pe in lex.phrases.get(v, ())), key=lambda pe: -len(pe[0]))
            singles = tuple(e for v in forms for e in lex.single.get(v, ()))
            if phrases or singles:
                got = (tuple(phrases), singles)
        if len(cache) < 500_000:
            cache[norm] = got
    return got


def _find_triggers(toks: tuple[Token, ...], vs: list[frozenset[str]], hits: list[tuple[tuple, tuple]],
                   lex: Lexicon) -> list[Trigger]:
    out: list[Trigger] = []
    i, n = 0, len(toks)
    while i < n:
        phrases, singles = hits[i]
        matched = False
        for words, entry in phrases:
            j = i + len(words) - 1
            if j < n and all(words[k] in vs[i + k] for k in range(1, len(words))):
                out.append(Trigger(i, j, entry))
                i, matched = j + 1, True
                break
        if matched:
            continue
        for entry in singles:
            if entry.next:
                hit = next((k for k in range(i + 1, min(n, i + 1 + entry.window))
                            if vs[k] & entry.next), None)
                if hit is None:
                    continue
            if entry.unless and any(vs[k] & entry.unless for k in range(i + 1, min(n, i + 1 + entry.window))):
                continue
            if any(t.first == i and t.entry.type == entry.type for t in out):
                continue
            out.append(Trigger(i, i, entry))
        i += 1
    return out


def _clause_bounds(toks: tuple[Token, ...], lex: Lexicon, i: int) -> tuple[int, int]:
    lo = i
    while lo > 0 and toks[lo - 1].norm not in lex.breaks:
        lo -= 1
    hi = i + 1
    while hi < len(toks) and toks[hi].norm not in lex.breaks:
        hi += 1
    return lo, hi


def _is_number(tok: Token, vs: frozenset[str], lex: Lexicon) -> bool:
    return tok.norm[:1].isdigit() or bool(vs & lex.numbers)


def _candidates(doc: Document, sent: Sentence, toks: tuple[Token, ...], vs: list[frozenset[str]],
                mentions: list[tuple[int, int, str, str]], lex: Lexicon,
                trigger_tokens: set[int]) -> list[Candidate]:
    cands: list[Candidate] = []
    for start, end, eid, etype in mentions:
        if start < sent.start or end > sent.end or etype not in _ACTOR_TYPES:
            continue
        rng = _token_range(toks, start, end)
        if rng is None:
            continue
        if cands and cands[-1].entity == eid and cands[-1].last >= rng[0] - 1:
            prev = cands[-1]  # "الرئيس الروسي فلاديمير بوتين": title and name are one candidate
            prev.last, prev.end = max(prev.last, rng[1]), max(prev.end, end)
            continue
        cand = Candidate(rng[0], rng[1], start, end, eid, etype)
        tok = toks[rng[0]]
        prefix = normalize(doc.text[tok.start:start]).text if start > tok.start else ""
        cand.marker = "target" if "ل" in prefix else "oblique" if ("ب" in prefix or "ك" in prefix) else None
        cands.append(cand)
    taken = {i for c in cands for i in range(c.first, c.last + 1)}
    i = 0
    while i < len(toks):
        tok = toks[i]
        if i in taken or (i in trigger_tokens and not (vs[i] & lex.agents)):
            i += 1
            continue
        kind = "agent" if vs[i] & lex.agents else "patient" if vs[i] & lex.patients else (
            "dual" if vs[i] & lex.duals else None)
        if kind is None:
            i += 1
            continue
        last = i
        entity = etype = None
        while last + 1 < len(toks) and last - i < 3:
            nxt = toks[last + 1]
            ent = next((c for c in cands if c.first == last + 1), None)
            if kind == "agent" and ent is not None and ent.marker is None:  # "حركة طالبان"
                entity, etype, last = ent.entity, ent.etype, ent.last
                cands.remove(ent)
                break
            head = toks[last].norm.lstrip(_CONJ)  # an adjective agrees with the last noun in definiteness
            nisba = nxt.norm.startswith("ال") == head.startswith(("ال", "لل")) and nxt.norm.endswith(
                ("ي", "يه", "يون", "يين", "يان")) and len(nxt.norm) >= 5
            if kind == "agent" and (nisba or vs[last + 1] & (lex.modifiers | lex.agents)):
                last += 1
                continue
            break
        form_set = lex.agents | lex.patients | lex.duals
        prefix = _clitic_prefix(tok.norm, form_set)
        start = tok.start + _orig_offset(tok, len(prefix))
        cand = Candidate(i, last, start, toks[last].end, entity, etype)
        inner = prefix.lstrip(_CONJ)
        cand.marker = "target" if "ل" in inner else "oblique" if inner else None
        cand.patient = kind == "patient"
        if kind == "dual":
            cand.dual = next((lex.dual_kind[v] for v in vs[i] if v in lex.dual_kind), "ANY")
        cand.agent_word = kind == "agent"
        cands.append(cand)
        i = last + 1
    for c in cands:
        if c.marker is None and c.first > 0:
            prev = toks[c.first - 1]
            if prev.norm in lex.companion:
                c.marker = "with"
            elif prev.norm in lex.target:
                c.marker = "target"
            elif vs[c.first - 1] & lex.location or prev.norm in lex.preps:
                c.marker = "oblique"
            if _is_number(prev, vs[c.first - 1], lex):
                c.counted = True
            elif prev.norm == "من" and c.first > 1 and _is_number(toks[c.first - 2], vs[c.first - 2], lex):
                c.counted, c.marker = True, None  # partitive: "العشرات من المستوطنين"
    cands.sort(key=lambda c: c.first)
    return cands


def _orig_offset(tok: Token, k: int) -> int:
    """Original offset inside a token of its k-th normalised character."""
    if k <= 0:
        return 0
    norm = normalize(tok.text)
    return norm.offsets[min(k, len(norm.text))]


def _sentence_events(doc: Document, si: int, sent: Sentence, mentions: list[tuple[int, int, str, str]],
                     sent_timexes: list[Timex], lex: Lexicon, pairs: dict[str, tuple[str, str]]) -> list[Event]:
    """Events of one sentence; ``mentions`` and ``sent_timexes`` are those starting in it."""
    toks = sent.tokens
    cache = lex.hit_cache
    hits = [cache.get(t.norm) or _hits(lex, t.norm) for t in toks]
    if not any(h is not _NO_HIT for h in hits):
        return []
    vs = [variants(t.norm) for t in toks]
    triggers = _find_triggers(toks, vs, hits, lex)
    if not triggers:
        return []
    cands = _candidates(doc, sent, toks, vs, mentions, lex, {i for t in triggers for i in range(t.first, t.last + 1)})
    timexes = [x for x in sent_timexes if x.start >= sent.start and x.end <= sent.end and x.type in _ANCHOR_TYPES]
    best: dict[str, tuple[tuple, Event]] = {}
    cues = _agent_cues_at(toks, lex)
    starts = {t.first for t in triggers}
    bys = [_agent_after_cue(doc, toks, vs, trig, starts, cues, cands, lex) if cues else None for trig in triggers]
    any_by = any(b is not None for b in bys)
    for trig, by in zip(triggers, bys, strict=True):
        if trig.first > 0 and toks[trig.first - 1].norm in lex.negators:
            continue
        ev = _code(doc, si, toks, vs, trig, cands, timexes, lex, pairs, by)
        if doc.entities and ev.type in lex.need_actor and ev.actor1 is None and ev.actor1_mention is None:
            continue  # "آفة تهدد المجتمع": a threat nobody makes
        # an actor named by "نفذه" / "من قبل" is surer than one guessed for another event noun
        score = (ev.actor1_mention is None, any_by and by is None and trig.entry.pos == "noun",
                 trig.entry.pos == "noun" and ev.actor1_mention is None, trig.first)
        if ev.type not in best or score < best[ev.type][0]:
            best[ev.type] = (score, ev)
    return [ev for _, ev in sorted(best.values(), key=lambda se: se[1].trigger.start)]


def _agent_cues_at(toks: tuple[Token, ...], lex: Lexicon) -> dict[int, int]:
    """Token index -> length of each agent cue in a sentence ("نفذه" 1, "من قبل" 2)."""
    out: dict[int, int] = {}
    n = len(toks)
    forms = lex.agent_cue_forms
    for k, tok in enumerate(toks):
        if tok.norm not in forms:
            continue
        word = tok.norm.lstrip(_CONJ) or tok.norm
        if word in lex.agent_cues:
            out[k] = 1
        elif word in lex.agent_cue_first:
            span = next((len(p) for p in lex.agent_cue_phrases if p[0] == word and k + len(p) <= n
                         and all((toks[k + j].norm.lstrip(_CONJ) or toks[k + j].norm) == p[j]
                                 for j in range(1, len(p)))), 0)
            if span:
                out[k] = span
    return out


def _agent_after_cue(doc: Document, toks: tuple[Token, ...], vs: list[frozenset[str]], trig: Trigger,
                     starts: set[int], cues: dict[int, int], cands: list[Candidate],
                     lex: Lexicon) -> Candidate | None:
    """"هجوم مسلح نفذه متطرف", "ضربة جوية نفذها الجيش", "من قبل عدة ضباط": the actor named after
    an agent cue (``cues``) that follows an event noun within four tokens, with no other trigger
    (``starts``) or clause break between."""
    if trig.entry.pos == "verb":
        return None
    for k in range(trig.last + 1, min(len(toks), trig.last + 5)):
        if k in starts or toks[k].norm in lex.breaks:
            return None
        if k in cues:
            return _actor_at(doc, toks, vs, k + cues[k], cands, lex)
    return None


def _actor_at(doc: Document, toks: tuple[Token, ...], vs: list[frozenset[str]], i: int,
              cands: list[Candidate], lex: Lexicon) -> Candidate | None:
    """The actor starting at token ``i`` (after a count: "عدة ضباط"): a candidate there, else its
    first two words up to a preposition or a break."""
    n = len(toks)
    while i < n and (toks[i].norm in _QUOTES or _is_number(toks[i], vs[i], lex) or toks[i].norm in ("عده", "بضعه")):
        i += 1
    if i >= n:
        return None
    cand = next((c for c in cands if c.first == i and not c.patient), None)
    if cand is not None:
        return cand
    last = i
    while last + 1 < n and last - i < 1 and toks[last + 1].norm not in lex.preps \
            and toks[last + 1].norm not in lex.breaks and toks[last + 1].norm[:1].isalpha():
        last += 1
    if not toks[i].norm[:1].isalpha() or toks[i].norm in lex.preps or toks[i].norm in lex.breaks:
        return None
    return Candidate(i, last, toks[i].start, toks[last].end)


def _possessor(c: Candidate, toks: tuple[Token, ...], cands: list[Candidate], lex: Lexicon) -> Candidate | None:
    """"قواته" 'its forces' acts for the organisation or actor named before it in the sentence."""
    if c.entity is not None or not c.agent_word or not _possessed(toks[c.last], lex):
        return None
    return next((o for o in reversed(cands) if o.last < c.first and o.marker is None and not o.patient
                 and (o.etype == "ORG" or (o.agent_word and not _possessed(toks[o.last], lex)))), None)


def _possessed(tok: Token, lex: Lexicon) -> bool:
    """A word with a possessive suffix as written: the ه of "قواته", never the ة of "أجنبية"
    (normalisation writes both as ه)."""
    return _MARKS.sub("", tok.text).endswith(lex.possessive)


# long: fills one event's fields (actors, time, place, CAMEO code) in the order each needs the last
def _code(doc: Document, si: int, toks: tuple[Token, ...], vs: list[frozenset[str]], trig: Trigger,
          cands: list[Candidate], timexes: list[Timex], lex: Lexicon,
          pairs: dict[str, tuple[str, str]], by: Candidate | None = None) -> Event:
    entry = trig.entry
    lo, hi = _clause_bounds(toks, lex, trig.first)
    forceful = entry.type in _FORCEFUL
    own = [c for c in cands if not (c.first <= trig.last and c.last >= trig.first)]

    def can_act(c: Candidate, after_trigger: bool) -> bool:
        if c.marker is not None:
            return False
        if c.patient and (forceful or (c.etype is None and not c.dual)):
            return False
        return not (forceful and c.counted and after_trigger)

    in_clause = [c for c in own if c.first >= lo and c.last < hi]
    after = [c for c in in_clause if c.first > trig.last]
    before = [c for c in in_clause if c.last < trig.first]
    a1: Candidate | None = None
    inside = next((c for c in cands if c.first <= trig.first and c.last >= trig.last and c.agent_word), None)
    if inside is not None and entry.pos != "verb":  # the trigger names the actor: "المتظاهرون"
        a1 = inside
    elif entry.pos == "noun" or entry.pos == "phrase":
        gen = next((c for c in after if c.first == trig.last + 1 and (c.marker in (None, "target"))
                    and not c.patient and c.etype != "LOC"), None)  # "محادثات فيينا": a place
        # before the noun, a person or organisation acts rather than a place ("يزور الوزير عمان
        # لتوقيع مذكرة": the minister signs, not Amman)
        a1 = gen or next((c for c in reversed(before) if can_act(c, False) and c.etype != "LOC"), None) \
            or next((c for c in reversed(before) if can_act(c, False)), None) or next(
            (c for c in after if can_act(c, True) and c.etype != "LOC"), None)  # places after the noun: where
    else:
        # Subject right before the verb (after إن/أن, or opening the clause): "قواته أطلقت".
        adjacent = next((c for c in before if trig.first - c.last <= 2 and can_act(c, False)
                         and all(toks[k].norm in lex.particles or toks[k].norm in _QUOTES
                                 for k in range(c.last + 1, trig.first))), None)
        # Verb-subject order: the subject follows the verb with no preposition in between.
        direct = next((c for c in after if c.first - trig.last <= _VERB_WINDOW and not any(
            toks[k].norm in lex.preps for k in range(trig.last + 1, c.first))), None)
        a1 = adjacent or (direct if direct is not None and can_act(direct, True) else None) or next(
            (c for c in reversed(before) if can_act(c, False)), None) or next((c for c in after if can_act(c, True)), None)
    if a1 is None and lo > 0 and toks[lo - 1].norm in lex.relatives:  # "رئيس المجلس الذي التقى": the antecedent acts
        a1 = next((c for c in reversed(own) if c.last < lo and lo - c.last <= 4 and can_act(c, False)), None)
    if by is not None:
        a1 = by
    elif a1 is not None:
        a1 = _possessor(a1, toks, cands, lex) or a1
    if (entry.pos != "verb" and a1 is not None and a1.last < trig.first and trig.first > 0
            and vs[trig.first - 1] & lex.undergo):  # "تعرضت القوات لهجوم": the subject suffered it
        a1, a2_first = None, a1
    else:
        a2_first = None

    def place_of_noun(c: Candidate) -> bool:  # "محادثات فيينا": the place of the talks, no party
        return entry.pos != "verb" and c.first == trig.last + 1 and c.etype == "LOC" and entry.cameo != "042"

    rest = [c for c in in_clause if c is not a1 and (a1 is None or c.entity is None or c.entity != a1.entity)
            and not place_of_noun(c)]
    a2 = a2_first or next((c for c in rest if c.first > trig.last and c.marker in ("with", "target")), None) or next(
        (c for c in rest if c.first > trig.last and (c.marker is None or c.patient or c.counted)
         and (a1 is None or c.first > a1.last)), None) or next(
        (c for c in rest if c.last < trig.first and c.marker in ("with", "target")), None)

    actor1 = a1.entity if a1 else None
    actor2 = a2.entity if a2 else None
    if a1 is not None and a1.dual and a1.dual in pairs:
        actor1, actor2 = pairs[a1.dual]
    if actor2 is not None and actor2 == actor1:
        actor2 = None
    # Location: a place introduced by في / ب / قرب in the clause (after the trigger first).
    places = [c for c in own if c.etype == "LOC" and c is not a1 and c is not a2 and (
        c.marker == "oblique" or place_of_noun(c) or (c.first > 0 and vs[c.first - 1] & lex.location))]
    place = next((c for c in places if lo <= c.first < hi and c.first > trig.last), None) or next(
        (c for c in places if lo <= c.first < hi), None) or next(
        (c for c in places if c.first > trig.last), None)
    time = _nearest_timex(toks[trig.first].start, timexes)
    cameo = entry.cameo
    if entry.type == "CONSULT" and _intended(doc, toks, vs, trig, time, lex):
        cameo = "036"  # express intent to meet or negotiate
    span = Span.of(doc.text, toks[trig.first].start, toks[trig.last].end)
    return Event(
        id="v0", type=entry.type, trigger=span, sentence=si, cameo=cameo,
        actor1=actor1, actor2=actor2, time=time.id if time else None,
        location=place.entity if place else None,
        actor1_mention=Span.of(doc.text, a1.start, a1.end) if a1 else None,
        actor2_mention=Span.of(doc.text, a2.start, a2.end) if a2 else None,
    )


def _nearest_timex(pos: int, timexes: list[Timex]) -> Timex | None:
    if not timexes:
        return None
    return min(timexes, key=lambda x: (min(abs(x.start - pos), abs(x.end - pos)), x.start > pos))


def _intended(doc: Document, toks: tuple[Token, ...], vs: list[frozenset[str]], trig: Trigger,
              time: Timex | None, lex: Lexicon) -> bool:
    """A hoped-for, planned or future meeting rather than one that took place."""
    if any(vs[k] & lex.intent for k in range(max(0, trig.first - 8), min(len(toks), trig.last + 3))):
        return True
    head = toks[trig.first].norm.lstrip(_CONJ)
    if len(head) > 4 and head[0] == "س" and head[1] in "يتن":  # future prefix: سيلتقي
        return True
    if time is not None and doc.published and time.value[:10] > doc.published and time.value[:1].isdigit():
        return True
    return False
