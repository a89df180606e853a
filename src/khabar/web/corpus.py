"""A thin adapter between the HTTP layer and the corpus store (:mod:`khabar.store`,
:mod:`khabar.views`): one SQLite connection per server thread, results as JSON-ready dicts
in the same shapes as the CLI's JSON (``SearchHit``, ``EntityRecord``, ``QuoteRecord``,
``EventRecord``, ``EntityProfile``, ``Story`` ``to_dict()``), plus the few aggregates the web
UI needs that the store does not offer (most-quoted speakers, article-to-corpus entity links,
quotes by topic), built here from the store's public functions only.

``":memory:"`` gives an in-memory store shared by all threads behind a lock (tests, demos).
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..model import Document
from ..text.normalize import normalize_name


class QueryError(ValueError):
    """A search query or filter the store cannot run; the message is shown to the user."""


@dataclass(frozen=True, slots=True)
class Page:
    """One page of results: the total number of matches when the store counts them (search,
    entities), else None with ``more`` saying whether another page follows."""

    total: int | None
    items: list[dict[str, Any]] = field(default_factory=list)
    more: bool = False


class WebCorpus:
    """The corpus as the API and web UI see it (read-mostly; :meth:`add` writes)."""

    SPEAKERS_TTL_S = 60.0

    def __init__(self, path: str | Path) -> None:
        from ..store import Store

        self.path = str(path)
        self._memory = self.path == ":memory:"
        self._local = threading.local()
        self._lock = threading.RLock()
        self._opened: list[Any] = []
        first = Store(self.path, check_same_thread=not self._memory)  # creates and migrates
        self._opened.append(first)
        if self._memory:
            self._shared = first
        else:
            self._local.store = first
        self._speakers: tuple[float, int, list[dict[str, Any]]] | None = None
        self._links: OrderedDict[str, dict[str, str]] = OrderedDict()
        self._stories: OrderedDict[tuple, list[dict[str, Any]]] = OrderedDict()

    # -- connections -------------------------------------------------------------------------
    @contextmanager
    def _store(self) -> Iterator[Any]:
        if self._memory:
            with self._lock:
                yield self._shared
            return
        store = getattr(self._local, "store", None)
        if store is None:
            from ..store import Store

            store = Store(self.path)
            self._local.store = store
            with self._lock:
                self._opened.append(store)
        yield store

    def close(self) -> None:
        with self._lock:
            for s in self._opened:
                try:
                    s.close()
                except Exception:  # noqa: BLE001 - closing at shutdown, other threads' connections
                    pass
            self._opened.clear()

    # -- writes --------------------------------------------------------------------------------
    def add(self, doc: Document) -> tuple[str, bool]:
        """Store an analysed document; (content id, created). Idempotent by content."""
        from ..io import article_id

        d = doc.to_dict()
        with self._store() as s:
            created = s.add_article(d, pipeline_version=_pipeline_version())
        self._speakers = None
        return article_id(d["text"]), created

    # -- articles ------------------------------------------------------------------------------
    def count(self) -> int:
        with self._store() as s:
            return int(s.count_articles())

    def article(self, article_id: str) -> dict[str, Any] | None:
        """The stored khabar.article/1 dict (by content id or the input's id), without the
        server-side file path."""
        with self._store() as s:
            d = s.get_article(article_id)
        if d is not None:
            d.pop("path", None)
        return d

    def search(self, q: str | None, *, date_from: str | None = None, date_to: str | None = None,
               source: str | None = None, entity: str | None = None, limit: int = 20,
               offset: int = 0) -> Page:
        from .. import views
        from ..store import QueryError as StoreQueryError

        try:
            with self._store() as s:
                page = views.search(s, q or "", date_from=date_from, date_to=date_to, source=source,
                                    entity=entity, limit=limit, offset=offset)
        except views.NotFound:
            return Page(0, [])
        except StoreQueryError as exc:
            if entity and "no entity matches" in str(exc):
                return Page(0, [])
            raise QueryError(str(exc)) from None
        return Page(page.total, [h.to_dict() for h in page.hits])

    # -- entities ------------------------------------------------------------------------------
    def entities(self, q: str | None, *, limit: int = 20, offset: int = 0) -> Page:
        with self._store() as s:
            if q:
                found = s.resolve_entity(q, limit=offset + limit)
                return Page(len(found), [e.to_dict() for e in found[offset:offset + limit]])
            rows = s.entities(limit=limit, offset=offset)
            total = s.stats().entities if rows or offset else 0
        return Page(total, [e.to_dict() for e in rows])

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        """Profile of a corpus entity by its numeric id; None when unknown."""
        from .. import views

        if not entity_id.isdigit() or len(entity_id) > 18:
            return None
        try:
            with self._store() as s:
                return views.entity_profile(s, int(entity_id), quotes_limit=30, events_limit=30).to_dict()
        except views.NotFound:
            return None

    def entity_links(self, article_id: str, article: dict[str, Any] | None = None) -> dict[str, str]:
        """Article entity id (``e1``) -> corpus entity id, resolved by KB id or name (``article``:
        the article's dict when the caller has it already)."""
        with self._lock:
            if article_id in self._links:
                return self._links[article_id]
        d = article if article is not None else self.article(article_id)
        links: dict[str, str] = {}
        if d is not None:
            with self._store() as s:
                for e in d.get("entities", []):
                    want = normalize_name(str(e.get("name") or ""))
                    for rec in s.resolve_entity(e.get("kb_id") or e.get("name") or "", limit=5):
                        if (e.get("kb_id") and rec.kb_id == e.get("kb_id")) or normalize_name(rec.name) == want:
                            links[str(e["id"])] = str(rec.id)
                            break
        with self._lock:
            self._links[article_id] = links
            while len(self._links) > 512:
                self._links.popitem(last=False)
        return links

    def top_entities(self, limit: int = 10) -> list[dict[str, Any]]:
        with self._store() as s:
            return [e.to_dict() for e in s.entities(limit=limit)]

    def top_speakers(self, limit: int = 10) -> list[dict[str, Any]]:
        """Most-quoted speakers (cached for a minute or until the article count changes)."""
        n = self.count()
        cached = self._speakers
        if cached and cached[1] == n and time.monotonic() - cached[0] < self.SPEAKERS_TTL_S:
            return cached[2][:limit]
        counts: Counter[int] = Counter()
        info: dict[int, dict[str, Any]] = {}
        with self._store() as s:
            for row in s.rows("quotes"):
                sid = row.get("speaker_id")
                if sid is None:
                    continue
                counts[sid] += 1
                info.setdefault(sid, {"id": sid, "name": row.get("speaker"), "name_en": row.get("speaker_en")})
        top = [{**info[k], "count": c} for k, c in counts.most_common(50)]
        self._speakers = (time.monotonic(), n, top)
        return top[:limit]

    # -- quotes, events, stories --------------------------------------------------------------
    def quotes(self, *, speaker: str | None = None, about: str | None = None, topic: str | None = None,
               date_from: str | None = None, date_to: str | None = None, limit: int = 20,
               offset: int = 0) -> Page:
        """Quotes newest first by speaker / about an entity; ``topic`` keeps quotes from articles
        that match it in full-text search (up to the 200 best articles)."""
        from .. import views

        try:
            with self._store() as s:
                if not topic:
                    rows = views.quotes(s, speaker=speaker, about=about, date_from=date_from, date_to=date_to,
                                        limit=limit + 1, offset=offset).quotes
                    return Page(None, [q.to_dict() for q in rows[:limit]], len(rows) > limit)
                articles = {h.id for h in views.search(s, topic, limit=200).hits}
                rows = views.quotes(s, speaker=speaker, about=about, date_from=date_from, date_to=date_to,
                                    limit=5000).quotes
                kept = [q.to_dict() for q in rows if q.article_id in articles]
                return Page(len(kept), kept[offset:offset + limit])
        except views.NotFound:
            return Page(0, [])
        except Exception as exc:
            from ..store import QueryError as StoreQueryError

            if isinstance(exc, StoreQueryError):
                raise QueryError(str(exc)) from None
            raise

    def events(self, *, actor: str | None = None, type: str | None = None, date_from: str | None = None,
               date_to: str | None = None, limit: int = 50, offset: int = 0) -> Page:
        from .. import views

        try:
            with self._store() as s:
                rows = views.events(s, actor=actor, type=type, date_from=date_from, date_to=date_to,
                                    limit=limit + 1, offset=offset)
        except views.NotFound:
            return Page(0, [])
        return Page(None, [v.to_dict() for v in rows[:limit]], len(rows) > limit)

    def stories(self, *, date_from: str | None = None, date_to: str | None = None,
                limit: int = 20) -> list[dict[str, Any]]:
        """Story clusters, cached until the article count changes (clustering a large corpus
        takes seconds, so one computation serves every later request)."""
        from .. import views

        key = (date_from, date_to, limit, self.count())
        with self._lock:
            hit = self._stories.get(key)
        if hit is not None:
            return hit
        with self._store() as s:
            out = [st.to_dict() for st in views.stories(s, date_from, date_to, limit=limit)]
        with self._lock:
            self._stories[key] = out
            while len(self._stories) > 32:
                self._stories.popitem(last=False)
        return out


@lru_cache(maxsize=1)
def _pipeline_version() -> str:
    """The pipeline version ingest records, so that 'khabar reindex' treats API writes alike."""
    try:
        from ..ingest import pipeline_version  # type: ignore[attr-defined]
    except ImportError:
        return ""
    try:
        return str(pipeline_version())
    except Exception:  # noqa: BLE001 - a version string is best effort
        return ""
