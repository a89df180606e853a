"""The home page's "latest articles" reads on a large store: the live list's poll
(`Store.latest_articles`, the last rows by rowid) vs the query the home page used before it
(`Store.search` without a query: newest by publication date).

    .venv/bin/python benchmarks/bench_latest.py [--articles 20000] [--rounds 7] [--calls 200]

A store file in a temporary folder is filled with ARTICLES synthetic articles (sentences written
for this script, about 2 KB each, dates spread over two years, no annotations). Each round times
CALLS calls of each read, interleaved so that load from other users of the machine falls on all
alike; prints the median per call over the rounds:
- poll_idle: `latest_articles(since=<newest ingested_at>, limit=20)`: a poll with nothing new
  (what an open home page asks every 15 s);
- latest10: `latest_articles(limit=10)`: the home page's list now;
- search10: `search("", limit=10)`: the home page's list before (newest by publication date).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from khabar.corpus.store import Store

SENTENCES = [  # written for this benchmark: "the committee met today to discuss the budget", ...
    "اجتمعت اللجنة اليوم لمناقشة الميزانية العامة للعام المقبل.",
    "وقال المتحدث إن المحادثات ستستأنف الأسبوع القادم في العاصمة.",
    "وأعلنت الوزارة عن خطة جديدة لدعم المشاريع الصغيرة والمتوسطة.",
    "وأكد المسؤولون أهمية التعاون بين الجهات المعنية لتحقيق الأهداف.",
]


def fill(store: Store, n: int) -> None:
    with store.transaction():
        for i in range(n):
            text = f"خبر رقم {i}. " + " ".join(SENTENCES[(i + k) % 4] for k in range(24))  # "news number i"
            day = f"20{23 + (i % 2)}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            store.add_article({"id": f"a{i}", "title": f"عنوان {i}", "published": day, "source": "bench",
                               "text": text})


def timed(fn, calls: int) -> float:
    t = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - t) / calls * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--calls", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        with Store(db) as s:
            t = time.perf_counter()
            fill(s, args.articles)
            print(f"filled {args.articles} articles in {time.perf_counter() - t:.1f} s")
        with Store(db, readonly=True) as s:
            newest = s.latest_articles(limit=1)[0].ingested_at
            reads = {
                "poll_idle": lambda: s.latest_articles(newest, 20),
                "latest10": lambda: s.latest_articles(limit=10),
                "search10": lambda: s.search("", limit=10),
            }
            assert reads["poll_idle"]() == [] and len(reads["latest10"]()) == 10
            times: dict[str, list[float]] = {k: [] for k in reads}
            for _ in range(args.rounds):
                for name, fn in reads.items():
                    times[name].append(timed(fn, args.calls))
    for name, ts in times.items():
        print(f"{name:10s} median {statistics.median(ts):.3f} ms/call (min {min(ts):.3f}, max {max(ts):.3f})")


if __name__ == "__main__":
    main()
