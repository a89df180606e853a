"""Soak of ``khabar serve``: bursts of concurrent requests on loopback; after each burst, the
server's open file descriptors (/proc/PID/fd), RSS and response statuses. A server that leaks
SQLite connections grows in both; a sound one stays flat after the first burst.

    python benchmarks/bench_serve_soak.py                      # 300 written articles, 5 bursts
    python benchmarks/bench_serve_soak.py --bursts 8 --requests 300 --concurrency 48

The server runs under ``ulimit -n 256`` (as a small container would), and AnyIO's idle worker
threads are retired after 0.5 s instead of 10 s, so that the pauses between bursts replace the
threadpool's threads as hours of uneven traffic do. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run in the server process: shorten the threadpool's idle time, then 'khabar serve'.
SERVER = """
import sys
from anyio._backends._asyncio import WorkerThread
WorkerThread.MAX_IDLE_TIME = float(sys.argv[3])
from khabar.cli import main
main(["serve", "--db", sys.argv[1], "--port", sys.argv[2]])
"""


def build_store(db: Path, n: int) -> None:
    """A store of ``n`` articles made from the test corpus (sentences written for the tests),
    each made distinct by a numbered sentence, so that pages and searches touch many rows."""
    sys.path.insert(0, str(ROOT / "tests"))
    from corpus_helpers import corpus_docs

    from khabar.corpus.store import Store

    docs = corpus_docs()
    with Store(db) as s, s.transaction():
        for i in range(n):
            d = dict(docs[i % len(docs)])
            d["id"] = f"{d['id']}-{i}"
            d["text"] = d["text"] + f" وهذه الجملة رقم {i}."  # "and this is sentence number i"
            s.add_article(d, pipeline_version="soak")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db: Path, *, nofile: int = 256, idle_s: float = 0.5,
                 timeout_s: float = 60.0) -> tuple[subprocess.Popen, str]:
    """Start ``khabar serve`` on ``db``; (process, base URL) once /healthz answers."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(db), str(port), str(idle_s)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    resource.prlimit(proc.pid, resource.RLIMIT_NOFILE, (nofile, nofile))  # as 'ulimit -n' would
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return proc, base
        except OSError:
            time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError("server did not answer /healthz in time")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
    if proc.stderr:
        proc.stderr.close()


def request_paths(base: str) -> list[str]:
    """A mix of API and page requests over the whole store (search, entities, quotes, events,
    articles, profiles)."""
    q = urllib.parse.quote
    with urllib.request.urlopen(base + "/v1/entities?per_page=5", timeout=30) as r:
        ents = [e["id"] for e in json.load(r)["results"]]
    with urllib.request.urlopen(base + "/v1/articles?per_page=20", timeout=30) as r:
        arts = [a["id"] for a in json.load(r)["results"]]
    # Putin, the school, Raisi, Tehran, Ebrahim Raisi: names and words of the test articles.
    paths = ["/healthz", f"/v1/articles?q={q('بوتين')}", f"/v1/articles?q={q('المدرسة')}&page=3",
             f"/v1/entities?q={q('رئيسي')}", f"/v1/quotes?speaker={q('بوتين')}", "/v1/events?per_page=50",
             f"/search?q={q('طهران')}", "/", f"/v1/quotes?about={q('إبراهيم رئيسي')}"]
    paths += [f"/v1/entities/{e}" for e in ents] + [f"/entities/{e}" for e in ents[:2]]
    paths += [f"/v1/articles/{a}" for a in arts[:5]] + [f"/articles/{a}" for a in arts[5:8]]
    return paths


REQUEST_TIMEOUT_S = 10.0  # a server out of descriptors stops answering: count that as a failure


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT_S) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0  # refused, reset or timed out: counted as a failure


def burst(base: str, paths: list[str], n: int, concurrency: int) -> Counter[int]:
    """``n`` requests over ``paths`` (round robin), ``concurrency`` at a time; status counts."""
    urls = [base + paths[i % len(paths)] for i in range(n)]
    with ThreadPoolExecutor(concurrency) as pool:
        return Counter(pool.map(_get, urls))


def open_fds(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/fd").iterdir()))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass(frozen=True)
class Sample:
    fds: int
    rss_mb: float
    statuses: dict[int, int]


def soak(base: str, pid: int, *, bursts: int = 5, requests: int = 160, concurrency: int = 32,
         pause_s: float = 1.0, time_budget_s: float = 120.0) -> list[Sample]:
    """Bursts with pauses between them (bounded in count and in time); a sample after each."""
    paths = request_paths(base)
    samples = []
    start = time.monotonic()
    for i in range(bursts):
        statuses = burst(base, paths, requests, concurrency)
        samples.append(Sample(open_fds(pid), rss_mb(pid), dict(sorted(statuses.items()))))
        if time.monotonic() - start > time_budget_s:
            break
        if i < bursts - 1:
            time.sleep(pause_s)
    return samples


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, help="an existing store (default: a temporary one)")
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--bursts", type=int, default=5)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--pause", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=1, help="fresh servers to run the soak on")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "soak.db"
            build_store(db, args.articles)
        growth_fd, growth_rss, bad = [], [], 0
        for run in range(args.repeat):
            proc, base = start_server(db)
            try:
                before = Sample(open_fds(proc.pid), rss_mb(proc.pid), {})
                samples = soak(base, proc.pid, bursts=args.bursts, requests=args.requests,
                               concurrency=args.concurrency, pause_s=args.pause)
            finally:
                stop_server(proc)
            print(f"run {run + 1}: start fds {before.fds} rss {before.rss_mb:.0f} MB")
            for i, s in enumerate(samples, 1):
                print(f"  burst {i}: fds {s.fds:4d}  rss {s.rss_mb:6.0f} MB  statuses {s.statuses}")
            growth_fd.append(samples[-1].fds - samples[0].fds)
            growth_rss.append(samples[-1].rss_mb - samples[0].rss_mb)
            bad += sum(n for s in samples for code, n in s.statuses.items() if code >= 500 or code == 0)
        print(f"after the first burst: fds +{statistics.median(growth_fd):.0f}, "
              f"rss +{statistics.median(growth_rss):.0f} MB (median of {args.repeat}); 5xx/failed: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
