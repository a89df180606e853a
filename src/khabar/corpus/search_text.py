"""The words of the full-text index and of search queries (normalised, proclitics removed), query
parsing into a safe FTS5 expression, and snippets around the hits. Pure: no SQL."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..analysis.clitics import without_prefixes
from ..analysis.text.normalize import normalize
from ..errors import QueryError
from .records import FtsFields, Snippet

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def index_words(text: str) -> list[str]:
    """The words of ``text`` as the index sees them: normalised, with proclitics (و ف ب ك ل ال)
    removed, so "وللمدرسة", "المدرسة" and "مدرسة" are all "مدرسه". Queries go through the
    same function, so a word always matches itself whatever the segmenter decides."""
    return list(map(without_prefixes, _INDEX_WORD_RE.findall(normalize(text).text)))


_INDEX_WORD_RE = re.compile(r"[^\W\d_]+|\d+")


def fts_fields(title: str | None, text: str) -> FtsFields:
    """Index content for an article (see :func:`index_words`). Pure and deterministic: the
    ingest workers compute it next to the analysis."""
    return FtsFields(" ".join(index_words(title or "")), " ".join(index_words(text)))


_QUERY_TOKEN_RE = re.compile(r'"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class ParsedQuery:
    """A user query turned into a safe FTS5 expression plus the plain terms for snippets."""

    fts: str
    terms: tuple[str, ...]


def parse_query(query: str) -> ParsedQuery:
    """Turn a user query into a safe FTS5 MATCH expression.

    Supported: words (all must match), "quoted phrases", ``OR`` between words, ``-word`` to
    exclude, ``word*`` as a prefix. Words are normalised and lose their proclitics like the
    indexed text (:func:`index_words`). Everything else is treated as text: every term is
    quoted for FTS5, so no input can make SQLite fail. Raises :class:`QueryError` when nothing
    is left to search for.
    """
    parts: list[str] = []
    terms: list[str] = []
    pending_or = False
    for m in _QUERY_TOKEN_RE.finditer(query.replace("\u201c", '"').replace("\u201d", '"')):
        phrase, word = m.group(1), m.group(2)
        if word == "OR":
            pending_or = bool(parts)
            continue
        negate = prefix = False
        if phrase is not None:
            words = index_words(phrase)
        else:
            negate = word.startswith("-") and len(word) > 1
            prefix = word.endswith("*")
            words = index_words(word)
        if not words:
            continue
        if len(words) > 1:
            expr = '"' + " ".join(words) + '"'
        else:
            expr = f'"{words[0]}"' + ("*" if prefix else "")
        if negate:
            if not parts:
                continue  # FTS5 cannot start with NOT; a leading exclusion alone is dropped
            parts.append(f"NOT {expr}")
        else:
            terms.extend(w + "*" if prefix and len(words) == 1 else w for w in words)
            if pending_or and parts:
                parts[-1] = f"({parts[-1]} OR {expr})"
            else:
                parts.append(expr)
        pending_or = False
    if not parts:
        raise QueryError(f"nothing to search for in {query!r}: give at least one word")
    # NOT binds to the left operand in FTS5: "a NOT b"; join the rest with AND.
    out = parts[0]
    for p in parts[1:]:
        out = f"{out} {p}" if p.startswith("NOT ") else f"{out} AND {p}"
    return ParsedQuery(out, tuple(dict.fromkeys(terms)))


def make_snippet(text: str, terms: Sequence[str], width: int = 220) -> Snippet:
    """A window of ``text`` around the first query term found (matching on normalised text,
    and on words that end with the term, so clitic forms are highlighted too)."""
    alts = []
    for t in sorted({t for t in terms if t.strip("*")}, key=len, reverse=True):
        alts.append(re.escape(normalize(t.rstrip("*")).text) + (r"[^\W_]*" if t.endswith("*") else ""))
    hits: list[tuple[int, int]] = []
    if alts:
        pat = re.compile(r"(?<![^\W_])[^\W\d_]{0,4}?(?:" + "|".join(alts) + r")(?![^\W_])", re.UNICODE)
        find = re.compile("|".join(alts)).search  # the terms alone: a fast literal scan
        # Normalise a growing prefix, cut before a space (normalising is per character, so it
        # is a prefix of the whole text's), until the first hit: it is usually early, and
        # normalising and scanning every hit's whole text was most of a search request's time.
        size, norm, first = 512, normalize(""), None
        while first is None and norm.original_length < len(text):
            norm = normalize(_prefix(text, size))
            candidate = find(norm.text)  # a hit starts at most 4 letters (clitics) before its term
            first = pat.search(norm.text, max(0, candidate.start() - 4)) if candidate else None
            size *= 4
        if first is not None:  # then cover the snippet window (see below) and a word beyond it
            need = norm.span(first.start(), first.start())[0] + width + 64
            if norm.original_length < len(text) and len(_prefix(text, need)) > norm.original_length:
                norm = normalize(_prefix(text, need))
            for m in pat.finditer(norm.text, first.start()):
                hits.append(norm.span(m.start(), m.end()))
                if len(hits) >= 50:
                    break
    if not hits:
        cut = text[:width]
        return Snippet(cut + ("…" if len(text) > width else ""), ())
    first = hits[0][0]
    start = max(0, first - width // 3)
    if start:
        sp = text.rfind(" ", 0, start)
        start = sp + 1 if sp >= 0 and start - sp < 30 else start
    end = min(len(text), start + width)
    if end < len(text):
        sp = text.find(" ", end)
        end = sp if 0 <= sp < end + 30 else end
    body = text[start:end].replace("\n", " ")
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    marks = tuple((s + shift, e + shift) for s, e in hits if s >= start and e <= end)
    return Snippet(prefix + body + suffix, marks)


_SPACE_RE = re.compile(r"\s")


def _prefix(text: str, size: int) -> str:
    """``text`` up to the first whitespace at or after ``size`` (all of it when there is none)."""
    if size >= len(text):
        return text
    m = _SPACE_RE.search(text, size)
    return text[:m.start()] if m else text
