"""``khabar serve`` hardening: worker processes, the Host check, who may write, security headers
on error responses, and the refusals at start (missing store, busy port, network bind without
a token). Servers run as subprocesses on free loopback ports; the app checks run in process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install 'khabar[web]')")
pytest.importorskip("uvicorn", reason="the web extra is not installed (pip install 'khabar[web]')")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import web_samples

from khabar.web import api
from khabar.web.corpus import WebCorpus

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = "قال وزير الخارجية إن المحادثات ستستأنف في القاهرة الأسبوع المقبل."
SECURITY_HEADERS = ("x-content-type-options", "referrer-policy", "x-frame-options", "content-security-policy")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict[str, str]:
    """The environment without the variables serve reads (a token set in the shell, say)."""
    names = ("KHABAR_API_TOKEN", "KHABAR_DB", "KHABAR_ALLOWED_HOSTS", "KHABAR_ANONYMOUS_WRITES")
    return {k: v for k, v in os.environ.items() if k not in names}


def _serve(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    # its own process group, so that a failing test can end uvicorn's workers with it
    return subprocess.Popen([sys.executable, "-m", "khabar", "serve", *args], cwd=ROOT, env=env or _env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _wait_up(proc: subprocess.Popen, base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except OSError:
            if proc.poll() is not None:
                _kill_group(proc)
                pytest.fail(f"khabar serve exited: {proc.stdout.read() if proc.stdout else ''}")
            time.sleep(0.2)
    _kill_group(proc)
    pytest.fail("khabar serve did not start")


def _stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, _ = proc.communicate()
    _kill_group(proc)  # any worker left behind by a server that failed to stop them
    return out


def _request(url: str, *, method: str = "GET", headers: dict[str, str] | None = None,
             body: bytes | None = None) -> tuple[int, dict[str, str], str]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read().decode()


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    db = tmp_path / "k.db"
    corpus = WebCorpus(db)
    for doc in web_samples.all_samples():
        corpus.add(doc)
    corpus.close()
    return db


# --- refusals at start ----------------------------------------------------------------------------
def test_serve_refuses_a_missing_store_unless_create(tmp_path):
    typo = tmp_path / "typo.db"
    r = subprocess.run([sys.executable, "-m", "khabar", "serve", "--db", str(typo), "--port", str(_free_port())],
                       cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 2, r.stderr
    assert r.stderr.count("\n") == 1 and "does not exist" in r.stderr and "--create" in r.stderr
    assert "serving" not in r.stderr and not typo.exists()
    port = _free_port()
    proc = _serve("--db", str(typo), "--create", "--port", str(port), "--workers", "1")
    try:
        _wait_up(proc, f"http://127.0.0.1:{port}")
        assert json.loads(_request(f"http://127.0.0.1:{port}/healthz")[2])["articles"] == 0
    finally:
        _stop(proc)
    assert typo.exists()


def test_serve_on_a_busy_port_fails_before_announcing(store):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "khabar", "serve", "--db", str(store), "--port", str(port)],
                           cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and f"cannot listen on 127.0.0.1:{port}" in r.stderr
    assert "serving" not in r.stderr and "Traceback" not in r.stderr


def test_serve_refuses_a_network_address_without_a_token(store):
    r = subprocess.run([sys.executable, "-m", "khabar", "serve", "--db", str(store), "--host", "0.0.0.0",
                        "--port", str(_free_port())], cwd=ROOT, env=_env(), capture_output=True, text=True,
                       timeout=60, check=False)
    assert r.returncode == 2 and "without a token" in r.stderr and "serving" not in r.stderr
    assert r.stderr.count("\n") == 1


def test_insecure_network_bind_warns_and_refuses_writes(store):
    port = _free_port()
    proc = _serve("--db", str(store), "--host", "0.0.0.0", "--port", str(port), "--insecure", "--workers", "1")
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_up(proc, base)
        status, _, body = _request(f"{base}/v1/articles", method="POST", body=json.dumps({"text": SAMPLE}).encode(),
                                   headers={"Content-Type": "application/json"})
        assert status == 403 and "token" in json.loads(body)["message"]
        assert _request(f"{base}/v1/articles")[0] == 200
    finally:
        out = _stop(proc)
    assert "warning" in out and "--insecure" in out


# --- workers and the Host check, end to end -------------------------------------------------------
def test_serve_runs_several_workers_and_checks_the_host(store):
    port = _free_port()
    proc = _serve("--db", str(store), "--port", str(port), "--workers", "2")
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_up(proc, base)
        if Path(f"/proc/{proc.pid}").exists():  # Linux: the supervisor runs one process per worker
            workers = [c for c in _children(proc.pid) if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()]
            assert len(workers) == 2
        assert json.loads(_request(f"{base}/healthz")[2])["articles"] == len(web_samples.all_samples())
        # DNS rebinding: a page on another name that resolves to 127.0.0.1 is refused
        status, headers, body = _request(f"{base}/v1/articles", headers={"Host": f"evil.example:{port}"})
        assert status == 400 and "evil.example" in json.loads(body)["message"]
        assert all(h in headers for h in SECURITY_HEADERS)
        assert _request(f"{base}/", headers={"Host": f"localhost:{port}"})[0] == 200
        # loopback: writes stay open without a token (local use)
        status, _, _ = _request(f"{base}/v1/articles", method="POST", body=json.dumps({"text": SAMPLE}).encode(),
                                headers={"Content-Type": "application/json"})
        assert status == 201
    finally:
        out = _stop(proc)
    assert "2 workers" in out and "Traceback" not in out


def test_allowed_host_option_adds_a_name(store):
    port = _free_port()
    proc = _serve("--db", str(store), "--port", str(port), "--workers", "1", "--allowed-host", "news.example")
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_up(proc, base)
        assert _request(f"{base}/healthz", headers={"Host": "NEWS.example."})[0] == 200
        assert _request(f"{base}/healthz", headers={"Host": "other.example"})[0] == 400
    finally:
        _stop(proc)


def test_default_workers_follow_the_cpu_affinity():
    from khabar.cli.web import default_workers

    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert default_workers() == expected >= 1


def test_app_from_env_is_what_each_worker_runs(store, monkeypatch):
    monkeypatch.setenv(api.DB_ENV, str(store))
    monkeypatch.setenv(api.TOKEN_ENV, "s3cret")
    monkeypatch.delenv(api.ALLOWED_HOSTS_ENV, raising=False)
    c = TestClient(api.app_from_env(), base_url="http://127.0.0.1:8000", raise_server_exceptions=False)
    assert c.get("/healthz").json()["articles"] == len(web_samples.all_samples())
    assert c.get("/healthz", headers={"Host": "testserver"}).status_code == 400  # loopback names only
    assert c.post("/v1/articles", json={"text": SAMPLE}).status_code == 401
    monkeypatch.delenv(api.TOKEN_ENV)
    c = TestClient(api.app_from_env(), base_url="http://localhost", raise_server_exceptions=False)
    assert c.post("/v1/articles", json={"text": SAMPLE}).status_code == 403  # no token: writes closed
    monkeypatch.setenv(api.ANONYMOUS_WRITES_ENV, "1")
    c = TestClient(api.app_from_env(), base_url="http://localhost", raise_server_exceptions=False)
    assert c.post("/v1/articles", json={"text": SAMPLE}).status_code == 201
    monkeypatch.setenv(api.DB_ENV, str(store.parent / "missing.db"))
    with pytest.raises(RuntimeError, match="existing khabar store"):
        api.app_from_env()


# --- headers on every response --------------------------------------------------------------------
def test_401_names_the_bearer_scheme(corpus):
    c = TestClient(api.create_app(corpus=corpus, token="s3cret"), raise_server_exceptions=False)
    r = c.post("/v1/articles", json={"text": SAMPLE})
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")


def test_error_responses_carry_the_security_headers(corpus, monkeypatch):
    c = TestClient(api.create_app(corpus=corpus), raise_server_exceptions=False)

    def chunks():  # no Content-Length: refused while streaming
        for _ in range(api.MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536

    big = b"{" + b" " * api.MAX_BODY_BYTES + b"}"
    responses = {
        "404 api": c.get("/v1/nothing-here"),
        "404 page": c.get("/articles/no-such-article"),
        "405": c.delete("/v1/articles"),
        "413 declared": c.post("/v1/analyze", content=big, headers={"content-type": "application/json"}),
        "413 streamed": c.post("/v1/analyze", content=chunks(), headers={"content-type": "application/json"}),
        "400 length": c.post("/v1/analyze", content=b"{}", headers={"content-length": "x",
                                                                    "content-type": "application/json"}),
        "422": c.get("/v1/articles", params={"page": 0}),
    }
    monkeypatch.setattr(corpus, "count", lambda: 1 / 0)
    responses["500 api"] = c.get("/healthz")
    responses["500 page"] = c.get("/")
    for name, r in responses.items():
        assert r.status_code == int(name[:3]), (name, r.status_code, r.text[:200])
        missing = [h for h in SECURITY_HEADERS if h not in r.headers]
        assert not missing, f"{name}: no {missing}"


def test_host_names_are_compared_without_port_case_or_brackets():
    assert api.is_loopback("127.0.0.1") and api.is_loopback("::1") and api.is_loopback("localhost")
    assert api.is_loopback("127.5.0.1") and not api.is_loopback("0.0.0.0") and not api.is_loopback("10.0.0.2")
    assert api.allowed_hosts("0.0.0.0") == ["localhost", "127.0.0.1", "::1"]
    assert api.allowed_hosts("192.168.1.5", ["News.Example"]) == ["localhost", "127.0.0.1", "::1",
                                                                  "192.168.1.5", "news.example"]
    assert [api._host_name(h) for h in ("[::1]:8000", "LOCALHOST:80", "a.example.", "::1")] == [
        "::1", "localhost", "a.example", "::1"]


# --- article pages link each entity to the corpus entity its mentions were stored under ------------
def test_article_links_follow_the_stored_mentions():
    from khabar.model import Document, Entity, Mention, Sentence

    def doc(doc_id: str, text: str, name: str, type_: str, kb_id: str | None) -> Document:
        start = text.index(name)
        ent = Entity("e1", type_, name, (Mention(start, start + len(name), name, "name"),), kb_id=kb_id)
        return Document(id=doc_id, text=text, sentences=(Sentence(0, len(text)),), entities=(ent,))

    # The same name: first stored as an unlinked place, then as a linked person (twice, so the
    # person is the most mentioned entity of that name).
    place = doc("place", "وصل الوفد إلى ساحة النور صباح اليوم.", "النور", "LOC", None)
    person = [doc(f"person-{i}", f"قال النور في البيان رقم {i} إن العمل مستمر.", "النور", "PER", "khabar:test-nour")
              for i in range(2)]
    c = WebCorpus(":memory:")
    try:
        for d in (place, *person):
            c.add(d)
        by_kb = {r["kb_id"]: str(r["id"]) for r in c.entities("النور").items}
        assert set(by_kb) == {None, "khabar:test-nour"}
        place_id = c.article("place")["id"]
        assert c.entity_links(place_id) == {"e1": by_kb[None]}
        assert c.entity_links(c.article("person-0")["id"]) == {"e1": by_kb["khabar:test-nour"]}
    finally:
        c.close()


# --- search snippets (most of a search request's time) --------------------------------------------
def test_snippets_find_late_hits_through_diacritics_and_false_candidates():
    from khabar.analysis.text.normalize import normalize
    from khabar.corpus.store import make_snippet

    filler = "تحدث التقرير عن الطقس المُعتدل في المنطقة هذا الأسبوع. " * 80  # diacritics: the slow path
    # "درس" (lesson) first inside "المدرسة" (the school: no hit), then as a word of its own
    text = filler + "وزار الوزير المدرسةَ الجديدة. " + filler + "وقال إن الدرس الأول يبدأ غدا. " + filler
    late = text.index("الدرس")
    snip = make_snippet(text, ("درس",))
    assert snip.text.startswith("…") and "الدرس الأول" in snip.text
    assert [normalize(snip.text[s:e]).text for s, e in snip.highlights] == ["الدرس"]
    start = snip.text.index("الدرس")
    assert text[late:late + 5] == snip.text[start:start + 5]
    # a clitic form and a diacritic inside the hit: the highlight covers the whole written word
    snip = make_snippet(text, ("مدرسه",))
    assert [snip.text[s:e] for s, e in snip.highlights] == ["المدرسةَ"]
    # no hit: the start of the text
    assert make_snippet(text, ("غائب",)).text == text[:220] + "…"
