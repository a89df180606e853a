"""The cue lexicon of the quotes stage: speech verbs in all their forms and the word lists the
rules consult, read from ``data/cues.json`` (curated) and ``data/speech_acts.json`` (mined from a
corpus by ``scripts/mine_speech_acts.py``) and expanded once per process."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .text.normalize import normalize

_ART = "ال"  # the definite article
_ALA = "على"  # 'on' (تأكيد على أن: the object of a verbal noun)
_WA, _FA = "و", "ف"  # the conjunctions 'and', 'so'
_CONJ = _WA + _FA
_PRONOUN_SUFFIXES = ("هما", "هم", "ها", "ه")  # object pronouns 'them two', 'them', 'her/it', 'him/it'
_TA = "ت"  # imperfect prefix of the third person feminine; the perfect's feminine ending
_AT, _TA_MARBUTA = "ات", "ة"  # the feminine plural ending; the feminine ending before a suffix


@lru_cache(maxsize=1 << 16)
def _n(s: str) -> str:
    return normalize(s).text


_DIAC = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u0640]")
_LIGHT = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})  # hamza/madda alef forms -> bare alef


@lru_cache(maxsize=1 << 16)
def _light(s: str) -> str:
    """Lighter normalisation for function words: keeps ى and ة (على 'on' is not علي 'Ali')."""
    return _DIAC.sub("", s).translate(_LIGHT)


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
    imperfect: bool = False  # يؤكد، توضح: with a bare object these mostly describe, not report
    skip_if_next: frozenset[str] = frozenset()  # دعا لهم: 'prayed for them', not a report
    comp_after_obj: bool = False  # mined verbs: the object preposition counts only before إن/أن
    masdar: bool = False  # أعلن رفضه: a stance noun with a possessive pronoun is the reported object
    not_objects: frozenset[str] = frozenset()  # رحب بالضيوف: people after the preposition, not content
    not_subjects: frozenset[str] = frozenset()  # أدانت المحكمة: 'the court convicted', not a report


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
    nominal_norm: frozenset[str]
    need_next: dict[str, str]
    conj_particles: frozenset[str]
    negations: frozenset[str]
    event_nouns: frozenset[str]
    same_source: frozenset[str]
    copulas: frozenset[str]
    np_glue: frozenset[str]
    relative_like: frozenset[str]
    suffix_lemmas: frozenset[str]
    anonymous_heads: frozenset[str]
    former: frozenset[str]
    document_cues: frozenset[str]
    name_heads: frozenset[str]
    obj_norms: frozenset[str]  # object prepositions in full normalisation (a fast first test)
    ba_words: frozenset[str]
    latter: frozenset[str]
    suffixed: dict[str, tuple[Cue, bool, str]]
    any_form: frozenset[str]  # every token form that may be a cue (a fast first test)
    masdars: frozenset[str] = frozenset()  # stems of stance nouns (light normalisation): قلق، رفض
    first_person: frozenset[str] = frozenset()
    manner: frozenset[str] = frozenset()  # بشدة 'strongly' before the object: not reported
    agent_heads: frozenset[str] = frozenset()  # first words of titles (النائب، المدعي): a subject's head
    narrator_comments: tuple[tuple[str, ...], ...] = ()
    relay_lemmas: frozenset[str] = frozenset()  # نقل 'relayed': its subject is a medium, the source follows عن
    relay_markers: frozenset[str] = frozenset()  # نقلا 'relaying' (نقلا عن): a relayed source follows
    relay_prep: str = ""  # عن 'from': the preposition before the relayed source
    after_verb: frozenset[str] = frozenset()  # حسب ما أفاد به: 'به' after the verb is no source

    def masdar_stem(self, word: str) -> str | None:
        """The stem of a stance noun carrying a possessive pronoun (رفضه -> رفض), or None."""
        for suf in _PRONOUN_SUFFIXES:
            if word.endswith(suf) and len(word) - len(suf) >= 3:
                stem = word[: -len(suf)]
                if stem.endswith(_TA) and not stem.endswith(_AT):
                    stem = stem[:-1] + _TA_MARBUTA  # سعادته -> سعادة
                return stem if stem in self.masdars else None
        return None



def _set(items: list[str]) -> frozenset[str]:
    return frozenset(_n(x) for x in items)


def _lset(items: list[str]) -> frozenset[str]:
    """Function words compared in light normalisation (see ``_light``)."""
    return frozenset(_light(x) for x in items)


def _title_heads() -> frozenset[str]:
    """First words of the titles in ``titles.json`` (النائب 'the deputy'), with and without ال."""
    raw = json.loads(resources.files("khabar.data").joinpath("titles.json").read_text(encoding="utf-8"))
    heads = {_light(ar.split()[0]) for t in raw["titles"] for ar in t["ar"] if ar.strip()}
    return frozenset(heads | {_ART + h for h in heads if not h.startswith(_ART)}
                     | {h[2:] for h in heads if h.startswith(_ART)})


# long: expands each section of cues.json in turn (one pass per section, no shared state)
@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Read and expand the packaged cue lexicon (built once per process)."""
    raw = json.loads(resources.files("khabar.data").joinpath("cues.json").read_text(encoding="utf-8"))
    forms: dict[str, Cue] = {}
    psuf, isuf, partsuf = raw["perfect_suffixes"], raw["imperfect_suffixes"], raw["participle_suffixes"]

    def add(form: str, cue: Cue) -> None:
        forms.setdefault(_n(form), cue)

    for v in raw["verbs"]:
        opts = dict(lemma=v["perfect"], obj=tuple(_light(p) for p in v.get("obj", [])),
                    bare=v.get("bare", False),
                    strict=v.get("strict", False), cognition=v.get("cognition", False),
                    skip_if_next=frozenset(_light(w) for w in v.get("skip_if_next", [])),
                    masdar=v.get("masdar", False),
                    not_objects=frozenset(_light(w) for w in v.get("not_objects", [])),
                    not_subjects=frozenset(_light(w) for w in v.get("not_subjects", [])),
                    source_prep=_light(v["source_prep"]) if v.get("source_prep") else None)
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
            stems = [imp] if v.get("no_imperfect") else [imp, _TA + imp[1:]]
            if v.get("no_imperfect"):
                stems = [_TA + imp[1:]]
            verb_imp = Cue(kind="verb", imperfect=True, **opts)
            for st in stems:
                for s in isuf:
                    add(st + s, verb_imp)
        if v.get("participle"):
            for s in v.get("participle_suffixes", partsuf):
                if s:
                    add(v["participle"] + s, part)
    # verbs mined from the corpus (scripts/mine_speech_acts.py): strict cues, after the curated ones
    mined = json.loads(resources.files("khabar.data").joinpath("speech_acts.json").read_text(encoding="utf-8"))
    for m in mined["verbs"]:
        stem = m["form"][:-1] if m["form"].endswith(_TA) and len(m["form"]) > 3 else m["form"]
        verb = Cue(lemma=stem, kind="verb", strict=True, obj=(_light(m["obj"]),) if m.get("obj") else (),
                   comp_after_obj=True)
        for s in psuf:
            add(stem + s, verb)
    # relaying verbs (نقلت/ينقل ... عن): strict cues like the mined ones, the imperfect too
    relay = raw["relay"]
    for v in relay["verbs"]:
        verb = Cue(lemma=v["perfect"], kind="verb", strict=True, comp_after_obj=True)
        verb_imp = Cue(lemma=v["perfect"], kind="verb", strict=True, comp_after_obj=True, imperfect=True)
        for s in psuf:
            add(v["perfect"] + s, verb)
        for st in (v["imperfect"], _TA + v["imperfect"][1:]):
            for s in isuf:
                add(st + s, verb_imp)
    for f in raw["verbal_nouns"]["forms"]:
        add(f, Cue(lemma=f, kind="noun", strict=True, obj=(_light(_ALA),)))
    for f in raw["impersonal"]["forms"]:
        forms[_n(f)] = Cue(lemma=f, kind="impersonal", strict=True)
    for f in raw["nominal"]["forms"]:
        forms[_n(f)] = Cue(lemma=f, kind="nominal")
    narration = _set(raw["narration"]["forms"])
    for f in narration:
        forms.pop(f, None)
    suffix_lemmas = _set(raw["object_suffix_lemmas"]["forms"])
    suffixed: dict[str, tuple[Cue, bool, str]] = {}
    for f, cue in forms.items():
        if cue.kind == "verb" and _n(cue.lemma) in suffix_lemmas:
            for suf in _PRONOUN_SUFFIXES:
                suffixed.setdefault(f + suf, (cue, False, suf))
                for c in _CONJ:
                    suffixed.setdefault(c + f + suf, (cue, True, suf))
    return Lexicon(
        forms=forms,
        exclude_bare=_set(raw["exclude_bare"]["forms"]),
        narration=narration,
        complementizers=_set(raw["complementizers"]),
        not_before_comp=_lset(raw["not_before_complementizer"]),
        relatives=_lset(raw["relative_pronouns"]),
        openers=tuple(tuple(_light(w) for w in o.split()) for o in raw["continuation_openers"]),
        groups=_lset(raw["group_speakers"]["forms"]),
        np_stop=_lset(raw["np_stop_words"]),
        np_skip=_lset(raw["np_skip_words"]),
        speech_nouns=_lset(raw["speech_nouns"]),
        doc_nouns=_lset(raw["doc_nouns"]),
        source_nouns=_lset(raw["source_nouns"]),
        org_heads=_lset(raw["org_heads"]),
        misc_heads=_lset(raw["misc_heads"]),
        nominal_heads=_lset(raw["nominal_heads"]),
        nominal_norm=_set(raw["nominal_heads"]),
        need_next={_n(k): _light(v) for k, v in raw["nominal"]["need_next_prefix"].items()},
        conj_particles=_lset(raw["conj_particles"]),
        negations=_lset(raw["negations"]),
        event_nouns=_lset(raw["event_nouns"]["forms"]),
        same_source=_lset(raw["same_source"]),
        copulas=_lset(raw["copulas"]),
        np_glue=_lset(raw["np_glue"]["forms"]),
        relative_like=_lset(raw["relative_like"]["forms"]),
        suffix_lemmas=suffix_lemmas,
        suffixed=suffixed,
        any_form=frozenset(forms) | frozenset(c + f for f in forms for c in _CONJ) | frozenset(suffixed)
        | frozenset(c + f for f in _set(raw["document_cues"]["forms"]) for c in ("", "و", "ف")),
        anonymous_heads=_lset(raw["anonymous_heads"]["forms"]),
        document_cues=_set(raw["document_cues"]["forms"]),
        name_heads=_lset(raw["name_heads"]["forms"]),
        ba_words=_lset(raw["ba_words"]["forms"]),
        obj_norms=frozenset(_n(p) for v in raw["verbs"] for p in v.get("obj", [])) | {_n(_ALA)},
        masdars=frozenset(mined.get("masdars", {})) | _lset(raw["speech_masdars"]["forms"]),
        first_person=_lset(raw["first_person"]["forms"]),
        agent_heads=_title_heads(),
        manner=_lset(raw["manner_words"]["forms"]),
        narrator_comments=tuple(tuple(_light(w) for w in f.split()) for f in raw["narrator_comments"]["forms"]),
        relay_lemmas=frozenset(_n(v["perfect"]) for v in relay["verbs"]),
        relay_markers=_lset(relay["markers"]),
        relay_prep=_light(relay["preposition"]),
        after_verb=_lset(raw["nominal"]["after_verb"]),
        former=_lset(raw["former_latter"]["former"]),
        latter=_lset(raw["former_latter"]["latter"]),
    )
