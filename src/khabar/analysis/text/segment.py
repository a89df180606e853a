"""Sentence segmentation: never inside a quotation, always at a line break.

Sentences end after ``. ! ? ؟ … ؛`` (and runs of them) followed by space or the end of a
line; a period between digits or letters ("3.5", "د.ب.أ") does not end one. The Arabic comma
``،`` joins clauses of one sentence in news style, so it does not split. A quotation mark only
suspends splitting when its closing mark appears later on the same line, so an unbalanced
mark cannot swallow the rest of the article.
"""

from __future__ import annotations

import re

_TERMINATORS = ".!?؟…؛"
_OPENERS = {"«": "»", "“": "”", "„": "“", "‹": "›", '"': '"', "'": "'"}
_ALL_QUOTES = set(_OPENERS) | set(_OPENERS.values()) | {"”"}
# The characters the scan below acts on; it jumps from one to the next (most characters are neither).
_SPECIAL_RE = re.compile("[" + re.escape(_TERMINATORS + "".join(sorted(_ALL_QUOTES))) + "]")
_LINE_RE = re.compile(r"[^\n\r\u2028\u2029]+")


def _line_sentences(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text[lo:hi]`` (one line), stripped of surrounding spaces."""
    spans: list[tuple[int, int]] = []
    start = lo
    closer: str | None = None  # closing mark of the quotation we are in
    last: dict[str, int] = {}  # last place of each closing mark on the line (one search per mark)
    special = _SPECIAL_RE.search
    i = lo
    while i < hi:
        m = special(text, i, hi)
        if m is None:
            break
        i = m.start()
        ch = text[i]
        if closer is not None:
            if ch == closer:
                closer = None
                # A quotation closed right after a terminator ends the sentence: `."` + space.
                if i > lo and text[i - 1] in _TERMINATORS and (i + 1 >= hi or text[i + 1].isspace()):
                    spans.append((start, i + 1))
                    start = i + 1
        elif ch in _OPENERS and ch != "'":
            want = _OPENERS[ch]
            if want not in last:
                last[want] = text.rfind(want, lo, hi)
            if last[want] > i:  # it closes later on the line
                closer = want
        elif ch in _TERMINATORS:
            j = i
            while j + 1 < hi and (text[j + 1] in _TERMINATORS or text[j + 1] in _ALL_QUOTES):
                j += 1
            nxt = text[j + 1] if j + 1 < hi else " "
            prev = text[i - 1] if i > lo else " "
            inner_period = ch == "." and j == i and not nxt.isspace() and not prev.isspace()
            if nxt.isspace() and not inner_period:
                spans.append((start, j + 1))
                start = j + 1
            i = j
        i += 1
    spans.append((start, hi))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def segment_sentences(text: str) -> list[tuple[int, int]]:
    """Disjoint, ordered ``(start, end)`` sentence spans covering every non-space character."""
    spans: list[tuple[int, int]] = []
    for m in _LINE_RE.finditer(text):
        spans.extend(_line_sentences(text, m.start(), m.end()))
    return spans
