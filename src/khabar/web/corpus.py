"""A thin adapter between the HTTP layer and the corpus store (:mod:`khabar.corpus.store`,
:mod:`khabar.corpus.views`): a small pool of SQLite connections, results as JSON-ready dicts
in the same shapes as the CLI's JSON (``SearchHit``, ``EntityRecord``, ``QuoteRecord``,
``EventRecord``, ``EntityProfile``, ``Story`` ``to_dict()``), plus the few aggregates the web
UI needs that the store does not offer (most-quoted speakers, article-to-corpus entity links,
quotes by topic), built here from the store's public functions only.

``":memory:"`` gives an in-memory store shared by all threads behind a lock (tests, demos).
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import settings
from ..errors import QueryError  # defined in khabar.errors (stable codes)
from ..model import Document


@dataclass(frozen=True, slots=True)
class Page:
    """One page of results: the total number of matches when the store counts them (search,
    entities), else None with ``more`` saying whether another page follows."""

    total: int | None
    items: list[dict[str, Any]] = field(default_factory=list)
    more: bool = False


class WebCorpus:
    """The corpus as the API and web UI see it (read-mostly; :meth:`add` writes).

    Reads borrow one of at most ``pool_size`` read-only connections for the length of a call and
    give it back, so the number of open files and SQLite page caches stays bounded however many
    threads the server runs (a connection per thread leaked one each time the threadpool
    replaced a thread). Writes go through one read-write connection, opened at the first write
    and used by one thread at a time. A store that cannot be written is still served; a write
    then raises :class:`khabar.corpus.store.StoreError` of kind ``read_only``.
    """

    SPEAKERS_TTL_S = settings.WEB_SPEAKERS_TTL_SECONDS
    POOL_SIZE = settings.WEB_POOL_SIZE
    WAIT_S = settings.WEB_POOL_WAIT_SECONDS  # longest wait for a free read connection before "busy"
    CHECK_TTL_S = settings.WEB_CHECK_TTL_SECONDS  # a passing health check is reused this long

    def __init__(self, path: str | Path, *, pool_size: int = POOL_SIZE) -> None:
        from ..corpus.store import Store

        self.path = str(path)
        self._memory = self.path == ":memory:"
        self._lock = threading.RLock()
        self._write_lock = threading.Lock()
        self._writer: Any = None
        self._idle: list[Any] = []  # open read connections not lent out
        self._closed = False  # after close(), a connection given back is closed, not kept
        self._slots = threading.BoundedSemaphore(pool_size)
        self._checked_at: float | None = None
        if self._memory:
            self._shared = self._writer = Store(self.path, check_same_thread=False)
        elif not Path(self.path).exists():
            self._writer = Store(self.path, check_same_thread=False)  # creates and migrates
        else:
            with self._store():  # opens (and checks) one read connection; migrates when needed
                pass
        self._speakers: tuple[float, int, list[dict[str, Any]]] | None = None
        self._links: OrderedDict[str, dict[str, str]] = OrderedDict()
        self._stories: OrderedDict[tuple, list[dict[str, Any]]] = OrderedDict()

    # -- connections -------------------------------------------------------------------------
    @contextmanager
    def _store(self) -> Iterator[Any]:
        """A read connection for the length of a ``with`` block."""
        if self._memory:
            with self._lock:
                yield self._shared
            return
        from ..corpus.store import DatabaseError, StoreError, db_error

        if not self._slots.acquire(timeout=self.WAIT_S):
            raise StoreError(f"{self.path}: every connection to the store is in use; try again", "busy")
        store = None
        try:
            with self._lock:
                store = self._idle.pop() if self._idle else None
            if store is None:
                store = self._open_reader()
            yield store
        except DatabaseError as exc:
            # the file may be damaged: do not lend this connection again (a busy or locked store
            # is no fault of the connection, which stays in the pool)
            if store is not None and db_error(exc).kind != "busy":
                store.close()
                store = None
            raise
        finally:
            if store is not None:
                with self._lock:
                    keep = not self._closed
                    if keep:
                        self._idle.append(store)
                if not keep:
                    store.close()
            self._slots.release()

    def _open_reader(self) -> Any:
        from ..corpus.store import Store, StoreError

        try:
            return Store(self.path, readonly=True, check_same_thread=False)
        except StoreError as exc:
            if exc.kind != "outdated":
                raise
        Store(self.path).close()  # an older schema: migrate once (fails clearly when read-only)
        return Store(self.path, readonly=True, check_same_thread=False)

    @contextmanager
    def _write_store(self) -> Iterator[Any]:
        """The read-write connection, one thread at a time."""
        from ..corpus.store import Store

        if self._memory:  # one connection for reads and writes: the readers' lock
            with self._lock:
                yield self._shared
            return
        with self._write_lock:
            if self._writer is None:
                self._writer = Store(self.path, create=False, check_same_thread=False)
            yield self._writer

    def check(self) -> str | None:
        """Why the store cannot serve (a damaged file, ...), or None when it can; a passing
        check is reused for :attr:`CHECK_TTL_S` seconds. Raises the store's errors."""
        if self._checked_at is not None and time.monotonic() - self._checked_at < self.CHECK_TTL_S:
            return None
        with self._store() as s:
            problem = s.check()
            s.count_articles()
        self._checked_at = None if problem else time.monotonic()
        return problem

    def close(self) -> None:
        """Close every connection; one lent out now is closed when it is given back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        with self._write_lock:
            writer, self._writer = self._writer, None
        for s in [*idle, writer]:
            if s is not None:
                s.close()

    # -- writes --------------------------------------------------------------------------------
    def add(self, doc: Document) -> tuple[str, bool]:
        """Store an analysed document; (content id, created). Idempotent by content."""
        from ..io import article_id

        d = doc.to_dict()
        with self._write_store() as s:
            created = s.add_article(d, pipeline_version=_pipeline_version())
        self._speakers = None
        return article_id(d["text"]), created

    def sources(self) -> list[dict[str, Any]]:
        """Health of every watched source (``khabar watch``): last success, last error, counts."""
        with self._store() as s:
            return [st.to_dict() for st in s.watch_states()]

    def alert_matches(self, name: str, limit: int = 50) -> tuple[Any, list[Any]] | None:
        """An alert and its newest matches (store.Alert, store.AlertMatch); None if unknown."""
        with self._store() as s:
            alert = s.get_alert(name)
            return None if alert is None else (alert, s.alert_matches(name, limit))

    # -- articles ------------------------------------------------------------------------------
    def count(self) -> int:
        with self._store() as s:
            return int(s.count_articles())

    def latest(self, since: float | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """The articles stored last, newest ingestion first (after ``since``, a Unix time, when
        given): the home page's live list (:meth:`khabar.corpus.store.Store.latest_articles`)."""
        with self._store() as s:
            return [a.to_dict() for a in s.latest_articles(since, limit)]

    def article(self, article_id: str) -> dict[str, Any] | None:
        """The stored khabar.article/1 dict (by content id or the input's id), without the
        server-side file path."""
        with self._store() as s:
            d = s.get_article(article_id)
        if d is not None:
            d.pop("path", None)
        return d

    def article_sources(self, article_id: str) -> list[dict[str, Any]] | None:
        """Every outlet that published the article (``khabar watch`` links a republished copy to
        the article stored first), oldest first: [{source, url, at}]; an article no watcher
        linked has its own source and URL, if any. None when there is no such article."""
        with self._store() as s:
            d = s.get_article(article_id)
            if d is None:
                return None
            links = [{"source": src, "url": url, "at": at} for src, url, at in s.article_source_links(d["id"])]
        if not links and (d.get("source") or d.get("url")):
            links = [{"source": d.get("source"), "url": d.get("url"), "at": None}]
        return links

    def search(self, q: str | None, *, date_from: str | None = None, date_to: str | None = None,
               source: str | None = None, entity: str | None = None, limit: int = 20,
               offset: int = 0) -> Page:
        from ..corpus import views
        from ..corpus.store import QueryError as StoreQueryError

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
        from ..corpus import views

        if not re.fullmatch(r"[0-9]{1,18}", entity_id):  # ASCII only: int() takes "²" and "١" too
            return None
        try:
            with self._store() as s:
                return views.entity_profile(s, int(entity_id), quotes_limit=30, events_limit=30).to_dict()
        except views.NotFound:
            return None

    def entity_links(self, article_id: str, article: dict[str, Any] | None = None) -> dict[str, str]:
        """Article entity id (``e1``) -> corpus entity id: the entity its mentions were stored
        under (``article``: the article's dict when the caller has it already). One indexed
        query; resolving each name instead scanned the entities table per entity."""
        with self._lock:
            if article_id in self._links:
                return self._links[article_id]
        d = article if article is not None else self.article(article_id)
        links: dict[str, str] = {}
        if d is not None:
            with self._store() as s:
                stored = {(start, end): eid for start, end, eid in s.article_mention_entities(d["id"])}
            for e in d.get("entities", []):
                found = next((stored[(m["start"], m["end"])] for m in e.get("mentions", [])
                              if (m["start"], m["end"]) in stored), None)
                if found is not None:
                    links[str(e["id"])] = str(found)
        with self._lock:
            self._links[article_id] = links
            while len(self._links) > 512:
                self._links.popitem(last=False)
        return links

    def top_entities(self, limit: int = 10) -> list[dict[str, Any]]:
        """Entities named in the most articles (``articles``, the count the home page shows)."""
        with self._store() as s:
            return [e.to_dict() for e in s.entities(limit=limit)]

    def top_speakers(self, limit: int = 10) -> list[dict[str, Any]]:
        """Most-quoted named speakers (:func:`khabar.corpus.views.most_quoted`), cached for a minute or
        until the article count changes."""
        from ..corpus import views

        n = self.count()
        cached = self._speakers
        if cached and cached[1] == n and time.monotonic() - cached[0] < self.SPEAKERS_TTL_S:
            return cached[2][:limit]
        with self._store() as s:
            top = [sc.to_dict() for sc in views.most_quoted(s, 50)]
        self._speakers = (time.monotonic(), n, top)
        return top[:limit]

    # -- quotes, events, stories --------------------------------------------------------------
    def quotes(self, *, speaker: str | None = None, about: str | None = None, topic: str | None = None,
               date_from: str | None = None, date_to: str | None = None, limit: int = 20,
               offset: int = 0) -> Page:
        """Quotes newest first by speaker / about an entity; ``topic`` keeps quotes from articles
        that match it in full-text search (up to the 200 best articles)."""
        from ..corpus import views

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
            from ..corpus.store import QueryError as StoreQueryError

            if isinstance(exc, StoreQueryError):
                raise QueryError(str(exc)) from None
            raise

    def events(self, *, actor: str | None = None, type: str | None = None, date_from: str | None = None,
               date_to: str | None = None, limit: int = 50, offset: int = 0) -> Page:
        from ..corpus import views

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
        from ..corpus import views

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
        from ..corpus.ingest import pipeline_version  # type: ignore[attr-defined]
    except ImportError:
        return ""
    try:
        return str(pipeline_version())
    except Exception:  # noqa: BLE001 - a version string is best effort
        return ""
