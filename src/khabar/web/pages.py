"""Server-rendered web UI pages (Jinja2, autoescaped), right-to-left Arabic layout.

Pages: home (search + the latest articles + most-quoted speakers + most-mentioned entities),
search results, article, entities, entity profile, quotes explorer, events, stories, watched
sources, analyse. Charts (mentions over time, co-occurrence network) are SVG computed here, so
they need no JavaScript; the only script (``static/khabar.js``) adds the annotation popover, layer
toggles and the live refresh of the home page's latest articles.
"""

from __future__ import annotations

import math
import time
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import ChainableUndefined, Environment, PackageLoader

from .. import __version__
from ..dates import is_date
from ..settings import MAX_PAGE, PER_PAGE
from . import render
from .corpus import Page, QueryError, WebCorpus

# Route options of every page: GET and HEAD, HTML, not part of the OpenAPI schema.
_GET: dict = {"methods": ["GET", "HEAD"], "response_class": HTMLResponse, "include_in_schema": False}


@lru_cache(maxsize=1)
def env() -> Environment:
    e = Environment(loader=PackageLoader("khabar.web", "templates"), autoescape=True,
                    undefined=ChainableUndefined, trim_blocks=True, lstrip_blocks=True)
    e.globals.update(version=__version__, label=render.label, entity_title=render.entity_title,
                     snippet_html=render.snippet_html)
    e.filters["qs"] = lambda params: urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return e


def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(env().get_template(template).render(**context), status_code=status)


def error_page(status: int, message: str) -> HTMLResponse:
    return page("error.html", status=status, status_code=status, message=message)


def article_view(article: dict[str, Any], links: dict[str, str] | None = None) -> dict[str, Any]:
    """Everything the article partial template shows, from a khabar.article/1 dict."""
    links = links or {}
    hrefs = {local: f"/entities/{gid}" for local, gid in links.items()}
    return {
        "article": article, "body": render.highlight(article, hrefs), "hrefs": hrefs,
        "quotes": render.quote_rows(article), "events": render.event_rows(article),
        "summary": render.summary_sentences(article), "entities": render.entity_rows(article),
    }


def bar_chart(series: list[dict[str, Any]], width: int = 640, height: int = 180) -> dict[str, Any]:
    """Bars for [{period, count}] in an SVG box (computed here, drawn by the template)."""
    if not series:
        return {"bars": [], "width": width, "height": height, "max": 0}
    top = max(int(p["count"]) for p in series) or 1
    n = len(series)
    gap = 4
    bw = min(60.0, max(4.0, (width - 40) / n - gap))
    bars = []
    for i, p in enumerate(series):
        h = (height - 40) * int(p["count"]) / top
        x = 20 + i * (bw + gap)
        bars.append({"x": round(x, 1), "y": round(height - 24 - h, 1), "w": round(bw, 1), "h": round(h, 1),
                     "label": str(p["period"]), "count": int(p["count"]),
                     "show_label": n <= 12 or i % math.ceil(n / 12) == 0})
    return {"bars": bars, "width": width, "height": height, "max": top}


def network(center: dict[str, Any], others: list[dict[str, Any]], size: int = 420) -> dict[str, Any]:
    """A radial co-occurrence graph: the entity in the middle, partners around, edge width by count."""
    c = size / 2
    top = max((int(o.get("count", 1)) for o in others), default=1) or 1
    nodes = []
    for i, o in enumerate(others[:14]):
        angle = 2 * math.pi * i / max(1, min(len(others), 14)) - math.pi / 2
        r = size * 0.36
        nodes.append({**o, "x": round(c + r * math.cos(angle), 1), "y": round(c + r * math.sin(angle), 1),
                      "w": round(1 + 5 * int(o.get("count", 1)) / top, 1),
                      "r": round(6 + 8 * int(o.get("count", 1)) / top, 1)})
    return {"size": size, "cx": c, "cy": c, "center": center, "nodes": nodes}


def _pages(result: Page, page_no: int, per_page: int) -> int:
    if result.total is not None:
        return max(1, math.ceil(result.total / per_page))
    return page_no + (1 if result.more else 0)


# long: the page routes are closures over the app's corpus (FastAPI's usual shape)
def install_pages(app: FastAPI, corpus: WebCorpus) -> None:
    """Register the HTML routes on ``app``."""
    PageQ = Query(1, alias="page", ge=1, le=MAX_PAGE)

    @app.api_route("/", **_GET)
    def home() -> HTMLResponse:
        recent = corpus.latest(limit=10)
        return page("home.html", recent=recent, since=max((a["ingested_at"] for a in recent), default=0.0),
                    speakers=corpus.top_speakers(10), top_entities=corpus.top_entities(12),
                    total=corpus.count(), form={})

    @app.api_route("/search", **_GET)
    def search(q: str | None = Query(None, max_length=500),
               date_from: str | None = Query(None, alias="from", max_length=10),
               date_to: str | None = Query(None, alias="to", max_length=10),
               source: str | None = Query(None, max_length=500),
               entity: str | None = Query(None, max_length=500), page_no: int = Query(1, alias="page", ge=1,
                                                                                      le=10_000)) -> HTMLResponse:
        form = {"q": q or "", "from": date_from or "", "to": date_to or "", "source": source or "",
                "entity": entity or ""}
        for key in ("from", "to"):
            if form[key] and not is_date(form[key]):
                return page("search.html", status=400, form=form, results=None, total=0, page_no=1,
                            pages=0, error=f"تاريخ غير صالح: {form[key]}")  # "invalid date"
        try:
            result = corpus.search(q or None, date_from=date_from or None, date_to=date_to or None,
                                   source=source or None, entity=entity or None, limit=PER_PAGE,
                                   offset=(page_no - 1) * PER_PAGE)
        except QueryError as exc:
            return page("search.html", status=400, form=form, results=None, total=0, page_no=1, pages=0,
                        error=f"لا يمكن البحث بهذه العبارة: {exc}")  # "cannot search with this phrase"
        pages = _pages(result, page_no, PER_PAGE)
        return page("search.html", form=form, results=result.items, total=result.total, page_no=page_no,
                    pages=pages, error=None)

    @app.api_route("/articles/{article_id}", **_GET)
    def article(article_id: str) -> HTMLResponse:
        d = corpus.article(article_id)
        if d is None:
            return error_page(404, f"لا يوجد مقال بالمعرّف {article_id}")  # "no article with the id"
        return page("article.html", **article_view(d, corpus.entity_links(d["id"], d)),
                    sources=corpus.article_sources(d["id"]) or [])

    @app.api_route("/entities", **_GET)
    def entities(q: str | None = Query(None, max_length=500), page_no: int = PageQ) -> HTMLResponse:
        result = corpus.entities(q or None, limit=50, offset=(page_no - 1) * 50)
        return page("entities.html", q=q or "", results=result.items, total=result.total, page_no=page_no,
                    pages=_pages(result, page_no, 50))

    @app.api_route("/entities/{entity_id}", **_GET)
    def entity(entity_id: str) -> HTMLResponse:
        profile = corpus.entity(entity_id)
        if profile is None:
            return error_page(404, f"لا يوجد كيان بالمعرّف {entity_id}")  # "no entity with the id"
        series = [{"period": p["period"], "count": p["mentions"]} for p in profile.get("over_time", [])]
        partners = [{**c, "count": c.get("shared_articles", 1)} for c in profile.get("cooccurring", [])]
        return page("entity.html", p=profile, e=profile["entity"], chart=bar_chart(series),
                    graph=network(profile["entity"], partners))

    @app.api_route("/quotes", **_GET)
    def quotes(speaker: str | None = Query(None, max_length=500), about: str | None = Query(None, max_length=500),
               topic: str | None = Query(None, max_length=500),
               date_from: str | None = Query(None, alias="from", max_length=10),
               date_to: str | None = Query(None, alias="to", max_length=10),
               page_no: int = Query(1, alias="page", ge=1, le=10_000)) -> HTMLResponse:
        form = {"speaker": speaker or "", "about": about or "", "topic": topic or "",
                "from": date_from or "", "to": date_to or ""}
        bad = [v for v in (date_from, date_to) if v and not is_date(v)]
        if bad:
            return error_page(400, f"تاريخ غير صالح: {bad[0]}")  # "invalid date"
        result = corpus.quotes(speaker=speaker or None, about=about or None, topic=topic or None,
                               date_from=date_from or None, date_to=date_to or None, limit=PER_PAGE,
                               offset=(page_no - 1) * PER_PAGE)
        return page("quotes.html", form=form, results=result.items, total=result.total, page_no=page_no,
                    pages=_pages(result, page_no, PER_PAGE))

    @app.api_route("/events", **_GET)
    def events(actor: str | None = Query(None, max_length=500), type: str | None = Query(None, max_length=20),
               page_no: int = Query(1, alias="page", ge=1, le=10_000)) -> HTMLResponse:
        form = {"actor": actor or "", "type": type or ""}
        result = corpus.events(actor=actor or None, type=type or None, limit=50, offset=(page_no - 1) * 50)
        return page("events.html", form=form, results=result.items, total=result.total, page_no=page_no,
                    pages=_pages(result, page_no, 50), types=list(render.labels()["event"]))

    @app.api_route("/stories", **_GET)
    def stories() -> HTMLResponse:
        return page("stories.html", stories=corpus.stories(limit=30))

    @app.api_route("/sources", **_GET)
    def sources() -> HTMLResponse:
        return page("sources.html", rows=render.source_rows(corpus.sources(), time.time()))

    @app.api_route("/analyze", **_GET)
    def analyze_form() -> HTMLResponse:
        return page("analyze.html", form={"text": "", "published": "", "title": ""}, view=None, error=None)

    @app.post("/analyze", response_class=HTMLResponse, include_in_schema=False)
    async def analyze_submit(request: Request) -> HTMLResponse:
        from starlette.concurrency import run_in_threadpool

        from ..service import analyze_text
        from ..settings import MAX_TEXT_CHARS

        raw = (await request.body()).decode("utf-8", errors="replace")
        fields = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        form = {"text": fields.get("text", ""), "published": fields.get("published", "").strip(),
                "title": fields.get("title", "").strip()}
        error = None
        if not form["text"].strip():
            error = "الرجاء لصق نص المقال"  # "please paste the article text"
        elif len(form["text"]) > MAX_TEXT_CHARS:
            error = f"النص أطول من الحد ({MAX_TEXT_CHARS:,} حرف)"  # "text longer than the limit (chars)"
        elif form["published"] and not is_date(form["published"]):
            error = "تاريخ النشر يجب أن يكون بالصيغة YYYY-MM-DD"  # "publication date must be YYYY-MM-DD"
        if error:
            return page("analyze.html", status=400, form=form, view=None, error=error)
        doc = await run_in_threadpool(analyze_text, form["text"], published=form["published"] or None,
                                      title=form["title"] or None)
        from ..service import get_pipeline

        return page("analyze.html", form=form, view=article_view(doc.to_dict()), error=None,
                    stages=get_pipeline().names)


