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
