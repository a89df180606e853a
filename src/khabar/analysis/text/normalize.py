"""Orthographic normalisation for matching, with a map back to the original offsets.

The normalised copy is only ever used for matching; every span reported by khabar is mapped
back through ``Normalized.offsets`` to the text exactly as given.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Characters deleted: Arabic diacritics (harakat, shadda, sukun, dagger alef, Quranic marks),
# tatweel, and the invisible format characters that copy-paste and CMSs leave inside words:
# ZWSP/ZWNJ/ZWJ/LRM/RLM, the Arabic letter mark, bidi embeddings and overrides (LRE..RLO, PDF)
# and isolates (LRI..PDI), word joiner and invisible operators, soft hyphen, BOM (ZWNBSP).
INVISIBLE_RANGES = (
    (0x00AD, 0x00AD), (0x061C, 0x061C), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064),
    (0x2066, 0x2069), (0xFEFF, 0xFEFF),
)
_DELETE_RANGES = (
    (0x0610, 0x061A), (0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06DC), (0x06DF, 0x06E4),
    (0x06E7, 0x06E8), (0x06EA, 0x06ED), (0x0640, 0x0640), *INVISIBLE_RANGES,
)
# The same as a regex character class body (for patterns elsewhere, e.g. the tokeniser).
INVISIBLE_CLASS = "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in INVISIBLE_RANGES)
_DELETE_RE = re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in _DELETE_RANGES) + "]")

# One-to-one replacements (code point -> code point).
_MAP = {
    # alef and hamza carriers -> bare letters
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ؤ": "و", "ئ": "ي",
    "ى": "ي",  # alef maqsura -> yaa
    "ة": "ه",  # taa marbuta -> haa (matching only)
    "ی": "ي", "ے": "ي", "ک": "ك",  # Persian/Urdu yeh and keheh
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "″": '"', "〝": '"', "〞": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "‹": "'", "›": "'",
    "٫": ".", "٬": ",",  # Arabic decimal and thousands separators
}
for _i in range(10):
    _MAP[chr(0x0660 + _i)] = str(_i)  # Arabic-Indic digits
    _MAP[chr(0x06F0 + _i)] = str(_i)  # Persian digits
# A lone surrogate (only from "\ud800" JSON escapes or Python callers) is not a character: the
# internal copy holds U+FFFD instead, one for one, so matching never meets it. The input edges
# (khabar.io, the API) refuse such text, since it cannot be written out as UTF-8.
for _c in range(0xD800, 0xE000):
    _MAP[chr(_c)] = "\ufffd"
_MAPPING = str.maketrans({**_MAP, **{chr(c): None for a, b in _DELETE_RANGES for c in range(a, b + 1)}})
# The same as a sequence indexed by code point over the Basic Multilingual Plane, every other
# character mapped to itself: str.translate with a dict raises and clears a KeyError inside for
# each character it leaves alone (most of them): about twice as slow. A character beyond the plane
# raises IndexError, which translate also reads as "unchanged" (no key of _MAPPING lies there).
assert max(_MAPPING) < 0x10000
_INTS = tuple(range(0x10000))  # the int objects 0..0xFFFF, made once (offset maps slice them)
_TABLE = tuple(_MAPPING.get(c, c) for c in _INTS)

# Arabic presentation forms (ligatures and contextual shapes) expand through NFKC.
_PRESENTATION_RE = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]")


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalised string and, for each of its characters, the offset in the original.

    ``offsets`` has ``len(text) + 1`` entries, the last being the original length; it is
    monotone (non-decreasing) and in range.
    """

    text: str
    offsets: Sequence[int]
    original_length: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` covering normalised ``[start, end)``.

        Deleted characters (diacritics, tatweel) right after the span belong to its last
        letter and are included.
        """
        o_start = self.offsets[start]
        if end <= start:
            return o_start, o_start
        o_end = self.offsets[end]
        if o_end <= self.offsets[end - 1]:  # end falls inside an expanded ligature
            o_end = self.offsets[end - 1] + 1
        return o_start, o_end


_SPECIAL_RE = re.compile(_DELETE_RE.pattern[:-1] + "\ufb50-\ufdff\ufe70-\ufefe]")


def fold(text: str) -> str:
    """The normalised string alone (no offset map): the fast path for matching keys."""
    if _PRESENTATION_RE.search(text):
        text = _PRESENTATION_RE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return text.translate(_TABLE)


# The last long text normalised and its result: the time stage and the search index (in the
# ingest worker, right after the analysis) normalise the same article text, the very same object.
_MEMO_MIN_LENGTH = 512
_memo: tuple[str, Normalized] | None = None


def normalize(text: str) -> Normalized:
    """Normalise ``text`` for matching and keep the offset map. Idempotent."""
    global _memo
    memo = _memo
    if memo is not None and memo[0] is text:  # identity, not equality: O(1), never a wrong hit
        return memo[1]
    result = _normalize(text)
    if len(text) >= _MEMO_MIN_LENGTH:
        _memo = (text, result)
    return result


def _normalize(text: str) -> Normalized:
    if not _SPECIAL_RE.search(text):
        # Fast path: a one-to-one translation keeps offsets as they are.
        return Normalized(text.translate(_TABLE), range(len(text) + 1), len(text))
    out: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in _SPECIAL_RE.finditer(text):
        i = m.start()
        if i > pos:  # an ordinary run: translated one-to-one
            out.append(text[pos:i].translate(_TABLE))
            offsets.extend(_offset_run(pos, i))
        folded = fold(text[i])
        out.append(folded)
        offsets.extend([i] * len(folded))
        pos = i + 1
    out.append(text[pos:].translate(_TABLE))
    offsets.extend(_offset_run(pos, len(text) + 1))
    return Normalized("".join(out), offsets, len(text))


def _offset_run(start: int, end: int) -> Sequence[int]:
    """The offsets ``start .. end - 1``: a slice of ready-made ints (ten times faster to extend a
    list with than a range, which makes a new int object for every offset above 256)."""
    return _INTS[start:end] if end <= len(_INTS) else range(start, end)


_INVISIBLE_TABLE = str.maketrans({chr(c): None for a, b in INVISIBLE_RANGES for c in range(a, b + 1)})


def strip_invisible(text: str) -> str:
    """``text`` without invisible format characters: for names shown to people (not spans)."""
    return text.translate(_INVISIBLE_TABLE)


def normalize_name(text: str) -> str:
    """Key for comparing names: normalised, punctuation dropped, spaces collapsed."""
    folded = fold(text)
    folded = re.sub(r"[^\w\s]", " ", folded)
    return " ".join(folded.split())
