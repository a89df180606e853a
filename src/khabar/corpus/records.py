"""The records the store's queries return (frozen dataclasses with ``to_dict`` for the CLI and API)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any


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
    fail_streak: int = 0  # feed polls that failed in a row (0 after a success)
    next_poll: float | None = None  # when the watcher polls next (pushed out while failing)

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
    delivered: int = 0  # matches POSTed to the webhook
    failed: int = 0  # matches whose delivery failed for good (after retries)
    last_error: str | None = None  # why the last failed delivery failed
    last_error_at: float | None = None
    waiting: int = 0  # matches in the delivery outbox, to be tried (again)
    dead: int = 0  # matches given up (khabar alert retry queues them again)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A match waiting in the delivery outbox for its alert's webhook (khabar.monitor.outbox)."""

    id: int
    alert: str
    article_id: str
    webhook: str
    payload: str  # the JSON body
    attempts: int  # POSTs made so far, every run together
    rounds: int  # delivery rounds that failed
    created: float


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
