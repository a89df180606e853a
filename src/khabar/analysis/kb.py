"""The packaged knowledge base: countries, cities, organisations, people, nationality adjectives.

``data/kb.jsonl`` is built by ``scripts/build_kb.py`` (CLDR names from babel + seed tables).
Lookups work on tuples of normalised token forms (``khabar.analysis.text.normalize``), so matching a
document is a dict probe per token n-gram, with no regular expressions at analysis time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .text import tokenize

Key = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Role:
    role: str  # e.g. "president", "minister_foreign"
    of: str | None  # KB id of the country or organisation
    start: int | None  # first year held (inclusive)
    end: int | None  # last year held (inclusive); None = open

    def active(self, year: int | None) -> bool:
        if year is None:
            return True
        return (self.start is None or self.start <= year) and (self.end is None or year <= self.end)


@dataclass(frozen=True, slots=True)
class KBEntry:
    id: str
    type: str  # PER | ORG | LOC | MISC
    kind: str  # country | city | region | org | misc | person
    en: str
    ar: tuple[str, ...]
    weak: tuple[str, ...] = ()
    country: str | None = None
    adj: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    prio: int = 0
    iso: str | None = None  # ISO 3166 code of a country

    @property
    def name_ar(self) -> str:
        return self.ar[0] if self.ar else (self.weak[0] if self.weak else "")


def key_of(text: str) -> Key:
    """Normalised token key of a name (punctuation tokens kept, so "كوفيد-19" has three)."""
    return tuple(t.norm for t in tokenize(text))


@dataclass
class KB:
    """Alias index over the KB entries."""

    entries: dict[str, KBEntry]
    index: dict[Key, list[tuple[str, bool]]] = field(default_factory=dict)  # key -> [(id, weak)]
    adjectives: dict[str, str] = field(default_factory=dict)  # normalised adjective form -> country id
    max_len: int = 1
    by_role: dict[str, list[tuple[KBEntry, Role]]] = field(default_factory=dict)
    prefixes: set[Key] = field(default_factory=set)  # every proper prefix of an indexed key
    name_words: set[str] = field(default_factory=set)  # words of people's names ("ابراهيم")
    first_last: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (first, last) -> ids

    def __post_init__(self) -> None:
        for e in self.entries.values():
            for weak, names in ((False, e.ar), (True, e.weak)):
                for name in names:
                    k = key_of(name)
                    if not k:
                        continue
                    bucket = self.index.setdefault(k, [])
                    if all(i != e.id for i, _ in bucket):
                        bucket.append((e.id, weak))
                    self.max_len = max(self.max_len, len(k))
            if e.type == "PER":
                for name in e.ar:
                    k = key_of(name)
                    self.name_words.update(w for w in k if len(w) > 2)
                    if len(k) >= 2:
                        self.first_last.setdefault((k[0], k[-1]), set()).add(e.id)
            for a in e.adj:
                for form in adjective_forms(a):
                    self.adjectives.setdefault(form, e.id)
            for r in e.roles:
                self.by_role.setdefault(r.role, []).append((e, r))
        for k in self.index:
            for n in range(1, len(k)):
                self.prefixes.add(k[:n])
        for bucket in self.index.values():
            bucket.sort(key=lambda x: (x[1], -self.entries[x[0]].prio))  # strong first, then priority

    def lookup(self, key: Key, *, allow_weak: bool = True) -> KBEntry | None:
        """Best entry for a normalised key (strong aliases before weak, then priority)."""
        for eid, weak in self.index.get(key, ()):
            if allow_weak or not weak:
                return self.entries[eid]
        return None

    def lookup_all(self, key: Key) -> list[KBEntry]:
        """Every entry a key can name, best first (for ambiguous names such as عمان)."""
        return [self.entries[eid] for eid, _weak in self.index.get(key, ())]

    def person_by_first_last(self, key: Key) -> KBEntry | None:
        """The one person whose name starts and ends like ``key`` ("عادل بن أحمد الجبير" ->
        "عادل الجبير"), for full names with a patronymic chain the KB lists without it."""
        if len(key) < 3:
            return None
        ids = self.first_last.get((key[0], key[-1]), set())
        if len(ids) != 1:
            return None
        entry = self.entries[next(iter(ids))]
        # every word of one KB form must appear, in order ("فيصل بن عبدالعزيز" is not
        # "فيصل بن بندر بن عبدالعزيز")
        for name in entry.ar:
            k, pos = key_of(name), 0
            for w in key:
                if pos < len(k) and w == k[pos]:
                    pos += 1
            if pos == len(k):
                return entry
        return None

    def is_weak(self, key: Key, entry_id: str) -> bool:
        return any(i == entry_id and w for i, w in self.index.get(key, ()))

    def country_of_adjective(self, norm_word: str) -> KBEntry | None:
        """The country a nationality adjective refers to ("الروسي" -> Russia)."""
        cid = self.adjectives.get(norm_word)
        return self.entries.get(cid) if cid else None

    def holders(self, role: str, of: str | None, year: int | None) -> list[KBEntry]:
        """People who held ``role`` of ``of`` in ``year`` (any year when None)."""
        return [e for e, r in self.by_role.get(role, ()) if (of is None or r.of == of) and r.active(year)]

    def by_iso(self, iso: str) -> KBEntry | None:
        return next((e for e in self.entries.values() if e.iso == iso), None)

    def get(self, entry_id: str | None) -> KBEntry | None:
        return self.entries.get(entry_id) if entry_id else None


def adjective_forms(base: str) -> set[str]:
    """Normalised inflections of a nationality adjective given as masculine singular ("روسي")."""
    k = key_of(base)
    if len(k) != 1:
        return set()
    b = k[0]
    forms = {b, b + "ه", b + "ون", b + "ين", b + "ان", b + "تان", b + "تين"}
    return forms | {"ال" + f for f in forms}


def _entry(d: dict) -> KBEntry:
    return KBEntry(
        id=d["id"], type=d["type"], kind=d.get("kind", ""), en=d.get("en", d["id"]),
        ar=tuple(d.get("ar", ())), weak=tuple(d.get("weak", ())), country=d.get("country"),
        adj=tuple(d.get("adj", ())), prio=int(d.get("prio", 0)), iso=d.get("iso"),
        roles=tuple(Role(r["role"], r.get("of"), r.get("from"), r.get("to")) for r in d.get("roles", ())),
    )


def parse_kb(lines: str) -> KB:
    entries = {}
    for line in lines.splitlines():
        if line.strip():
            d = json.loads(line)
            if "_meta" in d:
                continue
            e = _entry(d)
            entries[e.id] = e
    return KB(entries)


@lru_cache(maxsize=1)
def load_kb() -> KB:
    """The packaged KB, loaded and indexed once per process."""
    raw = resources.files("khabar.data").joinpath("kb.jsonl").read_text(encoding="utf-8")
    return parse_kb(raw)
