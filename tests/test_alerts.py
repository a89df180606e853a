"""khabar alert: the pure matcher, the CLI, the watch hook (webhook on 127.0.0.1) and the Atom
route. Every article and sentence here is written for these tests."""

from __future__ import annotations

import json
import socket
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_watch import HEALTH, NILE, PORT, RAIN, Route, Site, html, page, rss, serve  # noqa: F401 - serve is a fixture

from khabar.cli import main
from khabar.corpus.store import Alert, Store
from khabar.monitor.alerts import atom_feed, matches, matching

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # starlette's TestClient on httpx

ATOM = "{http://www.w3.org/2005/Atom}"


def article(**over: Any) -> dict[str, Any]:
    """A small khabar.article/1-shaped dict: a minister of the UN speaks in Cairo."""
    d: dict[str, Any] = {
        "id": "a1", "title": "اجتماع إقليمي لبحث أزمة المياه", "source": "Nile Times", "url": "http://n.test/1",
        "published": "2026-11-30",
        "text": "قال الأمين العام للأمم المتحدة إن الاجتماع في القاهرة سيبحث أزمة المياه في حوض النيل.",
        "entities": [
            {"id": "e1", "type": "ORG", "name": "الأمم المتحدة", "name_en": "United Nations", "kb_id": "Q1065"},
            {"id": "e2", "type": "LOC", "name": "القاهرة", "name_en": "Cairo", "kb_id": "Q85"},
            {"id": "e3", "type": "PER", "name": "أنطونيو غوتيريش", "name_en": "António Guterres", "kb_id": "Q311440"},
        ],
        "quotes": [{"id": "q1", "speaker": "e3", "text": "سيبحث أزمة المياه"}],
    }
    d.update(over)
    return d


# ------------------------------------------------------------------ the pure matcher

@pytest.mark.parametrize(("alert", "expected"), [
    (Alert("q", query="أزمة المياه"), True),
    (Alert("q", query="ازمه المياه"), True),  # hamza and taa marbuta variants ("the water crisis")
    (Alert("q", query="أَزْمَة الْمِيَاه"), True),  # with diacritics
    (Alert("q", query="النيل"), True),  # "the Nile": "حوض النيل" in the text, the proclitic al- dropped
    (Alert("q", query="أزمة الكهرباء"), False),  # "electricity crisis": one word missing
    (Alert("q", query="اجتماع"), True),  # "meeting": in the title only
    (Alert("e", entity="United Nations"), True),
    (Alert("e", entity="q85"), True),  # KB id, any case
    (Alert("e", entity="الامم المتحده"), True),  # Arabic name without hamza, ha for taa marbuta
    (Alert("e", entity="Beirut"), False),
    (Alert("s", speaker="António Guterres"), True),
    (Alert("s", speaker="انطونيو غوتيريش"), True),  # alef without hamza
    (Alert("s", speaker="Cairo"), False),  # an entity, but not a speaker
    (Alert("src", source="nile times"), True),
    (Alert("src", source="Gulf Daily"), False),
    (Alert("all", query="المياه", entity="Cairo", speaker="Q311440", source="Nile Times"), True),
    (Alert("all", query="المياه", entity="Cairo", source="Gulf Daily"), False),  # every condition must hold
    (Alert("none"), False),  # no condition: matches nothing
])
def test_matcher_conditions(alert: Alert, expected: bool) -> None:
    assert matches(alert, article()) is expected


def test_matcher_without_quotes_or_entities_and_on_documents() -> None:
    bare = article(entities=[], quotes=[], title=None)
    assert not matches(Alert("s", speaker="Q311440"), bare)
    assert matches(Alert("q", query="القاهرة"), bare)
    from khabar.model import Document

    doc = Document(id="d1", text="أعلنت وزارة الصحة حملة تطعيم جديدة.", source="Amman")  # "a new vaccination campaign"
    assert [a.name for a in matching([Alert("x", query="تطعيم"), Alert("y", query="بورصة"),
                                      Alert("z", source="amman")], doc)] == ["x", "z"]


# ------------------------------------------------------------------ CLI

def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_cli_add_list_show_remove(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    assert run("alert", "add", "water", "--query", "أزمة المياه", "--source", "Nile Times", "--db", db).exit_code == 0
    assert run("alert", "add", "un", "--entity", "Q1065", "--webhook", "http://127.0.0.1:9/x", "--db", db).exit_code == 0
    res = run("alert", "list", "--db", db)
    assert res.exit_code == 0
    assert res.stdout.splitlines()[0] == "un: entity='Q1065' -> http://127.0.0.1:9/x (0 delivered, 0 failed)"
    assert res.stdout.splitlines()[1].startswith("water: query='أزمة المياه' source='Nile Times'")
    listed = [json.loads(x) for x in run("alert", "list", "--db", db, "--format", "jsonl").stdout.splitlines()]
    assert [a["name"] for a in listed] == ["un", "water"] and listed[0]["webhook"] == "http://127.0.0.1:9/x"

    with Store(db) as store:  # matches as the watcher records them, the newer one second
        store.add_article(article(id="", url="http://n.test/old", entities=[], quotes=[]), content_id="c-old")
        store.add_article(article(id="", title="عنوان ثان", url="http://n.test/new",  # "a second title"
                                  text="نص آخر عن أزمة المياه.", entities=[], quotes=[]),  # "another text"
                          content_id="c-new")
        store.record_alert_match("water", "c-old")
        store.conn.execute("UPDATE alert_matches SET at = at - 60")
        assert store.record_alert_match("water", "c-new") and not store.record_alert_match("water", "c-new")
    res = run("alert", "show", "water", "--db", db, "--format", "jsonl")
    assert res.exit_code == 0
    shown = [json.loads(x) for x in res.stdout.splitlines()]
    assert [m["article_id"] for m in shown] == ["c-new", "c-old"]  # newest first
    assert shown[0]["title"] == "عنوان ثان" and shown[0]["url"] == "http://n.test/new"
    assert "c-new" in run("alert", "show", "water", "--db", db).stdout.splitlines()[0]

    assert run("alert", "remove", "water", "--db", db).exit_code == 0
    assert [a.name for a in Store(db, readonly=True).alerts()] == ["un"]
    with Store(db, readonly=True) as store:
        assert store.alert_matches("water") == [] and store.count_articles() == 2  # articles are kept


@pytest.mark.parametrize(("args", "message"), [
    (["add", "x"], "at least one of --query"),
    (["add", "x", "--query", "  "], "at least one of --query"),
    (["add", "x", "--query", "!?"], "has no words"),
    (["add", "dup", "--query", "مياه"], "exists already"),
    (["add", "x", "--colour", "red"], "No such option"),
    (["add", "x", "--source", "s", "--webhook", "ftp://h/x"], "not an http(s) URL"),
    (["add", "x", "--entity", "999"], "no entity with id 999"),
    (["remove", "nope"], "no alert named 'nope'"),
    (["show", "nope"], "no alert named 'nope'"),
])
def test_cli_errors_are_one_line_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    assert run("alert", "add", "dup", "--query", "مياه", "--db", db).exit_code == 0  # "water"
    res = run("alert", *args, "--db", db)
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert [a.name for a in Store(db, readonly=True).alerts()] == ["dup"]  # nothing stored is lost


# ------------------------------------------------------------------ watch: record and deliver

@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A 127.0.0.1 server that keeps the JSON bodies POSTed to it; stopped after the test."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.append({"content_type": self.headers.get("Content-Type"), "body": json.loads(body)})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_watch_records_prints_and_posts_matches(serve: Callable[[dict[str, Route]], Site],  # noqa: F811
                                                webhook: tuple[str, list[dict[str, Any]]], tmp_path: Path) -> None:
    title = "اجتماع إقليمي حول مياه النيل"  # "a regional meeting on the Nile's water"
    site = serve({"/rss.xml": Route(rss([(title, "/a/nile")]).encode(), content_type="application/rss+xml"),
                  "/a/nile": html(page(title, NILE))})
    hook_url, received = webhook
    db = str(tmp_path / "w.db")
    assert run("alert", "add", "nile", "--query", "حوض النيل", "--webhook", hook_url, "--db", db).exit_code == 0
    assert run("alert", "add", "dead-hook", "--query", "القاهرة",  # "Cairo"; its webhook is down
               "--webhook", f"http://127.0.0.1:{closed_port()}/x", "--db", db).exit_code == 0
    assert run("alert", "add", "stocks", "--query", "بورصة", "--db", db).exit_code == 0  # "stock exchange"

    res = CliRunner().invoke(main, ["watch", "--feed", site.url("/rss.xml"), "--db", db, "--once", "--delay", "0",
                                    "--timeout", "2", "--format", "json", "--alerts-jsonl"], catch_exceptions=False)
    assert res.exit_code == 0, res.output  # a dead webhook does not fail the watch
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    printed = {d["alert"]: d for d in lines if "alert" in d}
    assert set(printed) == {"nile", "dead-hook"}
    assert printed["nile"]["title"] == title and printed["nile"]["url"] == site.url("/a/nile")
    assert [d["added"] for d in lines if "added" in d] == [1]
    assert "alert 'dead-hook': webhook failed: cannot connect" in res.stderr

    assert len(received) == 1 and received[0]["body"] == printed["nile"]  # only the alert with a live hook
    assert received[0]["content_type"].startswith("application/json")
    with Store(db, readonly=True) as store:
        aid = store.article_ids()[0]
        assert [m.article_id for m in store.alert_matches("nile")] == [aid]
        assert store.alert_matches("stocks") == []

    # polled again: the article is known, nothing is matched or delivered twice
    res = CliRunner().invoke(main, ["watch", "--feed", site.url("/rss.xml"), "--db", db, "--once", "--delay", "0",
                                    "--alerts-jsonl", "--format", "json"], catch_exceptions=False)
    assert not [x for x in res.stdout.splitlines() if '"alert"' in x] and len(received) == 1

    # ------------------------------------------------------------------ the Atom route
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from khabar.web.api import create_app

    with TestClient(create_app(db)) as client:
        r = client.get("/v1/alerts/nile.atom")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
        feed = ET.fromstring(r.content)
        assert feed.tag == f"{ATOM}feed" and feed.find(f"{ATOM}title").text == "khabar alert: nile"
        entries = feed.findall(f"{ATOM}entry")
        assert [e.find(f"{ATOM}title").text for e in entries] == [title]
        assert entries[0].find(f"{ATOM}link").get("href") == site.url("/a/nile")
        empty = ET.fromstring(client.get("/v1/alerts/stocks.atom").content)
        assert empty.findall(f"{ATOM}entry") == []
        r = client.get("/v1/alerts/unknown.atom")
        assert r.status_code == 404 and "no alert named 'unknown'" in r.text


def test_atom_escapes_markup_in_titles() -> None:
    from khabar.corpus.store import AlertMatch

    m = AlertMatch("x", "c1", 1_764_000_000.0, 'خبر <b>عاجل</b> & "مهم"', "s", "http://h.test/?a=1&b=2", None)
    feed = ET.fromstring(atom_feed(Alert("x", query="خبر", created=1.0), [m], feed_url="http://h.test/v1/alerts/x.atom"))
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == m.title and entry.find(f"{ATOM}link").get("href") == m.url
    assert feed.find(f"{ATOM}updated").text == "2025-11-24T16:00:00Z"


def test_ingest_records_matches(tmp_path: Path) -> None:
    """khabar ingest shares the watcher's hook: matches are recorded (not delivered)."""
    src = tmp_path / "news.jsonl"
    src.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"id": "n1", "title": "مياه النيل", "text": NILE, "source": "Nile Times"},  # "the Nile's water"
        {"id": "n2", "title": "سوق", "source": "Gulf Daily",  # "market"
         "text": "ارتفع مؤشر البورصة في ختام تعاملات الأربعاء بدعم من أسهم البنوك."},  # "the index rose"
    ]), encoding="utf-8")
    db = str(tmp_path / "i.db")
    assert run("alert", "add", "nile", "--query", "حوض النيل", "--db", db).exit_code == 0
    assert run("alert", "add", "gulf", "--source", "gulf daily", "--db", db).exit_code == 0
    res = run("ingest", str(src), "--db", db, "--workers", "1")
    assert res.exit_code == 0, res.output
    titles = {name: [json.loads(x)["title"] for x in run("alert", "show", name, "--db", db, "--format", "jsonl")
                     .stdout.splitlines()] for name in ("nile", "gulf")}
    assert titles == {"nile": ["مياه النيل"], "gulf": ["سوق"]}


# ------------------------------------------------------------------ webhook delivery off the watcher's thread

@pytest.fixture
def hooks() -> Iterator[Callable[[list[int | str]], tuple[str, list[float]]]]:
    """127.0.0.1 webhooks that answer POSTs with the given statuses in turn (the last one
    repeats); "hang" never answers (until the test ends). Each returns (url, times of POSTs)."""
    servers: list[ThreadingHTTPServer] = []
    release = threading.Event()

    def start(answers: list[int | str]) -> tuple[str, list[float]]:
        import time

        posts: list[float] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                posts.append(time.monotonic())
                answer = answers[min(len(posts), len(answers)) - 1]
                if answer == "hang":
                    release.wait(30)
                    return
                self.send_response(int(answer))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/hook", posts

    yield start
    release.set()
    for server in servers:
        server.shutdown()
        server.server_close()


def _settle(delivery: Any, n: int, within: float = 10.0) -> list[Any]:
    import time

    got: list[Any] = []
    end = time.monotonic() + within
    while len(got) < n and time.monotonic() < end:
        got += delivery.results()
        time.sleep(0.02)
    return got


def test_delivery_retries_transient_failures_with_backoff_not_4xx(hooks) -> None:
    from khabar.monitor.delivery import WebhookDelivery

    flaky, flaky_posts = hooks([503, 502, 204])
    refused = f"http://127.0.0.1:{closed_port()}/x"
    bad, bad_posts = hooks([404])
    d = WebhookDelivery(timeout=2, retries=3, backoff=0.1)
    for name, url in (("flaky", flaky), ("refused", refused), ("bad", bad)):
        assert d.submit(url, {"alert": name, "article_id": "a1"})
    results = {r.alert: r for r in _settle(d, 3)}
    d.close(1)
    assert results["flaky"].ok and results["flaky"].attempts == 3
    assert flaky_posts[2] - flaky_posts[1] >= 2 * (flaky_posts[1] - flaky_posts[0]) * 0.8 >= 0.08  # backoff doubles
    assert not results["refused"].ok and results["refused"].attempts == 4 and "cannot connect" in results["refused"].error
    assert results["bad"].error == "failed: HTTP 404 Not Found" and results["bad"].attempts == 1 and len(bad_posts) == 1


def test_hanging_webhook_blocks_nothing_and_shutdown_drains_within_its_deadline(hooks) -> None:
    import time

    from khabar.monitor.delivery import WebhookDelivery

    hang, _ = hooks(["hang"])
    live, live_posts = hooks([500, 204])
    d = WebhookDelivery(timeout=20, retries=2, backoff=0.3, max_pending=3)
    t = time.monotonic()
    accepted = [d.submit(hang, {"alert": "hang", "article_id": "h1"}),
                d.submit(live, {"alert": "live", "article_id": "l1"}),
                d.submit(live, {"alert": "live", "article_id": "l2"}),
                d.submit(live, {"alert": "live", "article_id": "l3"})]  # a 4th: over the bound
    assert time.monotonic() - t < 0.5  # queued, not sent here
    assert accepted == [True, True, True, False]
    t = time.monotonic()
    results = d.results() + d.close(drain=1.0)
    assert time.monotonic() - t < 2.0  # not the hanging webhook's 20 s timeout
    by_article = {r.article_id: r for r in results}
    assert "deliveries waiting already" in (by_article["l3"].error or "")
    assert set(by_article) == {"h1", "l1", "l2", "l3"}
    # the hanging call holds one delivery thread, not the others: l1 is retried after its 500
    assert by_article["l1"].ok and by_article["l2"].ok and len(live_posts) == 3
    assert by_article["h1"].error == "not delivered within 1 s of stopping"


def test_one_delivery_thread_held_by_a_hanging_webhook_reports_the_rest(hooks) -> None:
    from khabar.monitor.delivery import WebhookDelivery

    hang, _ = hooks(["hang"])
    live, live_posts = hooks([204])
    d = WebhookDelivery(timeout=20, threads=1)
    assert d.submit(hang, {"alert": "hang", "article_id": "h1"}) and d.submit(live, {"alert": "live", "article_id": "l1"})
    results = {r.article_id: r for r in d.close(drain=0.5)}
    assert set(results) == {"h1", "l1"} and not live_posts  # reported as not delivered, not dropped silently
    assert all(r.error == "not delivered within 0.5 s of stopping" for r in results.values())


def test_watch_delivers_off_thread_retries_and_counts_in_alert_status(
        serve: Callable[[dict[str, Route]], Site], hooks, tmp_path: Path) -> None:  # noqa: F811
    import time

    title = "اجتماع إقليمي حول مياه النيل"  # "a regional meeting on the Nile's water"
    site = serve({"/rss.xml": Route(rss([(title, "/a/nile")]).encode(), content_type="application/rss+xml"),
                  "/a/nile": html(page(title, NILE))})
    flaky, flaky_posts = hooks([503, 204])
    hang, _ = hooks(["hang"])
    gone, _ = hooks([410])
    db = str(tmp_path / "w.db")
    for name, url in (("flaky", flaky), ("hang", hang), ("gone", gone)):
        assert run("alert", "add", name, "--query", "حوض النيل", "--webhook", url, "--db", db).exit_code == 0
    t = time.monotonic()
    res = CliRunner().invoke(main, ["watch", "--feed", site.url("/rss.xml"), "--db", db, "--once", "--delay", "0",
                                    "--webhook-timeout", "30", "--drain", "2"], catch_exceptions=False)
    assert res.exit_code == 0, res.output  # webhooks never fail the watch
    assert time.monotonic() - t < 15  # the hanging webhook held up neither storing nor stopping
    assert "1 new" in res.stdout and len(flaky_posts) == 2  # delivered on the retry, while draining
    assert "alert 'gone': webhook failed: HTTP 410" in res.stderr
    # not delivered at the stop: kept in the outbox for the next run, not failed
    assert "alert 'hang': webhook not delivered within 2 s of stopping; kept for a later attempt" in res.stderr
    res = run("alert", "list", "--db", db)
    lines = {ln.split(":")[0]: ln for ln in res.stdout.splitlines()}
    assert lines["flaky"].endswith("(1 delivered, 0 failed)")
    assert "0 delivered, 1 failed, 1 dead ('khabar alert retry gone' queues them again); last failure " in \
        lines["gone"] and lines["gone"].endswith("HTTP 410 Gone)")
    assert "0 delivered, 0 failed, 1 waiting; last failure " in lines["hang"]
    res = run("stats", "--db", db)
    assert "alert webhooks: 3" in res.stdout and "  flaky: 1 delivered, 0 failed" in res.stdout
    st = json.loads(run("stats", "--db", db, "--format", "json").stdout)
    assert {a["name"]: (a["delivered"], a["failed"], a["waiting"], a["dead"]) for a in st["alerts"]} == {
        "flaky": (1, 0, 0, 0), "gone": (0, 1, 0, 1), "hang": (0, 0, 1, 0)}
    with Store(db, readonly=True) as store:
        assert store.count_articles() == 1 and len(store.alert_matches("hang")) == 1  # the match is kept


# ------------------------------------------------------------------ the delivery outbox: deliveries survive a stop

class Hook:
    """A webhook on 127.0.0.1 (``port`` 0: any free one) that keeps the JSON bodies POSTed to it
    and answers with ``statuses`` in turn (the last repeats), after ``delay`` seconds."""

    def __init__(self, port: int = 0, statuses: tuple[int, ...] = (204,), delay: float = 0.0) -> None:
        self.bodies: list[dict[str, Any]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                import time

                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                hook.bodies.append(body)
                time.sleep(delay)
                self.send_response(statuses[min(len(hook.bodies), len(statuses)) - 1])
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _nile_site(serve: Callable[[dict[str, Route]], Site], n: int = 1) -> Site:  # noqa: F811
    """``n`` feeds, each with one article that names the Nile basin (the alert's query "حوض النيل")."""
    routes: dict[str, Route] = {}
    # distinct articles, the last three with a sentence added: "the Nile basin's water crisis was discussed too"
    texts = [NILE] + [f"{t} وجرى أيضا بحث أزمة المياه في حوض النيل." for t in (HEALTH, PORT, RAIN)]
    for i in range(n):
        title = f"اجتماع إقليمي حول مياه النيل {i + 1}"  # "a regional meeting on the Nile's water N"
        routes[f"/f{i}/rss.xml"] = Route(rss([(title, f"/a/nile{i}")]).encode(), content_type="application/rss+xml")
        routes[f"/a/nile{i}"] = html(page(title, texts[i]))
    return serve(routes)


def _watch_once(site: Site, db: str, *extra: str, feeds: int = 1) -> Any:
    args = ["watch", "--db", db, "--once", "--delay", "0", "--workers", "1", "--webhook-timeout", "2",
            "--alerts-jsonl", "--format", "json", *extra]
    for i in range(feeds):
        args += ["--feed", site.url(f"/f{i}/rss.xml")]
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res


def _later(db: str, seconds: float) -> None:
    """Time passes for the outbox: every waiting delivery becomes due ``seconds`` earlier."""
    with Store(db) as store:
        store.conn.execute("UPDATE delivery_outbox SET next_attempt = next_attempt - ?", (seconds,))


def test_webhook_down_during_a_run_gets_the_match_in_the_next_run(serve, tmp_path: Path) -> None:  # noqa: F811
    site = _nile_site(serve)
    port = closed_port()  # nothing listens there during the first run
    db = str(tmp_path / "w.db")
    assert run("alert", "add", "nile", "--query", "حوض النيل", "--webhook", f"http://127.0.0.1:{port}/hook",
               "--db", db).exit_code == 0
    res = _watch_once(site, db, "--webhook-retries", "1")
    printed = [json.loads(x) for x in res.stdout.splitlines() if '"alert"' in x]
    assert len(printed) == 1
    assert "alert 'nile': webhook failed: cannot connect" in res.stderr and "kept for a later attempt" in res.stderr
    assert "(0 delivered, 0 failed, 1 waiting; last failure " in run("alert", "list", "--db", db).stdout
    st = json.loads(run("stats", "--db", db, "--format", "json").stdout)
    assert [(a["waiting"], a["dead"], a["failed"]) for a in st["alerts"]] == [(1, 0, 0)]

    hook = Hook(port)  # the webhook is back
    try:
        _watch_once(site, db)  # its backoff is not over: not tried yet
        assert hook.bodies == []
        _later(db, 3600)
        res = _watch_once(site, db)
        assert hook.bodies == printed  # the very match of the first run
        assert not [x for x in res.stdout.splitlines() if '"alert"' in x]  # not matched again
        listed = run("alert", "list", "--db", db).stdout
        assert "(1 delivered, 0 failed; last failure" in listed and "waiting" not in listed  # the outbox is empty
        _later(db, 86400)
        _watch_once(site, db)  # delivered: nothing is sent again
        assert len(hook.bodies) == 1
    finally:
        hook.close()


def test_a_4xx_delivery_is_given_up_not_retried_and_alert_retry_queues_it_again(serve, tmp_path: Path) -> None:  # noqa: F811
    site = _nile_site(serve)
    hook = Hook(statuses=(404, 204))
    db = str(tmp_path / "w.db")
    try:
        assert run("alert", "add", "nile", "--query", "حوض النيل", "--webhook", hook.url, "--db", db).exit_code == 0
        res = _watch_once(site, db)
        assert "alert 'nile': webhook failed: HTTP 404 Not Found" in res.stderr and "kept" not in res.stderr
        assert len(hook.bodies) == 1  # a 4xx is not retried within the run
        listed = run("alert", "list", "--db", db).stdout
        assert "(0 delivered, 1 failed, 1 dead ('khabar alert retry nile' queues them again); last failure" in listed
        assert "  nile: 0 delivered, 1 failed, 1 dead" in run("stats", "--db", db).stdout
        _later(db, 10 * 86400)
        _watch_once(site, db)
        assert len(hook.bodies) == 1  # nor by a later run
        res = run("alert", "retry", "nile", "--db", db)
        assert res.exit_code == 0 and "1 dead delivery queued again" in res.stdout
        assert "1 waiting" in run("alert", "list", "--db", db).stdout
        _watch_once(site, db)
        assert len(hook.bodies) == 2 and hook.bodies[0] == hook.bodies[1]
        listed = run("alert", "list", "--db", db).stdout
        assert "(1 delivered, 1 failed; last failure" in listed and "waiting" not in listed and "dead" not in listed
        assert run("alert", "retry", "nile", "--db", db).stdout.startswith("alert 'nile': 0 dead deliveries")
    finally:
        hook.close()
    res = run("alert", "retry", "nope", "--db", db)
    assert res.exit_code == 2 and "E303" in res.stderr and "no alert named 'nope'" in res.stderr


def test_nothing_is_delivered_twice_on_a_clean_path(serve, tmp_path: Path) -> None:  # noqa: F811
    """A slow webhook: the watcher looks at its outbox again and again while the calls are in
    flight (each poll, each wake-up) and must not send them twice."""
    from khabar.corpus.store import Alert
    from khabar.monitor.watch import Fetcher, Source, watch

    site = _nile_site(serve, 4)
    hook = Hook(delay=1.5)
    stop = threading.Event()
    try:
        with Store(tmp_path / "w.db") as store:
            store.add_alert(Alert("nile", query="حوض النيل", webhook=hook.url))
            sources = [Source(f"s{i}", site.url(f"/f{i}/rss.xml"), interval=3600) for i in range(4)]
            timer = threading.Timer(5.0, stop.set)  # the watcher wakes each second meanwhile
            timer.start()
            reports = watch(store, sources, Fetcher(delay=0), stop=stop, workers=1, drain=5)
            timer.cancel()
            assert sum(r.added for r in reports) == 4
            assert sorted(b["article_id"] for b in hook.bodies) == sorted(store.article_ids())
            assert store.get_alert("nile").delivered == 4
            assert (store.get_alert("nile").waiting, store.get_alert("nile").dead) == (0, 0)
            store.conn.execute("UPDATE delivery_outbox SET next_attempt = 0")  # were anything left, due now
            watch(store, sources, Fetcher(delay=0), once=True, workers=1)
        assert len(hook.bodies) == 4
    finally:
        stop.set()
        hook.close()


def test_outbox_gives_up_after_its_attempts_or_age(tmp_path: Path) -> None:
    import time

    from khabar.monitor.delivery import DeliveryResult
    from khabar.monitor.outbox import queue_matches, settle
    from khabar.settings import OUTBOX_MAX_AGE, OUTBOX_MAX_ATTEMPTS

    with Store(tmp_path / "o.db") as store:
        alert = Alert("x", query="خبر", webhook="http://127.0.0.1:9/x")  # "news"
        store.add_alert(alert)
        with store.transaction():
            assert queue_matches(store, [alert, Alert("no-hook", query="خبر")],
                                 [{"alert": "x", "article_id": f"a{i}"} for i in range(3)]
                                 + [{"alert": "no-hook", "article_id": "a0"}]) == 3
        ids = [r[0] for r in store.conn.execute("SELECT id FROM delivery_outbox ORDER BY id")]
        store.conn.execute("UPDATE delivery_outbox SET created = ? WHERE id = ?", (time.time() - OUTBOX_MAX_AGE, ids[2]))
        now = time.time()
        out = settle(store, [DeliveryResult("x", "u", "a0", 1, "failed: HTTP 503", now, ids[0], True),
                             DeliveryResult("x", "u", "a1", OUTBOX_MAX_ATTEMPTS, "failed: HTTP 503", now, ids[1], True),
                             DeliveryResult("x", "u", "a2", 1, "failed: HTTP 503", now, ids[2], True)])
        assert [r.kept for r in out] == [True, False, False]  # too many attempts, too old: given up
        a = store.get_alert("x")
        assert (a.waiting, a.dead, a.failed) == (1, 2, 2)
        (nxt,) = store.conn.execute("SELECT next_attempt FROM delivery_outbox WHERE id=?", (ids[0],)).fetchone()
        assert nxt >= now + 59  # backs off before its next round
