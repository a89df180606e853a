"""Live monitoring of news feeds: poll RSS/Atom/JSON feeds, fetch each new article's page,
analyse it and store it, once (``khabar watch --once``) or until stopped.

Layers, from pure to I/O:

- pure: :func:`normalize_url` (tracking parameters, fragment and host case removed),
  :func:`minhash` / :func:`lsh_bands` / :func:`near_duplicate` (republished texts), :func:`parse_feed` (entries of a
  feed body), :func:`load_sources` (the TOML list of sources);
- HTTP edge: :class:`Fetcher` (User-Agent, timeouts, size limit, retries with backoff, per-host
  delay and concurrency, robots.txt, conditional GET) and :func:`fetch_source` (a feed and its
  new pages, no store);
- store: :func:`store_poll` writes what a poll found, in the calling thread: an article already
  stored (same normalised text) or nearly the same (MinHash candidates confirmed by
  :mod:`khabar.monitor.dedup`) is linked to the new source and URL instead of being stored twice; new
  ones go through :func:`khabar.corpus.ingest.analyze_record`, here or in worker processes
  (:mod:`khabar.monitor.analysis_pool`; :func:`watch` then uses the steps of :func:`store_poll`);
- a failing feed backs off (:func:`backoff_interval`); alert matches go to their webhooks off
  this thread (:mod:`khabar.monitor.delivery`).

Every failure (a dead feed, a 404, a timeout, a malformed page) is counted against its source
and recorded in the store; it never stops the other sources. State (validators, seen URLs,
health) lives in the store, so a restarted watcher carries on where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .. import __version__
from ..analysis.text.normalize import fold
from ..corpus.store import Alert, Store, WatchState
from ..dates import from_http_date, from_struct_time, parse_date
from ..errors import FeedError, FetchError, WatchError  # defined in khabar.errors (stable codes)
from ..io import DEFAULT_MAX_CHARS, InputError, check_unicode, html_document
from ..model import Document
from ..settings import (  # the limits, named in khabar.settings
    DEFAULT_INTERVAL,
    DEFAULT_MAX_BYTES,
    DRAIN_SECONDS,
    FINGERPRINT_BATCH,
    LSH_ROWS,
    MAX_BACKOFF,
    MAX_WAITING,
    MIN_INTERVAL,
    MIN_WORDS,
    MINHASH_SIZE,
    NEAR_DUPLICATE_SIMILARITY,
)
from .alerts import record_alert_matches
from .analysis_pool import AnalysisPool, result_of
from .dedup import confirmed_duplicate, shingles
from .delivery import DeliveryResult, WebhookDelivery
from .outbox import queue_matches, settle, submit_due

USER_AGENT = f"khabar/{__version__} (news monitoring; +https://github.com/khabar/khabar)"

# Query parameters that only track the reader; dropped so that one article has one URL.
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid",
                             "mc_eid", "igshid", "_ga", "_gl", "ref_src", "cmpid", "ocid"})


# --------------------------------------------------------------------------- sources

@dataclass(frozen=True, slots=True)
class Source:
    """One feed to watch."""

    name: str
    url: str
    country: str | None = None
    interval: float = DEFAULT_INTERVAL


def load_sources(text: str, where: str = "sources") -> list[Source]:
    """Sources from a TOML document: ``[[source]]`` tables with ``name``, ``url`` and optional
    ``country`` and ``interval`` (seconds); ``[defaults]`` may set ``interval``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WatchError(f"{where}: not valid TOML ({exc})") from None
    default = data.get("defaults", {}).get("interval", DEFAULT_INTERVAL)
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise WatchError(f"{where}: no [[source]] tables (each needs a name and a url)")
    sources, names = [], set()
    for i, e in enumerate(entries, 1):
        if not isinstance(e, dict) or not isinstance(e.get("url"), str):
            raise WatchError(f"{where}: source {i} has no url")
        name = str(e.get("name") or urllib.parse.urlsplit(e["url"]).hostname or e["url"])
        if name in names:
            raise WatchError(f"{where}: source name {name!r} is used twice")
        names.add(name)
        sources.append(make_source(e["url"], name=name, country=e.get("country"),
                                   interval=e.get("interval", default), where=f"{where}: source {name!r}"))
    return sources


def make_source(url: str, *, name: str | None = None, country: Any = None, interval: Any = DEFAULT_INTERVAL,
                where: str = "--feed") -> Source:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WatchError(f"{where}: {url!r} is not an http(s) URL")
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or interval < MIN_INTERVAL:
        raise WatchError(f"{where}: interval must be a number of seconds, at least {MIN_INTERVAL:g}")
    return Source(name=name or parts.hostname, url=url, country=str(country) if country else None,
                  interval=float(interval))


# --------------------------------------------------------------------------- pure helpers

def normalize_url(url: str) -> str:
    """The URL that identifies an article: scheme and host lower-cased, default port, fragment
    and tracking parameters (``utm_*``, ``fbclid``, ``gclid``...) dropped, the rest kept in order."""
    parts = urllib.parse.urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and (scheme, parts.port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{parts.port}"
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS]
    return urllib.parse.urlunsplit((scheme, host, parts.path or "/", urllib.parse.urlencode(query), ""))




# Fixed random masks (seeded, so signatures stay comparable across runs and machines): hash XOR
# mask, then the minimum, is one "permutation" of the MinHash family per mask.
_MASKS = np.random.default_rng(16).integers(0, 2**63, size=MINHASH_SIZE, dtype=np.uint64) * np.uint64(2) + \
    np.uint64(1)


def minhash(text: str) -> np.ndarray:
    """MinHash signature (``MINHASH_SIZE`` uint64 values) of the word 3-grams of the normalised
    text without dateline and credit line (:func:`khabar.monitor.dedup.shingles`): the share of equal
    values estimates the Jaccard similarity of two texts."""
    return minhash_of(shingles(text))


def minhash_of(grams: Iterable[str]) -> np.ndarray:
    """:func:`minhash` of the shingles already computed (the watcher keeps them to confirm
    candidates). The 8-byte digests are joined and read as big-endian integers at once."""
    digests = b"".join([hashlib.blake2b(sh.encode("utf-8"), digest_size=8).digest() for sh in grams])
    hashes = np.frombuffer(digests, dtype=">u8").astype(np.uint64)
    return (hashes[None, :] ^ _MASKS[:, None]).min(axis=1)


# How signatures are computed, kept in the store (meta "minhash_scheme") so that stored ones are
# recomputed once when it changes (:func:`refingerprint`). 1: 3-grams of the whole normalised text
# (before stop 18); 2: without dateline and credit lines (khabar.monitor.dedup.shingles).
SIGNATURE_SCHEME = "2"
_SCHEME_KEY, _RESUME_KEY = "minhash_scheme", "minhash_refresh_after"


def signatures_current(store: Store) -> bool:
    """Whether the store's near-duplicate signatures follow :data:`SIGNATURE_SCHEME`."""
    return store.get_meta(_SCHEME_KEY) == SIGNATURE_SCHEME


def refingerprint(store: Store, *, batch: int = FINGERPRINT_BATCH,
                  on_batch: Callable[[int, int], None] | None = None) -> int:
    """Recompute the stored signatures made under another scheme from the stored texts, ``batch``
    articles per transaction (``on_batch(done, total)`` after each), then record the scheme so
    that it runs once. Interrupted, it resumes after the last batch committed; run again, it
    does nothing. Returns how many signatures were recomputed."""
    if signatures_current(store):
        return 0
    total, done = store.count_signatures(), 0
    after = store.get_meta(_RESUME_KEY) or ""
    while rows := store.signatures_after(after, batch):
        with store.transaction():
            for aid, blob, text in rows:
                if text is None:  # its article is gone: nothing to compare with
                    continue
                sig = minhash(text)
                old = np.frombuffer(blob, dtype=">u8").astype(np.uint64)
                store.replace_minhash(aid, signature_bytes(sig), lsh_bands(old), lsh_bands(sig))
            after = rows[-1][0]
            store.set_meta(_RESUME_KEY, after)
        done += len(rows)
        if on_batch:
            on_batch(done, total)
    with store.transaction():
        store.set_meta(_SCHEME_KEY, SIGNATURE_SCHEME)
        store.delete_meta(_RESUME_KEY)
    return done


def backoff_interval(interval: float, fail_streak: int) -> float:
    """Seconds until the next poll of a source whose feed failed ``fail_streak`` times in a row:
    its interval doubled for each failure, at most MAX_BACKOFF times (a dead feed is still
    tried, rarely; one success brings the interval back)."""
    return interval * min(2 ** max(0, fail_streak), MAX_BACKOFF)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures."""
    return float(np.mean(a == b))


def lsh_bands(signature: np.ndarray, rows: int = LSH_ROWS) -> list[int]:
    """Band keys for locality-sensitive lookup: texts with Jaccard similarity 0.8 share at least
    one of the 16 bands of 4 values with probability > 0.999 (0.5: about 0.64)."""
    raw = signature.astype(">u8").tobytes()
    return [int.from_bytes(hashlib.blake2b(bytes([i]) + raw[i * rows * 8:(i + 1) * rows * 8],
                                           digest_size=8).digest(), "big", signed=True)
            for i in range(len(signature) // rows)]


def near_duplicate(signature: np.ndarray, candidates: Iterable[tuple[str, bytes]],
                   threshold: float = NEAR_DUPLICATE_SIMILARITY) -> str | None:
    """The id of the most similar candidate (id, stored signature) at or above ``threshold``."""
    best, best_sim = None, threshold
    for aid, blob in candidates:
        sim = similarity(signature, np.frombuffer(blob, dtype=">u8").astype(np.uint64))
        if sim >= best_sim:
            best, best_sim = aid, sim
    return best


def signature_bytes(signature: np.ndarray) -> bytes:
    return signature.astype(">u8").tobytes()


@dataclass(frozen=True, slots=True)
class FeedEntry:
    url: str
    title: str | None = None
    published: str | None = None


def parse_feed(body: bytes, content_type: str = "", base_url: str = "") -> list[FeedEntry]:
    """Entries (with a link) of an RSS, Atom or JSON Feed document, in feed order."""
    head = body.lstrip()[:1]
    if "json" in content_type or head in (b"{", b"["):
        return _parse_json_feed(body, base_url)
    import feedparser  # imported here: only the watcher needs it

    parsed = feedparser.parse(body, response_headers={"content-type": content_type or "application/xml",
                                                      "content-location": base_url})
    entries = []
    for e in parsed.entries:
        link = e.get("link") or next((ln.get("href") for ln in e.get("links", []) if ln.get("href")), None)
        if not link:
            continue
        date = e.get("published_parsed") or e.get("updated_parsed")
        entries.append(FeedEntry(urllib.parse.urljoin(base_url, link), e.get("title") or None,
                                 from_struct_time(date)))
    if not entries and (parsed.get("bozo") or not parsed.get("version")):
        reason = parsed.get("bozo_exception") or "not an RSS or Atom feed"
        raise FeedError(f"malformed feed: {' '.join(str(reason).split())[:200]}")
    return entries


def _parse_json_feed(body: bytes, base_url: str) -> list[FeedEntry]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(f"malformed JSON feed: {exc}") from None
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise FeedError("malformed JSON feed: no 'items' list")
    entries = []
    for it in items:
        if not isinstance(it, dict):
            continue
        link = it.get("url") or it.get("external_url")
        if isinstance(link, str) and link:
            date = it.get("date_published")
            try:
                pub = parse_date(date) if isinstance(date, str) else None
            except InputError:
                pub = None
            entries.append(FeedEntry(urllib.parse.urljoin(base_url, link), it.get("title") or None, pub))
    return entries


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode_page(body: bytes, content_type: str = "") -> str:
    """Text of an HTML page: the charset the server names, else the page's <meta>, else UTF-8
    (windows-1256 is still common on Arabic sites)."""
    match = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    charset = match.group(1) if match else None
    if charset is None:
        m = _META_CHARSET.search(body[:4096])
        charset = m.group(1).decode("ascii") if m else "utf-8"
    try:
        return body.decode(charset).removeprefix("\ufeff")
    except LookupError:
        raise FetchError(f"unknown charset {charset!r}") from None
    except UnicodeDecodeError as exc:
        raise FetchError(f"page is not valid {charset} at byte {exc.start}") from None


# --------------------------------------------------------------------------- HTTP edge

@dataclass(frozen=True, slots=True)
class Response:
    url: str  # after redirects
    status: int
    headers: dict[str, str]  # names lower-cased
    body: bytes = b""


class Fetcher:
    """HTTP GET with the manners of a good crawler. Thread-safe.

    Per host: at most ``per_host`` requests at a time and ``delay`` seconds between the starts
    of two requests; robots.txt is read once per host and obeyed (unreachable or missing: all
    allowed). Timeouts, connection errors, 429 and 5xx are retried ``retries`` times, waiting
    ``backoff`` seconds, then twice as long. A body over ``max_bytes`` is refused.
    """

    def __init__(self, *, timeout: float = 15.0, max_bytes: int = DEFAULT_MAX_BYTES, retries: int = 2,
                 backoff: float = 1.0, delay: float = 1.0, per_host: int = 2, user_agent: str = USER_AGENT,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.timeout, self.max_bytes, self.retries, self.backoff = timeout, max_bytes, retries, backoff
        self.delay, self.per_host, self.user_agent, self.sleep = delay, per_host, user_agent, sleep
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._opener = urllib.request.build_opener()

    @contextmanager
    def _host_slot(self, host: str) -> Iterator[None]:
        with self._lock:
            slot = self._slots.setdefault(host, threading.BoundedSemaphore(self.per_host))
        with slot:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start.get(host, now))
                self._next_start[host] = start + self.delay
            if start > now:
                self.sleep(start - now)
            yield

    def get(self, url: str, headers: dict[str, str] | None = None, *, retries: int | None = None) -> Response:
        """The response (200, or 304 to a conditional request); FetchError for anything else."""
        host = (urllib.parse.urlsplit(url).hostname or "").lower()
        tries = 1 + (self.retries if retries is None else retries)
        for attempt in range(tries):
            try:
                with self._host_slot(host):
                    return self._get_once(url, headers or {})
            except FetchError as exc:
                if not exc.transient or attempt == tries - 1:
                    raise
            self.sleep(self.backoff * 2 ** attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _get_once(self, url: str, headers: dict[str, str]) -> Response:
        req = urllib.request.Request(url, headers={"User-Agent": self.user_agent, "Accept-Encoding": "identity",
                                                   **headers})
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                hdrs = {k.lower(): v for k, v in resp.headers.items()}
                length = hdrs.get("content-length", "")
                if length.isdigit() and int(length) > self.max_bytes:
                    raise FetchError(f"{length} bytes, over the limit of {self.max_bytes:,}")
                body = resp.read(self.max_bytes + 1)
                if len(body) > self.max_bytes:
                    raise FetchError(f"over the size limit of {self.max_bytes:,} bytes")
                return Response(resp.geturl(), resp.status, hdrs, body)
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return Response(exc.url or url, 304, {k.lower(): v for k, v in exc.headers.items()})
            raise FetchError(f"HTTP {exc.code} {exc.reason}", transient=exc.code == 429 or exc.code >= 500) from None
        except urllib.error.URLError as exc:
            raise FetchError(f"cannot connect: {exc.reason}", transient=True) from None
        except TimeoutError:
            raise FetchError(f"timed out after {self.timeout:g} s", transient=True) from None
        except (OSError, ValueError) as exc:  # reset connection, bad URL, broken chunked body
            raise FetchError(f"{type(exc).__name__}: {exc}", transient=isinstance(exc, OSError)) from None

    def allowed(self, url: str) -> bool:
        """Whether robots.txt of the URL's host lets our User-Agent fetch it."""
        parts = urllib.parse.urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            root_lock = self._robots_locks.setdefault(root, threading.Lock())
        with root_lock:  # threads polling the same host read robots.txt once
            if root not in self._robots:
                parser: urllib.robotparser.RobotFileParser | None = None
                try:
                    resp = self.get(root + "/robots.txt", retries=0)
                    parser = urllib.robotparser.RobotFileParser()
                    parser.parse(resp.body.decode("utf-8", "replace").splitlines())
                except FetchError:  # none, or unreachable: nothing is forbidden
                    parser = None
                self._robots[root] = parser
            parser = self._robots[root]
        return parser is None or parser.can_fetch(self.user_agent, url)


# --------------------------------------------------------------------------- one poll

@dataclass
class Page:
    """A feed entry after fetching: a document, or why there is none."""

    url: str  # normalised
    doc: Document | None = None
    error: str | None = None
    permanent: bool = True  # a failure not worth retrying on the next poll
    folded: str | None = None  # fold(doc.text), computed once in the fetch thread


@dataclass
class Poll:
    """What fetching one source found (no store involved)."""

    source: Source
    at: float
    status: str = "ok"  # ok | not_modified | error
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    known_urls: list[str] = field(default_factory=list)  # entries seen before (not fetched again)
    pages: list[Page] = field(default_factory=list)


def fetch_source(source: Source, state: WatchState | None, seen: Callable[[Iterable[str]], set[str]],
                 fetcher: Fetcher, *, max_items: int = 50, max_chars: int = DEFAULT_MAX_CHARS) -> Poll:
    """Fetch the feed (conditionally) and the pages of entries not ``seen`` before. Never raises
    for a network or content problem: it is in the Poll."""
    poll = fetch_feed(source, state, fetcher)
    return fetch_pages(poll, seen, fetcher, max_items=max_items, max_chars=max_chars)


def fetch_feed(source: Source, state: WatchState | None, fetcher: Fetcher) -> Poll:
    """Fetch and parse the feed, conditionally when the state has validators."""
    poll = Poll(source, time.time())
    headers = {}
    if state and state.etag:
        headers["If-None-Match"] = state.etag
    if state and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    try:
        if not fetcher.allowed(source.url):
            raise FetchError("robots.txt disallows the feed")
        resp = fetcher.get(source.url, headers)
        poll.etag = resp.headers.get("etag") or (state.etag if state else None)
        poll.last_modified = resp.headers.get("last-modified") or (state.last_modified if state else None)
        if resp.status == 304:
            poll.status = "not_modified"
            return poll
        poll.entries = parse_feed(resp.body, resp.headers.get("content-type", ""), resp.url)
    except (FetchError, FeedError) as exc:
        poll.status, poll.error = "error", f"feed: {exc}"
    return poll


def fetch_pages(poll: Poll, seen: Callable[[Iterable[str]], set[str]] | set[str], fetcher: Fetcher, *,
                max_items: int = 50, max_chars: int = DEFAULT_MAX_CHARS) -> Poll:
    """Fetch the pages of the poll's entries whose normalised URL is not ``seen`` (at most
    ``max_items``, first in the feed first)."""
    by_url: dict[str, FeedEntry] = {}
    for e in poll.entries:
        by_url.setdefault(normalize_url(e.url), e)
    old = seen if isinstance(seen, set) else seen(by_url)
    poll.known_urls = [u for u in by_url if u in old]
    for url in [u for u in by_url if u not in old][:max_items]:
        poll.pages.append(fetch_page(url, by_url[url], poll.source, fetcher, max_chars=max_chars))
    return poll


def fetch_page(url: str, entry: FeedEntry, source: Source, fetcher: Fetcher, *,
               max_chars: int = DEFAULT_MAX_CHARS) -> Page:
    """Fetch and extract one article page (title, date, main text)."""
    try:
        if not fetcher.allowed(url):
            return Page(url, error="robots.txt disallows the page")
        resp = fetcher.get(url)  # the normalised URL: no tracking parameters sent back
        html = decode_page(resp.body, resp.headers.get("content-type", ""))
        doc = html_document(html, where=url, max_chars=max_chars, doc_id=None, published=None)
    except FetchError as exc:
        return Page(url, error=str(exc), permanent=not exc.transient)
    except InputError as exc:
        return Page(url, error=str(exc).removeprefix(f"{url}: "))
    except Exception as exc:  # noqa: BLE001 - an extractor bug on one page must not stop the source
        return Page(url, error=f"cannot extract: {type(exc).__name__}: {exc}")
    words = len(doc.text.split())
    folded = fold(doc.text)  # once: for khabar.io.is_empty's test here and the shingles later
    if not folded.strip() or words < MIN_WORDS:  # empty (is_empty), a menu or a cookie notice: no article
        return Page(url, error=f"no article text found on the page ({words} words)")
    try:
        check_unicode(doc.text, url)
    except InputError as exc:
        return Page(url, error=str(exc).removeprefix(f"{url}: "))
    published = doc.published or entry.published
    if published is None:
        published = from_http_date(resp.headers.get("last-modified"))
    # doc.id is already khabar.io.article_id(doc.text) (html_document was given no id): not hashed twice
    return Page(url, replace(doc, title=doc.title or entry.title, published=published,
                             source=source.name, url=url, meta={"path": url}), folded=folded)


# --------------------------------------------------------------------------- storing

@dataclass
class SourceReport:
    """What one poll of one source did."""

    source: str
    status: str
    added: int = 0  # new articles stored
    linked: int = 0  # already stored (same or nearly the same text): linked to this source
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    matches: list[dict[str, Any]] = field(default_factory=list)  # alert matches (khabar.monitor.alerts.match_payload)
    alert_errors: list[str] = field(default_factory=list)  # webhook deliveries that failed, settled meanwhile
    fail_streak: int = 0  # feed polls failed in a row, this one included
    next_poll: float | None = None  # epoch seconds of the next attempt

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "status": self.status, "added": self.added, "linked": self.linked,
                "failed": self.failed, "errors": self.errors, "alerts": len(self.matches),
                "fail_streak": self.fail_streak, "next_poll": self.next_poll}


def store_poll(store: Store, poll: Poll, *, stages: tuple[str, ...] | None = None, version: str = "",
               delivery: WebhookDelivery | None = None) -> SourceReport:
    """Write one poll to the store: new articles analysed (here) and stored (and checked against
    the saved alerts), duplicates linked, failures recorded, the source's state and health
    updated. Matches are recorded, then queued on ``delivery`` for their alert's webhook, if any
    (it POSTs them in its own thread: see :func:`record_deliveries`). The watcher with analysis
    workers runs the same steps: :func:`begin_poll`, the analyses elsewhere,
    :func:`store_analysed` for each, :func:`finish_poll`."""
    from ..corpus.ingest import analyze_record

    waiting = Waiting()
    pending = begin_poll(store, poll, waiting)
    while waiting.queued:  # the copies of an article whose analysis failed are analysed in turn
        results = []
        for _, job in waiting.take_queued():
            try:
                result: Any = analyze_record(job.page.doc.id, job.rec, stages)  # type: ignore[union-attr]
            except Exception as exc:  # noqa: BLE001 - one bad article never stops the source
                result = f"cannot store: {type(exc).__name__}: {exc}"
            results.append((job, result))
        store_analysed(store, waiting, pending, results, version)
    return finish_poll(store, pending, delivery)


@dataclass
class NewArticle:
    """A page whose text is not stored yet, waiting for its analysis (or for its original's).
    It keeps what storing it and the re-check after the analysis need, no more: the shingles
    and the folded text are dropped once it is checked (a backlog of them held 150 MB)."""

    page: Page
    signature: np.ndarray
    bands: list[int]
    rec: dict[str, Any]  # what khabar.corpus.ingest.analyze_record takes


@dataclass
class PollInProgress:
    """A poll whose duplicates and failures are written, its new articles still to store."""

    poll: Poll
    report: SourceReport
    alerts: list[Alert]
    waiting: int = 0  # new articles not yet stored or linked
    analysing: int = 0  # ... of which queued for or in analysis
    results: list[tuple[NewArticle, Any]] = field(default_factory=list)  # analyses back, not yet written


class Waiting:
    """The new articles taken in and not yet stored: queued for analysis, in analysis, or copies
    waiting for their original's analysis. An article found here by content id or near-duplicate
    signature (as :func:`_link_duplicate` finds stored ones) is not analysed a second time: it
    follows the one taken in first and is linked to it once that is stored (analysed again only
    if that one fails). ``limit``: :func:`watch` takes a poll in only while it fits."""

    def __init__(self, limit: int = MAX_WAITING) -> None:
        self.limit = limit
        self.count = 0  # articles waiting, followers included
        self.peak = 0
        self.queued: deque[tuple[PollInProgress, NewArticle]] = deque()  # not yet handed to a worker
        self._jobs: dict[str, NewArticle] = {}  # content id -> the article analysed for it
        self._bands: dict[int, list[str]] = {}
        self._followers: dict[str, list[tuple[PollInProgress, NewArticle]]] = {}

    def room_for(self, n: int) -> bool:
        """Whether ``n`` more articles may be taken in (always, when none waits)."""
        return self.count == 0 or self.count + n <= self.limit

    def take(self, pending: PollInProgress, job: NewArticle, grams: frozenset[str]) -> None:
        """Queue the article for analysis, or make it follow the copy of it that waits already."""
        self.count += 1
        self.peak = max(self.peak, self.count)
        pending.waiting += 1
        leader = self._leader(job, grams)
        if leader is not None:
            self._followers[leader].append((pending, job))
        else:
            self._analyse(pending, job)

    def _leader(self, job: NewArticle, grams: frozenset[str]) -> str | None:
        cid = job.page.doc.id  # type: ignore[union-attr]
        if cid in self._jobs:
            return cid
        ids = {c for b in job.bands for c in self._bands.get(b, ())}
        if not ids:
            return None
        return confirmed_duplicate(job.page.doc.text, job.signature,  # type: ignore[union-attr]
                                   [(c, signature_bytes(self._jobs[c].signature)) for c in sorted(ids)],
                                   lambda c: self._jobs[c].page.doc.text, grams)  # type: ignore[union-attr]

    def _analyse(self, pending: PollInProgress, job: NewArticle, first: bool = False) -> None:
        cid = job.page.doc.id  # type: ignore[union-attr]
        self._jobs[cid] = job
        for b in set(job.bands):
            self._bands.setdefault(b, []).append(cid)
        self._followers[cid] = []
        pending.analysing += 1
        if first:
            self.queued.appendleft((pending, job))
        else:
            self.queued.append((pending, job))

    def take_queued(self) -> list[tuple[PollInProgress, NewArticle]]:
        out = list(self.queued)
        self.queued.clear()
        return out

    def settled(self, job: NewArticle) -> list[tuple[PollInProgress, NewArticle]]:
        """The article is stored or failed: it waits no more; its followers, which the caller
        links to it or, when it failed, gives back with :meth:`retry`."""
        cid = job.page.doc.id  # type: ignore[union-attr]
        self._jobs.pop(cid, None)
        for b in set(job.bands):
            ids = self._bands.get(b)
            if ids is not None and cid in ids:
                ids.remove(cid)
                if not ids:
                    del self._bands[b]
        self.count -= 1
        return self._followers.pop(cid, [])

    def linked(self) -> None:
        """A follower was linked to its stored original."""
        self.count -= 1

    def retry(self, followers: list[tuple[PollInProgress, NewArticle]]) -> None:
        """The original failed: its first follower is analysed (next), the others follow it."""
        (pending, job), rest = followers[0], followers[1:]
        self._analyse(pending, job, first=True)
        self._followers[job.page.doc.id].extend(rest)  # type: ignore[union-attr]

    def clear(self) -> None:
        self.queued.clear()
        self._jobs.clear()
        self._bands.clear()
        self._followers.clear()
        self.count = 0


def begin_poll(store: Store, poll: Poll, waiting: Waiting) -> PollInProgress:
    """Link what is known (the URL, the same or nearly the same text, stored or waiting in
    ``waiting``), record failed pages, and hand the new articles to ``waiting``; one commit."""
    src = poll.source
    pending = PollInProgress(poll, SourceReport(src.name, poll.status), store.alerts())
    with store.transaction():  # one commit for the poll's links and failures, not one each
        for url in poll.known_urls:
            _link_known(store, url, src, pending.report)
        for page in poll.pages:
            checked = _checked(store, page, src, pending.report)
            if checked is not None:
                waiting.take(pending, *checked)
    return pending


def _checked(store: Store, page: Page, src: Source, report: SourceReport
             ) -> tuple[NewArticle, frozenset[str]] | None:
    try:
        return _check_page(store, page, src, report)
    except Exception as exc:  # one bad article never stops the source (store errors do)
        if isinstance(exc, store_errors()):
            raise
        _page_failed(store, page.url, src, report, f"cannot store: {type(exc).__name__}: {exc}", True)
        return None


def store_analysed(store: Store, waiting: Waiting, pending: PollInProgress,
                   results: Sequence[tuple[NewArticle, Any]], version: str) -> list[PollInProgress]:
    """Store a poll's analysed articles ((dict, index fields) from analyze_record, or an error
    message), in one transaction (one commit, one full-text index segment), and link the
    copies that waited for them. Analyses run in parallel, so a copy of an article may have been
    stored since :func:`begin_poll` looked (by another process): then it is linked to that one.
    Returns the polls whose last article this was (to finish)."""
    touched = [pending]
    with store.transaction():
        for job, result in results:
            _store_one(store, pending, job, result, version)
            followers = waiting.settled(job)
            pending.waiting -= 1
            if not followers:
                continue
            aid = store.seen_article(job.page.url)
            if aid is None:  # its analysis failed: a copy may fare better
                waiting.retry(followers)
                continue
            for fpending, fjob in followers:
                _link_page(store, aid, fjob.page, fpending.poll.source, fpending.report)
                waiting.linked()
                fpending.waiting -= 1
                touched.append(fpending)
    return [p for i, p in enumerate(touched) if p.waiting == 0 and p not in touched[:i]]


def _store_one(store: Store, pending: PollInProgress, job: NewArticle, result: Any, version: str) -> None:
    src, report, page = pending.poll.source, pending.report, job.page
    try:
        if isinstance(result, str):
            _page_failed(store, page.url, src, report, result, True)
            return
        if _link_duplicate(store, page, job.signature, job.bands, src, report):
            return
        d, fts = result
        cid = page.doc.id  # type: ignore[union-attr]
        with store.transaction():
            store.add_article(d, content_id=cid, path=page.url, pipeline_version=version, fts=fts)
            store.add_minhash(cid, signature_bytes(job.signature), job.bands)
            store.link_source(cid, src.name, page.url)
            store.mark_seen(page.url, src.name, cid)
            found = record_alert_matches(store, pending.alerts, d, cid)
            queue_matches(store, pending.alerts, found)  # kept until delivered, whatever happens next
        report.added += 1
        report.matches.extend(found)
    except Exception as exc:  # one bad article never stops the source (store errors do)
        if isinstance(exc, store_errors()):
            raise
        _page_failed(store, page.url, src, report, f"cannot store: {type(exc).__name__}: {exc}", True)


def finish_poll(store: Store, pending: PollInProgress, delivery: WebhookDelivery | None = None) -> SourceReport:
    """Update the source's state and health after its poll, hand the webhook deliveries due
    (this poll's matches, kept in the outbox, among them) to ``delivery``."""
    poll, report, alerts = pending.poll, pending.report, pending.alerts
    src = poll.source
    if poll.error:
        report.failed += 1
        report.errors.append(poll.error)
    old = store.watch_state(src.name) or WatchState(src.name, src.url)
    last_error = report.errors[-1] if report.errors else None
    # Only the feed counts: a source whose pages fail is alive; a dead feed backs off.
    report.fail_streak = old.fail_streak + 1 if poll.status == "error" else 0
    report.next_poll = poll.at + backoff_interval(src.interval, report.fail_streak)
    state = replace(
        old, url=src.url, country=src.country, etag=poll.etag if poll.status != "error" else old.etag,
        last_modified=poll.last_modified if poll.status != "error" else old.last_modified,
        first_poll=old.first_poll or poll.at, last_poll=poll.at,
        last_success=poll.at if poll.status != "error" else old.last_success,
        last_error=last_error or old.last_error, last_error_at=poll.at if last_error else old.last_error_at,
        polls=old.polls + 1, errors=old.errors + report.failed, articles=old.articles + report.added,
        fail_streak=report.fail_streak, next_poll=report.next_poll)
    with store.transaction():
        store.save_watch_state(state)
    if delivery is not None and any(a.webhook for a in alerts):
        submit_due(store, delivery)
    return report


def record_deliveries(store: Store, results: Sequence[DeliveryResult],
                      on_delivery: Callable[[DeliveryResult], None] | None = None) -> list[str]:
    """Count settled webhook deliveries in their alerts' status and the delivery outbox (in
    this, the store's thread: :func:`khabar.monitor.outbox.settle`); the failures as messages."""
    if not results:
        return []
    results = settle(store, results)
    for r in results:
        if on_delivery:
            on_delivery(r)
    return [f"alert {r.alert!r}: webhook {r.error}" + ("; kept for a later attempt" if r.kept else "")
            for r in results if r.error]


def store_errors() -> tuple[type[BaseException], ...]:
    """Errors of the store itself (full disk, damaged file): they stop the watcher, not a page."""
    from ..corpus.store import DatabaseError, StoreError

    return (StoreError, DatabaseError)


def _page_failed(store: Store, url: str, src: Source, report: SourceReport, reason: str, permanent: bool) -> None:
    report.failed += 1
    report.errors.append(f"{url}: {reason}")
    with store.transaction():
        store.record_failure(url, None, reason)
        if permanent:  # else the next poll tries again
            store.mark_seen(url, src.name, None)


def _link_known(store: Store, url: str, src: Source, report: SourceReport) -> None:
    """A URL handled before (maybe from another source): link its article to this source."""
    aid = store.seen_article(url)
    if aid:
        with store.transaction():
            if store.link_source(aid, src.name, url):
                report.linked += 1


def _check_page(store: Store, page: Page, src: Source, report: SourceReport
                ) -> tuple[NewArticle, frozenset[str]] | None:
    """Link or fail the page if it holds nothing new; else what its analysis needs, and its
    shingles (to find a copy of it among the articles waiting)."""
    if store.seen_urls([page.url]):  # another source of this round had the same URL
        _link_known(store, page.url, src, report)
        return None
    if page.doc is None:
        _page_failed(store, page.url, src, report, page.error or "no article", page.permanent)
        return None
    doc = page.doc
    if store.has_article(doc.id):  # the very text is stored: linked without computing a signature
        _link_page(store, doc.id, page, src, report)
        return None
    grams = shingles(doc.text, folded=page.folded)
    page.folded = None  # needed no more: not kept while the article waits
    sig = minhash_of(grams)
    bands = lsh_bands(sig)
    if _link_duplicate(store, page, sig, bands, src, report, grams):
        return None
    return NewArticle(page, sig, bands, {"id": doc.id, "text": doc.text, "title": doc.title,
                                         "published": doc.published, "source": doc.source, "url": doc.url}), grams


def _link_duplicate(store: Store, page: Page, sig: np.ndarray, bands: list[int], src: Source,
                    report: SourceReport, grams: frozenset[str] | None = None) -> bool:
    """Link the page to a stored article with the same or nearly the same text, if any."""
    cid = page.doc.id  # type: ignore[union-attr]
    # a near duplicate is confirmed on the texts themselves: the estimate alone is too coarse
    same = cid if store.has_article(cid) else confirmed_duplicate(
        page.doc.text, sig, store.minhash_candidates(bands), store.article_text, grams)  # type: ignore[union-attr]
    if same is None:
        return False
    _link_page(store, same, page, src, report)
    return True


def _link_page(store: Store, same: str, page: Page, src: Source, report: SourceReport) -> None:
    """Record that the page holds the stored article ``same``."""
    with store.transaction():
        store.link_source(same, src.name, page.url)
        store.mark_seen(page.url, src.name, same)
    report.linked += 1


# --------------------------------------------------------------------------- the loop

def watch(store: Store, sources: Sequence[Source], fetcher: Fetcher, *, once: bool = False,
          stop: threading.Event | None = None, fetchers: int = 8, workers: int = 1,
          stages: tuple[str, ...] | None = None,
          max_chars: int = DEFAULT_MAX_CHARS, max_items: int = 50,
          on_report: Callable[[SourceReport], None] | None = None, delivery: WebhookDelivery | None = None,
          drain: float = DRAIN_SECONDS, on_delivery: Callable[[DeliveryResult], None] | None = None,
          waiting: Waiting | None = None) -> list[SourceReport]:
    """Poll every source (each at its own interval) until ``stop`` is set, or once each when
    ``once``. Feeds and pages are fetched in ``fetchers`` threads; de-duplication and writes
    happen in this thread, and the analysis too with ``workers`` 1, else in that many worker
    processes (:class:`~khabar.monitor.analysis_pool.AnalysisPool`), the articles of several sources at
    once, each poll's stored in one transaction when their analyses are back (every article
    once: a copy of an article waiting for its analysis waits for it and is linked, not
    analysed again). With workers, at most ``waiting.limit`` new articles wait (default
    :class:`Waiting` with ``khabar.settings.MAX_WAITING``; pass one to read its ``peak``
    afterwards): beyond, no more feeds are fetched until some are stored. A source whose feed is failing waits out its backoff (kept
    in the store, so also across restarts and ``once`` runs: such a source gets a report with
    status ``backoff``). Alert matches go to their webhooks through ``delivery`` (by default a
    :class:`~khabar.monitor.delivery.WebhookDelivery` of this run, closed at the end with ``drain``
    seconds to deliver what waits); each settled delivery is counted in its alert's status and
    passed to ``on_delivery``. Returns the reports of every poll."""
    from ..corpus.ingest import pipeline_version

    stop = stop or threading.Event()
    refingerprint(store)  # signatures stored under an older scheme are recomputed once
    version = pipeline_version(stages)
    own_delivery = delivery is None
    delivery = delivery or WebhookDelivery()
    try:
        return _watch(store, sources, fetcher, once=once, stop=stop, fetchers=fetchers, workers=workers,
                      stages=stages,
                      max_chars=max_chars, max_items=max_items, on_report=on_report, delivery=delivery,
                      version=version, on_delivery=on_delivery, waiting=waiting or Waiting())
    finally:
        if own_delivery:  # a clean stop: what waits is delivered within the drain time, else reported
            record_deliveries(store, delivery.close(drain), on_delivery)


# long: the watch loop (schedule, fetch, hand to the analysis pool, store, back off) read as one
def _watch(store: Store, sources: Sequence[Source], fetcher: Fetcher, *, once: bool, stop: threading.Event,
           fetchers: int, workers: int, stages: tuple[str, ...] | None, max_chars: int, max_items: int,
           on_report: Callable[[SourceReport], None] | None, delivery: WebhookDelivery, version: str,
           on_delivery: Callable[[DeliveryResult], None] | None, waiting: Waiting) -> list[SourceReport]:
    due = {s.name: _first_due(store.watch_state(s.name)) for s in sources}
    reports: list[SourceReport] = []
    if once:
        for s in sources:
            if due[s.name] > time.monotonic():
                st = store.watch_state(s.name)
                report = SourceReport(s.name, "backoff", fail_streak=st.fail_streak if st else 0,
                                      next_poll=st.next_poll if st else None)
                reports.append(report)
                if on_report:
                    on_report(report)
    # The analysis processes are forked before any thread of ours starts (see analysis_pool), the
    # webhook threads included: deliveries kept from earlier runs are submitted after that.
    analysis = AnalysisPool(workers, stages) if workers > 1 else None
    analysing: dict[Future[Any], tuple[PollInProgress, NewArticle]] = {}
    to_fetch: deque[Source] = deque()  # due, not yet fetched
    fetched: deque[Poll] = deque()  # pages fetched, waiting for room among the articles waiting

    def stored(s: Source, report: SourceReport) -> None:
        """A poll written in full: deliveries settled meanwhile, the next poll, the report."""
        report.alert_errors += record_deliveries(store, delivery.results(), on_delivery)
        due[s.name] = time.monotonic() + backoff_interval(s.interval, report.fail_streak)
        reports.append(report)
        if on_report:
            on_report(report)

    def feed_workers() -> None:
        while waiting.queued and len(analysing) < 2 * workers:  # a little read-ahead
            pending, job = waiting.queued.popleft()
            analysing[analysis.submit(job.page.doc.id, job.rec)] = (pending, job)  # type: ignore[union-attr]

    def take_in() -> None:
        """Polls fetched go to de-duplication and analysis while the articles waiting leave room."""
        while fetched and waiting.room_for(len(fetched[0].pages)):
            pending = begin_poll(store, fetched.popleft(), waiting)
            if not pending.waiting:
                stored(pending.poll.source, finish_poll(store, pending, delivery))
        feed_workers()

    try:
        with ThreadPoolExecutor(max_workers=max(1, fetchers), thread_name_prefix="khabar-watch") as pool:
            fetching: dict[Future[Poll], tuple[Source, str]] = {}

            def fetch_more() -> None:
                """Fetch due feeds, ``fetchers`` at a time, while the articles waiting leave room."""
                held = sum(len(p.pages) for p in fetched)
                while to_fetch and len(fetching) < max(1, fetchers) and waiting.count + held < waiting.limit:
                    s = to_fetch.popleft()
                    fetching[pool.submit(fetch_feed, s, store.watch_state(s.name), fetcher)] = (s, "feed")

            while not stop.is_set():
                record_deliveries(store, delivery.results(), on_delivery)
                submit_due(store, delivery)  # kept in the outbox: from earlier runs, or failed and due again
                now = time.monotonic()
                # Threads only fetch; the store is read and written here (one connection, one thread).
                to_fetch.extend(s for s in sources if due[s.name] <= now)
                fetch_more()
                while fetching or analysing:
                    if stop.is_set():  # stopping: what is stored stays, unfinished work is dropped
                        for fut in fetching:
                            fut.cancel()
                        break
                    done, _ = wait([*fetching, *analysing], return_when=FIRST_COMPLETED)
                    for fut in done:
                        if fut in analysing:
                            pending, job = analysing.pop(fut)
                            pending.results.append((job, result_of(fut)))
                            pending.analysing -= 1
                            if pending.analysing == 0:  # the poll's analyses are back: written at once
                                results, pending.results = pending.results, []
                                for p in store_analysed(store, waiting, pending, results, version):
                                    stored(p.poll.source, finish_poll(store, p, delivery))
                            continue
                        s, step = fetching.pop(fut)
                        try:
                            poll = fut.result()
                        except Exception as exc:  # noqa: BLE001 - a bug on one source must not stop the others
                            poll = Poll(s, time.time(), status="error", error=f"{type(exc).__name__}: {exc}")
                        if step == "feed" and poll.entries:
                            urls = {normalize_url(e.url) for e in poll.entries}
                            fetching[pool.submit(fetch_pages, poll, store.seen_urls(urls), fetcher,
                                                 max_items=max_items, max_chars=max_chars)] = (s, "pages")
                            continue
                        if analysis is None:  # analysed here, one page after another
                            stored(s, store_poll(store, poll, stages=stages, version=version, delivery=delivery))
                        else:
                            fetched.append(poll)
                    take_in()
                    fetch_more()
                if once:
                    break
                stop.wait(_next_wake(store, delivery, due))
    finally:
        if analysis is not None:  # stopping: queued analyses are dropped (their pages are fetched again)
            waiting.clear()
            fetched.clear()
            analysis.close(cancel=bool(analysing) or stop.is_set())
    return reports


def _next_wake(store: Store, delivery: WebhookDelivery, due: dict[str, float]) -> float:
    """Seconds until the next source is due or, at least a second from now, the next delivery
    (settled ones are collected then, due ones submitted)."""
    wait = max(0.0, min(due.values()) - time.monotonic()) if due else 1.0
    nxt = store.next_delivery_due()
    if delivery.pending() or nxt is not None:
        wait = min(wait, max(1.0, (nxt or 0.0) - time.time()))
    return wait


def _first_due(state: WatchState | None) -> float:
    """Monotonic time of a source's first poll in this run: now, unless its feed is failing and
    the stored backoff (epoch seconds) is not over."""
    if state is None or not state.fail_streak or state.next_poll is None:
        return 0.0
    return time.monotonic() + max(0.0, state.next_poll - time.time())
