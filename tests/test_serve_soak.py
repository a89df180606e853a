"""Soak of ``khabar serve`` (a real uvicorn process): bursts of concurrent requests must leave
open file descriptors and memory flat after the first burst, and never answer 5xx."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the web extra is not installed (pip install 'khabar[web]')")

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_serve_soak.py"


def _bench():
    """The soak driver of benchmarks/bench_serve_soak.py (loaded by path, only for this test)."""
    spec = importlib.util.spec_from_file_location("bench_serve_soak", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_serve_soak", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc/PID (Linux only)")
def test_serve_keeps_descriptors_and_memory_flat_over_bursts(tmp_path):
    bench = _bench()
    db = tmp_path / "soak.db"
    bench.build_store(db, 150)
    # ulimit -n 256; idle threadpool threads retired after 0.5 s, so each pause replaces them.
    proc, base = bench.start_server(db, nofile=256, idle_s=0.5)
    try:
        samples = bench.soak(base, proc.pid, bursts=5, requests=120, concurrency=32, pause_s=1.0,
                             time_budget_s=90)
    finally:
        bench.stop_server(proc)
    report = [(s.fds, round(s.rss_mb), s.statuses) for s in samples]
    assert len(samples) >= 3, report
    assert all(set(s.statuses) == {200} for s in samples), report
    first = samples[0]
    assert max(s.fds for s in samples) - first.fds <= 6, report
    assert max(s.rss_mb for s in samples) - first.rss_mb <= 25, report


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc/self/fd (Linux only)")
def test_web_corpus_opens_at_most_its_pool_of_connections(tmp_path):
    """Many threads reading at once share the pool: the files open on the store stay bounded,
    and closing the corpus closes them all."""
    import threading

    from khabar.web.corpus import WebCorpus

    bench = _bench()
    db = tmp_path / "k.db"
    bench.build_store(db, 30)

    def open_on_store() -> int:
        return sum(1 for fd in Path("/proc/self/fd").iterdir()
                   if str(fd.resolve()).startswith(str(db)))  # k.db, k.db-wal, k.db-shm

    corpus = WebCorpus(db)  # at most 4 read connections and 1 writer
    start = threading.Barrier(24)
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            start.wait()
            for _ in range(5):
                assert corpus.search("بوتين").total == 20  # "Putin": in 2 of every 3 articles
                corpus.entity("1")
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]
    assert open_on_store() <= 5 * 3, open_on_store()
    corpus.close()
    assert open_on_store() == 0


def test_a_connection_lent_when_the_corpus_closes_is_closed_when_given_back(tmp_path):
    """close() while a request holds a reader: the reader is closed on return, not pooled again."""
    from khabar.web.corpus import WebCorpus

    db = tmp_path / "k.db"
    WebCorpus(str(db)).close()  # creates the store
    c = WebCorpus(str(db))
    with c._store() as lent:
        c.close()
    assert c._idle == []
    with pytest.raises(Exception, match="closed"):
        lent.count_articles()
