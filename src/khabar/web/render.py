"""Turn a schema khabar.article/1 dict into safe HTML and view data for the templates.

Security rule: every piece of article text goes through :func:`markupsafe.escape` on its own,
and markup is only ever built around already-escaped pieces, so an article containing
``<script>`` or ``<img onerror=...>`` is shown as text. Attribute values are escaped too.

Overlapping spans: quotes form the outer layer; entity mentions, time expressions, event
triggers and quote cues form the inner layer (first one wins where inner spans overlap). A
mention that crosses a quote boundary is split into two marks with the same data.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Any

from markupsafe import Markup, escape


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    """UI labels (Arabic) for entity, quote, timex and event types, from ``labels.toml``."""
    raw = resources.files("khabar.web").joinpath("labels.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)


def label(group: str, key: str | None) -> str:
    """The Arabic label of a type (the key itself when unknown)."""
    if key is None:
        return ""
    return labels().get(group, {}).get(key, key)


@dataclass(frozen=True, slots=True)
class _Inner:
    """An inner-layer annotation: a mark with a CSS class and data attributes."""

    start: int
    end: int
    css: str
    attrs: tuple[tuple[str, str], ...]
    title: str


@dataclass(frozen=True, slots=True)
class _Outer:
    start: int
    end: int
    attrs: tuple[tuple[str, str], ...]
    title: str
    css: str


def _attrs(pairs: Iterable[tuple[str, str]]) -> Markup:
    return Markup("").join(Markup(' {}="{}"').format(k, v) for k, v in pairs if v not in (None, ""))


def _valid(d: dict[str, Any], text_len: int) -> bool:
    try:
        s, e = int(d["start"]), int(d["end"])
    except (KeyError, TypeError, ValueError):
        return False
    return 0 <= s < e <= text_len


def _entity_index(article: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(e.get("id")): e for e in article.get("entities", []) if isinstance(e, dict)}


def entity_title(e: dict[str, Any] | None) -> str:
    if not e:
        return ""
    parts = [label("entity", e.get("type")), e.get("name") or ""]
    if e.get("name_en"):
        parts.append(e["name_en"])
    return " · ".join(p for p in parts if p)


def highlight(article: dict[str, Any], entity_href: dict[str, str] | None = None) -> Markup:
    """The article text as HTML with entities, quotes, time expressions and triggers marked.

    ``entity_href`` maps the article's entity ids to links (e.g. corpus entity pages); a
    mention of a linked entity carries ``data-href`` for the popover's link.
    """
    text = str(article.get("text") or "")
    n = len(text)
    ents = _entity_index(article)
    entity_href = entity_href or {}
    inner: list[_Inner] = []
    for e in ents.values():
        for m in e.get("mentions", []):
            if isinstance(m, dict) and _valid(m, n):
                inner.append(_Inner(int(m["start"]), int(m["end"]), f"ent ent-{_css_token(e.get('type'))}", (
                    ("data-kind", "entity"), ("data-entity", str(e.get("id", ""))),
                    ("data-type", str(e.get("type") or "")),
                    ("data-type-label", label("entity", e.get("type"))),
                    ("data-name", str(e.get("name") or "")), ("data-name-en", str(e.get("name_en") or "")),
                    ("data-mention-kind", str(m.get("kind") or "")),
                    ("data-href", entity_href.get(str(e.get("id")), "")),
                ), entity_title(e)))
    for t in article.get("timexes", []):
        if isinstance(t, dict) and _valid(t, n):
            inner.append(_Inner(int(t["start"]), int(t["end"]), "timex", (
                ("data-kind", "timex"), ("data-type", str(t.get("type") or "")),
                ("data-type-label", label("timex", t.get("type"))), ("data-value", str(t.get("value") or "")),
            ), f"{label('timex', t.get('type'))} · {t.get('value') or ''}"))
    for v in article.get("events", []):
        trig = v.get("trigger") if isinstance(v, dict) else None
        if isinstance(trig, dict) and _valid(trig, n):
            inner.append(_Inner(int(trig["start"]), int(trig["end"]), "trigger", (
                ("data-kind", "event"), ("data-type", str(v.get("type") or "")),
                ("data-type-label", label("event", v.get("type"))), ("data-cameo", str(v.get("cameo") or "")),
            ), f"{label('event', v.get('type'))} · {v.get('type') or ''}"))
    outer: list[_Outer] = []
    for q in article.get("quotes", []):
        if not (isinstance(q, dict) and _valid(q, n)):
            continue
        speaker = ents.get(str(q.get("speaker")))
        cue = q.get("cue")
        if isinstance(cue, dict) and _valid(cue, n):
            inner.append(_Inner(int(cue["start"]), int(cue["end"]), "cue", (("data-kind", "cue"),), ""))
        outer.append(_Outer(int(q["start"]), int(q["end"]), (
            ("data-kind", "quote"), ("data-quote", str(q.get("id", ""))),
            ("data-quote-kind", str(q.get("kind") or "")),
            ("data-type-label", label("quote", q.get("kind"))),
            ("data-speaker", str((speaker or {}).get("name") or "")),
            ("data-speaker-en", str((speaker or {}).get("name_en") or "")),
        ), f"{label('quote', q.get('kind'))} · {(speaker or {}).get('name') or '؟'}",  # ؟: unknown speaker
            f"quote quote-{_css_token(q.get('kind'))}"))
    return _build(text, _non_overlapping(inner), _non_overlapping(outer))


def _css_token(value: Any) -> str:
    s = str(value or "x").lower()
    return "".join(c for c in s if c.isascii() and c.isalnum()) or "x"


def _non_overlapping(spans: list[Any]) -> list[Any]:
    """Keep spans in order of start, longest first, dropping any that overlap a kept one."""
    kept: list[Any] = []
    for sp in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if kept and sp.start < kept[-1].end:
            continue
        kept.append(sp)
    return kept


def _build(text: str, inner: list[_Inner], outer: list[_Outer]) -> Markup:
    cuts = {0, len(text)}
    for sp in (*inner, *outer):
        cuts.update((sp.start, sp.end))
    points = sorted(cuts)
    out: list[Markup] = []
    ii = oi = 0
    open_outer: _Outer | None = None
    for a, b in pairwise(points):
        while oi < len(outer) and outer[oi].end <= a:
            oi += 1
        while ii < len(inner) and inner[ii].end <= a:
            ii += 1
        cur_outer = outer[oi] if oi < len(outer) and outer[oi].start <= a else None
        if cur_outer is not open_outer:
            if open_outer is not None:
                out.append(Markup("</span>"))
            if cur_outer is not None:
                out.append(Markup('<span class="{}" tabindex="0"{}{}>').format(
                    cur_outer.css, _attrs(cur_outer.attrs), _attrs((("title", cur_outer.title),))))
            open_outer = cur_outer
        piece = escape(text[a:b])
        cur_inner = inner[ii] if ii < len(inner) and inner[ii].start <= a else None
        if cur_inner is not None:
            out.append(Markup('<mark class="{}" tabindex="0"{}{}>{}</mark>').format(
                cur_inner.css, _attrs(cur_inner.attrs), _attrs((("title", cur_inner.title),)), piece))
        else:
            out.append(piece)
    if open_outer is not None:
        out.append(Markup("</span>"))
    return Markup("").join(out)


def quote_rows(article: dict[str, Any]) -> list[dict[str, Any]]:
    """The quotes with their speaker entity resolved, in text order."""
    ents = _entity_index(article)
    rows = []
    for q in sorted((q for q in article.get("quotes", []) if isinstance(q, dict)),
                    key=lambda q: q.get("start", 0)):
        rows.append({**q, "speaker_entity": ents.get(str(q.get("speaker"))),
                     "kind_label": label("quote", q.get("kind"))})
    return rows


def event_rows(article: dict[str, Any]) -> list[dict[str, Any]]:
    """The events with actors, place and time resolved, dated ones first in time order."""
    ents = _entity_index(article)
    timexes = {str(t.get("id")): t for t in article.get("timexes", []) if isinstance(t, dict)}
    rows = []
    for v in article.get("events", []):
        if not isinstance(v, dict):
            continue
        tx = timexes.get(str(v.get("time")))
        rows.append({**v, "actor1_entity": ents.get(str(v.get("actor1"))),
                     "actor2_entity": ents.get(str(v.get("actor2"))),
                     "location_entity": ents.get(str(v.get("location"))),
                     "timex": tx, "when": (tx or {}).get("value") or article.get("published") or "",
                     "type_label": label("event", v.get("type"))})
    return sorted(rows, key=lambda r: (r["when"] == "", str(r["when"]), r.get("sentence", 0)))


def summary_sentences(article: dict[str, Any]) -> list[str]:
    """The text of the summary sentences (indices into ``sentences``)."""
    text = str(article.get("text") or "")
    sents = article.get("sentences", [])
    out = []
    for i in article.get("summary", []):
        if isinstance(i, int) and 0 <= i < len(sents) and _valid(sents[i], len(text)):
            out.append(text[int(sents[i]["start"]):int(sents[i]["end"])].strip())
    return out


def entity_rows(article: dict[str, Any]) -> list[dict[str, Any]]:
    """Entities of an article, most mentioned first."""
    rows = [{**e, "type_label": label("entity", e.get("type")), "count": len(e.get("mentions", []))}
            for e in article.get("entities", []) if isinstance(e, dict)]
    return sorted(rows, key=lambda r: (-r["count"], str(r.get("name"))))


def snippet_html(snippet: Any) -> Markup:
    """A search snippet (``{"text", "highlights": [[start, end], ...]}`` or a string) with the
    matched words in ``<b>``, every piece escaped."""
    if not isinstance(snippet, dict):
        return escape(str(snippet or ""))
    text = str(snippet.get("text") or "")
    out: list[Markup] = []
    pos = 0
    for pair in snippet.get("highlights") or []:
        try:
            s, e = int(pair[0]), int(pair[1])
        except (TypeError, ValueError, IndexError):
            continue
        if not (pos <= s < e <= len(text)):
            continue
        out += [escape(text[pos:s]), Markup("<b>{}</b>").format(text[s:e])]
        pos = e
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def ago(seconds: float) -> str:
    """An elapsed time in Arabic words ("منذ 5 دقائق": 5 minutes ago), with the noun form
    Arabic needs after 1, 2, 3-10 and 11+ (labels ``[ago]``)."""
    words = labels()["ago"]
    s = int(seconds)
    if s < 10:  # also a time slightly in the future (another machine's clock)
        return str(words["now"])
    unit, size = next((u, z) for u, z in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))
                      if s >= z)
    n, forms = s // size, words[unit]
    if n == 1:
        phrase = forms[0]
    elif n == 2:
        phrase = forms[1]
    else:
        phrase = f"{n} {forms[2] if n <= 10 else forms[3]}"
    return f"{words['prefix']} {phrase}"


def utc_time(ts: float | None) -> str:
    """A Unix time as ``YYYY-MM-DD HH:MM UTC`` ("" for None)."""
    from datetime import UTC, datetime

    return "" if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def source_status(source: dict[str, Any]) -> str:
    """``never`` (no successful poll yet), ``failing`` (the last poll failed) or ``ok``. A poll
    that fetched the feed but failed on one article page records both times equal: still ok."""
    if source.get("last_success") is None:
        return "never"
    if source.get("last_error_at") is not None and source["last_error_at"] > source["last_success"]:
        return "failing"
    return "ok"


def source_rows(sources: list[dict[str, Any]], now: float) -> list[dict[str, Any]]:
    """Watched sources (``WatchState.to_dict()``) with their status and readable times, failing
    ones first so that a problem is seen without scrolling."""
    order = {"failing": 0, "never": 1, "ok": 2}
    rows = []
    for s in sources:
        status = source_status(s)
        last = s.get("last_success")
        rows.append({**s, "status": status, "status_label": label("source_status", status),
                     "last_success_ago": ago(now - last) if last is not None else "",
                     "last_success_utc": utc_time(last), "last_error_utc": utc_time(s.get("last_error_at"))})
    return sorted(rows, key=lambda r: (order[r["status"]], str(r.get("name"))))
