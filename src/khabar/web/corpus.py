"""What the API and web UI need from a corpus, as one small interface.

:class:`Corpus` is the contract the HTTP layer is written against. :class:`MemoryCorpus` is a
plain in-memory implementation (no SQL) used when no store is given and by tests of the HTTP
layer; the SQLite store of ``khabar.store`` is adapted to the same interface in
:mod:`khabar.web.store_corpus`.

Returned values are plain JSON-ready dicts and lists. Entity ids returned here are corpus
entity ids (stable across articles), not the per-article ids ``e1``, ``e2``.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..model import Document
from ..text.normalize import normalize


class QueryError(ValueError):
    """A search query or filter the corpus cannot run (malformed syntax); shown to the user."""


@dataclass(frozen=True, slots=True)
class Page:
    """One page of results and the total number of matches."""

    total: int
    items: list[dict[str, Any]] = field(default_factory=list)


class Corpus:
    """The interface; every method is read-only except :meth:`add`."""

    def count(self) -> int:
        raise NotImplementedError

    def add(self, doc: Document) -> tuple[str, bool]:
        """Store an analysed document; returns (id, created). Idempotent by id."""
        raise NotImplementedError

    def article(self, article_id: str) -> dict[str, Any] | None:
        """The stored schema khabar.article/1 dict, or None."""
        raise NotImplementedError

    def entity_links(self, article_id: str) -> dict[str, str]:
        """Article entity id (``e1``) -> corpus entity id, for linking from an article page."""
        raise NotImplementedError

    def search(self, q: str | None, *, date_from: str | None = None, date_to: str | None = None,
               source: str | None = None, entity: str | None = None, limit: int = 20,
               offset: int = 0) -> Page:
        """Articles (id, title, published, source, snippet), best first; newest first without q."""
        raise NotImplementedError

    def entities(self, q: str | None, *, limit: int = 20, offset: int = 0) -> Page:
        """Entities (id, name, name_en, type, mentions, articles), most mentioned first."""
        raise NotImplementedError

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        """Profile: entity, mentions_over_time [{period, count}], cooccurring, quotes, events."""
        raise NotImplementedError

    def quotes(self, *, speaker: str | None = None, about: str | None = None, topic: str | None = None,
               date_from: str | None = None, date_to: str | None = None, limit: int = 20,
               offset: int = 0) -> Page:
        """Quotes (text, kind, speaker, speaker_id, article_id, title, published), newest first."""
        raise NotImplementedError

    def events(self, *, actor: str | None = None, type: str | None = None, date_from: str | None = None,
               date_to: str | None = None, limit: int = 50, offset: int = 0) -> Page:
        """Events (type, cameo, actor1, actor2, trigger, when, article_id), in time order."""
        raise NotImplementedError

    def stories(self, *, date_from: str | None = None, date_to: str | None = None,
                limit: int = 20) -> list[dict[str, Any]]:
        """Story clusters: {id, title, size, articles: [{id, title, published, source}]}."""
        raise NotImplementedError

    def top_speakers(self, limit: int = 10) -> list[dict[str, Any]]:
        """Most-quoted speakers: {id, name, name_en, count}."""
        raise NotImplementedError

    def top_entities(self, limit: int = 10) -> list[dict[str, Any]]:
        """Most-mentioned entities: {id, name, name_en, type, count}."""
        raise NotImplementedError

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (connections)."""


def _key(name: str) -> str:
    return " ".join(normalize(name).text.split())


def _in_range(day: str | None, date_from: str | None, date_to: str | None) -> bool:
    if date_from and (not day or day < date_from):
        return False
    return not (date_to and (not day or day[:len(date_to)] > date_to))


class MemoryCorpus(Corpus):
    """A corpus held in memory: entities merged by KB id or (type, normalised name).

    Meant for tests and small demos; search is a substring match on normalised text.
    """

    def __init__(self) -> None:
        self._docs: dict[str, dict[str, Any]] = {}
        self._order: list[str] = []
        self._lock = threading.Lock()

    # -- writes --------------------------------------------------------------------------------
    def add(self, doc: Document) -> tuple[str, bool]:
        d = doc.to_dict()
        with self._lock:
            if d["id"] in self._docs:
                return d["id"], False
            self._docs[d["id"]] = d
            self._order.append(d["id"])
        return d["id"], True

    # -- helpers -------------------------------------------------------------------------------
    def _gid(self, e: dict[str, Any]) -> str:
        if e.get("kb_id"):
            return str(e["kb_id"])
        import hashlib

        return "x" + hashlib.sha1(f"{e.get('type')}|{_key(e.get('name') or '')}".encode()).hexdigest()[:12]

    def _docs_newest(self) -> list[dict[str, Any]]:
        with self._lock:
            docs = [self._docs[i] for i in self._order]
        return sorted(docs, key=lambda d: d.get("published") or "", reverse=True)

    @staticmethod
    def _brief(d: dict[str, Any], snippet: str = "") -> dict[str, Any]:
        return {"id": d["id"], "title": d.get("title"), "published": d.get("published"),
                "source": d.get("source"), "snippet": snippet or d["text"][:200]}

    def _entity_match(self, d: dict[str, Any], ent: str) -> bool:
        k = _key(ent)
        return any(self._gid(e) == ent or k in (_key(e.get("name") or ""), _key(e.get("name_en") or ""))
                   for e in d.get("entities", []))

    # -- reads ---------------------------------------------------------------------------------
    def count(self) -> int:
        return len(self._docs)

    def article(self, article_id: str) -> dict[str, Any] | None:
        return self._docs.get(article_id)

    def entity_links(self, article_id: str) -> dict[str, str]:
        d = self._docs.get(article_id)
        return {e["id"]: self._gid(e) for e in d.get("entities", [])} if d else {}

    def search(self, q: str | None, *, date_from: str | None = None, date_to: str | None = None,
               source: str | None = None, entity: str | None = None, limit: int = 20,
               offset: int = 0) -> Page:
        if q is not None and q.count('"') % 2:
            raise QueryError('unbalanced quotation mark (") in the search query')
        terms = [_key(t) for t in (q or "").replace('"', " ").split() if t.strip()]
        hits = []
        for d in self._docs_newest():
            if not _in_range(d.get("published"), date_from, date_to):
                continue
            if source and d.get("source") != source:
                continue
            if entity and not self._entity_match(d, entity):
                continue
            norm = _key(d["text"] + " " + (d.get("title") or ""))
            if all(t in norm for t in terms):
                pos = norm.find(terms[0]) if terms else 0
                hits.append(self._brief(d, norm[max(0, pos - 60):pos + 140] if terms else ""))
        return Page(len(hits), hits[offset:offset + limit])

    def _entity_table(self) -> dict[str, dict[str, Any]]:
        table: dict[str, dict[str, Any]] = {}
        for d in self._docs_newest():
            for e in d.get("entities", []):
                gid = self._gid(e)
                row = table.setdefault(gid, {"id": gid, "name": e.get("name"), "name_en": e.get("name_en"),
                                             "type": e.get("type"), "mentions": 0, "articles": 0})
                row["mentions"] += len(e.get("mentions", []))
                row["articles"] += 1
                row["name_en"] = row["name_en"] or e.get("name_en")
        return table

    def entities(self, q: str | None, *, limit: int = 20, offset: int = 0) -> Page:
        rows = sorted(self._entity_table().values(), key=lambda r: (-r["mentions"], str(r["name"])))
        if q:
            k = _key(q)
            rows = [r for r in rows if k in _key(r["name"] or "") or k.lower() in (r["name_en"] or "").lower()]
        return Page(len(rows), rows[offset:offset + limit])

    def _quote_rows(self) -> list[dict[str, Any]]:
        rows = []
        for d in self._docs_newest():
            ents = {e["id"]: e for e in d.get("entities", [])}
            for q in d.get("quotes", []):
                sp = ents.get(q.get("speaker"))
                rows.append({"id": f"{d['id']}:{q['id']}", "text": q["text"], "kind": q["kind"],
                             "speaker": sp.get("name") if sp else None,
                             "speaker_en": sp.get("name_en") if sp else None,
                             "speaker_id": self._gid(sp) if sp else None,
                             "article_id": d["id"], "title": d.get("title"), "published": d.get("published"),
                             "_doc": d})
        return rows

    def quotes(self, *, speaker: str | None = None, about: str | None = None, topic: str | None = None,
               date_from: str | None = None, date_to: str | None = None, limit: int = 20,
               offset: int = 0) -> Page:
        out = []
        for r in self._quote_rows():
            d = r.pop("_doc")
            if not _in_range(r["published"], date_from, date_to):
                continue
            if speaker and not (r["speaker_id"] == speaker or _key(speaker) in _key(r["speaker"] or "")
                                or speaker.lower() in (r["speaker_en"] or "").lower()):
                continue
            if about and _key(about) not in _key(r["text"]):
                continue
            if topic and not any(_key(topic) in _key(t["label"]) for t in d.get("topics", [])):
                continue
            out.append(r)
        return Page(len(out), out[offset:offset + limit])

    def _event_rows(self, d: dict[str, Any]) -> list[dict[str, Any]]:
        ents = {e["id"]: e for e in d.get("entities", [])}
        tx = {t["id"]: t for t in d.get("timexes", [])}
        rows = []
        for v in d.get("events", []):
            def ent(eid: str | None) -> dict[str, Any] | None:
                e = ents.get(eid)
                return {"id": self._gid(e), "name": e.get("name"), "name_en": e.get("name_en")} if e else None

            t = tx.get(v.get("time"))
            rows.append({"type": v["type"], "cameo": v.get("cameo"), "actor1": ent(v.get("actor1")),
                         "actor2": ent(v.get("actor2")), "location": ent(v.get("location")),
                         "trigger": v["trigger"]["text"], "when": (t or {}).get("value") or d.get("published"),
                         "article_id": d["id"], "title": d.get("title")})
        return rows

    def events(self, *, actor: str | None = None, type: str | None = None, date_from: str | None = None,
               date_to: str | None = None, limit: int = 50, offset: int = 0) -> Page:
        out = []
        for d in self._docs_newest():
            for r in self._event_rows(d):
                if type and r["type"] != type.upper():
                    continue
                if actor and not any(a and (a["id"] == actor or _key(actor) in _key(a["name"] or ""))
                                     for a in (r["actor1"], r["actor2"])):
                    continue
                if not _in_range(r["when"], date_from, date_to):
                    continue
                out.append(r)
        out.sort(key=lambda r: str(r["when"] or ""))
        return Page(len(out), out[offset:offset + limit])

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        table = self._entity_table()
        row = table.get(entity_id)
        if row is None:
            return None
        months: Counter[str] = Counter()
        co: Counter[str] = Counter()
        events = []
        for d in self._docs_newest():
            gids = {e["id"]: self._gid(e) for e in d.get("entities", [])}
            mine = [e for e in d.get("entities", []) if gids[e["id"]] == entity_id]
            if not mine:
                continue
            months[(d.get("published") or "unknown")[:7]] += sum(len(e.get("mentions", [])) for e in mine)
            for g in set(gids.values()) - {entity_id}:
                co[g] += 1
            events += [r for r in self._event_rows(d)
                       if any(a and a["id"] == entity_id for a in (r["actor1"], r["actor2"], r["location"]))]
        quotes = [r for r in self._quote_rows() if r["speaker_id"] == entity_id]
        for r in quotes:
            r.pop("_doc")
        return {
            "entity": row,
            "mentions_over_time": [{"period": p, "count": c} for p, c in sorted(months.items())],
            "cooccurring": [{**table[g], "count": c} for g, c in co.most_common(15)],
            "quotes": quotes[:50], "events": events[:50],
        }

    def stories(self, *, date_from: str | None = None, date_to: str | None = None,
                limit: int = 20) -> list[dict[str, Any]]:
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for d in self._docs_newest():
            if _in_range(d.get("published"), date_from, date_to):
                groups[_key(d.get("title") or d["text"][:40])].append(self._brief(d))
        out = [{"id": str(i), "title": g[0]["title"] or g[0]["snippet"][:80], "size": len(g), "articles": g}
               for i, g in enumerate(groups.values())]
        return sorted(out, key=lambda s: -s["size"])[:limit]

    def top_speakers(self, limit: int = 10) -> list[dict[str, Any]]:
        c: Counter[str] = Counter()
        info: dict[str, dict[str, Any]] = {}
        for r in self._quote_rows():
            if r["speaker_id"]:
                c[r["speaker_id"]] += 1
                info[r["speaker_id"]] = {"id": r["speaker_id"], "name": r["speaker"], "name_en": r["speaker_en"]}
        return [{**info[k], "count": n} for k, n in c.most_common(limit)]

    def top_entities(self, limit: int = 10) -> list[dict[str, Any]]:
        rows = sorted(self._entity_table().values(), key=lambda r: (-r["mentions"], str(r["name"])))
        return [{**r, "count": r["mentions"]} for r in rows[:limit]]
