"""Corpus views: library functions over a :class:`~khabar.corpus.store.Store` that the CLI, the REST
API and the web UI all call. Each returns plain dataclasses with ``to_dict()`` (JSON-ready).

- :func:`search`: ranked full-text search with snippets and filters.
- :func:`entity_profile`: an entity across the corpus (mentions over time, co-occurring
  entities, its quotes, quotes about it, its events).
- :func:`who_said` / :func:`quotes_about_view` / :func:`quotes`: who said what.
- :func:`events` / :func:`timeline`: dated events in order.
- :func:`stories`: clusters of articles about the same story, with a representative title.
- :func:`article`, :func:`entities`, :func:`resolve_entities`: single records and listings.
- :func:`most_quoted`: the named people and organisations quoted most.

Entities are named the way a user would: an Arabic name (any spelling that normalises the same),
an English name, a KB id or ``#<entity id>``. An unknown name raises :class:`NotFound`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ..dates import date_ordinal
from ..errors import NotFound  # defined in khabar.errors (stable codes)
from ..io import unescape
from .store import EntityRecord, EventRecord, QuoteRecord, SearchPage, Store

# --------------------------------------------------------------------------- entities

def resolve_entities(store: Store, name_or_id: str | int) -> list[EntityRecord]:
    """The entities a name stands for: every exact or alias match (the same person may be stored
    under a KB id and under a name), else the best partial match. Raises :class:`NotFound`."""
    kind, cands = store.resolve_entity_match(name_or_id)
    if not cands:
        why = "" if store.has_entities() else " (it holds no entities: ingest with a pipeline that has the entities stage)"
        raise NotFound(f"no entity matches {name_or_id!r} in {store.path}{why}")
    if kind in ("exact", "alias", "id"):
        return cands
    return cands[:1]


def article(store: Store, article_id: str) -> dict[str, Any]:
    """The stored khabar.article/1 dict of an article (by store id or the input's id)."""
    d = store.get_article(article_id)
    if d is None:
        raise NotFound(f"no article {article_id!r} in {store.path}")
    return d


def entities(store: Store, type: str | None = None, limit: int = 50, offset: int = 0) -> list[EntityRecord]:
    """Entities ranked by the number of articles that mention them (optionally of one type)."""
    return store.entities(type=type, limit=limit, offset=offset)


def _ids(ents: Sequence[EntityRecord]) -> list[int]:
    return [e.id for e in ents]


def search(store: Store, query: str = "", date_from: str | None = None, date_to: str | None = None,
           source: str | None = None, entity: str | int | None = None, limit: int = 20,
           offset: int = 0) -> SearchPage:
    """Full-text search (see :meth:`Store.search`); raises :class:`khabar.corpus.store.QueryError` for
    a query with nothing to search and :class:`NotFound` for an unknown entity."""
    ids = _ids(resolve_entities(store, entity)) if entity not in (None, "") else None  # type: ignore[arg-type]
    return store.search(query, date_from=date_from, date_to=date_to, source=source, entity=ids,
                        limit=limit, offset=offset)


@dataclass(frozen=True)
class EntityProfile:
    entity: EntityRecord
    merged: tuple[EntityRecord, ...]  # every stored entity the name stands for (entity first)
    over_time: tuple[tuple[str, int, int], ...]  # (period, articles, mentions)
    cooccurring: tuple[tuple[EntityRecord, int], ...]  # (entity, shared articles)
    quotes: tuple[QuoteRecord, ...]  # said by the entity, newest first
    quotes_about: tuple[QuoteRecord, ...]  # mentioning the entity, newest first
    events: tuple[EventRecord, ...]  # as actor or location, newest first
    articles: int
    mentions: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity.to_dict(), "merged": [e.to_dict() for e in self.merged],
            "articles": self.articles, "mentions": self.mentions,
            "over_time": [{"period": p, "articles": a, "mentions": m} for p, a, m in self.over_time],
            "cooccurring": [{**e.to_dict(), "shared_articles": n} for e, n in self.cooccurring],
            "quotes": [q.to_dict() for q in self.quotes],
            "quotes_about": [q.to_dict() for q in self.quotes_about],
            "events": [v.to_dict() for v in self.events],
        }


def entity_profile(store: Store, name_or_id: str | int, *, granularity: str = "month", top: int = 10,
                   quotes_limit: int = 10, events_limit: int = 20) -> EntityProfile:
    """Profile of an entity across the corpus. ``granularity`` is day, month or year."""
    ents = resolve_entities(store, name_or_id)
    ids = _ids(ents)
    over_time = tuple(store.mentions_over_time(ids, granularity))
    return EntityProfile(
        entity=ents[0], merged=tuple(ents), over_time=over_time,
        cooccurring=tuple(store.cooccurring(ids, top)),
        quotes=tuple(store.quotes(speaker=ids, limit=quotes_limit)),
        quotes_about=tuple(store.quotes(about=ids, limit=quotes_limit)),
        events=tuple(store.events(actor=ids, limit=events_limit, newest_first=True)),
        articles=sum(e.articles or 0 for e in ents), mentions=sum(e.mentions or 0 for e in ents),
    )


# --------------------------------------------------------------------------- most quoted

SPEAKER_TYPES = ("PER", "ORG")


def is_generic_name(name: str) -> bool:
    """True when a name names no one in particular: every word is a pronoun, a function word or
    a common noun such as التقرير (the report), المصادر (the sources) or الشركة (the company)."""
    from ..analysis.generic_words import load_generic_words
    from ..analysis.summary import key, load_stopwords
    from ..analysis.text.normalize import normalize

    generic, stop = load_generic_words(), load_stopwords()
    norms = [(normalize(w).text, w) for w in name.split()]
    return all(generic.names_no_one(n) or n in stop or key(w) in stop for n, w in norms)


@dataclass(frozen=True)
class SpeakerCount:
    entity: EntityRecord
    quotes: int

    def to_dict(self) -> dict[str, Any]:
        return {**self.entity.to_dict(), "count": self.quotes}


def most_quoted(store: Store, limit: int = 10) -> list[SpeakerCount]:
    """Speakers by number of quotes, most first, counting only real named entities: a person or
    organisation (PER, ORG) named at least once by a name (not only by a title or a noun phrase)
    whose name is not generic (:func:`is_generic_name`). Quotes the analysis gave to "لي" (to me)
    or "المصادر" (the sources) say nothing about who is quoted most."""
    out = []
    for entity, n in store.quoted_speakers(SPEAKER_TYPES):
        if not is_generic_name(entity.name):
            out.append(SpeakerCount(entity, n))
            if len(out) == limit:
                break
    return out


# --------------------------------------------------------------------------- quotes and events

@dataclass(frozen=True)
class QuoteList:
    """Quotes with the entities the name resolved to (``entities`` is empty without a name)."""

    entities: tuple[EntityRecord, ...]
    quotes: tuple[QuoteRecord, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"entities": [e.to_dict() for e in self.entities], "quotes": [q.to_dict() for q in self.quotes]}


def quotes(store: Store, speaker: str | int | None = None, about: str | int | None = None,
           date_from: str | None = None, date_to: str | None = None, limit: int = 50,
           offset: int = 0) -> QuoteList:
    """Quotes newest first, by a speaker and/or about an entity (names resolved as in
    :func:`resolve_entities`)."""
    found: list[EntityRecord] = []
    sp = ab = None
    if speaker not in (None, ""):
        ents = resolve_entities(store, speaker)  # type: ignore[arg-type]
        found += ents
        sp = _ids(ents)
    if about not in (None, ""):
        ents = resolve_entities(store, about)  # type: ignore[arg-type]
        found += ents
        ab = _ids(ents)
    rows = store.quotes(speaker=sp, about=ab, date_from=date_from, date_to=date_to, limit=limit, offset=offset)
    return QuoteList(tuple(found), tuple(rows))


def who_said(store: Store, name: str | int, date_from: str | None = None, date_to: str | None = None,
             limit: int = 50, offset: int = 0) -> QuoteList:
    """Every quote attributed to a speaker, newest first."""
    return quotes(store, speaker=name, date_from=date_from, date_to=date_to, limit=limit, offset=offset)


def quotes_about_view(store: Store, name: str | int, date_from: str | None = None, date_to: str | None = None,
                      limit: int = 50, offset: int = 0) -> QuoteList:
    """Quotes whose text mentions an entity (by anyone but the entity itself), newest first."""
    return quotes(store, about=name, date_from=date_from, date_to=date_to, limit=limit, offset=offset)


def events(store: Store, actor: str | int | None = None, type: str | None = None, date_from: str | None = None,
           date_to: str | None = None, limit: int = 100, offset: int = 0,
           newest_first: bool = False) -> list[EventRecord]:
    """Events with an entity as actor or location and/or of a PLOVER type, in date order."""
    ids = _ids(resolve_entities(store, actor)) if actor not in (None, "") else None  # type: ignore[arg-type]
    return store.events(actor=ids, type=type, date_from=date_from, date_to=date_to, limit=limit, offset=offset,
                        newest_first=newest_first)


def timeline(store: Store, entity: str | int | None = None, date_from: str | None = None,
             date_to: str | None = None, type: str | None = None, limit: int = 200) -> list[EventRecord]:
    """Dated events, oldest first (an event's date is its time expression when that names a
    day or month, else its article's publication date)."""
    return events(store, actor=entity, type=type, date_from=date_from, date_to=date_to, limit=limit)


# --------------------------------------------------------------------------- stories

@dataclass(frozen=True)
class StoryArticle:
    id: str
    title: str | None
    published: str | None
    source: str | None
    similarity: float  # cosine to the story's representative article


@dataclass(frozen=True)
class Story:
    """Articles about the same story; ``title`` is the representative article's title."""

    id: int
    title: str
    date_from: str | None
    date_to: str | None
    sources: tuple[str, ...]
    keywords: tuple[str, ...]
    articles: tuple[StoryArticle, ...]

    @property
    def size(self) -> int:
        return len(self.articles)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["size"] = self.size
        return d


def article_vector(analysis: dict[str, Any], entity_ids: Sequence[int], text: str | None = None) -> dict[str, float]:
    """Features of an article for story matching: its topics (keywords with scores), its title
    words and the corpus entities it names; L2-normalised."""
    from ..analysis.summary import load_stopwords
    from .store import index_words

    stop = load_stopwords()
    vec: dict[str, float] = defaultdict(float)
    for t in analysis.get("topics") or []:
        vec["t:" + " ".join(index_words(str(t["label"])))] += float(t.get("score", 1.0))
    # Scraped titles may keep HTML entities (&quot;): as words they would join unrelated articles.
    title = unescape(analysis.get("title") or "")  # stores made before input decoding kept "&quot;"
    title_words = [w for w in index_words(title) if len(w) > 2 and w not in stop]
    for w in title_words:
        vec["t:" + w] += 0.5
    if not analysis.get("topics") and text:
        words = [w for w in index_words(text[:1500]) if len(w) > 3]
        for w in words:
            vec["t:" + w] += 1.0 / len(words)
    for e in entity_ids:
        vec[f"e:{e}"] += 0.3
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {k: v / norm for k, v in vec.items()}


# long: the clustering steps (signatures, candidate pairs, links, cohesion check) share their tables
def stories(store: Store, date_from: str | None = None, date_to: str | None = None, source: str | None = None,
            *, window_days: int = 2, threshold: float = 0.45, min_size: int = 2, limit: int = 50,
            max_df: float = 0.05, cohesion: float | None = None) -> list[Story]:
    """Clusters of articles about the same story: near-duplicates and the same event covered by
    several sources. Two articles are candidates when they are published within ``window_days``
    of each other and the cosine of their features (:func:`article_vector`) is at least
    ``threshold``. Candidate pairs are taken most similar first, and two clusters merge only
    when their average link (the mean cosine over every pair of their members) is at least
    ``cohesion`` (default: ``threshold``): every member is similar to the story as a whole, not
    just to one neighbour, so no chain of pairs joins unrelated articles. Features found in more
    than ``max_df`` of the articles are not used to find candidates (too common to say two
    articles share a story). Biggest first."""
    from .store import index_words

    rows = list(store.article_signatures(date_from, date_to, source))
    n = len(rows)
    if n == 0:
        return []
    vecs, days = [], []
    for cid, _title, pub, _src, analysis, ents in rows:
        text = store.article_text(cid) if not analysis.get("topics") else None
        vecs.append(article_vector(analysis, ents, text))
        days.append(date_ordinal(pub))
    df: dict[str, int] = defaultdict(int)
    for v in vecs:
        for k in v:
            df[k] += 1
    cap = max(20, int(max_df * n))
    postings: dict[str, list[int]] = defaultdict(list)

    # Common features are not used to find candidates; they still count in the exact cosine.
    common_max = {k: 0.0 for k in df if df[k] > cap}
    for v in vecs:
        for k in v.keys() & common_max.keys():
            common_max[k] = max(common_max[k], v[k])
    sims: dict[tuple[int, int], float] = {}
    for i, v in enumerate(vecs):  # rows come in date order
        partial: dict[int, float] = defaultdict(float)
        slack = 0.0  # the most the common features can add to a cosine with article i
        for k, val in v.items():
            if df[k] > cap:
                slack += val * common_max[k]
                continue
            plist = postings[k]
            j = len(plist) - 1
            while j >= 0:
                o = plist[j]
                if days[i] is not None and days[o] is not None and days[i] - days[o] > window_days:
                    break
                if (days[i] is None) == (days[o] is None):
                    partial[o] += val * vecs[o][k]
                j -= 1
            plist.append(i)
        for o, part in partial.items():
            if part + slack < threshold:
                continue
            w = vecs[o]
            small, big = (v, w) if len(v) <= len(w) else (w, v)
            s = sum(val * big.get(k, 0.0) for k, val in small.items())
            if s >= threshold:
                sims[(o, i)] = s
    clusters = [g for g in _average_link(vecs, sims, threshold if cohesion is None else cohesion)
                if len(g) >= min_size]
    clusters.sort(key=lambda g: (-len(g), rows[g[0]][2] or ""))
    out = []
    for sid, g in enumerate(clusters[:limit], 1):
        # Representative: the article most similar to the others (medoid).
        def centrality(i: int) -> float:
            return sum(sims.get((min(i, j), max(i, j)), 0.0) for j in g if j != i)  # noqa: B023 - used at once
        rep = max(g, key=centrality)
        rv = vecs[rep]
        centroid: dict[str, float] = defaultdict(float)
        labels: dict[str, str] = {}
        for i in g:
            for k, val in vecs[i].items():
                if k.startswith("t:"):
                    centroid[k] += val
            for t in rows[i][4].get("topics") or []:  # show topics as the articles write them
                labels.setdefault("t:" + " ".join(index_words(str(t["label"]))), str(t["label"]))
        keywords = tuple(labels.get(k, k[2:]) for k, _ in sorted(centroid.items(), key=lambda kv: -kv[1])[:6])
        arts = tuple(StoryArticle(rows[i][0], rows[i][1], rows[i][2], rows[i][3],
                                  round(sum(val * vecs[i].get(k, 0.0) for k, val in rv.items()), 3)) for i in g)
        pubs = sorted(a.published for a in arts if a.published)
        title = rows[rep][1] or _first_words(store.article_text(rows[rep][0]) or "")
        out.append(Story(sid, title, pubs[0] if pubs else None, pubs[-1] if pubs else None,
                         tuple(sorted({a.source for a in arts if a.source})), keywords,
                         tuple(sorted(arts, key=lambda a: (a.published or "", a.id)))))
    return out


def _average_link(vecs: list[dict[str, float]], sims: dict[tuple[int, int], float], cohesion: float
                  ) -> list[list[int]]:
    """Greedy average-linkage clustering over the candidate pairs, most similar first. Each
    cluster keeps the sum of its members' (unit) vectors, so the mean cosine over all pairs of
    two clusters is one sparse dot product: dot(sum A, sum B) / (|A| |B|)."""
    members: dict[int, list[int]] = {i: [i] for i in range(len(vecs))}
    sums: dict[int, dict[str, float]] = {i: dict(v) for i, v in enumerate(vecs)}
    owner = list(range(len(vecs)))
    for (i, j), _s in sorted(sims.items(), key=lambda kv: (-kv[1], kv[0])):
        a, b = owner[i], owner[j]
        if a == b:
            continue
        sa, sb = sums[a], sums[b]
        small, big = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
        link = sum(v * big.get(k, 0.0) for k, v in small.items()) / (len(members[a]) * len(members[b]))
        if link < cohesion:
            continue
        if len(members[a]) < len(members[b]):
            a, b = b, a
        for k, v in sums.pop(b).items():
            sums[a][k] = sums[a].get(k, 0.0) + v
        for m in members[b]:
            owner[m] = a
        members[a].extend(members.pop(b))
    return [sorted(g) for g in members.values()]


def _first_words(text: str, n: int = 12) -> str:
    words = text.split()
    return " ".join(words[:n]) + ("…" if len(words) > n else "")
