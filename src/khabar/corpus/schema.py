"""The store's schema: the ordered, recorded migrations (as sqlite-utils and datasette do) and
applying them. A store records each migration it applied in ``schema_migrations``; a new one is
appended to :data:`MIGRATIONS` with the next number, never edited once released."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from ..errors import StoreError

MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "initial schema", """
CREATE TABLE articles (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,          -- hash of the normalised text
    ext_id TEXT,                      -- the id the input gave (JSON id, file name)
    title TEXT, published TEXT, source TEXT, url TEXT, path TEXT,
    text TEXT NOT NULL,
    analysis BLOB NOT NULL,           -- zlib(JSON of khabar.article/1 without "text")
    pipeline_version TEXT NOT NULL,
    ingested_at REAL NOT NULL
);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_source ON articles(source, published);
CREATE INDEX articles_ext_id ON articles(ext_id);

CREATE VIRTUAL TABLE article_fts USING fts5(
    title, body, content='', tokenize='unicode61 remove_diacritics 0'
);

CREATE TABLE entities (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,         -- 'kb:<kb_id>' or 'name:<normalised name>'
    type TEXT NOT NULL, name TEXT NOT NULL, name_norm TEXT NOT NULL,
    name_en TEXT, kb_id TEXT
);
CREATE INDEX entities_name_norm ON entities(name_norm);
CREATE INDEX entities_kb_id ON entities(kb_id);

CREATE TABLE entity_aliases (
    alias TEXT NOT NULL, entity INTEGER NOT NULL, PRIMARY KEY (alias, entity)
) WITHOUT ROWID;

CREATE TABLE article_entities (
    article INTEGER NOT NULL, entity INTEGER NOT NULL, mentions INTEGER NOT NULL,
    published TEXT, PRIMARY KEY (article, entity)
) WITHOUT ROWID;
CREATE INDEX article_entities_entity ON article_entities(entity, published);

CREATE TABLE mentions (
    article INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    entity INTEGER NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (article, start, "end", entity)
) WITHOUT ROWID;

CREATE TABLE quotes (
    id INTEGER PRIMARY KEY,
    article INTEGER NOT NULL, local_id TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, kind TEXT NOT NULL,
    speaker INTEGER, speaker_text TEXT, cue TEXT, published TEXT
);
CREATE INDEX quotes_article ON quotes(article);
CREATE INDEX quotes_speaker ON quotes(speaker, published);

CREATE TABLE quote_about (
    entity INTEGER NOT NULL, quote INTEGER NOT NULL, PRIMARY KEY (entity, quote)
) WITHOUT ROWID;
CREATE INDEX quote_about_quote ON quote_about(quote);

CREATE TABLE timexes (
    article INTEGER NOT NULL, local_id TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL, type TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (article, local_id)
) WITHOUT ROWID;

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    article INTEGER NOT NULL, local_id TEXT NOT NULL,
    type TEXT NOT NULL, cameo TEXT,
    actor1 INTEGER, actor2 INTEGER, location INTEGER,
    trigger_start INTEGER NOT NULL, trigger_end INTEGER NOT NULL, trigger_text TEXT NOT NULL,
    sentence INTEGER, timex TEXT, date TEXT, published TEXT
);
CREATE INDEX events_article ON events(article);
CREATE INDEX events_date ON events(date);
CREATE INDEX events_actor1 ON events(actor1, date);
CREATE INDEX events_actor2 ON events(actor2, date);
CREATE INDEX events_type ON events(type, date);

CREATE TABLE failures (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL, article_id TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL, at REAL NOT NULL,
    UNIQUE (path, article_id)
);

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
"""),
    (2, "watched sources", """
CREATE TABLE watch_sources (
    name TEXT PRIMARY KEY, url TEXT NOT NULL, country TEXT,
    etag TEXT, last_modified TEXT,    -- validators of the last feed response (conditional GET)
    first_poll REAL, last_poll REAL, last_success REAL, last_error TEXT, last_error_at REAL,
    polls INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0, articles INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE watch_seen (
    url TEXT PRIMARY KEY,             -- normalised article URL
    source TEXT NOT NULL, article_id TEXT, at REAL NOT NULL
) WITHOUT ROWID;

CREATE TABLE article_sources (
    article_id TEXT NOT NULL, source TEXT NOT NULL, url TEXT NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (article_id, source, url)
) WITHOUT ROWID;
CREATE INDEX article_sources_source ON article_sources(source, at);

CREATE TABLE article_minhash (
    article_id TEXT PRIMARY KEY, signature BLOB NOT NULL  -- MinHash of the text (khabar.monitor.watch)
) WITHOUT ROWID;
CREATE TABLE minhash_bands (
    band INTEGER NOT NULL, article_id TEXT NOT NULL,     -- LSH band keys: candidates in one lookup
    PRIMARY KEY (band, article_id)
) WITHOUT ROWID;
"""),
    (3, "saved alerts", """
CREATE TABLE alerts (
    name TEXT PRIMARY KEY,
    query TEXT, entity TEXT, speaker TEXT, source TEXT,  -- conditions (khabar.monitor.alerts); NULL: any
    webhook TEXT,                     -- URL that each match is POSTed to
    created REAL NOT NULL
);
CREATE TABLE alert_matches (
    alert TEXT NOT NULL, article_id TEXT NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (alert, article_id)
) WITHOUT ROWID;
CREATE INDEX alert_matches_at ON alert_matches(alert, at);
"""),
    (4, "source backoff and webhook health", """
ALTER TABLE watch_sources ADD COLUMN fail_streak INTEGER NOT NULL DEFAULT 0;  -- feed polls failed in a row
ALTER TABLE watch_sources ADD COLUMN next_poll REAL;  -- epoch seconds: the next attempt (backoff)
ALTER TABLE alerts ADD COLUMN delivered INTEGER NOT NULL DEFAULT 0;  -- webhook deliveries that succeeded
ALTER TABLE alerts ADD COLUMN failed INTEGER NOT NULL DEFAULT 0;  -- ... that failed for good
ALTER TABLE alerts ADD COLUMN last_error TEXT;
ALTER TABLE alerts ADD COLUMN last_error_at REAL;
"""),
    (5, "webhook delivery outbox", """
CREATE TABLE delivery_outbox (
    id INTEGER PRIMARY KEY,
    alert TEXT NOT NULL, article_id TEXT NOT NULL,
    payload TEXT NOT NULL,            -- the JSON body POSTed (khabar.monitor.alerts.match_payload)
    attempts INTEGER NOT NULL DEFAULT 0,  -- POSTs made, every run together
    rounds INTEGER NOT NULL DEFAULT 0,    -- delivery rounds that failed (the backoff doubles with each)
    next_attempt REAL NOT NULL,       -- epoch seconds: not tried again before
    last_error TEXT, last_error_at REAL,
    created REAL NOT NULL,
    dead_at REAL,                     -- given up (a 4xx, too many attempts, too old); NULL while it waits
    UNIQUE (alert, article_id)
);
CREATE INDEX delivery_outbox_due ON delivery_outbox(dead_at, next_attempt);
"""),
]


def _split_sql(script: str) -> Iterable[str]:
    """Statements of a migration script (no semicolons inside our statements)."""
    for stmt in re.sub(r"--[^\n]*", "", script).split(";"):
        if stmt.strip():
            yield stmt.strip()


def schema_version(conn: sqlite3.Connection) -> int:
    """The number of the last migration applied to a database (0 for a new one)."""
    row = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='schema_migrations'").fetchone()
    if not row:
        return 0
    return conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0]


def migrate(conn: sqlite3.Connection, where: str | Path) -> list[int]:
    """Apply pending migrations in order, each in its transaction; returns the versions applied."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                 "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)")
    current = schema_version(conn)
    if current > len(MIGRATIONS):
        raise StoreError(f"{where}: schema version {current} is newer than this khabar "
                         f"({len(MIGRATIONS)}); upgrade khabar")
    applied = []
    for version, name, sql in MIGRATIONS:
        if version <= current:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for stmt in _split_sql(sql):
                conn.execute(stmt)
            conn.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, name, time.time()))
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        applied.append(version)
    return applied
