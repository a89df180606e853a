"""Ingest reliability: bad inputs are reported and never stop the batch; reruns add nothing;
a killed ingest resumes to exactly the right article count; reindex; Dask shards."""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from khabar.cli import main
from khabar.corpus.ingest import IngestReport, Progress, ingest, load_shards, pipeline_version, reindex
from khabar.corpus.store import Store

# Sentences written for these tests; numbers make each article's text unique.
SENTENCES = [
    "أعلنت وزارة الصحة افتتاح مستشفى جديد في المدينة.",
    "وقال الوزير إن المشروع سيخدم آلاف المرضى.",
    "وأكد المسؤولون أن العمل سيبدأ الشهر المقبل.",
    "وشارك في الحفل عدد من أعضاء المجلس البلدي.",
]


def article(i: int) -> str:
    return f"الخبر رقم {i}. " + " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(3))


@pytest.fixture
def messy(tmp_path: Path) -> tuple[Path, int, set[str]]:
    """A folder mixing good and bad inputs; returns (folder, good article count, bad paths)."""
    d = tmp_path / "in"
    d.mkdir()
    (d / "good1.txt").write_text(article(1), encoding="utf-8")
    (d / "good2.json").write_text(json.dumps([{"id": "g2a", "content": article(2)},
                                              {"id": "g2b", "content": article(3), "published": "2024-01-02"}],
                                             ensure_ascii=False), encoding="utf-8")
    (d / "mixed.jsonl").write_text(
        json.dumps({"id": "g3", "content": article(4)}, ensure_ascii=False) + "\n"
        + '{"id": "broken", "content": "نص\n'
        + json.dumps({"id": "notext", "title": "بلا نص"}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "g4", "text": article(5)}, ensure_ascii=False) + "\n", encoding="utf-8")
    (d / "good5.txt.gz").write_bytes(gzip.compress(article(6).encode("utf-8")))
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.txt").write_text("  \n\n ", encoding="utf-8")
    (d / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (d / "latin1.txt").write_bytes("café résumé".encode("latin-1"))
    (d / "truncated.json").write_text('{"id": "t", "content": "بداية الخبر', encoding="utf-8")
    (d / "huge.txt").write_text(article(7) * 200, encoding="utf-8")  # over --max-chars below
    (d / "badgz.txt.gz").write_bytes(b"not gzip at all")
    (d / "dup.txt").write_text(article(1), encoding="utf-8")  # same text as good1: stored once
    bad = {"binary.txt", "latin1.txt", "truncated.json", "huge.txt", "badgz.txt.gz",
           "mixed.jsonl:2", "mixed.jsonl:3"}
    return d, 6, bad


def _failed_paths(store: Store) -> set[str]:
    return {Path(f.path).name for f in store.failures()}


def test_messy_folder_good_stored_bad_reported(messy, tmp_path):
    folder, good, bad = messy
    db = tmp_path / "k.db"
    r = CliRunner().invoke(main, ["ingest", str(folder), "--db", str(db), "--workers", "1", "--max-chars", "5000",
                                  "--stages", "segment"])
    assert r.exit_code == 1, r.output
    with Store(db) as s:
        assert s.count_articles() == good
        assert _failed_paths(s) == bad
        assert {a["ext_id"] for a in s.iter_articles()} == {"dup", "g2a", "g2b", "g3", "g4", "good5"}  # dup.txt is read before good1.txt
    for name in ("binary.txt", "latin1.txt", "truncated.json", "huge.txt"):
        assert name in r.output
    assert f"{good} articles analysed and stored" in r.output and f"{len(bad)} failed" in r.output
    assert "skipped 2 empty" in r.output and "empty.txt" not in r.output  # empty.txt, blank.txt
    # a rerun adds nothing and still says that some inputs are bad
    r2 = CliRunner().invoke(main, ["ingest", str(folder), "--db", str(db), "--workers", "1", "--max-chars", "5000",
                                   "--stages", "segment", "--json"])
    assert r2.exit_code == 1
    rep = json.loads(r2.stdout)
    assert rep["added"] == 0 and rep["skipped"] == good + 1 and rep["total_articles"] == good
    # the failures stay listed in the database
    r3 = CliRunner().invoke(main, ["stats", "--db", str(db), "--failures", "20"])
    assert r3.exit_code == 0 and f"{good} articles" in r3.output and f"{len(bad)} failures recorded" in r3.output
    assert "truncated.json" in r3.output


def test_parallel_ingest_matches_serial(messy, tmp_path):
    folder, good, bad = messy
    with Store(tmp_path / "a.db") as s:
        rep = ingest([folder], s, workers=2, max_chars=5000, stages=("segment", "summary"), chunk=2)
        assert (rep.added, rep.failed, rep.skipped) == (good, len(bad), 1)
        assert s.count_articles() == good
        ids = {a["id"] for a in s.iter_articles()}
        assert all(a["topics"] for a in s.iter_articles())  # the summary stage ran in the workers
    with Store(tmp_path / "b.db") as s:
        ingest([folder], s, workers=1, max_chars=5000, stages=("segment", "summary"))
        assert {a["id"] for a in s.iter_articles()} == ids


def test_ingest_from_stdin(tmp_path):
    db = str(tmp_path / "k.db")
    r = CliRunner().invoke(main, ["ingest", "-", "--db", db, "--workers", "1", "--stages", "segment"],
                           input=article(9).encode("utf-8"))
    assert r.exit_code == 0, r.output
    with Store(db) as s:
        assert s.count_articles() == 1


def test_missing_path_is_reported_not_fatal(tmp_path):
    (tmp_path / "one.txt").write_text(article(1), encoding="utf-8")
    with Store(tmp_path / "k.db") as s:
        rep = ingest([tmp_path / "one.txt", tmp_path / "nope"], s, workers=1, stages=("segment",))
        assert rep.added == 1 and rep.failed == 1 and "no such file" in rep.failures[0][2]


def test_analysis_errors_are_recorded(tmp_path, monkeypatch):
    import khabar.service as service

    real = service.analyze

    def flaky(doc, stages=None):
        if "رقم 2" in doc.text:
            raise RuntimeError("boom")
        return real(doc, stages)

    monkeypatch.setattr(service, "analyze", flaky)
    for i in (1, 2, 3):
        (tmp_path / f"{i}.txt").write_text(article(i), encoding="utf-8")
    with Store(tmp_path / "k.db") as s:
        rep = ingest([tmp_path], s, workers=1, stages=("segment",))
        assert rep.added == 2 and rep.failed == 1
        assert "RuntimeError: boom" in s.failures()[0].reason


def test_a_malformed_analysis_fails_alone(tmp_path, monkeypatch):
    import khabar.corpus.ingest_workers as ing  # where the analysis side looks stored_form up

    real = ing.stored_form

    def broken(doc):
        d, f = real(doc)
        if "رقم 2" in doc.text:  # an entity whose mention lacks its offsets
            d["entities"] = [{"id": "e1", "type": "PER", "name": "س", "mentions": [{"text": "س"}]}]
        return d, f

    monkeypatch.setattr(ing, "stored_form", broken)
    for i in (1, 2, 3):
        (tmp_path / f"{i}.txt").write_text(article(i), encoding="utf-8")
    with Store(tmp_path / "k.db") as s:
        rep = ingest([tmp_path], s, workers=1, stages=("segment",))
        assert (rep.added, rep.failed) == (2, 1) and s.count_articles() == 2
        assert "cannot store the analysis" in s.failures()[0].reason
        assert s.stats().entities == 0  # nothing of the broken article was left behind


def test_progress_prints_log_lines_off_a_terminal():
    lines: list[str] = []
    p = Progress(1000, tty=False, log=lines.append, every=0.0)
    p.update(IngestReport(added=5, skipped=1, failed=2), 500)
    p.close()
    assert lines and "5 new" in lines[0] and "articles/s" in lines[0] and "ETA" in lines[0]


def test_progress_bar_on_a_terminal(capsys):
    p = Progress(1000, tty=True)
    p.update(IngestReport(added=7, skipped=1, failed=2), 900)
    p.close()
    err = capsys.readouterr().err
    assert "articles/s" in err and "ETA" in err and "7 new" in err


def test_reindex_reanalyses_when_the_pipeline_changes(tmp_path):
    for i in range(4):
        (tmp_path / f"{i}.txt").write_text(article(i), encoding="utf-8")
    with Store(tmp_path / "k.db") as s:
        ingest([tmp_path], s, workers=1, stages=("segment",))
        assert not any(a["topics"] for a in s.iter_articles())
        full = pipeline_version(("segment", "summary"))
        assert full != pipeline_version(("segment",))
        assert s.count_outdated(full) == 4
        rep = reindex(s, workers=1, stages=("segment", "summary"))
        assert rep.added == 4 and s.count_outdated(full) == 0 and s.count_articles() == 4
        assert all(a["topics"] and a["summary"] for a in s.iter_articles())
        assert reindex(s, workers=1, stages=("segment", "summary")).added == 0  # nothing left to do
        assert reindex(s, workers=1, stages=("segment", "summary"), force=True).added == 4


def _count(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_killed_ingest_resumes_to_the_exact_count(tmp_path):
    n = 3000
    src = tmp_path / "many.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"n{i}", "content": article(i) * 3}, ensure_ascii=False) + "\n")
    db = tmp_path / "k.db"
    cmd = [sys.executable, "-m", "khabar", "ingest", str(src), "--db", str(db), "--workers", "1",
           "--stages", "segment,summary"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _count(db) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = _count(db)
    assert 0 < partial < n, f"the kill should land half-way (stored {partial} of {n})"
    r = subprocess.run(cmd + ["--json"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["skipped"] == partial and rep["added"] == n - partial
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*), COUNT(DISTINCT id), COUNT(DISTINCT ext_id) FROM articles").fetchone() \
        == (n, n, n)
    # the full-text index has one row per article (no duplicates from the killed run)
    assert con.execute("SELECT COUNT(*) FROM article_fts WHERE article_fts MATCH '\"خبر\"'").fetchone()[0] == n


@pytest.mark.slow
def test_sigint_commits_what_was_analysed(tmp_path):
    src = tmp_path / "many.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for i in range(3000):
            f.write(json.dumps({"content": article(i) * 3}, ensure_ascii=False) + "\n")
    db = tmp_path / "k.db"
    proc = subprocess.Popen([sys.executable, "-m", "khabar", "ingest", str(src), "--db", str(db), "--workers", "1",
                             "--stages", "segment"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while _count(db) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, _err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert "interrupted" in out
    stored = int(out.split(" articles analysed")[0].split()[-1])
    assert stored == _count(db) > 0


def _proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time) of a process from /proc, None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()  # after "pid (command) "
    return fields[0], int(fields[1]), int(fields[19])


def _descendants(pid: int) -> dict[int, int]:
    """Every process below ``pid`` (children, grandchildren, ...) -> its start time."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (st := _proc_stat(int(entry.name))) is not None:
            stats[int(entry.name)] = st
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, (_state, ppid, start) in stats.items():
            if ppid == parent and child not in found:
                found[child] = start
                frontier.append(child)
    return found


def _still_running(procs: dict[int, int]) -> list[int]:
    """Those processes still running (a zombie or a new process with a reused pid does not count)."""
    out = []
    for pid, start in procs.items():
        st = _proc_stat(pid)
        if st is not None and st[0] != "Z" and st[2] == start:
            out.append(pid)
    return out


def _start_parallel_ingest(tmp_path: Path, n: int) -> tuple[list[str], Path, subprocess.Popen, dict[int, int]]:
    """Start a 2-worker ingest in a subprocess; return once it has stored something, with the
    processes it started (the fork server and the workers). Its output goes to files (out.txt,
    err.txt): workers that outlive it would hold pipes open."""
    src = tmp_path / "many.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"n{i}", "content": article(i) * 3}, ensure_ascii=False) + "\n")
    db = tmp_path / "k.db"
    cmd = [sys.executable, "-m", "khabar", "ingest", str(src), "--db", str(db), "--workers", "2",
           "--stages", "segment,summary"]
    with (tmp_path / "out.txt").open("w") as out, (tmp_path / "err.txt").open("w") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
    deadline = time.monotonic() + 120
    while _count(db) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    children = _descendants(proc.pid)
    assert proc.poll() is None and len(children) >= 2, "the ingest should be running with its workers"
    return cmd, db, proc, children


def _wait_gone(procs: dict[int, int], within: float) -> list[int]:
    """Those still running after ``within`` seconds (killed then, not to outlive the test)."""
    deadline = time.monotonic() + within
    while (left := _still_running(procs)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")
def test_sigterm_stops_workers_and_commits_like_ctrl_c(tmp_path):
    n = 3000
    cmd, db, proc, children = _start_parallel_ingest(tmp_path, n)
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:  # whatever fails, nothing started here outlives the test
        if proc.poll() is None:
            proc.kill()
        left = _wait_gone(children, 10)
    assert left == [], "worker processes outlived the ingest"
    assert proc.returncode not in (0, -signal.SIGTERM), "a stopped ingest exits non-zero, by itself"
    out, err = (tmp_path / "out.txt").read_text(), (tmp_path / "err.txt").read_text()
    assert "Traceback" not in err
    last = out.strip().splitlines()
    assert len(last) == 1 and last[0].startswith("ingest interrupted:"), out
    stored = int(last[0].split(" articles analysed")[0].split()[-1])
    assert 0 < stored == _count(db) < n
    r = subprocess.run(cmd + ["--json"], capture_output=True, text=True, timeout=600, check=False)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["skipped"] == stored and rep["added"] == n - stored and _count(db) == n


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")
def test_workers_exit_soon_after_the_ingest_is_killed(tmp_path):
    _cmd, db, proc, children = _start_parallel_ingest(tmp_path, 3000)
    try:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        left = _wait_gone(children, 15)
    assert left == [], "worker processes outlived the killed ingest"
    assert _count(db) > 0


@pytest.mark.slow
def test_dask_ingest_on_a_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    for i in range(5):
        (tmp_path / f"{i}.txt").write_text(article(i), encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01binary")
    from khabar.corpus.ingest import ingest_dask

    with distributed.LocalCluster(n_workers=1, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        with Store(tmp_path / "k.db") as s:
            rep = ingest_dask([tmp_path], s, cluster.scheduler_address, stages=("segment", "summary"), batch=2)
            assert (rep.added, rep.failed) == (5, 1) and s.count_articles() == 5
            assert all(a["topics"] for a in s.iter_articles())
            shards = sorted((tmp_path / "k-shards").glob("*.parquet"))
            assert len(shards) == 3
        # --no-load: the shards stay as a dataset; ingesting them later loads them unchanged
        with Store(tmp_path / "other.db") as s:
            rep = ingest_dask([tmp_path], s, cluster.scheduler_address, stages=("segment", "summary"),
                              shards=tmp_path / "ds", load=False)
            assert rep.added == 5 and s.count_articles() == 0
            rep = ingest([tmp_path / "ds"], s, workers=1, stages=("segment", "summary"))
            assert rep.added == 5 and s.count_articles() == 5
            assert load_shards(s, tmp_path / "ds").skipped == 5


def test_cli_ingest_dask_unreachable_scheduler_is_one_line(tmp_path):
    pytest.importorskip("distributed")
    (tmp_path / "a.txt").write_text(article(1), encoding="utf-8")
    with socket.socket() as s:  # a loopback port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "k.db"
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "khabar", "ingest", str(tmp_path / "a.txt"), "--db", str(db),
                        "--dask", f"tcp://127.0.0.1:{port}"],
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 2 and time.monotonic() - t0 < 25  # --dask-timeout, default 10 s (distributed: 30 s)
    assert r.stderr.strip().count("\n") == 0 and "Traceback" not in r.stderr
    assert f"cannot connect to the Dask scheduler at tcp://127.0.0.1:{port}" in r.stderr
    assert not db.exists() and not (tmp_path / "k-shards").exists()  # nothing was created


def test_cli_ingest_help_and_errors(tmp_path):
    r = CliRunner().invoke(main, ["ingest", "--help"])
    assert r.exit_code == 0 and "idempotent" in r.output
    r = CliRunner().invoke(main, ["ingest", str(tmp_path), "--db", str(tmp_path / "k.db"), "--stages", "nope"])
    assert r.exit_code == 2 and "unknown stage" in r.output
    r = CliRunner().invoke(main, ["reindex", "--db", str(tmp_path / "missing.db")])
    assert r.exit_code == 2 and "no such database" in r.output


def test_default_workers_follow_the_cpu_affinity(monkeypatch):
    """ingest, analyze and serve share one default: the CPUs this process may run on."""
    from khabar import service
    from khabar.corpus import ingest

    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert ingest.default_workers is service.default_workers
    assert ingest.default_workers() == 1


def test_saved_html_page_is_ingested_with_its_metadata(tmp_path):
    body = "".join(f"<p>{article(i)}</p>" for i in range(6))
    (tmp_path / "page.html").write_text(
        '<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>افتتاح مستشفى جديد</title>'
        '<meta property="article:published_time" content="2024-05-02T10:00:00Z">'
        '<meta property="og:site_name" content="صحيفة الاختبار"></head><body><nav>الرئيسية | أخبار</nav>'
        f"<article><h1>افتتاح مستشفى جديد</h1>{body}</article><footer>جميع الحقوق محفوظة</footer></body></html>",
        encoding="utf-8")
    with Store(tmp_path / "k.db") as s:
        assert ingest([tmp_path], s, workers=1, stages=("segment",)).added == 1
        a = next(s.iter_articles())
        assert (a["title"], a["published"], a["source"]) == ("افتتاح مستشفى جديد", "2024-05-02", "صحيفة الاختبار")
        assert "الرئيسية" not in a["text"] and s.search("مستشفى").total == 1
