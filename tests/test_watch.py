"""khabar watch: feeds and pages served by a local HTTP server (127.0.0.1 only, stopped by each
test). The feeds and articles are written for these tests; a test may build more from ../shared
at run time."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from khabar.cli import main
from khabar.corpus.store import Store
from khabar.monitor.watch import (
    FeedError,
    Fetcher,
    FetchError,
    Source,
    Waiting,
    WatchError,
    decode_page,
    load_sources,
    lsh_bands,
    minhash,
    near_duplicate,
    normalize_url,
    parse_feed,
    signature_bytes,
    similarity,
    watch,
)

# ------------------------------------------------------------------ articles written for these tests

NILE = ("أعلن وزير الخارجية المصري أن بلاده ستستضيف الأسبوع المقبل اجتماعا إقليميا لبحث أزمة المياه في حوض النيل. "
        "وقال الوزير في مؤتمر صحفي عقده في القاهرة مساء الثلاثاء إن الاجتماع سيضم ممثلين عن ست دول. "
        "وأضاف أن الحكومة تأمل في التوصل إلى اتفاق يحفظ حقوق جميع الأطراف ويمنع أي تصعيد جديد. "
        "من جهته رحب الاتحاد الأفريقي بالمبادرة ودعا جميع الدول المعنية إلى المشاركة الفاعلة في المحادثات. "
        "ويأتي هذا الإعلان بعد أشهر من الجمود في المفاوضات التي توقفت في الربيع الماضي.")
HEALTH = ("قالت وزارة الصحة الأردنية إن عدد الإصابات الجديدة بالإنفلونزا تراجع خلال الأسبوع الماضي بنسبة كبيرة. "
          "وأوضحت الوزارة في بيان صدر يوم الأحد أن حملة التطعيم مستمرة في جميع المحافظات حتى نهاية الشهر. "
          "ودعا وزير الصحة المواطنين إلى مراجعة المراكز الصحية القريبة منهم للحصول على اللقاح مجانا. "
          "وأكد أن المستشفيات الحكومية مستعدة لاستقبال أي زيادة في عدد المرضى خلال فصل الشتاء.")
PORT = ("افتتح رئيس الوزراء العراقي صباح الاثنين المرحلة الأولى من ميناء الفاو الكبير في محافظة البصرة. "
        "وقال في كلمة ألقاها خلال الحفل إن الميناء سيغير خريطة النقل في المنطقة ويوفر آلاف فرص العمل. "
        "وأشار إلى أن الحكومة خصصت مبالغ إضافية لإكمال الطريق السريع الذي يربط الميناء بالحدود التركية. "
        "وحضر الافتتاح عدد من السفراء وممثلو شركات النقل البحري الدولية.")
RAIN = ("شهدت مدينة الدار البيضاء أمطارا غزيرة مساء الجمعة تسببت في غرق عدد من الشوارع وتعطل حركة السير. "
        "وقالت السلطات المحلية إن فرق الوقاية المدنية تدخلت لإجلاء السكان من المنازل المهددة بالانهيار. "
        "وتوقعت مديرية الأرصاد الجوية استمرار التساقطات خلال اليومين المقبلين في عدة مناطق من المغرب.")
MARKET = ("ارتفع المؤشر الرئيسي لبورصة الرياض في ختام تعاملات الأربعاء مدعوما بصعود أسهم البنوك والطاقة. "
          "وقال محللون إن نتائج الشركات الفصلية جاءت أفضل من التوقعات مما شجع المستثمرين على الشراء. "
          "وبلغت قيمة التداولات نحو ستة مليارات ريال في جلسة اتسمت بالهدوء.")


def page(title: str, body: str, charset: str = "utf-8", date: str = "2026-11-30") -> str:
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="{charset}"><title>{title}</title>'
            f'<meta name="date" content="{date}"></head><body><nav><a href="/">الرئيسية</a></nav>'
            f"<article><h1>{title}</h1><p>{body}</p></article><footer>جميع الحقوق محفوظة</footer></body></html>")


def rss(items: list[tuple[str, str]], encoding: str = "utf-8") -> str:
    body = "".join(f"<item><title>{t}</title><link>{link}</link>"
                   f"<pubDate>Mon, 30 Nov 2026 08:00:00 GMT</pubDate></item>" for t, link in items)
    return (f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>أخبار</title>'
            f"<link>http://example.test/</link><description>آخر الأخبار</description>{body}</channel></rss>")


def atom(items: list[tuple[str, str]], encoding: str = "utf-8") -> str:
    body = "".join(f'<entry><title>{t}</title><link href="{link}"/><id>{link}</id>'
                   f"<updated>2026-11-30T08:00:00Z</updated></entry>" for t, link in items)
    return (f'<?xml version="1.0" encoding="{encoding}"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>نشرة</title><id>urn:test</id><updated>2026-11-30T08:00:00Z</updated>{body}</feed>")


# ------------------------------------------------------------------ a local server

@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    location: str | None = None
    sleep: float = 0.0
    length: bool = True  # send Content-Length (else the body ends when the connection closes)


@dataclass
class Site:
    routes: dict[str, Route]
    base: str = ""
    log: list[tuple[str, dict[str, str], int]] = field(default_factory=list)
    active: int = 0  # requests being answered now
    peak: int = 0  # the most answered at once

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[tuple[dict[str, str], int]]:
        return [(h, s) for p, h, s in self.log if p == path]


@pytest.fixture
def serve() -> Iterator[Callable[[dict[str, Route]], Site]]:
    servers: list[ThreadingHTTPServer] = []

    def start(routes: dict[str, Route]) -> Site:
        site = Site(routes)
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                route = site.routes.get(self.path) or Route(b"not found", 404)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status = route.status
                if (route.etag and headers.get("if-none-match") == route.etag) or (route.last_modified and headers.get("if-modified-since") == route.last_modified):
                    status = 304
                site.log.append((self.path, headers, status))
                with lock:
                    site.active += 1
                    site.peak = max(site.peak, site.active)
                try:
                    self._answer(route, status)
                finally:
                    with lock:
                        site.active -= 1

            def _answer(self, route: Route, status: int) -> None:
                if route.sleep:
                    time.sleep(route.sleep)
                self.send_response(status)
                if route.location:
                    self.send_header("Location", route.location)
                for name, value in (("ETag", route.etag), ("Last-Modified", route.last_modified)):
                    if value:
                        self.send_header(name, value)
                body = b"" if status == 304 else route.body
                self.send_header("Content-Type", route.content_type)
                if route.length:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:  # the client gave up (timeout, size limit)
                    pass

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.handle_error = lambda *a: None  # type: ignore[method-assign]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        site.base = f"http://127.0.0.1:{server.server_address[1]}"
        return site

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def html(text: str, charset: str = "utf-8") -> Route:
    return Route(text.encode(charset), content_type=f"text/html; charset={charset}")


def newsroom(serve: Callable[[dict[str, Route]], Site]) -> Site:
    """Three outlets (one RSS, one windows-1256 Atom, one JSON Feed), a broken feed and a dead
    one, and pages covering each way a fetch goes wrong."""
    site = serve({})
    u = site.url
    site.routes.update({
        "/robots.txt": Route(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
        "/alpha/rss.xml": Route(rss([
            ("اجتماع إقليمي", u("/alpha/nile?utm_source=rss&id=7#top")),
            ("الإنفلونزا", u("/alpha/health")),
            ("مفقود", u("/alpha/missing")),
            ("خطأ", u("/alpha/error")),
            ("بطيء", u("/alpha/slow")),
            ("ضخم", u("/alpha/huge")),
            ("منقول", u("/alpha/moved")),
            ("ممنوع", u("/private/secret")),
            ("فارغ", u("/alpha/empty")),
        ]).encode("utf-8"), content_type="application/rss+xml", etag='"alpha-1"'),
        "/alpha/nile?id=7": html(page("اجتماع إقليمي", NILE)),
        "/alpha/health": html(page("تراجع الإصابات", HEALTH)),
        "/alpha/error": Route(b"oops", 500),
        "/alpha/slow": Route(page("بطيء", RAIN).encode(), sleep=1.5),
        "/alpha/huge": Route(b"<html><body><p>" + "كلام ".encode() * 250_000 + b"</p></body></html>", length=False),
        "/alpha/moved": Route(status=301, location=u("/alpha/port")),
        "/alpha/port": html(page("ميناء الفاو", PORT)),
        "/private/secret": html(page("سري", RAIN)),
        "/alpha/empty": html("<html><body><nav>الرئيسية</nav></body></html>"),
        # Beta republishes alpha's Nile story (a dateline added) and the health story under
        # another URL, and links alpha's own URL with other tracking parameters.
        "/beta/atom.xml": Route(atom([
            ("اجتماع بشأن النيل", u("/beta/2026/nile-copy")),
            ("الصحة", u("/beta/health-story")),
            ("اجتماع إقليمي", u("/alpha/nile?id=7&fbclid=abc&utm_medium=social")),
            ("أمطار", u("/beta/rain")),
        ], "windows-1256").encode("cp1256"), content_type="application/atom+xml",
            last_modified="Mon, 30 Nov 2026 08:00:00 GMT"),
        "/beta/2026/nile-copy": html(page("اجتماع بشأن مياه النيل", "القاهرة (وكالات) - " + NILE)),
        "/beta/health-story": html(page("تراجع الإصابات", HEALTH)),
        "/beta/rain": html(page("أمطار غزيرة", RAIN, "windows-1256"), "windows-1256"),
        "/gamma/feed.json": Route(json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "غاما",
                                             "items": [{"id": "1", "url": u("/gamma/market"),
                                                        "title": "البورصة",
                                                        "date_published": "2026-11-29T10:00:00Z"}]}).encode(),
                                  content_type="application/feed+json"),
        "/gamma/market": html(page("البورصة", MARKET, date="")),
        "/broken/rss.xml": Route(b"<?xml version='1.0'?><rss><channel><item><title>x</ti", content_type="application/xml"),
    })
    return site


def sources(site: Site) -> list[Source]:
    return [Source("alpha", site.url("/alpha/rss.xml"), "EG", 60), Source("beta", site.url("/beta/atom.xml"), "JO", 60),
            Source("gamma", site.url("/gamma/feed.json"), "SA", 60), Source("broken", site.url("/broken/rss.xml")),
            Source("dead", site.url("/dead/rss.xml"))]


def fetcher() -> Fetcher:
    return Fetcher(timeout=0.5, max_bytes=1_000_000, retries=1, backoff=0.01, delay=0.0)


# ------------------------------------------------------------------ pure parts

def test_normalize_url_drops_tracking_fragment_and_host_case() -> None:
    assert normalize_url("HTTP://News.Example.COM:80/a/b?utm_source=x&id=3&fbclid=y&gclid=z#comments") == \
        "http://news.example.com/a/b?id=3"
    assert normalize_url("https://example.com?p=1&UTM_Medium=rss") == "https://example.com/?p=1"
    assert normalize_url("https://example.com:8443/x") == "https://example.com:8443/x"
    assert normalize_url("https://example.com/x?b=2&a=1") != normalize_url("https://example.com/x?a=1&b=2")


def test_minhash_finds_republished_text_not_other_stories() -> None:
    sig = minhash(NILE)
    copy = minhash("القاهرة (وكالات) - " + NILE + " نقلا عن وكالة أنباء الشرق الأوسط.")
    other = minhash(HEALTH)
    assert similarity(sig, copy) >= 0.8 > similarity(sig, other)
    assert set(lsh_bands(sig)) & set(lsh_bands(copy))
    stored = [("health", signature_bytes(other)), ("nile", signature_bytes(sig))]
    assert near_duplicate(copy, stored) == "nile"
    assert near_duplicate(minhash(PORT), stored) is None
    assert (minhash(NILE) == sig).all()  # stable: the same text, the same signature


def test_parse_feed_kinds_and_broken_feeds() -> None:
    entries = parse_feed(rss([("عنوان", "http://x.test/a"), ("ثان", "/b")]).encode(), "application/rss+xml",
                         "http://x.test/feed")
    assert [e.url for e in entries] == ["http://x.test/a", "http://x.test/b"]
    assert entries[0].title == "عنوان" and entries[0].published == "2026-11-30"
    cp = parse_feed(atom([("نشرة الطقس", "http://x.test/w")], "windows-1256").encode("cp1256"))
    assert cp[0].title == "نشرة الطقس"
    js = parse_feed(b'{"items": [{"url": "http://x.test/j", "date_published": "2026-01-02T00:00:00Z"}]}')
    assert js[0].published == "2026-01-02"
    for bad in (b"<rss><channel><item><title>x</ti", b"<html><body>not a feed</body></html>", b'{"items": 3'):
        with pytest.raises(FeedError, match="malformed"):
            parse_feed(bad)


def test_decode_page_charsets() -> None:
    doc = page("أمطار", RAIN, "windows-1256")
    assert decode_page(doc.encode("cp1256"), "text/html; charset=windows-1256") == doc
    assert decode_page(doc.encode("cp1256"), "text/html") == doc  # from the <meta> tag
    with pytest.raises(FetchError, match="not valid utf-8"):
        decode_page(doc.encode("cp1256"), "text/html; charset=utf-8")


def test_load_sources_errors_are_one_line() -> None:
    src = load_sources('[defaults]\ninterval = 120\n[[source]]\nname = "ألف"\nurl = "https://a.test/rss"\n'
                       'country = "EG"\n[[source]]\nurl = "https://b.test/feed"\ninterval = 60\n')
    assert [(s.name, s.country, s.interval) for s in src] == [("ألف", "EG", 120.0), ("b.test", None, 60.0)]
    for text, msg in (("[[source]\n", "not valid TOML"), ("x = 1\n", "no \\[\\[source\\]\\]"),
                      ('[[source]]\nurl = "ftp://a/b"\n', "not an http"),
                      ('[[source]]\nurl = "http://a/b"\ninterval = 1\n', "at least"),
                      ('[[source]]\nurl = "http://a/b"\n[[source]]\nurl = "http://a/c"\n', "used twice")):
        with pytest.raises(WatchError, match=msg):
            load_sources(text, "s.toml")


# ------------------------------------------------------------------ against a server

def test_fetcher_retries_limits_and_user_agent(serve: Callable[[dict[str, Route]], Site]) -> None:
    site = serve({"/ok": html(page("x", RAIN)), "/500": Route(b"", 500), "/404": Route(b"", 404),
                  "/slow": Route(b"late", sleep=1.0), "/big": Route(b"x" * 5000, length=False),
                  "/declared": Route(b"x" * 5000)})
    f = Fetcher(timeout=0.3, max_bytes=1000, retries=2, backoff=0.01, delay=0.0)
    assert f.get(site.url("/ok")).status == 200
    assert site.hits("/ok")[0][0]["user-agent"].startswith("khabar/")
    with pytest.raises(FetchError, match="HTTP 500") as err:
        f.get(site.url("/500"))
    assert err.value.transient and len(site.hits("/500")) == 3  # tried, then retried twice
    with pytest.raises(FetchError, match="HTTP 404") as err:
        f.get(site.url("/404"))
    assert not err.value.transient and len(site.hits("/404")) == 1  # not retried
    with pytest.raises(FetchError, match="timed out"):
        Fetcher(timeout=0.3, retries=0).get(site.url("/slow"))
    for path in ("/big", "/declared"):
        with pytest.raises(FetchError, match="limit"):
            f.get(site.url(path))


def test_fetcher_politeness_delay_per_host(serve: Callable[[dict[str, Route]], Site]) -> None:
    site = serve({"/a": Route(b"a"), "/b": Route(b"b")})
    waits: list[float] = []
    f = Fetcher(delay=0.2, retries=0, sleep=lambda s: (waits.append(s), time.sleep(s)))
    f.get(site.url("/a"))
    f.get(site.url("/b"))
    assert len(waits) == 1 and 0.1 < waits[0] <= 0.2


def test_fetcher_limits_requests_at_once_per_host(serve: Callable[[dict[str, Route]], Site]) -> None:
    site = serve({f"/p{i}": Route(b"x", sleep=0.2) for i in range(6)})
    f = Fetcher(delay=0.0, per_host=2, retries=0)
    threads = [threading.Thread(target=f.get, args=(site.url(f"/p{i}"),)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(site.log) == 6 and site.peak == 2


def test_watch_once_stores_each_article_once_and_reports_every_failure(
        serve: Callable[[dict[str, Route]], Site], tmp_path: Path) -> None:
    site = newsroom(serve)
    with Store(tmp_path / "news.db") as store:
        # alpha first, so that which copy is "the original" is known; then the rest concurrently
        f = fetcher()
        reports = {r.source: r for r in watch(store, sources(site)[:1], f, once=True)}
        reports.update({r.source: r for r in watch(store, sources(site)[1:], f, once=True, fetchers=4)})
        titles = {a["title"]: a for a in store.rows("articles")}
        # alpha: nile, health, port (after a redirect); beta: rain (windows-1256); gamma: market
        assert sorted(titles) == sorted(["اجتماع إقليمي", "تراجع الإصابات", "ميناء الفاو", "أمطار غزيرة", "البورصة"])
        assert store.count_articles() == 5
        nile = titles["اجتماع إقليمي"]
        assert nile["url"] == site.url("/alpha/nile?id=7") and nile["source"] == "alpha"
        assert nile["published"] == "2026-11-30"
        assert titles["ميناء الفاو"]["url"] == site.url("/alpha/moved")
        assert RAIN in titles["أمطار غزيرة"]["text"]
        assert titles["البورصة"]["published"] == "2026-11-29"  # from the JSON feed: the page has none
        # the republished story and the copied URL are linked to beta, not stored again
        assert sorted(store.article_sources(nile["id"])) == sorted([
            ("alpha", site.url("/alpha/nile?id=7")), ("beta", site.url("/alpha/nile?id=7")),
            ("beta", site.url("/beta/2026/nile-copy"))])
        assert ("beta", site.url("/beta/health-story")) in store.article_sources(titles["تراجع الإصابات"]["id"])
        assert reports["beta"].linked == 3 and reports["beta"].added == 1
        # every failure is reported against its source, and none stopped the others
        alpha = reports["alpha"]
        assert alpha.added == 3 and alpha.failed == 6
        errors = "\n".join(alpha.errors)
        for what in ("/alpha/missing: HTTP 404", "/alpha/error: HTTP 500", "/alpha/slow: timed out",
                     "/alpha/huge: over the size limit", "/private/secret: robots.txt disallows",
                     "/alpha/empty: no article text"):
            assert what in errors, errors
        assert reports["broken"].status == "error" and "malformed feed" in reports["broken"].errors[0]
        assert reports["dead"].status == "error" and "HTTP 404" in reports["dead"].errors[0]
        assert not site.hits("/private/secret")  # robots.txt was obeyed
        assert len(site.hits("/robots.txt")) == 1  # read once per host
        health = {s.name: s for s in store.watch_states()}
        assert health["alpha"].etag == '"alpha-1"' and health["alpha"].articles == 3
        assert health["dead"].last_success is None and health["dead"].errors == 1
        assert "HTTP 404" in (health["dead"].last_error or "")
        assert health["gamma"].last_success and health["gamma"].last_error is None
        failures = {f.path for f in store.failures()}
        assert site.url("/alpha/missing") in failures and site.url("/alpha/slow") in failures


def test_second_poll_uses_conditional_get_and_stores_nothing_new(
        serve: Callable[[dict[str, Route]], Site], tmp_path: Path) -> None:
    site = newsroom(serve)
    db = tmp_path / "news.db"
    with Store(db) as store:
        watch(store, sources(site)[:2], fetcher(), once=True)
        count = store.count_articles()
    pages_before = len(site.log)
    with Store(db) as store:  # a restart: the state is in the store
        reports = watch(store, sources(site)[:2], fetcher(), once=True)
        assert store.count_articles() == count
    alpha_hits, beta_hits = site.hits("/alpha/rss.xml"), site.hits("/beta/atom.xml")
    assert alpha_hits[-1][0]["if-none-match"] == '"alpha-1"' and alpha_hits[-1][1] == 304
    assert beta_hits[-1][0]["if-modified-since"] == "Mon, 30 Nov 2026 08:00:00 GMT" and beta_hits[-1][1] == 304
    assert {r.status for r in reports} == {"not_modified"}
    asked = sorted(p for p, _h, _s in site.log[pages_before:] if p != "/robots.txt")  # robots.txt: a new fetcher
    assert asked == ["/alpha/rss.xml", "/beta/atom.xml"]  # the two feeds, no page


def test_feed_changed_only_new_and_transient_failures_are_fetched_again(
        serve: Callable[[dict[str, Route]], Site], tmp_path: Path) -> None:
    site = newsroom(serve)
    src = sources(site)[:1]
    with Store(tmp_path / "news.db") as store:
        watch(store, src, fetcher(), once=True)
        site.routes["/alpha/rss.xml"].etag = '"alpha-2"'  # the feed changed (same entries)
        site.routes["/alpha/error"] = html(page("أمطار", RAIN))  # the server recovered
        before = len(site.log)
        report = watch(store, src, fetcher(), once=True)[0]
        again = [p for p, _h, _s in site.log[before:]]
        assert report.added == 1 and report.failed == 1  # the 500 page now stored; the slow one failed again
        assert "/alpha/slow" in again  # a timeout is tried again on the next poll...
        for path in ("/alpha/missing", "/alpha/huge", "/alpha/empty", "/alpha/health"):
            assert path not in again  # ...a 404, a refused or empty page, a stored one are not
        assert report.linked == 0  # entries seen before are not new links
        failed = {f.path for f in store.failures()}
        assert site.url("/alpha/error") not in failed and site.url("/alpha/slow") in failed  # recovered, not
        assert store.count_articles() == 4


def test_watch_cli_once_stats_and_api(serve: Callable[[dict[str, Route]], Site], tmp_path: Path) -> None:
    site = newsroom(serve)
    toml = tmp_path / "sources.toml"
    toml.write_text(f'[[source]]\nname = "gamma"\nurl = "{site.url("/gamma/feed.json")}"\ncountry = "SA"\n'
                    f'interval = 60\n[[source]]\nname = "dead"\nurl = "{site.url("/dead/rss.xml")}"\n',
                    encoding="utf-8")
    db = str(tmp_path / "news.db")
    runner = CliRunner()
    res = runner.invoke(main, ["watch", str(toml), "--db", db, "--once", "--delay", "0", "--timeout", "2",
                               "--format", "json"], catch_exceptions=False)
    assert res.exit_code == 1  # the dead feed failed
    lines = {d["source"]: d for d in map(json.loads, res.stdout.splitlines())}
    assert lines["gamma"]["added"] == 1 and lines["dead"]["status"] == "error"
    res = runner.invoke(main, ["stats", "--db", db], catch_exceptions=False)
    assert res.exit_code == 0
    assert "gamma: last success" in res.stdout and "dead: last success never" in res.stdout
    assert "last error: feed: HTTP 404" in res.stdout
    res = runner.invoke(main, ["stats", "--db", db, "--format", "json"], catch_exceptions=False)
    watched = {s["name"]: s for s in json.loads(res.stdout)["watched_sources"]}
    assert watched["gamma"]["articles"] == 1 and watched["gamma"]["articles_per_day"] == 1.0
    assert watched["dead"]["errors"] == 1 and "etag" not in watched["dead"]

    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from khabar.web.api import create_app

    with TestClient(create_app(db)) as client:
        got = client.get("/v1/sources").json()["sources"]
    assert {s["name"]: s["country"] for s in got} == {"dead": None, "gamma": "SA"}


@pytest.mark.parametrize(("args", "message"), [
    ([], "nothing to watch"),
    (["--feed", "ftp://x.test/rss"], "not an http"),
    (["missing.toml"], "does not exist"),
])
def test_watch_cli_bad_input_is_one_line_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["watch", *args, "--db", str(tmp_path / "n.db"), "--once"])
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_watch_pages_built_from_shared_articles(serve: Callable[[dict[str, Route]], Site], tmp_path: Path,
                                                shared: Path) -> None:
    """Real articles (read at run time, never committed) served as pages, the reference one twice."""
    files = sorted((shared / "samples").glob("*.txt"))[:3]
    if not files:
        pytest.skip("no samples in ../shared")
    texts = [f.read_text(encoding="utf-8") for f in files]
    site = serve({})
    routes = {f"/s/{i}": html(page(f"خبر {i}", t.replace("\n", "</p><p>"))) for i, t in enumerate(texts)}
    routes["/s/copy"] = routes["/s/0"]
    routes["/feed"] = Route(rss([(f"خبر {i}", site.url(p)) for i, p in enumerate(routes)]).encode(),
                            content_type="application/rss+xml")
    site.routes.update(routes)
    with Store(tmp_path / "n.db") as store:
        report = watch(store, [Source("samples", site.url("/feed"))], fetcher(), once=True)[0]
        assert report.failed == 0 and report.added == len(texts) and report.linked == 1
        assert store.count_articles() == len(texts)


def test_watch_loops_until_sigterm_then_stops_cleanly(serve: Callable[[dict[str, Route]], Site],
                                                      tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    site = newsroom(serve)
    db = tmp_path / "news.db"
    proc = subprocess.Popen([sys.executable, "-m", "khabar", "watch", "--feed", site.url("/gamma/feed.json"),
                             "--db", str(db), "--delay", "0", "--interval", "30"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        first = proc.stdout.readline() if proc.stdout else ""  # after the first poll is stored
        assert "1 new" in first, first
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0 and "watch stopped" in err and "Traceback" not in err
    with Store(db) as store:
        assert store.count_articles() == 1 and store.watch_states()[0].polls == 1



# ------------------------------------------------------------------ near duplicates of short articles

# A short agency item, written for these tests, and a second one from the same template that
# differs only in who and what (such look-alikes are distinct articles).
BRIEF = ("أعلنت وزارة النقل أن الطريق الساحلي بين المدينتين سيفتح أمام الحركة صباح الخميس بعد أعمال صيانة "
         "استمرت ثلاثة أسابيع. وقالت الوزارة في بيان إن السائقين مطالبون بالالتزام بحدود السرعة.")
BRIEF_OTHER = ("أعلنت وزارة الزراعة أن السوق المركزية للخضار في العاصمة ستفتح أمام الزوار صباح الخميس بعد أعمال توسعة "
               "استمرت شهرين. وقالت الوزارة في بيان إن التجار مطالبون بالالتزام بمواعيد العمل.")


@pytest.mark.parametrize("copy", [
    "الرياض - واس: " + BRIEF + " (رويترز)",  # Riyadh - SPA: ... (Reuters)
    "جدة (خاص) - " + BRIEF + "\nنقلا عن وكالة الأنباء الرسمية.",  # Jeddah (special) - ... reported from the agency
    BRIEF + " - واس",  # ... - SPA
    "القاهرة - مراسلنا: " + BRIEF + "\nتابعونا على حساباتنا.",  # forms not in data/credits.json: containment
])
def test_short_copy_with_dateline_and_credit_is_the_same_article(copy: str) -> None:
    from khabar.monitor.dedup import article_words, confirmed_duplicate, same_article, shingles

    assert len(BRIEF.split()) < 35  # short: the added words weigh much
    assert same_article(shingles(BRIEF), shingles(copy))
    assert not same_article(shingles(BRIEF), shingles(BRIEF_OTHER))
    stored = {"brief": BRIEF, "other": BRIEF_OTHER}
    cands = [(k, signature_bytes(minhash(v))) for k, v in stored.items()]
    assert confirmed_duplicate(copy, minhash(copy), cands, stored.get) == "brief"
    assert confirmed_duplicate(BRIEF_OTHER, minhash(BRIEF_OTHER), cands[:1], stored.get) is None
    assert article_words("الرياض - واس: " + BRIEF + " (رويترز)") == article_words(BRIEF)


def test_watch_links_short_copies_with_dateline_and_credit(serve: Callable[[dict[str, Route]], Site],
                                                          tmp_path: Path) -> None:
    site = serve({})
    copies = {"/b/1": "الرياض - واس: " + BRIEF + " (رويترز)", "/c/1": "جدة (خاص) - " + BRIEF + "\nالمصدر: وكالات",
              "/d/1": BRIEF_OTHER}
    site.routes.update({"/a/rss.xml": Route(rss([("الطريق", site.url("/a/1"))]).encode(),
                                            content_type="application/rss+xml"),
                        "/a/1": html(page("الطريق الساحلي", BRIEF))})
    for path, text in copies.items():
        site.routes[path] = html(page("خبر", text))  # "news item"
        site.routes[path.rsplit("/", 1)[0] + "/rss.xml"] = Route(rss([("خبر", site.url(path))]).encode(),
                                                                 content_type="application/rss+xml")
    srcs = [Source(x, site.url(f"/{x}/rss.xml"), None, 60) for x in "abcd"]
    with Store(tmp_path / "news.db") as store:
        watch(store, srcs[:1], fetcher(), once=True)
        reports = watch(store, srcs[1:], fetcher(), once=True)
        assert sum(r.added for r in reports) == 1 and sum(r.linked for r in reports) == 2  # BRIEF_OTHER is new
        assert store.count_articles() == 2
        original = store.seen_article(site.url("/a/1"))
        assert {s for s, _u in store.article_sources(original)} == {"a", "b", "c"}


# ------------------------------------------------------------------ signatures stored before stop 18

SCHOOLS = ("افتتحت وزارة التعليم صباح الأحد ثلاث مدارس جديدة في المنطقة الشرقية بتكلفة تجاوزت عشرين مليون ريال. "
           "وقال مدير التعليم إن المدارس ستستقبل أكثر من ألف طالب مع بداية الفصل الدراسي المقبل.")


def _old_signature(text: str):
    """A signature as the watcher computed it before stop 18 (scheme 1): 3-grams of the whole
    normalised text, dateline and credit line included."""
    import hashlib

    import numpy as np

    from khabar.analysis.text.normalize import normalize
    from khabar.monitor.watch import _MASKS

    words = normalize(text).text.split()
    grams = {" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))}
    hashes = np.array([int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=8).digest(), "big")
                       for g in grams], dtype=np.uint64)
    return (hashes[None, :] ^ _MASKS[:, None]).min(axis=1)


def test_faster_minhash_stores_the_same_signatures() -> None:
    """The digests read at once, the shingles kept or made from the folded text: the values are
    those of the hash-per-shingle computation (stored signatures stay comparable)."""
    import hashlib

    import numpy as np

    from khabar.analysis.text.normalize import fold
    from khabar.monitor.dedup import shingles
    from khabar.monitor.watch import _MASKS, minhash_of

    for text in (NILE, HEALTH, "الرياض - واس: " + SCHOOLS + " (واس)", "كلمة"):  # "word": one shingle
        grams = shingles(text)
        hashes = np.array([int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=8).digest(), "big")
                           for g in grams], dtype=np.uint64)
        expected = (hashes[None, :] ^ _MASKS[:, None]).min(axis=1)
        assert (minhash(text) == expected).all() and (minhash_of(grams) == expected).all()
        assert shingles(text, folded=fold(text)) == grams


def test_old_signatures_are_refingerprinted_once_and_find_the_copy(serve: Callable[[dict[str, Route]], Site],
                                                                   tmp_path: Path) -> None:
    from khabar.io import article_id

    stored = "الدمام - واس: " + SCHOOLS + " (واس)"  # "Dammam - SPA: ... (SPA)"
    old = _old_signature(stored)
    # the old signature shares no LSH band with the copy's: the lookup could not find it
    assert not set(lsh_bands(old)) & set(lsh_bands(minhash(SCHOOLS)))
    db = tmp_path / "old.db"
    with Store(db) as store, store.transaction():  # a store as the watcher left it before stop 18
        cid = article_id(stored)
        store.add_article({"id": "", "text": stored, "title": "مدارس جديدة", "source": "spa"}, content_id=cid)
        store.add_minhash(cid, signature_bytes(old), lsh_bands(old))
        for i in range(3):  # and a few more, to run in several batches
            other = f"{HEALTH} الخبر رقم {i}."  # "report number i"
            store.add_article({"id": "", "text": other}, content_id=article_id(other))
            store.add_minhash(article_id(other), signature_bytes(_old_signature(other)), lsh_bands(minhash(other)))
    site = serve({"/rss.xml": Route(rss([("مدارس", "/a/schools")]).encode(), content_type="application/rss+xml"),
                  "/a/schools": html(page("مدارس جديدة", SCHOOLS))})  # "new schools": the copy, bare
    res = CliRunner().invoke(main, ["watch", "--feed", site.url("/rss.xml"), "--db", str(db), "--once", "--delay",
                                    "0", "--workers", "1", "--format", "json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert [(r["added"], r["linked"]) for r in map(json.loads, res.stdout.splitlines())] == [(0, 1)]
    assert "near-duplicate signatures of 4 watched articles recomputed" in res.stderr
    from khabar.monitor.watch import refingerprint, signatures_current

    with Store(db) as store:
        assert store.count_articles() == 4 and signatures_current(store)
        assert {s for s, _u in store.article_sources(cid)} == {site.url("/rss.xml").split("/")[2].split(":")[0]}
        (sig,) = store.conn.execute("SELECT signature FROM article_minhash WHERE article_id=?", (cid,)).fetchone()
        assert sig == signature_bytes(minhash(stored))
        bands = {b for (b,) in store.conn.execute("SELECT band FROM minhash_bands WHERE article_id=?", (cid,))}
        assert bands == set(lsh_bands(minhash(stored)))  # the old bands are gone
        assert refingerprint(store) == 0  # once: recorded in the store
        store.delete_meta("minhash_scheme")
        assert refingerprint(store, batch=3) == 4  # idempotent: the same signatures again
        assert store.conn.execute("SELECT COUNT(*) FROM minhash_bands").fetchone()[0] == 4 * 16


# ------------------------------------------------------------------ failing sources back off

def _make_due(db: Path, name: str) -> None:
    """Time passes: the stored backoff of ``name`` is over (what a clock would do)."""
    from dataclasses import replace

    with Store(db) as store, store.transaction():
        store.save_watch_state(replace(store.watch_state(name), next_poll=time.time() - 1))


def test_failing_feed_backs_off_across_restarts_and_a_success_resets_it(
        serve: Callable[[dict[str, Route]], Site], tmp_path: Path) -> None:
    site = serve({"/down/rss.xml": Route(b"unavailable", 503)})
    db = tmp_path / "news.db"
    src = [Source("down", site.url("/down/rss.xml"), None, 60)]
    delays = []
    for attempt in range(1, 7):
        before = len(site.hits("/down/rss.xml"))
        with Store(db) as store:  # a restart each time: the streak and the next attempt are stored
            t0 = time.time()
            report = watch(store, src, fetcher(), once=True)[0]
            st = store.watch_state("down")
        assert report.status == "error" and report.fail_streak == st.fail_streak == attempt
        assert len(site.hits("/down/rss.xml")) > before
        delays.append(round((st.next_poll - t0) / 60))
        hits = len(site.hits("/down/rss.xml"))
        with Store(db) as store:  # before the backoff is over: not polled, reported as such
            skipped = watch(store, src, fetcher(), once=True)[0]
        assert skipped.status == "backoff" and skipped.fail_streak == attempt
        assert skipped.next_poll == st.next_poll and len(site.hits("/down/rss.xml")) == hits
        _make_due(db, "down")
    assert delays == [2, 4, 8, 16, 16, 16]  # times the 60 s interval: doubled, capped
    site.routes["/down/rss.xml"] = Route(rss([]).encode(), content_type="application/rss+xml")  # back up
    with Store(db) as store:
        t0 = time.time()
        report = watch(store, src, fetcher(), once=True)[0]
        st = store.watch_state("down")
    assert report.status == "ok" and st.fail_streak == 0 and round((st.next_poll - t0) / 60) == 1
    assert st.errors == 6 and st.polls == 7


def test_watch_loop_polls_a_failing_feed_less_often(serve: Callable[[dict[str, Route]], Site],
                                                    tmp_path: Path) -> None:
    site = serve({"/ok/feed.json": Route(b'{"items": []}', content_type="application/feed+json"),
                  "/down/rss.xml": Route(b"gone", 404)})
    stop = threading.Event()
    polls: dict[str, int] = {}

    def on_report(r: object) -> None:
        polls[r.source] = polls.get(r.source, 0) + 1  # type: ignore[attr-defined]

    srcs = [Source("ok", site.url("/ok/feed.json"), None, 0.1), Source("down", site.url("/down/rss.xml"), None, 0.1)]

    def run() -> None:
        with Store(tmp_path / "news.db") as store:
            watch(store, srcs, fetcher(), stop=stop, on_report=on_report)

    t = threading.Thread(target=run)
    t.start()
    time.sleep(1.6)
    stop.set()
    t.join(10)
    # the healthy feed every 0.1 s; the dead one after 0.2, 0.4, 0.8 s more (1.4 s in all)
    assert polls["ok"] >= 6 and 2 <= polls["down"] <= 4, polls


def test_stats_and_api_show_the_failure_streak_and_next_attempt(serve: Callable[[dict[str, Route]], Site],
                                                                tmp_path: Path) -> None:
    site = serve({"/down/rss.xml": Route(b"gone", 404)})
    db = str(tmp_path / "news.db")
    runner = CliRunner()
    args = ["watch", "--feed", site.url("/down/rss.xml"), "--db", db, "--once", "--delay", "0", "--interval", "60"]
    res = runner.invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 1 and "feed failed 1 times in a row, next attempt" in res.stdout
    _make_due(Path(db), "127.0.0.1")
    runner.invoke(main, args, catch_exceptions=False)
    res = runner.invoke(main, args, catch_exceptions=False)  # in the backoff: skipped, not a failure
    assert res.exit_code == 0 and "skipped, the feed failed 2 times in a row; next attempt" in res.stdout
    res = runner.invoke(main, ["stats", "--db", db], catch_exceptions=False)
    assert "feed failed 2 times in a row, next attempt 20" in res.stdout
    res = runner.invoke(main, ["stats", "--db", db, "--format", "json"], catch_exceptions=False)
    (watched,) = json.loads(res.stdout)["watched_sources"]
    assert watched["fail_streak"] == 2 and watched["next_poll"] > time.time() + 200

    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from khabar.web.api import create_app

    with TestClient(create_app(db)) as client:
        (got,) = client.get("/v1/sources").json()["sources"]
    assert got["fail_streak"] == 2 and got["next_poll"] == watched["next_poll"]


# ------------------------------------------------------------------ article-to-source links in the API and UI

def test_republished_article_lists_all_its_sources_in_api_and_page(serve: Callable[[dict[str, Route]], Site],
                                                                   tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from khabar.web.api import create_app

    site = newsroom(serve)
    db = tmp_path / "news.db"
    with Store(db) as store:
        watch(store, sources(site)[:1], fetcher(), once=True)
        watch(store, sources(site)[1:2], fetcher(), once=True)
        nile = next(a for a in store.rows("articles") if a["title"] == "اجتماع إقليمي")["id"]
        stored = store.get_article(nile)
        rain = next(a for a in store.rows("articles") if a["title"] == "أمطار غزيرة")["id"]
    with TestClient(create_app(str(db))) as client:
        r = client.get(f"/v1/articles/{nile}")
        article = r.json()
        # the article object stays exactly khabar.article/1 as stored: the links live beside it
        assert article["schema"] == "khabar.article/1" and "sources" not in article
        assert article == {k: v for k, v in stored.items() if k != "path"}
        assert r.headers["link"] == f'</v1/articles/{nile}/sources>; rel="related"'
        links = client.get(f"/v1/articles/{nile}/sources").json()
        assert links["article_id"] == nile
        assert sorted((s["source"], s["url"]) for s in links["sources"]) == [
            ("alpha", site.url("/alpha/nile?id=7")), ("beta", site.url("/alpha/nile?id=7")),
            ("beta", site.url("/beta/2026/nile-copy"))]
        assert links["sources"][0]["source"] == "alpha" and all(s["at"] for s in links["sources"])  # first first
        one = client.get(f"/v1/articles/{rain}/sources").json()["sources"]
        assert [(s["source"], s["url"]) for s in one] == [("beta", site.url("/beta/rain"))]
        assert client.get("/v1/articles/nope/sources").status_code == 404
        page_html = client.get(f"/articles/{nile}").text
        assert 'id="article-sources"' in page_html and page_html.count('class="article-source"') == 3
        assert f'href="{site.url("/beta/2026/nile-copy")}"' in page_html
        assert 'id="article-sources"' not in client.get(f"/articles/{rain}").text  # one source: no list


# ------------------------------------------------------------------ analysis in worker processes

def test_watch_with_analysis_workers_stores_each_article_once(serve: Callable[[dict[str, Route]], Site],
                                                              tmp_path: Path) -> None:
    """Two outlets polled at once, the second republishing the first's articles (the same text,
    or with a dateline and a credit line): copies are analysed while their original is, so the
    store must link them when their analysis comes back, not store them twice."""
    site = serve({})
    texts = [NILE, HEALTH, PORT, RAIN, MARKET]
    site.routes["/a/rss.xml"] = Route(rss([(f"خبر {i}", site.url(f"/a/{i}")) for i in range(5)]).encode(),
                                      content_type="application/rss+xml")
    site.routes["/b/rss.xml"] = Route(rss([(f"خبر {i}", site.url(f"/b/{i}")) for i in range(5)]).encode(),
                                      content_type="application/rss+xml")
    for i, text in enumerate(texts):
        site.routes[f"/a/{i}"] = html(page(f"خبر {i}", text))
        copy = text if i % 2 else "الرياض - واس: " + text + " (رويترز)"  # Riyadh - SPA: ... (Reuters)
        site.routes[f"/b/{i}"] = html(page(f"خبر {i}", copy))
    srcs = [Source("a", site.url("/a/rss.xml"), None, 60), Source("b", site.url("/b/rss.xml"), None, 60)]
    results = {}
    for workers in (1, 2):
        with Store(tmp_path / f"w{workers}.db") as store:
            reports = watch(store, srcs, fetcher(), once=True, workers=workers)
            assert sum(r.added for r in reports) == 5 and sum(r.linked for r in reports) == 5
            assert sum(r.failed for r in reports) == 0 and store.count_articles() == 5
            for i in range(5):
                aid = store.seen_article(site.url(f"/a/{i}"))
                assert aid and store.seen_article(site.url(f"/b/{i}")) == aid
                assert {s for s, _u in store.article_sources(aid)} == {"a", "b"}
            results[workers] = {store.seen_article(site.url(f"/a/{i}")) for i in range(5)}
            assert {st.name: st.polls for st in store.watch_states()} == {"a": 1, "b": 1}
    # which copy came first (and is stored) depends on the fetch order; one per article either way
    assert len(results[1]) == len(results[2]) == 5


# Common words of news reports, written for this test: random sequences of them make articles that
# share no 3-gram with one another (so the right answer is known).
NEWS_WORDS = ("الوزير", "الحكومة", "الرئيس", "المدينة", "الاجتماع", "الاتفاق", "المحادثات", "الأسبوع",
              "الشهر", "اليوم", "البلاد", "الوفد", "الشركة", "السوق", "الأسعار", "المياه", "الكهرباء",
              "الطريق", "الميناء", "المطار", "المستشفى", "المدرسة", "الجامعة", "الشرطة", "المجلس",
              "البرلمان", "القرار", "المشروع", "الميزانية", "الصادرات", "الواردات", "النفط", "الغاز",
              "القمح", "المطر", "الشتاء", "الصيف", "الحدود", "السفير", "المؤتمر", "البيان", "اللجنة",
              "التقرير", "المواطنين", "العمال", "الطلاب", "المزارعين")


def test_slow_analysis_holds_at_most_the_limit_and_analyses_each_article_once(
        serve: Callable[[dict[str, Route]], Site], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Analysis slower than fetching (as in bench_watch): the articles waiting for it never
    exceed the limit (a backlog of them held 410 MiB), a copy fetched while its original waits is
    not analysed a second time, and still every article is stored once and every copy linked."""
    import khabar.corpus.ingest as ingest

    real = ingest.analyze_record
    log = tmp_path / "analysed.txt"

    def slow(cid: str, rec: dict, stages: tuple[str, ...] | None = None):  # runs in the forked workers
        time.sleep(0.1)
        with open(log, "a", encoding="utf-8") as f:  # one short append per call: whole lines
            f.write(cid + "\n")
        return real(cid, rec, stages)

    monkeypatch.setattr(ingest, "analyze_record", slow)
    rng = random.Random(16)
    texts = [" ".join(rng.choice(NEWS_WORDS) for _ in range(40)) + "." for _ in range(24)]
    site = serve({})
    groups: list[list[str]] = [[f"/o{i // 4}/{i}"] for i in range(24)]  # six feeds of four originals
    for i, text in enumerate(texts):
        site.routes[groups[i][0]] = html(page(f"خبر {i}", text))  # "news item i"
    for k in range(6):  # two more feeds republish an earlier feed's articles, one with a dateline
        path = f"/o{6 + k // 3}/copy{k}"
        site.routes[path] = html(page(f"خبر {k}", texts[k] if k % 2 else "الرياض - واس: " + texts[k]))  # Riyadh - SPA:
        groups[k].append(path)
    feeds = {}
    for paths in groups:
        for path in paths:
            feeds.setdefault(path.split("/")[1], []).append(path)
    for name, paths in feeds.items():
        site.routes[f"/{name}/rss.xml"] = Route(rss([(p, site.url(p)) for p in paths]).encode(),
                                                content_type="application/rss+xml")
    srcs = [Source(name, site.url(f"/{name}/rss.xml"), None, 60) for name in sorted(feeds)]
    peaks = {}
    for limit in (5, 1000):
        log.unlink(missing_ok=True)
        waiting = Waiting(limit)
        with Store(tmp_path / f"limit{limit}.db") as store:
            reports = watch(store, srcs, fetcher(), once=True, workers=2, stages=("segment",), waiting=waiting,
                            fetchers=8)
            assert sum(r.failed for r in reports) == 0, [e for r in reports for e in r.errors]
            assert sum(r.added for r in reports) == 24 and sum(r.linked for r in reports) == 6
            assert store.count_articles() == 24
            ids = [{store.seen_article(site.url(p)) for p in paths} for paths in groups]
            assert all(len(g) == 1 and None not in g for g in ids) and len(set().union(*ids)) == 24
        analysed = log.read_text(encoding="utf-8").split()
        assert len(analysed) == 24 and len(set(analysed)) == 24  # each article once, no copy
        peaks[limit] = waiting.peak
        assert waiting.count == 0
    assert peaks[5] <= 5  # a poll is taken in only when it fits (four pages at most here)
    assert peaks[1000] > 10  # without the limit, slow workers let the backlog grow


def test_a_copy_waits_for_its_original_and_is_analysed_if_that_fails() -> None:
    from khabar.io import article_id
    from khabar.model import Document
    from khabar.monitor.dedup import shingles
    from khabar.monitor.watch import NewArticle, Page, Poll, PollInProgress, SourceReport, minhash_of

    src = Source("a", "http://127.0.0.1/rss", None, 60)

    def job(text: str) -> tuple[NewArticle, frozenset[str]]:
        doc = Document(id=article_id(text), text=text)
        grams = shingles(text)
        sig = minhash_of(grams)
        return NewArticle(Page(f"http://127.0.0.1/{doc.id}", doc), sig, lsh_bands(sig), {"text": text}), grams

    waiting = Waiting(10)
    polls = [PollInProgress(Poll(src, 0.0), SourceReport("a", "ok"), []) for _ in range(3)]
    original, copy, other = job(NILE), job("القاهرة (وكالات) - " + NILE), job(PORT)  # Cairo (agencies) -
    for pending, (j, grams) in zip(polls, (original, copy, other)):
        waiting.take(pending, j, grams)
    assert [j for _, j in waiting.queued] == [original[0], other[0]]  # the copy is not analysed
    assert waiting.count == waiting.peak == 3 and [p.waiting for p in polls] == [1, 1, 1]
    waiting.take_queued()
    assert waiting.settled(other[0]) == []
    followers = waiting.settled(original[0])
    assert followers == [(polls[1], copy[0])] and waiting.count == 1
    waiting.retry(followers)  # the original's analysis failed: the copy is analysed now
    assert [j for _, j in waiting.queued] == [copy[0]] and polls[1].analysing == 1
    assert waiting.settled(copy[0]) == [] and waiting.count == 0
