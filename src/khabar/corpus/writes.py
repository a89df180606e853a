"""The store's writes: articles with their annotations (entities, mentions, quotes, timexes,
events), deletions and failure records. A mixin of :class:`khabar.corpus.store.Store`, which owns
the connection and transactions."""

from __future__ import annotations

import json
import sqlite3
import time
import zlib
from functools import lru_cache
from typing import Any

from ..analysis.text.normalize import normalize_name
from ..dates import timex_date
from ..errors import StoreError
from .records import FtsFields
from .search_text import fts_fields

# The same names come back in every article (and twice or more in one: entity, mentions): each
# is normalised once (normalize_name is pure).
_name_key = lru_cache(maxsize=1 << 16)(normalize_name)


def _entity_key(kb_id: str | None, name: str) -> str:
    return f"kb:{kb_id}" if kb_id else f"name:{_name_key(name)}"


def event_date(timex_value: str | None, published: str | None) -> str | None:
    """The calendar date of an event: its timex when that names a day or month, else the
    article's publication date."""
    return timex_date(timex_value) or published


def _pack(d: dict[str, Any]) -> bytes:
    body = {k: v for k, v in d.items() if k != "text"}
    return zlib.compress(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)


class StoreWrites:
    """Writing articles and failures (mixed into :class:`khabar.corpus.store.Store`)."""

    conn: sqlite3.Connection
    _entity_cache: dict[str, int]

    def known_ids(self) -> set[str]:
        """Content-hash ids of every stored article."""
        return {r[0] for r in self.conn.execute("SELECT id FROM articles")}

    def has_article(self, article_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM articles WHERE id=?", (article_id,)).fetchone() is not None

    def add_article(self, doc: dict[str, Any], *, content_id: str | None = None, path: str | None = None,
                    pipeline_version: str = "", fts: FtsFields | None = None, replace: bool = False) -> bool:
        """Store one analysed article (a ``khabar.article/1`` dict). Returns False when an article
        with the same content id is already stored and ``replace`` is False.

        ``content_id`` defaults to :func:`khabar.io.article_id` of the text; ``doc["id"]`` is kept
        as the external id. ``fts`` is computed from the text when not given.
        """
        from ..io import article_id

        text = doc["text"]
        cid = content_id or article_id(text)
        with self.transaction():
            row = self.conn.execute("SELECT rowid FROM articles WHERE id=?", (cid,)).fetchone()
            if row:
                if not replace:
                    return False
                rowid = row[0]
                self._delete_annotations(rowid)
                self.conn.execute(
                    "UPDATE articles SET ext_id=?, title=?, published=?, source=?, url=?, path=COALESCE(?, path), "
                    "analysis=?, pipeline_version=?, ingested_at=? WHERE rowid=?",
                    (doc.get("id"), doc.get("title"), doc.get("published"), doc.get("source"), doc.get("url"),
                     path, _pack(doc), pipeline_version, time.time(), rowid))
            else:
                cur = self.conn.execute(
                    "INSERT INTO articles (id, ext_id, title, published, source, url, path, text, analysis, "
                    "pipeline_version, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (cid, doc.get("id"), doc.get("title"), doc.get("published"), doc.get("source"), doc.get("url"),
                     path, text, _pack(doc), pipeline_version, time.time()))
                rowid = cur.lastrowid
                f = fts or fts_fields(doc.get("title"), text)
                self.conn.execute("INSERT INTO article_fts (rowid, title, body) VALUES (?,?,?)",
                                  (rowid, f.title, f.body))
            self._add_annotations(rowid, doc)
            if path:
                self.conn.execute("DELETE FROM failures WHERE path=?", (path,))
        return True

    def _entity_id(self, ent: dict[str, Any]) -> int:
        key = _entity_key(ent.get("kb_id"), ent["name"])
        eid = self._entity_cache.get(key)
        if eid is not None:
            return eid
        row = self.conn.execute("SELECT id, name_en FROM entities WHERE key=?", (key,)).fetchone()
        if row is None and not ent.get("kb_id"):
            # An unlinked name that is the canonical name of exactly one linked entity is that entity.
            linked = self.conn.execute("SELECT id, name_en FROM entities WHERE name_norm=? AND kb_id IS NOT NULL "
                                       "LIMIT 2", (_name_key(ent["name"]),)).fetchall()
            row = linked[0] if len(linked) == 1 else None
        if row:
            eid = row[0]
            if row[1] is None and ent.get("name_en"):
                self.conn.execute("UPDATE entities SET name_en=? WHERE id=?", (ent["name_en"], eid))
        else:
            eid = self.conn.execute(
                "INSERT INTO entities (key, type, name, name_norm, name_en, kb_id) VALUES (?,?,?,?,?,?)",
                (key, ent["type"], ent["name"], _name_key(ent["name"]), ent.get("name_en"), ent.get("kb_id")),
            ).lastrowid
        if len(self._entity_cache) > 200_000:
            self._entity_cache.clear()
        self._entity_cache[key] = eid
        return eid

    def _add_annotations(self, rowid: int, doc: dict[str, Any]) -> None:
        published = doc.get("published")
        local: dict[str, int] = {}
        per_entity: dict[int, int] = {}
        mention_rows = []
        aliases = set()
        spans: list[tuple[int, int, int]] = []
        for ent in doc.get("entities", []):
            eid = self._entity_id(ent)
            local[ent["id"]] = eid
            per_entity[eid] = per_entity.get(eid, 0) + len(ent.get("mentions", []))
            aliases.add((_name_key(ent["name"]), eid))
            for m in ent.get("mentions", []):
                mention_rows.append((rowid, m["start"], m["end"], eid, m.get("kind", "name")))
                spans.append((m["start"], m["end"], eid))
                if m.get("kind", "name") == "name":
                    alias = _name_key(m["text"])
                    if alias:
                        aliases.add((alias, eid))
        c = self.conn
        c.executemany("INSERT OR IGNORE INTO article_entities VALUES (?,?,?,?)",
                      [(rowid, e, n, published) for e, n in per_entity.items()])
        c.executemany('INSERT OR IGNORE INTO mentions VALUES (?,?,?,?,?)', mention_rows)
        c.executemany("INSERT OR IGNORE INTO entity_aliases VALUES (?,?)", list(aliases))
        for q in doc.get("quotes", []):
            sm, cue = q.get("speaker_mention"), q.get("cue")
            speaker = local.get(q.get("speaker")) if q.get("speaker") else None
            qid = c.execute(
                'INSERT INTO quotes (article, local_id, start, "end", text, kind, speaker, speaker_text, cue, '
                "published) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (rowid, q["id"], q["start"], q["end"], q["text"], q["kind"], speaker,
                 sm["text"] if sm else None, cue["text"] if cue else None, published)).lastrowid
            about = {e for s, e_, e in spans if s >= q["start"] and e_ <= q["end"] and e != speaker}
            c.executemany("INSERT OR IGNORE INTO quote_about VALUES (?,?)", [(e, qid) for e in about])
        timexes = doc.get("timexes", [])
        timex_values = {t["id"]: t["value"] for t in timexes}
        c.executemany('INSERT OR IGNORE INTO timexes VALUES (?,?,?,?,?,?,?)',
                      [(rowid, t["id"], t["start"], t["end"], t["text"], t["type"], t["value"]) for t in timexes])
        rows = []
        for v in doc.get("events", []):
            tv = timex_values.get(v.get("time")) if v.get("time") else None
            trig = v["trigger"]
            rows.append((rowid, v["id"], v["type"], v.get("cameo"), local.get(v.get("actor1")),
                         local.get(v.get("actor2")), local.get(v.get("location")), trig["start"], trig["end"],
                         trig["text"], v.get("sentence"), tv, event_date(tv, published), published))
        c.executemany(
            "INSERT INTO events (article, local_id, type, cameo, actor1, actor2, location, trigger_start, "
            "trigger_end, trigger_text, sentence, timex, date, published) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)

    def _delete_annotations(self, rowid: int) -> None:
        c = self.conn
        c.execute("DELETE FROM quote_about WHERE quote IN (SELECT id FROM quotes WHERE article=?)", (rowid,))
        for table in ("quotes", "events", "timexes", "mentions", "article_entities"):
            c.execute(f"DELETE FROM {table} WHERE article=?", (rowid,))

    def delete_article(self, article_id: str) -> bool:
        """Remove an article and everything found in it (entities stay, with fewer mentions)."""
        row = self.conn.execute("SELECT rowid, title, text FROM articles WHERE id=? OR ext_id=?",
                                (article_id, article_id)).fetchone()
        if not row:
            return False
        rowid, title, text = row
        if not self.index_is_current():
            raise StoreError(f"{self.path}: the search index was built by other word rules; "
                             f"run 'khabar reindex --db {self.path}' first")
        f = fts_fields(title, text)
        with self.transaction():
            self._delete_annotations(rowid)
            # A contentless FTS5 table deletes a row given the values it indexed.
            self.conn.execute("INSERT INTO article_fts (article_fts, rowid, title, body) "
                              "VALUES ('delete', ?, ?, ?)", (rowid, f.title, f.body))
            self.conn.execute("DELETE FROM articles WHERE rowid=?", (rowid,))
        return True

    def record_failure(self, path: str, article_id: str | None, reason: str) -> None:
        """Remember a file or article that could not be ingested (replaces an older record)."""
        self.conn.execute("INSERT OR REPLACE INTO failures (path, article_id, reason, at) VALUES (?,?,?,?)",
                          (path, article_id or "", reason, time.time()))
