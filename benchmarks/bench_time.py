"""Speed of the ``timexes`` stage against the pipeline before it (segment), on real articles.

Usage: python benchmarks/bench_time.py [N_ARTICLES] [--stages-before segment,entities,quotes]

Each figure is the best of three runs.

Reads N articles (default 300) from ../shared/data/news/saudinewsnet (or $KHABAR_SHARED), runs
the stages before ``timexes`` once, then the ``timexes`` stage alone on their output, and prints
the time of each and the overhead of ``timexes`` in percent of the stages before it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from khabar.analysis.pipeline import Pipeline
from khabar.model import Document


def _articles(n: int) -> list[Document]:
    shared = Path(os.environ.get("KHABAR_SHARED", Path(__file__).resolve().parents[2] / "shared"))
    folder = shared / "data" / "news" / "saudinewsnet"
    docs: list[Document] = []
    for path in sorted(folder.glob("*.json")):
        for i, rec in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            text = rec.get("content") or ""
            if text.strip():
                docs.append(Document(id=f"{path.stem}-{i}", text=text,
                                     published=(rec.get("date_extracted") or "")[:10] or None))
            if len(docs) >= n:
                return docs
    if not docs:
        sys.exit(f"no articles found under {folder}")
    return docs


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv and argv[0].isdigit() else 300
    before = ["segment"]
    if "--stages-before" in argv:
        before = argv[argv.index("--stages-before") + 1].split(",")
    docs = _articles(n)
    chars = sum(len(d.text) for d in docs)
    pipe_before = Pipeline.build(before)
    timex = Pipeline.build(before + ["timexes"]).components[-1]
    timex(pipe_before(docs[0]))  # build patterns outside the timing
    tb = tt = float("inf")
    for _ in range(3):  # best of three: the machine may be busy
        t0 = time.perf_counter()
        done = [pipe_before(d) for d in docs]
        t1 = time.perf_counter()
        found = sum(len(timex(d).timexes) for d in done)
        t2 = time.perf_counter()
        tb, tt = min(tb, t1 - t0), min(tt, t2 - t1)
    print(f"{len(docs)} articles, {chars / 1e6:.2f} M chars, {found} time expressions")
    print(f"{'+'.join(before):>28}: {tb:6.2f} s  ({chars / tb / 1e3:7.0f} k chars/s)")
    per_article = 1e3 * tt / len(docs)
    print(f"{'timexes':>28}: {tt:6.2f} s  ({chars / tt / 1e3:7.0f} k chars/s, {per_article:.1f} ms/article)")
    print(f"{'overhead':>28}: {100 * tt / tb:6.1f} % of the stages before it")


if __name__ == "__main__":
    main(sys.argv[1:])
