"""A store that cannot be written, is damaged or fills the disk, and ids no entity can have:
clear one-line CLI errors (exit 2) and 4xx/503 JSON in the API, no write where only reading,
and nothing already stored lost."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus_helpers import corpus_docs

from khabar.cli import main
from khabar.corpus.store import Store

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PUTIN = "بوتين"  # "Putin", named in two of the three test articles
HUGE = "99999999999999999999999"  # beyond 64-bit integers
JUST_OVER = str(2**63)  # 19 digits, one past SQLite's largest integer


def _client(db: Path):
    pytest.importorskip("fastapi", reason="the web extra is not installed (pip install 'khabar[web]')")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from khabar.web.api import create_app

    return TestClient(create_app(db), raise_server_exceptions=False)


def _make_store(path: Path, copies: int = 1) -> Path:
    """The test corpus, ``copies`` times over (each copy made distinct by a numbered sentence)."""
    with Store(path) as s, s.transaction():
        for i in range(copies):
            for d in corpus_docs():
                s.add_article({**d, "id": f"{d['id']}-{i}", "text": d["text"] + f" الجملة {i}."},  # "sentence i"
                              pipeline_version="test")
    return path


def _fingerprint(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def _cli(*args: str):
    return CliRunner().invoke(main, list(args))


def _one_line_error(r, code: int = 2) -> str:
    assert r.exit_code == code, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and re.match(r"khabar: error E\d{3}: ", lines[0]), r.output
    assert "Traceback" not in r.output
    return lines[0]


def _assert_json_error(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["status"] == status and body["message"]
    assert "Traceback" not in r.text and 'File "' not in r.text
    return body


# --- huge and non-ASCII numeric ids -----------------------------------------------------------
@pytest.mark.parametrize("name", [HUGE, JUST_OVER, f"#{HUGE}", "1" * 5000])
def test_cli_huge_numeric_ids_are_not_found(tmp_path, name):
    db = str(_make_store(tmp_path / "k.db"))
    for args in (["entity", name], ["who-said", name], ["quotes-about", name], ["search", PUTIN, "--entity", name],
                 ["timeline", "--entity", name]):
        line = _one_line_error(_cli(*args, "--db", db))
        assert "no entity matches" in line, (args, line)


def test_api_huge_and_unicode_digit_ids_are_404_or_empty(tmp_path):
    client = _client(_make_store(tmp_path / "k.db"))
    for eid in (HUGE, JUST_OVER, "²", "١٢", "¹²³"):  # "²": int() fails, isdigit() says yes; "١٢": Arabic-Indic 12
        _assert_json_error(client.get(f"/v1/entities/{eid}"), 404)
        r = client.get(f"/entities/{eid}")
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    for path in (f"/v1/entities?q={HUGE}", f"/v1/entities?q={JUST_OVER}", f"/v1/quotes?speaker={HUGE}",
                 f"/v1/quotes?about={HUGE}", f"/v1/events?actor={HUGE}", f"/v1/articles?entity={HUGE}",
                 f"/v1/quotes?speaker=%23{JUST_OVER}"):
        r = client.get(path)
        assert r.status_code == 200, (path, r.text)
        assert r.json()["results"] == [], path
    # A real id still works.
    eid = client.get(f"/v1/entities?q={PUTIN}").json()["results"][0]["id"]
    assert client.get(f"/v1/entities/{eid}").json()["entity"]["id"] == eid


# --- read-only stores ---------------------------------------------------------------------------
def test_read_commands_and_serve_never_write_the_store(tmp_path):
    """An empty store from an older khabar (no index fingerprint recorded) made read-only: reading
    it must not record one (a write that fails on a read-only file, or changes the file when
    running as root, where chmod does not stop writes)."""
    path = tmp_path / "k.db"
    Store(path).close()
    con = sqlite3.connect(path)
    con.execute("DELETE FROM meta")
    con.commit()
    con.close()
    path.chmod(0o444)
    before = _fingerprint(path)
    db = str(path)
    r = _cli("stats", "--db", db, "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["articles"] == 0
    assert _cli("search", PUTIN, "--db", db).exit_code == 0
    assert _cli("export", "--db", db, "--out", str(tmp_path / "out")).exit_code == 0
    assert _cli("timeline", "--db", db).exit_code == 0
    assert _fingerprint(path) == before
    with _client(path) as client:
        assert client.get("/healthz").json()["articles"] == 0
        assert client.get("/v1/articles").status_code == 200
        assert client.get("/").status_code == 200
    assert _fingerprint(path) == before


def test_writes_on_a_read_only_store_are_clear_errors(tmp_path):
    path = _make_store(tmp_path / "k.db")
    with Store(path, readonly=True) as r:
        assert r.count_articles() == 3
        with pytest.raises(sqlite3.OperationalError) as exc:
            r.record_failure("x.txt", None, "test")
    from khabar.corpus.store import db_error

    err = db_error(exc.value, path)
    assert err.kind == "read_only" and "read-only" in str(err) and str(path) in str(err)


_RO_SCRIPT = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
from fastapi.testclient import TestClient
from khabar.web.api import create_app
db = sys.argv[1]
with TestClient(create_app(db), raise_server_exceptions=False) as c:
    out = {"healthz": c.get("/healthz").json(),
           "search": c.get("/v1/articles", params={"q": "بوتين"}).json()["total"],  # "Putin"
           # "The minister said the meeting will be held tomorrow."
           "post": c.post("/v1/articles", json={"text": "قال الوزير إن الاجتماع سيعقد غدا."}).json()}
print(json.dumps(out))
"""


def _on_read_only_mount(folder: Path, command: str) -> subprocess.CompletedProcess:
    """Run ``command`` with ``folder`` bind-mounted read-only on itself, in a private mount
    namespace (root only); skips when this machine does not allow it."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare(1) to make a read-only mount")
    probe = subprocess.run(["unshare", "-m", "sh", "-c",
                            f"mount --bind -o ro '{folder}' '{folder}' && ! touch '{folder}/probe' 2>/dev/null"],
                           check=False, capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a read-only mount here: {probe.stderr.decode(errors='replace').strip()}")
    return subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind -o ro '{folder}' '{folder}' && {command}"],
                          check=False, capture_output=True, text=True, timeout=120)


def test_store_on_a_read_only_mount_is_readable(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = _make_store(folder / "k.db")
    assert not list(folder.glob("k.db-*"))  # closed cleanly: no -wal/-shm to read through
    before = _fingerprint(path)
    py = sys.executable
    r = _on_read_only_mount(folder, f"'{py}' -m khabar stats --db '{path}' --format json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["articles"] == 3
    r = _on_read_only_mount(folder, f"'{py}' -m khabar search {PUTIN} --db '{path}' --format json")
    assert r.returncode == 0 and json.loads(r.stdout)["total"] == 2, r.stderr
    r = _on_read_only_mount(folder, f"'{py}' -m khabar ingest - --db '{path}' --stages segment < /dev/null")
    assert r.returncode == 2 and "read-only" in r.stderr and "Traceback" not in r.stderr, r.stderr
    pytest.importorskip("fastapi", reason="the web extra is not installed (pip install 'khabar[web]')")
    script = tmp_path / "ro_app.py"
    script.write_text(_RO_SCRIPT, encoding="utf-8")
    r = _on_read_only_mount(folder, f"'{py}' '{script}' '{path}'")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["healthz"]["status"] == "ok" and out["healthz"]["articles"] == 3
    assert out["search"] == 2
    assert out["post"]["status"] == 403 and "read-only" in out["post"]["message"]
    assert _fingerprint(path) == before and not list(folder.glob("k.db-*"))


# --- damaged stores -----------------------------------------------------------------------------
def _corrupt_copy(src: Path, dst: Path) -> Path:
    """A copy of ``src`` whose article, entity, quote, event and full-text pages are overwritten
    with noise; the schema page stays readable, so the store opens and fails on use."""
    shutil.copy(src, dst)
    con = sqlite3.connect(f"file:{dst}?mode=ro", uri=True)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    roots = [r for (r,) in con.execute(
        "SELECT rootpage FROM sqlite_master WHERE rootpage > 1 AND (tbl_name IN "
        "('articles', 'entities', 'quotes', 'events', 'article_entities') OR name = 'article_fts_data')")]
    con.close()
    assert roots
    with open(dst, "r+b") as f:
        for page in roots:
            f.seek((page - 1) * page_size)
            f.write(bytes((i * 37 + 11) % 251 for i in range(page_size)))
    return dst


def test_damaged_store_is_503_in_the_api_and_unhealthy(tmp_path):
    path = _corrupt_copy(_make_store(tmp_path / "good.db", copies=20), tmp_path / "bad.db")
    before = _fingerprint(path)
    with _client(path) as client:
        body = _assert_json_error(client.get("/healthz"), 503)
        assert "damaged" in body["message"]
        for url in (f"/v1/articles?q={PUTIN}", "/v1/articles", "/v1/entities", "/v1/quotes", "/v1/events"):
            body = _assert_json_error(client.get(url), 503)
            assert "damaged" in body["message"] and str(tmp_path) not in body["message"], url
        r = client.get(f"/search?q={PUTIN}")
        assert r.status_code == 503 and r.headers["content-type"].startswith("text/html")
        assert "Traceback" not in r.text
    assert _fingerprint(path) == before


def test_damaged_store_is_a_one_line_error_in_the_cli(tmp_path):
    path = _corrupt_copy(_make_store(tmp_path / "good.db", copies=20), tmp_path / "bad.db")
    before = _fingerprint(path)
    for args in (["stats"], ["search", PUTIN], ["entity", PUTIN], ["timeline"], ["who-said", PUTIN]):
        line = _one_line_error(_cli(*args, "--db", str(path)))
        assert "damaged" in line and line.startswith("khabar: error E301: "), (args, line)
    assert _fingerprint(path) == before


def test_healthy_store_is_ok(tmp_path):
    with _client(_make_store(tmp_path / "k.db")) as client:
        r = client.get("/healthz")
        assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["articles"] == 3


# --- a full disk ---------------------------------------------------------------------------------
def _fill_disk(conn: sqlite3.Connection) -> None:
    """Let this connection's file grow by no page: its next write meets a full disk."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")


def test_full_disk_in_the_api_is_503_and_keeps_what_was_stored(tmp_path, monkeypatch):
    monkeypatch.delenv("KHABAR_API_TOKEN", raising=False)
    path = _make_store(tmp_path / "k.db")
    from khabar.corpus.store import Store as RealStore

    class FullStore(RealStore):  # every read-write connection of the app sees a full disk
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            if not kw.get("readonly"):
                _fill_disk(self.conn)

    monkeypatch.setattr("khabar.corpus.store.Store", FullStore)
    # "The foreign minister said the talks will resume in Cairo next week." 60 times: a long article.
    text = "قال وزير الخارجية إن المحادثات ستستأنف في القاهرة الأسبوع المقبل. " * 60
    with _client(path) as client:
        body = _assert_json_error(client.post("/v1/articles", json={"text": text}), 503)
        assert "full" in body["message"] and body["reason"] == "full"
        assert client.get("/healthz").json()["articles"] == 3
        assert client.get(f"/v1/articles?q={PUTIN}").json()["total"] == 2
    with RealStore(path, readonly=True) as s:
        assert s.count_articles() == 3 and s.get_article("a1-0") is not None


def test_full_disk_in_the_cli_is_one_line_and_keeps_what_was_stored(tmp_path, monkeypatch):
    path = _make_store(tmp_path / "k.db")
    from khabar.corpus.store import Store as RealStore

    class FullStore(RealStore):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            if not kw.get("readonly"):
                _fill_disk(self.conn)

    monkeypatch.setattr("khabar.corpus.store.Store", FullStore)
    src = tmp_path / "new.jsonl"
    # "The minister announced a new education plan today." 300 times, then "number i".
    src.write_text("\n".join(json.dumps({"id": f"n{i}", "text": "أعلن الوزير اليوم خطة جديدة للتعليم. " * 300
                                         + f"رقم {i}"}, ensure_ascii=False) for i in range(3)), encoding="utf-8")
    r = CliRunner().invoke(main, ["ingest", str(src), "--db", str(path), "--workers", "1", "--stages", "segment"])
    line = _one_line_error(r)
    assert "full" in line
    with RealStore(path, readonly=True) as s:
        assert s.count_articles() == 3 and s.get_article("a2-0") is not None
        assert sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute("PRAGMA integrity_check").fetchone() == ("ok",)
