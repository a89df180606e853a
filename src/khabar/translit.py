"""Rule-based Arabic -> English transliteration for names the KB does not know.

Arabic script leaves short vowels unwritten, so this is an approximation in the style of
news English: the article ال becomes "al-", long vowels (ا و ي) are written a/u/i, consonant
clusters get an "a" between them, and each word is capitalised ("عمر إبراهيم" -> "Umar Ibrahim"
would need a lexicon; this gives "Amar Ibrahim"). Fixed name particles (بن، أبو، عبد) have
their usual spellings.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from .text import normalize

# Consonants (normalised forms: alef/hamza carriers folded, ة -> ه, ى -> ي).
_CONS = {
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r",
    "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh",
    "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ء": "", "پ": "p",
    "چ": "ch", "ڤ": "v", "گ": "g",
}
# Name particles with fixed spellings (normalised Arabic -> English).
_PARTICLES = {"بن": "bin", "ابن": "Ibn", "بنت": "bint", "ابو": "Abu", "ابي": "Abi", "ال": "Al", "عبد": "Abd"}
# A proclitic + the article, as news English writes it ("للدفاع" -> "lil-Difa").
_CLITIC_ARTICLE = (("وبال", "wa-bil-"), ("وال", "wal-"), ("فال", "fal-"), ("بال", "bil-"), ("كال", "kal-"),
                   ("لل", "lil-"), ("ال", "al-"))


def _word(raw: str) -> str:
    """Transliterate one word (original spelling, so ة and hamza seats are still visible)."""
    w = normalize(raw).text
    if not w:
        return ""
    if w in _PARTICLES:
        return _PARTICLES[w]
    if not any("\u0621" <= c <= "\u064a" for c in w):
        return raw
    if w.startswith("عبدال") and len(w) > 6:
        return "Abdul" + _word(w[5:]).lower()
    prefix = ""
    for clitic, latin in _CLITIC_ARTICLE:
        if w.startswith(clitic) and len(w) > len(clitic) + 1:
            prefix, w, raw = latin, w[len(clitic):], raw[len(clitic):]
            break
    taa = raw.endswith("ة")
    long_v = "اوي"
    out: list[str] = []
    prev_cons = False  # was the last emitted sound a consonant?
    n = len(w)
    for i, c in enumerate(w):
        nxt = w[i + 1] if i + 1 < n else ""
        if c == "ا":
            out.append("i" if i == 0 and raw[:1] == "إ" else "a")
            prev_cons = False
        elif c == "ي" and i == n - 1 and raw.endswith("ى"):
            out.append("a")  # alef maqsura
            prev_cons = False
        elif c in "وي":
            as_cons = i == 0 or not prev_cons or nxt in ("ا", "و") or (c == "ي" and nxt == "ه" and taa)
            if as_cons:
                if prev_cons and c == "ي":
                    out.append("i")
                elif prev_cons:
                    out.append("a")
                out.append("w" if c == "و" else "y")
                prev_cons = True
            else:
                out.append("u" if c == "و" else "i")
                prev_cons = False
        elif (c == "ع" and not prev_cons) or (c == "ه" and i == n - 1 and taa):
            out.append("a")
            prev_cons = False
        elif c in _CONS:
            if prev_cons and (i == n - 1 or nxt not in long_v):
                out.append("a")
            out.append(_CONS[c])
            prev_cons = True
        else:
            out.append(c)
            prev_cons = False
    body = re.sub(r"([aiu])\1+", r"\1", "".join(out))
    if not body:
        return raw
    body = body[0].upper() + body[1:]
    return prefix + body


@lru_cache(maxsize=1)
def _known() -> tuple[dict[tuple[str, ...], str], int]:
    """Usual spellings of common names (data/translit_names.json), keyed by normalised words."""
    raw = json.loads(resources.files("khabar.data").joinpath("translit_names.json").read_text(encoding="utf-8"))
    table = {tuple(normalize(k).text.split()): v for k, v in raw["names"].items()}
    return table, max(len(k) for k in table)


def known_names() -> frozenset[tuple[str, ...]]:
    """Normalised names of the spelling table (also a list of common given names)."""
    return frozenset(_known()[0])


def transliterate(name: str) -> str:
    """English spelling of an Arabic name; non-Arabic words are kept as they are.

    Common names take their usual spelling ("محمد" -> "Mohammed", "الغامدي" -> "al-Ghamdi");
    other words go through the letter rules.
    """
    table, longest = _known()
    raw = name.split()
    norm = [normalize(w).text for w in raw]
    words: list[str] = []
    i = 0
    while i < len(raw):
        for L in range(min(longest, len(raw) - i), 0, -1):
            hit = table.get(tuple(norm[i:i + L]))
            if hit:
                words.append(hit)
                i += L
                break
        else:
            words.append(_word(raw[i]))
            i += 1
    out = " ".join(w for w in words if w)
    return out[:1].upper() + out[1:]
