"""The web UI in a real headless browser: Playwright (Python) driving Debian's Chromium against
``khabar serve`` started on a free localhost port with a temporary store (the project's
examples plus hand-annotated test articles, one of them hostile).

Screenshots of each page go to ``tests/artifacts/`` (gitignored). Skipped with a reason when
Chromium or Playwright is missing (``make test`` installs Chromium with apt-get).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KHABAR_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).parent / "artifacts"

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install 'khabar[web]')")
pytest.importorskip("khabar.corpus.store", reason="the corpus store (khabar.corpus.store) is not in this tree yet")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
    pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set KHABAR_CHROMIUM)",
                allow_module_level=True)

import web_samples  # noqa: E402 - only once Chromium is known to be there

from khabar.io import BadArticle, article_id, iter_path  # noqa: E402
from khabar.service import analyze  # noqa: E402

pytestmark = pytest.mark.slow

PASTED = ("أعلن وزير الخارجية المصري في القاهرة أن بلاده ترحب بالاتفاق.\n"
          'وقال المتحدث باسم الوزارة: "سنواصل العمل مع جميع الشركاء".')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store file the server below serves (a test may add articles to it while it runs)."""
    return tmp_path_factory.mktemp("web") / "khabar.db"


@pytest.fixture(scope="module")
def server(web_db: Path):
    """``khabar serve`` on a store made of examples/ and the hand-annotated test articles."""
    from khabar.web.corpus import WebCorpus

    db = web_db
    corpus = WebCorpus(db)
    for doc in web_samples.all_samples():
        corpus.add(doc)
    for item in iter_path(ROOT / "examples"):
        if not isinstance(item, BadArticle):
            corpus.add(analyze(item))
    corpus.close()
    port = _free_port()
    env = {**os.environ, "KHABAR_API_TOKEN": ""}
    proc = subprocess.Popen([sys.executable, "-m", "khabar", "serve", "--db", str(db), "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            pytest.fail(f"khabar serve did not start: {out[-2000:]}")
        time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ar")
    pg = ctx.new_page()
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.console_lines = []  # type: ignore[attr-defined]
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.on("console", lambda m: pg.console_lines.append(m.text))
    pg.on("pageerror", lambda e: pg.console_lines.append(f"pageerror: {e}"))
    yield pg
    ctx.close()


def shot(pg, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_home_page(page, server):
    page.goto(server + "/")
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "ar"
    assert page.locator("#top-speakers li a").first.inner_text().startswith("بدر البوسعيدي")
    assert page.locator(".results .result").count() >= 4
    shot(page, "home")


def test_home_latest_list_gains_a_new_article_without_reload(page, server, web_db):
    from khabar.model import Document
    from khabar.web.corpus import WebCorpus

    page.clock.install()  # the page's 15 s poll timer runs on a clock the test moves forward
    page.goto(server + "/")
    page.evaluate("window.__notReloaded = true")
    before = page.locator("#latest .result").count()
    assert before >= 4
    title = "عنوان تجريبي يصل أثناء عرض الصفحة"  # "a test headline that arrives while the page is shown"
    corpus = WebCorpus(web_db)  # another writer, like khabar watch or khabar ingest
    try:
        corpus.add(Document(id="live-1", title=title, source="live-test",
                            text="نص قصير كتب لهذا الاختبار عن اجتماع عقد اليوم."))  # "a short text written for this test"
    finally:
        corpus.close()
    page.clock.run_for(16_000)
    first = page.locator("#latest .result").first
    sync_api.expect(first.locator("a.title")).to_have_text(title, timeout=10_000)
    assert first.locator(".source").inner_text() == "live-test"
    assert page.evaluate("window.__notReloaded") is True  # the same document: no reload
    assert page.locator("#latest .result").count() == min(before + 1, 10)
    assert not page.console_lines and not page.dialogs
    shot(page, "home-latest")


def test_search_open_article_and_see_highlights(page, server):
    page.goto(server + "/")
    page.fill("input[name=q]", "عراقجي")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search?**")
    assert page.locator("#results .result").count() == 1
    assert page.locator("#results .snippet b").count() >= 1
    shot(page, "search")
    page.click("#results .result a.title")
    page.wait_for_url("**/articles/**")
    text = page.locator("#article-text")
    assert text.locator("mark.ent").count() >= 5
    quote = text.locator("span.quote-direct").first
    assert quote.inner_text() == "نحن ندعم الحوار بين جميع الأطراف"
    assert quote.get_attribute("data-speaker") == "بدر البوسعيدي"
    assert text.locator("mark.timex").count() == 2
    # the quotes list names the speaker of each quote
    rows = page.locator("#quotes .quote-row")
    assert rows.count() == 2
    assert "بدر البوسعيدي" in rows.nth(0).locator(".speaker").inner_text()
    assert "Badr Albusaidi" in rows.nth(0).locator(".speaker").inner_text()
    # clicking a mention shows its type and English name
    text.locator("mark.ent-per").first.click()
    pop = page.locator("#popover")
    pop.wait_for(state="visible")
    assert "Badr Albusaidi" in pop.inner_text() and "PER" in pop.inner_text()
    shot(page, "article")
    text.locator("mark.timex").first.click()
    assert "2025-03-10" in pop.inner_text()
    # toggling a layer hides its style
    page.uncheck("#legend input[data-layer=ent]")
    assert "hide-ent" in (page.get_attribute("body", "class") or "")


def test_entity_page(page, server):
    page.goto(server + f"/articles/{article_id(web_samples.MEETING_TEXT)}")
    page.click("#entities a:has-text('بدر البوسعيدي')")
    page.wait_for_url("**/entities/**")
    assert page.inner_text("#entity-name") == "بدر البوسعيدي"
    assert page.inner_text("#entity-name-en") == "Badr Albusaidi"
    assert page.locator("#mentions-chart rect").count() == 2
    assert page.locator("#cooccurrence a.node").count() >= 2
    assert page.locator("#entity-quotes .quote-item").count() == 3
    shot(page, "entity")


def test_quotes_explorer(page, server):
    page.goto(server + "/quotes")
    page.fill("#quote-filters input[name=speaker]", "Abbas Araghchi")
    page.click("#quote-filters button")
    page.wait_for_url("**/quotes?**")
    items = page.locator("#quote-results .quote-item")
    assert items.count() == 1 and "طهران مستعدة" in items.first.inner_text()
    shot(page, "quotes")


def test_analyse_pasted_text(page, server):
    page.goto(server + "/analyze")
    page.fill("textarea[name=text]", PASTED)
    page.fill("input[name=published]", "2024-06-01")
    page.click("#analyze-form button")
    page.wait_for_selector("#analysis")
    assert page.inner_text("#analysis #article-text") == PASTED
    assert page.input_value("textarea[name=text]") == PASTED
    # the page shows exactly what the API finds with the stages that exist
    api = page.request.post(server + "/v1/analyze", data={"text": PASTED, "published": "2024-06-01"}).json()
    assert page.locator("#analysis #quotes .quote-row").count() == len(api["quotes"])
    assert page.locator("#analysis #events .timeline li").count() == len(api["events"])
    assert page.locator("#analysis #entities .entity-list li").count() == len(api["entities"])
    assert page.locator("#analysis #article-text mark.timex").count() <= len(api["timexes"])
    if api["events"]:
        assert page.locator("#analysis #article-text mark.trigger").count() >= 1
    shot(page, "analyze")


def _assert_inert(page) -> None:
    assert page.evaluate("() => window.__xss") is None
    assert page.title() != "pwned"
    assert page.dialogs == []
    assert page.locator("img").count() == 0
    assert page.locator("#evil").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    scripts = page.evaluate("() => Array.from(document.scripts).map(s => s.src)")
    assert len(scripts) == 1 and scripts[0].endswith("/static/khabar.js"), scripts
    # nothing was even blocked by the content security policy: the payloads never became markup
    assert not [line for line in page.console_lines if "Content Security Policy" in line], page.console_lines


def test_hostile_article_renders_inert(page, server):
    page.goto(server + f"/articles/{article_id(web_samples.XSS_TEXT)}")
    assert web_samples.XSS_SCRIPT in page.inner_text("#article-text")
    assert web_samples.XSS_SCRIPT in page.inner_text("h1")
    assert page.inner_text(".meta .source") == web_samples.XSS_IMG
    page.locator("#article-text mark.ent-per").first.click()  # popover shows the hostile name as text
    assert web_samples.XSS_IMG in page.inner_text("#popover")
    _assert_inert(page)
    shot(page, "xss-article")
    for path in ("/", "/quotes", "/entities", "/search?q=الخبيث"):
        page.goto(server + path)
        _assert_inert(page)


def test_hostile_pasted_text_renders_inert(page, server):
    page.goto(server + "/analyze")
    page.fill("textarea[name=text]", web_samples.XSS_TEXT)
    page.click("#analyze-form button")
    page.wait_for_selector("#analysis")
    assert page.inner_text("#analysis #article-text") == web_samples.XSS_TEXT
    _assert_inert(page)


def test_server_survives_bad_requests(server):
    import json
    import urllib.error

    def status(req) -> int:
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            body = e.read().decode()
            assert "Traceback" not in body
            if e.headers.get("content-type", "").startswith("application/json"):
                assert json.loads(body)["message"]
            return e.code

    # An oversized body is refused from its Content-Length, before it is sent.
    import http.client

    host, port = server.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("POST", "/v1/analyze")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", "2000000")
    conn.endheaders()
    resp = conn.getresponse()
    assert resp.status == 413 and "limit" in json.loads(resp.read())["message"]
    conn.close()
    assert status(server + "/v1/articles?page=99999999999") == 422
    assert status(server + "/v1/articles/unknown") == 404
    assert status(urllib.request.Request(server + "/v1/analyze", data=b"{oops",
                                         headers={"content-type": "application/json"})) == 400
    assert status(server + "/healthz") == 200


def test_artifacts_folder_is_ignored():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(["git", "check-ignore", "tests/artifacts/home.png"], cwd=ROOT, capture_output=True,
                         check=False)
    assert out.returncode == 0
