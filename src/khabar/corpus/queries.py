"""The store's queries: articles, full-text search, entities, quotes, events, failures, statistics
and export rows. A mixin of :class:`khabar.corpus.store.Store`, which owns the connection."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..analysis.text.normalize import normalize_name
from ..errors import QueryError, StoreError
from .records import (
    EntityRecord,
    EventRecord,
    Failure,
    LatestArticle,
    QuoteRecord,
    SearchHit,
    SearchPage,
    Stats,
)
from .search_text import make_snippet, parse_query


def _unpack(blob: bytes, text: str) -> dict[str, Any]:
    d = json.loads(zlib.decompress(blob).decode("utf-8"))
    out: dict[str, Any] = {}
    for k, v in d.items():  # put "text" back where the schema has it (after url)
        out[k] = v
        if k == "url":
            out["text"] = text
    out.setdefault("text", text)
    return out


_EXPORT_SQL = {
    "articles": "SELECT id, ext_id, title, published, source, url, path, text, pipeline_version FROM articles "
                "ORDER BY rowid",
    "entities": "SELECT e.id, e.type, e.name, e.name_en, e.kb_id, COUNT(ae.article) AS articles, "
                "COALESCE(SUM(ae.mentions), 0) AS mentions FROM entities e "
                "LEFT JOIN article_entities ae ON ae.entity = e.id GROUP BY e.id ORDER BY e.id",
    "mentions": 'SELECT a.id AS article_id, m.entity AS entity_id, e.name AS entity, m.start, m."end", '
                "substr(a.text, m.start + 1, m.\"end\" - m.start) AS text, m.kind FROM mentions m "
                "JOIN articles a ON a.rowid = m.article JOIN entities e ON e.id = m.entity ORDER BY m.article, m.start",
    "quotes": 'SELECT q.id, a.id AS article_id, q.published, a.source, q.local_id, q.start, q."end", q.text, q.kind, '
              "q.speaker AS speaker_id, e.name AS speaker, e.name_en AS speaker_en, q.speaker_text, q.cue "
              "FROM quotes q JOIN articles a ON a.rowid = q.article LEFT JOIN entities e ON e.id = q.speaker "
              "ORDER BY q.id",
    "timexes": 'SELECT a.id AS article_id, t.local_id, t.start, t."end", t.text, t.type, t.value FROM timexes t '
               "JOIN articles a ON a.rowid = t.article ORDER BY t.article, t.start",
    "events": "SELECT v.id, a.id AS article_id, v.local_id, v.type, v.cameo, v.actor1 AS actor1_id, e1.name AS actor1, "
              "e1.name_en AS actor1_en, e1.type AS actor1_type, e1.kb_id AS actor1_kb, v.actor2 AS actor2_id, "
              "e2.name AS actor2, e2.name_en AS actor2_en, e2.type AS actor2_type, e2.kb_id AS actor2_kb, "
              "v.location AS location_id, l.name AS location, l.name_en AS location_en, l.kb_id AS location_kb, v.trigger_text, v.trigger_start, v.trigger_end, v.sentence, v.timex, "
              "v.date, v.published, a.source, a.url FROM events v JOIN articles a ON a.rowid = v.article "
              "LEFT JOIN entities e1 ON e1.id = v.actor1 LEFT JOIN entities e2 ON e2.id = v.actor2 "
              "LEFT JOIN entities l ON l.id = v.location ORDER BY v.id",
}


def _date_range(where: list[str], args: list, column: str, date_from: str | None, date_to: str | None) -> None:
    """Add an inclusive YYYY-MM-DD range on ``column`` to a WHERE list (``date_to`` covers the
    whole day: stored dates may carry a time)."""
    if date_from:
        where.append(f"{column} >= ?")
        args.append(date_from)
    if date_to:
        where.append(f"{column} <= ?")
        args.append(date_to + "\uffff")


def _like(s: str) -> str:
    return "%" + s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_MAX_ROWID = 2**63 - 1  # the largest id SQLite stores


class StoreQueries:
    """Reading the corpus (mixed into :class:`khabar.corpus.store.Store`)."""

    conn: sqlite3.Connection
    path: Path

    def failures(self, limit: int = 1000) -> list[Failure]:
        return [Failure(p, a or None, r, at) for p, a, r, at in self.conn.execute(
            "SELECT path, article_id, reason, at FROM failures ORDER BY at DESC, id DESC LIMIT ?", (limit,))]

    def count_articles(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def check(self, max_seconds: float = 0.5) -> str | None:
        """What ``PRAGMA quick_check`` finds wrong with the file (None when nothing), within
        ``max_seconds``: a large store is checked only as far as that goes, so that a health
        probe stays cheap. Raises :class:`sqlite3.DatabaseError` when the check cannot read."""
        deadline = time.monotonic() + max_seconds
        self.conn.set_progress_handler(lambda: time.monotonic() > deadline, 20_000)
        try:
            rows = self.conn.execute("PRAGMA quick_check(5)").fetchall()
        except sqlite3.OperationalError as exc:
            if time.monotonic() > deadline and "interrupt" in str(exc):
                return None  # out of time before finding anything wrong
            raise
        finally:
            self.conn.set_progress_handler(None, 0)
        found = [str(r[0]) for r in rows]
        return None if found == ["ok"] else "; ".join(found)

    def stats(self) -> Stats:
        c = self.conn
        s = Stats()
        s.articles = self.count_articles()
        for name in ("entities", "quotes", "events", "failures"):
            setattr(s, name, c.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0])
        s.timexes = c.execute("SELECT COUNT(*) FROM timexes").fetchone()[0]
        s.sources = {k or "": n for k, n in c.execute(
            "SELECT source, COUNT(*) FROM articles GROUP BY source ORDER BY 2 DESC")}
        s.date_min, s.date_max = c.execute("SELECT MIN(published), MAX(published) FROM articles").fetchone()
        s.pipeline_versions = dict(c.execute("SELECT pipeline_version, COUNT(*) FROM articles GROUP BY 1"))
        return s

    def get_article(self, article_id: str) -> dict[str, Any] | None:
        """The stored ``khabar.article/1`` dict of an article (by content id or external id),
        with ``id`` set to the content id and ``ext_id``/``path`` added; None when absent."""
        row = self.conn.execute(
            "SELECT id, ext_id, path, text, analysis FROM articles WHERE id=? OR ext_id=? LIMIT 1",
            (article_id, article_id)).fetchone()
        if not row:
            return None
        d = _unpack(row[4], row[3])
        d["id"], d["ext_id"], d["path"] = row[0], row[1], row[2]
        return d

    def iter_articles(self, *, pipeline_version_not: str | None = None, batch: int = 500
                      ) -> Iterator[dict[str, Any]]:
        """Every stored article as a ``khabar.article/1`` dict (see :meth:`get_article`), in
        insertion order; ``pipeline_version_not`` keeps those analysed by another version."""
        last = 0
        while True:
            sql = "SELECT rowid, id, ext_id, path, text, analysis FROM articles WHERE rowid > ?"
            args: list[Any] = [last]
            if pipeline_version_not is not None:
                sql += " AND pipeline_version != ?"
                args.append(pipeline_version_not)
            rows = self.conn.execute(sql + " ORDER BY rowid LIMIT ?", (*args, batch)).fetchall()
            if not rows:
                return
            for _rowid, cid, ext, path, text, blob in rows:
                d = _unpack(blob, text)
                d["id"], d["ext_id"], d["path"] = cid, ext, path
                yield d
            last = rows[-1][0]

    def article_ids(self, *, pipeline_version_not: str | None = None) -> list[str]:
        """Content ids of stored articles in insertion order (those analysed by another pipeline
        version only, when given)."""
        where, args = ("", ()) if pipeline_version_not is None else (" WHERE pipeline_version != ?",
                                                                    (pipeline_version_not,))
        return [r[0] for r in self.conn.execute(f"SELECT id FROM articles{where} ORDER BY rowid", args)]

    def text_bytes(self, *, pipeline_version_not: str | None = None) -> int:
        """UTF-8 size of the stored texts (of those analysed by another pipeline version)."""
        where, args = ("", ()) if pipeline_version_not is None else (" WHERE pipeline_version != ?",
                                                                    (pipeline_version_not,))
        return self.conn.execute(f"SELECT COALESCE(SUM(length(CAST(text AS BLOB))), 0) FROM articles{where}",
                                 args).fetchone()[0]

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file (e.g. before measuring its size)."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def count_outdated(self, pipeline_version: str) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM articles WHERE pipeline_version != ?",
                                 (pipeline_version,)).fetchone()[0]

    def search(self, query: str = "", date_from: str | None = None, date_to: str | None = None,
               source: str | None = None, entity: str | int | Sequence[int] | None = None, limit: int = 20,
               offset: int = 0) -> SearchPage:
        """Ranked full-text search (BM25) over normalised title and text, with snippets.

        ``query`` follows :func:`parse_query`; an empty query lists the filtered articles,
        newest first. ``entity`` is a name, KB id or ``#id`` (see :meth:`resolve_entity`) or a
        list of entity ids; dates are inclusive ``YYYY-MM-DD``. Raises :class:`QueryError` for a query with no words
        or an unknown entity.
        """
        where, args = [], []
        _date_range(where, args, "a.published", date_from, date_to)
        if source:
            where.append("a.source = ?")
            args.append(source)
        if isinstance(entity, (list, tuple)):
            ids = [int(e) for e in entity] or [-1]
        elif entity is not None and entity != "":
            ents = self.resolve_entity(entity)
            if not ents:
                raise QueryError(f"no entity matches {entity!r}")
            ids = [e.id for e in ents[:20]]
        if entity not in (None, ""):
            where.append(f"a.rowid IN (SELECT article FROM article_entities WHERE entity IN "
                         f"({','.join('?' * len(ids))}))")
            args.extend(ids)
        cols = "a.id, a.ext_id, a.title, a.published, a.source, a.url, a.text"
        if query.strip():
            parsed = parse_query(query)
            # "+a.x" keeps SQLite from driving the query by the articles indexes: the index of
            # words is the selective part, the filters are checked on its matches.
            cond = "".join(f" AND {w.replace('a.published', '+a.published').replace('a.source', '+a.source')}"
                           for w in where)
            join = " JOIN articles a ON a.rowid = article_fts.rowid" if where else ""
            try:
                total = self.conn.execute(
                    f"SELECT COUNT(*) FROM article_fts{join} WHERE article_fts MATCH ?{cond}",
                    (parsed.fts, *args)).fetchone()[0]
                # Rank on the index alone, then fetch the page's articles (not every match's text).
                rows = self.conn.execute(
                    f"SELECT {cols}, r.score FROM (SELECT article_fts.rowid AS rid, bm25(article_fts, 3.0, 1.0) AS score "
                    f"FROM article_fts{join} WHERE article_fts MATCH ?{cond} ORDER BY score LIMIT ? OFFSET ?) r "
                    f"JOIN articles a ON a.rowid = r.rid ORDER BY r.score", (parsed.fts, *args, limit, offset)).fetchall()
            except sqlite3.OperationalError as exc:  # should not happen: terms are quoted
                raise QueryError(f"cannot search for {query!r}: {exc}") from None
            terms = parsed.terms
        else:
            cond = (" WHERE " + " AND ".join(where)) if where else ""
            total = self.conn.execute(f"SELECT COUNT(*) FROM articles a{cond}", args).fetchone()[0]
            rows = self.conn.execute(
                f"SELECT {cols}, 0.0 FROM (SELECT a.rowid AS rid FROM articles a{cond} "
                f"ORDER BY a.published DESC, a.rowid DESC LIMIT ? OFFSET ?) r JOIN articles a ON a.rowid = r.rid "
                f"ORDER BY a.published DESC, a.rowid DESC", (*args, limit, offset)).fetchall()
            terms = ()
        hits = tuple(SearchHit(r[0], r[1], r[2], r[3], r[4], r[5], round(-float(r[7]), 4),
                               make_snippet(r[6], terms)) for r in rows)
        return SearchPage(query, total, offset, limit, hits)

    def latest_articles(self, since: float | None = None, limit: int = 20) -> list[LatestArticle]:
        """The ``limit`` articles stored last, newest ingestion first; with ``since`` (a Unix
        time) only those of them ingested after it. Only the last ``limit`` rows are read (by
        rowid, the order of insertion), so a poll costs the same on any corpus size."""
        rows = self.conn.execute(
            "SELECT id, ext_id, title, published, source, url, substr(text, 1, 400), ingested_at FROM articles "
            "WHERE rowid IN (SELECT rowid FROM articles ORDER BY rowid DESC LIMIT ?) AND ingested_at > ? "
            "ORDER BY ingested_at DESC, rowid DESC", (limit, -1.0 if since is None else since)).fetchall()
        return [LatestArticle(r[0], r[1], r[2], r[3], r[4], r[5], make_snippet(r[6], ()).text, float(r[7]))
                for r in rows]

    def has_entities(self) -> bool:
        return self.conn.execute("SELECT EXISTS (SELECT 1 FROM entities)").fetchone()[0] == 1

    def get_entity(self, entity_id: int) -> EntityRecord | None:
        row = self.conn.execute(f"SELECT {self._ENTITY_COLS} FROM entities e WHERE e.id=?",
                                (entity_id,)).fetchone()
        return EntityRecord(*row) if row else None

    def resolve_entity(self, name_or_id: str | int, limit: int = 10) -> list[EntityRecord]:
        """Entities a user means by a name, English name, KB id or ``#id``, best first
        (exact name, then a name it is known by in the text, then names containing it;
        most-mentioned first)."""
        return self.resolve_entity_match(name_or_id, limit)[1]

    def resolve_entity_match(self, name_or_id: str | int, limit: int = 10) -> tuple[str, list[EntityRecord]]:
        """Like :meth:`resolve_entity`, also saying how they matched: ``id``, ``exact``,
        ``alias``, ``partial`` or ``none``."""
        if isinstance(name_or_id, int) or re.fullmatch(r"#?\d{1,19}", str(name_or_id).strip()):
            eid = int(str(name_or_id).strip().lstrip("#"))
            # Beyond SQLite's 64-bit integers no entity can have that id (and binding it fails).
            e = self.get_entity(eid) if 0 <= eid <= _MAX_ROWID else None
            return ("id", [e]) if e else ("none", [])
        raw = str(name_or_id).strip()
        norm = normalize_name(raw)
        if not norm:
            return "none", []
        order = " ORDER BY 6 DESC, e.id LIMIT ?"
        for kind, sql, args in (
            ("exact", f"SELECT {self._ENTITY_COLS} FROM entities e WHERE e.kb_id = ? OR e.name_norm = ? "
             f"OR lower(e.name_en) = lower(?)", (raw, norm, raw)),
            ("alias", f"SELECT {self._ENTITY_COLS} FROM entities e WHERE e.id IN "
             f"(SELECT entity FROM entity_aliases WHERE alias = ?)", (norm,)),
            ("partial", f"SELECT {self._ENTITY_COLS} FROM entities e WHERE e.name_norm LIKE ? ESCAPE '\\' "
             f"OR lower(e.name_en) LIKE lower(?) ESCAPE '\\'", (_like(norm), _like(raw))),
        ):
            rows = self.conn.execute(sql + order, (*args, limit)).fetchall()
            if rows:
                return kind, [EntityRecord(*r) for r in rows]
        return "none", []

    def entities(self, type: str | None = None, limit: int = 50, offset: int = 0) -> list[EntityRecord]:
        """Entities ranked by the number of articles that mention them."""
        where, args = ("WHERE e.type = ?", [type]) if type else ("", [])
        rows = self.conn.execute(
            f"SELECT e.id, e.type, e.name, e.name_en, e.kb_id, COUNT(ae.article), COALESCE(SUM(ae.mentions), 0) "
            f"FROM entities e JOIN article_entities ae ON ae.entity = e.id {where} "
            f"GROUP BY e.id ORDER BY 6 DESC, e.id LIMIT ? OFFSET ?", (*args, limit, offset)).fetchall()
        return [EntityRecord(*r) for r in rows]

    def mentions_over_time(self, entity_ids: Sequence[int], granularity: str = "month") -> list[tuple[str, int, int]]:
        """(period, articles, mentions) for these entities, by ``day``, ``month`` or ``year``."""
        n = {"day": 10, "month": 7, "year": 4}[granularity]
        ph = ",".join("?" * len(entity_ids))
        return [tuple(r) for r in self.conn.execute(  # type: ignore[misc]
            f"SELECT substr(published, 1, {n}) AS p, COUNT(DISTINCT article), SUM(mentions) FROM article_entities "
            f"WHERE entity IN ({ph}) AND published IS NOT NULL GROUP BY p ORDER BY p", list(entity_ids))]

    def cooccurring(self, entity_ids: Sequence[int], limit: int = 10,
                    max_articles: int = 5000) -> list[tuple[EntityRecord, int]]:
        """Entities found in the same articles, with the number of shared articles, counted over
        the entity's ``max_articles`` most recent articles (bounds the time for very frequent
        entities)."""
        ph = ",".join("?" * len(entity_ids))
        rows = self.conn.execute(
            f"SELECT b.entity, COUNT(DISTINCT b.article) AS n FROM "
            f"(SELECT DISTINCT article FROM article_entities WHERE entity IN ({ph}) "
            f"ORDER BY published DESC LIMIT ?) x JOIN article_entities b ON b.article = x.article "
            f"WHERE b.entity NOT IN ({ph}) GROUP BY b.entity ORDER BY n DESC, b.entity LIMIT ?",
            (*entity_ids, max_articles, *entity_ids, limit)).fetchall()
        out = []
        for eid, n in rows:
            e = self.conn.execute("SELECT id, type, name, name_en, kb_id FROM entities WHERE id=?", (eid,)).fetchone()
            out.append((EntityRecord(*e), n))
        return out

    def _entity_brief(self, eid: int | None, cache: dict[int, EntityRecord]) -> EntityRecord | None:
        if eid is None:
            return None
        if eid not in cache:
            row = self.conn.execute("SELECT id, type, name, name_en, kb_id FROM entities WHERE id=?", (eid,)).fetchone()
            if not row:
                return None
            cache[eid] = EntityRecord(*row)
        return cache[eid]

    def quotes(self, speaker: Sequence[int] | None = None, about: Sequence[int] | None = None,
               date_from: str | None = None, date_to: str | None = None, article: str | None = None,
               limit: int = 50, offset: int = 0) -> list[QuoteRecord]:
        """Quotes, newest first: by any of the ``speaker`` entity ids, and/or mentioning any of
        the ``about`` entity ids, optionally in a date range or one article (content id)."""
        where, args = [], []
        if speaker is not None:
            where.append(f"q.speaker IN ({','.join('?' * len(speaker)) or 'NULL'})")
            args.extend(speaker)
        if about is not None:
            where.append(f"q.id IN (SELECT quote FROM quote_about WHERE entity IN ({','.join('?' * len(about)) or 'NULL'}))")
            args.extend(about)
        _date_range(where, args, "q.published", date_from, date_to)
        if article:
            where.append("a.id = ?")
            args.append(article)
        cond = (" WHERE " + " AND ".join(where)) if where else ""
        rows = self.conn.execute(
            f'SELECT q.id, a.id, a.title, q.published, a.source, q.text, q.kind, q.speaker, q.speaker_text, q.cue, '
            f'q.start, q."end" FROM quotes q JOIN articles a ON a.rowid = q.article{cond} '
            f"ORDER BY q.published DESC, q.id DESC LIMIT ? OFFSET ?", (*args, limit, offset)).fetchall()
        cache: dict[int, EntityRecord] = {}
        return [QuoteRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], self._entity_brief(r[7], cache), r[8], r[9],
                            r[10], r[11]) for r in rows]

    def events(self, actor: Sequence[int] | None = None, type: str | None = None, date_from: str | None = None,
               date_to: str | None = None, article: str | None = None, limit: int = 100, offset: int = 0,
               newest_first: bool = False) -> list[EventRecord]:
        """Events in date order (oldest first unless ``newest_first``): with any of the ``actor``
        entity ids as actor1, actor2 or location, of a PLOVER ``type``, in a date range."""
        where, args = [], []
        if actor is not None:
            ph = ",".join("?" * len(actor)) or "NULL"
            where.append(f"(v.actor1 IN ({ph}) OR v.actor2 IN ({ph}) OR v.location IN ({ph}))")
            args.extend([*actor, *actor, *actor])
        if type:
            where.append("v.type = ?")
            args.append(type.upper())
        _date_range(where, args, "v.date", date_from, date_to)
        if article:
            where.append("a.id = ?")
            args.append(article)
        cond = (" WHERE " + " AND ".join(where)) if where else ""
        order = "DESC" if newest_first else "ASC"
        rows = self.conn.execute(
            f"SELECT v.id, a.id, a.title, v.published, a.source, a.url, v.type, v.cameo, v.actor1, v.actor2, "
            f"v.location, v.trigger_text, v.trigger_start, v.trigger_end, v.sentence, v.timex, v.date "
            f"FROM events v JOIN articles a ON a.rowid = v.article{cond} "
            f"ORDER BY v.date IS NULL, v.date {order}, v.id {order} LIMIT ? OFFSET ?",
            (*args, limit, offset)).fetchall()
        cache: dict[int, EntityRecord] = {}
        return [EventRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], self._entity_brief(r[8], cache),
                            self._entity_brief(r[9], cache), self._entity_brief(r[10], cache), r[11], r[12], r[13],
                            r[14], r[15], r[16]) for r in rows]

    def article_signatures(self, date_from: str | None = None, date_to: str | None = None,
                           source: str | None = None) -> Iterator[tuple[str, str | None, str | None, str | None,
                                                                       dict[str, Any], list[int]]]:
        """For story clustering: (id, title, published, source, analysis dict without text,
        entity ids) of articles in a date range, in date order."""
        where, args = [], []
        _date_range(where, args, "published", date_from, date_to)
        if source:
            where.append("source = ?")
            args.append(source)
        cond = (" WHERE " + " AND ".join(where)) if where else ""
        for cid, title, pub, src, blob, ents in self.conn.execute(
                f"SELECT id, title, published, source, analysis, (SELECT group_concat(entity) FROM article_entities "
                f"WHERE article = articles.rowid) FROM articles{cond} ORDER BY published, rowid", args):
            yield cid, title, pub, src, json.loads(zlib.decompress(blob)), [int(e) for e in ents.split(",")] if ents else []

    def article_mention_entities(self, article_id: str) -> list[tuple[int, int, int]]:
        """(start, end, corpus entity id) of each mention stored for an article (content id)."""
        return [tuple(r) for r in self.conn.execute(  # type: ignore[misc]
            'SELECT m.start, m."end", m.entity FROM articles a JOIN mentions m ON m.article = a.rowid '
            "WHERE a.id = ?", (article_id,))]

    def quoted_speakers(self, types: Sequence[str]) -> list[tuple[EntityRecord, int]]:
        """(speaker, number of quotes) of every quoted entity of these types that some article
        names by a name mention (not only a title or a noun phrase), most quoted first."""
        ph = ",".join("?" * len(types)) or "NULL"
        rows = self.conn.execute(
            f"SELECT e.id, e.type, e.name, e.name_en, e.kb_id, COUNT(*) FROM quotes q JOIN entities e ON e.id = q.speaker "
            f"WHERE e.type IN ({ph}) AND e.id IN (SELECT entity FROM mentions WHERE kind = 'name') "
            f"GROUP BY e.id ORDER BY 6 DESC, e.id", list(types)).fetchall()
        return [(EntityRecord(*r[:5]), r[5]) for r in rows]

    def article_text(self, article_id: str) -> str | None:
        row = self.conn.execute("SELECT text FROM articles WHERE id=?", (article_id,)).fetchone()
        return row[0] if row else None

    def columns(self, table: str) -> list[str]:
        """Column names of an export table (see :meth:`rows`), also when it has no rows."""
        sql = _EXPORT_SQL.get(table)
        if sql is None:
            raise StoreError(f"unknown table {table!r}; one of {', '.join(_EXPORT_SQL)}")
        return [d[0] for d in self.conn.execute(f"SELECT * FROM ({sql}) LIMIT 0").description]

    def rows(self, table: str) -> Iterator[dict[str, Any]]:
        """Flat rows for exports: ``articles``, ``entities``, ``quotes``, ``events``, ``mentions``,
        ``timexes``; entity ids resolved to names, article rowids to content ids."""
        sql = _EXPORT_SQL.get(table)
        if sql is None:
            raise StoreError(f"unknown table {table!r}; one of {', '.join(_EXPORT_SQL)}")
        cur = self.conn.execute(sql)
        names = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(names, row))
