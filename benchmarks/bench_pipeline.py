"""Time of each pipeline stage per article, one process.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_pipeline.py [--articles 300] [--day 2015-07-25]

Reads saudinewsnet articles of one day from ../shared, warms the pipeline on 20 of them, then
prints milliseconds per article for every stage of the default pipeline and articles/s overall.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from khabar.analysis.pipeline import Pipeline
from khabar.io import document_from_record


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--day", default="2015-07-25")
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    args = ap.parse_args()
    path = args.shared / "data" / "news" / "saudinewsnet" / f"{args.day}.json"
    records = json.loads(path.read_text(encoding="utf-8"))[: args.articles]
    docs = [document_from_record(r, where=str(path), max_chars=10**7) for r in records]
    pipeline = Pipeline.build()
    for d in docs[:20]:
        pipeline(d)
    spent = {c.name: 0.0 for c in pipeline.components}
    t0 = time.perf_counter()
    for d in docs:
        for c in pipeline.components:
            t = time.perf_counter()
            d = c(d)
            spent[c.name] += time.perf_counter() - t
    elapsed = time.perf_counter() - t0
    chars = sum(len(d.text) for d in docs) / len(docs)
    print(f"{len(docs)} articles of {args.day}, {chars:,.0f} characters on average: "
          f"{len(docs) / elapsed:.1f} articles/s in one process")
    for name, secs in spent.items():
        print(f"  {name:10s} {secs / len(docs) * 1000:7.2f} ms per article")


if __name__ == "__main__":
    main()
