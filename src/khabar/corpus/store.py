"""The embedded corpus store: one SQLite file (WAL). The only module in khabar that talks SQL.

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
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
import urllib.parse
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..analysis.clitics import without_prefixes
from ..analysis.text.normalize import normalize, normalize_name
from ..dates import timex_date
from ..errors import QueryError, StoreError  # defined in khabar.errors (stable codes)
from ..settings import STORE_BUSY_TIMEOUT_MS, STORE_CACHE_KIB

DEFAULT_DB = "khabar.db"
_MAX_ROWID = 2**63 - 1  # the largest id SQLite stores


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


# --------------------------------------------------------------------------- schema

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
]


# --------------------------------------------------------------------------- records

@dataclass(frozen=True, slots=True)
class Snippet:
    """A piece of an article around the query terms; ``highlights`` are offsets into ``text``."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: str
    ext_id: str | None
    title: str | None
    published: str | None
    source: str | None
    url: str | None
    score: float
    snippet: Snippet

    def to_dict(self) -> dict[str, Any]:
        # Field by field: dataclasses.asdict deep-copies, a tenth of a search request's time.
        return {"id": self.id, "ext_id": self.ext_id, "title": self.title, "published": self.published,
                "source": self.source, "url": self.url, "score": self.score,
                "snippet": {"text": self.snippet.text, "highlights": [list(h) for h in self.snippet.highlights]}}


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of search results; ``total`` counts every match, not only this page."""

    query: str
    total: int
    offset: int
    limit: int
    hits: tuple[SearchHit, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "offset": self.offset, "limit": self.limit,
                "hits": [h.to_dict() for h in self.hits]}


@dataclass(frozen=True, slots=True)
class LatestArticle:
    """An article as the live "latest" list shows it; ``ingested_at`` (Unix time) is the cursor
    a client sends back as ``since``."""

    id: str
    ext_id: str | None
    title: str | None
    published: str | None
    source: str | None
    url: str | None
    snippet: str
    ingested_at: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class EntityRecord:
    """An entity merged across the corpus; ``articles``/``mentions`` are corpus-wide counts."""

    id: int
    type: str
    name: str
    name_en: str | None
    kb_id: str | None
    articles: int | None = None  # None in brief records (speaker/actor of a quote or event)
    mentions: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class QuoteRecord:
    id: int
    article_id: str
    article_title: str | None
    published: str | None
    source: str | None
    text: str
    kind: str
    speaker: EntityRecord | None
    speaker_text: str | None
    cue: str | None
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["speaker"] = self.speaker.to_dict() if self.speaker else None
        return d


@dataclass(frozen=True, slots=True)
class EventRecord:
    id: int
    article_id: str
    article_title: str | None
    published: str | None
    source: str | None
    url: str | None
    type: str
    cameo: str | None
    actor1: EntityRecord | None
    actor2: EntityRecord | None
    location: EntityRecord | None
    trigger: str
    trigger_start: int
    trigger_end: int
    sentence: int | None
    timex: str | None
    date: str | None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("actor1", "actor2", "location"):
            v = getattr(self, k)
            d[k] = v.to_dict() if v else None
        return d


@dataclass(frozen=True, slots=True)
class Failure:
    path: str
    article_id: str | None
    reason: str
    at: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class WatchState:
    """What the watcher remembers about one source between polls and restarts."""

    name: str
    url: str
    country: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    first_poll: float | None = None
    last_poll: float | None = None
    last_success: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    polls: int = 0
    errors: int = 0
    articles: int = 0

    def to_dict(self, now: float | None = None) -> dict[str, Any]:
        """Health of the source; ``articles_per_day`` averages over the time since its first poll
        (at least one day, so a new source does not look busier than it is)."""
        d = asdict(self)
        d.pop("etag"), d.pop("last_modified")
        days = max(1.0, ((now or time.time()) - (self.first_poll or 0)) / 86400) if self.first_poll else 1.0
        d["articles_per_day"] = round(self.articles / days, 2)
        return d


@dataclass(frozen=True, slots=True)
class Alert:
    """A saved query: an article matches when it meets every condition given (see khabar.monitor.alerts)."""

    name: str
    query: str | None = None
    entity: str | None = None
    speaker: str | None = None
    source: str | None = None
    webhook: str | None = None
    created: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class AlertMatch:
    """An article that matched an alert, when (``at``, epoch seconds)."""

    alert: str
    article_id: str
    at: float
    title: str | None
    source: str | None
    url: str | None
    published: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_ALERT_COLUMNS = "name, query, entity, speaker, source, webhook, created"


@dataclass(frozen=True, slots=True)
class FtsFields:
    """What the full-text index holds for one article (normalised, clitic-free title and body)."""

    title: str
    body: str


@dataclass
class Stats:
    articles: int = 0
    entities: int = 0
    quotes: int = 0
    events: int = 0
    timexes: int = 0
    failures: int = 0
    sources: dict[str, int] = field(default_factory=dict)
    date_min: str | None = None
    date_max: str | None = None
    pipeline_versions: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------- text helpers

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def index_words(text: str) -> list[str]:
    """The words of ``text`` as the index sees them: normalised, with proclitics (و ف ب ك ل ال)
    removed, so "وللمدرسة", "المدرسة" and "مدرسة" are all "مدرسه". Queries go through the
    same function, so a word always matches itself whatever the segmenter decides."""
    return [without_prefixes(w) for w in _INDEX_WORD_RE.findall(normalize(text).text)]


_INDEX_WORD_RE = re.compile(r"[^\W\d_]+|\d+")


def fts_fields(title: str | None, text: str) -> FtsFields:
    """Index content for an article (see :func:`index_words`). Pure and deterministic: the
    ingest workers compute it next to the analysis."""
    return FtsFields(" ".join(index_words(title or "")), " ".join(index_words(text)))


INDEX_VERSION = "1"  # bump when index_words changes


@lru_cache(maxsize=1)
def index_fingerprint() -> str:
    """Identifies how words are indexed: :data:`INDEX_VERSION` and the source of the
    normalisation and clitic rules. A store indexed under another fingerprint needs
    :meth:`Store.rebuild_index` (``khabar reindex`` does it) so that queries match again."""
    import hashlib
    import inspect

    from ..analysis.text import normalize as norm_mod
    from ..analysis.text import tokenize as tok_mod

    h = hashlib.sha1(INDEX_VERSION.encode())
    for mod in (norm_mod, tok_mod):
        h.update(inspect.getsource(mod).encode("utf-8"))
    return h.hexdigest()[:12]


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


def _entity_key(kb_id: str | None, name: str) -> str:
    return f"kb:{kb_id}" if kb_id else f"name:{normalize_name(name)}"


def event_date(timex_value: str | None, published: str | None) -> str | None:
    """The calendar date of an event: its timex when that names a day or month, else the
    article's publication date."""
    return timex_date(timex_value) or published


def _pack(d: dict[str, Any]) -> bytes:
    body = {k: v for k, v in d.items() if k != "text"}
    return zlib.compress(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)


def _unpack(blob: bytes, text: str) -> dict[str, Any]:
    d = json.loads(zlib.decompress(blob).decode("utf-8"))
    out: dict[str, Any] = {}
    for k, v in d.items():  # put "text" back where the schema has it (after url)
        out[k] = v
        if k == "url":
            out["text"] = text
    out.setdefault("text", text)
    return out


# --------------------------------------------------------------------------- the store

class Store:
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
        row = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='schema_migrations'").fetchone()
        if not row:
            return 0
        return self.conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0]

    def migrate(self) -> list[int]:
        """Apply pending migrations in order; returns the versions applied."""
        self.conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                          "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)")
        current = self.schema_version()
        if current > len(MIGRATIONS):
            raise StoreError(f"{self.path}: schema version {current} is newer than this khabar "
                             f"({len(MIGRATIONS)}); upgrade khabar")
        applied = []
        for version, name, sql in MIGRATIONS:
            if version <= current:
                continue
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for stmt in _split_sql(sql):
                    self.conn.execute(stmt)
                self.conn.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, name, time.time()))
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
            applied.append(version)
        return applied

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- writing ------------------------------------------------------------------

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
                                       "LIMIT 2", (normalize_name(ent["name"]),)).fetchall()
            row = linked[0] if len(linked) == 1 else None
        if row:
            eid = row[0]
            if row[1] is None and ent.get("name_en"):
                self.conn.execute("UPDATE entities SET name_en=? WHERE id=?", (ent["name_en"], eid))
        else:
            eid = self.conn.execute(
                "INSERT INTO entities (key, type, name, name_norm, name_en, kb_id) VALUES (?,?,?,?,?,?)",
                (key, ent["type"], ent["name"], normalize_name(ent["name"]), ent.get("name_en"), ent.get("kb_id")),
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
            aliases.add((normalize_name(ent["name"]), eid))
            for m in ent.get("mentions", []):
                mention_rows.append((rowid, m["start"], m["end"], eid, m.get("kind", "name")))
                spans.append((m["start"], m["end"], eid))
                if m.get("kind", "name") == "name":
                    alias = normalize_name(m["text"])
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
        timex_values = {}
        for t in doc.get("timexes", []):
            timex_values[t["id"]] = t["value"]
            c.execute('INSERT OR IGNORE INTO timexes VALUES (?,?,?,?,?,?,?)',
                      (rowid, t["id"], t["start"], t["end"], t["text"], t["type"], t["value"]))
        for v in doc.get("events", []):
            tv = timex_values.get(v.get("time")) if v.get("time") else None
            trig = v["trigger"]
            c.execute(
                "INSERT INTO events (article, local_id, type, cameo, actor1, actor2, location, trigger_start, "
                "trigger_end, trigger_text, sentence, timex, date, published) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (rowid, v["id"], v["type"], v.get("cameo"), local.get(v.get("actor1")), local.get(v.get("actor2")),
                 local.get(v.get("location")), trig["start"], trig["end"], trig["text"], v.get("sentence"),
                 tv, event_date(tv, published), published))

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

    def index_is_current(self) -> bool:
        """Whether the full-text index was built by the current word rules (see
        :func:`index_fingerprint`)."""
        return self.get_meta("index_fingerprint") == index_fingerprint()

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

    def record_failure(self, path: str, article_id: str | None, reason: str) -> None:
        """Remember a file or article that could not be ingested (replaces an older record)."""
        self.conn.execute("INSERT OR REPLACE INTO failures (path, article_id, reason, at) VALUES (?,?,?,?)",
                          (path, article_id or "", reason, time.time()))

    def failures(self, limit: int = 1000) -> list[Failure]:
        return [Failure(p, a or None, r, at) for p, a, r, at in self.conn.execute(
            "SELECT path, article_id, reason, at FROM failures ORDER BY at DESC, id DESC LIMIT ?", (limit,))]

    # -- reading ------------------------------------------------------------------

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

    # -- entities -----------------------------------------------------------------

    _ENTITY_COLS = ("e.id, e.type, e.name, e.name_en, e.kb_id, "
                    "(SELECT COUNT(*) FROM article_entities ae WHERE ae.entity = e.id), "
                    "(SELECT COALESCE(SUM(mentions), 0) FROM article_entities ae WHERE ae.entity = e.id)")

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

    # -- quotes and events --------------------------------------------------------

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

    def article_sources(self, article_id: str) -> list[tuple[str, str]]:
        """(source, url) of every outlet seen publishing the article, oldest first."""
        return [(s, u) for s, u in self.conn.execute(
            "SELECT source, url FROM article_sources WHERE article_id=? ORDER BY at, source", (article_id,))]

    def add_minhash(self, article_id: str, signature: bytes, bands: Iterable[int]) -> None:
        """Remember an article's MinHash signature and its LSH band keys (signed 64-bit ints)."""
        self.conn.execute("INSERT OR REPLACE INTO article_minhash VALUES (?, ?)", (article_id, signature))
        self.conn.executemany("INSERT OR IGNORE INTO minhash_bands VALUES (?, ?)",
                              [(band, article_id) for band in bands])

    def minhash_candidates(self, bands: Sequence[int]) -> list[tuple[str, bytes]]:
        """(article id, signature) of the articles sharing at least one band key."""
        if not bands:
            return []
        return list(self.conn.execute(
            "SELECT m.article_id, m.signature FROM article_minhash m WHERE m.article_id IN "
            f"(SELECT article_id FROM minhash_bands WHERE band IN ({', '.join('?' * len(bands))}))", list(bands)))

    # -- alerts (khabar.monitor.alerts) --------------------------------------------------------

    def add_alert(self, alert: Alert) -> None:
        """Save a new alert; StoreError when the name is taken."""
        with self.transaction():
            if self.get_alert(alert.name) is not None:
                raise StoreError(f"an alert named {alert.name!r} exists already (remove it first)")
            values = tuple(getattr(alert, k) for k in _ALERT_COLUMNS.split(", "))
            self.conn.execute(f"INSERT INTO alerts ({_ALERT_COLUMNS}) VALUES ({', '.join('?' * len(values))})",
                              values)

    def get_alert(self, name: str) -> Alert | None:
        row = self.conn.execute(f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE name=?", (name,)).fetchone()
        return Alert(*row) if row else None

    def alerts(self) -> list[Alert]:
        """Every saved alert, by name."""
        return [Alert(*r) for r in self.conn.execute(f"SELECT {_ALERT_COLUMNS} FROM alerts ORDER BY name")]

    def remove_alert(self, name: str) -> bool:
        """Delete an alert and its recorded matches; False when there was none."""
        with self.transaction():
            self.conn.execute("DELETE FROM alert_matches WHERE alert=?", (name,))
            return self.conn.execute("DELETE FROM alerts WHERE name=?", (name,)).rowcount > 0

    def record_alert_match(self, name: str, article_id: str) -> bool:
        """Record that an article matched an alert; False when that was recorded before."""
        cur = self.conn.execute("INSERT OR IGNORE INTO alert_matches VALUES (?, ?, ?)",
                                (name, article_id, time.time()))
        return cur.rowcount > 0

    def alert_matches(self, name: str, limit: int = 50) -> list[AlertMatch]:
        """The matches of an alert, newest first, with what a reader needs to find the article."""
        rows = self.conn.execute(
            "SELECT m.alert, m.article_id, m.at, a.title, a.source, a.url, a.published FROM alert_matches m "
            "LEFT JOIN articles a ON a.id = m.article_id WHERE m.alert=? ORDER BY m.at DESC, m.article_id "
            "LIMIT ?", (name, limit))
        return [AlertMatch(*r) for r in rows]

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


_WATCH_COLUMNS = ", ".join(WatchState.__slots__)  # type: ignore[attr-defined]

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


def _writable(path: Path) -> bool:
    """Whether SQLite can write the database and its -wal/-shm files next to it (False on a
    read-only mount, also for root)."""
    return os.access(path.parent if not path.exists() else path, os.W_OK) and os.access(path.parent, os.W_OK)


def _like(s: str) -> str:
    return "%" + s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _split_sql(script: str) -> Iterable[str]:
    """Statements of a migration script (no semicolons inside our statements)."""
    for stmt in re.sub(r"--[^\n]*", "", script).split(";"):
        if stmt.strip():
            yield stmt.strip()
