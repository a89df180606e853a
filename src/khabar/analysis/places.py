"""Places named by a date (مدينة السادس من أكتوبر '6th of October City'), from ``data/places.json``.

The entities stage reads such a name as a LOC entity and the timexes stage leaves it out; both
decide from the place noun before the date phrase, so they agree.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .clitics import chains
from .text.normalize import normalize

# Proclitics allowed before the place noun, shortest first: و/ف 'and/so', then ب/ل 'in/to'
# (بمدينة 'in the city of'); not ك 'like'.
_CLITICS = ("", *reversed(chains(("ب", "ل"))))


@dataclass(frozen=True)
class PlaceHeads:
    """Normalised place nouns -> (English name pattern, whether the noun is part of the name)."""

    heads: dict[str, tuple[str, bool]]
    hijri_months_en: tuple[str, ...]  # English names of the Hijri months, Muharram first
    # every place noun with each allowed proclitic chain -> its entry: ``head`` is asked about
    # every word of an article, and one dict probe answers what trying each chain in turn did
    by_word: dict[str, tuple[str, bool]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_word: dict[str, tuple[str, bool]] = {}
        for chain in _CLITICS:  # shortest chain first, as the scan tried them: the first one wins
            for noun, entry in self.heads.items():
                by_word.setdefault(chain + noun, entry)
        object.__setattr__(self, "by_word", by_word)

    def head(self, norm_word: str) -> tuple[str, bool] | None:
        """The entry of a normalised word that is a place noun, proclitics allowed, else None."""
        return self.by_word.get(norm_word)

    def month_en(self, calendar_code: str, month: int) -> str:
        """English month name for a calendar ("G" Gregorian, "H" Hijri) and month number."""
        return self.hijri_months_en[month - 1] if calendar_code == "H" else calendar.month_name[month]


@lru_cache(maxsize=1)
def load_place_heads() -> PlaceHeads:
    raw = json.loads(resources.files("khabar.data").joinpath("places.json").read_text(encoding="utf-8"))
    heads: dict[str, tuple[str, bool]] = {}
    for group, inside in (("name_outside", False), ("name_inside", True)):
        for word, pattern in raw[group].items():
            heads[normalize(word).text] = (pattern, inside)
    return PlaceHeads(heads, tuple(raw["hijri_months_en"]))
