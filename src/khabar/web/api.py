"""REST API (versioned under ``/v1``) and web UI in one FastAPI app: ``create_app(db_path)``.

HTTP lives here and in :mod:`khabar.web`; analysis goes through :mod:`khabar.service` and the
corpus through :class:`khabar.web.corpus.WebCorpus` (over khabar.corpus.store). Errors are JSON
``{"status": 404, "error": "not_found", "code": "E303", "message": "..."}`` (``code``: the stable
khabar error code of docs/errors.md; HTML pages for browser routes), with
the right status: 400 malformed body or search query, 401 missing/wrong token, 403 a write on a
read-only store, 404 unknown id, 413 body over :data:`MAX_BODY_BYTES`, 422 validation, 503 a
damaged, full or locked store. No stack trace ever reaches a client.

``khabar serve`` with several worker processes builds the app in each through
:func:`app_from_env` (uvicorn needs an import string for workers).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles

from khabar.web.corpus import Page, QueryError, WebCorpus
from khabar.web.pages import error_page, install_pages

from .. import __version__
from ..corpus.store import DatabaseError, StoreError, db_error, store_message
from ..dates import DATE_PATTERN, parse_date
from ..errors import AnalysisError, AuthError, BusyError, InternalError, KhabarError, NotFound, UsageError
from ..io import InputError, article_id, check_unicode, unescape
from ..settings import (  # the limits, named in khabar.settings
    ANALYZE_WAIT_SECONDS,
    MAX_ANON_TEXT_CHARS,
    MAX_BATCH_ARTICLES,
    MAX_BODY_BYTES,
    MAX_CONCURRENT_ANALYSES,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_TEXT_CHARS,
    SLOT_POLL_SECONDS,
)

log = logging.getLogger("khabar.web.api")

API_PREFIX = "/v1"
TOKEN_ENV = "KHABAR_API_TOKEN"
# Read by app_from_env (set by 'khabar serve' for its worker processes).
DB_ENV = "KHABAR_DB"
ALLOWED_HOSTS_ENV = "KHABAR_ALLOWED_HOSTS"  # comma-separated; "*" turns the Host check off
ANONYMOUS_WRITES_ENV = "KHABAR_ANONYMOUS_WRITES"  # "1": writes open when no token is set
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")

# Paths answered with JSON errors; every other path is a browser page (HTML errors).
_JSON_PREFIXES = ("/v1", "/healthz", "/openapi.json", "/docs", "/redoc", "/static")

_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type",
                 422: "validation_error", 500: "internal_error", 503: "unavailable"}

# HTTP status -> the khabar error whose stable code (docs/errors.md) an error body carries when no
# khabar exception names a more precise one (a store or query error passes its own code).
_STATUS_ERRORS: dict[int, type[KhabarError]] = {
    400: UsageError, 401: AuthError, 403: AuthError, 404: NotFound, 405: UsageError, 413: InputError,
    415: UsageError, 422: UsageError, 503: BusyError,
}

# Store failures (StoreError.kind) -> HTTP status: a write on a read-only store is refused for
# good (403); a damaged, full, locked or failing store is the server's trouble for now (503).
_STORE_STATUS = {"read_only": 403}


# Query parameter types (module level: FastAPI resolves the string annotations here).
FromQ = Annotated[str | None, Query(alias="from", pattern=DATE_PATTERN, description="YYYY-MM-DD, inclusive")]
ToQ = Annotated[str | None, Query(alias="to", pattern=DATE_PATTERN, description="YYYY-MM-DD, inclusive")]
TextQ = Annotated[str | None, Query(max_length=500)]
PageQ = Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number")]
PerPageQ = Annotated[int, Query(ge=1, le=MAX_PER_PAGE)]


# --- request bodies -------------------------------------------------------------------------------
class AnalyzeRequest(BaseModel):
    """An article to analyse: its text, optionally the publication date and title."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="Article text (UTF-8)")
    published: str | None = Field(None, description="YYYY-MM-DD; resolves relative dates", examples=["2021-08-19"])
    title: str | None = Field(None, max_length=2000)

    @field_validator("published")
    @classmethod
    def _date(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        try:
            return parse_date(v, exact=True)
        except InputError:
            raise ValueError("expected a date YYYY-MM-DD") from None

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("text is empty")
        # A JSON body, like a JSON input file: HTML character references are decoded (khabar.io).
        v = unescape(v.removeprefix("\ufeff"))
        try:
            check_unicode(v, "text")
        except InputError as exc:
            raise ValueError(str(exc).removeprefix("text: ")) from None
        return v

    @field_validator("title")
    @classmethod
    def _title(cls, v: str | None) -> str | None:
        return unescape(v) if v else v


class AnalyzeBatchRequest(BaseModel):
    """Articles to analyse in one request, answered in the same order."""

    model_config = ConfigDict(extra="forbid")
    articles: list[AnalyzeRequest] = Field(min_length=1, max_length=MAX_BATCH_ARTICLES)


class ArticleIn(AnalyzeRequest):
    """An article to analyse and store; its id is a hash of its normalised text."""

    source: str | None = Field(None, max_length=500)
    url: str | None = Field(None, max_length=2000)

    @field_validator("source", "url")
    @classmethod
    def _meta(cls, v: str | None) -> str | None:
        return unescape(v) if v else v


# --- middleware (pure ASGI, so streaming bodies are counted too) ---------------------------------
class BodyLimitMiddleware:
    """Refuse bodies over ``limit`` bytes with 413, by Content-Length or while streaming."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        too_big = _error_response(413, f"request body over the limit of {self.limit:,} bytes")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await _error_response(400, "invalid Content-Length header")(scope, receive, send)
                return
            if declared > self.limit:
                await too_big(scope, receive, send)
                return
        seen = 0
        started = refused = False

        async def limited_receive() -> dict:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit and not started:
                    # Answer 413 now; the app sees a disconnected client and its reply is dropped.
                    refused = True
                    await too_big(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)


class HostCheckMiddleware:
    """Answer 400 to a request whose Host header is not an allowed name (DNS rebinding: a page
    on evil.example whose name resolves to 127.0.0.1 sends ``Host: evil.example``)."""

    def __init__(self, app: Any, allowed: Iterable[str]) -> None:
        self.app, self.allowed = app, frozenset(_host_name(h) for h in allowed)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":  # lifespan (the app has no websockets)
            await self.app(scope, receive, send)
            return
        raw = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        if _host_name(raw) not in self.allowed:
            shown = raw[:100] or "(none)"
            await _error_response(400, f"host {shown!r} is not allowed on this server "
                                       "(khabar serve --allowed-host adds one)")(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _host_name(host: str) -> str:
    """The name in a Host header or address, lower case, without port, brackets or final dot."""
    host = host.strip().lower()
    if host.startswith("["):  # [::1]:8000
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:  # name:port (a bare IPv6 address has several colons)
        host = host.partition(":")[0]
    return host.rstrip(".")


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` serves this machine only."""
    name = _host_name(host)
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_hosts(bound: str, extra: Iterable[str] = ()) -> list[str]:
    """Loopback names, the bound address (unless it is a wildcard) and ``extra``."""
    hosts = list(LOOPBACK_HOSTS)
    if _host_name(bound) not in ("0.0.0.0", "::", ""):
        hosts.append(bound)
    return list(dict.fromkeys(_host_name(h) for h in (*hosts, *extra)))


class SecurityHeadersMiddleware:
    """Strict headers on every response; a no-inline-script CSP on the web UI pages."""

    CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*(message.get("headers") or []), *self.headers(path)]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    @classmethod
    def headers(cls, path: str) -> list[tuple[bytes, bytes]]:
        """The headers for a response on ``path`` (the API docs pages run Swagger's inline script)."""
        headers = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                   (b"x-frame-options", b"DENY")]
        if not path.startswith(("/docs", "/redoc")):
            headers.append((b"content-security-policy", cls.CSP.encode()))
        return headers


def _error_body(status: int, message: str, code: str | None = None, **extra: Any) -> dict[str, Any]:
    code = code or _STATUS_ERRORS.get(status, InternalError).code
    return {"status": status, "error": _STATUS_CODES.get(status, "error"), "code": code, "message": message, **extra}


def _error_response(status: int, message: str, code: str | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse(_error_body(status, message, code, **extra), status_code=status)


# --- the app --------------------------------------------------------------------------------------
# long: the routes are closures over the app's corpus and token (FastAPI's usual shape)
def create_app(db_path: str | os.PathLike[str] | None = None, token: str | None = None, *,
               corpus: WebCorpus | None = None, allowed_hosts: Iterable[str] | None = None,
               anonymous_writes: bool = True) -> FastAPI:
    """The API + web UI app on the store at ``db_path`` (an in-memory store when None).

    ``token`` (default: the ``KHABAR_API_TOKEN`` environment variable) is then required for
    writes, as ``Authorization: Bearer TOKEN`` or ``X-API-Token: TOKEN``. Without a token,
    writes are open when ``anonymous_writes`` (local use), else refused with 403.
    ``allowed_hosts``: the names the Host header may carry (None or "*" in it: any; the
    server that runs the app then answers for the Host check).
    """
    owned = corpus is None
    if corpus is None:
        corpus = WebCorpus(":memory:" if db_path is None else db_path)
    token = token if token is not None else (os.environ.get(TOKEN_ENV) or None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:  # the connections this app opened close with it
            corpus.close()

    app = FastAPIOffline(
        lifespan=lifespan,
        title="khabar", version=__version__, static_url="/static-docs",
        description=("Structured knowledge from Arabic news: analyse an article (entities with English "
                     "names, quotes and speakers, time expressions, events) and search a corpus. "
                     f"Request bodies are limited to {MAX_BODY_BYTES:,} bytes and article text to "
                     f"{MAX_TEXT_CHARS:,} characters. Writes need a token when {TOKEN_ENV} is set."),
    )
    app.state.corpus = corpus
    # The last added runs first: security headers go on every response, the Host check's and
    # the body limit's refusals included (500s get them in their handler).
    app.add_middleware(BodyLimitMiddleware, limit=MAX_BODY_BYTES)
    if allowed_hosts is not None and "*" not in allowed_hosts:
        app.add_middleware(HostCheckMiddleware, allowed=allowed_hosts)
    app.add_middleware(SecurityHeadersMiddleware)
    _install_error_handlers(app)

    def require_token(request: Request) -> None:
        if token is None:
            if anonymous_writes:
                return
            raise HTTPException(403, "writes are disabled on this server: it was started without a token "
                                     f"({TOKEN_ENV}) on a network address")
        given = request.headers.get("x-api-token") or ""
        auth = request.headers.get("authorization") or ""
        if auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        if not given or not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(401, f"this server requires a token for writes ({TOKEN_ENV}): "
                                     "send 'Authorization: Bearer TOKEN'",
                                headers={"WWW-Authenticate": 'Bearer realm="khabar"'})

    def paged(page: Page, number: int, per_page: int) -> dict[str, Any]:
        more = page.more or (page.total is not None and number * per_page < page.total)
        return {"total": page.total, "page": number, "per_page": per_page, "has_more": more,
                "results": page.items}

    @app.get("/healthz", tags=["meta"], summary="Liveness, store check and corpus size",
             responses={503: {"description": "The store cannot be read (damaged, locked, missing)"}})
    def healthz() -> Any:
        problem = corpus.check()  # the store's errors become 503 in the handlers below
        if problem:
            log.error("health check: the store's file is damaged: %s", problem)
            return _error_response(503, f"{store_message('corrupt')} ({problem})", StoreError.code, reason="corrupt")
        return {"status": "ok", "version": __version__, "articles": corpus.count()}

    analyses = threading.BoundedSemaphore(MAX_CONCURRENT_ANALYSES)

    def has_token(request: Request) -> bool:
        try:
            require_token(request)
        except HTTPException:
            return False
        return token is not None

    async def bounded_analysis(body: AnalyzeRequest | AnalyzeBatchRequest, request: Request) -> Any:
        """The analysis behind the analysing routes, within the CPU bounds: the text limit
        without the token (a batch's texts together), then one of MAX_CONCURRENT_ANALYSES slots.
        A request waits for its slot on the event loop, holding no worker thread, so queued
        analyses never starve the reads."""
        texts = [a.text for a in body.articles] if isinstance(body, AnalyzeBatchRequest) else [body.text]
        chars = sum(map(len, texts))
        if chars > MAX_ANON_TEXT_CHARS and not has_token(request):
            raise HTTPException(413, f"text of {chars:,} characters is over the {MAX_ANON_TEXT_CHARS:,} "
                                     f"allowed without a token (up to {MAX_TEXT_CHARS:,} with the write token)")
        deadline = time.monotonic() + ANALYZE_WAIT_SECONDS
        while not analyses.acquire(blocking=False):
            if time.monotonic() >= deadline:
                raise HTTPException(503, f"server busy: {MAX_CONCURRENT_ANALYSES} analyses are running; "
                                         "retry later",
                                    headers={"Retry-After": str(max(1, round(ANALYZE_WAIT_SECONDS)))})
            await asyncio.sleep(SLOT_POLL_SECONDS)
        try:
            if isinstance(body, AnalyzeBatchRequest):
                return await run_in_threadpool(_analyze_batch, body)
            return await run_in_threadpool(_analyze, body)
        finally:
            analyses.release()

    @app.post(f"{API_PREFIX}/analyze", tags=["analysis"], summary="Analyse an article (nothing stored)",
              description=f"Text up to {MAX_ANON_TEXT_CHARS:,} characters without the write token, "
                          f"{MAX_TEXT_CHARS:,} with it (413 above); 503 when the server is busy.")
    async def analyze(body: AnalyzeRequest, request: Request) -> dict[str, Any]:
        return (await bounded_analysis(body, request)).to_dict()

    @app.post(f"{API_PREFIX}/analyze/batch", tags=["analysis"],
              summary="Analyse several articles (nothing stored), answered in order",
              description=f"Up to {MAX_BATCH_ARTICLES} articles, {MAX_ANON_TEXT_CHARS:,} characters in all without "
                          "the write token (413 above); 503 when the server is busy. Each result is a "
                          "khabar.article/1 object, or {\"id\", \"error\"} for an article the analysis failed on.")
    async def analyze_batch(body: AnalyzeBatchRequest, request: Request) -> dict[str, Any]:
        return {"results": await bounded_analysis(body, request)}

    @app.post(f"{API_PREFIX}/articles", tags=["corpus"], status_code=201,
              summary="Analyse and store an article (idempotent by content)",
              description="The same limits as /v1/analyze: "
                          f"{MAX_ANON_TEXT_CHARS:,} characters without the write token, 503 when busy.",
              dependencies=[Depends(require_token)])
    async def add_article(body: ArticleIn, request: Request, response: Response) -> dict[str, Any]:
        doc_id = article_id(body.text)
        if await run_in_threadpool(corpus.article, doc_id) is not None:
            response.status_code = 200
            return {"id": doc_id, "created": False}
        doc = (await bounded_analysis(body, request)).with_(source=body.source, url=body.url)
        stored_id, created = await run_in_threadpool(corpus.add, doc)
        response.status_code = 201 if created else 200
        return {"id": stored_id, "created": created}

    @app.get(f"{API_PREFIX}/articles", tags=["corpus"], summary="Search articles (full text, filters)")
    def search_articles(q: TextQ = None,
                        date_from: FromQ = None,
                        date_to: ToQ = None,
                        source: TextQ = None,
                        entity: TextQ = None,
                        page: PageQ = 1, per_page: PerPageQ = 20) -> dict[str, Any]:
        result = corpus.search(q or None, date_from=date_from, date_to=date_to, source=source or None,
                               entity=entity or None, limit=per_page, offset=(page - 1) * per_page)
        return paged(result, page, per_page)

    # Before /articles/{article_id}, which would take "latest" for an id.
    @app.get(f"{API_PREFIX}/articles/latest", tags=["corpus"],
             summary="The articles stored last, newest ingestion first (the home page's live list)",
             description="`since`: a Unix time (the largest `ingested_at` already seen); only articles "
                         "ingested after it, among the last `limit` stored.")
    def latest_articles(since: Annotated[float | None, Query(ge=0, allow_inf_nan=False)] = None,
                        limit: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20) -> dict[str, Any]:
        return {"results": corpus.latest(since, limit)}

    @app.get(f"{API_PREFIX}/articles/{{article_id}}", tags=["corpus"], summary="One article (khabar.article/1)",
             description="The article object exactly as khabar.article/1; the outlets that published it are at "
                         "`/v1/articles/{id}/sources` (also in the `Link` header, rel=\"related\").")
    def get_article(article_id: str, response: Response) -> dict[str, Any]:
        d = corpus.article(article_id)
        if d is None:
            raise HTTPException(404, f"no article with id {article_id!r}")
        response.headers["Link"] = f'<{API_PREFIX}/articles/{quote(d["id"], safe="")}/sources>; rel="related"'
        return d

    @app.get(f"{API_PREFIX}/articles/{{article_id}}/sources", tags=["corpus"],
             summary="The outlets that published an article (khabar watch links republished copies to it)")
    def get_article_sources(article_id: str) -> dict[str, Any]:
        links = corpus.article_sources(article_id)
        if links is None:
            raise HTTPException(404, f"no article with id {article_id!r}")
        return {"article_id": article_id, "sources": links}

    @app.get(f"{API_PREFIX}/entities", tags=["corpus"], summary="Find entities by name")
    def list_entities(q: TextQ = None,
                      page: PageQ = 1, per_page: PerPageQ = 20) -> dict[str, Any]:
        return paged(corpus.entities(q or None, limit=per_page, offset=(page - 1) * per_page), page, per_page)

    @app.get(f"{API_PREFIX}/entities/{{entity_id}}", tags=["corpus"],
             summary="Entity profile: mentions over time, co-occurring entities, quotes, events")
    def get_entity(entity_id: str) -> dict[str, Any]:
        profile = corpus.entity(entity_id)
        if profile is None:
            raise HTTPException(404, f"no entity with id {entity_id!r}")
        return profile

    @app.get(f"{API_PREFIX}/sources", tags=["corpus"],
             summary="Watched sources and their health (last success, last error, errors, articles per day)")
    def list_sources() -> dict[str, Any]:
        return {"sources": corpus.sources()}

    @app.get(f"{API_PREFIX}/alerts/{{name}}.atom", tags=["corpus"], response_class=Response,
             summary="Atom feed of an alert's newest 50 matches (khabar alert)")
    def alert_feed(name: str, request: Request) -> Response:
        from ..monitor.alerts import atom_feed

        found = corpus.alert_matches(name, 50)
        if found is None:
            raise HTTPException(404, f"no alert named {name!r}")
        return Response(atom_feed(*found, feed_url=str(request.url)), media_type="application/atom+xml")

    @app.get(f"{API_PREFIX}/quotes", tags=["corpus"], summary="Quotes by speaker, about an entity or topic")
    def list_quotes(speaker: TextQ = None,
                    about: TextQ = None,
                    topic: TextQ = None,
                    date_from: FromQ = None,
                    date_to: ToQ = None,
                    page: PageQ = 1, per_page: PerPageQ = 20) -> dict[str, Any]:
        result = corpus.quotes(speaker=speaker or None, about=about or None, topic=topic or None,
                               date_from=date_from, date_to=date_to, limit=per_page,
                               offset=(page - 1) * per_page)
        return paged(result, page, per_page)

    @app.get(f"{API_PREFIX}/events", tags=["corpus"], summary="Events by actor, type and date")
    def list_events(actor: TextQ = None,
                    type: Annotated[str | None, Query(max_length=20, pattern=r"^[A-Za-z]+$")] = None,
                    date_from: FromQ = None,
                    date_to: ToQ = None,
                    page: PageQ = 1, per_page: PerPageQ = 50) -> dict[str, Any]:
        result = corpus.events(actor=actor or None, type=type or None, date_from=date_from, date_to=date_to,
                               limit=per_page, offset=(page - 1) * per_page)
        return paged(result, page, per_page)

    @app.get(f"{API_PREFIX}/stories", tags=["corpus"], summary="Story clusters")
    def list_stories(date_from: FromQ = None,
                     date_to: ToQ = None,
                     limit: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20) -> dict[str, Any]:
        return {"results": corpus.stories(date_from=date_from, date_to=date_to, limit=limit)}

    install_pages(app, corpus)
    static_dir = os.fspath(_package_dir("static"))
    app.mount("/static", StaticFiles(directory=static_dir), name="static")
    return app


def app_from_env() -> FastAPI:
    """The app for one ``khabar serve`` worker process, configured by environment variables
    (``uvicorn --factory khabar.web.api:app_from_env``): the store at ``KHABAR_DB`` (which must
    exist), the token ``KHABAR_API_TOKEN``, Host names ``KHABAR_ALLOWED_HOSTS`` (default:
    loopback names only), writes without a token only when ``KHABAR_ANONYMOUS_WRITES=1``."""
    db = os.environ.get(DB_ENV) or ""
    if not db or not os.path.isfile(db):
        raise RuntimeError(f"{DB_ENV} must name an existing khabar store (got {db!r})")
    hosts = [h.strip() for h in os.environ.get(ALLOWED_HOSTS_ENV, "").split(",") if h.strip()]
    return create_app(db, allowed_hosts=hosts or LOOPBACK_HOSTS,
                      anonymous_writes=os.environ.get(ANONYMOUS_WRITES_ENV) == "1")


def _package_dir(name: str) -> Any:
    from importlib import resources

    return resources.files("khabar.web").joinpath(name)


def _analyze(body: AnalyzeRequest) -> Any:
    from ..service import analyze_text

    try:
        return analyze_text(body.text, published=body.published, title=body.title)
    except Exception:
        log.exception("analysis failed")
        raise AnalysisError("analysis failed on this text (the error was logged on the server)") from None


def _analyze_batch(body: AnalyzeBatchRequest) -> list[dict[str, Any]]:
    """One result per article, in order; a failed analysis is that article's error, not the batch's."""
    from ..model import Document
    from ..service import pipe

    docs = [Document(id=article_id(a.text), text=a.text, title=a.title, published=a.published)
            for a in body.articles]
    results: list[dict[str, Any]] = []
    for doc, error in pipe(docs, errors="yield"):
        if error is None:
            results.append(doc.to_dict())
        else:
            log.error("analysis failed on %s: %s", doc.id, error)
            results.append({"id": doc.id, "error": "analysis failed on this text (the error was logged on the server)"})
    return results


def _is_browser_route(request: Request) -> bool:
    return not request.url.path.startswith(_JSON_PREFIXES)


def _install_error_handlers(app: FastAPI) -> None:
    def respond(request: Request, status: int, message: str, code: str | None = None, **extra: Any) -> Response:
        if _is_browser_route(request):
            return error_page(status, message)
        return _error_response(status, message, code, **extra)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else _STATUS_CODES.get(exc.status_code, "error")
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such path: {request.url.path}"
        elif exc.status_code == 405:
            message = f"method {request.method} not allowed on {request.url.path}"
        response = respond(request, exc.status_code, message)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        details = [{"where": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg", ""))}
                   for e in errors]
        if any(e.get("type") == "json_invalid" for e in errors):
            ctx = next((e.get("ctx") or {} for e in errors if e.get("type") == "json_invalid"), {})
            return respond(request, 400, f"malformed JSON body: {ctx.get('error', 'cannot parse')}")
        if any(isinstance(e.get("input"), bytes | bytearray) for e in errors):
            return respond(request, 400, "the body must be a JSON object (Content-Type: application/json)")
        summary = "; ".join(f"{d['where']}: {d['message']}" for d in details[:5])
        return respond(request, 422, f"invalid request: {summary}", details=details)

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError) -> Response:
        return respond(request, 400, f"malformed search query: {exc}", exc.code)

    @app.exception_handler(AnalysisError)
    async def analysis_error(request: Request, exc: AnalysisError) -> Response:
        return respond(request, 500, str(exc), exc.code)

    @app.exception_handler(StoreError)
    @app.exception_handler(DatabaseError)
    async def store_error(request: Request, exc: Exception) -> Response:
        err = exc if isinstance(exc, StoreError) else db_error(exc)  # type: ignore[arg-type]
        log.error("store error on %s %s: %s", request.method, request.url.path, err)
        # The client gets what failed, not the server's file path (that is in the log).
        return respond(request, _STORE_STATUS.get(err.kind, 503), store_message(err.kind), err.code, reason=err.kind)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        response = respond(request, 500, "internal server error (the error was logged on the server)")
        # This handler runs outside the middleware (in Starlette's outermost error layer).
        for name, value in SecurityHeadersMiddleware.headers(request.url.path):
            response.headers[name.decode()] = value.decode()
        return response
