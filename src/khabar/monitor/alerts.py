"""Alerts: saved queries evaluated against each newly stored article (no I/O here).

An article matches an :class:`~khabar.corpus.store.Alert` when it meets every condition the alert has:

- ``query``: every query word appears in the title or text, compared as the search index
  compares words (:func:`khabar.corpus.store.index_words`: Arabic normalisation, proclitics removed);
- ``entity``: an entity whose name (normalised), English name or KB id is the value;
- ``speaker``: a quote whose speaker entity is named so;
- ``source``: the article's source (case-insensitive).

Recording a match and delivering it (stdout, webhook) happen at the edges (khabar.monitor.watch).
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from ..analysis.text.normalize import normalize_name
from ..corpus.store import Alert, AlertMatch, Store, index_words
from ..model import Document


def _names_entity(value: str, entity: dict[str, Any]) -> bool:
    """Whether ``value`` names the entity: its KB id or English name (any case), or its Arabic
    name compared after normalisation (hamza/alef variants, diacritics)."""
    folded = value.strip().casefold()
    if folded and folded in {(entity.get("kb_id") or "").casefold(), (entity.get("name_en") or "").casefold()}:
        return True
    key = normalize_name(value)
    return bool(key) and key == normalize_name(entity.get("name") or "")


def article_words(article: dict[str, Any]) -> frozenset[str]:
    """The title and text words of an article as a query sees them."""
    return frozenset(index_words(f"{article.get('title') or ''} {article.get('text') or ''}"))


def matches(alert: Alert, article: dict[str, Any] | Document, words: frozenset[str] | None = None) -> bool:
    """Whether one analysed article (``khabar.article/1`` dict or Document) matches the alert.
    ``words`` (:func:`article_words`) saves normalising the text again for each alert. An alert
    without any condition matches nothing."""
    d = article.to_dict() if isinstance(article, Document) else article
    if not (alert.query or alert.entity or alert.speaker or alert.source):
        return False
    if alert.source and (d.get("source") or "").casefold() != alert.source.strip().casefold():
        return False
    if alert.query:
        wanted = set(index_words(alert.query))
        if not wanted or not wanted <= (article_words(d) if words is None else words):
            return False
    entities = d.get("entities") or []
    if alert.entity and not any(_names_entity(alert.entity, e) for e in entities):
        return False
    if alert.speaker:
        by_id = {e.get("id"): e for e in entities}
        speakers = (by_id.get(q.get("speaker")) for q in d.get("quotes") or [])
        if not any(e is not None and _names_entity(alert.speaker, e) for e in speakers):
            return False
    return True


def matching(alerts: Iterable[Alert], article: dict[str, Any] | Document) -> list[Alert]:
    """The alerts the article matches, in the order given."""
    d = article.to_dict() if isinstance(article, Document) else article
    alerts = list(alerts)
    words = article_words(d) if any(a.query for a in alerts) else frozenset()
    return [a for a in alerts if matches(a, d, words)]


def match_payload(alert: Alert, article: dict[str, Any], at: float) -> dict[str, Any]:
    """What a delivered match says (one JSON line on stdout, the body POSTed to a webhook)."""
    return {"alert": alert.name, "article_id": article.get("id"), "title": article.get("title"),
            "source": article.get("source"), "url": article.get("url"), "published": article.get("published"),
            "at": at}


def record_alert_matches(store: Store, alerts: Sequence[Alert], article: dict[str, Any], content_id: str
                         ) -> list[dict[str, Any]]:
    """Record the alerts a newly stored article (stored under ``content_id``) matches; the
    payloads of the matches not recorded before (see :func:`match_payload`). Shared by
    ``khabar watch`` and ``khabar ingest``; no alert, no work."""
    now = time.time()
    return [match_payload(a, {**article, "id": content_id}, now) for a in matching(alerts, article)
            if store.record_alert_match(a.name, content_id)]


ATOM_NS = "http://www.w3.org/2005/Atom"


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_feed(alert: Alert, found: Sequence[AlertMatch], *, feed_url: str) -> bytes:
    """Atom 1.0 document of an alert's matches (given newest first); xml.etree escapes the text."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        el.text = text
        return el

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "title", f"khabar alert: {alert.name}")
    sub(feed, "id", feed_url)
    sub(feed, "link", rel="self", href=feed_url)
    sub(feed, "updated", _iso(found[0].at if found else alert.created))
    sub(sub(feed, "author"), "name", "khabar")
    for m in found:
        entry = sub(feed, "entry")
        sub(entry, "title", m.title or m.article_id)
        sub(entry, "id", f"urn:khabar:article:{m.article_id}")  # stable: the content hash
        sub(entry, "updated", _iso(m.at))
        if m.url:
            sub(entry, "link", href=m.url)
        summary = ", ".join(x for x in (m.source, m.published) if x)
        if summary:
            sub(entry, "summary", summary)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def delivery_status(a: Alert) -> str:
    """How an alert's webhook is doing: deliveries made and failed, matches waiting in the
    delivery outbox and given up there (dead), the last failure and when."""
    line = f"{a.delivered} delivered, {a.failed} failed"
    line += f", {a.waiting} waiting" if a.waiting else ""
    line += f", {a.dead} dead ('khabar alert retry {a.name}' queues them again)" if a.dead else ""
    if a.last_error:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(a.last_error_at)) if a.last_error_at else "?"
        line += f"; last failure {when}: {a.last_error}"
    return line
