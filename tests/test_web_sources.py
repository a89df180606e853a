"""The web UI's sources page (health of watched sources) and the live "latest articles" feed
(``GET /v1/articles/latest``), in process (FastAPI TestClient) on an in-memory store."""

from __future__ import annotations

import re
import time
import warnings

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install 'khabar[web]')")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from markupsafe import escape

from khabar.corpus.store import WatchState
from khabar.model import Document
from khabar.web import render
from khabar.web.api import create_app
from khabar.web.corpus import WebCorpus

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture()
def empty() -> WebCorpus:
    c = WebCorpus(":memory:")
    yield c
    c.close()


def client_for(corpus: WebCorpus, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.delenv("KHABAR_API_TOKEN", raising=False)
    return TestClient(create_app(corpus=corpus), raise_server_exceptions=False)


def save_states(corpus: WebCorpus, *states: WatchState) -> None:
    """Record watch states the way ``khabar watch`` does (Store.save_watch_state)."""
    with corpus._write_store() as s:
        for st in states:
            s.save_watch_state(st)


def row_of(page: str, name: str) -> str:
    m = re.search(r'<tr class="source[^"]*" data-source="' + re.escape(str(escape(name))) + r'">(.*?)</tr>',
                  page, re.DOTALL)
    assert m, f"no row for {name!r}"
    return m.group(1)


# --- sources page -------------------------------------------------------------------------------
def test_sources_page_lists_each_source_health(empty, monkeypatch):
    now = time.time()
    save_states(
        empty,
        WatchState("Good Wire", "https://good.example/feed.xml", country="EG", first_poll=now - 4 * 86400,
                   last_poll=now - 300, last_success=now - 300, polls=12, articles=40),
        WatchState("Flaky Daily", "https://flaky.example/rss", country="JO", first_poll=now - 2 * 86400,
                   last_poll=now - 60, last_success=now - 7200, last_error="HTTP 503 from server",
                   last_error_at=now - 60, polls=9, errors=3, articles=5),
        WatchState("New Post", "https://new.example/atom", last_poll=now - 30, first_poll=now - 30,
                   last_error="timed out after 20 s", last_error_at=now - 30, polls=1, errors=1),
    )
    client = client_for(empty, monkeypatch)
    r = client.get("/sources")
    assert r.status_code == 200 and "script-src 'self'" in r.headers["content-security-policy"]
    t = r.text
    assert '<a href="/sources">' in t  # linked from the navigation
    good = row_of(t, "Good Wire")
    assert 'data-status="ok"' in good and "يعمل" in good  # "working"
    assert "EG" in good and "https://good.example/feed.xml" in good
    assert "منذ 5 دقائق" in good  # "5 minutes ago"
    assert time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(now - 300)) in good
    assert re.search(r"<td>12</td>\s*<td>40</td>\s*<td>10\.0</td>\s*<td>0</td>", good)  # polls, articles, /day, errors
    flaky = row_of(t, "Flaky Daily")
    assert 'data-status="failing"' in flaky and "HTTP 503 from server" in flaky and "منذ ساعتين" in flaky
    assert re.search(r"<td>9</td>\s*<td>5</td>\s*<td>2\.5</td>\s*<td>3</td>", flaky)
    new = row_of(t, "New Post")
    assert 'data-status="never"' in new and "لم ينجح بعد" in new and "timed out after 20 s" in new
    # failing first, then never succeeded, then the healthy ones
    assert t.index("Flaky Daily") < t.index("New Post") < t.index("Good Wire")
    assert "khabar watch sources.toml" not in t


def test_sources_page_escapes_hostile_names_and_errors(empty, monkeypatch):
    now = time.time()
    save_states(empty, WatchState(HOSTILE, 'https://x.example/"><script>alert(2)</script>', country=HOSTILE,
                                  first_poll=now, last_poll=now, last_error=HOSTILE, last_error_at=now,
                                  polls=1, errors=1))
    t = client_for(empty, monkeypatch).get("/sources").text
    assert "<script>alert" not in t and "<img src=x" not in t  # shown as text, never as markup
    assert 'href="https://x.example/&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in t
    row = row_of(t, HOSTILE)
    assert row.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;") == 3


def test_sources_page_links_only_web_feed_urls(empty, monkeypatch):
    save_states(empty, WatchState("Odd", "javascript:alert(1)"), WatchState("Web", "https://web.example/rss"))
    t = client_for(empty, monkeypatch).get("/sources").text
    assert "javascript:alert(1)" in row_of(t, "Odd") and 'href="javascript:' not in t
    assert 'href="https://web.example/rss"' in row_of(t, "Web")


def test_sources_page_empty_state_says_how_to_start(empty, monkeypatch):
    r = client_for(empty, monkeypatch).get("/sources")
    assert r.status_code == 200
    assert "khabar watch sources.toml --db" in r.text and 'id="sources"' not in r.text


def test_status_failing_only_when_the_last_feed_poll_failed():
    assert render.source_status({"last_success": None, "last_error_at": None}) == "never"
    assert render.source_status({"last_success": 100.0, "last_error_at": 200.0}) == "failing"
    assert render.source_status({"last_success": 200.0, "last_error_at": 100.0}) == "ok"
    # khabar watch records one time for both when the feed came but an article page failed
    assert render.source_status({"last_success": 200.0, "last_error_at": 200.0}) == "ok"


def test_relative_times_use_the_arabic_count_forms():
    assert render.ago(3) == "الآن"  # "now"
    assert render.ago(60) == "منذ دقيقة"  # "a minute ago"
    assert render.ago(120) == "منذ دقيقتين"  # "two minutes ago"
    assert render.ago(5 * 3600) == "منذ 5 ساعات"  # "5 hours ago"
    assert render.ago(15 * 86400) == "منذ 15 يومًا"  # "15 days ago"
    assert render.ago(-30) == "الآن"


# --- latest articles ----------------------------------------------------------------------------
def doc(n: int, published: str | None = None) -> Document:
    return Document(id=f"latest-{n}", text=f"نص تجريبي رقم {n} عن اجتماع اللجنة.", title=f"خبر {n}", published=published,
                    source="test")


def test_latest_is_newest_ingested_first_and_since_filters(empty, monkeypatch):
    client = client_for(empty, monkeypatch)
    assert client.get("/v1/articles/latest").json() == {"results": []}
    # ingestion order, not publication date: the oldest-dated article is stored last
    for n, published in ((1, "2025-03-01"), (2, "2025-03-02"), (3, "2020-01-01")):
        empty.add(doc(n, published))
        time.sleep(0.01)
    got = client.get("/v1/articles/latest").json()["results"]
    assert [a["title"] for a in got] == ["خبر 3", "خبر 2", "خبر 1"]
    assert got[0]["ingested_at"] > got[1]["ingested_at"] > got[2]["ingested_at"]
    assert got[0]["published"] == "2020-01-01" and got[0]["snippet"].startswith("نص تجريبي رقم 3")
    since = got[1]["ingested_at"]
    assert [a["title"] for a in client.get("/v1/articles/latest", params={"since": since}).json()["results"]] \
        == ["خبر 3"]
    assert client.get("/v1/articles/latest", params={"since": got[0]["ingested_at"]}).json()["results"] == []
    assert [a["title"] for a in client.get("/v1/articles/latest", params={"limit": 2}).json()["results"]] \
        == ["خبر 3", "خبر 2"]
    # the route is not taken for an article id, and articles are still found by id
    assert client.get(f"/v1/articles/{got[0]['id']}").json()["title"] == "خبر 3"


@pytest.mark.parametrize("params", [{"since": "yesterday"}, {"since": "-1"}, {"since": "nan"},
                                    {"limit": "0"}, {"limit": "1000"}])
def test_latest_rejects_bad_parameters_clearly(empty, monkeypatch, params):
    r = client_for(empty, monkeypatch).get("/v1/articles/latest", params=params)
    assert r.status_code == 422 and r.json()["message"] and "Traceback" not in r.text


def test_home_renders_latest_list_with_its_cursor(empty, monkeypatch):
    client = client_for(empty, monkeypatch)
    t = client.get("/").text
    assert 'id="latest" data-since="0.0"' in t and 'id="latest-empty"' in t
    empty.add(doc(1, "2025-03-01"))
    t = client.get("/").text
    newest = client.get("/v1/articles/latest").json()["results"][0]["ingested_at"]
    assert f'data-since="{newest!r}"' in t and "خبر 1" in t and 'id="latest-empty"' not in t
