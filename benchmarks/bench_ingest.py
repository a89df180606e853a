"""Corpus benchmark: ingest throughput and peak memory on SaudiNewsNet subsets, then search and
entity-profile latency and database size on the resulting store.

    .venv/bin/python benchmarks/bench_ingest.py [--sizes 1000,5000,31000] [--workers N] [--shared ../shared]

For each size N, the first N articles (in file order) are written to a temporary JSONL file and
ingested into a fresh database with every stage of the packaged pipeline. Peak memory is the
largest total RSS of this process and its worker processes, sampled every 0.2 s. On the largest
store it then times 200 searches (words taken from the corpus at several frequencies, with and
without filters) and the profiles of the 50 most-mentioned entities, and prints p50/p95.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import threading
import time
from pathlib import Path

import psutil

from khabar.corpus.ingest import ingest
from khabar.corpus.store import Store
from khabar.corpus.views import entity_profile


class PeakRSS:
    """Sample the total RSS of this process and its children in a thread."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for p in [me, *me.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(0.2)

    def __enter__(self) -> PeakRSS:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()


def load_articles(shared: Path, n: int) -> list[dict]:
    out: list[dict] = []
    for f in sorted((shared / "data" / "news" / "saudinewsnet").glob("*.json")):
        for rec in json.loads(f.read_text(encoding="utf-8")):
            if (rec.get("content") or "").strip():
                out.append(rec)
                if len(out) >= n:
                    return out
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def bench_queries(store: Store, articles: list[dict], rng: random.Random) -> list[tuple[str, dict]]:
    """Queries: single words at several frequencies, two-word queries, phrases, with filters."""
    from khabar.corpus.store import index_words

    words = [w for a in rng.sample(articles, min(200, len(articles))) for w in index_words(a["title"] or "")
             if len(w) > 3]
    qs: list[tuple[str, dict]] = []
    sources = sorted({a.get("source") for a in articles if a.get("source")})
    for i in range(200):
        w = rng.choice(words)
        kind = i % 4
        if kind == 0:
            qs.append((w, {}))
        elif kind == 1:
            qs.append((f"{w} {rng.choice(words)}", {}))
        elif kind == 2:
            qs.append((w, {"source": rng.choice(sources)} if sources else {}))
        else:
            qs.append((w + "*", {"date_from": "2015-08-01"}))
    return qs


def main() -> None:
    ap = argparse.ArgumentParser(description="khabar corpus benchmark")
    ap.add_argument("--sizes", default="1000,5000")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    ap.add_argument("--keep", help="Keep the largest database at this path.")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    all_articles = load_articles(Path(args.shared), max(sizes))
    print(f"{len(all_articles)} articles loaded; workers={args.workers}; cpus={os.cpu_count()}")
    print(f"{'articles':>9} {'seconds':>8} {'art/s':>7} {'text MB/s':>9} {'peak MB':>8} {'DB MB':>7} {'raw MB':>7} "
          f"{'DB/raw':>7}")
    tmp = Path(tempfile.mkdtemp(prefix="khabar-bench-"))
    db_path = None
    for n in sizes:
        arts = all_articles[:n]
        src = tmp / f"subset-{n}.jsonl"
        with src.open("w", encoding="utf-8") as f:
            for a in arts:
                f.write(json.dumps(a, ensure_ascii=False) + "\n")
        raw = sum(len(a["content"].encode("utf-8")) for a in arts)
        db_path = tmp / f"bench-{n}.db"
        store = Store(db_path)
        with PeakRSS() as mem:
            report = ingest([src], store, workers=args.workers, progress=False)
        store.checkpoint()
        size = db_path.stat().st_size
        print(f"{report.added:>9} {report.elapsed:>8.1f} {report.rate:>7.1f} {raw / 1e6 / report.elapsed:>9.2f} "
              f"{mem.peak / 1e6:>8.0f} "
              f"{size / 1e6:>7.1f} {raw / 1e6:>7.1f} {size / raw:>7.2f}", flush=True)
        store.close()
    assert db_path is not None
    store = Store(db_path, readonly=True)
    rng = random.Random(7)
    times = []
    for q, filters in bench_queries(store, all_articles[: sizes[-1]], rng):
        t = time.perf_counter()
        store.search(q, limit=10, **filters)
        times.append((time.perf_counter() - t) * 1000)
    print(f"search ({len(times)} queries, 10 hits with snippets): p50 {pct(times, 50):.1f} ms, "
          f"p95 {pct(times, 95):.1f} ms, max {max(times):.1f} ms")
    ents = store.entities(limit=50)
    if ents:
        times = []
        for e in ents:
            t = time.perf_counter()
            entity_profile(store, e.id)
            times.append((time.perf_counter() - t) * 1000)
        print(f"entity profile ({len(times)} most-mentioned entities): p50 {pct(times, 50):.1f} ms, "
              f"p95 {pct(times, 95):.1f} ms, max {max(times):.1f} ms")
    else:
        print("entity profile: no entities in the store (no entity stage in the pipeline)")
    from khabar.corpus.views import stories

    t = time.perf_counter()
    sts = stories(store, limit=10_000)
    print(f"stories over the whole store: {len(sts)} stories of 2+ articles in {time.perf_counter() - t:.1f} s")
    import shutil

    store.close()
    if args.keep:
        shutil.copy(db_path, args.keep)
    shutil.rmtree(tmp, ignore_errors=True)
    from khabar.service import get_pipeline

    print(f"pipeline stages: {', '.join(get_pipeline().names)}")


if __name__ == "__main__":
    main()
