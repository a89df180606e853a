"""REST API and server-rendered pages, in process (FastAPI TestClient) on an in-memory store."""

from __future__ import annotations

import html
import json
import re
import warnings

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install 'khabar[web]')")
pytest.importorskip("khabar.corpus.store", reason="the corpus store (khabar.corpus.store) is not in this tree yet")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import web_samples
from click.testing import CliRunner

from khabar.cli import main
from khabar.io import article_id
from khabar.model import SCHEMA, span_errors
from khabar.web import render
from khabar.web.api import MAX_BODY_BYTES, MAX_TEXT_CHARS, create_app
from khabar.web.corpus import WebCorpus

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SAMPLE = "قال وزير الخارجية إن المحادثات ستستأنف في القاهرة الأسبوع المقبل.\nوأضاف أن الوفد سيصل يوم الأحد."


@pytest.fixture()
def client(corpus: WebCorpus, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.delenv("KHABAR_API_TOKEN", raising=False)
    return TestClient(create_app(corpus=corpus), raise_server_exceptions=False)


def cid(doc_factory) -> str:
    return article_id(doc_factory().text)


def assert_error(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["status"] == status and isinstance(body["message"], str) and body["message"]
    assert re.fullmatch(r"E\d{3}", body["code"]), body  # the stable khabar error code (docs/errors.md)
    assert "Traceback" not in r.text and 'File "' not in r.text
    return body


# --- meta -----------------------------------------------------------------------------------------
def test_healthz_counts_articles(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["articles"] == 3


def test_openapi_lists_v1_endpoints_and_docs_need_no_cdn(client):
    spec = client.get("/openapi.json").json()
    for path in ("/v1/analyze", "/v1/articles", "/v1/articles/{article_id}", "/v1/entities",
                 "/v1/entities/{entity_id}", "/v1/quotes", "/v1/events", "/v1/stories", "/healthz"):
        assert path in spec["paths"], path
    docs = client.get("/docs")
    assert docs.status_code == 200
    srcs = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert srcs and all(s.startswith("/") for s in srcs), srcs
    assert client.get(srcs[0]).status_code == 200


# --- analyse --------------------------------------------------------------------------------------
def test_analyze_returns_schema_and_stores_nothing(client):
    r = client.post("/v1/analyze", json={"text": SAMPLE, "published": "2024-05-02", "title": "عنوان"})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["schema"] == SCHEMA and d["text"] == SAMPLE and d["published"] == "2024-05-02"
    assert d["title"] == "عنوان" and d["id"] == article_id(SAMPLE)
    assert len(d["sentences"]) == 2
    for s in d["sentences"]:
        assert SAMPLE[s["start"]:s["end"]].strip()
    assert client.get("/healthz").json()["articles"] == 3


@pytest.mark.parametrize("body, where", [
    ({}, "text"),
    ({"text": 12}, "text"),
    ({"text": "   "}, "text"),
    ({"text": "نص", "published": "19-08-2021"}, "published"),
    ({"text": "نص", "published": "2021-02-30"}, "published"),
    ({"text": "نص", "colour": "red"}, "colour"),
    ({"text": "ن" * (MAX_TEXT_CHARS + 1)}, "text"),
])
def test_analyze_validation_errors_are_422(client, body, where):
    err = assert_error(client.post("/v1/analyze", json=body), 422)
    assert any(where in d["where"] for d in err["details"]), err


def test_malformed_json_is_400(client):
    err = assert_error(client.post("/v1/analyze", content=b'{"text": "abc",',
                                   headers={"content-type": "application/json"}), 400)
    assert "JSON" in err["message"]


def test_non_json_body_is_400(client):
    assert_error(client.post("/v1/analyze", content="نص".encode(), headers={"content-type": "text/plain"}), 400)


def test_oversized_body_is_413_and_server_stays_up(client):
    big = json.dumps({"text": "ن" * (MAX_BODY_BYTES // 2 + 10)}).encode()
    assert len(big) > MAX_BODY_BYTES
    err = assert_error(client.post("/v1/analyze", content=big, headers={"content-type": "application/json"}), 413)
    assert f"{MAX_BODY_BYTES:,}" in err["message"]

    def chunks():  # no Content-Length: the limit applies while streaming
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536

    assert_error(client.post("/v1/articles", content=chunks(), headers={"content-type": "application/json"}), 413)
    assert client.get("/healthz").status_code == 200


def test_analyze_text_limit_is_lower_without_the_token(corpus, monkeypatch):
    """One anonymous request cannot take the CPU of a 200,000-character analysis."""
    import khabar.web.api

    monkeypatch.setattr(khabar.web.api, "MAX_ANON_TEXT_CHARS", 150, raising=False)
    long_text = SAMPLE + "\n" + SAMPLE
    assert 150 < len(long_text) <= MAX_TEXT_CHARS
    monkeypatch.delenv("KHABAR_API_TOKEN", raising=False)
    open_server = TestClient(create_app(corpus=corpus), raise_server_exceptions=False)
    err = assert_error(open_server.post("/v1/analyze", json={"text": long_text}), 413)
    assert "150" in err["message"] and "token" in err["message"]
    assert open_server.post("/v1/analyze", json={"text": SAMPLE}).status_code == 200  # short texts stay open
    c = TestClient(create_app(corpus=corpus, token="s3cret"), raise_server_exceptions=False)
    assert_error(c.post("/v1/analyze", json={"text": long_text}), 413)
    assert_error(c.post("/v1/analyze", json={"text": long_text}, headers={"X-API-Token": "nope"}), 413)
    ok = c.post("/v1/analyze", json={"text": long_text}, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200 and ok.json()["text"] == long_text


def test_analyze_concurrency_is_bounded_with_503(corpus, monkeypatch):
    """Analyses beyond MAX_CONCURRENT_ANALYSES wait briefly, then get 503 with Retry-After."""
    import threading

    import khabar.service
    import khabar.web.api

    monkeypatch.setattr(khabar.web.api, "MAX_CONCURRENT_ANALYSES", 1, raising=False)
    monkeypatch.setattr(khabar.web.api, "ANALYZE_WAIT_SECONDS", 0.2, raising=False)
    entered, release = threading.Event(), threading.Event()
    real = khabar.service.analyze_text

    def held(*args, **kwargs):  # the real analysis, held until the test lets it finish
        entered.set()
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(khabar.service, "analyze_text", held)
    c = TestClient(create_app(corpus=corpus), raise_server_exceptions=False)
    first: dict = {}
    t = threading.Thread(target=lambda: first.update(r=c.post("/v1/analyze", json={"text": SAMPLE})))
    t.start()
    try:
        assert entered.wait(10)
        busy = c.post("/v1/analyze", json={"text": SAMPLE})
        err = assert_error(busy, 503)
        assert "busy" in err["message"] and busy.headers["retry-after"] == "1"
    finally:
        release.set()
        t.join(10)
    assert first["r"].status_code == 200 and first["r"].json()["text"] == SAMPLE
    assert c.post("/v1/analyze", json={"text": SAMPLE}).status_code == 200  # the slot was given back


def test_storing_an_article_has_the_analysis_bounds_too(corpus, monkeypatch):
    """POST /v1/articles analyses too: it is no way around the text limit nor the busy slots."""
    import threading

    import khabar.service
    import khabar.web.api

    monkeypatch.delenv("KHABAR_API_TOKEN", raising=False)
    monkeypatch.setattr(khabar.web.api, "MAX_ANON_TEXT_CHARS", 150, raising=False)
    monkeypatch.setattr(khabar.web.api, "MAX_CONCURRENT_ANALYSES", 1, raising=False)
    monkeypatch.setattr(khabar.web.api, "ANALYZE_WAIT_SECONDS", 0.2, raising=False)
    c = TestClient(create_app(corpus=corpus), raise_server_exceptions=False)  # loopback use: writes open
    assert_error(c.post("/v1/articles", json={"text": SAMPLE + "\n" + SAMPLE}), 413)
    entered, release = threading.Event(), threading.Event()
    real = khabar.service.analyze_text

    def held(*args, **kwargs):
        entered.set()
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(khabar.service, "analyze_text", held)
    first: dict = {}
    t = threading.Thread(target=lambda: first.update(r=c.post("/v1/analyze", json={"text": SAMPLE})))
    t.start()
    try:
        assert entered.wait(10)
        assert_error(c.post("/v1/articles", json={"text": SAMPLE}), 503)
        assert c.get("/healthz").status_code == 200  # reads are served while analyses queue
    finally:
        release.set()
        t.join(10)
    assert first["r"].status_code == 200
    assert c.post("/v1/articles", json={"text": SAMPLE}).status_code == 201


# --- articles -------------------------------------------------------------------------------------
def test_post_article_is_idempotent_by_content(client):
    r = client.post("/v1/articles", json={"text": SAMPLE, "published": "2024-05-02", "source": "tests"})
    assert r.status_code == 201, r.text
    assert r.json() == {"id": article_id(SAMPLE), "created": True}
    again = client.post("/v1/articles", json={"text": SAMPLE, "published": "2024-05-02"})
    assert again.status_code == 200 and again.json() == {"id": article_id(SAMPLE), "created": False}
    got = client.get(f"/v1/articles/{article_id(SAMPLE)}").json()
    assert got["schema"] == SCHEMA and got["text"] == SAMPLE and got["source"] == "tests"
    assert "path" not in got and not span_errors(got)
    assert client.get("/healthz").json()["articles"] == 4
    hits = client.get("/v1/articles", params={"q": "المحادثات القاهرة"}).json()
    assert [h["id"] for h in hits["results"]] == [article_id(SAMPLE)]


def test_get_article_by_content_or_input_id_and_404(client):
    by_ext = client.get("/v1/articles/meeting-2025")
    assert by_ext.status_code == 200 and by_ext.json()["id"] == cid(web_samples.meeting)
    assert client.get(f"/v1/articles/{cid(web_samples.meeting)}").json()["title"] == by_ext.json()["title"]
    err = assert_error(client.get("/v1/articles/no-such-article"), 404)
    assert "no-such-article" in err["message"]


def test_writes_need_the_token_when_set(corpus, monkeypatch):
    monkeypatch.setenv("KHABAR_API_TOKEN", "s3cret")
    c = TestClient(create_app(corpus=corpus), raise_server_exceptions=False)
    assert_error(c.post("/v1/articles", json={"text": SAMPLE}), 401)
    assert_error(c.post("/v1/articles", json={"text": SAMPLE}, headers={"Authorization": "Bearer nope"}), 401)
    ok = c.post("/v1/articles", json={"text": SAMPLE}, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 201
    assert c.post("/v1/articles", json={"text": SAMPLE + "!"}, headers={"X-API-Token": "s3cret"}).status_code == 201
    # reads and analysis (which stores nothing) stay open
    assert c.get("/v1/articles").status_code == 200
    assert c.post("/v1/analyze", json={"text": SAMPLE}).status_code == 200
    explicit = TestClient(create_app(corpus=corpus, token="other"), raise_server_exceptions=False)
    assert_error(explicit.post("/v1/articles", json={"text": "نص"}, headers={"X-API-Token": "s3cret"}), 401)


# --- search ---------------------------------------------------------------------------------------
def test_search_finds_spelling_variants_with_snippets(client):
    # "البوسعيدى" (final alef maqsura) finds "البوسعيدي"
    r = client.get("/v1/articles", params={"q": "البوسعيدى"}).json()
    assert r["total"] == 2 and {h["ext_id"] for h in r["results"]} == {"meeting-2025", "followup-2025"}
    snip = r["results"][0]["snippet"]
    assert snip["highlights"] and all(snip["text"][s:e] for s, e in snip["highlights"])


def test_search_filters_and_pagination(client):
    assert client.get("/v1/articles", params={"q": "مسقط", "from": "2025-04-01"}).json()["total"] == 1
    assert client.get("/v1/articles", params={"q": "مسقط", "to": "2025-03-31"}).json()["total"] == 1
    assert client.get("/v1/articles", params={"source": "khabar-tests"}).json()["total"] == 2
    assert client.get("/v1/articles", params={"entity": "Abbas Araghchi"}).json()["total"] == 1
    assert client.get("/v1/articles", params={"entity": "لا أحد"}).json()["total"] == 0
    p1 = client.get("/v1/articles", params={"per_page": 2, "page": 1}).json()
    p2 = client.get("/v1/articles", params={"per_page": 2, "page": 2}).json()
    assert p1["total"] == 3 and len(p1["results"]) == 2 and p1["has_more"]
    assert len(p2["results"]) == 1 and not p2["has_more"]
    assert not {h["id"] for h in p1["results"]} & {h["id"] for h in p2["results"]}
    assert client.get("/v1/articles", params={"page": 10_000}).json()["results"] == []


@pytest.mark.parametrize("params, status", [
    ({"q": "!!!"}, 400),
    ({"q": '"'}, 400),
    ({"page": 10_001}, 422),
    ({"page": "99999999999999999999999"}, 422),
    ({"page": 0}, 422),
    ({"page": "two"}, 422),
    ({"per_page": 1000}, 422),
    ({"from": "yesterday"}, 422),
    ({"q": "ن" * 501}, 422),
])
def test_bad_search_requests_are_clear_4xx(client, params, status):
    assert_error(client.get("/v1/articles", params=params), status)
    assert client.get("/healthz").status_code == 200


# --- entities, quotes, events, stories ------------------------------------------------------------
def _entity_id(client, name: str) -> int:
    found = client.get("/v1/entities", params={"q": name}).json()["results"]
    assert found, name
    return found[0]["id"]


def test_entities_and_profile(client):
    top = client.get("/v1/entities").json()
    assert top["results"][0]["name"] == "بدر البوسعيدي" and top["results"][0]["articles"] == 2
    eid = _entity_id(client, "Badr Albusaidi")
    p = client.get(f"/v1/entities/{eid}").json()
    assert p["entity"]["name_en"] == "Badr Albusaidi" and p["mentions"] == 4
    assert [x["period"] for x in p["over_time"]] == ["2025-03", "2025-04"]
    assert {c["name"] for c in p["cooccurring"]} >= {"عباس عراقجي", "مسقط"}
    assert {q["text"] for q in p["quotes"]} >= {"نحن ندعم الحوار بين جميع الأطراف"}
    assert [v["type"] for v in p["events"]] == ["CONSULT"]
    assert_error(client.get("/v1/entities/999999"), 404)
    assert_error(client.get("/v1/entities/not-a-number"), 404)


def test_quotes_by_speaker_about_topic_and_date(client):
    by_en = client.get("/v1/quotes", params={"speaker": "Badr Albusaidi"}).json()["results"]
    by_ar = client.get("/v1/quotes", params={"speaker": "البوسعيدي"}).json()["results"]
    assert len(by_en) == 3 and [q["id"] for q in by_en] == [q["id"] for q in by_ar]
    assert all(q["speaker"]["name_en"] == "Badr Albusaidi" for q in by_en)
    assert by_en[0]["published"] >= by_en[-1]["published"]  # newest first
    march = client.get("/v1/quotes", params={"speaker": "البوسعيدي", "to": "2025-03-31"}).json()["results"]
    assert [q["text"] for q in march] == ["نحن ندعم الحوار بين جميع الأطراف"]
    about = client.get("/v1/quotes", params={"about": "طهران"}).json()["results"]
    assert [q["speaker"]["name"] for q in about] == ["عباس عراقجي"]
    topic = client.get("/v1/quotes", params={"topic": "الجولة الجديدة"}).json()["results"]
    assert {q["article_id"] for q in topic} == {cid(web_samples.followup)}
    assert client.get("/v1/quotes", params={"speaker": "لا أحد"}).json()["results"] == []


def test_events_and_stories(client):
    ev = client.get("/v1/events", params={"type": "consult"}).json()["results"]
    assert len(ev) == 1 and ev[0]["cameo"] == "040" and ev[0]["date"] == "2025-03-10"
    assert ev[0]["actor1"]["name_en"] == "Badr Albusaidi" and ev[0]["location"]["name"] == "مسقط"
    assert client.get("/v1/events", params={"actor": "Abbas Araghchi"}).json()["results"]
    assert client.get("/v1/events", params={"from": "2025-03-11"}).json()["results"] == []
    assert_error(client.get("/v1/events", params={"type": "DROP TABLE"}), 422)
    stories = client.get("/v1/stories").json()
    assert isinstance(stories["results"], list)


# --- errors ---------------------------------------------------------------------------------------
def test_unknown_path_and_method(client):
    assert_error(client.get("/v1/nothing-here"), 404)
    assert_error(client.delete("/v1/articles"), 405)


def test_internal_error_is_json_without_traceback(corpus, monkeypatch):
    app = create_app(corpus=corpus)
    monkeypatch.setattr(corpus, "count", lambda: 1 / 0)
    c = TestClient(app, raise_server_exceptions=False)
    err = assert_error(c.get("/healthz"), 500)
    assert "ZeroDivision" not in err["message"]
    page = c.get("/")
    assert page.status_code == 500 and "ZeroDivision" not in page.text and "<html" in page.text
    assert c.get("/v1/articles").status_code == 200


# --- web pages ------------------------------------------------------------------------------------
PAGES = ["/", "/search?q=مسقط", "/entities", "/entities?q=مسقط", "/quotes", "/quotes?speaker=البوسعيدي",
         "/events", "/stories", "/analyze", "/articles/meeting-2025"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_rtl_arabic_with_csp(client, path):
    r = client.get(path)
    assert r.status_code == 200, r.text[:500]
    assert '<html lang="ar" dir="rtl">' in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_home_lists_recent_articles_speakers_and_entities(client):
    t = client.get("/").text
    assert "وزير الخارجية العماني يلتقي نظيره الإيراني في مسقط" in t
    speakers = re.search(r'id="top-speakers">(.*?)</ol>', t, re.DOTALL).group(1)
    assert "بدر البوسعيدي" in speakers and "عباس عراقجي" in speakers
    assert speakers.index("بدر البوسعيدي") < speakers.index("عباس عراقجي")  # 3 quotes before 1
    assert "بدر البوسعيدي" in re.search(r'id="top-entities">(.*?)</ol>', t, re.DOTALL).group(1)


def test_article_page_highlights_entities_quotes_timexes(client):
    t = client.get("/articles/meeting-2025").text
    assert re.search(r'<mark class="ent ent-per"[^>]*data-name-en="Badr Albusaidi"[^>]*>بدر البوسعيدي</mark>', t)
    assert re.search(r'<mark class="ent ent-loc"[^>]*data-href="/entities/\d+"[^>]*>مسقط</mark>', t)
    assert re.search(r'<span class="quote quote-direct"[^>]*data-speaker="بدر البوسعيدي"[^>]*>'
                     r'نحن ندعم الحوار بين جميع الأطراف</span>', t)
    assert re.search(r'<mark class="timex"[^>]*data-value="2025-03-10"[^>]*>يوم الاثنين</mark>', t)
    assert re.search(r'<mark class="trigger"[^>]*data-type="CONSULT"[^>]*>التقى</mark>', t)
    # the mention inside the indirect quote is nested in it
    assert re.search(r'<span class="quote quote-indirect"[^>]*><mark class="ent ent-loc"[^>]*>طهران</mark>', t)
    assert 'id="summary"' in t and 'class="timeline"' in t


def test_unknown_pages_are_html_404(client):
    for path in ("/articles/nope", "/entities/424242", "/no/such/page"):
        r = client.get(path)
        assert r.status_code == 404 and "<html" in r.text and "Traceback" not in r.text


def test_entity_page_has_chart_and_network(client):
    eid = _entity_id(client, "Badr Albusaidi")
    t = client.get(f"/entities/{eid}").text
    assert 'id="entity-name-en"' in t and "Badr Albusaidi" in t
    assert t.count("<rect ") == 2  # two months
    assert 'id="cooccurrence"' in t and "عباس عراقجي" in t
    assert "نحن ندعم الحوار بين جميع الأطراف" in t


def test_analyze_form(client):
    r = client.post("/analyze", data={"text": SAMPLE, "published": "2024-05-02", "title": ""})
    assert r.status_code == 200 and 'id="analysis"' in r.text
    assert "المحادثات ستستأنف في القاهرة" in r.text
    assert client.post("/analyze", data={"text": "  "}).status_code == 400
    assert client.post("/analyze", data={"text": "نص", "published": "amanha"}).status_code == 400


def test_bad_search_page_shows_error(client):
    r = client.get("/search", params={"q": "!!!"})
    assert r.status_code == 400 and 'role="alert"' in r.text


# --- escaping -------------------------------------------------------------------------------------
HOSTILE_PAGES = ["/articles/hostile-1", "/", "/search?q=الخبيث", "/quotes", "/entities"]


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_content_is_escaped(client, path):
    t = client.get(path).text
    for raw in ("<script>window", "<img src=x", '<a href="javascript', "<b>منظمة", 'href="javascript:'):
        assert raw not in t, (path, raw)
    assert len(re.findall(r"<script\b", t)) == 1  # only our own static script


def test_hostile_article_text_survives_escaping(client):
    t = client.get("/articles/hostile-1").text
    body = re.search(r'<div class="article-text" id="article-text">(.*?)</div>', t, re.DOTALL).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == web_samples.XSS_TEXT


def test_highlight_escapes_every_piece_and_keeps_the_text():
    d = web_samples.hostile().to_dict()
    out = str(render.highlight(d))
    assert "<script" not in out and "<img" not in out
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == d["text"]
    # overlapping, out-of-range and malformed spans are dropped, never crash
    d["entities"][0]["mentions"] += [{"start": 2, "end": 9, "text": "x", "kind": "name"},
                                     {"start": -1, "end": 10**6, "text": "", "kind": "name"},
                                     {"start": "a", "end": None}]
    out = str(render.highlight(d))
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == d["text"]


def test_snippet_html_escapes():
    out = str(render.snippet_html({"text": "<i>أ</i> مسقط", "highlights": [[9, 13], [50, 60]]}))
    assert out == "&lt;i&gt;أ&lt;/i&gt; <b>مسقط</b>"


# --- CLI ------------------------------------------------------------------------------------------
def test_serve_help_and_bad_db_folder(tmp_path):
    r = CliRunner().invoke(main, ["serve", "--help"])
    assert r.exit_code == 0 and "--db" in r.output and "127.0.0.1" in r.output
    r = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "missing" / "k.db")])
    assert r.exit_code == 2 and "does not exist" in r.output and "Traceback" not in r.output
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    r = CliRunner().invoke(main, ["serve", "--db", str(junk)])
    assert r.exit_code == 2 and "cannot open the store" in r.output and "Traceback" not in r.output


def test_head_on_pages(client):
    r = client.head("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")


def _ranked(page: str, list_id: str) -> list[tuple[str, int]]:
    """(name, shown count) of each item of a ranked list on a page."""
    items = re.search(rf'id="{list_id}">(.*?)</ol>', page, re.DOTALL).group(1)
    return [(html.unescape(name), int(n)) for name, n in
            re.findall(r'<a class="entity-link[^"]*" href="/entities/\d+">([^<]+?)(?: <span class="en"[^>]*>[^<]*</span>)?'
                       r'</a> <span class="count">(\d+)</span>', items)]


def test_home_ranks_named_speakers_and_entities_by_the_count_shown(monkeypatch):
    from corpus_helpers import speaker_docs

    from khabar.model import Document

    monkeypatch.delenv("KHABAR_API_TOKEN", raising=False)
    c = WebCorpus(":memory:")
    try:
        for d in speaker_docs():
            c.add(Document.from_dict(d))
        page = TestClient(create_app(corpus=c)).get("/").text
        # لي (to me), التقرير (the report), الشركة (the company) and the local sources are quoted
        # 6 times each but are no one in particular; the named speakers are quoted 3 times and once.
        assert _ranked(page, "top-speakers") == [("سلمى الحربي", 3), ("رابطة الصيادين", 1)]
        entities = _ranked(page, "top-entities")
        shown = [n for _name, n in entities]
        assert shown == sorted(shown, reverse=True)
        articles = {e["name"]: e["articles"] for e in c.top_entities(20)}
        assert ("رابطة الصيادين", 1) in entities and all(articles[name] == n for name, n in entities)
    finally:
        c.close()
