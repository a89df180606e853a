"""The embedded corpus store: one SQLite file (WAL). Only this module and its parts (below) talk SQL.

What it holds: articles (original text, metadata, the full ``khabar.article/1`` analysis as
compressed JSON), entities merged across articles (by KB id, else by normalised name), their
mentions, quotes (with the entities they mention), timexes, events, and the files/articles that
failed to ingest. Full-text search uses FTS5 over Arabic-normalised text (``khabar.analysis.text.normalize``)
with proclitics removed from words, so "احمد" finds "أحمد" and "مدرسه" finds "للمدرسة".

Article identity: ``articles.id`` is the hash of the normalised text (:func:`khabar.io.article_id`),
so the same article read twice, from any file, is stored once. The id the input gave (a JSON
``id`` field or a file name) is kept as ``ext_id``; :meth:`Store.get_article` accepts either.

Schema changes are ordered migrations (:data:`MIGRATIONS`) recorded in ``schema_migrations``.
A :class:`Store` wraps one connection: use one per thread (or pass ``check_same_thread=False``
and serialise access yourself).

The store is split by concern, with :class:`Store` as the one facade callers use (every name
below is importable from here): :mod:`~khabar.corpus.schema` (migrations),
:mod:`~khabar.corpus.writes` and :mod:`~khabar.corpus.queries` (the methods, mixed into
``Store``), :mod:`~khabar.corpus.records` (what queries return) and
:mod:`~khabar.corpus.search_text` (index words, query parsing, snippets). This module keeps the
connection, transactions, errors, the index version and the feed and alert state.
"""

from __future__ import annotations

import os
import sqlite3
import time
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..errors import AlreadyExists, QueryError, StoreError  # defined in khabar.errors (stable codes)
from ..settings import STORE_BUSY_TIMEOUT_MS, STORE_CACHE_KIB
from .queries import StoreQueries
from .records import (
    Alert,
    AlertMatch,
    EntityRecord,
    EventRecord,
    Failure,
    FtsFields,
    LatestArticle,
    OutboxItem,
    QuoteRecord,
    SearchHit,
    SearchPage,
    Snippet,
    Stats,
    WatchState,
)
from .schema import MIGRATIONS, migrate, schema_version
from .search_text import ParsedQuery, fts_fields, index_words, make_snippet, parse_query
from .writes import StoreWrites, event_date

# Names importable from here, wherever they live (the facade of the corpus store).
__all__ = [
    "DEFAULT_DB", "MIGRATIONS", "Alert", "AlertMatch", "DatabaseError", "EntityRecord", "EventRecord", "Failure",
    "FtsFields", "LatestArticle", "ParsedQuery", "QueryError", "QuoteRecord", "SearchHit", "SearchPage", "Snippet",
    "Stats", "Store", "StoreError", "WatchState", "db_error", "event_date", "fts_fields", "index_fingerprint",
    "index_words", "make_snippet", "parse_query", "store_message",
]

DEFAULT_DB = "khabar.db"


# SQLite's errors, for the layers above that catch them (only this module imports sqlite3).
DatabaseError = sqlite3.DatabaseError

# SQLite primary result codes (the low byte of an extended code) -> StoreError kinds.
_SQLITE_KINDS = {5: "busy", 6: "busy", 8: "read_only", 10: "io", 11: "corrupt", 13: "full", 14: "io", 26: "corrupt"}
_KIND_TEXT = {
    "read_only": "the store is read-only (file, folder or disk); nothing was written",
    "full": "the disk holding the store is full; the last write was undone, what was stored before is kept",
    "corrupt": "the store's file is damaged; restore it from a backup (what can still be read: "
               "'sqlite3 FILE .recover')",
    "busy": "the store is locked by another process; try again",
    "io": "the store's file cannot be read or written (disk or permission error)",
}


def store_message(kind: str) -> str:
    """What a failure of this :class:`StoreError` kind means, for a user (no file path)."""
    return _KIND_TEXT.get(kind, "the store cannot be used (the error was logged)")


def db_error(exc: sqlite3.Error, path: str | Path | None = None) -> StoreError:
    """A one-line :class:`StoreError` for an SQLite error met while using the store (after it
    was opened), with the ``kind`` of failure and SQLite's own words."""
    code = getattr(exc, "sqlite_errorcode", None)
    kind = _SQLITE_KINDS.get(code & 0xFF, "error") if isinstance(code, int) else "error"
    if kind == "error" and "readonly" in str(exc):  # raised without a code by some paths
        kind = "read_only"
    where = f"{path}: " if path else ""
    text = _KIND_TEXT.get(kind, "database error")
    return StoreError(f"{where}{text} ({exc})", kind)


_ALERT_COUNTS = ("waiting", "dead")  # not columns: counted in the delivery outbox
_ALERT_COLUMNS = ", ".join(k for k in Alert.__slots__ if k not in _ALERT_COUNTS)  # type: ignore[attr-defined]
_ALERT_SELECT = (f"{_ALERT_COLUMNS}, "
                 "(SELECT COUNT(*) FROM delivery_outbox o WHERE o.alert = alerts.name AND o.dead_at IS NULL), "
                 "(SELECT COUNT(*) FROM delivery_outbox o WHERE o.alert = alerts.name AND o.dead_at IS NOT NULL)")


# --------------------------------------------------------------------------- text helpers


# Bump when index_words gives other words for some text (its normalisation or clitic rules
# changed); tests/test_versions.py pins its output on written sentences to catch a forgotten bump.
INDEX_VERSION = "2"
# What stores indexed before INDEX_VERSION 2 recorded: a hash of the rules' source files. This one
# was made by the same word rules as version 2, so such a store needs no rebuild.
_SAME_RULES_FINGERPRINTS = frozenset({"1017f4554488"})


def index_fingerprint() -> str:
    """Identifies how words are indexed (:data:`INDEX_VERSION`; source files are not hashed, so
    moving or reformatting code changes nothing). A store indexed under another fingerprint needs
    :meth:`Store.rebuild_index` (``khabar reindex`` does it) so that queries match again."""
    return f"index-{INDEX_VERSION}"


# --------------------------------------------------------------------------- the store

class Store(StoreWrites, StoreQueries):
    """A khabar corpus in one SQLite file.

    ``Store(path)`` opens (creating and migrating when needed) the database; ``create=False``
    raises :class:`StoreError` when the file does not exist; ``readonly=True`` opens it
    read-only (no migration, no PRAGMA that writes; it must be current), which also works on
    a file or folder that cannot be written.
    """

    def __init__(self, path: str | Path = DEFAULT_DB, *, create: bool = True, readonly: bool = False,
                 check_same_thread: bool = True) -> None:
        self.path = Path(path)
        memory = str(path) == ":memory:"
        if not memory and not self.path.exists() and (readonly or not create):
            raise StoreError(f"{self.path}: no such database (create one with 'khabar ingest PATH --db {self.path}')")
        self.readonly = readonly and not memory
        try:
            if self.readonly:
                self.conn = self._connect_readonly(check_same_thread)
            else:
                self.conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=check_same_thread)
            self.conn.execute(f"PRAGMA busy_timeout = {int(STORE_BUSY_TIMEOUT_MS)}")
            if not readonly:
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute(f"PRAGMA cache_size = -{int(STORE_CACHE_KIB)}")  # negative: KiB, not pages
            self.conn.execute("PRAGMA temp_store = MEMORY")
            if readonly:
                if self.schema_version() != len(MIGRATIONS):
                    raise StoreError(f"{self.path}: schema version {self.schema_version()}, expected "
                                     f"{len(MIGRATIONS)}; open it once read-write to migrate", "outdated")
            else:
                self.migrate()
                if self.get_meta("index_fingerprint") is None and self.count_articles() == 0:
                    self.set_meta("index_fingerprint", index_fingerprint())
        except sqlite3.DatabaseError as exc:
            if hasattr(self, "conn"):
                self.conn.close()
            err = db_error(exc, self.path)
            if err.kind == "io" and not readonly and not memory and not _writable(self.path):
                err = StoreError(f"{self.path}: {_KIND_TEXT['read_only']} ({exc})", "read_only")
            if err.kind in ("read_only", "full", "busy", "io"):
                raise err from None
            raise StoreError(f"{self.path}: not a khabar database ({exc})", "corrupt") from None
        except StoreError:
            self.conn.close()
            raise
        self._entity_cache: dict[str, int] = {}
        self._in_tx = False

    def _connect_readonly(self, check_same_thread: bool) -> sqlite3.Connection:
        """A ``mode=ro`` connection: SQLite writes nothing to the database file through it. A WAL
        database in a folder that cannot be written (a read-only mount) has no shared-memory
        index to read through, so it is opened ``immutable`` instead: a snapshot of the file."""
        uri = "file:" + urllib.parse.quote(str(self.path.absolute())) + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=check_same_thread)
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            if getattr(exc, "sqlite_errorcode", 0) & 0xFF not in (8, 14):  # READONLY, CANTOPEN
                raise
        return sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None,
                               check_same_thread=check_same_thread)

    # -- lifecycle ----------------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; a nested call is a savepoint, undone alone if it fails."""
        if self._in_tx:
            self.conn.execute("SAVEPOINT nested")
            try:
                yield
            except BaseException:
                if self.conn.in_transaction:  # SQLite may have rolled back all of it (a full disk)
                    self.conn.execute("ROLLBACK TO nested")
                    self.conn.execute("RELEASE nested")
                self._entity_cache.clear()
                raise
            self.conn.execute("RELEASE nested")
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._in_tx = True
        try:
            yield
            self.conn.execute("COMMIT")  # may fail too (a full disk): then undone below
        except BaseException:
            if self.conn.in_transaction:  # else SQLite rolled it back already (a full disk, I/O error)
                self.conn.execute("ROLLBACK")
            self._entity_cache.clear()  # ids inserted in the rolled-back transaction are gone
            raise
        finally:
            self._in_tx = False

    def schema_version(self) -> int:
        return schema_version(self.conn)

    def migrate(self) -> list[int]:
        """Apply pending migrations in order; returns the versions applied."""
        return migrate(self.conn, self.path)

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def delete_meta(self, key: str) -> None:
        self.conn.execute("DELETE FROM meta WHERE key=?", (key,))

    def index_is_current(self) -> bool:
        """Whether the full-text index was built by the current word rules (see
        :func:`index_fingerprint`)."""
        return self.get_meta("index_fingerprint") in (index_fingerprint(), *_SAME_RULES_FINGERPRINTS)

    def rebuild_index(self, batch: int = 1000) -> int:
        """Rebuild the full-text index from the stored texts (after the word rules changed);
        returns the number of articles indexed. One transaction: all or nothing."""
        n = 0
        with self.transaction():
            self.conn.execute("INSERT INTO article_fts (article_fts) VALUES ('delete-all')")
            last = 0
            while True:
                rows = self.conn.execute("SELECT rowid, title, text FROM articles WHERE rowid > ? ORDER BY rowid "
                                         "LIMIT ?", (last, batch)).fetchall()
                if not rows:
                    break
                for rowid, title, text in rows:
                    f = fts_fields(title, text)
                    self.conn.execute("INSERT INTO article_fts (rowid, title, body) VALUES (?,?,?)",
                                      (rowid, f.title, f.body))
                n += len(rows)
                last = rows[-1][0]
            self.set_meta("index_fingerprint", index_fingerprint())
        return n

    _ENTITY_COLS = ("e.id, e.type, e.name, e.name_en, e.kb_id, "
                    "(SELECT COUNT(*) FROM article_entities ae WHERE ae.entity = e.id), "
                    "(SELECT COALESCE(SUM(mentions), 0) FROM article_entities ae WHERE ae.entity = e.id)")

    # -- watched sources (khabar.monitor.watch) ---------------------------------------------

    def watch_state(self, name: str) -> WatchState | None:
        row = self.conn.execute(f"SELECT {_WATCH_COLUMNS} FROM watch_sources WHERE name=?", (name,)).fetchone()
        return WatchState(*row) if row else None

    def watch_states(self) -> list[WatchState]:
        """Every source the watcher has polled, by name."""
        return [WatchState(*r) for r in self.conn.execute(
            f"SELECT {_WATCH_COLUMNS} FROM watch_sources ORDER BY name")]

    def save_watch_state(self, state: WatchState) -> None:
        values = tuple(getattr(state, k) for k in _WATCH_COLUMNS.split(", "))
        self.conn.execute(f"INSERT OR REPLACE INTO watch_sources ({_WATCH_COLUMNS}) "
                          f"VALUES ({', '.join('?' * len(values))})", values)

    def seen_urls(self, urls: Iterable[str]) -> set[str]:
        """Those of ``urls`` (normalised) that the watcher has handled before."""
        urls = list(urls)
        seen: set[str] = set()
        for i in range(0, len(urls), 500):
            part = urls[i:i + 500]
            seen.update(r[0] for r in self.conn.execute(
                f"SELECT url FROM watch_seen WHERE url IN ({', '.join('?' * len(part))})", part))
        return seen

    def seen_article(self, url: str) -> str | None:
        """The id of the article stored from ``url`` (normalised); None if none was."""
        row = self.conn.execute("SELECT article_id FROM watch_seen WHERE url=?", (url,)).fetchone()
        return row[0] if row else None

    def mark_seen(self, url: str, source: str, article_id: str | None) -> None:
        self.conn.execute("INSERT OR REPLACE INTO watch_seen VALUES (?, ?, ?, ?)",
                          (url, source, article_id, time.time()))

    def link_source(self, article_id: str, source: str, url: str) -> bool:
        """Record that ``source`` published (or linked) article ``article_id`` at ``url``; False
        when that was known."""
        cur = self.conn.execute("INSERT OR IGNORE INTO article_sources VALUES (?, ?, ?, ?)",
                                (article_id, source, url, time.time()))
        return cur.rowcount > 0

    def article_source_links(self, article_id: str) -> list[tuple[str, str, float]]:
        """(source, url, when linked) of every outlet seen publishing the article, oldest first."""
        return list(self.conn.execute(
            "SELECT source, url, at FROM article_sources WHERE article_id=? ORDER BY at, source", (article_id,)))

    def article_sources(self, article_id: str) -> list[tuple[str, str]]:
        """(source, url) of every outlet seen publishing the article, oldest first."""
        return [(s, u) for s, u in self.conn.execute(
            "SELECT source, url FROM article_sources WHERE article_id=? ORDER BY at, source", (article_id,))]

    def add_minhash(self, article_id: str, signature: bytes, bands: Iterable[int]) -> None:
        """Remember an article's MinHash signature and its LSH band keys (signed 64-bit ints)."""
        self.conn.execute("INSERT OR REPLACE INTO article_minhash VALUES (?, ?)", (article_id, signature))
        self.conn.executemany("INSERT OR IGNORE INTO minhash_bands VALUES (?, ?)",
                              [(band, article_id) for band in bands])

    def count_signatures(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM article_minhash").fetchone()[0]

    def signatures_after(self, after: str, limit: int) -> list[tuple[str, bytes, str | None]]:
        """(article id, signature, text) of the next ``limit`` signatures by article id after
        ``after``; the text is None for an article no longer stored."""
        return list(self.conn.execute(
            "SELECT m.article_id, m.signature, a.text FROM article_minhash m LEFT JOIN articles a "
            "ON a.id = m.article_id WHERE m.article_id > ? ORDER BY m.article_id LIMIT ?", (after, limit)))

    def replace_minhash(self, article_id: str, signature: bytes, old_bands: Iterable[int], bands: Iterable[int]) -> None:
        """Put a new signature in place of the old one, whose band keys are ``old_bands``."""
        self.conn.executemany("DELETE FROM minhash_bands WHERE band=? AND article_id=?",
                              [(band, article_id) for band in old_bands])
        self.add_minhash(article_id, signature, bands)

    def minhash_candidates(self, bands: Sequence[int]) -> list[tuple[str, bytes]]:
        """(article id, signature) of the articles sharing at least one band key."""
        if not bands:
            return []
        return list(self.conn.execute(
            "SELECT m.article_id, m.signature FROM article_minhash m WHERE m.article_id IN "
            f"(SELECT article_id FROM minhash_bands WHERE band IN ({', '.join('?' * len(bands))}))", list(bands)))

    # -- alerts (khabar.monitor.alerts) --------------------------------------------------------

    def add_alert(self, alert: Alert) -> None:
        """Save a new alert; AlreadyExists when the name is taken (the user's to change, not a store failure)."""
        with self.transaction():
            if self.get_alert(alert.name) is not None:
                raise AlreadyExists(f"an alert named {alert.name!r} exists already: choose another name, or "
                                    f"'khabar alert remove {alert.name}' first")
            values = tuple(getattr(alert, k) for k in _ALERT_COLUMNS.split(", "))
            self.conn.execute(f"INSERT INTO alerts ({_ALERT_COLUMNS}) VALUES ({', '.join('?' * len(values))})",
                              values)

    def get_alert(self, name: str) -> Alert | None:
        row = self.conn.execute(f"SELECT {_ALERT_SELECT} FROM alerts WHERE name=?", (name,)).fetchone()
        return Alert(*row) if row else None

    def alerts(self) -> list[Alert]:
        """Every saved alert, by name."""
        return [Alert(*r) for r in self.conn.execute(f"SELECT {_ALERT_SELECT} FROM alerts ORDER BY name")]

    def remove_alert(self, name: str) -> bool:
        """Delete an alert, its recorded matches and its deliveries waiting; False when there was none."""
        with self.transaction():
            self.conn.execute("DELETE FROM alert_matches WHERE alert=?", (name,))
            self.conn.execute("DELETE FROM delivery_outbox WHERE alert=?", (name,))
            return self.conn.execute("DELETE FROM alerts WHERE name=?", (name,)).rowcount > 0

    def record_alert_match(self, name: str, article_id: str) -> bool:
        """Record that an article matched an alert; False when that was recorded before."""
        cur = self.conn.execute("INSERT OR IGNORE INTO alert_matches VALUES (?, ?, ?)",
                                (name, article_id, time.time()))
        return cur.rowcount > 0

    def record_delivery(self, name: str, error: str | None, at: float, *, final: bool = True) -> None:
        """Count one webhook delivery of an alert's match: delivered, or failed and why (counted
        as failed when ``final``: given up; else only the last error is kept, the match waits)."""
        if error is None:
            self.conn.execute("UPDATE alerts SET delivered = delivered + 1 WHERE name=?", (name,))
        else:
            self.conn.execute("UPDATE alerts SET failed = failed + ?, last_error=?, last_error_at=? WHERE name=?",
                              (int(final), error, at, name))

    # -- the delivery outbox (khabar.monitor.outbox) ------------------------------------------

    def queue_delivery(self, alert: str, article_id: str, payload: str, at: float) -> bool:
        """Keep a match for its alert's webhook until it is delivered; False when it is kept already."""
        return self.conn.execute(
            "INSERT OR IGNORE INTO delivery_outbox (alert, article_id, payload, next_attempt, created) "
            "VALUES (?, ?, ?, ?, ?)", (alert, article_id, payload, at, at)).rowcount > 0

    def due_deliveries(self, now: float, limit: int) -> list[OutboxItem]:
        """The waiting matches whose next attempt is due (oldest first), with their alert's webhook."""
        return [OutboxItem(*r) for r in self.conn.execute(
            "SELECT o.id, o.alert, o.article_id, a.webhook, o.payload, o.attempts, o.rounds, o.created "
            "FROM delivery_outbox o JOIN alerts a ON a.name = o.alert WHERE o.dead_at IS NULL AND "
            "o.next_attempt <= ? AND a.webhook IS NOT NULL ORDER BY o.next_attempt, o.id LIMIT ?", (now, limit))]

    def next_delivery_due(self) -> float | None:
        """Epoch seconds of the next waiting match's attempt; None when none waits."""
        return self.conn.execute("SELECT MIN(next_attempt) FROM delivery_outbox WHERE dead_at IS NULL").fetchone()[0]

    def outbox_item(self, item_id: int) -> OutboxItem | None:
        row = self.conn.execute(
            "SELECT o.id, o.alert, o.article_id, COALESCE(a.webhook, ''), o.payload, o.attempts, o.rounds, "
            "o.created FROM delivery_outbox o LEFT JOIN alerts a ON a.name = o.alert WHERE o.id=?",
            (item_id,)).fetchone()
        return OutboxItem(*row) if row else None

    def delivery_done(self, item_id: int) -> None:
        """A match delivered: it leaves the outbox."""
        self.conn.execute("DELETE FROM delivery_outbox WHERE id=?", (item_id,))

    def delivery_failed(self, item_id: int, attempts: int, error: str, at: float, next_attempt: float | None) -> None:
        """A delivery round failed after ``attempts`` POSTs: try again at ``next_attempt``, or
        give the match up (dead) when that is None."""
        self.conn.execute(
            "UPDATE delivery_outbox SET attempts = attempts + ?, rounds = rounds + 1, last_error=?, "
            "last_error_at=?, next_attempt=COALESCE(?, next_attempt), dead_at=? WHERE id=?",
            (attempts, error, at, next_attempt, None if next_attempt is not None else at, item_id))

    def retry_deliveries(self, alert: str, at: float) -> int:
        """Queue an alert's dead deliveries again, as new (attempts and age start over); how many."""
        with self.transaction():
            return self.conn.execute(
                "UPDATE delivery_outbox SET dead_at=NULL, attempts=0, rounds=0, next_attempt=?, created=? "
                "WHERE alert=? AND dead_at IS NOT NULL", (at, at, alert)).rowcount

    def alert_matches(self, name: str, limit: int = 50) -> list[AlertMatch]:
        """The matches of an alert, newest first, with what a reader needs to find the article."""
        rows = self.conn.execute(
            "SELECT m.alert, m.article_id, m.at, a.title, a.source, a.url, a.published FROM alert_matches m "
            "LEFT JOIN articles a ON a.id = m.article_id WHERE m.alert=? ORDER BY m.at DESC, m.article_id "
            "LIMIT ?", (name, limit))
        return [AlertMatch(*r) for r in rows]


_WATCH_COLUMNS = ", ".join(WatchState.__slots__)  # type: ignore[attr-defined]


def _writable(path: Path) -> bool:
    """Whether SQLite can write the database and its -wal/-shm files next to it (False on a
    read-only mount, also for root)."""
    return os.access(path.parent if not path.exists() else path, os.W_OK) and os.access(path.parent, os.W_OK)


