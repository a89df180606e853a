"""Places named by a date (مدينة السادس من أكتوبر '6th of October City'), from ``data/places.json``.

The entities stage reads such a name as a LOC entity and the timexes stage leaves it out; both
decide from the place noun before the date phrase, so they agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .text.normalize import normalize

# Proclitics allowed before the place noun: و/ف 'and/so', then ب/ل 'in/to' (بمدينة 'in the city of').
_CLITICS = ("", "و", "ف", "ب", "ل", "وب", "ول", "فب", "فل")


@dataclass(frozen=True)
class PlaceHeads:
    """Normalised place nouns -> (English name pattern, whether the noun is part of the name)."""

    heads: dict[str, tuple[str, bool]]

    def head(self, norm_word: str) -> tuple[str, bool] | None:
        """The entry of a normalised word that is a place noun, proclitics allowed, else None."""
        for chain in _CLITICS:
            if norm_word.startswith(chain):
                hit = self.heads.get(norm_word[len(chain):])
                if hit is not None:
                    return hit
        return None


@lru_cache(maxsize=1)
def load_place_heads() -> PlaceHeads:
    raw = json.loads(resources.files("khabar.data").joinpath("places.json").read_text(encoding="utf-8"))
    heads: dict[str, tuple[str, bool]] = {}
    for group, inside in (("name_outside", False), ("name_inside", True)):
        for word, pattern in raw[group].items():
            heads[normalize(word).text] = (pattern, inside)
    return PlaceHeads(heads)
