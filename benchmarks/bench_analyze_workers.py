"""Batch analysis benchmark: `khabar analyze FILE -o OUT` wall time with 1 vs N worker processes.

    .venv/bin/python benchmarks/bench_analyze_workers.py [--articles 3000] [--workers 1,2] [--repeat 2]
                                                        [--shared ../shared]

The first N non-empty SaudiNewsNet articles (file order) are written to a temporary JSONL file;
each run is a fresh `python -m khabar analyze` process (model loading included, as a user sees
it), the worker counts interleaved round by round so that load from other users of the machine
falls on all of them alike. Prints every run, the median per worker count, and checks that every
run wrote the same output (the order is the input order whatever the workers).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_ingest import load_articles  # the same article sample (sys.path[0] is benchmarks/)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=3000)
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    args = ap.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "articles.jsonl"
        arts = load_articles(args.shared, args.articles)
        src.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in arts), encoding="utf-8")
        size = src.stat().st_size / 1e6
        print(f"{len(arts)} articles, {size:.1f} MB; workers {counts}, {args.repeat} rounds")
        times: dict[int, list[float]] = {w: [] for w in counts}
        digests: set[str] = set()
        for r in range(args.repeat):
            for w in counts:
                out = Path(tmp) / f"out-{w}.jsonl"
                t = time.perf_counter()
                cmd = [sys.executable, "-m", "khabar", "analyze", str(src), "--workers", str(w),
                       "-o", str(out)]
                proc = subprocess.run(cmd, capture_output=True, text=True)
                dt = time.perf_counter() - t
                if proc.returncode not in (0, 1):
                    sys.exit(f"run failed ({proc.returncode}): {proc.stderr[-2000:]}")
                digests.add(hashlib.sha1(out.read_bytes()).hexdigest())
                times[w].append(dt)
                rate = len(arts) / dt
                print(f"round {r + 1}, {w} worker(s): {dt:.1f}s ({rate:.1f} articles/s)", flush=True)
        base = statistics.median(times[counts[0]])
        for w in counts:
            m = statistics.median(times[w])
            print(f"median, {w} worker(s): {m:.1f}s ({len(arts) / m:.1f} articles/s), x{base / m:.2f}")
        print("outputs identical across runs:", len(digests) == 1)


if __name__ == "__main__":
    main()
